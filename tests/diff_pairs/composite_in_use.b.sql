CREATE TYPE money_t AS (amount numeric(12, 2), currency char(3), note text);
CREATE TABLE price (id integer PRIMARY KEY, p money_t);
CREATE FUNCTION cents(m money_t) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT (m).amount * 100';
