-- The performance_schema consumers and instruments the usage checks read from, and whether
-- each is enabled (they may be switched off at run time or in my.cnf).
SELECT NAME AS name, ENABLED = 'YES' AS enabled
  FROM performance_schema.setup_consumers
 WHERE NAME IN ('global_instrumentation', 'statements_digest')
UNION ALL
SELECT NAME, ENABLED = 'YES'
  FROM performance_schema.setup_instruments
 WHERE NAME = 'wait/io/table/sql/handler'
