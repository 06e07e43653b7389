"""Reader fidelity on schemas nobody here wrote: each construct is read from its DDL text,
loaded into both test servers (embedded PostgreSQL 16 and $DBDESIGN_TEST_PG_URL), read back from
the catalog, and the two models must be equal and the diff empty both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign.errors import Diagnostic
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.integration.test_convergence import assert_same
from tests.pgload import load_sql


def converge(url: str, sql: str) -> tuple[Schema, Schema, list[Diagnostic], list[Diagnostic]]:
    """(file model, catalog model, file warnings, catalog warnings) of ``sql`` loaded at
    ``url``; asserts the models equal and the diff empty both ways."""
    from dbdesign.diff import diff_schemas

    file_warnings: list[Diagnostic] = []
    catalog_warnings: list[Diagnostic] = []
    ddl = read_ddl(sql, file="fidelity.sql", warn=file_warnings.append)
    load_sql(url, sql)
    catalog = read_catalog(url, warn=catalog_warnings.append)
    assert_same(ddl, catalog)
    for a, b in ((ddl, catalog), (catalog, ddl)):
        plan = diff_schemas(a, b)
        assert plan.is_empty, plan.sql()
    return ddl, catalog, file_warnings, catalog_warnings


CASES = {
    "storage_parameters": """
        CREATE TABLE t (id int, x text);
        ALTER TABLE t SET (autovacuum_vacuum_scale_factor='0.1', fillfactor=80);
        ALTER TABLE t SET (toast.autovacuum_enabled = false, vacuum_index_cleanup = AUTO);
        CREATE TABLE t2 (id int) WITH (fillfactor=70, autovacuum_enabled=off,
                                       autovacuum_analyze_scale_factor=.2);
        ALTER TABLE t2 RESET (fillfactor);
        ALTER TABLE t RESET (vacuum_index_cleanup);
        -- no TOAST table (no column stored out of line): toast.* is accepted and dropped
        CREATE TABLE t3 (id int, at timestamptz) WITH (toast.autovacuum_enabled = 0);
        CREATE TABLE t4 (id int) WITH (toast.autovacuum_enabled = 0);
        ALTER TABLE t4 ADD COLUMN note text;
        ALTER TABLE t4 SET (toast.autovacuum_freeze_min_age = 1000, fillfactor = 90.0);
        CREATE VIEW v WITH (security_barrier=on) AS SELECT id FROM t;
        ALTER VIEW v SET (security_invoker, check_option=local);
        CREATE VIEW v2 WITH (check_option=cascaded, security_barrier) AS SELECT id, x FROM t;
        ALTER VIEW v2 RESET (check_option, security_barrier);
    """,
    "pg_catalog_collations_and_oids": """
        CREATE DOMAIN d AS varchar(40) COLLATE pg_catalog."POSIX";
        CREATE DOMAIN d2 AS text COLLATE "default";
        CREATE DOMAIN d3 AS text COLLATE "C";
        CREATE TABLE t (x text COLLATE pg_catalog."default", y d3, z text COLLATE "POSIX",
                        w d COLLATE "C") WITH (OIDS = FALSE);
        CREATE TABLE t2 (x int) WITHOUT OIDS;
        CREATE INDEX t_x_c ON t (x COLLATE pg_catalog."C");
        CREATE INDEX t_z_default ON t (z COLLATE "default");
        CREATE INDEX t_x_default ON t (x COLLATE "default");
        CREATE TABLE p (a text COLLATE "C", b text)
            PARTITION BY RANGE (a COLLATE "default", b COLLATE pg_catalog."default");
    """,
    "view_output_names": """
        CREATE TABLE t (a int, b text);
        CREATE VIEW v AS SELECT 2;
        CREATE VIEW v1 AS
            SELECT 2, a, t.b, now(), 'x'::text, CASE WHEN a > 1 THEN 1 END, (SELECT 1 AS q),
                   EXISTS (SELECT 1 FROM t t2 WHERE t2.a = t.a), ARRAY[1], coalesce(a, 1),
                   current_date, current_user, nullif(a, 1), greatest(a, 1), 1::int::text AS tt,
                   (t.a) AS aa, b COLLATE "C" AS bc, 'y' AS yy
              FROM t;
        CREATE VIEW v2 AS SELECT (SELECT 'z'), (SELECT now());
        CREATE VIEW v3 AS SELECT a FROM t UNION SELECT 1 UNION SELECT a + 1 FROM t;
        CREATE VIEW v4 (x, y) AS SELECT a, b FROM t UNION ALL SELECT a, 'q' FROM t;
        CREATE VIEW v5 AS SELECT a, count(*) FROM t GROUP BY a;
        CREATE VIEW v6 AS SELECT s."?column?" FROM (SELECT 1) s;
        CREATE VIEW v7 AS
            SELECT x FROM (SELECT a + 1 AS x FROM t
                            WHERE EXISTS (SELECT 1 FROM t t3) AND a IN (SELECT 1)) q;
        CREATE VIEW v8 AS WITH w AS (SELECT 1, a FROM t) SELECT "?column?", a FROM w;
        CREATE MATERIALIZED VIEW m AS SELECT a + 1, upper(b) FROM t;
    """,
    "stored_literals_rules_and_casts": """
        CREATE TYPE st AS ENUM ('a', 'b');
        CREATE TABLE t (s st DEFAULT 'a', k text DEFAULT 'x', n numeric DEFAULT 1.50,
                        at timestamptz DEFAULT '2020-01-01 10:00+02',
                        role varchar(20),
                        CONSTRAINT role_check CHECK ((role)::text = ANY ((ARRAY[
                            'user'::character varying, 'assistant'::character varying])::text[])),
                        CONSTRAINT role_in CHECK (role IN ('user', 'assistant')));
        CREATE INDEX t_s ON t (k) WHERE s = 'a';
        CREATE TABLE c (a timestamp DEFAULT '2020-01-01T10:00', b date DEFAULT '2020-1-2',
                        d boolean DEFAULT 't', e boolean DEFAULT 'yes', g int DEFAULT '1',
                        i interval DEFAULT '24 hours', j interval DEFAULT '1 week',
                        k uuid DEFAULT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
                        l jsonb DEFAULT '{"b": 1,   "aa": 2.50, "c": [1e3, null], "b": 3}',
                        n int[] DEFAULT '{1, 2}', o real DEFAULT 1e3, q time DEFAULT '10:00',
                        x timetz DEFAULT '10:00:00.50+05:30', z numeric DEFAULT -0.00,
                        CHECK (d <> 'f'), CHECK (o > 1.5e1),
                        CHECK (k <> '{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12}'));
        CREATE RULE r2 AS ON INSERT TO t DO NOTHING;
        CREATE RULE r3 AS ON UPDATE TO t WHERE new.k = 'x' DO ALSO
            INSERT INTO t (s, k) VALUES ('b', 'y');
        CREATE RULE r4 AS ON DELETE TO t DO ALSO NOTIFY t;
        SET search_path = public, pg_catalog;
        CREATE SEQUENCE s9;
        CREATE TABLE u (id integer DEFAULT nextval('s9'::regclass) NOT NULL);
        CREATE SCHEMA app;
        SET search_path = app, pg_catalog;
        CREATE SEQUENCE s10;
        CREATE TABLE u (id integer DEFAULT nextval('s10'::regclass) NOT NULL,
                        o integer DEFAULT nextval('public.s9'));
    """,
    "collations": """
        CREATE COLLATION posix FROM "POSIX";
        COMMENT ON COLLATION posix IS 'byte order';
        CREATE COLLATION IF NOT EXISTS posix FROM "C";
        CREATE COLLATION c_too (locale = 'C');
        CREATE COLLATION mixed (lc_collate = 'C', lc_ctype = 'POSIX');
        CREATE COLLATION copy_of_mine FROM posix;
        CREATE COLLATION basic FROM ucs_basic;
        CREATE SCHEMA app;
        CREATE COLLATION app."Upper" FROM "C";
        CREATE COLLATION gone FROM "C";
        DROP COLLATION gone;
        CREATE DOMAIN d AS text COLLATE basic;
        CREATE TABLE t (a text COLLATE posix, b varchar(9) COLLATE public.c_too, c d,
                        e text COLLATE app."Upper", f text COLLATE "C")
            PARTITION BY LIST (a COLLATE mixed);
        CREATE INDEX t_b ON t (b COLLATE posix, f COLLATE copy_of_mine);
        SET search_path = app;
        CREATE TABLE u (x text COLLATE "Upper", y text COLLATE public.basic, z public.d);
        -- an element's collation that is the column's own (or its domain's) is not shown
        CREATE INDEX u_x ON u (x COLLATE "Upper", y COLLATE public.basic, z COLLATE public.basic);
        CREATE INDEX u_z ON u (z COLLATE "C", x COLLATE "default");
    """,
    "builtin_type_names": """
        CREATE FUNCTION f(x anycompatiblearray, y anymultirange, z regcollation)
            RETURNS anycompatiblearray LANGUAGE sql AS 'SELECT x';
        CREATE TABLE t (a int2vector, b oidvector, c regcollation, d pg_lsn, e "char");
        -- a path that names pg_catalog after public: the file's own type of that name wins
        SET search_path = public, pg_catalog;
        CREATE TYPE oidvector AS ENUM ('x');
        CREATE TABLE t2 (a oidvector, b int2vector);
    """,
    # PUBLIC may run a routine unless EXECUTE is revoked from it (a SECURITY DEFINER
    # function's usual hardening); given back, it is the default again
    "routine_public_execute": """
        CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT a';
        REVOKE EXECUTE ON FUNCTION g(int) FROM PUBLIC;
        CREATE FUNCTION h(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        REVOKE ALL ON FUNCTION h(int) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION h(int) TO PUBLIC;
        CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
        REVOKE ALL ON PROCEDURE p() FROM PUBLIC;
        CREATE FUNCTION k(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        REVOKE GRANT OPTION FOR EXECUTE ON FUNCTION k(int) FROM PUBLIC;
    """,
    # columns named by key words that are not unreserved (pglast printed them bare, the server
    # quotes them: a check on "values" was dropped and added again by every diff)
    "keyword_column_references": """
        CREATE TABLE t ("values" int CHECK ("values" >= 0), "between" int, "time" time,
            "int" int, CONSTRAINT t_between CHECK ("between" > "int"));
        CREATE INDEX t_expr ON t (("values" + "int")) WHERE "time" > '12:00';
        CREATE VIEW v AS SELECT t."values", "between" FROM t WHERE "int" IS NOT NULL;
    """,
    # ALTER TYPE / DOMAIN ... RENAME TO and SET SCHEMA: the catalog refers to a type by OID, so
    # every column, attribute, domain and signature that uses it follows (so does its array)
    "type_and_domain_renames": """
        CREATE SCHEMA s;
        CREATE TYPE mood AS ENUM ('sad', 'ok');
        CREATE TYPE pair AS (x int, y mood, z mood[]);
        CREATE DOMAIN pos AS int CHECK (VALUE > 0);
        CREATE DOMAIN posd AS pos NOT NULL;
        CREATE TYPE span AS RANGE (subtype = int4);
        CREATE TABLE t (m mood DEFAULT 'ok', ms mood[], p pair, n pos, nd posd, r span,
                        rm span_multirange,
                        CHECK (m <> 'sad'::mood));
        CREATE FUNCTION f(m mood, p pair[], n pos) RETURNS SETOF pair
            LANGUAGE sql AS 'SELECT NULL::pair';
        CREATE FUNCTION g(x int) RETURNS TABLE (a mood, b pos) LANGUAGE sql
            AS 'SELECT NULL::mood, 1::pos';
        GRANT EXECUTE ON FUNCTION f(mood, pair[], pos) TO PUBLIC;
        ALTER TYPE mood RENAME TO feeling;
        ALTER TYPE pair RENAME TO couple;
        ALTER TYPE couple RENAME ATTRIBUTE x TO first;
        ALTER DOMAIN pos RENAME TO positive;
        ALTER TYPE span RENAME TO stretch;
        ALTER TYPE feeling SET SCHEMA s;
        ALTER DOMAIN posd SET SCHEMA s;
        ALTER TYPE couple SET SCHEMA s;
        -- the old names are free again (a diff plan renames a replaced type aside so)
        CREATE TYPE mood AS ENUM ('new');
        CREATE DOMAIN pos AS bigint;
        CREATE TYPE pair AS (q text);
        CREATE TABLE u (m mood, n pos, p pair, o s.feeling);
    """,
    # the server drops a relation's indexes with it
    "dropped_relation_indexes": """
        CREATE TABLE t (id int, k int);
        CREATE MATERIALIZED VIEW m AS SELECT id, k FROM t;
        CREATE UNIQUE INDEX m_id ON m (id);
        CREATE INDEX m_k ON m (k);
        DROP MATERIALIZED VIEW m;
        CREATE MATERIALIZED VIEW m AS SELECT id FROM t;
        CREATE UNIQUE INDEX m_id ON m (id);
        CREATE TABLE gone (id int PRIMARY KEY, k int UNIQUE);
        CREATE INDEX gone_k ON gone (k);
        DROP TABLE gone;
        CREATE TABLE gone (id int);
        CREATE INDEX gone_k ON gone (id);
    """,
    # and a column's indexes and table constraints with the column; with CASCADE, other tables'
    # foreign keys to it (as Prisma's generated migrations do: drop, re-add, re-index)
    "dropped_column_dependants": """
        CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, keep int UNIQUE);
        CREATE TABLE t (a int, b int, c int, d text, "Q" int, p_id int REFERENCES p (id),
            p_code text, CONSTRAINT t_p_code FOREIGN KEY (p_code) REFERENCES p (code),
            CONSTRAINT t_b_ok CHECK (b > 0), CONSTRAINT t_ab_ok CHECK (a < b),
            CONSTRAINT t_c_ok CHECK (c > 0), UNIQUE (a, b), PRIMARY KEY (a, c));
        CREATE UNIQUE INDEX t_ab ON t (a, b);
        CREATE INDEX t_c_where_a ON t (c) WHERE a > 0;
        CREATE INDEX t_lower_d ON t ((lower(d) || a::text));
        CREATE INDEX t_c_incl ON t (c) INCLUDE ("Q");
        CREATE INDEX t_c_only ON t (c);
        CREATE INDEX t_b ON t (b);
        ALTER TABLE t DROP COLUMN a, DROP COLUMN "Q";
        ALTER TABLE t DROP COLUMN p_id;
        ALTER TABLE p DROP COLUMN code CASCADE;
        ALTER TABLE t ADD COLUMN a uuid NOT NULL;
        CREATE UNIQUE INDEX t_ab ON t (a, b);
        CREATE INDEX t_c_where_a ON t (c);
        ALTER TABLE t ADD CONSTRAINT t_ab_ok CHECK (b > 1);
    """,
    # ADD, DROP, ALTER and RENAME COLUMN reach the partitions (and theirs) and the inheriting
    # tables, unless ONLY; an heir's column of the same name merges with the added one
    "columns_of_partitions_and_heirs": """
        CREATE TABLE p (id int, k int, x text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
        CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY LIST (id);
        CREATE TABLE p11 PARTITION OF p1 FOR VALUES IN (1);
        CREATE INDEX p_x ON p (x);
        ALTER TABLE p ADD COLUMN y int NOT NULL DEFAULT 0, ADD COLUMN note text;
        ALTER TABLE p DROP COLUMN x;
        CREATE TABLE base (id int, a int, b int);
        CREATE TABLE child (c int, d int) INHERITS (base);
        ALTER TABLE base DROP COLUMN a;
        ALTER TABLE base ADD COLUMN d int, ADD COLUMN e text;
        ALTER TABLE p ALTER COLUMN note TYPE varchar(20), ALTER COLUMN note SET NOT NULL;
        ALTER TABLE p ALTER COLUMN note SET DEFAULT 'a';
        ALTER TABLE p RENAME COLUMN note TO remark;
        ALTER TABLE ONLY p1 ALTER COLUMN remark SET DEFAULT 'b';
        ALTER TABLE base ALTER COLUMN b TYPE bigint, ALTER COLUMN b SET NOT NULL;
        ALTER TABLE base RENAME COLUMN b TO bb;
        ALTER TABLE ONLY child RENAME COLUMN c TO cc;
    """,
    # a key's constraint and index share their name: renaming either renames both; USING
    # INDEX makes the index the key's (named after it unless the constraint is named)
    "renamed_and_adopted_keys": """
        CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, a int CONSTRAINT a_pos CHECK (a > 0),
                        b int UNIQUE, c int, d int);
        ALTER TABLE t RENAME CONSTRAINT a_pos TO a_positive;
        ALTER TABLE t RENAME CONSTRAINT t_pk TO t_pkey2;
        ALTER INDEX t_b_key RENAME TO t_b_uq;
        ALTER INDEX t_pkey2 RENAME TO t_pkey3;
        CREATE UNIQUE INDEX t_c_idx ON t (c) INCLUDE (d);
        ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_idx;
        CREATE TABLE u (id int NOT NULL, k int);
        CREATE UNIQUE INDEX u_id_idx ON u (id);
        ALTER TABLE u ADD PRIMARY KEY USING INDEX u_id_idx;
        CREATE UNIQUE INDEX u_k_idx ON u (k);
        ALTER TABLE u ADD UNIQUE USING INDEX u_k_idx;
    """,
    # CASCADE through a key (the foreign keys on it), a column (the views reading it), a type
    # or domain (the columns of it), a function (the triggers calling it); a serial column's
    # sequence goes with the column
    "cascades_and_owned_sequences": """
        CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE);
        CREATE TABLE c (id serial, p int REFERENCES p, code text REFERENCES p (code), n int);
        ALTER TABLE p DROP CONSTRAINT p_pkey CASCADE;
        CREATE VIEW v AS SELECT id, n FROM c;
        CREATE VIEW v_all AS SELECT * FROM c;
        CREATE VIEW v_other AS SELECT p FROM c;
        ALTER TABLE c DROP COLUMN n CASCADE;
        ALTER TABLE c DROP COLUMN id;
        CREATE TYPE mood AS ENUM ('a', 'b');
        CREATE DOMAIN pos AS int CHECK (VALUE > 0);
        CREATE TABLE m (id int, x mood, xs mood[], y pos, z int);
        DROP TYPE mood CASCADE;
        DROP DOMAIN pos CASCADE;
        CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER tf BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION f();
        CREATE TRIGGER tg BEFORE INSERT ON m FOR EACH ROW EXECUTE FUNCTION g();
        DROP FUNCTION f() CASCADE;
    """,
    # ALTER TABLE subcommands that change a column's or a table's settings in place
    "altered_settings": """
        CREATE TABLE t (id int NOT NULL, b int, g int GENERATED ALWAYS AS (b * 2) STORED);
        ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
        ALTER TABLE t ALTER COLUMN id SET GENERATED BY DEFAULT;
        ALTER TABLE t ALTER COLUMN id RESTART WITH 100;
        ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 2 SET CACHE 5;
        ALTER TABLE t ALTER COLUMN g DROP EXPRESSION;
        CREATE TABLE p (id int PRIMARY KEY);
        CREATE TABLE c (p int, CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p);
        ALTER TABLE c ALTER CONSTRAINT c_p DEFERRABLE INITIALLY DEFERRED;
        CREATE TABLE base (id int);
        CREATE TABLE kid (id int, x int);
        ALTER TABLE kid INHERIT base;
        CREATE TABLE kid2 (id int) INHERITS (base);
        ALTER TABLE kid2 NO INHERIT base;
        ALTER TABLE t SET UNLOGGED;
        CREATE UNLOGGED TABLE u (a int);
        ALTER TABLE u SET LOGGED;
    """,
    # renames of views, materialized views (with their indexes), sequences, view columns,
    # triggers, policies, functions (one overload, or all: triggers follow) and domain
    # constraints; a column's rename reaches views, triggers, policies and a serial's sequence
    "renamed_relations": """
        CREATE TABLE t (id serial PRIMARY KEY, a int);
        CREATE VIEW v AS SELECT id, a AS alpha FROM t;
        ALTER VIEW v RENAME TO v2;
        ALTER VIEW v2 RENAME COLUMN id TO ident;
        ALTER VIEW v2 RENAME COLUMN alpha TO a2;
        CREATE VIEW u AS SELECT id FROM t UNION SELECT a FROM t;
        ALTER VIEW u RENAME COLUMN id TO n;
        CREATE MATERIALIZED VIEW m AS SELECT id FROM t;
        CREATE UNIQUE INDEX m_id ON m (id);
        ALTER MATERIALIZED VIEW m RENAME TO m2;
        CREATE SEQUENCE s;
        CREATE TABLE uses_s (n bigint DEFAULT nextval('s'), m bigint DEFAULT currval('public.s'));
        CREATE DOMAIN from_s AS bigint DEFAULT nextval('s'::regclass);
        ALTER SEQUENCE s RENAME TO s2;
        CREATE TABLE o (oid int, a int);
        CREATE VIEW j AS SELECT x.id, o.a, x.a AS xa FROM t x JOIN o ON o.oid = x.id;
        ALTER TABLE t RENAME COLUMN id TO tid;
        ALTER TABLE t RENAME COLUMN a TO aa;
        CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
        ALTER TRIGGER tr ON t RENAME TO tr2;
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;
        CREATE POLICY p ON t USING (aa > 0);
        ALTER POLICY p ON t RENAME TO q;
        CREATE TRIGGER tu BEFORE UPDATE OF aa ON t FOR EACH ROW
            WHEN (OLD.aa IS DISTINCT FROM NEW.aa) EXECUTE FUNCTION f();
        ALTER TABLE t RENAME COLUMN aa TO a3;
        CREATE FUNCTION h(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION h(a text) RETURNS text LANGUAGE sql AS 'SELECT a';
        ALTER FUNCTION h(int) RENAME TO h_int;
        ALTER FUNCTION f RENAME TO f2;
        CREATE DOMAIN d AS int CONSTRAINT d_pos CHECK (VALUE > 0);
        ALTER DOMAIN d RENAME CONSTRAINT d_pos TO d_positive;
        CREATE TABLE c (x text COLLATE "C", y text COLLATE "C");
        ALTER TABLE c ALTER COLUMN x TYPE varchar(9), ALTER COLUMN y TYPE text COLLATE "POSIX";
    """,
    # views name a renamed relation anew; DROP SCHEMA ... CASCADE takes what is in it (and
    # what depends on that elsewhere); dropping a partitioned table drops its partitions
    "renamed_and_dropped_containers": """
        CREATE TABLE t (id int);
        CREATE VIEW v AS SELECT id FROM t;
        CREATE VIEW w AS SELECT t.id FROM public.t;
        CREATE VIEW vv AS SELECT id FROM v;
        ALTER TABLE t RENAME TO u;
        ALTER VIEW v RENAME TO v2;
        CREATE SCHEMA s;
        CREATE TABLE s.t (id int PRIMARY KEY);
        CREATE TABLE r (id int REFERENCES s.t, k int);
        CREATE VIEW rv AS SELECT r.id FROM r JOIN s.t USING (id);
        CREATE TYPE s.e AS ENUM ('a');
        CREATE SEQUENCE s.q;
        CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
        DROP SCHEMA s CASCADE;
        CREATE TABLE p (k int) PARTITION BY RANGE (k);
        CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) PARTITION BY RANGE (k);
        CREATE TABLE p11 PARTITION OF p1 FOR VALUES FROM (0) TO (5);
        DROP TABLE p;
    """,
    # SET SCHEMA moves a table with its indexes, keys' names and serial sequence (its
    # defaults follow), views and sequences too; what refers to them follows; the names they
    # held are free again in the old schema
    "moved_to_another_schema": """
        CREATE SCHEMA s;
        CREATE TABLE t (id serial PRIMARY KEY, code text UNIQUE, n int CHECK (n > 0));
        CREATE INDEX t_n ON t (n);
        CREATE TABLE c (t_id int REFERENCES t);
        CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
        CREATE VIEW v AS SELECT id, code FROM t;
        CREATE VIEW v2 AS SELECT id FROM v;
        CREATE SEQUENCE q;
        CREATE TABLE uses_q (n bigint DEFAULT nextval('q'));
        ALTER TABLE t SET SCHEMA s;
        ALTER VIEW v SET SCHEMA s;
        ALTER SEQUENCE q SET SCHEMA s;
        CREATE TABLE t (id int PRIMARY KEY);
        CREATE INDEX t_n ON t (id);
        ALTER TABLE t RENAME TO t_renamed;
        ALTER INDEX t_pkey RENAME TO t_renamed_pkey;
    """,
    # DROP ... CASCADE takes the views that read a relation (and theirs, materialized ones with
    # their indexes) and other tables' foreign keys to it (Lemmy's migrations drop a view so
    # and re-create its dependants)
    "drop_cascade_dependants": """
        CREATE SCHEMA s;
        CREATE TABLE p (id int PRIMARY KEY);
        CREATE TABLE c (id int, p_id int REFERENCES p, CONSTRAINT c_p2 FOREIGN KEY (id)
            REFERENCES p (id));
        CREATE VIEW p_view AS SELECT id FROM p;
        CREATE VIEW p_view_2 AS SELECT v.id FROM p_view v JOIN c ON c.id = v.id;
        CREATE MATERIALIZED VIEW s.p_mview AS SELECT id FROM public.p_view_2;
        CREATE UNIQUE INDEX p_mview_id ON s.p_mview (id);
        CREATE VIEW c_view AS SELECT p_id FROM c;
        CREATE VIEW other AS SELECT 1 AS one;
        DROP VIEW p_view CASCADE;
        CREATE VIEW p_view AS SELECT id, id + 1 AS next FROM p;
        CREATE MATERIALIZED VIEW s.p_mview AS SELECT id FROM p_view;
        CREATE UNIQUE INDEX p_mview_id ON s.p_mview (id);
        DROP TABLE p CASCADE;
        CREATE TABLE p (id bigint PRIMARY KEY);
        ALTER TABLE c ADD FOREIGN KEY (p_id) REFERENCES p;
        ALTER TABLE c DROP CONSTRAINT c_p_id_fkey;
        ALTER TABLE c ADD FOREIGN KEY (p_id) REFERENCES p, ADD CHECK (id > 0);
        ALTER TABLE c DROP COLUMN id;
        ALTER TABLE c ADD COLUMN id int CHECK (id > 1);
    """,
    # PostgreSQL 15+: SET NULL / SET DEFAULT of some of the key's columns only
    "set_null_some_columns": """
        CREATE TABLE p (tenant int, id int, PRIMARY KEY (tenant, id));
        CREATE TABLE c (tenant int NOT NULL, p_id int, q_id int DEFAULT 0, "Odd" int,
            FOREIGN KEY (tenant, p_id) REFERENCES p ON DELETE SET NULL (p_id),
            CONSTRAINT c_q FOREIGN KEY (tenant, q_id) REFERENCES p ON DELETE SET DEFAULT (q_id),
            CONSTRAINT c_odd FOREIGN KEY ("Odd", tenant) REFERENCES p ON DELETE SET NULL);
        ALTER TABLE c ADD CONSTRAINT c_both FOREIGN KEY (tenant, "Odd") REFERENCES p (tenant, id)
            ON UPDATE CASCADE ON DELETE SET NULL ("Odd") NOT VALID;
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_construct_converges(pg_scratch: str, name: str) -> None:
    converge(pg_scratch, CASES[name])


def test_icu_collations_converge() -> None:
    """ICU collations, on the server built with ICU (the embedded one is not: its own case)."""
    from dbdesign import engine
    from tests.conftest import server_url

    with engine.scratch_database(server_url("pg15")) as url:
        ddl, _, _, _ = converge(
            url,
            """
            CREATE COLLATION german (provider = icu, locale = 'de-DE', deterministic = false);
            CREATE COLLATION und FROM "und-x-icu";
            CREATE DOMAIN d AS text COLLATE german;
            CREATE TABLE t (a text COLLATE und, b d);
            CREATE INDEX t_a ON t (a COLLATE german);
            """,
        )
    assert ddl.collations["public.german"].provider == "icu"
    assert not ddl.collations["public.german"].deterministic
    assert ddl.collations["public.und"].locale == "und"


def test_embedded_server_has_no_icu() -> None:
    """Why the ICU case runs on one server only: fails when the embedded build gains ICU."""
    from dbdesign import engine

    with (
        engine.scratch_database(engine.embedded_url()) as url,
        engine.connect(url) as conn,
        pytest.raises(Exception, match="ICU is not supported"),
    ):
        conn.execute("CREATE COLLATION g (provider = icu, locale = 'de-DE')")


FILES = sorted((Path(__file__).parent / "sql").glob("fidelity_*.sql"))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_converges(pg_scratch: str, path: Path) -> None:
    """The larger cases, kept as files (test_convergence.py loads them too)."""
    from dbdesign.engine import connect

    with connect(pg_scratch, autocommit=True) as conn:  # a test role (tests/conftest.py)
        conn.execute(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            "'dbdesign_reader') THEN CREATE ROLE dbdesign_reader; END IF; "
            "EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL; END$$"
        )
        user = conn.execute("SELECT current_user").fetchone()
    assert user == ("postgres",), "the files are written for loading as postgres"
    converge(pg_scratch, path.read_text())


def test_owner_grants() -> None:
    """Who owns what, as the server decides: grants to the owner are left out; the owner is
    the role of OWNER TO, else the session role, else the role the file is loaded as."""
    schema = read_ddl((Path(__file__).parent / "sql" / "fidelity_owner_grants.sql").read_text())
    grantees = {k: sorted({g.grantee for g in t.grants}) for k, t in schema.tables.items()}
    assert grantees == {
        "public.t": ["PUBLIC"],
        "public.o": ["postgres"],
        "public.d": [],
        "r.x": ["postgres"],
    }
    assert {g.grantee for g in schema.sequences["public.o_id_seq"].grants} == {"postgres"}
    assert {g.grantee for g in schema.views["public.v"].grants} == {"dbdesign_reader"}
    assert not schema.functions["public.f()"].grants
    assert {g.grantee for g in schema.functions["public.g()"].grants} == {"postgres"}
    assert {g.grantee for g in schema.namespaces["r"].grants} == {"postgres"}
    # after RESET ROLE the file's role owns again; OR REPLACE keeps grants and comments
    for item in (schema.views["public.w"], schema.functions["public.h()"]):
        assert ({g.grantee for g in item.grants}, item.comment) == ({"dbdesign_reader"}, "kept")
    # a file loaded by someone else: its grants to postgres are real
    other = read_ddl("CREATE TABLE t (id int); GRANT SELECT ON t TO postgres;", owner="app")
    assert {g.grantee for g in other.tables["public.t"].grants} == {"postgres"}
    unknown = read_ddl("CREATE TABLE t (id int); GRANT SELECT ON t TO postgres;", owner=None)
    assert {g.grantee for g in unknown.tables["public.t"].grants} == {"postgres"}


def test_attached_partition_keys_are_the_parents() -> None:
    schema = read_ddl((Path(__file__).parent / "sql" / "fidelity_partitions.sql").read_text())
    for name in ("c", "c2", "q1", "s1", "s1a"):
        t = schema.tables[f"public.{name}"]
        assert (t.primary_key, dict(t.uniques), dict(t.foreign_keys)) == (None, {}, {}), name
    assert sorted(schema.indexes) == ["public.c2_own", "public.p_note", "public.q_k"]


def test_range_type_is_not_modelled_by_either_reader(pg_scratch: str) -> None:
    """The functions the server makes for a range type (constructors, multirange functions) are
    part of the type, not user functions; neither reader models the type, and both say so."""
    sql = """
        CREATE TYPE uuidrange AS RANGE (subtype = uuid);
        CREATE TABLE t (id int, r uuidrange, m uuidmultirange);
        CREATE FUNCTION own(r uuidrange) RETURNS boolean LANGUAGE sql AS 'SELECT isempty(r)';
    """
    ddl, catalog, file_warnings, catalog_warnings = converge(pg_scratch, sql)
    assert set(catalog.functions) == {"public.own(public.uuidrange)"}
    assert [c.type.name for c in ddl.tables["public.t"].columns] == [
        "integer",
        "public.uuidrange",
        "public.uuidmultirange",
    ]
    for warnings in (file_warnings, catalog_warnings):
        assert any("range type public.uuidrange is not modelled" in w.message for w in warnings), (
            warnings
        )


BUILTIN_TYPE_NAMES = (
    r"SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace "
    r"AND typtype IN ('b', 'p', 'r', 'm') AND typname NOT LIKE '\_%' ORDER BY typname"
)


def test_every_builtin_type_resolves_to_pg_catalog(pg_scratch: str) -> None:
    """Every base, pseudo, range and multirange type of the server's pg_catalog, named without a
    schema, is the built-in type (never ``public.name``) in a function signature and a column;
    where the server accepts the construct, the file model equals the catalog model."""
    import psycopg

    from dbdesign.dialects.postgres import quote_ident
    from dbdesign.diff import diff_schemas
    from dbdesign.engine import connect

    with connect(pg_scratch, autocommit=True) as conn:
        names = [r[0] for r in conn.execute(BUILTIN_TYPE_NAMES)]
        loaded: list[str] = []
        for i, name in enumerate(names):
            t = quote_ident(name)
            tries = (
                f"CREATE TABLE t{i} (x {t});",
                f"CREATE FUNCTION f{i}(x {t}) RETURNS int LANGUAGE sql AS 'SELECT 1';",
                f"CREATE FUNCTION f{i}(x {t}) RETURNS int LANGUAGE internal AS 'int4in';",
            )
            for sql in tries:
                try:
                    conn.execute(sql)
                except psycopg.Error:
                    continue
                loaded.append(sql)
                break
            ddl = read_ddl(
                f"CREATE TABLE t (x {t}); CREATE FUNCTION f(x {t}) RETURNS {t} "
                "LANGUAGE internal AS 'int4in';"
            )
            column = ddl.tables["public.t"].columns[0].type.name
            (function,) = ddl.functions.values()
            for got in (column, function.arguments[0].type, function.returns):
                assert got is not None and not got.startswith("public."), (name, got)
    assert len(names) > 100 and len(loaded) == len(names), (len(names), len(loaded))
    ddl, catalog = read_ddl("\n".join(loaded)), read_catalog(pg_scratch)
    assert_same(ddl, catalog)
    assert diff_schemas(ddl, catalog).is_empty and diff_schemas(catalog, ddl).is_empty


def test_extension_version_and_comment(pg_scratch: str) -> None:
    """An extension's version and comment describe the server, not the schema: neither takes
    part in equality. The DDL reader leaves the version None unless VERSION is written, the
    catalog reader reports the installed one; the comment is None on both sides unless COMMENT
    ON EXTENSION set one (the catalog leaves out the extension's own), and an emitted schema
    states a set comment again."""
    from dbdesign.emit.postgres import emit_schema
    from dbdesign.engine import connect, scratch_database

    with connect(pg_scratch) as conn:
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
    name = next((e for e in ("citext", "vector", "pg_trgm") if e in available), None)
    assert name is not None, f"no test extension on this server: {sorted(available)}"
    plain = f"CREATE EXTENSION {name};"
    ddl, catalog, _, _ = converge(pg_scratch, plain)
    assert ddl.extensions == catalog.extensions
    assert (ddl.extensions[name].version, catalog.extensions[name].version is not None) == (
        None,
        True,
    )
    for schema in (ddl, catalog):
        ext = schema.extensions[name]
        assert (ext.schema, ext.comment) == ("public", None)
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(f"COMMENT ON EXTENSION {name} IS 'ours'")
    catalog = read_catalog(pg_scratch)
    ddl = read_ddl(f"{plain} COMMENT ON EXTENSION {name} IS 'ours';")
    assert ddl.extensions[name].comment == catalog.extensions[name].comment == "ours"
    with scratch_database(pg_scratch) as again:
        load_sql(again, emit_schema(catalog))
        assert read_catalog(again).extensions[name].comment == "ours"
