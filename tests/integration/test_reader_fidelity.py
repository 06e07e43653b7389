"""Reader fidelity on schemas nobody here wrote: each construct is read from its DDL text,
loaded into both test servers (embedded PostgreSQL 16 and $DBDESIGN_TEST_PG_URL), read back from
the catalog, and the two models must be equal and the diff empty both ways."""

from __future__ import annotations

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
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_construct_converges(pg_scratch: str, name: str) -> None:
    converge(pg_scratch, CASES[name])


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
