CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(trim(t))';
CREATE FUNCTION score(n integer) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT n * 2.5';
CREATE FUNCTION first_code() RETURNS text LANGUAGE sql AS 'SELECT ''b''';
CREATE TABLE item (
    id integer PRIMARY KEY,
    name text CHECK (norm(name) <> ''),
    code text DEFAULT first_code(),
    n integer
);
CREATE INDEX item_norm ON item (norm(name));
CREATE VIEW item_scores AS SELECT id, score(n) AS s FROM item;
