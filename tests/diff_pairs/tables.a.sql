-- tables: created, dropped, UNLOGGED <-> LOGGED, storage parameters, comments
CREATE TABLE t_keep (a integer);
CREATE TABLE t_gone (a integer, b text);
CREATE UNLOGGED TABLE t_log (x integer);
CREATE TABLE t_opts (x integer) WITH (fillfactor = 70);
COMMENT ON TABLE t_opts IS 'with options';
CREATE TABLE "Mixed Case" ("Col" integer);
