-- The roles this database knows, for the role checks (roles are the cluster's: a review of one
-- database reports only these): the database's owner, the roles its ACL names (GRANT CONNECT),
-- roles with settings for it (ALTER ROLE ... IN DATABASE), roles that own objects in it, hold
-- privileges on them or are named by its policies (pg_shdepend), and every member of those,
-- transitively. Listed: those of them that can log in, and every role such a login can SET ROLE
-- to (its groups, transitively), each with its attributes and the known logins that reach it.
-- Readable by any role (pg_roles shows no password).
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
), reach AS (
    SELECT r.oid AS login, r.oid AS role
      FROM pg_roles r JOIN known k ON k.role = r.oid
     WHERE r.rolcanlogin
    UNION SELECT x.login, m.roleid FROM reach x JOIN pg_auth_members m ON m.member = x.role
)
SELECT r.oid,
       r.rolname AS name,
       r.oid = 10 AS bootstrap,
       r.rolsuper AS superuser,
       r.rolbypassrls AS bypassrls,
       r.rolcanlogin AS login,
       r.oid IN (SELECT role FROM known) AS known,
       ARRAY(SELECT l.rolname
               FROM reach x JOIN pg_roles l ON l.oid = x.login
              WHERE x.role = r.oid AND x.login <> r.oid
              ORDER BY l.rolname) AS login_members
  FROM pg_roles r
 WHERE r.oid IN (SELECT role FROM reach)
 ORDER BY r.rolname
