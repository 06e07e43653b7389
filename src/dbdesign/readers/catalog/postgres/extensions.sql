-- Installed extensions (plpgsql, which initdb puts in every database, is left out). The version
-- installed (it describes the server: not part of equality); the comment only when it is not
-- the extension's own (its control file's), as a DDL file that does not set one reads.
SELECT e.oid,
       e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version,
       CASE WHEN d.description IS DISTINCT FROM a.comment THEN d.description END AS comment
  FROM pg_extension e
  JOIN pg_namespace n ON n.oid = e.extnamespace
  LEFT JOIN pg_available_extensions a ON a.name = e.extname
  LEFT JOIN pg_description d
         ON d.objoid = e.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0
 WHERE e.extname <> 'plpgsql'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
 ORDER BY e.extname
