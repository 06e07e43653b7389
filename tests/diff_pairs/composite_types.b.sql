CREATE TYPE address AS (street text, zip varchar(10), city text);
COMMENT ON TYPE address IS 'postal';
CREATE TYPE point3 AS (x double precision, y double precision, z double precision);
