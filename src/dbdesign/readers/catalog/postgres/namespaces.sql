-- Namespaces (schemas) holding user objects: no system schemas, no schema an extension created.
-- Parameters: schemas (text[] or NULL for all).
SELECT n.oid,
       n.nspname AS name,
       d.description AS comment,
       (SELECT coalesce(json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                   'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]'::json)
          FROM aclexplode(n.nspacl) a
         WHERE a.grantee <> n.nspowner) AS grants
  FROM pg_namespace n
  LEFT JOIN pg_description d
         ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname
