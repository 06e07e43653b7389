-- Installed extensions (plpgsql, which initdb puts in every database, is left out).
SELECT e.oid,
       e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version,
       d.description AS comment
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
  LEFT JOIN pg_description d
         ON d.objoid = e.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0
 WHERE e.extname <> 'plpgsql'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
 ORDER BY e.extname
