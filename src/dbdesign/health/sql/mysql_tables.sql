-- The InnoDB base tables of the reviewed database(s), their estimated rows, whether each has a
-- primary key, and which of the names a new key column would take ('id', 'row_id') are taken.
SELECT t.TABLE_SCHEMA AS schema_name,
       t.TABLE_NAME AS table_name,
       t.TABLE_ROWS AS table_rows,
       EXISTS (SELECT 1 FROM information_schema.STATISTICS s
                WHERE s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME
                  AND s.INDEX_NAME = 'PRIMARY') AS has_primary_key,
       (SELECT GROUP_CONCAT(LOWER(c.COLUMN_NAME))
          FROM information_schema.COLUMNS c
         WHERE c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
           AND c.COLUMN_NAME IN ('id', 'row_id')) AS taken_names
  FROM information_schema.TABLES t
 WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.ENGINE = 'InnoDB'
   AND (t.TABLE_SCHEMA = DATABASE()
        OR (DATABASE() IS NULL
            AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
 ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME
