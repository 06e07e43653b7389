-- a domain's base type changes while a column and a view use it
CREATE DOMAIN amount AS numeric(10, 2) CHECK (VALUE >= 0);
CREATE TABLE invoice (id integer PRIMARY KEY, total amount);
CREATE VIEW big_invoices AS SELECT id, total FROM invoice WHERE total > 1000;
