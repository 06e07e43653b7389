"""The proof's data has the shape the spec implies (design/data_shape.py), on embedded
PostgreSQL 16, MariaDB and SQLite: the booking example's rows span each entity's history up to
today (not a fixed 2020-2025 window), its scheduled times (``starts_at``, ``ends_at``) also run
ahead of today, its unweighted status leans to the outcome (confirmed) over the failure
(cancelled), and a pattern with a lower bound on a scheduled time is also proved from now.
Every rule still holds on the rows (ends after start, no overlapping bookings of a room)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from dbdesign import engine
from dbdesign.design import Design, design
from dbdesign.design.data_shape import time_shapes
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, proof_rows, prove
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.mysqlload import load_mysql, mysql_server_url
from tests.paths import ROOT
from tests.pgload import load_sql

BOOKING = ROOT / "examples" / "booking.yaml"
SERVERS = {"embedded": "postgres", "mysql": "mysql", "sqlite": "sqlite"}
# (min created_at, max created_at, min starts_at, max starts_at, rows, rows starting after now)
SPANS = (
    "SELECT min(created_at), max(created_at), min(starts_at), max(starts_at), count(*), "
    "sum(CASE WHEN starts_at > {now} THEN 1 ELSE 0 END) FROM bookings"
)
STATUS = "SELECT status, count(*) FROM bookings GROUP BY status"
BROKEN = "SELECT count(*) FROM bookings WHERE NOT (ends_at > starts_at)"


def _day(v: Any, today: date) -> int:
    """The day of a timestamp (ISO 8601 text on SQLite; UTC) counted from ``today``."""
    t = datetime.fromisoformat(v) if isinstance(v, str) else v
    return ((t.astimezone(UTC) if t.tzinfo else t).date() - today).days


def _loaded(server: str, d: Design, tmp_path: Path) -> tuple[tuple[Any, ...], dict[str, int], int]:
    """Load the proof's rows; the bookings' time spans, status counts and broken rows."""
    rows = proof_rows(d)
    if server == "sqlite":
        db = tmp_path / "b.db"
        with sqlite3.connect(db) as conn:
            conn.executescript(schema_sql(d.schema))
        conn.close()
        load_rows(str(db), d, rows, seed=2)
        with sqlite3.connect(db) as conn:
            spans = conn.execute(SPANS.format(now="datetime('now')")).fetchone()
            status = dict(conn.execute(STATUS).fetchall())
            broken = conn.execute(BROKEN).fetchone()[0]
        conn.close()
        return spans, status, broken
    if server == "mysql":
        with engine.mysql_scratch_database(mysql_server_url()) as url:
            load_mysql(url, schema_sql(d.schema))
            load_rows(url, d, rows, seed=2)
            conn: Any = engine.connect_mysql(url, autocommit=True)
            try:
                with conn.cursor() as cur:
                    cur.execute(SPANS.format(now="UTC_TIMESTAMP()"))
                    spans = cur.fetchone()
                    cur.execute(STATUS)
                    status = dict(cur.fetchall())
                    cur.execute(BROKEN)
                    broken = cur.fetchone()[0]
            finally:
                conn.close()
            return spans, status, broken
    with engine.scratch_database(server_url(server)) as url:
        load_sql(url, schema_sql(d.schema))
        load_rows(url, d, rows, seed=2)
        with engine.connect(url) as pg:
            spans = pg.execute(SPANS.format(now="now()")).fetchone()
            status = dict(pg.execute(STATUS).fetchall())
            broken = pg.execute(BROKEN).fetchone()[0]
        return spans, status, broken


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_times_span_the_history_and_scheduled_ones_run_ahead(server: str, tmp_path: Path) -> None:
    d = design(S.load(BOOKING), SERVERS[server])
    shape = next(s for s in time_shapes(d) if s.table.endswith(".bookings"))
    assert shape.days == 548 and shape.ahead == ("starts_at", "ends_at")  # 600k at 400k a year
    assert shape.ahead_days == 54
    spans, status, broken = _loaded(server, d, tmp_path)
    created_lo, created_hi, start_lo, start_hi, n, upcoming = spans
    today = datetime.now(UTC).date()
    # created_at: the last 548 days, none ahead; spread over them (not one corner)
    assert -549 <= _day(created_lo, today) <= -500
    assert -30 <= _day(created_hi, today) <= 0
    # starts_at: the same history and up to 54 days ahead, about 54/602 of the rows to come
    assert _day(start_lo, today) <= -500
    assert 30 <= _day(start_hi, today) <= 55
    assert 0.04 < int(upcoming) / n < 0.16, (upcoming, n)
    assert broken == 0  # ends_at > starts_at on every row, upcoming ones too
    # status: no weights stated; confirmed (the outcome) common, cancelled (a failure) rare
    shares = {k: v / n for k, v in status.items()}
    assert shares["confirmed"] > 0.75 and shares["cancelled"] < 0.08, shares
    assert 0.04 < shares["tentative"] < 0.16, shares


def test_a_lower_bound_on_a_scheduled_time_is_also_proved_from_now() -> None:
    d = design(S.load(BOOKING), "postgres")
    proof = prove(d, schema_sql(d.schema), server_url("embedded"))
    assert proof.ok, proof.problems
    r = next(r for r in proof.results if r.pattern == "room_schedule")
    sets = {s.label: s for s in r.sets}
    assert "now" in sets, list(sets)
    # the plan shows the bound it ran with: the first start at or after now, today or soon after
    m = re.search(r"starts_at >= '([0-9-]+ [0-9:]+)", sets["now"].plan.text)
    assert m is not None, sets["now"].plan.text
    assert 0 <= _day(m.group(1), datetime.now(UTC).date()) <= 2, m.group(1)
    assert sets["now"].matched > 0
