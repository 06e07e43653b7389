-- The server's own definitions of the given indexes (oids: oid[]).
SELECT x.oid, pg_get_indexdef(x.oid) AS definition
  FROM unnest(%(oids)s::oid[]) x(oid)
