-- Columns of tables and views, in order. COLUMN_TYPE is the whole type (int(10) unsigned,
-- enum('a','b')); EXTRA holds auto_increment, on update ..., VIRTUAL/STORED GENERATED.
SELECT TABLE_NAME AS table_name,
       COLUMN_NAME AS name,
       COLUMN_TYPE AS column_type,
       IS_NULLABLE AS nullable,
       COLUMN_DEFAULT AS default_value,
       EXTRA AS extra,
       COLLATION_NAME AS collation,
       GENERATION_EXPRESSION AS generation,
       COLUMN_COMMENT AS comment
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %(db)s
ORDER BY TABLE_NAME, ORDINAL_POSITION
