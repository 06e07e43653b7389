-- The usage statistics of every user table (pg_stat_user_tables: ordinary tables, partitions
-- and materialized views; not one an extension owns): live and dead rows, when it was last
-- vacuumed and analyzed, its sequential and index scans and the rows the sequential scans
-- read; whether autovacuum is turned off for it (reloptions) and for the whole server.
-- Readable by any role: the statistics views check no privilege on the table.
SELECT s.relid AS oid,
       s.schemaname AS schema,
       s.relname AS name,
       s.n_live_tup AS live,
       s.n_dead_tup AS dead,
       s.last_vacuum,
       s.last_autovacuum,
       s.seq_scan,
       s.seq_tup_read,
       s.idx_scan,
       (SELECT o.option_value::bool
          FROM pg_options_to_table(c.reloptions) o
         WHERE o.option_name = 'autovacuum_enabled') AS autovacuum_enabled,
       current_setting('autovacuum')::bool AS autovacuum_on,
       current_setting('track_counts')::bool AS track_counts
  FROM pg_stat_user_tables s
  JOIN pg_class c ON c.oid = s.relid
 WHERE c.relkind IN ('r', 'm')
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY s.schemaname, s.relname
