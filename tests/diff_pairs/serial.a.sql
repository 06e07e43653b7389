-- serial columns: serial -> bigserial (the owned sequence changes type too), a serial column
-- dropped (its sequence goes with it), one added; a serial primary key referenced by a FK
CREATE TABLE s1 (id serial PRIMARY KEY, name text);
CREATE TABLE s1_ref (s1_id integer REFERENCES s1);
CREATE TABLE s2 (x integer, id smallserial);
CREATE TABLE s3 (x integer);
