CREATE TABLE c (
    id integer PRIMARY KEY,
    a text NOT NULL DEFAULT 'x',
    b bigint,
    c varchar(40),
    d numeric(12, 4) DEFAULT 0,
    e text,
    txt_num integer,
    num_txt text,
    f timestamp with time zone DEFAULT now(),
    added timestamp with time zone DEFAULT now(),
    added2 integer NOT NULL DEFAULT 7
);
COMMENT ON COLUMN c.b IS 'column b';
COMMENT ON COLUMN c.added IS 'new';
