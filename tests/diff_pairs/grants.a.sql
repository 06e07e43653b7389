-- grants on tables, views, sequences, functions and schemas, to roles and to PUBLIC, with and
-- without GRANT OPTION: added, revoked, changed
CREATE SCHEMA app;
CREATE TABLE app.t (id integer, secret text);
CREATE VIEW app.v AS SELECT id FROM app.t;
CREATE SEQUENCE app.s;
CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';
GRANT USAGE ON SCHEMA app TO PUBLIC;
GRANT SELECT ON app.t TO dbdesign_diff_reader;
GRANT INSERT, UPDATE ON app.t TO dbdesign_diff_writer;
GRANT SELECT ON app.v TO PUBLIC;
GRANT USAGE ON SEQUENCE app.s TO dbdesign_diff_writer;
GRANT EXECUTE ON FUNCTION app.f() TO dbdesign_diff_reader;
