-- Reader fidelity (tests/integration/test_reader_fidelity.py): a partition's own keys, foreign
-- keys and indexes that match its parent's are attached at ATTACH PARTITION (or when the parent
-- gains one) and from then on are the parent's; the catalog shows them inherited.
CREATE TABLE ref (id int PRIMARY KEY);
CREATE TABLE p (id int, k int, r int, note text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE c (id int NOT NULL, k int NOT NULL, r int, note text, PRIMARY KEY (id, k));
ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM (0) TO (10);
-- the partition's own matching index and foreign key are attached to the parent's
CREATE TABLE c2 (id int NOT NULL, k int NOT NULL, r int REFERENCES ref, note text, UNIQUE (r, k));
CREATE INDEX c2_note ON c2 (note);
CREATE INDEX c2_own ON c2 (r) WHERE r > 0;
ALTER TABLE p ADD FOREIGN KEY (r) REFERENCES ref;
CREATE INDEX p_note ON p (note);
ALTER TABLE p ATTACH PARTITION c2 FOR VALUES FROM (10) TO (20);
ALTER TABLE p ADD UNIQUE (r, k);
-- pg_dump's order: keys added ONLY, the partition's key index attached by name
CREATE TABLE q (id int NOT NULL, k int NOT NULL) PARTITION BY LIST (k);
CREATE TABLE q1 (id int NOT NULL, k int NOT NULL);
ALTER TABLE ONLY q ATTACH PARTITION q1 FOR VALUES IN (1);
ALTER TABLE ONLY q ADD CONSTRAINT q_pkey PRIMARY KEY (id, k);
ALTER TABLE ONLY q1 ADD CONSTRAINT q1_pkey PRIMARY KEY (id, k);
CREATE INDEX q_k ON ONLY q (k);
CREATE INDEX q1_k ON q1 (k);
ALTER INDEX q_pkey ATTACH PARTITION q1_pkey;
ALTER INDEX q_k ATTACH PARTITION q1_k;
-- a partition that is itself partitioned
CREATE TABLE s (id int NOT NULL, k int NOT NULL, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE s1 (id int NOT NULL, k int NOT NULL, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE s1a (id int NOT NULL, k int NOT NULL, PRIMARY KEY (id, k));
ALTER TABLE s1 ATTACH PARTITION s1a FOR VALUES FROM (0) TO (5);
ALTER TABLE s ATTACH PARTITION s1 FOR VALUES FROM (0) TO (10);
