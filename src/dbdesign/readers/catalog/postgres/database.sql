-- The current database: its name and server encoding (fixed when the database was created).
-- Read whatever the schemas parameter says: it describes the database, not a namespace.
SELECT d.oid,
       d.datname AS name,
       pg_encoding_to_char(d.encoding) AS encoding
  FROM pg_database d
 WHERE d.datname = current_database()
