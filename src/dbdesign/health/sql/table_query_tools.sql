-- Where the query tools are created in this database, if they are: pg_stat_statements (the
-- workload `dbdesign advise pg_stat_statements` reads) and HypoPG (its hypothetical indexes);
-- whether the server has HypoPG installed at all (its control file), and the major version for
-- the package. What pg_stat_statements still needs is dbdesign.databases.pg_statements' to say.
SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS pg_stat_statements,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg') AS hypopg,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS hypopg_available,
       current_setting('server_version_num')::int / 10000 AS major
