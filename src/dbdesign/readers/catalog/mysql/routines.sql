-- Stored functions and procedures (the body is the text after the characteristics).
SELECT ROUTINE_NAME AS name,
       ROUTINE_TYPE AS kind,
       DTD_IDENTIFIER AS return_type,
       ROUTINE_DEFINITION AS body,
       IS_DETERMINISTIC AS is_deterministic,
       SQL_DATA_ACCESS AS data_access,
       SECURITY_TYPE AS security,
       ROUTINE_COMMENT AS comment
FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = %(db)s
ORDER BY ROUTINE_TYPE, ROUTINE_NAME
