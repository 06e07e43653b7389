CREATE TABLE parent (id integer, name text, created date, CONSTRAINT parent_id_check CHECK (id > 0));
CREATE TABLE child () INHERITS (parent);
CREATE TABLE grandchild () INHERITS (child);
