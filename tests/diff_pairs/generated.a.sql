-- generated columns: expression changed, generated -> plain, plain -> generated, added
CREATE TABLE g (id integer, price numeric, qty numeric, total numeric GENERATED ALWAYS AS (price * qty) STORED);
CREATE TABLE g2 (a integer, b integer GENERATED ALWAYS AS (a * 2) STORED);
CREATE TABLE g3 (a integer, b integer);
CREATE TABLE g4 (a text);
