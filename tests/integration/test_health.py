"""dbdesign health: each check on a pathology built on the real PostgreSQL 15 server
($DBDESIGN_TEST_PG_URL), the near misses it must not report, a clean database, the read-only
session, a role with only pg_monitor + CONNECT, and the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import psycopg
import pytest

from dbdesign import api, databases, engine
from dbdesign.health import CHECKS, HealthConfig
from dbdesign.health.registry import Probe, Symptom, check
from dbdesign.health.session import SESSIONS
from tests.conftest import server_url
from tests.integration.health_support import (
    ROLE,
    by_check,
    config,
    monitor_role,
    record_statements,
    run,
    unexplained,
)
from tests.paths import ROOT

POSTGRES_CHECKS = {k: c for k, c in CHECKS.items() if "postgres" in c.dialects}

PATHOLOGIES = """
CREATE TABLE items (
    id int PRIMARY KEY, code text, a int, b int, c int,
    CONSTRAINT items_code_key UNIQUE (code)
);
INSERT INTO items SELECT g, 'c' || g, g % 10, g % 7, g FROM generate_series(1, 2000) g;
CREATE INDEX items_c_idx ON items (c);                     -- unused, 2000 keys
CREATE INDEX items_a_idx ON items (a);                     -- a prefix of items_a_b_idx
CREATE INDEX items_a_b_idx ON items (a, b);
CREATE INDEX items_b_idx ON items (b);                     -- the same as items_b_copy
CREATE INDEX items_b_copy ON items (b);
CREATE INDEX items_a_partial ON items (a) WHERE c > 100;   -- partial: not covered
CREATE INDEX items_a_expr ON items ((a + 1));              -- expression: not covered
CREATE UNIQUE INDEX items_id_c_key ON items (id, c);       -- unique: not covered by ...
CREATE INDEX items_id_c_code_idx ON items (id, c, code);   -- ... a non-unique index

CREATE TABLE tiny (id int PRIMARY KEY, v int);
CREATE INDEX tiny_v_idx ON tiny (v);                       -- unused, but under the threshold

CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child_bad (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE TABLE child_ok (id int PRIMARY KEY, parent_id int REFERENCES parent, note text);
CREATE INDEX child_ok_parent_note_idx ON child_ok (parent_id, note);

CREATE TABLE nopk (x int);
INSERT INTO nopk VALUES (1), (1);
"""


@pytest.fixture
def sick(pg_scratch: str) -> str:
    """The scratch database with every pathology, and an invalid index from a really failed
    CREATE UNIQUE INDEX CONCURRENTLY (autocommit: it cannot run in a transaction)."""
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(PATHOLOGIES)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY nopk_x_key ON nopk (x)")
    return pg_scratch


def test_each_pathology_is_found_and_the_near_misses_are_not(sick: str, tmp_path: Path) -> None:
    report = api.health(sick, config=config(tmp_path, "unused_index_min_bytes = 16384"))
    found = by_check(report)
    assert unexplained(report.notes, recorded=False) == []

    unused = found["unused-index"]
    assert "public.items_c_idx" in unused
    # backing a constraint (unique, primary key) with 0 scans; under the threshold; invalid
    assert not unused & {"public.items_code_key", "public.items_pkey", "public.tiny_v_idx"}
    assert "public.nopk_x_key" not in unused

    assert found["duplicate-index"] == {"public.items_a_idx", "public.items_b_copy"}
    assert found["invalid-index"] == {"public.nopk_x_key"}
    assert found["fk-without-index"] == {"public.child_bad.child_bad_parent_id_fkey"}
    assert found["table-without-primary-key"] == {"public.nopk"}

    f = {(f.check, f.object): f for f in report.findings}
    c = f["unused-index", "public.items_c_idx"]
    assert c.value.startswith("0 scans, ") and c.threshold == "0 scans and >= 16 kB"
    assert c.fix.startswith("DROP INDEX CONCURRENTLY public.items_c_idx;")
    assert "statistics were reset" in c.caveat and "days ago" in c.caveat
    invalid = f["invalid-index", "public.nopk_x_key"]
    assert invalid.severity.value == "error"
    assert invalid.fix.splitlines()[0] == "DROP INDEX CONCURRENTLY public.nopk_x_key;"
    assert invalid.fix.splitlines()[-1] == (
        "CREATE UNIQUE INDEX CONCURRENTLY nopk_x_key ON public.nopk USING btree (x);"
    )
    assert "a prefix of public.items_a_b_idx" in f["duplicate-index", "public.items_a_idx"].value
    assert "the same as public.items_b_idx" in f["duplicate-index", "public.items_b_copy"].value
    fk = f["fk-without-index", "public.child_bad.child_bad_parent_id_fkey"]
    assert fk.fix == (
        "CREATE INDEX CONCURRENTLY child_bad_parent_id_idx ON public.child_bad (parent_id);"
    )


def test_the_fixes_run_and_leave_nothing_to_report(sick: str, tmp_path: Path) -> None:
    """Applying every fix (bar the unused index's) clears its finding: the SQL is real."""
    cfg = config(tmp_path, "unused_index_min_bytes = 16384")
    report = api.health(sick, config=cfg)
    with engine.connect(sick, autocommit=True) as conn:
        conn.execute("DELETE FROM nopk")
        for f in report.findings:
            if f.check != "unused-index":
                for statement in f.fix.split(";\n"):
                    if statement.strip() and not statement.startswith("--"):
                        conn.execute(statement.split("\n-- ")[0])
    again = by_check(api.health(sick, config=cfg))
    assert {k: v for k, v in again.items() if k != "unused-index" and v} == {}


def test_a_clean_database_gives_no_findings(pg_scratch: str) -> None:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        recorded = record_statements(conn)  # a database run as it should be
        conn.execute((ROOT / "examples" / "shop.sql").read_text())
    report = api.health(pg_scratch)
    assert report.findings == () and unexplained(report.notes, recorded) == []
    assert set(report.checks) == set(POSTGRES_CHECKS)


def test_the_session_is_read_only_by_construction(sick: str) -> None:
    target = databases.target(sick)
    with SESSIONS["postgres"](target, HealthConfig()) as probe:
        conn = probe.conn
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        assert conn.execute("SHOW default_transaction_read_only").fetchone()[0] == "on"
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "5s"
        assert conn.execute("SHOW lock_timeout").fetchone()[0] == "1s"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), conn.transaction():
            conn.execute("CREATE TABLE written (x int)")
        for chk in POSTGRES_CHECKS.values():
            list(chk.fn(probe))
        # no write of any kind: a transaction that writes is given a transaction id
        assert conn.execute("SELECT txid_current_if_assigned()").fetchone()[0] is None


def _changes_nothing(url: str, review: str) -> None:
    """A review through ``review`` leaves the database at ``url`` as it was: no DDL (an event
    trigger would record it), no catalog row or relation file changed, no row of data."""
    snapshot = "SELECT c.oid, c.relname, c.xmin::text, c.relfilenode FROM pg_class c ORDER BY c.oid"
    data = "SELECT (SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {} t)"
    with engine.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE writes (what text)")
        conn.execute(
            "CREATE FUNCTION log_write() RETURNS event_trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO writes VALUES (tg_tag); END $$"
        )
        conn.execute(
            "CREATE EVENT TRIGGER log_ddl ON ddl_command_start EXECUTE FUNCTION log_write()"
        )
        tables = ("items", "nopk", "parent", "child_bad", "tiny")
        before = conn.execute(snapshot).fetchall()
        rows = [conn.execute(data.format(t)).fetchone() for t in tables]
        report = api.health(review)
        assert report.findings  # it did review the pathologies
        assert conn.execute(snapshot).fetchall() == before
        assert [conn.execute(data.format(t)).fetchone() for t in tables] == rows
        assert conn.execute("SELECT count(*) FROM writes").fetchone()[0] == 0
        conn.execute("DROP EVENT TRIGGER log_ddl")


def test_a_review_changes_nothing(sick: str) -> None:
    _changes_nothing(sick, sick)


@pytest.fixture
def monitor(sick: str) -> Iterator[str]:
    with monitor_role(sick) as url:
        yield url


def test_a_pg_monitor_role_is_enough(sick: str, monitor: str, tmp_path: Path) -> None:
    cfg = config(tmp_path, "unused_index_min_bytes = 16384")
    with psycopg.connect(monitor) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == ROLE
        assert not conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
    as_monitor = api.health(monitor, config=cfg)
    as_owner = api.health(sick, config=cfg)
    # password hashes are for superusers' eyes only (pg_authid): the one check that says so
    assert unexplained(as_monitor.notes, recorded=False) == [
        "md5-password: the roles' password hashes were not read: pg_authid is readable by "
        "superusers only (run the review as a superuser to check them)"
    ]
    assert by_check(as_monitor) == by_check(as_owner)


def test_a_review_as_a_pg_monitor_role_changes_nothing(sick: str, monitor: str) -> None:
    _changes_nothing(sick, monitor)


def test_a_refused_query_is_a_note(monitor: str) -> None:
    @check("test-refused", "warning")
    def refused(probe: Probe) -> list[Symptom]:
        """Reads what only a superuser may (pg_authid)."""
        probe.conn.execute("SELECT rolpassword FROM pg_authid").fetchall()
        return []

    try:
        report = api.health(monitor, checks=["test-refused", "table-without-primary-key"])
    finally:
        del CHECKS["test-refused"]
    assert report.notes == (
        "test-refused: not checked: permission denied for table pg_authid (grant the role "
        "pg_monitor)",
    )
    assert {f.object for f in report.findings} == {"public.nopk"}


def test_the_docs_examples_run(
    sick: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/health.md: its Python block runs (on the scratch database) and its configuration
    is valid."""
    text = (ROOT / "docs" / "health.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", text, re.S)
    exec(compile(block.replace("postgresql://localhost/app", sick), "health.md", "exec"), {})
    assert "error invalid-index public.nopk_x_key" in capsys.readouterr().out
    (toml,) = re.findall(r"```toml\n(.*?)```", text, re.S)
    cfg = config(tmp_path, toml.split("\n", 1)[1])
    assert cfg.unused_index_min_bytes == 10 * 1024 * 1024 and cfg.fail_on.value == "warning"
    assert cfg.severity["table-without-primary-key"].value == "error"
    assert [str(p) for p in cfg.pools] == ["web=20x4", "worker=5x2"]


def test_every_check_is_documented() -> None:
    """Each registered check has a summary and a Why in its docstring and one row in
    docs/health.md's tables (id, severity, the servers it runs on), and the docs list no other
    check; every configuration key is in its table."""
    text = (ROOT / "docs" / "health.md").read_text()
    checks = text[text.index("## Checks") : text.index("## Configuration")]
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (\w+) \| ([a-z, ]+) \|", checks, re.M)
    documented = {i: (severity, servers) for i, severity, servers in rows}
    assert len(documented) == len(rows), "a check documented twice"
    assert documented.keys() == CHECKS.keys()
    short = {"postgres": "pg", "mysql": "my"}
    for chk in CHECKS.values():
        assert chk.summary and chk.why, chk.id
        servers = ", ".join(short[d] for d in sorted(chk.dialects, reverse=True))
        assert documented[chk.id] == (chk.severity.value, servers), chk.id
    keys = set(re.findall(r"`([a-z_]+)`", text[text.index("| key | default |") :]))
    assert {f.name for f in fields(HealthConfig)} <= keys


def test_cli(sick: str, tmp_path: Path) -> None:
    r = run(sick, cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # the invalid index is an error
    assert "error invalid-index: public.nopk_x_key" in r.stdout
    assert "  fix:\n    DROP INDEX CONCURRENTLY public.nopk_x_key;" in r.stdout
    assert "warning table-without-primary-key: public.nopk" in r.stdout

    r = run(sick, "--format", "json", "--check", "table-without-primary-key", cwd=tmp_path)
    assert r.returncode == 0, r.stderr  # a warning is under the default fail-on (error)
    out = json.loads(r.stdout)
    assert out["checks"] == ["table-without-primary-key"]
    assert [(f["check"], f["object"], f["severity"]) for f in out["findings"]] == [
        ("table-without-primary-key", "public.nopk", "warning")
    ]
    assert out["findings"][0]["fix"].startswith("ALTER TABLE public.nopk ADD COLUMN id")

    r = run(sick, "--check", "table-without-primary-key", "--fail-on", "warning", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.dbdesign.health]\nfail_on = "warning"\n')
    r = run(sick, "--check", "fk-without-index", cwd=tmp_path)
    assert r.returncode == 1 and "child_bad_parent_id_fkey" in r.stdout, r.stderr
    r = run(sick, "--check", "fk-without-index", "--fail-on", "error", cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_cli_bad_input(tmp_path: Path) -> None:
    secret = "hunter2-secret"
    r = run(f"postgresql://someone:{secret}@127.0.0.1:1/app", cwd=tmp_path)
    assert r.returncode == 2
    assert secret not in r.stdout + r.stderr
    assert r.stderr.startswith("dbdesign: error: cannot connect to postgresql://someone:***@")
    assert len(r.stderr.strip().splitlines()) == 1

    r = run(server_url("pg15"), "--check", "no-such-check", cwd=tmp_path)
    assert r.returncode == 2 and "unknown health check no-such-check" in r.stderr

    (tmp_path / "pyproject.toml").write_text("[tool.dbdesign.health]\nunused_index_min_mb = 1\n")
    r = run(server_url("pg15"), cwd=tmp_path)
    assert r.returncode == 2 and "unused_index_min_mb: unknown key" in r.stderr
