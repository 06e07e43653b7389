-- Columns of tables, views, materialized views and composite types, in attnum order.
-- Identity columns come with their internal sequence's options; collation only when it differs
-- from the type's default.
SELECT a.attrelid AS relid,
       a.attnum,
       a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       a.attidentity AS identity,
       a.attgenerated AS generated,
       pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
       CASE WHEN a.attcollation <> t.typcollation
            THEN CASE WHEN con.nspname = 'pg_catalog' THEN co.collname
                      ELSE con.nspname || '.' || co.collname END END AS collation,
       d.description AS comment,
       format_type(s.seqtypid, NULL) AS seq_type,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
  LEFT JOIN pg_description d
         ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
  LEFT JOIN LATERAL (
       SELECT sq.*
         FROM pg_depend dep
         JOIN pg_sequence sq ON sq.seqrelid = dep.objid
        WHERE a.attidentity <> ''
          AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
          AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype = 'i'
        LIMIT 1) s ON true
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'v', 'm', 'c')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
 ORDER BY a.attrelid, a.attnum
