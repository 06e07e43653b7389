CREATE TABLE region (id integer, name text, code text NOT NULL, CONSTRAINT region_pkey PRIMARY KEY (id, code));
CREATE TABLE store (
    id integer PRIMARY KEY,
    region_id integer,
    region_code text,
    CONSTRAINT store_region_fk FOREIGN KEY (region_id, region_code) REFERENCES region
);
