CREATE SCHEMA ext;
CREATE EXTENSION citext SCHEMA ext;
CREATE EXTENSION pg_trgm;
CREATE TABLE users (id integer PRIMARY KEY, name text, email ext.citext);
CREATE INDEX users_name_trgm ON users USING gin (name gin_trgm_ops);
