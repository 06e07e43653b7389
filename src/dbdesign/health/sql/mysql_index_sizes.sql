-- The size of each InnoDB index (its pages times the page size; a partitioned table's
-- partitions added up) from InnoDB's persistent statistics, which ANALYZE TABLE and the
-- automatic recalculation keep. Needs SELECT on mysql.innodb_index_stats.
SELECT database_name AS schema_name,
       SUBSTRING_INDEX(SUBSTRING_INDEX(table_name, '#P#', 1), '#p#', 1) AS table_name,
       index_name,
       SUM(stat_value) * @@innodb_page_size AS size
  FROM mysql.innodb_index_stats
 WHERE stat_name = 'size'
   AND (database_name = DATABASE()
        OR (DATABASE() IS NULL
            AND database_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')))
 GROUP BY 1, 2, 3
