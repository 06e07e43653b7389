-- The database read and its defaults (a table keeps a character set only where it differs).
SELECT SCHEMA_NAME AS name,
       DEFAULT_COLLATION_NAME AS collation,
       VERSION() AS version
FROM information_schema.SCHEMATA
WHERE SCHEMA_NAME = %(db)s
