-- materialized views: query changed, created, dropped, indexes on them, a view over one,
-- comments
CREATE TABLE sales (region text, amount numeric, sold date);
CREATE MATERIALIZED VIEW by_region AS SELECT region, sum(amount) AS total FROM sales GROUP BY region;
CREATE UNIQUE INDEX by_region_key ON by_region (region);
CREATE VIEW top_regions AS SELECT region FROM by_region WHERE total > 100;
CREATE MATERIALIZED VIEW mv_gone AS SELECT sold FROM sales WITH NO DATA;
