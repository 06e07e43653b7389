-- The calls performance_schema could not tell apart because its digest table was full (the row
-- whose DIGEST is NULL sums them), and the table's size (performance_schema_digests_size).
SELECT COALESCE(SUM(COUNT_STAR), 0) AS calls,
       @@performance_schema_digests_size AS size
  FROM performance_schema.events_statements_summary_by_digest
 WHERE DIGEST IS NULL
