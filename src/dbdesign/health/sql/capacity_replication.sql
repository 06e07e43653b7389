-- Replication lag, in seconds. On a primary: each standby of pg_stat_replication with its
-- replay_lag (0 once it has replayed everything: the view keeps the last lag measured for a
-- while; hidden without pg_read_all_stats) and the WAL bytes it has yet to replay. On a standby (in recovery): the
-- time since the last replayed transaction (since the server started when it has replayed
-- none), 0 when everything received is replayed (an idle primary sends nothing; after a restart
-- the received position starts again at the beginning of a WAL segment, behind the replayed
-- one, until streaming catches up), and whether replay is paused.
SELECT 'standby' AS side,
       coalesce(r.application_name, '') AS name,
       host(r.client_addr) AS client,
       r.state,
       extract(epoch FROM CASE WHEN pg_is_in_recovery() THEN r.replay_lag
                               WHEN r.replay_lsn = pg_current_wal_lsn() THEN interval '0'
                               ELSE r.replay_lag END)::float8 AS lag_s,
       CASE WHEN pg_is_in_recovery() THEN NULL
            ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint
       END AS behind_bytes,
       NULL::boolean AS paused
  FROM pg_stat_replication r
UNION ALL
SELECT 'self', '', NULL, 'recovery',
       CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM statement_timestamp()
                                    - coalesce(pg_last_xact_replay_timestamp(),
                                               pg_postmaster_start_time()))::float8
       END,
       greatest(0, pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()))::bigint,
       pg_is_wal_replay_paused()
 WHERE pg_is_in_recovery()
