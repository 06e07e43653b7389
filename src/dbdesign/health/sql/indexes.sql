-- Every index on a user table or materialized view (not in pg_catalog, information_schema,
-- pg_toast, temporary schemas, nor owned by an extension), with what the index checks need:
-- its key columns as the server prints them (a column name or an expression), their operator
-- classes, collations and options (DESC, NULLS FIRST), the INCLUDE columns, the predicate,
-- its size, its scans since the statistics were reset, and which constraint it backs (a
-- primary key, unique or exclusion constraint, or the referenced side of a foreign key).
-- Readable by any role: pg_catalog, pg_stat_user_indexes and pg_relation_size check no
-- privilege on the table.
SELECT i.indexrelid AS oid,
       i.indrelid AS relid,
       ic.relispartition AS attached,
       ic.relkind = 'I' AS partitioned,
       n.nspname AS schema,
       c.relname AS table_name,
       ic.relname AS name,
       am.amname AS method,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indisvalid AS is_valid,
       i.indisready AS is_ready,
       i.indisreplident AS is_replica_identity,
       i.indnkeyatts AS nkeys,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
               FROM generate_series(1, i.indnatts) AS k
              ORDER BY k) AS columns,
       i.indkey::int2[] AS attnums,
       i.indclass::oid[] AS opclasses,
       i.indcollation::oid[] AS collations,
       i.indoption::int2[] AS options,
       pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       pg_get_indexdef(i.indexrelid) AS definition,
       pg_relation_size(i.indexrelid) AS size,
       s.idx_scan AS scans,
       k.conname AS constraint_name,
       k.contype AS constraint_type,
       r.referenced_by
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
  LEFT JOIN pg_constraint k
         ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
  -- the foreign keys whose referenced side the index is, grouped once (pg_constraint has no
  -- index on conindid: a subquery per index would scan it once per index)
  LEFT JOIN (SELECT f.conindid,
                    string_agg(f.conrelid::regclass::text || '.' || f.conname, ', ') AS referenced_by
               FROM pg_constraint f
              WHERE f.contype = 'f'
              GROUP BY f.conindid) r ON r.conindid = i.indexrelid
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname, ic.relname
