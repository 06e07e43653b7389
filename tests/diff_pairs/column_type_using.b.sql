-- rows-kept
CREATE TABLE m (id bigint PRIMARY KEY, qty integer, flag boolean, ts timestamp with time zone, amount numeric(10, 2), tags text[]);
INSERT INTO m VALUES (1, 42, true, '2024-01-01 00:00:00+00', 10, '{a,b}');
