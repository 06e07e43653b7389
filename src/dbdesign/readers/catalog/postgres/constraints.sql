-- Table constraints (PRIMARY KEY, FOREIGN KEY, UNIQUE, CHECK, EXCLUDE) and domain checks.
-- Left out: constraints cloned onto partitions (conparentid <> 0) and CHECKs a child only
-- inherits (not conislocal). Index-side details (INCLUDE, NULLS NOT DISTINCT, exclusion
-- elements) come from indexes.sql through indexid; columns are attnums (conkey), named by the
-- reader from columns.sql.
SELECT con.oid,
       con.conname AS name,
       con.contype,
       con.conrelid AS relid,
       con.contypid AS typid,
       con.conkey::int[] AS columns,
       CASE WHEN con.contype = 'f' THEN fn.nspname || '.' || fc.relname END AS ref_table,
       CASE WHEN con.contype = 'f'
            THEN ARRAY(SELECT a.attname
                         FROM unnest(con.confkey) WITH ORDINALITY k(attnum, o)
                         JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                        ORDER BY k.o)::text[] END AS ref_columns,
       con.confupdtype AS on_update,
       con.confdeltype AS on_delete,
       CASE WHEN con.contype = 'f'
            THEN ARRAY(SELECT a.attname
                         FROM unnest(con.confdelsetcols) WITH ORDINALITY k(attnum, o)
                         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                        ORDER BY k.o)::text[] END AS on_delete_columns,
       con.confmatchtype AS match,
       con.condeferrable AS deferrable,
       con.condeferred AS deferred,
       con.convalidated AS validated,
       con.connoinherit AS no_inherit,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr,
       con.conindid AS indexid,
       CASE WHEN con.contype = 'x'
            THEN ARRAY(SELECT CASE WHEN opn.nspname = 'pg_catalog' THEN op.oprname
                                   ELSE opn.nspname || '.' || op.oprname END
                         FROM unnest(con.conexclop) WITH ORDINALITY x(opoid, o)
                         JOIN pg_operator op ON op.oid = x.opoid
                         JOIN pg_namespace opn ON opn.oid = op.oprnamespace
                        ORDER BY x.o)::text[] END AS exclusion_ops,
       d.description AS comment
  FROM pg_constraint con
  JOIN pg_namespace n ON n.oid = con.connamespace
  LEFT JOIN pg_class fc ON fc.oid = con.confrelid
  LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  LEFT JOIN pg_description d
         ON d.objoid = con.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
 WHERE con.contype IN ('p', 'f', 'u', 'c', 'x')
   AND con.conparentid = 0
   AND (con.contype <> 'c' OR con.conislocal)
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
 ORDER BY con.conrelid, con.contypid, con.conname
