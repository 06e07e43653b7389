CREATE TABLE g (id integer, price numeric, qty numeric, total numeric GENERATED ALWAYS AS (price * qty * 1.1) STORED);
CREATE TABLE g2 (a integer, b integer);
CREATE TABLE g3 (a integer, b integer GENERATED ALWAYS AS (a + 1) STORED);
CREATE TABLE g4 (a text, a_upper text GENERATED ALWAYS AS (upper(a)) STORED);
