-- MariaDB (10.6+): what mysql_accounts.sql reads on MySQL 8, from mysql.global_priv (the view
-- mysql.user hides whether an account is locked and the alternatives of IDENTIFIED VIA ... OR
-- ...). An account logs in without a password when any of its ways in is a password plugin
-- with an empty authentication string (no plugin named: mysql_native_password). Roles cannot
-- log in. Needs SELECT on mysql.global_priv.
SELECT g.User AS user_name,
       g.Host AS host_name,
       IFNULL(JSON_VALUE(g.Priv, '$.plugin'), 'mysql_native_password') AS plugin,
       EXISTS (
         SELECT 1
           FROM JSON_TABLE(
                  JSON_ARRAY_INSERT(
                    IFNULL(JSON_QUERY(g.Priv, '$.auth_or'), '[]'), '$[0]',
                    JSON_OBJECT('plugin',
                                IFNULL(JSON_VALUE(g.Priv, '$.plugin'), 'mysql_native_password'),
                                'authentication_string',
                                JSON_VALUE(g.Priv, '$.authentication_string'))),
                  '$[*]' COLUMNS (plugin VARCHAR(64) PATH '$.plugin',
                                  auth TEXT PATH '$.authentication_string')) w
          WHERE w.plugin IN ('mysql_native_password', 'mysql_old_password', 'ed25519', 'parsec')
            AND IFNULL(w.auth, '') = '') AS no_password
  FROM mysql.global_priv g
 WHERE IFNULL(JSON_VALUE(g.Priv, '$.account_locked'), 0) = 0
   AND IFNULL(JSON_VALUE(g.Priv, '$.is_role'), 0) = 0
 ORDER BY g.User, g.Host
