"""dbdesign health's reports on a real PostgreSQL 15 database: --save and --compare between two
reviews (a fixed finding is resolved, a new one is marked and alone fails the run), bad saved
files, the HTML page in headless Chromium (charts, filter, no console errors, offline), and
--pool parsing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbdesign import api, engine
from dbdesign.health import HealthReport
from dbdesign.health.html import render
from tests.integration.health_support import run
from tests.integration.test_docs_browser import CHROMIUM, FLAGS
from tests.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "health"

SICK = """
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent);
CREATE TABLE nopk (x int);
CREATE TABLE items (id int PRIMARY KEY, a int);
CREATE INDEX items_a_idx ON items (a);
CREATE INDEX items_a_copy ON items (a);
"""


@pytest.fixture
def sick(scratch: str) -> str:
    with engine.connect(scratch, autocommit=True) as conn:
        conn.execute(SICK)
    return scratch


CHECKS = ("--check", "fk-without-index", "--check", "duplicate-index", "--check")


def test_save_then_compare(sick: str, tmp_path: Path) -> None:
    saved = tmp_path / "week1.json"
    r = run(sick, *CHECKS, "table-without-primary-key", "--save", str(saved), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    first = json.loads(saved.read_text())
    assert first["format"] == "dbdesign-health" and first["taken_at"]
    assert {(f["check"], f["object"]) for f in first["findings"]} == {
        ("fk-without-index", "public.child.child_parent_id_fkey"),
        ("duplicate-index", "public.items_a_copy"),
        ("table-without-primary-key", "public.nopk"),
    }
    assert r.stdout.startswith("health of ")  # --save writes JSON; the output keeps its format
    with engine.connect(sick, autocommit=True) as conn:
        conn.execute("CREATE INDEX child_parent_id_idx ON child (parent_id)")  # fixed
        conn.execute("CREATE TABLE nopk2 (y int)")  # new

    r = run(sick, *CHECKS, "table-without-primary-key", "--compare", str(saved), cwd=tmp_path)
    assert r.returncode == 0, r.stderr  # warnings only, under the default fail-on
    assert "warning table-without-primary-key: public.nopk2 (new)" in r.stdout
    assert "warning table-without-primary-key: public.nopk\n" in r.stdout  # not new
    assert f"since {saved} (" in r.stdout and ": 1 new, 1 resolved" in r.stdout
    assert "  resolved: fk-without-index public.child.child_parent_id_fkey" in r.stdout

    # only the new finding fails the run: the duplicate index and nopk were there before
    args = ("--compare", str(saved), "--fail-on", "warning")
    r = run(sick, *CHECKS, "table-without-primary-key", *args, "--format", "json", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["comparison"]["new"] == [
        {"check": "table-without-primary-key", "object": "public.nopk2"}
    ]
    assert [f["object"] for f in out["comparison"]["resolved"]] == [
        "public.child.child_parent_id_fkey"
    ]
    with engine.connect(sick, autocommit=True) as conn:
        conn.execute("DROP TABLE nopk2")
    r = run(sick, *CHECKS, "table-without-primary-key", *args, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr  # old findings alone do not fail it
    r = run(sick, *CHECKS, "table-without-primary-key", "--fail-on", "warning", cwd=tmp_path)
    assert r.returncode == 1  # without --compare they do


def test_a_changed_value_shows_what_it_was(sick: str) -> None:
    before = api.health(sick, checks=["table-without-primary-key"])
    with engine.connect(sick, autocommit=True) as conn:
        conn.execute("INSERT INTO nopk SELECT g FROM generate_series(1, 5000) g")
        conn.execute("ANALYZE nopk")
    after = api.health(sick, checks=["table-without-primary-key"]).compared(before, "b.json")
    assert after.comparison is not None
    assert after.comparison.new == frozenset() and after.comparison.resolved == ()
    assert after.comparison.was == {
        ("table-without-primary-key", "public.nopk"): "no primary key (~0 rows)"
    }
    assert "(threshold: a primary key on every table, was: no primary key (~0 rows))" in (
        after.to_text()
    )


def test_a_saved_report_reads_back_equal(sick: str, tmp_path: Path) -> None:
    report = api.health(sick)
    path = tmp_path / "r.json"
    path.write_text(report.to_json())
    loaded = HealthReport.load(path)
    assert report.stats_days is not None and loaded.stats_days == round(report.stats_days, 1)
    assert replace(loaded, stats_days=report.stats_days) == report


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read saved health report: No such file or directory"),
        ("{not json", "not a saved health report: Expecting property name"),
        ('{"findings": []}', "not a saved health report (save one with dbdesign health URL"),
        ('{"format": "dbdesign-health", "checks": []}', "not a saved health report: KeyError"),
    ],
)
def test_a_bad_saved_report_is_one_clear_error(
    scratch: str, tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "saved.json"
    if content is not None:
        path.write_text(content)
    r = run(scratch, "--compare", str(path), cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith("dbdesign: error:") and message in r.stderr, r.stderr
    assert str(path) in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_save_writes_nothing_when_the_review_fails(tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text("keep me")
    r = run("postgresql://nobody:pw@127.0.0.1:1/app", "--save", str(saved), cwd=tmp_path)
    assert r.returncode == 2 and saved.read_text() == "keep me"
    assert list(tmp_path.iterdir()) == [saved]


@pytest.mark.parametrize("bad", ["web", "web=", "web=0x4", "web=20x", "=20", "web=twenty"])
def test_a_bad_pool_is_a_usage_error(scratch: str, tmp_path: Path, bad: str) -> None:
    r = run(scratch, "--pool", bad, cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "--pool" in r.stderr and "Traceback" not in r.stderr


def test_pools_from_the_command_line_replace_the_configured_ones(tmp_path: Path) -> None:
    from dbdesign.health.config import Pool, with_pools

    (tmp_path / "pyproject.toml").write_text(
        '[tool.dbdesign.health]\npools = { web = "20x4", worker = 5 }\n'
    )
    cfg = api.health_config(tmp_path / "pyproject.toml")
    assert cfg.pools == (Pool("web", 20, 4), Pool("worker", 5, 1))
    cfg = with_pools(cfg, ["web=10\u00d72", "cron=2*1"])
    assert cfg.pools == (Pool("worker", 5, 1), Pool("web", 10, 2), Pool("cron", 2, 1))
    assert sum(p.connections for p in cfg.pools) == 27


# --- the HTML page ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def test_the_html_report_in_a_browser(sick: str, tmp_path: Path, browser: Any) -> None:
    before = api.health(sick, checks=["table-without-primary-key", "fk-without-index"])
    with engine.connect(sick, autocommit=True) as conn:
        conn.execute('CREATE TABLE "<b>odd</b>" (v int)')  # a name that must be escaped
        conn.execute("CREATE INDEX child_parent_id_idx ON child (parent_id)")
        conn.execute("INSERT INTO nopk VALUES (1), (1)")
        with pytest.raises(psycopg.errors.UniqueViolation):  # an invalid index: an error
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY nopk_x_key ON nopk (x)")
    report = api.health(sick).compared(before, "before.json")
    page_file = tmp_path / "health.html"
    r = run(sick, "--format", "html", cwd=tmp_path)
    assert r.returncode == 1, r.stderr  # the invalid index
    assert r.stdout.startswith("<!doctype html>") and "<b>odd</b>" not in r.stdout
    page_file.write_text(render(report))

    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda q: requests.append(q.url) if not q.url.startswith("file:") else 0)
    page.goto(page_file.as_uri())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "health.png"), full_page=True)

    findings = page.locator("section.finding")
    assert findings.count() == len(report.findings) == 4
    severities = {f.severity.value for f in report.findings}
    # both charts: one stacked bar segment per (row, severity), each titled with its count
    by_area = page.locator(".chart").nth(0).locator("rect.bar")
    by_check = page.locator(".chart").nth(1).locator("rect.bar")
    area_rows = {(a, f.severity) for f in report.findings for a in [_area(f.check)]}
    check_rows = {(f.check, f.severity) for f in report.findings}
    assert by_area.count() == len(area_rows) and by_check.count() == len(check_rows)
    assert page.locator(".chart").nth(1).locator("text", has_text="duplicate-index").count() == 1

    odd = page.locator("section.finding", has_text="<b>odd</b>")
    assert odd.count() == 1 and odd.locator(".badge", has_text="new").count() == 1
    assert page.locator(".resolved", has_text="fk-without-index").count() == 1

    # the filter hides a severity's findings and counts what is shown
    assert severities == {"warning", "error"}
    page.locator(".filters input[value='warning']").uncheck()
    shown = len([f for f in report.findings if f.severity.value != "warning"])
    assert page.locator("section.finding:visible").count() == shown
    assert page.locator("#shown").inner_text() == str(shown)
    page.locator(".filters input[value='warning']").check()
    assert page.locator("section.finding:visible").count() == len(report.findings)

    fix = page.locator("section.finding", has_text="items_a_copy").locator("pre.fix")
    assert fix.inner_text() == "DROP INDEX CONCURRENTLY public.items_a_copy;"
    assert errors == [] and requests == []
    page.close()


def _area(check: str) -> str:
    from dbdesign.health import CHECKS

    return CHECKS[check].area
