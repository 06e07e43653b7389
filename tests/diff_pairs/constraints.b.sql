CREATE TABLE p (
    a integer NOT NULL,
    b integer NOT NULL,
    c text,
    d text,
    CONSTRAINT p_pkey PRIMARY KEY (a, b),
    CONSTRAINT p_c_key UNIQUE NULLS NOT DISTINCT (c),
    CONSTRAINT p_bd_key UNIQUE (b) INCLUDE (d) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT p_d_check CHECK (d <> 'x') NO INHERIT
);
ALTER TABLE p ADD CONSTRAINT p_b_check CHECK (b >= 0) NOT VALID;
CREATE TABLE q (x integer NOT NULL, y integer, CONSTRAINT q_pkey PRIMARY KEY (x));
COMMENT ON CONSTRAINT p_pkey ON p IS 'the wider key';
COMMENT ON CONSTRAINT p_c_key ON p IS 'one c';
