-- The elements of the indexes of indexes.sql, one row each (key columns, then INCLUDE columns),
-- a column or an expression. Opclass and collation come both as plain names and as
-- pg_get_indexdef prints them; "maybe_printed" marks elements whose opclass or collation may
-- not be the default (a non-default opclass, an opclass for another type, a collation other
-- than the column's). The reader then asks the server's own definition of those few indexes
-- (pg_get_indexdef prints an opclass or collation only when it is not the default).
-- option: bit 1 = DESC, bit 2 = NULLS FIRST.
SELECT i.indexrelid AS oid,
       k.o::int AS position,
       a.attname AS column,
       CASE WHEN k.attnum = 0 THEN pg_get_indexdef(i.indexrelid, k.o::int, false) END AS expr,
       k.opt AS option,
       CASE WHEN opn.nspname = 'pg_catalog' THEN opc.opcname
            ELSE opn.nspname || '.' || opc.opcname END AS opclass,
       CASE WHEN opn.nspname = 'pg_catalog' THEN quote_ident(opc.opcname)
            ELSE quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END AS opclass_sql,
       CASE WHEN con.nspname = 'pg_catalog' THEN co.collname
            ELSE con.nspname || '.' || co.collname END AS collation,
       CASE WHEN con.nspname = 'pg_catalog' THEN quote_ident(co.collname)
            ELSE quote_ident(con.nspname) || '.' || quote_ident(co.collname) END AS collation_sql,
       k.o <= i.indnkeyatts
         AND (NOT opc.opcdefault
              OR opc.opcintype <> coalesce(nullif(at.typbasetype, 0), at.oid, opc.opcintype)
              OR (k.coll <> 0 AND k.coll <> coalesce(a.attcollation, 100))) AS maybe_printed
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indclass::oid[], i.indcollation::oid[],
                           i.indoption::int2[]) WITH ORDINALITY k(attnum, opc, coll, opt, o)
  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum <> 0
  LEFT JOIN pg_type at ON at.oid = a.atttypid
  LEFT JOIN pg_opclass opc ON opc.oid = k.opc
  LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
  LEFT JOIN pg_collation co ON co.oid = k.coll
  LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
 ORDER BY i.indexrelid, k.o
