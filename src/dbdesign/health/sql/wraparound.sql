-- Every database of the server (transaction and multixact ids are the server's, so any one
-- database running out stops them all): the age of its oldest unfrozen transaction id
-- (datfrozenxid) and multixact id (datminmxid), whether it is the one connected to, and whether
-- it accepts connections (template0 does not).
SELECT d.datname AS name,
       d.datname = current_database() AS current,
       d.datallowconn AS allows_connections,
       age(d.datfrozenxid)::bigint AS xid_age,
       mxid_age(d.datminmxid)::bigint AS mxid_age
  FROM pg_database d
 ORDER BY d.datname
