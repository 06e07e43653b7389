-- Each AUTO_INCREMENT column of an integer type, signed or not, with the table's next value
-- (information_schema.TABLES.AUTO_INCREMENT: on MySQL 8 a copy cached for
-- information_schema_stats_expiry seconds, 86400 by default; live on MariaDB).
SELECT t.TABLE_SCHEMA AS schema_name,
       t.TABLE_NAME AS table_name,
       c.COLUMN_NAME AS column_name,
       c.DATA_TYPE AS data_type,
       c.COLUMN_TYPE LIKE '%unsigned%' AS is_unsigned,
       c.IS_NULLABLE = 'YES' AS nullable,
       c.EXTRA LIKE '%invisible%' AS invisible,
       c.COLUMN_COMMENT AS comment,
       t.AUTO_INCREMENT AS next_value
  FROM information_schema.TABLES t
  JOIN information_schema.COLUMNS c
    ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
 WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.AUTO_INCREMENT IS NOT NULL
   AND c.EXTRA LIKE '%auto_increment%'
   AND c.DATA_TYPE IN ('tinyint', 'smallint', 'mediumint', 'int', 'bigint')
   AND (t.TABLE_SCHEMA = DATABASE()
        OR (DATABASE() IS NULL
            AND t.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
 ORDER BY t.TABLE_SCHEMA, t.TABLE_NAME
