-- String columns (text, varchar, char ...) of user tables and materialized views whose name
-- contains one of %(likes)s (LIKE patterns; the check then matches the name's words), for
-- unhashed-secret: may the role SELECT the column, does row-level security filter what it
-- reads, and the relation's size in pages (a partitioned table's: its partitions') and rows per
-- page, from which the check sizes its sample. Not partitions (their parent's sample reads
-- them), foreign tables (a sample would read the remote server) nor an extension's tables.
SELECT c.oid AS relid,
       n.nspname AS schema,
       c.relname AS table_name,
       a.attname AS column_name,
       has_column_privilege(c.oid, a.attnum, 'SELECT') AS readable,
       row_security_active(c.oid) AS rls_active,
       (CASE WHEN c.relkind = 'p'
             THEN (SELECT coalesce(sum(pg_relation_size(t.relid)), 0)
                     FROM pg_partition_tree(c.oid) t)
             ELSE pg_relation_size(c.oid)
        END / current_setting('block_size')::int)::bigint AS pages,
       CASE WHEN c.relpages > 0 AND c.reltuples > 0
            THEN (c.reltuples / c.relpages)::float8 END AS rows_per_page
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type ty ON ty.oid = a.atttypid
 WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition
   AND a.attnum > 0 AND NOT a.attisdropped AND ty.typcategory = 'S'
   AND lower(a.attname) LIKE ANY (%(likes)s::text[])
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname, a.attnum
