-- CHECK and FOREIGN KEY constraints of user tables added NOT VALID and never validated (on a
-- partitioned table, the parent's only), with what a query for the rows that break them needs:
-- the CHECK's expression; the foreign key's columns, the referenced table and columns, and
-- its match type (s: SIMPLE, f: FULL).
SELECT k.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       k.conname AS name,
       k.contype AS type,
       pg_get_constraintdef(k.oid, true) AS definition,
       pg_get_expr(k.conbin, k.conrelid, true) AS expression,
       ARRAY(SELECT a.attname
               FROM unnest(k.conkey) WITH ORDINALITY AS u (attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
              ORDER BY u.ord) AS columns,
       rn.nspname AS referenced_schema,
       r.relname AS referenced_table,
       ARRAY(SELECT a.attname
               FROM unnest(k.confkey) WITH ORDINALITY AS u (attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
              ORDER BY u.ord) AS referenced_columns,
       k.confmatchtype AS match_type,
       greatest(c.reltuples, 0)::bigint AS rows
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class r ON r.oid = k.confrelid
  LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
 WHERE k.contype IN ('c', 'f') AND NOT k.convalidated AND k.conparentid = 0
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname, k.conname
