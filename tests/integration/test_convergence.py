"""The strongest test: read a DDL file, load the same file into a real server, read the
catalog, and require both models to be equal — on the embedded PostgreSQL 16 and on the
machine's PostgreSQL 15."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_path
from tests.corpus import NEEDS_VERSION, assert_routed, unmet
from tests.paths import PG_CORPUS
from tests.pgload import load_sql


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Readable differences between two model values (for assertion messages)."""
    if a == b:
        return []
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        out = []
        for f in dataclasses.fields(a):
            if f.compare:
                out += differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
        return out
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                out.append(f"{path}[{k}]: only in the first")
            elif k not in a:
                out.append(f"{path}[{k}]: only in the second")
            else:
                out += differences(a[k], b[k], f"{path}[{k}]")
        return out
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    show = lambda v: getattr(v, "normalized", v)  # noqa: E731
    return [f"{path}: {show(a)!r} != {show(b)!r}"]


def assert_same(a: Schema, b: Schema) -> None:
    diffs = differences(a, b)
    assert not diffs, "models differ:\n  " + "\n  ".join(diffs[:40])


def routed_url(path: Path, server: str) -> str:
    """The server's URL when it can load ``path``; otherwise the claim is checked (a load
    fails), the file is required to load on some other test server, and the test skips."""
    from dbdesign.engine import scratch_database
    from tests.conftest import PG_SERVERS, server_url

    url = server_url(server)
    reason = unmet(path, url)
    if reason is not None:
        assert_routed(path, {s: server_url(s) for s in PG_SERVERS})
        with scratch_database(url) as scratch, pytest.raises(psycopg.Error):
            load_sql(scratch, path.read_text())
        elsewhere = path.name not in NEEDS_VERSION
        pytest.skip(
            f"{server}: {reason} "
            + ("(loaded on a server that has it)" if elsewhere else "(no test server can load it)")
        )
    return url


@pytest.mark.parametrize("path", PG_CORPUS, ids=[p.name for p in PG_CORPUS])
@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_ddl_equals_catalog(path: Path, server: str) -> None:
    """File model == catalog model, the diff is empty both ways, and lint reads both."""
    from dbdesign.diff import diff_schemas
    from dbdesign.engine import scratch_database
    from dbdesign.lint.engine import lint
    from tests.diffcheck import ensure_roles

    ddl_model = read_path(path)  # every file must parse, loadable or not
    assert ddl_model.tables
    url = routed_url(path, server)
    ensure_roles(url)
    with scratch_database(url) as scratch:
        load_sql(scratch, path.read_text())
        catalog = read_catalog(scratch)
    assert_same(ddl_model, catalog)
    for a, b in ((ddl_model, catalog), (catalog, ddl_model)):
        plan = diff_schemas(a, b)
        assert plan.is_empty, plan.sql()
    assert {f.code for f in lint(ddl_model)} == {f.code for f in lint(catalog)}


OWN_SET = sorted((Path(__file__).parent / "sql").glob("*.sql"))


@pytest.mark.parametrize("path", OWN_SET, ids=[p.name for p in OWN_SET])
@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_own_ddl_equals_catalog(path, server) -> None:
    """Hand-written DDL in the spellings a server rewrites (IN lists, BETWEEN, LIKE, domain
    operands, date literals, view column lists, inheritance, partitions, serial, identity)."""
    from dbdesign.engine import connect, scratch_database
    from tests.conftest import server_url

    base = server_url(server)
    with connect(base, autocommit=True) as conn:  # the catalog test file grants to this role
        conn.execute(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            "'dbdesign_reader') THEN CREATE ROLE dbdesign_reader; END IF; "
            "EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL; END$$"
        )
    with scratch_database(base) as url:
        load_sql(url, path.read_text())
        assert_same(read_path(path), read_catalog(url))


@pytest.mark.parametrize("path", PG_CORPUS, ids=[p.name for p in PG_CORPUS])
def test_corpus_emit_then_read_ddl(path) -> None:
    """read_ddl(emit(s)) == s for every corpus schema (no server needed)."""
    from dbdesign.emit.postgres import emit_schema
    from dbdesign.readers.ddl.postgres import read_ddl

    schema = read_path(path)
    assert_same(read_ddl(emit_schema(schema), file="emitted.sql"), schema)


@pytest.mark.parametrize("path", PG_CORPUS, ids=[p.name for p in PG_CORPUS])
@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_corpus_emit_load_read_catalog(path, server) -> None:
    """read_catalog(load(emit(s))) == s, with s read from the corpus file."""
    from dbdesign.emit.postgres import emit_schema
    from dbdesign.engine import scratch_database

    schema = read_path(path)
    with scratch_database(routed_url(path, server)) as url:
        load_sql(url, emit_schema(schema))
        assert_same(read_catalog(url), schema)
