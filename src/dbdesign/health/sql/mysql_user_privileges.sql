-- Each account's server-wide privileges (GRANT ... ON *.*) as the server names them, and
-- whether it may grant them on. information_schema.USER_PRIVILEGES shows the other accounts'
-- rows only to an account with SELECT on the mysql database.
SELECT GRANTEE AS grantee,
       PRIVILEGE_TYPE AS privilege,
       IS_GRANTABLE = 'YES' AS grantable
  FROM information_schema.USER_PRIVILEGES
 ORDER BY GRANTEE, PRIVILEGE_TYPE
