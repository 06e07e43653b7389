-- Views on MySQL (information_schema.VIEWS has no ALGORITHM column there).
SELECT TABLE_NAME AS name,
       VIEW_DEFINITION AS definition,
       CHECK_OPTION AS check_option,
       SECURITY_TYPE AS security,
       'UNDEFINED' AS algorithm
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = %(db)s
ORDER BY TABLE_NAME
