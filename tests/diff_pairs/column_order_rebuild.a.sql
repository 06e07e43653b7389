-- rows-kept
-- a column in the middle of a table: dropped (A -> B) and put back in its place (B -> A, which
-- no ALTER can do: the table is rebuilt) while a foreign key from another table and a self-
-- reference point at its primary key, with a unique constraint, an index, a check and a view on it
CREATE TABLE parent (
    id integer PRIMARY KEY,
    mid text,
    tail integer CONSTRAINT parent_tail_key UNIQUE CONSTRAINT parent_tail_check CHECK (tail > 0),
    up integer REFERENCES parent
);
CREATE INDEX parent_up ON parent (up);
CREATE TABLE ref (pid integer CONSTRAINT ref_pid_fkey REFERENCES parent);
CREATE VIEW parent_tails AS SELECT id, tail FROM parent;
INSERT INTO parent VALUES (1, 'x', 2, NULL), (2, 'y', 3, 1);
INSERT INTO ref VALUES (1), (2);
