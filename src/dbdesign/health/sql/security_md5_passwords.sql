-- Login roles whose password is stored as an MD5 hash (whether it is, never the hash).
-- pg_authid is readable by superusers only: run only when security_passwords says it may be.
SELECT a.oid, a.rolname AS name
  FROM pg_authid a
 WHERE a.rolcanlogin AND a.rolpassword LIKE 'md5%'
 ORDER BY a.rolname
