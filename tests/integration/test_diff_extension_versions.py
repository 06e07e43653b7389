"""Extension versions in the diff (migra's extversions fixture in spirit), on PostgreSQL 15,
whose contrib ships several versions of citext and pg_trgm: a version both sides state is
reached with ALTER EXTENSION ... UPDATE TO, an extension created for the target gets the
target's version, and a side that states none (a DDL file without VERSION) asks for nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dbdesign.diff import diff_schemas
from dbdesign.engine import connect, scratch_database
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.conftest import server_url


def _versions(url: str) -> dict[str, str]:
    with connect(url) as conn:
        rows = conn.execute("SELECT extname, extversion FROM pg_extension").fetchall()
    return {name: version for name, version in rows if name != "plpgsql"}


@pytest.fixture
def pair() -> Iterator[tuple[str, str]]:
    server = server_url("pg15")
    with scratch_database(server) as a, scratch_database(server) as b:
        yield a, b


def _load(url: str, sql: str) -> None:
    with connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())


def test_versions_reached_between_databases(pair: tuple[str, str]) -> None:
    a, b = pair
    _load(a, "CREATE EXTENSION pg_trgm VERSION '1.4'; CREATE TABLE t (s text);")
    _load(b, "CREATE EXTENSION pg_trgm VERSION '1.6'; CREATE EXTENSION citext VERSION '1.5';"
             "CREATE TABLE t (s text);")  # fmt: skip
    plan = diff_schemas(read_catalog(a), read_catalog(b))
    sql = plan.sql()
    assert "ALTER EXTENSION pg_trgm UPDATE TO '1.6';" in sql
    assert "VERSION '1.5'" in sql  # citext as the target has it, not the server's default 1.6
    assert any(h.code == "may_fail" for h in plan.hazards())
    _load(a, sql)
    assert _versions(a) == _versions(b) == {"pg_trgm": "1.6", "citext": "1.5"}
    assert diff_schemas(read_catalog(a), read_catalog(b)).is_empty


def test_a_file_without_versions_asks_for_none(pair: tuple[str, str]) -> None:
    a, _ = pair
    _load(a, "CREATE EXTENSION pg_trgm VERSION '1.4';")
    unpinned = read_ddl("CREATE EXTENSION pg_trgm;")
    assert diff_schemas(read_catalog(a), unpinned).is_empty
    pinned = read_ddl("CREATE EXTENSION pg_trgm VERSION '1.5';")
    assert "ALTER EXTENSION pg_trgm UPDATE TO '1.5';" in diff_schemas(read_catalog(a), pinned).sql()
