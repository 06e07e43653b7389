-- Whether the pgstattuple extension is installed in this database, in which schema (NULL: not
-- created), whether the role may run the two functions the bloat checks measure with
-- (pg_monitor may: it includes pg_stat_scan_tables, to which the extension grants them), and
-- whether the server has it at all (its control file: a build without the contrib modules,
-- such as an embedded server, has not), with the major version for the package to install.
SELECT n.nspname AS schema,
       coalesce((SELECT bool_and(has_function_privilege(p.oid, 'EXECUTE'))
                   FROM pg_proc p
                  WHERE p.pronamespace = x.extnamespace
                    AND p.proname IN ('pgstattuple_approx', 'pgstatindex')
                    AND p.pronargs = 1 AND p.proargtypes[0] = 'regclass'::regtype), false)
         AS executable,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgstattuple') AS available,
       current_setting('server_version_num')::int / 10000 AS major
  FROM (SELECT 1) one
  LEFT JOIN pg_extension x ON x.extname = 'pgstattuple'
  LEFT JOIN pg_namespace n ON n.oid = x.extnamespace
