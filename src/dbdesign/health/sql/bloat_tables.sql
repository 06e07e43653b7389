-- Heap tables and materialized views of the user's schemas (partitions each on their own; not
-- a partitioned parent, which has no pages, nor an extension's), with what the bloat estimate
-- needs: the page and row counts VACUUM/ANALYZE last stored, the main fork's size now, the
-- fillfactor, and per column (in attnum order, dropped ones left out) its storage length and
-- alignment and, from pg_stats, its average width and share of NULLs. pg_stats shows only the
-- columns the role may SELECT (and none under row security): `readable` says whether it may.
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind = 'm' AS matview,
       c.relpages::bigint AS pages,
       c.reltuples::float8 AS tuples,
       c.relnatts::int AS natts,
       pg_relation_size(c.oid) AS size,
       current_setting('block_size')::int AS block_size,
       coalesce((SELECT o.option_value::int
                   FROM pg_options_to_table(c.reloptions) o
                  WHERE o.option_name = 'fillfactor'), 100) AS fillfactor,
       cols.lengths, cols.aligns, cols.widths, cols.null_fracs,
       cols.readable AND NOT (c.relrowsecurity AND row_security_active(c.oid)) AS readable
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = c.relam AND am.amname = 'heap'
 CROSS JOIN LATERAL (
       SELECT array_agg(a.attlen::int ORDER BY a.attnum) AS lengths,
              array_agg(a.attalign::text ORDER BY a.attnum) AS aligns,
              array_agg(s.avg_width ORDER BY a.attnum) AS widths,
              array_agg(s.null_frac::float8 ORDER BY a.attnum) AS null_fracs,
              coalesce(bool_and(has_column_privilege(c.oid, a.attnum, 'SELECT')), true)
                AS readable
         FROM pg_attribute a
         LEFT JOIN pg_stats s
                ON s.schemaname = n.nspname AND s.tablename = c.relname
               AND s.attname = a.attname AND NOT s.inherited
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) cols
 WHERE c.relkind IN ('r', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
