CREATE TABLE car (id integer, wheels integer, doors integer, CONSTRAINT vehicle_wheels_check CHECK (wheels >= 0));
CREATE TABLE bike (id integer, wheels integer, CONSTRAINT vehicle_wheels_check CHECK (wheels >= 0));
