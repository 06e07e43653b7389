-- Sequences, without identity columns' internal ones; owned_by from the 'auto' dependency that
-- OWNED BY (and serial) records.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       format_type(s.seqtypid, NULL) AS type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       (SELECT tn.nspname || '.' || tc.relname || '.' || ta.attname
          FROM pg_depend dep
          JOIN pg_class tc ON tc.oid = dep.refobjid
          JOIN pg_namespace tn ON tn.oid = tc.relnamespace
          JOIN pg_attribute ta ON ta.attrelid = dep.refobjid AND ta.attnum = dep.refobjsubid
         WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
           AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0
           AND dep.deptype = 'a'
         LIMIT 1) AS owned_by,
       d.description AS comment,
       (SELECT coalesce(json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                   'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]'::json)
          FROM aclexplode(c.relacl) a
         WHERE a.grantee <> c.relowner) AS grants
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_sequence s ON s.seqrelid = c.oid
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind = 'S'
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype IN ('e', 'i'))
 ORDER BY n.nspname, c.relname
