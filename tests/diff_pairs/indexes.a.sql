-- indexes: ordering, partial predicate, expression, INCLUDE, unique, NULLS NOT DISTINCT,
-- methods (gin, hash, brin), created, dropped, comments, another schema
CREATE SCHEMA s;
CREATE TABLE t (a integer, b text, c integer, d jsonb, e timestamp with time zone);
CREATE INDEX idx_a ON t (a);
CREATE INDEX idx_partial ON t (b) WHERE c > 0;
CREATE INDEX idx_expr ON t (lower(b));
CREATE INDEX idx_inc ON t (a) INCLUDE (c);
CREATE UNIQUE INDEX idx_u ON t (a, c);
CREATE INDEX idx_gone ON t (c);
CREATE INDEX idx_gin ON t USING gin (d);
CREATE TABLE s.u (x integer, y text);
CREATE INDEX u_x ON s.u (x);
COMMENT ON INDEX idx_a IS 'on a';
