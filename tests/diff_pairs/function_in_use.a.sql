-- functions used by an index expression, a check, a default and a view: the body changes (in
-- place) and one return type changes (the view must be rebuilt around it)
CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(t)';
CREATE FUNCTION score(n integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT n * 2';
CREATE FUNCTION first_code() RETURNS text LANGUAGE sql AS 'SELECT ''a''';
CREATE TABLE item (
    id integer PRIMARY KEY,
    name text CHECK (norm(name) <> ''),
    code text DEFAULT first_code(),
    n integer
);
CREATE INDEX item_norm ON item (norm(name));
CREATE VIEW item_scores AS SELECT id, score(n) AS s FROM item;
