-- Installed extensions older than the default version of the package on the server, that
-- ALTER EXTENSION ... UPDATE can bring to it (an update path exists).
SELECT e.extname AS name,
       e.extversion AS installed,
       a.default_version AS available
  FROM pg_extension e
  JOIN pg_available_extensions a ON a.name = e.extname
 WHERE a.default_version IS DISTINCT FROM e.extversion
   AND EXISTS (SELECT 1 FROM pg_extension_update_paths(e.extname) u
                WHERE u.source = e.extversion AND u.target = a.default_version
                  AND u.path IS NOT NULL)
 ORDER BY e.extname
