-- MariaDB (10.6+): what mysql_indexes.sql reads on MySQL 8. MariaDB has no functional key
-- parts, and says IGNORED where MySQL says IS_VISIBLE.
SELECT s.TABLE_SCHEMA AS schema_name,
       s.TABLE_NAME AS table_name,
       s.INDEX_NAME AS index_name,
       s.NON_UNIQUE = 0 AS is_unique,
       s.INDEX_TYPE AS method,
       s.SEQ_IN_INDEX AS seq,
       s.COLUMN_NAME AS column_name,
       NULL AS expression,
       s.SUB_PART AS sub_part,
       s.COLLATION AS direction,
       s.NULLABLE = 'YES' AS nullable,
       s.IGNORED = 'NO' AS visible
  FROM information_schema.STATISTICS s
  JOIN information_schema.TABLES t
    ON t.TABLE_SCHEMA = s.TABLE_SCHEMA AND t.TABLE_NAME = s.TABLE_NAME
 WHERE t.TABLE_TYPE = 'BASE TABLE'
   AND (s.TABLE_SCHEMA = DATABASE()
        OR (DATABASE() IS NULL
            AND s.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
 ORDER BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX
