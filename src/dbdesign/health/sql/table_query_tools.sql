-- Where the query tools are created in this database, if they are: pg_stat_statements (the
-- workload `dbdesign advise pg_stat_statements` reads) and HypoPG (its hypothetical indexes);
-- whether the server has each installed at all (its control file: a build without the contrib
-- modules, such as an embedded server, has neither), and the major version for the package.
SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS pg_stat_statements,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg') AS hypopg,
       EXISTS (SELECT 1 FROM pg_available_extensions
                WHERE name = 'pg_stat_statements') AS pg_stat_statements_available,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS hypopg_available,
       current_setting('server_version_num')::int / 10000 AS major
