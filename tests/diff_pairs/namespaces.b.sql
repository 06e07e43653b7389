CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the application';
GRANT USAGE, CREATE ON SCHEMA app TO dbdesign_diff_reader;
GRANT USAGE ON SCHEMA app TO dbdesign_diff_writer WITH GRANT OPTION;
CREATE SCHEMA reporting;
CREATE TABLE app.t (id integer PRIMARY KEY);
CREATE TABLE reporting.r (id integer);
COMMENT ON SCHEMA public IS 'changed public';
GRANT CREATE ON SCHEMA public TO dbdesign_diff_writer;
