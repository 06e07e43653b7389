-- a column added to a partitioned table reaches its partitions; it must not be added twice
CREATE TABLE metric (id integer, at date) PARTITION BY RANGE (at);
CREATE TABLE metric_2024 PARTITION OF metric FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
