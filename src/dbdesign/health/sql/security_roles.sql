-- The roles this database knows, for the role checks (roles are the cluster's: a review of one
-- database reports only these): the database's owner, the roles its ACL names (GRANT CONNECT),
-- roles with settings for it (ALTER ROLE ... IN DATABASE), roles that own objects in it, hold
-- privileges on them or are named by its policies (pg_shdepend), and every member of those,
-- transitively. Listed: those of them that can log in, and every role such a login can become
-- (SET ROLE to), each with its attributes and the known logins that reach it:
--   - through its groups, transitively, by memberships it may SET ROLE through (PostgreSQL 16:
--     only those granted WITH SET TRUE, the default; up to 15 every membership);
--   - by granting a role to itself first: with the ADMIN OPTION on it (PostgreSQL 16: a
--     CREATEROLE role holds it on the roles it creates), unless the role is a superuser (only
--     superusers grant those); and, up to PostgreSQL 15, with CREATEROLE (non-superuser),
--     which may grant any role but a superuser.
-- granting_members: the logins that reach it only by granting it to themselves first;
-- createrole_members: those that reach it only through CREATEROLE (up to PostgreSQL 15).
-- (An ADMIN OPTION held through a membership that may not SET ROLE is not followed.)
-- Readable by any role (pg_roles shows no password; pg_auth_members's set_option is read
-- through to_jsonb, which PostgreSQL 15 and older do not have).
WITH RECURSIVE db AS (
    SELECT oid, datdba, datacl FROM pg_database WHERE datname = current_database()
), direct AS (
    SELECT datdba AS role FROM db
    UNION SELECT a.grantee FROM db, aclexplode(db.datacl) a WHERE a.grantee <> 0
    UNION SELECT s.setrole FROM db JOIN pg_db_role_setting s ON s.setdatabase = db.oid
    UNION SELECT d.refobjid
            FROM db JOIN pg_shdepend d ON d.dbid = db.oid
           WHERE d.refclassid = 'pg_authid'::regclass
), known AS (
    SELECT role FROM direct
    UNION SELECT m.member FROM known k JOIN pg_auth_members m ON m.roleid = k.role
), logins AS (
    SELECT r.oid,
           r.rolcreaterole AND NOT r.rolsuper
           AND current_setting('server_version_num')::int < 160000 AS grants_any
      FROM pg_roles r JOIN known k ON k.role = r.oid
     WHERE r.rolcanlogin
), reach AS (
    SELECT l.oid AS login, l.oid AS role, false AS granted, false AS createrole
      FROM logins l
    UNION
    SELECT l.oid, g.oid, true, true
      FROM logins l JOIN pg_roles g ON g.oid <> l.oid AND NOT g.rolsuper
     WHERE l.grants_any
    UNION
    SELECT x.login, m.roleid,
           x.granted OR NOT coalesce((to_jsonb(m) ->> 'set_option')::boolean, true),
           x.createrole
      FROM reach x
      JOIN pg_auth_members m ON m.member = x.role
      JOIN pg_roles g ON g.oid = m.roleid
     WHERE coalesce((to_jsonb(m) ->> 'set_option')::boolean, true)
        OR (m.admin_option AND NOT g.rolsuper)
), paths AS (
    SELECT x.login, x.role, l.rolname AS login_name,
           bool_or(NOT x.granted) AS sets, bool_and(x.createrole) AS by_createrole
      FROM reach x JOIN pg_roles l ON l.oid = x.login
     WHERE x.login <> x.role
     GROUP BY x.login, x.role, l.rolname
)
SELECT r.oid,
       r.rolname AS name,
       r.oid = 10 AS bootstrap,
       r.rolsuper AS superuser,
       r.rolbypassrls AS bypassrls,
       r.rolcanlogin AS login,
       r.oid IN (SELECT role FROM known) AS known,
       ARRAY(SELECT p.login_name FROM paths p
              WHERE p.role = r.oid ORDER BY p.login_name) AS login_members,
       ARRAY(SELECT p.login_name FROM paths p
              WHERE p.role = r.oid AND NOT p.sets ORDER BY p.login_name) AS granting_members,
       ARRAY(SELECT p.login_name FROM paths p
              WHERE p.role = r.oid AND p.by_createrole ORDER BY p.login_name)
           AS createrole_members
  FROM pg_roles r
 WHERE r.oid IN (SELECT role FROM reach)
 ORDER BY r.rolname
