-- rows-kept
CREATE TABLE parent (
    id integer PRIMARY KEY,
    tail integer CONSTRAINT parent_tail_key UNIQUE CONSTRAINT parent_tail_check CHECK (tail > 0),
    up integer REFERENCES parent
);
CREATE INDEX parent_up ON parent (up);
CREATE TABLE ref (pid integer CONSTRAINT ref_pid_fkey REFERENCES parent);
CREATE VIEW parent_tails AS SELECT id, tail FROM parent;
INSERT INTO parent VALUES (1, 2, NULL), (2, 3, 1);
INSERT INTO ref VALUES (1), (2);
