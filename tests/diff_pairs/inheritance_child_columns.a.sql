-- a column added to an inheritance parent whose child has a column of its own: ALTER TABLE
-- parent ADD COLUMN puts it after the child's own column, a fresh CREATE before it
CREATE TABLE parent (id integer, name text);
CREATE TABLE child (extra text) INHERITS (parent);
