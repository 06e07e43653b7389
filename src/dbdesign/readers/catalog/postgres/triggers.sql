-- User triggers: not internal (FK triggers) and not cloned onto partitions (tgparentid <> 0).
-- tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE, 64 INSTEAD.
-- WHEN is cut out of pg_get_triggerdef by the reader.
SELECT tg.oid,
       n.nspname AS schema,
       c.relname AS table_name,
       tg.tgname AS name,
       tg.tgtype::int AS tgtype,
       fn.nspname || '.' || p.proname AS function,
       tg.tgnargs AS nargs,
       tg.tgargs AS args,
       ARRAY(SELECT a.attname
               FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY k(attnum, o)
               JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum
              ORDER BY k.o)::text[] AS columns,
       tg.tgqual IS NOT NULL AS has_when,
       pg_get_triggerdef(tg.oid) AS definition,
       tg.tgconstraint <> 0 AS is_constraint,
       tg.tgdeferrable AS deferrable,
       tg.tginitdeferred AS deferred,
       tg.tgenabled::text AS enabled,
       d.description AS comment
  FROM pg_trigger tg
  JOIN pg_class c ON c.oid = tg.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_proc p ON p.oid = tg.tgfoid
  JOIN pg_namespace fn ON fn.oid = p.pronamespace
  LEFT JOIN pg_description d
         ON d.objoid = tg.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0
 WHERE NOT tg.tgisinternal AND tg.tgparentid = 0
   AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
   AND (%(schemas)s::text[] IS NULL OR n.nspname = ANY (%(schemas)s::text[]))
   AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
 ORDER BY n.nspname, c.relname, tg.tgname
