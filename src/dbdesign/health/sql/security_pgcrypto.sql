-- Whether the server has pgcrypto to install (crypt(), gen_salt()): unhashed-secret's fix for
-- a password column hashes the values stored now with it. A build without the contrib modules
-- (the embedded server) has none.
SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgcrypto') AS available
