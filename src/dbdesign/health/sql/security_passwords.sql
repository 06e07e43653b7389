-- The server's password_encryption (as this session sees it, with where it was set), and
-- whether this role may read pg_authid (superusers only): the stored password hashes are in it.
SELECT s.setting,
       s.source,
       has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS authid_readable
  FROM pg_settings s
 WHERE s.name = 'password_encryption'
