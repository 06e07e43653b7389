-- What holds the xmin horizon back, oldest first: VACUUM cannot freeze (nor remove) rows
-- that a running transaction (not this session's), a prepared transaction, a replication
-- slot or a standby with hot_standby_feedback may still need.
SELECT 'session' AS kind,
       format('pid %s (%s, %s, %s, transaction started %s)', pid, datname, usename, state,
              date_trunc('second', xact_start)) AS holder,
       age(backend_xmin)::bigint AS xmin_age
  FROM pg_stat_activity
 WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid()
UNION ALL
SELECT 'prepared transaction', format('%L (%s, %s, prepared %s)', gid, database, owner,
                                      date_trunc('second', prepared)),
       age(transaction)::bigint
  FROM pg_prepared_xacts
UNION ALL
SELECT 'replication slot', format('%L (%s, %s)', slot_name, slot_type,
                                  CASE WHEN active THEN 'active' ELSE 'inactive' END),
       greatest(age(xmin), age(catalog_xmin))::bigint
  FROM pg_replication_slots
 WHERE xmin IS NOT NULL OR catalog_xmin IS NOT NULL
UNION ALL
SELECT 'standby', format('%s (%s)', application_name, client_addr), age(backend_xmin)::bigint
  FROM pg_stat_replication
 WHERE backend_xmin IS NOT NULL
 ORDER BY xmin_age DESC
 LIMIT 10
