CREATE TABLE region (id integer PRIMARY KEY);
CREATE TABLE sale (id integer, sold date, region_id integer REFERENCES region,
    PRIMARY KEY (id, sold)) PARTITION BY RANGE (sold);
CREATE INDEX sale_region ON sale (region_id);
CREATE TABLE sale_2024 PARTITION OF sale FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE sale_2025 (id integer NOT NULL, sold date NOT NULL, region_id integer,
    CONSTRAINT sale_2025_pkey PRIMARY KEY (id, sold),
    CONSTRAINT sale_region_id_fkey FOREIGN KEY (region_id) REFERENCES region);
CREATE INDEX sale_2025_region_id_idx ON sale_2025 (region_id);
