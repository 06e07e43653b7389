-- the primary key a foreign key points at changes type (integer -> bigint), through two levels
CREATE TABLE parent (id integer PRIMARY KEY, name text);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent (id));
CREATE TABLE grandchild (child_id integer REFERENCES child, parent_id integer REFERENCES parent);
CREATE INDEX child_parent ON child (parent_id);
