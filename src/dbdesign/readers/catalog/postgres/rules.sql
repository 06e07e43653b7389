-- Rewrite rules other than views' _RETURN rules. ev_type: 1 SELECT, 2 UPDATE, 3 INSERT, 4 DELETE.
SELECT r.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       r.rulename AS name,
       r.ev_type::text AS ev_type,
       pg_get_ruledef(r.oid) AS definition,
       d.description AS comment
  FROM pg_rewrite r
  JOIN pg_class c ON c.oid = r.ev_class
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = r.oid AND d.classoid = 'pg_rewrite'::regclass AND d.objsubid = 0
 WHERE r.rulename <> '_RETURN'
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname, r.rulename
