CREATE TABLE t_keep (a integer);
COMMENT ON TABLE t_keep IS 'now commented';
CREATE TABLE t_new (a integer, b text DEFAULT 'x' NOT NULL);
CREATE TABLE t_log (x integer);
CREATE TABLE t_opts (x integer) WITH (fillfactor = 90, autovacuum_enabled = false);
CREATE TABLE "Mixed Case" ("Col" integer);
COMMENT ON TABLE "Mixed Case" IS 'quoted';
