-- primary key, unique and check constraints: columns changed, NULLS NOT DISTINCT, INCLUDE,
-- deferrable, NOT VALID, added, dropped, comments
CREATE TABLE p (
    a integer NOT NULL,
    b integer NOT NULL,
    c text,
    d text,
    CONSTRAINT p_pkey PRIMARY KEY (a),
    CONSTRAINT p_c_key UNIQUE (c),
    CONSTRAINT p_b_check CHECK (b > 0),
    CONSTRAINT gone_check CHECK (c <> '')
);
CREATE TABLE q (x integer, y integer);
COMMENT ON CONSTRAINT p_pkey ON p IS 'the key';
