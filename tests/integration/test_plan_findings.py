"""``explain`` names each problem planted in a set of deliberately bad queries, on the embedded
PostgreSQL 16 and the machine's PostgreSQL 15, and the fix it gives removes the finding.

One scratch database per server holds every planted table (loaded once for the module). Each
planted query runs under the settings that make it bad (work_mem at its minimum ...), set on
the session and reset afterwards; a fix that changes the database (an index, extended
statistics, a VACUUM) is run as the finding spells it, the query explained again, and what the
fix made is dropped.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest

from dbdesign.advise import explain
from dbdesign.advise.explain import plan_findings
from dbdesign.databases.plans import QueryPlan
from dbdesign.engine import connect, scratch_database
from dbdesign.lint.findings import Finding
from dbdesign.lint.plan import memory_kb, node_number, number_nodes
from tests.conftest import PG_SERVERS, server_url
from tests.pgload import load_sql

SETUP = """
CREATE TABLE corr (id int PRIMARY KEY, a int, b int, pad text);
INSERT INTO corr SELECT g, g % 100, g % 100, repeat('x', 40) FROM generate_series(1, 50000) g;
CREATE TABLE orders (id int PRIMARY KEY, customer_id int, status text, amount int);
INSERT INTO orders SELECT g, g % 20, CASE WHEN g % 1000 = 1 THEN 'open' ELSE 'done' END, g % 997
  FROM generate_series(1, 50000) g;
CREATE INDEX orders_customer ON orders (customer_id);
CREATE TABLE items (id int PRIMARY KEY, order_id int, qty int);
INSERT INTO items SELECT g, g % 25000, g % 7 FROM generate_series(1, 50000) g;
CREATE TABLE vis (id int PRIMARY KEY, customer_id int) WITH (autovacuum_enabled = false);
INSERT INTO vis SELECT g, g % 1000 FROM generate_series(1, 20000) g;
CREATE INDEX vis_customer ON vis (customer_id);
CREATE TABLE events (id int, kind int, pad text) WITH (fillfactor = 10);
INSERT INTO events SELECT g, (g * 7919) % 1000, repeat('x', 200) FROM generate_series(1, 6000) g;
CREATE INDEX events_kind ON events (kind);
CREATE TABLE visits (id int);
INSERT INTO visits SELECT g FROM generate_series(1, 1200) g;
CREATE TABLE prices (valid_from int, valid_to int, price int);
INSERT INTO prices SELECT g * 10, g * 10 + 9, g FROM generate_series(1, 1200) g;
DO $$ BEGIN FOR i IN 1..9 LOOP
  EXECUTE format('CREATE TABLE j%s (id int PRIMARY KEY, r int)', i);
  EXECUTE format('CREATE INDEX ON j%s (r)', i);
END LOOP; END $$;
ANALYZE;
"""
SMALL_MEMORY = {"work_mem": "64kB"}
# a parallel plan for any table, however small
FORCE_PARALLEL = dict.fromkeys(
    ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size"), "0"
) | {"max_parallel_workers_per_gather": "2"}
NINE_JOINS = "SELECT count(*) FROM j1 " + " ".join(
    f"JOIN j{i} ON j{i}.r = j1.id" for i in range(2, 10)
)


@dataclass(frozen=True)
class Planted:
    """A deliberately bad query: the finding it must produce (code, on the node labelled
    ``node``, or ``plan``), and how its fix is checked: ``"sql"`` runs the fix hint (CREATE
    INDEX, CREATE STATISTICS), ``"vacuum"`` the VACUUM it names, ``"work_mem"`` sets the
    work_mem it gives; ``fixed_by`` settings that are the fix (None: not checked here)."""

    name: str
    code: str
    query: str
    node: str
    settings: dict[str, str] = field(default_factory=dict)
    fix: str | None = None
    fixed_by: dict[str, str] | None = None
    servers: tuple[str, ...] = PG_SERVERS


PLANTED = [
    Planted("correlated columns", "PLN001", "SELECT * FROM corr WHERE a = 1 AND b = 1",
            "Seq Scan on public.corr", fix="sql"),
    Planted("filter after the index", "PLN002",
            "SELECT * FROM orders WHERE customer_id = 7 AND status = 'open'",
            "Heap Scan on public.orders", {"enable_seqscan": "off"}, fix="sql"),
    Planted("no index for a selective filter", "PLN003", "SELECT * FROM items WHERE order_id = 42",
            "Seq Scan on public.items", fix="sql"),
    Planted("sort on disk", "PLN004", "SELECT * FROM corr ORDER BY pad, id", "Sort",
            SMALL_MEMORY, fix="work_mem"),
    # a merge join of the two keys wins once autovacuum has set the visibility map: planted
    # as a hash join whatever autovacuum has done
    Planted("hash on disk", "PLN004", "SELECT count(*) FROM corr c1 JOIN corr c2 USING (id)",
            "Hash", {**SMALL_MEMORY, "enable_mergejoin": "off", "enable_nestloop": "off"},
            fix="work_mem"),
    Planted("hash aggregate on disk", "PLN004", "SELECT pad || id, count(*) FROM corr GROUP BY 1",
            "HashAggregate", {**SMALL_MEMORY, "enable_sort": "off"}, fix="work_mem"),
    Planted("heap fetches", "PLN005", "SELECT customer_id FROM vis WHERE customer_id < 200",
            "Index Only Scan using vis_customer on public.vis",
            {"enable_seqscan": "off", "enable_bitmapscan": "off"}, fix="vacuum"),
    Planted("range join rescanned", "PLN006",
            "SELECT count(*) FROM visits v JOIN prices p ON v.id BETWEEN p.valid_from "
            "AND p.valid_to", "Nested Loop"),
    Planted("lossy bitmap", "PLN007", "SELECT count(pad) FROM events WHERE kind < 900",
            "Bitmap Heap Scan on public.events",
            {**SMALL_MEMORY, "max_parallel_workers_per_gather": "0", "enable_seqscan": "off",
             "enable_indexscan": "off"}, fix="work_mem"),
    Planted("no parallel workers", "PLN008", "SELECT count(*) FROM corr", "Gather",
            {**FORCE_PARALLEL, "max_parallel_workers": "0"}),
    Planted("nine-way join", "PLN009", NINE_JOINS, "plan", {"join_collapse_limit": "9"},
            fixed_by={"join_collapse_limit": "1"}),
    Planted("JIT for a small query", "PLN010", "SELECT sum(a + b) FROM corr", "plan",
            {"jit": "on", "jit_above_cost": "0", "jit_inline_above_cost": "0",
             "jit_optimize_above_cost": "0"},
            fixed_by={"jit": "off"}, servers=("pg15",)),
]  # fmt: skip
IDS = [p.name for p in PLANTED]


@pytest.fixture(scope="module", params=PG_SERVERS)
def db(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(server id, the URL of a scratch database holding every planted table)."""
    with scratch_database(server_url(request.param)) as url:
        load_sql(url, SETUP)
        yield request.param, url


def _explain(url: str, p: Planted, extra: dict[str, str] | None = None) -> QueryPlan:
    with connect(url, autocommit=True) as conn:
        for k, v in {**p.settings, **(extra or {})}.items():
            conn.execute("SELECT set_config(%s, %s, false)", [k, v])
        return explain(conn, p.query)


def _found(url: str, p: Planted, plan: QueryPlan) -> list[Finding]:
    """The findings of ``p``'s rule on the node it planted the problem in."""
    nodes = number_nodes(plan)
    out = []
    for f in plan_findings(url, plan):
        n = node_number(f.object)
        label = "plan" if n is None else nodes[n - 1].node.label
        if f.code == p.code and (label == p.node or (p.node != "plan" and p.node in label)):
            out.append(f)
    return out


def _server(db: tuple[str, str], p: Planted) -> str:
    which, url = db
    if which not in p.servers:
        pytest.skip(f"{p.name}: planted on {', '.join(p.servers)} only ({which} has no JIT)")
    return url


@pytest.mark.parametrize("p", PLANTED, ids=IDS)
def test_explain_names_the_planted_problem(db: tuple[str, str], p: Planted) -> None:
    url = _server(db, p)
    plan = _explain(url, p)
    found = _found(url, p, plan)
    assert found, f"{p.name}: no {p.code} on {p.node}\n{plan.text()}"
    for f in found:
        assert f.message and f.fix_hint, f


@pytest.mark.parametrize("p", [p for p in PLANTED if p.fix or p.fixed_by], ids=lambda p: p.name)
def test_the_fix_removes_the_finding(db: tuple[str, str], p: Planted) -> None:
    url = _server(db, p)
    [finding, *_] = _found(url, p, _explain(url, p))
    extra: dict[str, str] = dict(p.fixed_by or {})
    with connect(url, autocommit=True) as conn:
        made = _objects(conn)
        if p.fix == "sql":
            assert finding.fix_hint.startswith("CREATE "), finding.fix_hint
            for statement in finding.fix_hint.rstrip(";").split("; "):
                conn.execute(statement)
        elif p.fix == "vacuum":
            conn.execute(finding.fix_hint.split(";")[0])
        elif p.fix == "work_mem":
            value = finding.fix_hint.split("'")[1]
            assert memory_kb(value) is not None, finding.fix_hint
            extra["work_mem"] = value
        try:
            plan = _explain(url, p, extra)
            assert not _found(url, p, plan), f"{p.name}: still there\n{plan.text()}"
        finally:
            for kind, name in sorted(_objects(conn) - made):
                drop = psycopg.sql.SQL("DROP {} {}")
                conn.execute(drop.format(psycopg.sql.SQL(kind), psycopg.sql.Identifier(name)))
            conn.execute("ANALYZE")


def _objects(conn: psycopg.Connection[Any]) -> set[tuple[str, str]]:
    """The indexes and extended statistics of the public schema."""
    rows = conn.execute(
        "SELECT 'INDEX', indexname FROM pg_indexes WHERE schemaname = 'public' "
        "UNION ALL SELECT 'STATISTICS', stxname FROM pg_statistic_ext "
        "WHERE stxnamespace = 'public'::regnamespace"
    ).fetchall()
    return {(str(k), str(n)) for k, n in rows}


def test_the_command_reports_them(db: tuple[str, str]) -> None:
    """``dbdesign explain`` prints the findings after the plan (text) or with it (JSON), and
    exits 1 with --fail-on warning."""
    _, url = db
    query = PLANTED[0].query
    r = _run("explain", query, "--db", url)
    assert r.returncode == 0, r.stderr
    plan_end = r.stdout.index("findings: ")
    assert "Seq Scan on public.corr" in r.stdout[:plan_end]
    report = r.stdout[plan_end:]
    assert "warning PLN001 row-misestimate: #1 Seq Scan on public.corr" in report
    assert "fix: CREATE STATISTICS" in report
    assert "warning PLN003" in report and "fix: CREATE INDEX CONCURRENTLY" in report
    r = _run("explain", query, "--db", url, "--format", "json", "--fail-on", "warning")
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    codes = {(f["code"], f["node"], tuple(f["path"])) for f in data["findings"]}
    assert ("PLN001", 1, ("Seq Scan on public.corr",)) in codes
    r = _run("explain", query, "--db", url, "--ignore", "PLN001", "--ignore", "PLN003")
    assert r.returncode == 0 and "findings: none" in r.stdout, r.stdout


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=120
    )
