-- Routine parameters in order (position 0, a function's result, is in routines.sql).
SELECT SPECIFIC_NAME AS routine,
       ROUTINE_TYPE AS kind,
       ORDINAL_POSITION AS ordinal,
       PARAMETER_MODE AS mode,
       PARAMETER_NAME AS name,
       DTD_IDENTIFIER AS type
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA = %(db)s AND ORDINAL_POSITION > 0
ORDER BY ROUTINE_TYPE, SPECIFIC_NAME, ORDINAL_POSITION
