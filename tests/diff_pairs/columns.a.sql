-- columns: added, dropped, types (widening, narrowing, text -> integer needing USING),
-- defaults set/changed/dropped, NOT NULL set/dropped, collation, comments
CREATE TABLE c (
    id integer PRIMARY KEY,
    a text,
    b integer DEFAULT 0,
    c varchar(10) NOT NULL,
    d numeric(10, 2),
    e text COLLATE "C",
    txt_num text,
    num_txt integer,
    f timestamp,
    gone integer
);
COMMENT ON COLUMN c.a IS 'column a';
