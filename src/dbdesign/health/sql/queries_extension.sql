-- Where pg_stat_statements can be read: the schema the extension is created in (NULL: not
-- created in this database), whether the server has it installed at all (its control file:
-- a build without the contrib modules has not, and a server told to preload a library it
-- does not have does not start), the server's shared_preload_libraries (NULL: not visible to
-- this role; pg_monitor sees it) and whether a changed value waits for a restart, the major
-- version for the package to install, and shared_buffers for the advice.
SELECT current_database() AS database,
       (SELECT n.nspname
          FROM pg_extension e
          JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS schema,
       EXISTS (SELECT 1 FROM pg_available_extensions
                WHERE name = 'pg_stat_statements') AS available,
       current_setting('server_version_num')::int / 10000 AS major,
       (SELECT setting FROM pg_settings
         WHERE name = 'shared_preload_libraries') AS preload,
       coalesce((SELECT pending_restart FROM pg_settings
                  WHERE name = 'shared_preload_libraries'), false) AS pending_restart,
       current_setting('shared_buffers') AS shared_buffers
