-- sequences: options (increment, bounds, start, cache, cycle, type) changed; created, dropped;
-- OWNED BY set and removed; comment and grants
CREATE SEQUENCE s1;
CREATE SEQUENCE s2 AS integer INCREMENT BY 2 START 10 CACHE 5;
CREATE SEQUENCE gone;
CREATE TABLE t (id bigint DEFAULT nextval('s1'), n integer);
CREATE SEQUENCE owned AS integer OWNED BY t.n;
GRANT USAGE ON SEQUENCE s1 TO dbdesign_diff_reader;
