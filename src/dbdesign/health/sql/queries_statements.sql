-- The statements of this database that pg_stat_statements has measured (top-level ones: a
-- statement run inside a function is counted in its caller's time), summed over the roles
-- that ran them: calls, execution time, rows, and shared blocks found in the cache (hit) or
-- read. The time is total_exec_time from PostgreSQL 13 and total_time before: each row is read
-- through to_jsonb so that one text serves every version. The view is the extension's, in the
-- schema it was created in (filled in by the check). A statement another role ran shows as
-- '<insufficient privilege>' (with no queryid) without pg_read_all_stats.
SELECT j.queryid,
       min(j.query) AS query,
       sum(j.calls)::bigint AS calls,
       sum(j.total_ms)::float8 AS total_ms,
       sum(j.rows)::bigint AS rows,
       sum(j.blks_hit)::bigint AS blks_hit,
       sum(j.blks_read)::bigint AS blks_read
  FROM (SELECT s.queryid,
               s.query,
               s.calls,
               coalesce((to_jsonb(s) ->> 'total_exec_time')::float8,
                        (to_jsonb(s) ->> 'total_time')::float8, 0) AS total_ms,
               s.rows,
               s.shared_blks_hit AS blks_hit,
               s.shared_blks_read AS blks_read
          FROM {view} s
         WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND s.calls > 0
           AND coalesce((to_jsonb(s) ->> 'toplevel')::boolean, true)) j
 GROUP BY j.queryid
 ORDER BY 4 DESC
