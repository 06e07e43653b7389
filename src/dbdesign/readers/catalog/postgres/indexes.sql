-- All indexes on tables and materialized views, with flags telling which back a constraint
-- (PRIMARY KEY, UNIQUE, EXCLUDE) or are attached to a partitioned parent index; the reader
-- models only the others as Index entries and uses the rest for constraint details.
-- The elements come from index_elements.sql.
SELECT i.indexrelid AS oid,
       n.nspname AS schema,
       ic.relname AS name,
       c.relname AS table_name,
       i.indrelid AS relid,
       am.amname AS method,
       i.indisunique AS is_unique,
       i.indnullsnotdistinct AS nulls_not_distinct,
       i.indnkeyatts AS nkeys,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ic.relispartition AS attached,
       bc.conindid IS NOT NULL AS backs_constraint,
       d.description AS comment
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN (SELECT DISTINCT k.conindid, k.conrelid
               FROM pg_constraint k
              WHERE k.contype IN ('p', 'u', 'x')) bc
         ON bc.conindid = i.indexrelid AND bc.conrelid = i.indrelid
  LEFT JOIN pg_description d
         ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = i.indexrelid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, ic.relname
