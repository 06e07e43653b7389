CREATE TABLE sales (region text, amount numeric, sold date);
CREATE MATERIALIZED VIEW by_region AS
    SELECT region, sum(amount) AS total, count(*) AS n FROM sales GROUP BY region;
CREATE UNIQUE INDEX by_region_key ON by_region (region);
CREATE INDEX by_region_n ON by_region (n);
CREATE VIEW top_regions AS SELECT region FROM by_region WHERE total > 100;
CREATE MATERIALIZED VIEW last_sale AS SELECT region, max(sold) AS last_sold FROM sales GROUP BY region;
COMMENT ON MATERIALIZED VIEW last_sale IS 'latest sale per region';
