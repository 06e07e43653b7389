-- needs-extension: citext
-- needs-extension: pg_trgm
-- needs-extension: pgcrypto
-- extensions: created (in their own schema), dropped, with objects that use their types and
-- operator classes
CREATE EXTENSION pgcrypto;
CREATE TABLE users (id integer PRIMARY KEY, name text, secret text DEFAULT encode(digest('x', 'sha256'), 'hex'));
