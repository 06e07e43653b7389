-- Views and materialized views; the query as pg_get_viewdef prints it.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid) AS query,
       c.reloptions::text[] AS options,
       d.description AS comment,
       (SELECT coalesce(json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                   'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]'::json)
          FROM aclexplode(c.relacl) a
         WHERE a.grantee <> c.relowner) AS grants
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind IN ('v', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
