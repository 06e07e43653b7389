-- Collations made with CREATE COLLATION: none of pg_catalog's, none an extension created.
-- The locale columns changed between versions (colliculocale in 15-16, colllocale from 17,
-- collicurules from 16): read through to_jsonb so one query serves every version.
-- Parameters: schemas (text[] or NULL for all).
SELECT c.oid,
       c.collname AS name,
       n.nspname AS schema,
       CASE c.collprovider WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin' ELSE 'libc' END AS provider,
       coalesce(j.v ->> 'colllocale', j.v ->> 'colliculocale') AS locale,
       c.collcollate AS lc_collate,
       c.collctype AS lc_ctype,
       c.collisdeterministic AS deterministic,
       j.v ->> 'collicurules' AS rules,
       c.collversion AS version,
       d.description AS comment
  FROM pg_collation c
  JOIN pg_namespace n ON n.oid = c.collnamespace
  CROSS JOIN LATERAL (SELECT to_jsonb(c) AS v) j
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0
 WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_collation'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.collname
