-- domains: constraints added, dropped, changed, NOT VALID; default and NOT NULL; created,
-- dropped; a domain used by a table column
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN email AS text;
CREATE DOMAIN gone AS text CONSTRAINT gone_len CHECK (length(VALUE) < 10);
CREATE TABLE acct (id posint, mail email);
