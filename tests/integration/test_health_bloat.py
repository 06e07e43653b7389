"""dbdesign health's bloat checks (table-bloat, index-bloat, low-cardinality-index) on
pathologies built for real on both test servers (``pg_scratch``: the embedded PostgreSQL 16 and
the PostgreSQL 15 server at $DBDESIGN_TEST_PG_URL): a table and its indexes with 90 % of their
rows deleted across every page and vacuumed, indexes on a column with one value; and the near
misses: the same rows freshly loaded, a bloated table under the threshold, an index on a column
of many values. Both ways of finding the waste are run: the estimate from the statistics, and
pgstattuple's measurement, also as a role with only pg_monitor; and the fixes are run and clear
the findings.

pgstattuple is in the PostgreSQL 15 server's contrib modules; the embedded server is a build
without them (pg_available_extensions has no pgstattuple): there the waste is only estimated,
CREATE EXTENSION pgstattuple fails, and the notes say to install the contrib modules first.

Thresholds are lowered so a few MB count: 4 MB for a table, 2 MB for an index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dbdesign import api, databases, engine
from dbdesign.health import CHECKS as ALL
from dbdesign.health import HealthConfig, HealthFinding, HealthReport
from dbdesign.health.session import SESSIONS
from tests.integration.health_support import by_check, config, monitor_role

CHECKS = ["table-bloat", "index-bloat", "low-cardinality-index"]
THRESHOLDS = "table_bloat_min_bytes = 4194304\nindex_bloat_min_bytes = 2097152"
# How far the estimate may be from pgstattuple's measurement, and either from the space a
# rewrite really gives back (on these tables the estimate is within 1 %, the measurement 7 %).
TOLERANCE = 0.2

PATHOLOGIES = """
-- 200,000 rows (13 MB), then 9 rows in 10 deleted across every page and vacuumed: the space is
-- free for new rows but the table and its indexes keep their size
CREATE TABLE bloated (id bigint PRIMARY KEY, note text NOT NULL, n int NOT NULL,
                      created timestamptz NOT NULL DEFAULT now());
INSERT INTO bloated (id, note, n)
SELECT g, 'note ' || g, g % 1000 FROM generate_series(1, 200000) g;
CREATE INDEX bloated_note_idx ON bloated (note);
CREATE INDEX bloated_n_idx ON bloated (n);                -- bloated too, but 1.3 MB: under 2 MB
DELETE FROM bloated WHERE id % 10 <> 0;
VACUUM ANALYZE bloated;

-- the near miss: the same 200,000 rows freshly loaded, the indexes built after the load
CREATE TABLE fresh (id bigint PRIMARY KEY, note text NOT NULL, n int NOT NULL,
                    created timestamptz NOT NULL DEFAULT now(), flag int NOT NULL DEFAULT 1,
                    status text NOT NULL);
INSERT INTO fresh (id, note, n, status)
SELECT g, 'note ' || g, g % 1000, CASE WHEN g % 200 = 0 THEN 'new' ELSE 'done' END
  FROM generate_series(1, 200000) g;
CREATE INDEX fresh_note_idx ON fresh (note);
CREATE INDEX fresh_n_idx ON fresh (n);                    -- 1,000 values: not low cardinality
CREATE INDEX fresh_flag_idx ON fresh (flag);              -- one value in every row
CREATE INDEX fresh_status_idx ON fresh (status);          -- 'done' in 99.5 % of the rows
CREATE INDEX fresh_status_partial ON fresh (status) WHERE status <> 'done';  -- partial: fine
ANALYZE fresh;

-- under the table threshold: 20,000 rows, 90 % deleted (1.3 MB)
CREATE TABLE small (id bigint PRIMARY KEY, note text NOT NULL);
INSERT INTO small SELECT g, 'note ' || g FROM generate_series(1, 20000) g;
DELETE FROM small WHERE id % 10 <> 0;

-- too few rows to matter: an index on a constant column of 5,000 rows
CREATE TABLE few (id int PRIMARY KEY, flag int NOT NULL DEFAULT 1);
INSERT INTO few (id) SELECT g FROM generate_series(1, 5000) g;
CREATE INDEX few_flag_idx ON few (flag);
VACUUM ANALYZE small, few;
"""


@pytest.fixture
def sick(pg_scratch: str) -> str:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        # one statement at a time: VACUUM cannot run in the transaction a script runs in
        for statement in re.split(r";[ \t]*(?:--[^\n]*)?\n", PATHOLOGIES):
            if statement.strip():
                conn.execute(statement)
    return pg_scratch


@pytest.fixture
def cfg(tmp_path: Path) -> HealthConfig:
    return config(tmp_path, THRESHOLDS)


def _review(url: str, cfg: HealthConfig) -> HealthReport:
    return api.health(url, config=cfg, checks=CHECKS)


def _findings(report: HealthReport) -> dict[tuple[str, str], HealthFinding]:
    return {(f.check, f.object): f for f in report.findings}


def _bytes(text: str) -> float:
    """The first size in ``text`` (``11.6 MB``, ``980 kB``, ``812 bytes``) in bytes."""
    m = re.search(r"([\d.]+) (GB|MB|kB|bytes)", text)
    assert m, text
    return float(m[1]) * {"GB": 1024**3, "MB": 1024**2, "kB": 1024, "bytes": 1}[m[2]]


def _install_pgstattuple(url: str) -> bool:
    """Create pgstattuple where the server has it (PostgreSQL 15 must: its contrib is
    installed); where it has not (the embedded server), show that CREATE EXTENSION fails.
    Was it created?"""
    with engine.connect(url, autocommit=True) as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pgstattuple'"
        ).fetchone()
        major = conn.info.server_version // 10000
        assert available or major != 15, "the PostgreSQL 15 server's contrib has no pgstattuple"
        if not available:
            with pytest.raises(psycopg.errors.FeatureNotSupported, match="is not available"):
                conn.execute("CREATE EXTENSION pgstattuple")
            return False
        conn.execute("CREATE EXTENSION pgstattuple")
        return True


EXPECTED = {
    "table-bloat": {"public.bloated"},
    "index-bloat": {"public.bloated_pkey", "public.bloated_note_idx"},
    "low-cardinality-index": {"public.fresh_flag_idx", "public.fresh_status_idx"},
}


def test_estimated_from_the_statistics(sick: str, cfg: HealthConfig) -> None:
    report = _review(sick, cfg)
    assert report.notes == ()
    found = by_check(report)
    assert {c: found[c] for c in CHECKS} == EXPECTED
    f = _findings(report)

    table = f["table-bloat", "public.bloated"]
    assert table.severity.value == "warning"
    assert re.fullmatch(
        r"[\d.]+ MB of [\d.]+ MB wasted \((8\d|9\d) %\), estimated from the statistics", table.value
    ), table.value
    assert table.threshold == ">= 4 MB wasted"
    assert table.fix == "VACUUM (FULL, ANALYZE) public.bloated;"
    assert "ACCESS EXCLUSIVE" in table.caveat and "Estimated from pg_class and pg_stats" in (
        table.caveat
    )

    index = f["index-bloat", "public.bloated_pkey"]
    assert index.value.endswith("estimated from the statistics"), index.value
    assert index.threshold == ">= 2 MB wasted"
    assert index.fix == "REINDEX INDEX CONCURRENTLY public.bloated_pkey;"
    assert "cannot run inside a transaction block" in index.caveat
    assert "primary key" in index.caveat and "free disk" in index.caveat

    flag = f["low-cardinality-index", "public.fresh_flag_idx"]
    assert flag.severity.value == "info"
    assert flag.value.startswith("flag = '1' in 100.0 % of ~200000 rows; "), flag.value
    assert flag.fix.splitlines() == [
        "DROP INDEX CONCURRENTLY public.fresh_flag_idx;",
        "-- if queries look up rare values the sample missed, index only those: CREATE INDEX "
        "CONCURRENTLY fresh_flag_idx_rare ON public.fresh (flag) WHERE flag <> '1'::integer;",
    ]
    status = f["low-cardinality-index", "public.fresh_status_idx"]
    assert re.match(r"status = 'done' in 99\.\d % of ~200000 rows", status.value), status.value
    assert status.fix.splitlines() == [
        "CREATE INDEX CONCURRENTLY fresh_status_idx_rare ON public.fresh (status) "
        "WHERE status <> 'done'::text;",
        "DROP INDEX CONCURRENTLY public.fresh_status_idx;",
    ]


# PostgreSQL 15 only: the embedded server has no pgstattuple to measure with
@pytest.mark.parametrize("pg_scratch", ["pg15"], indirect=True)
def test_measured_by_pgstattuple_agrees_with_the_estimate(sick: str, cfg: HealthConfig) -> None:
    """With pgstattuple installed the same relations are reported, measured, and the
    estimates are within TOLERANCE of the measurements; the session still writes nothing.
    On PostgreSQL 15 only: the embedded PostgreSQL 16 is a build without the contrib modules,
    so pgstattuple cannot be created there (the other tests show what it reports instead)."""
    estimated = _findings(_review(sick, cfg))
    assert _install_pgstattuple(sick)
    report = _review(sick, cfg)
    assert report.notes == ()
    found = by_check(report)
    assert {c: found[c] for c in CHECKS} == EXPECTED
    measured = _findings(report)
    assert measured["table-bloat", "public.bloated"].value.endswith(
        "measured by pgstattuple_approx"
    )
    assert "Measured by pgstattuple_approx" in measured["table-bloat", "public.bloated"].caveat
    for key in (("index-bloat", "public.bloated_pkey"), ("index-bloat", "public.bloated_note_idx")):
        assert measured[key].value.endswith("measured by pgstatindex"), measured[key].value
    for key, f in measured.items():
        if key[0] != "low-cardinality-index":
            guess, seen = _bytes(estimated[key].value), _bytes(f.value)
            assert abs(guess - seen) <= TOLERANCE * seen, (key, estimated[key].value, f.value)

    # measuring writes nothing either: no transaction id, still read only
    with SESSIONS["postgres"](databases.target(sick), cfg) as probe:
        for check_id in CHECKS:
            assert list(ALL[check_id].fn(probe))
        assert probe.conn.execute("SELECT txid_current_if_assigned()").fetchone()[0] is None


def _size(conn: psycopg.Connection, relation: str) -> int:
    return int(conn.execute("SELECT pg_relation_size(%s::regclass)", [relation]).fetchone()[0])


def test_the_fixes_run_reclaim_what_was_reported_and_clear_the_findings(
    sick: str, cfg: HealthConfig
) -> None:
    """REINDEX CONCURRENTLY (autocommit) for each index, then VACUUM FULL for the table: each
    gives back about what the estimate said (and pgstattuple measured, where the server has
    it: not the embedded one), and nothing is left to report. The low-cardinality fixes (a
    DROP; a partial index on the rare values, then the DROP) run too."""
    estimated = _findings(_review(sick, cfg))
    if _install_pgstattuple(sick):
        measured = _findings(_review(sick, cfg))
    else:  # the embedded server: estimated, as before
        assert _findings(_review(sick, cfg)) == estimated
        measured = estimated
    for key, found in measured.items():
        if key[0] != "low-cardinality-index":
            assert ("measured by" in found.value) == (measured is not estimated), found.value
    with engine.connect(sick, autocommit=True) as conn:
        for key in sorted(measured, key=lambda k: k[0] != "index-bloat"):
            relation = key[1]
            before = _size(conn, relation) if key[0] != "low-cardinality-index" else 0
            for statement in measured[key].fix.splitlines():
                if not statement.startswith("--"):
                    conn.execute(statement)
            if key[0] == "low-cardinality-index":
                continue
            reclaimed = before - _size(conn, relation)
            for found in (estimated[key], measured[key]):
                wasted = _bytes(found.value)
                assert abs(wasted - reclaimed) <= TOLERANCE * reclaimed, (found.value, reclaimed)
        rare = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'fresh_status_idx_rare'"
        ).fetchone()
        assert rare == (
            "CREATE INDEX fresh_status_idx_rare ON public.fresh USING btree (status) "
            "WHERE (status <> 'done'::text)",
        )
        conn.execute("ANALYZE fresh")
    again = _review(sick, cfg)
    assert again.findings == () and again.notes == ()


@pytest.fixture
def monitor(sick: str) -> Iterator[str]:
    with monitor_role(sick) as url:
        yield url


def test_a_pg_monitor_role_measures_with_pgstattuple_or_says_what_it_needs(
    sick: str, monitor: str, cfg: HealthConfig
) -> None:
    """pg_stats shows a pg_monitor role no column: without pgstattuple it cannot check the
    large relations and says so, once per check, with what to install or grant; with
    pgstattuple (pg_monitor may run it) it reports what the owner does. The cardinality check
    has nothing to measure with: its note stays. On the embedded server, which has no
    pgstattuple, the notes say to install the contrib modules before CREATE EXTENSION, and
    stay."""
    report = _review(monitor, cfg)
    assert report.findings == ()
    notes = {n.split(":")[0]: n for n in report.notes}
    assert len(report.notes) == 3
    with engine.connect(sick) as conn:
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pgstattuple'"
        ).fetchone()
        major = conn.info.server_version // 10000
    create = "CREATE EXTENSION pgstattuple (a pg_monitor role may run it) to measure them"
    remedy = (
        create
        if available
        else f"install PostgreSQL {major}'s contrib modules on the server (pgstattuple is not "
        f"installed there; e.g. the postgresql-contrib package), then {create}"
    )
    # the same note on both servers but for what to install first
    unread = (
        "whose statistics the role may not read (pg_stats shows only the columns it may "
        f"SELECT): {remedy}, or GRANT SELECT on them"
    )
    assert notes["table-bloat"] == (
        f"table-bloat: 2 tables of at least 4 MB not checked: 2 {unread}"
    )
    assert notes["index-bloat"] == (
        f"index-bloat: 4 indexes of at least 2 MB not checked: 4 {unread}"
    )
    assert notes["low-cardinality-index"].startswith(
        "low-cardinality-index: 6 one-column indexes on tables of at least 10000 rows not "
        "checked: 6 whose column's statistics the role may not read"
    )

    if not _install_pgstattuple(sick):  # the embedded server: nothing to measure with
        assert _review(monitor, cfg).notes == report.notes
    else:
        as_monitor, as_owner = _review(monitor, cfg), _review(sick, cfg)
        assert {c: by_check(as_monitor)[c] for c in CHECKS} == {
            "table-bloat": EXPECTED["table-bloat"],
            "index-bloat": EXPECTED["index-bloat"],
            "low-cardinality-index": set(),
        }
        mine = _findings(as_monitor)
        for key, f in _findings(as_owner).items():
            if key[0] != "low-cardinality-index":
                assert mine[key].value == f.value
        assert [n.split(":")[0] for n in as_monitor.notes] == ["low-cardinality-index"]


def test_under_the_default_thresholds_nothing_is_reported(sick: str) -> None:
    """At the defaults (100 MB) these few MB are no finding and, as there is nothing that
    large, no note either, also for a pg_monitor role."""
    report = api.health(sick, checks=CHECKS)
    assert [f.object for f in report.findings if f.check != "low-cardinality-index"] == []
    with monitor_role(sick) as url:
        as_monitor = api.health(url, checks=["table-bloat", "index-bloat"])
    assert as_monitor.findings == () and as_monitor.notes == ()
