-- Whether performance_schema runs (ON by default on MySQL, OFF on MariaDB): the usage checks
-- (unused-index, slow-query) read its counters.
SELECT @@performance_schema AS performance_schema
