-- Valid B-tree indexes on the user's tables and materialized views (not an extension's; not a
-- partitioned index, which has no pages), with what the bloat estimate and the cardinality
-- check need: the page and entry counts VACUUM/ANALYZE last stored, the size now, the
-- fillfactor, whether it may deduplicate, and per column (key columns first, then INCLUDE
-- ones) its storage length and alignment, whether its operator class allows deduplication
-- (support function 4, "equalimage"), and from pg_stats (the table's column, or the index's
-- own statistics for an expression) its average width, share of NULLs and distinct values;
-- for a one-column index on a table column also that column's name and type, and its most
-- common value and that value's share. pg_stats shows only what the role may SELECT:
-- `readable` says whether it may. The statistics are looked up by oid and column number
-- (resolved once from pg_stats' names), so the query stays fast on thousands of indexes.
WITH stats AS MATERIALIZED (
    SELECT c.oid AS relid, a.attnum, s.avg_width, s.null_frac::float8 AS null_frac,
           s.n_distinct::float8 AS n_distinct
      FROM pg_stats s
      JOIN pg_namespace n ON n.nspname = s.schemaname
      JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
     WHERE NOT s.inherited
), indexes AS (
    SELECT i.*, ic.relname AS name, ic.relpages, ic.reltuples, ic.reloptions, ic.relispartition,
           c.relname AS table_name, c.reltuples AS table_reltuples, c.relowner,
           c.relrowsecurity, n.nspname AS schema
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
     WHERE ic.relkind = 'i' AND i.indisvalid AND i.indisready
       AND c.relkind IN ('r', 'm')
       AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
       AND NOT EXISTS (SELECT 1 FROM pg_depend e
                        WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                          AND e.deptype = 'e')
), columns AS (
    SELECT i.indexrelid, k.k, ia.attlen::int AS attlen, ia.attalign::text AS attalign,
           EXISTS (SELECT 1 FROM pg_opclass oc
                     JOIN pg_amproc p
                       ON p.amprocfamily = oc.opcfamily AND p.amproclefttype = oc.opcintype
                      AND p.amprocrighttype = oc.opcintype AND p.amprocnum = 4
                    WHERE oc.oid = i.indclass[k.k - 1]) AS equalimage,
           CASE WHEN i.indkey[k.k - 1] = 0
                THEN has_column_privilege(i.indexrelid, k.k::int2, 'SELECT')
                ELSE has_column_privilege(i.indrelid, i.indkey[k.k - 1], 'SELECT') END
             AS readable,
           coalesce(ts.avg_width, xs.avg_width) AS avg_width,
           coalesce(ts.null_frac, xs.null_frac) AS null_frac,
           coalesce(ts.n_distinct, xs.n_distinct) AS n_distinct
      FROM indexes i
     CROSS JOIN LATERAL generate_series(1, i.indnatts) AS k (k)
      JOIN pg_attribute ia ON ia.attrelid = i.indexrelid AND ia.attnum = k.k
      LEFT JOIN stats ts ON ts.relid = i.indrelid AND ts.attnum = i.indkey[k.k - 1]
      LEFT JOIN stats xs ON xs.relid = i.indexrelid AND xs.attnum = k.k
                        AND i.indkey[k.k - 1] = 0
)
SELECT i.indexrelid AS oid,
       i.schema,
       i.table_name,
       i.name,
       i.relpages::bigint AS pages,
       i.reltuples::float8 AS tuples,
       greatest(i.table_reltuples, 0)::float8 AS table_rows,
       pg_relation_size(i.indexrelid) AS size,
       current_setting('block_size')::int AS block_size,
       coalesce((SELECT o.option_value::int
                   FROM pg_options_to_table(i.reloptions) o
                  WHERE o.option_name = 'fillfactor'), 90) AS fillfactor,
       coalesce((SELECT o.option_value::bool
                   FROM pg_options_to_table(i.reloptions) o
                  WHERE o.option_name = 'deduplicate_items'), true) AS deduplicate,
       i.indisunique AS is_unique,
       i.indnkeyatts AS nkeys,
       i.indnatts AS natts,
       i.indpred IS NOT NULL AS partial,
       i.relispartition AS attached,
       i.indisreplident
         OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS bound,
       (SELECT k.contype::text FROM pg_constraint k
         WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
         LIMIT 1) AS constraint_type,
       s.idx_scan AS scans,
       cols.lengths, cols.aligns, cols.equalimage, cols.widths, cols.null_fracs,
       cols.distincts,
       cols.readable AND NOT (i.relrowsecurity AND row_security_active(i.indrelid)) AS readable,
       first.column_name, first.type_name, first.common_value, first.common_share
  FROM indexes i
  JOIN (SELECT c.indexrelid,
               array_agg(c.attlen ORDER BY c.k) AS lengths,
               array_agg(c.attalign ORDER BY c.k) AS aligns,
               array_agg(c.equalimage ORDER BY c.k) AS equalimage,
               array_agg(c.avg_width ORDER BY c.k) AS widths,
               array_agg(c.null_frac ORDER BY c.k) AS null_fracs,
               array_agg(c.n_distinct ORDER BY c.k) AS distincts,
               bool_and(c.readable) AS readable
          FROM columns c
         GROUP BY c.indexrelid) cols ON cols.indexrelid = i.indexrelid
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
  LEFT JOIN LATERAL (
       SELECT ta.attname AS column_name,
              format_type(ta.atttypid, ta.atttypmod) AS type_name,
              (st.most_common_vals::text::text[])[1] AS common_value,
              st.most_common_freqs[1]::float8 AS common_share
         FROM pg_attribute ta
         LEFT JOIN pg_stats st
                ON st.schemaname = i.schema AND st.tablename = i.table_name
               AND st.attname = ta.attname AND NOT st.inherited
        WHERE ta.attrelid = i.indrelid AND ta.attnum = i.indkey[0]) first
    ON i.indnatts = 1 AND i.indkey[0] > 0
 ORDER BY i.schema, i.table_name, i.name
