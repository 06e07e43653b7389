CREATE TABLE t (a integer, b text, c integer);
CREATE VIEW v1 AS SELECT a, b, upper(b) AS ub FROM t;
CREATE VIEW v2 AS SELECT a FROM v1 WHERE a > 10;
CREATE VIEW v3 AS SELECT a, c FROM t;
CREATE VIEW v_new WITH (security_barrier = true) AS SELECT a, c FROM t WHERE c > 0 WITH CASCADED CHECK OPTION;
COMMENT ON VIEW v1 IS 'first view, wider';
COMMENT ON COLUMN v1.ub IS 'upper b';
