CREATE SCHEMA other;
CREATE TABLE parent (id integer PRIMARY KEY, code text UNIQUE);
ALTER TABLE parent ADD CONSTRAINT parent_id_code_key UNIQUE (id, code);
CREATE TABLE other.child (
    id integer PRIMARY KEY,
    parent_id integer CONSTRAINT child_parent_fk REFERENCES parent ON DELETE SET NULL ON UPDATE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    code text,
    boss integer CONSTRAINT child_boss_fk REFERENCES other.child,
    CONSTRAINT child_code_fk FOREIGN KEY (parent_id, code) REFERENCES parent (id, code) MATCH FULL
);
ALTER TABLE other.child ADD CONSTRAINT child_code_only_fk FOREIGN KEY (code) REFERENCES parent (code) NOT VALID;
COMMENT ON CONSTRAINT child_parent_fk ON other.child IS 'to the parent';
