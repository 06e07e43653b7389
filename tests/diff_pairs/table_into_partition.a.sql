-- a standalone table becomes a partition of an existing partitioned table (ATTACH PARTITION);
-- reversed: a partition becomes a standalone table (DETACH PARTITION)
CREATE TABLE events (id integer, at date, payload text) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_old (id integer, at date, payload text);
