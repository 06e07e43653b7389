-- a column's type changes under a view, a view over that view, a materialized view with an
-- index and a rule-free chain of dependants
CREATE TABLE t (id integer PRIMARY KEY, amount integer, label varchar(10));
CREATE VIEW v AS SELECT id, amount, label FROM t;
CREATE VIEW v_dep AS SELECT id, amount * 2 AS twice FROM v;
CREATE MATERIALIZED VIEW mv AS SELECT label, sum(amount) AS total FROM t GROUP BY label;
CREATE INDEX mv_label ON mv (label);
COMMENT ON VIEW v_dep IS 'depends on v';
