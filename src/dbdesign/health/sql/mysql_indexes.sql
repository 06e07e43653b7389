-- MySQL 8: every key part of every index on a base table of the connection's database (of
-- every user database when the URL names none), in key order: unique or not, the index type
-- (BTREE, HASH, FULLTEXT, SPATIAL), the column or, for a functional key part, its expression,
-- the prefix length, the order (A, D), whether the column takes NULL, and whether the
-- optimizer may use the index (IS_VISIBLE). information_schema lists only the tables the
-- account has some privilege on.
SELECT s.TABLE_SCHEMA AS schema_name,
       s.TABLE_NAME AS table_name,
       s.INDEX_NAME AS index_name,
       s.NON_UNIQUE = 0 AS is_unique,
       s.INDEX_TYPE AS method,
       s.SEQ_IN_INDEX AS seq,
       s.COLUMN_NAME AS column_name,
       s.EXPRESSION AS expression,
       s.SUB_PART AS sub_part,
       s.COLLATION AS direction,
       s.NULLABLE = 'YES' AS nullable,
       s.IS_VISIBLE = 'YES' AS visible
  FROM information_schema.STATISTICS s
  JOIN information_schema.TABLES t
    ON t.TABLE_SCHEMA = s.TABLE_SCHEMA AND t.TABLE_NAME = s.TABLE_NAME
 WHERE t.TABLE_TYPE = 'BASE TABLE'
   AND (s.TABLE_SCHEMA = DATABASE()
        OR (DATABASE() IS NULL
            AND s.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
 ORDER BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX
