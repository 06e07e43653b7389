"""bench/tpc.py, the TPC-H data and the measure behind bench/bench_advise_tpc.py, on a tiny scale
(sf=0.01) in a scratch database of the PostgreSQL 15 server: the spec's primary keys and no other
index, the paper's 19 queries plan, the relative cost of no index is 100 % and a useful
hypothetical index lowers it. Skipped when the server lacks HypoPG."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest

from dbdesign import engine
from tests.conftest import server_url

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tpc.py"


def _tpc() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_tpc", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_tpc"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tpc = _tpc()


@pytest.fixture(scope="module")
def tpch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = server_url("pg15")
    with psycopg.connect(base) as conn:
        row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'").fetchone()
    if row is None:
        pytest.skip("the PostgreSQL 15 server has no HypoPG (apt-get install postgresql-15-hypopg)")
    with engine.scratch_database(base) as url:
        tpc.load(tpc.TPCH, 0.01, url, cache=tmp_path_factory.mktemp("tpc"))
        yield url


def test_spec_primary_keys_and_no_other_index(tpch: str) -> None:
    with psycopg.connect(tpch) as conn:
        rows = conn.execute(
            "SELECT c.relname, i.indisprimary,"
            " array_agg(a.attname ORDER BY array_position(i.indkey, a.attnum))"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)"
            " JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'"
            " GROUP BY c.relname, i.indexrelid, i.indisprimary"
        ).fetchall()
        lineitem = conn.execute("SELECT count(*) FROM lineitem").fetchone()
    keys = {t: [c.strip() for c in cs.split(",")] for t, cs in tpc.TPCH_KEYS.items()}
    assert {r[0]: r[2] for r in rows} == keys
    assert all(r[1] for r in rows)
    assert lineitem is not None and lineitem[0] > 50_000  # sf 0.01: about 60,000 rows


def test_loaded_once_then_reused(tpch: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert tpc.loaded(tpch, tpc.TPCH, 0.01)
    assert not tpc.loaded(tpch, tpc.TPCH, 0.02)
    tpc.load(tpc.TPCH, 0.01, tpch)
    assert "already loaded" in capsys.readouterr().out


def test_the_papers_nineteen_queries_plan(tpch: str, tmp_path: Path) -> None:
    queries = tpc.workload_queries(tpc.TPCH)
    numbers = [int(q.name[1:]) for q in queries]
    assert numbers == [n for n in range(1, 23) if n not in (2, 17, 20)]
    assert tpc.check(tpch, queries) == []
    path = tpc.write_workload(queries, tmp_path / "tpch.sql")
    assert tpc.read_workload(path) == queries


def test_no_index_is_100_percent(tpch: str) -> None:
    report = tpc.measure(tpch, tpc.workload_queries(tpc.TPCH), [])
    assert report.relative == 1.0
    assert all(cost > 0 for cost in report.base.values())


def test_a_useful_hypothetical_index_lowers_the_cost(tpch: str) -> None:
    queries = tpc.workload_queries(tpc.TPCH)
    # Q22's NOT EXISTS (orders WHERE o_custkey = c_custkey) probes orders by customer
    report = tpc.measure(tpch, queries, ["CREATE INDEX ON orders (o_custkey)"])
    assert report.with_indexes["Q22"] < report.base["Q22"]
    assert report.relative < 1.0
    assert report.hypothetical_bytes > 0
    with psycopg.connect(tpch) as conn:  # nothing was built, nothing stays hypothetical
        assert tpc.secondary_indexes(conn) == []
    assert tpc.relative_cost(tpch, queries, []) == 1.0


def test_all_one_and_two_column_candidates_are_the_papers_425(tpch: str) -> None:
    """Kossmann et al. count 425 one- and two-column indexes for these 19 queries; the method
    (schema columns named in a query's text, per table over the workload, all orders) finds
    the same number, and all of them together cost less than any one of them."""
    queries = tpc.workload_queries(tpc.TPCH)
    candidates = tpc.two_column_candidates(queries, tpc.table_columns(tpch))
    assert len(candidates) == 425
    assert sum(len(cols) == 1 for _, cols in candidates) == 51
    every = tpc.measure(tpch, queries, [tpc.index_ddl(t, c) for t, c in candidates])
    one = tpc.measure(tpch, queries, ["CREATE INDEX ON orders (o_custkey)"])
    assert every.relative < one.relative < 1.0


def test_built_indexes_are_measured_and_rolled_back(tpch: str) -> None:
    queries = [q for q in tpc.workload_queries(tpc.TPCH) if q.name == "Q22"]
    built = tpc.measure_real(tpch, queries, ["CREATE INDEX ON orders (o_custkey)"])
    assert built.with_indexes["Q22"] < built.base["Q22"]
    assert built.hypothetical_bytes > 8192  # its size on disk
    with psycopg.connect(tpch) as conn:
        assert tpc.secondary_indexes(conn) == []
