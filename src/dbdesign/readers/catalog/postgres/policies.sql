-- Row-level security policies. polcmd: * ALL, r SELECT, a INSERT, w UPDATE, d DELETE.
SELECT pol.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       pol.polname AS name,
       pol.polcmd::text AS command,
       pol.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r.roleid = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r.roleid)::text END
               FROM unnest(pol.polroles) r(roleid))::text[] AS roles,
       pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr,
       d.description AS comment
  FROM pg_policy pol
  JOIN pg_class c ON c.oid = pol.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = pol.oid AND d.classoid = 'pg_policy'::regclass AND d.objsubid = 0
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
 ORDER BY n.nspname, c.relname, pol.polname
