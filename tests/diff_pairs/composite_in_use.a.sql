-- a composite type used by a table column and a function gains an attribute and has one retyped
CREATE TYPE money_t AS (amount numeric(10, 2), currency char(3));
CREATE TABLE price (id integer PRIMARY KEY, p money_t);
CREATE FUNCTION cents(m money_t) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT (m).amount * 100';
