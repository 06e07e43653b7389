-- Where the query tools are created in this database, if they are: pg_stat_statements (the
-- workload `dbdesign advise pg_stat_statements` reads) and HypoPG (its hypothetical indexes).
SELECT (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS pg_stat_statements,
       (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg') AS hypopg
