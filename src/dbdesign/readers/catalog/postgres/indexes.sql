-- All indexes on tables and materialized views, with flags telling which back a constraint
-- (PRIMARY KEY, UNIQUE, EXCLUDE) or are attached to a partitioned parent index; the reader
-- models only the others as Index entries and uses the rest for constraint details.
-- Elements: a column or an expression, with opclass and collation names both plain and as
-- pg_get_indexdef would print them: the reader keeps them only where the server's definition
-- prints them (i.e. where they are not the defaults). option bit 1 = DESC, bit 2 = NULLS FIRST.
SELECT i.indexrelid AS oid,
       n.nspname AS schema,
       ic.relname AS name,
       c.relname AS table_name,
       i.indrelid AS relid,
       am.amname AS method,
       i.indisunique AS is_unique,
       coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct,
       i.indnkeyatts AS nkeys,
       pg_get_indexdef(i.indexrelid) AS definition,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ic.relispartition AS attached,
       EXISTS (SELECT 1 FROM pg_constraint k
                WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                  AND k.contype IN ('p', 'u', 'x')) AS backs_constraint,
       (SELECT json_agg(json_build_object(
                   'column', a.attname,
                   'expr', CASE WHEN k.attnum = 0
                                THEN pg_get_indexdef(i.indexrelid, k.o::int, false) END,
                   'option', k.opt,
                   'opclass_sql', CASE WHEN opn.nspname = 'pg_catalog' THEN quote_ident(opc.opcname)
                                   ELSE quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END,
                   'opclass', CASE WHEN opn.nspname = 'pg_catalog' THEN opc.opcname
                                        ELSE opn.nspname || '.' || opc.opcname END,
                   'collation_sql', CASE WHEN con.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                                     ELSE quote_ident(con.nspname) || '.' || quote_ident(co.collname) END,
                   'collation', CASE WHEN con.nspname = 'pg_catalog' THEN co.collname
                                          ELSE con.nspname || '.' || co.collname END)
                   ORDER BY k.o)
          FROM unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
               WITH ORDINALITY k(attnum, opc, coll, opt, o)
          LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
          LEFT JOIN pg_opclass opc ON opc.oid = k.opc
          LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
          LEFT JOIN pg_collation co ON co.oid = k.coll
          LEFT JOIN pg_namespace con ON con.oid = co.collnamespace) AS elements,
       d.description AS comment
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_description d
         ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = i.indexrelid
                      AND e.deptype = 'e')
 ORDER BY n.nspname, ic.relname
