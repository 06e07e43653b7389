-- When the statistics the usage checks read were last reset: this database's counters, else
-- the cluster's (pg_stat_bgwriter's reset time is set when the cluster is created), and how
-- many days ago that was.
SELECT r.at AS stats_reset,
       (extract(epoch FROM now() - r.at) / 86400.0)::float8 AS days
  FROM (SELECT coalesce((SELECT stats_reset FROM pg_stat_database
                          WHERE datname = current_database()),
                        (SELECT stats_reset FROM pg_stat_bgwriter)) AS at) r
