-- One table's live rows, dead rows and free space as pgstattuple_approx measures them: it reads
-- the pages the visibility map does not mark all-visible and takes the free space of the others
-- from the free space map. @extschema@ is the extension's schema; the parameter is the table's oid.
SELECT m.table_len, m.approx_tuple_count, m.approx_tuple_len, m.dead_tuple_len,
       m.approx_free_space
  FROM @extschema@.pgstattuple_approx(%s::oid::regclass) m
