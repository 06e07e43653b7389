-- a column (and a check) added to an inheritance parent reaches its children; a child's own
-- columns stay its own
CREATE TABLE parent (id integer, name text);
CREATE TABLE child () INHERITS (parent);
CREATE TABLE grandchild () INHERITS (child);
