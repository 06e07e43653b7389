CREATE TABLE parent (id integer, name text, created date);
CREATE TABLE child (extra text) INHERITS (parent);
