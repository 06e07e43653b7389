"""The PostgreSQL DDL reader: what the server would make of each statement."""

from __future__ import annotations

from typing import Any

import pytest
from tests.paths import PG_CORPUS

from dbdesign.errors import ParseError
from dbdesign.model import Expr, from_dict, to_dict
from dbdesign.readers.ddl.postgres import read_ddl, read_path


def test_serial_expands_to_sequence_default_and_not_null() -> None:
    s = read_ddl("CREATE TABLE t (id serial PRIMARY KEY, big bigserial);")
    t = s.tables["public.t"]
    assert t.columns[0].type.name == "integer"
    assert t.columns[0].type.raw == "serial"
    assert not t.columns[0].nullable
    assert t.columns[0].default == Expr("nextval('public.t_id_seq'::regclass)")
    assert s.sequences["public.t_id_seq"].owned_by == "public.t.id"
    assert s.sequences["public.t_id_seq"].type.name == "integer"
    assert s.sequences["public.t_big_seq"].type.name == "bigint"
    assert t.primary_key is not None and t.primary_key.name == "t_pkey"


def test_default_constraint_names_follow_the_server() -> None:
    s = read_ddl("""
        CREATE TABLE p (id int PRIMARY KEY);
        CREATE TABLE c (
            a int REFERENCES p, b int, c int CHECK (c > 0), d int UNIQUE,
            CHECK (b > a), UNIQUE (a, b), FOREIGN KEY (b) REFERENCES p (id)
        );
        CREATE INDEX ON c (a, lower(b::text));
    """)
    t = s.tables["public.c"]
    assert set(t.foreign_keys) == {"c_a_fkey", "c_b_fkey"}
    assert t.foreign_keys["c_a_fkey"].ref_columns == ("id",)
    assert set(t.checks) == {"c_c_check", "c_check"}
    assert set(t.uniques) == {"c_d_key", "c_a_b_key"}
    assert "public.c_a_lower_idx" in s.indexes


def test_long_names_are_truncated_like_the_server() -> None:
    long = "x" * 60
    s = read_ddl(f"CREATE TABLE {long} (id int PRIMARY KEY, {long}_col int UNIQUE);")
    t = s.tables[f"public.{long}"]
    assert t.primary_key is not None
    assert len(t.primary_key.name.encode()) <= 63
    assert t.primary_key.name.endswith("_pkey")
    (uq,) = t.uniques
    assert len(uq.encode()) <= 63 and uq.endswith("_key")


def test_non_schema_statements_and_meta_commands_are_skipped() -> None:
    warnings: list[object] = []
    s = read_ddl(
        """\\connect mydb
\\restrict abc
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.t (id int);
INSERT INTO public.t VALUES (1), (2);
COPY public.t (id) FROM stdin;
1
2
\\.
UPDATE public.t SET id = 3;
""",
        warn=warnings.append,
    )
    assert list(s.tables) == ["public.t"]
    assert warnings == []


def test_unknown_statement_kind_is_a_warning_with_file_and_line() -> None:
    warnings: list[object] = []
    s = read_ddl(
        "CREATE TABLE t (id int);\n\nCREATE PUBLICATION pub FOR ALL TABLES;\n"
        "CREATE TEXT SEARCH CONFIGURATION x (COPY = english);\n",
        file="f.sql",
        warn=warnings.append,
    )
    assert list(s.tables) == ["public.t"]
    assert len(warnings) == 1
    assert str(warnings[0]).startswith("f.sql:4:1: warning:")


def test_syntax_error_has_file_line_and_column() -> None:
    with pytest.raises(ParseError) as e:
        read_ddl("CREATE TABLE t (\n  a int,\n  b int nonsense\n);\n", file="bad.sql")
    assert str(e.value).startswith('bad.sql:3:9: syntax error at or near "nonsense"')


def test_syntax_error_position_after_multibyte_text() -> None:
    with pytest.raises(ParseError) as e:
        read_ddl("INSERT INTO t VALUES ('ééé');\nCREATE TABLE t (a int oops);\n", file="x.sql")
    assert (e.value.line, e.value.col) == (2, 23)


def test_alter_table_attach_partition_and_index_attach() -> None:
    s = read_ddl("""
        CREATE TABLE m (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE m_2024 (id int NOT NULL, at date NOT NULL);
        ALTER TABLE ONLY m ATTACH PARTITION m_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE INDEX m_at_idx ON ONLY m (at);
        CREATE INDEX m_2024_at_idx ON m_2024 (at);
        ALTER INDEX m_at_idx ATTACH PARTITION m_2024_at_idx;
    """)
    child = s.tables["public.m_2024"]
    assert child.partition_of == "public.m"
    assert child.partition_bound is not None
    assert "FOR VALUES FROM" in child.partition_bound.text
    assert s.tables["public.m"].partition_by is not None
    assert set(s.indexes) == {"public.m_at_idx"}


def test_comments_grants_and_search_path() -> None:
    s = read_ddl("""
        CREATE SCHEMA app;
        SET search_path = app, public;
        CREATE TABLE t (id int PRIMARY KEY);
        COMMENT ON TABLE t IS 'things';
        COMMENT ON COLUMN t.id IS 'the id';
        GRANT SELECT, INSERT ON t TO PUBLIC;
        REVOKE INSERT ON t FROM PUBLIC;
    """)
    t = s.tables["app.t"]
    assert t.comment == "things"
    assert t.columns[0].comment == "the id"
    assert {(g.grantee, g.privilege) for g in t.grants} == {("PUBLIC", "SELECT")}


def test_expressions_compare_in_normalised_form() -> None:
    a = read_ddl("CREATE TABLE t (s varchar(5) CHECK (s IN ('a', 'b')), n int DEFAULT -1);")
    b = read_ddl(
        "CREATE TABLE t (s character varying(5) "
        "CHECK (((s)::text = ANY ((ARRAY['a'::character varying, "
        "'b'::character varying])::text[]))), n integer DEFAULT '-1'::integer);"
    )
    assert a == b
    c = read_ddl("CREATE TABLE t (s varchar(5) CHECK (s IN ('a', 'c')), n int DEFAULT -1);")
    assert a != c


def test_folder_is_read_in_name_order(tmp_path) -> None:
    (tmp_path / "002_b.sql").write_text("ALTER TABLE t ADD COLUMN b text;")
    (tmp_path / "001_a.sql").write_text("CREATE TABLE t (a int);")
    s = read_path(tmp_path)
    assert [c.name for c in s.tables["public.t"].columns] == ["a", "b"]


@pytest.mark.parametrize("path", PG_CORPUS, ids=[p.name for p in PG_CORPUS])
def test_corpus_parses_without_warnings_and_round_trips_json(path) -> None:
    warnings: list[object] = []
    s = read_path(path, warn=warnings.append)
    assert s.tables, "no tables read"
    assert warnings == []
    assert from_dict(to_dict(s)) == s


def test_renames() -> None:
    s = read_ddl("""
        CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));
        CREATE INDEX t_a ON t (a);
        ALTER TABLE t RENAME COLUMN a TO b;
        ALTER TABLE t RENAME CONSTRAINT a_pos TO b_pos;
        ALTER INDEX t_a RENAME TO t_b;
        ALTER TABLE t RENAME TO u;
    """)
    u = s.tables["public.u"]
    assert [c.name for c in u.columns] == ["b"]
    assert set(u.checks) == {"b_pos"}
    assert s.indexes["public.t_b"].table == "u"
    assert s.indexes["public.t_b"].elements[0].column == "b"
    assert u.checks["b_pos"].expr == Expr("b > 0")


def test_sql_standard_bodies_and_sequence_cycle() -> None:
    s = read_ddl("""
        CREATE TABLE t (id int);
        CREATE FUNCTION n() RETURNS bigint LANGUAGE sql
        BEGIN ATOMIC
          SELECT count(*) FROM t;
          SELECT 1;
        END;
        CREATE FUNCTION two() RETURNS int LANGUAGE sql RETURN 2;
        CREATE SEQUENCE s CYCLE;
    """)
    assert s.functions["public.n()"].body.startswith("BEGIN ATOMIC")
    assert "count(*)" in s.functions["public.n()"].body
    assert s.functions["public.two()"].body == "RETURN 2"
    assert s.sequences["public.s"].cycle


def test_create_database_encoding_and_not_client_encoding() -> None:
    dump = (  # as pg_dump --create writes it
        "\nSET client_encoding = 'SQL_ASCII';\n"
        "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'SQL_ASCII' LOCALE = 'C';\n"
        "\\connect shop\n"
        "SET client_encoding = 'SQL_ASCII';\n"
        "CREATE TABLE t (id int);\n"
    )
    s = read_ddl(dump, file="dump.sql")
    assert s.database is not None
    assert (s.database.name, s.database.encoding) == ("shop", "SQL_ASCII")
    assert s.database.origin is not None and s.database.origin.line == 3
    assert read_ddl("SET client_encoding = 'SQL_ASCII'; CREATE TABLE t (id int);").database is None
    for spelling, canonical in (
        ("ENCODING = sql_ascii", "SQL_ASCII"),
        ("ENCODING 0", "SQL_ASCII"),
        ("ENCODING 'utf-8'", "UTF8"),
        ("ENCODING 'unicode'", "UTF8"),
        ("ENCODING 'Windows-1252'", "WIN1252"),
        ("ENCODING DEFAULT", None),
        ("TEMPLATE template0", None),
    ):
        db = read_ddl(f"CREATE DATABASE d {spelling};").database
        assert db is not None and db.encoding == canonical, spelling
    # The encoding describes the database, not the schema: equality ignores it, JSON keeps it.
    plain = read_ddl("CREATE TABLE t (id int);")
    assert s == plain
    assert from_dict(to_dict(s)).database == s.database


def test_several_databases_describe_the_first_with_a_warning() -> None:
    warnings: list[Any] = []
    s = read_ddl(
        "CREATE DATABASE a ENCODING 'UTF8'; CREATE DATABASE b ENCODING 'SQL_ASCII';",
        warn=warnings.append,
    )
    assert s.database is not None and s.database.name == "a"
    assert len(warnings) == 1 and "several databases" in warnings[0].message
