-- Where pg_stat_statements can be read: the schema the extension is created in (NULL: not
-- created in this database), and shared_buffers for the cache advice. What is missing when it
-- cannot be read is dbdesign.databases.pg_statements' to say.
SELECT (SELECT n.nspname
          FROM pg_extension e
          JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'pg_stat_statements') AS schema,
       current_setting('shared_buffers') AS shared_buffers
