-- Foreign keys of user tables (on a partitioned table, the parent's only, not the copies on its
-- partitions), with the referencing columns in key order, and the estimated rows and size of
-- the referencing table (its heap).
SELECT k.oid,
       k.conrelid AS relid,
       c.relkind = 'p' AS partitioned,
       n.nspname AS schema,
       c.relname AS table_name,
       k.conname AS name,
       k.conrelid::regclass::text AS table_sql,
       k.confrelid::regclass::text AS referenced,
       k.conkey::int2[] AS attnums,
       ARRAY(SELECT a.attname
               FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
              ORDER BY u.ord) AS columns,
       greatest(c.reltuples, 0)::bigint AS rows,
       pg_relation_size(c.oid) AS size  -- the table itself: its indexes would cost a stat() each
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f' AND k.conparentid = 0
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname, k.conname
