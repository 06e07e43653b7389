-- foreign keys: actions, deferrability, MATCH FULL, NOT VALID, added, dropped, self-reference,
-- cross-schema
CREATE SCHEMA other;
CREATE TABLE parent (id integer PRIMARY KEY, code text UNIQUE);
CREATE TABLE other.child (
    id integer PRIMARY KEY,
    parent_id integer CONSTRAINT child_parent_fk REFERENCES parent ON DELETE CASCADE,
    code text,
    boss integer
);
CREATE TABLE gone_ref (pid integer CONSTRAINT gone_ref_fk REFERENCES parent);
