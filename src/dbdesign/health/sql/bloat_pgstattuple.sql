-- Whether the pgstattuple extension is installed in this database, in which schema, and
-- whether the role may run the two functions the bloat checks measure with (pg_monitor may:
-- it includes pg_stat_scan_tables, to which the extension grants them). No row: not installed.
SELECT n.nspname AS schema,
       coalesce((SELECT bool_and(has_function_privilege(p.oid, 'EXECUTE'))
                   FROM pg_proc p
                  WHERE p.pronamespace = x.extnamespace
                    AND p.proname IN ('pgstattuple_approx', 'pgstatindex')
                    AND p.pronargs = 1 AND p.proargtypes[0] = 'regclass'::regtype), false)
         AS executable
  FROM pg_extension x
  JOIN pg_namespace n ON n.oid = x.extnamespace
 WHERE x.extname = 'pgstattuple'
