-- comments on every kind of object: added, changed, removed
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'app schema';
CREATE TYPE app.kind AS ENUM ('a', 'b');
COMMENT ON TYPE app.kind IS 'a kind';
CREATE DOMAIN app.pos AS integer CONSTRAINT pos_check CHECK (VALUE > 0);
COMMENT ON DOMAIN app.pos IS 'positive';
CREATE TYPE app.pair AS (x integer, y integer);
CREATE SEQUENCE app.seq;
COMMENT ON SEQUENCE app.seq IS 'a sequence';
CREATE TABLE app.t (id integer CONSTRAINT t_pkey PRIMARY KEY, k app.kind, n app.pos,
    CONSTRAINT t_n_check CHECK (n < 100));
COMMENT ON TABLE app.t IS 'table t';
COMMENT ON COLUMN app.t.id IS 'the id';
COMMENT ON CONSTRAINT t_n_check ON app.t IS 'small n';
CREATE INDEX t_k ON app.t (k);
CREATE VIEW app.v AS SELECT id, k FROM app.t;
COMMENT ON VIEW app.v IS 'view v';
COMMENT ON COLUMN app.v.k IS 'kind column';
CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM app.t;
CREATE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
COMMENT ON FUNCTION app.f() IS 'trigger function';
CREATE TRIGGER t_trg BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE POLICY t_pol ON app.t USING (true);
CREATE RULE t_rule AS ON DELETE TO app.t DO INSTEAD NOTHING;
COMMENT ON RULE t_rule ON app.t IS 'no deletes';
