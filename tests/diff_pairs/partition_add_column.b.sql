CREATE TABLE metric (id integer, at date, value double precision DEFAULT 0 NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE metric_2024 PARTITION OF metric FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
