-- The client sessions connected to this database other than the one running this query, with
-- what the session checks need: the state and for how long (seconds), the query, and for a
-- session waiting on a lock, who blocks it (pg_blocking_pids), what it waits for and since
-- when (pg_locks.waitstart from PostgreSQL 14, read through to_jsonb so that one text serves
-- every version; before, the query's start). Without pg_read_all_stats (in pg_monitor) the
-- state and query of another role's session are hidden.
SELECT a.pid,
       a.usename AS user_name,
       a.application_name,
       host(a.client_addr) AS client,
       a.state,
       a.query,
       extract(epoch FROM statement_timestamp() - a.query_start)::float8 AS query_s,
       extract(epoch FROM statement_timestamp() - a.state_change)::float8 AS state_s,
       extract(epoch FROM statement_timestamp() - a.xact_start)::float8 AS xact_s,
       a.wait_event_type = 'Lock' AS waiting,
       CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by,
       CASE WHEN a.wait_event_type = 'Lock' THEN
         (SELECT l.mode || ' on ' || coalesce(l.relation::regclass::text, l.locktype)
            FROM pg_locks l
           WHERE l.pid = a.pid AND NOT l.granted
           LIMIT 1)
       END AS waiting_for,
       CASE WHEN a.wait_event_type = 'Lock' THEN
         extract(epoch FROM statement_timestamp() - coalesce(
             (SELECT min((to_jsonb(l) ->> 'waitstart')::timestamptz)
                FROM pg_locks l
               WHERE l.pid = a.pid AND NOT l.granted),
             a.query_start))::float8
       END AS wait_s,
       (SELECT setting::float8 / 1000 FROM pg_settings
         WHERE name = 'deadlock_timeout') AS deadlock_timeout_s
  FROM pg_stat_activity a
 WHERE a.datname = current_database()
   AND a.backend_type = 'client backend'
   AND a.pid <> pg_backend_pid()
 ORDER BY a.pid
