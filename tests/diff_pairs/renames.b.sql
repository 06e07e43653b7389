-- renames: public.new_name=old_name, public.people.name=fullname
-- rows-kept
CREATE TABLE new_name (id integer PRIMARY KEY, v text);
CREATE TABLE people (id integer PRIMARY KEY, name text);
CREATE TABLE pet (owner integer REFERENCES new_name);
INSERT INTO new_name VALUES (1, 'one');
INSERT INTO people VALUES (1, 'Ann');
INSERT INTO pet VALUES (1);
