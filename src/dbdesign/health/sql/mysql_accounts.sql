-- MySQL 8: every account that can log in (not locked: MySQL's roles are locked accounts), and
-- whether it logs in without a password (a password plugin with an empty
-- authentication_string). Needs SELECT on mysql.user.
SELECT u.User AS user_name,
       u.Host AS host_name,
       u.plugin AS plugin,
       u.plugin IN ('mysql_native_password', 'caching_sha2_password', 'sha256_password')
         AND u.authentication_string = '' AS no_password
  FROM mysql.user u
 WHERE u.account_locked <> 'Y'
 ORDER BY u.User, u.Host
