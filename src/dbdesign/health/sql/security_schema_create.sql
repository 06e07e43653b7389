-- Who besides its owner may create objects in a schema: every grantee of CREATE on schema
-- public (PUBLIC is the PostgreSQL 14 and older default), and PUBLIC on any other user schema
-- (not pg_*, information_schema, nor an extension's). A NULL ACL is the owner's only.
SELECT n.nspname AS schema,
       bool_or(a.grantee = 0) AS to_public,
       array_remove(array_agg(CASE WHEN a.grantee <> 0 THEN pg_get_userbyid(a.grantee) END
                              ORDER BY pg_get_userbyid(a.grantee)), NULL) AS roles
  FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
 WHERE a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner
   AND (n.nspname = 'public' OR a.grantee = 0)
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid
                      AND e.deptype = 'e')
 GROUP BY n.nspname
 ORDER BY n.nspname
