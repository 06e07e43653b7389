-- renames: public.old_name=new_name, public.people.fullname=name
-- rows-kept
-- a table and a column renamed with explicit hints: rows survive, a foreign key follows
CREATE TABLE old_name (id integer PRIMARY KEY, v text);
CREATE TABLE people (id integer PRIMARY KEY, fullname text);
CREATE TABLE pet (owner integer REFERENCES old_name);
INSERT INTO old_name VALUES (1, 'one');
INSERT INTO people VALUES (1, 'Ann');
INSERT INTO pet VALUES (1);
