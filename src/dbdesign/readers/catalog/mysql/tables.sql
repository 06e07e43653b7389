-- Base tables with their engine, collation, explicit options and comment.
SELECT TABLE_NAME AS name,
       ENGINE AS engine,
       TABLE_COLLATION AS collation,
       CREATE_OPTIONS AS create_options,
       TABLE_COMMENT AS comment
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %(db)s AND TABLE_TYPE = 'BASE TABLE'
ORDER BY TABLE_NAME
