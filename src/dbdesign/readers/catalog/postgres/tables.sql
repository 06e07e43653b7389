-- Ordinary and partitioned tables, with partitioning, inheritance, RLS, options (the toast
-- table's too, which the reader prefixes with "toast."), grants.
-- Partition key elements carry opclass and collation names; the reader keeps them only where
-- pg_get_partkeydef prints them (i.e. where they are not the defaults).
SELECT c.oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind,
       c.relpersistence = 'u' AS unlogged,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       c.reloptions::text[] AS options,
       (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = c.reltoastrelid)::text[] AS toast_options,
       c.relispartition AS is_partition,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkeydef,
       pg_get_expr(pt.partexprs, pt.partrelid) AS partexprs,
       (SELECT json_agg(json_build_object(
                   'column', a.attname,
                   'opclass_sql', CASE WHEN opn.nspname = 'pg_catalog' THEN quote_ident(opc.opcname)
                                   ELSE quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END,
                   'opclass', CASE WHEN opn.nspname = 'pg_catalog' THEN opc.opcname
                                        ELSE opn.nspname || '.' || opc.opcname END,
                   'collation_sql', CASE WHEN con.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                                     ELSE quote_ident(con.nspname) || '.' || quote_ident(co.collname) END,
                   'collation', CASE WHEN con.nspname = 'pg_catalog' THEN co.collname
                                          ELSE con.nspname || '.' || co.collname END)
                   ORDER BY k.o)
          FROM unnest(pt.partattrs::int2[], pt.partclass::oid[], pt.partcollation::oid[])
               WITH ORDINALITY k(attnum, opc, coll, o)
          LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum AND k.attnum <> 0
          LEFT JOIN pg_opclass opc ON opc.oid = k.opc
          LEFT JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
          LEFT JOIN pg_collation co ON co.oid = k.coll
          LEFT JOIN pg_namespace con ON con.oid = co.collnamespace) AS partkey,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       ARRAY(SELECT pn.nspname || '.' || pc.relname
               FROM pg_inherits i
               JOIN pg_class pc ON pc.oid = i.inhparent
               JOIN pg_namespace pn ON pn.oid = pc.relnamespace
              WHERE i.inhrelid = c.oid
              ORDER BY i.inhseqno)::text[] AS parents,
       d.description AS comment,
       (SELECT coalesce(json_agg(json_build_object(
                   'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                   'privilege', a.privilege_type, 'grantable', a.is_grantable)), '[]'::json)
          FROM aclexplode(c.relacl) a
         WHERE a.grantee <> c.relowner) AS grants
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_partitioned_table pt ON pt.partrelid = c.oid
  LEFT JOIN pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname
