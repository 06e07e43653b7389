-- Privileges granted to PUBLIC on the relations of user schemas (tables, views, materialized
-- views, sequences, foreign tables; a NULL ACL is the owner's only), and EXECUTE on their
-- SECURITY DEFINER routines: every routine's EXECUTE is PUBLIC's by default (a NULL ACL), which
-- matters only for one that runs with its owner's rights. Not an extension's objects.
SELECT n.nspname AS schema,
       c.relname AS name,
       NULL AS arguments,
       CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
       array_agg(a.privilege_type ORDER BY a.privilege_type) AS privileges
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace,
       aclexplode(c.relacl) a
 WHERE a.grantee = 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 GROUP BY n.nspname, c.relname, c.relkind
UNION ALL
SELECT n.nspname,
       p.proname,
       pg_get_function_identity_arguments(p.oid),
       CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
       ARRAY['EXECUTE']
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prosecdef
   AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid
                      AND e.deptype = 'e')
 ORDER BY 1, 2, 3
