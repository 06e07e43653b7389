-- Replication slots no one is using (not temporary) that still hold something back: WAL from
-- their restart_lsn (how many bytes, against the current or last received position) or rows
-- VACUUM may not remove (xmin, catalog_xmin). A slot that reserves nothing is harmless.
SELECT s.slot_name AS name,
       s.slot_type AS type,
       s.database,
       s.restart_lsn IS NOT NULL AS reserves_wal,
       CASE WHEN s.restart_lsn IS NULL THEN NULL
            WHEN pg_is_in_recovery()
            THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), s.restart_lsn)
            ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)
       END::bigint AS retained_bytes,
       greatest(age(s.xmin), age(s.catalog_xmin)) AS xmin_age
  FROM pg_replication_slots s
 WHERE NOT s.active AND NOT s.temporary
   AND (s.restart_lsn IS NOT NULL OR s.xmin IS NOT NULL OR s.catalog_xmin IS NOT NULL)
 ORDER BY s.slot_name
