-- an inheritance parent dropped while its children stay (NO INHERIT first; the children keep
-- the columns and the inherited check); reversed: existing tables INHERIT a new parent
CREATE TABLE vehicle (id integer, wheels integer, CONSTRAINT vehicle_wheels_check CHECK (wheels >= 0));
CREATE TABLE car (doors integer) INHERITS (vehicle);
CREATE TABLE bike () INHERITS (vehicle);
