-- User types: enums (values in enumsortorder), domains, and free-standing composite types
-- (typtype 'c' whose relation has relkind 'c'; table row types are implicit). Range types
-- (typtype 'r') are listed only so the reader can say it does not model them. Array types,
-- multirange types (made with their range type) and extension members are left out.
SELECT t.oid,
       n.nspname AS schema,
       t.typname AS name,
       t.typtype,
       t.typrelid AS relid,
       CASE WHEN t.typtype = 'e'
            THEN ARRAY(SELECT e.enumlabel FROM pg_enum e
                        WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] END AS enum_values,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       t.typnotnull AS not_null,
       pg_get_expr(t.typdefaultbin, 0) AS default_expr,
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation
            THEN CASE WHEN con.nspname = 'pg_catalog' THEN co.collname
                      ELSE con.nspname || '.' || co.collname END END AS collation,
       d.description AS comment
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
  LEFT JOIN pg_class rc ON rc.oid = t.typrelid
  LEFT JOIN pg_collation co ON co.oid = t.typcollation
  LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
  LEFT JOIN pg_description d
         ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
 WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND rc.relkind = 'c'))
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
 ORDER BY n.nspname, t.typname
