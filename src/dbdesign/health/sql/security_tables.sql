-- User tables (ordinary and partitioned; not partitions, nor an extension's) with row-level
-- security enabled or with a column named like a tenant key: the first of %(tenant_columns)s
-- (lower-cased names, in order of preference) the table has, with its type as a cast writes
-- it; the table's policies; and, where RLS is enabled but not forced, the login roles that act
-- as its owner and so are not filtered by it (not superusers nor BYPASSRLS roles, which skip
-- row-level security anyway): the owner, the roles that have its privileges (PostgreSQL 16:
-- USAGE, memberships WITH INHERIT TRUE) or may SET ROLE to it (16: SET, memberships WITH SET
-- TRUE; up to 15 every member may), and those that may grant it to themselves first (the
-- ADMIN OPTION, or up to 15 CREATEROLE) unless the owner is a superuser.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relrowsecurity AS rls,
       c.relforcerowsecurity AS forced,
       pg_get_userbyid(c.relowner) AS owner,
       t.attname AS tenant_column,
       t.type AS tenant_type,
       ARRAY(SELECT p.polname FROM pg_policy p
              WHERE p.polrelid = c.oid ORDER BY p.polname) AS policies,
       CASE WHEN c.relrowsecurity AND NOT c.relforcerowsecurity THEN
            ARRAY(SELECT r.rolname
                    FROM pg_roles r, pg_roles o,
                         (SELECT current_setting('server_version_num')::int >= 160000) v (pg16)
                   WHERE o.oid = c.relowner
                     AND r.rolcanlogin AND NOT r.rolsuper AND NOT r.rolbypassrls
                     AND (pg_has_role(r.oid, o.oid,
                                      CASE WHEN v.pg16 THEN 'USAGE, SET' ELSE 'MEMBER' END)
                          OR NOT o.rolsuper
                             AND CASE WHEN v.pg16
                                      THEN pg_has_role(r.oid, o.oid, 'MEMBER WITH ADMIN OPTION')
                                      ELSE r.rolcreaterole END)
                   ORDER BY r.rolname)
       END AS owner_logins
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
          FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           AND lower(a.attname) = ANY (%(tenant_columns)s::text[])
         ORDER BY array_position(%(tenant_columns)s::text[], lower(a.attname)), a.attnum
         LIMIT 1) t ON true
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND (c.relrowsecurity OR t.attname IS NOT NULL)
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
