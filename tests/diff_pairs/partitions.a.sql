-- partitions: attached, detached (kept as a plain table), bound changed, default partition
-- added/dropped, list and hash partitioning, a sub-partitioned partition
CREATE TABLE measurement (city integer, logdate date, peak integer) PARTITION BY RANGE (logdate);
CREATE TABLE m2023 PARTITION OF measurement FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE m2024 PARTITION OF measurement FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_default PARTITION OF measurement DEFAULT;
CREATE TABLE cust (id integer, region text) PARTITION BY LIST (region);
CREATE TABLE cust_eu PARTITION OF cust FOR VALUES IN ('de', 'fr', 'nl');
CREATE TABLE cust_us PARTITION OF cust FOR VALUES IN ('us') PARTITION BY HASH (id);
CREATE TABLE cust_us_0 PARTITION OF cust_us FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE cust_us_1 PARTITION OF cust_us FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE h (k integer) PARTITION BY HASH (k);
CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 1);
