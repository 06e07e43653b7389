-- the primary key a foreign key points at changes its columns (one -> two): the foreign key
-- must be dropped before and recreated after
CREATE TABLE region (id integer PRIMARY KEY, name text);
CREATE TABLE store (id integer PRIMARY KEY, region_id integer CONSTRAINT store_region_fk REFERENCES region);
