-- Where pg_stat_statements can be read: the schema the extension is created in (NULL: not
-- created in this database), the server's shared_preload_libraries (NULL: not visible to this
-- role; pg_monitor sees it) and whether a changed value waits for a restart, and
-- shared_buffers for the advice.
SELECT current_database() AS database,
       (SELECT n.nspname
          FROM pg_extension e
          JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS schema,
       (SELECT setting FROM pg_settings
         WHERE name = 'shared_preload_libraries') AS preload,
       coalesce((SELECT pending_restart FROM pg_settings
                  WHERE name = 'shared_preload_libraries'), false) AS pending_restart,
       current_setting('shared_buffers') AS shared_buffers
