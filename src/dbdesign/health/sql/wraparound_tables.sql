-- The five tables of this database with the oldest unfrozen transaction ids and the five with
-- the oldest multixact ids: ordinary tables, materialized views and TOAST tables (a TOAST
-- table counted for the table it belongs to, which VACUUM also freezes), system catalogs
-- included (they hold back datfrozenxid too), other sessions' temporary tables left out (only
-- their own session can vacuum them).
WITH ages AS (
    SELECT coalesce(o.oid, c.oid) AS oid,
           age(c.relfrozenxid)::bigint AS xid_age,
           mxid_age(c.relminmxid)::bigint AS mxid_age
      FROM pg_class c
      LEFT JOIN pg_class o ON c.relkind = 't' AND o.reltoastrelid = c.oid
     WHERE c.relkind IN ('r', 'm', 't')
), tables AS (
    SELECT oid, max(xid_age) AS xid_age, max(mxid_age) AS mxid_age
      FROM ages
     GROUP BY oid
), ranked AS (
    SELECT t.*,
           row_number() OVER (ORDER BY t.xid_age DESC, t.oid) AS xid_rank,
           row_number() OVER (ORDER BY t.mxid_age DESC, t.oid) AS mxid_rank
      FROM tables t
      JOIN pg_class c ON c.oid = t.oid
     WHERE NOT pg_is_other_temp_schema(c.relnamespace)
)
SELECT n.nspname AS schema,
       c.relname AS name,
       r.xid_age,
       r.mxid_age,
       r.xid_rank,
       r.mxid_rank
  FROM ranked r
  JOIN pg_class c ON c.oid = r.oid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE r.xid_rank <= 5 OR r.mxid_rank <= 5
 ORDER BY r.xid_rank
