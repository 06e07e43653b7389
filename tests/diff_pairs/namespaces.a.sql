-- schemas: created, dropped, comment and grant changes (also on public)
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application';
GRANT USAGE ON SCHEMA app TO dbdesign_diff_reader;
CREATE SCHEMA "Old Stuff";
COMMENT ON SCHEMA "Old Stuff" IS 'to be dropped';
CREATE TABLE "Old Stuff".relic (id integer);
CREATE TABLE app.t (id integer PRIMARY KEY);
