CREATE TABLE s1 (id bigserial PRIMARY KEY, name text);
CREATE TABLE s1_ref (s1_id bigint REFERENCES s1);
CREATE TABLE s2 (x integer);
CREATE TABLE s3 (x integer, id serial);
