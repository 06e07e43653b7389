CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1
    CONSTRAINT posint_check CHECK (VALUE > 0)
    CONSTRAINT posint_small CHECK (VALUE < 1000000);
CREATE DOMAIN email AS text CONSTRAINT email_at CHECK (VALUE LIKE '%@%');
ALTER DOMAIN email ADD CONSTRAINT email_len CHECK (length(VALUE) < 200) NOT VALID;
COMMENT ON DOMAIN email IS 'mail address';
COMMENT ON CONSTRAINT email_at ON DOMAIN email IS 'has an at sign';
CREATE DOMAIN code AS varchar(8) COLLATE "C";
CREATE TABLE acct (id posint, mail email, c code);
