-- rows-kept
-- type changes that need USING, on a table with a row that converts
CREATE TABLE m (id integer PRIMARY KEY, qty text, flag text, ts text, amount integer, tags text);
INSERT INTO m VALUES (1, '42', 'true', '2024-01-01 00:00:00+00', 10, '{a,b}');
