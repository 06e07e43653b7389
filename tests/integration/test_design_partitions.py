"""Time partitions of a design, run for real on the embedded PostgreSQL 16 and PostgreSQL 15:
the migration creates the months from the oldest one retention keeps to three ahead (no DEFAULT
partition), a row of a month with no partition is refused, and the maintenance function creates
the months ahead and detaches and drops those past retention, rows and all, and does nothing
when run again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dbdesign.databases import target
from dbdesign.design import design
from dbdesign.design.output import down_sql, render, schema_sql
from dbdesign.design.partitioning import MAINTAIN
from dbdesign.design.prove import prove, server_for
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import url_of
from tests.paths import ROOT
from tests.proofs import plan_problems

SERVERS = ["embedded", "pg15"]
EPOCH = "1767225600"  # the design is made on 2026-01-01T00:00:00Z
SPEC = """\
version: 1
project: {name: metrics}
entities:
  sample:
    attributes:
      metric: {type: text, required: true}
      value: {type: integer, required: true}
      taken_at: {type: timestamp, required: true}
    append_only: true
    retention_days: 90
    volume: {rows: 1000}
access_patterns:
  - {name: recent, entity: sample, equal: [metric], range: [taken_at]}
"""


@pytest.fixture(params=SERVERS)
def conn(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    d = design(S.loads(SPEC), "postgres")
    url = url_of(request.param)
    server = server_for(target(url) if url else None, d.dialect)
    with server.scratch(url or "") as scratch:
        c = server.connect(scratch, autocommit=True)
        try:
            server.apply(c, schema_sql(d.schema))
            yield c
        finally:
            c.close()


def _partitions(conn: Any) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'public.samples'::regclass ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _insert(conn: Any, at: str) -> str | None:
    """The server's refusal of a row taken at ``at`` (None: stored)."""
    try:
        conn.execute("INSERT INTO samples (metric, value, taken_at) VALUES ('cpu', 1, %s)", (at,))
    except Exception as e:  # the refusal is the result
        return str(e)
    return None


def _maintain(conn: Any, as_of: str) -> list[str]:
    rows = conn.execute(
        f"SELECT * FROM public.{MAINTAIN}('public.samples', interval '90 days', as_of => %s)",
        (as_of,),
    ).fetchall()
    return [r[0] for r in rows]


def test_months_are_created_ahead_and_dropped_past_retention(conn: Any) -> None:
    # 2026-01-01 less 90 days is 2025-10-03: October 2025 to three months ahead, April 2026
    months = ["2025_10", "2025_11", "2025_12", "2026_01", "2026_02", "2026_03", "2026_04"]
    assert _partitions(conn) == [f"samples_{m}" for m in months]
    for at in ("2025-10-01 00:00:00+00", "2025-12-31 23:59:59+00", "2026-04-30 12:00:00+00"):
        assert _insert(conn, at) is None, at
    for at in ("2025-09-30 23:59:59+00", "2026-05-01 00:00:00+00"):
        refused = _insert(conn, at)
        assert refused is not None and "no partition" in refused, (at, refused)

    # Run on 2026-06-15: months up to September are created; the retention boundary is
    # 2026-03-17, so the months ending by then (October to February) go, rows and all.
    did = _maintain(conn, "2026-06-15 08:00:00+00")
    created = [
        f"created samples_{m}" for m in ("2026_05", "2026_06", "2026_07", "2026_08", "2026_09")
    ]
    dropped = [f"dropped samples_{m}" for m in months[:5]]
    assert did == created + dropped
    kept = ["2026_03", "2026_04", "2026_05", "2026_06", "2026_07", "2026_08", "2026_09"]
    assert _partitions(conn) == [f"samples_{m}" for m in kept]
    taken = conn.execute("SELECT taken_at::text FROM samples ORDER BY 1").fetchall()
    assert [r[0] for r in taken] == ["2026-04-30 12:00:00+00"]
    assert _insert(conn, "2026-09-30 23:00:00+00") is None
    refused = _insert(conn, "2026-02-10 00:00:00+00")  # past retention: refused, not kept
    assert refused is not None and "no partition" in refused
    # Idempotent: the same day again changes nothing.
    assert _maintain(conn, "2026-06-15 09:00:00+00") == []
    assert len(_partitions(conn)) == len(kept)
    # The down migration drops the table with whatever months it has by now.
    conn.execute(down_sql(design(S.loads(SPEC), "postgres").schema))
    left = conn.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'samples%'").fetchone()
    assert left[0] == 0


def test_a_table_that_is_not_partitioned_is_refused(conn: Any) -> None:
    conn.execute("CREATE TABLE plain (id int)")
    with pytest.raises(Exception, match="not a partitioned table"):
        conn.execute(f"SELECT * FROM public.{MAINTAIN}('public.plain')")


@pytest.mark.parametrize("server", SERVERS)
def test_fleet_telemetry_is_proved_with_its_partitions(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proof's readings fall in the designed months (none would be stored otherwise), and
    DESIGN.md tells how the months are kept."""
    d = design(S.load(ROOT / "examples" / "fleet_telemetry.yaml"), "postgres")
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    doc = render(d, proof)["DESIGN.md"]
    assert f"SELECT * FROM public.{MAINTAIN}('public.readings', interval '90 days');" in doc
    assert "no DEFAULT partition" in doc
