-- a partition detached from a parent with a primary key, a partitioned index and a foreign
-- key keeps its own copies of them; attaching it back merges them into the parent's
CREATE TABLE region (id integer PRIMARY KEY);
CREATE TABLE sale (id integer, sold date, region_id integer REFERENCES region,
    PRIMARY KEY (id, sold)) PARTITION BY RANGE (sold);
CREATE INDEX sale_region ON sale (region_id);
CREATE TABLE sale_2024 PARTITION OF sale FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE sale_2025 PARTITION OF sale FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
