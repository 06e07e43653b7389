-- The server's client connections against what max_connections leaves to ordinary roles
-- (minus superuser_reserved_connections, and reserved_connections from PostgreSQL 16), how
-- many of them are idle, the busiest databases, and work_mem for the memory cost.
SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
       count(*)::int AS in_use,
       (count(*) FILTER (WHERE a.state = 'idle'))::int AS idle,
       ARRAY(SELECT coalesce(b.datname, '?') || ' ' || count(*)
               FROM pg_stat_activity b
              WHERE b.backend_type = 'client backend'
              GROUP BY b.datname
              ORDER BY count(*) DESC, b.datname
              LIMIT 5) AS by_database,
       current_setting('work_mem') AS work_mem
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'
