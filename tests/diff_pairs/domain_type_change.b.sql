CREATE DOMAIN amount AS numeric(14, 4) CHECK (VALUE >= 0);
CREATE TABLE invoice (id integer PRIMARY KEY, total amount);
CREATE VIEW big_invoices AS SELECT id, total FROM invoice WHERE total > 1000;
