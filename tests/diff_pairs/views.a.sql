-- views: query changed (a column added at the end, a predicate changed, a column removed),
-- a view over a view, WITH CHECK OPTION, security_barrier, created, dropped, comments
CREATE TABLE t (a integer, b text, c integer);
CREATE VIEW v1 AS SELECT a, b FROM t;
CREATE VIEW v2 AS SELECT a FROM v1 WHERE a > 0;
CREATE VIEW v3 AS SELECT a, b, c FROM t;
CREATE VIEW v_gone AS SELECT c FROM t;
COMMENT ON VIEW v1 IS 'first view';
