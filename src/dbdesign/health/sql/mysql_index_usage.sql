-- Reads through each index since the server started (or the summary was last truncated), for
-- the indexes of tables opened since then (writes are counted on the table's row, INDEX_NAME
-- NULL, not on each index). Needs performance_schema ON and SELECT on
-- performance_schema.table_io_waits_summary_by_index_usage.
SELECT OBJECT_SCHEMA AS schema_name,
       OBJECT_NAME AS table_name,
       INDEX_NAME AS index_name,
       COUNT_READ AS read_count
  FROM performance_schema.table_io_waits_summary_by_index_usage
 WHERE OBJECT_TYPE = 'TABLE' AND INDEX_NAME IS NOT NULL
   AND (OBJECT_SCHEMA = DATABASE()
        OR (DATABASE() IS NULL
            AND OBJECT_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
