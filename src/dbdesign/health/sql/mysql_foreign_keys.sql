-- The key columns of every foreign key of the reviewed database(s), one row per column in key
-- order, with the column it references: an index a foreign key needs is never reported unused.
SELECT k.TABLE_SCHEMA AS schema_name,
       k.TABLE_NAME AS table_name,
       k.CONSTRAINT_NAME AS name,
       k.ORDINAL_POSITION AS seq,
       k.COLUMN_NAME AS column_name,
       k.REFERENCED_TABLE_SCHEMA AS referenced_schema,
       k.REFERENCED_TABLE_NAME AS referenced_table,
       k.REFERENCED_COLUMN_NAME AS referenced_column
  FROM information_schema.KEY_COLUMN_USAGE k
 WHERE k.REFERENCED_TABLE_NAME IS NOT NULL
   AND (k.TABLE_SCHEMA = DATABASE() OR k.REFERENCED_TABLE_SCHEMA = DATABASE()
        OR (DATABASE() IS NULL
            AND k.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
 ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
