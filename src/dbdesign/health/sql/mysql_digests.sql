-- Statements of the reviewed database(s) as performance_schema sums them up per digest (the
-- statement with its values as ?) since the server started: calls, mean and total time
-- (timers count picoseconds), rows examined and sent. Needs performance_schema ON and SELECT on
-- performance_schema.events_statements_summary_by_digest.
SELECT SCHEMA_NAME AS schema_name,
       DIGEST AS digest,
       DIGEST_TEXT AS query,
       COUNT_STAR AS calls,
       AVG_TIMER_WAIT / 1000000000 AS mean_ms,
       SUM_TIMER_WAIT / 1000000000 AS total_ms,
       SUM_ROWS_EXAMINED AS rows_examined,
       SUM_ROWS_SENT AS rows_sent,
       SUM_NO_INDEX_USED AS no_index_used
  FROM performance_schema.events_statements_summary_by_digest
 WHERE DIGEST IS NOT NULL
   AND (SCHEMA_NAME = DATABASE()
        OR (DATABASE() IS NULL
            AND (SCHEMA_NAME IS NULL
                 OR SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys'))))
 ORDER BY SUM_TIMER_WAIT DESC
