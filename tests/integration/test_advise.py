"""``dbdesign advise`` on a real PostgreSQL 15 with HypoPG: planted needs found, nothing built.

The scratch database holds an application's tables with data whose shape makes each planted
need real (a selective foreign key, a case-insensitive e-mail lookup, a rare status read
newest first), two indexes no plan needs (a duplicate, one never used), and a workload file
weighting each query. The advice must name an index for each need, serve the queries it says,
lower their estimated cost, stay within the budget, propose the useless indexes for removal,
and leave the database exactly as it was: no index, no object, no hypothetical index visible
afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api, engine
from dbdesign.advise.report import sql as advice_sql
from tests.conftest import server_url

SCHEMA = """
CREATE EXTENSION hypopg;
CREATE EXTENSION pg_stat_statements;
CREATE TABLE customers (
  id bigint PRIMARY KEY, email text NOT NULL, country text NOT NULL,
  created_at timestamptz NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,
  status text NOT NULL, total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL,
  note text);
CREATE INDEX orders_note_idx ON orders (note);
CREATE INDEX orders_status_idx ON orders (status);
CREATE INDEX orders_status_again_idx ON orders (status);
INSERT INTO customers
  SELECT i, 'User' || i || '@Example.com', (ARRAY['de','fr','us','jp'])[1 + i % 4],
         '2024-01-01'::timestamptz + i * interval '1 minute'
  FROM generate_series(1, 20000) i;
INSERT INTO orders
  SELECT i, 1 + (i * 7919) % 20000,
         CASE WHEN i % 100 = 0 THEN 'pending' WHEN i % 3 = 0 THEN 'shipped' ELSE 'delivered' END,
         (i % 500) + 0.99, '2024-01-01'::timestamptz + i * interval '10 seconds', NULL
  FROM generate_series(1, 200000) i;
"""

WORKLOAD = """\
-- calls: 1000
SELECT id, status, total FROM orders WHERE customer_id = $1;
-- calls: 500
SELECT id FROM customers WHERE lower(email) = lower($1);
-- calls: 100
SELECT id, total FROM orders WHERE status = 'pending' ORDER BY created_at DESC LIMIT 50;
-- calls: 20
SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = $1
  AND o.created_at >= $2 AND o.created_at < $3;
-- calls: 50
INSERT INTO orders (id, customer_id, status, total, created_at)
  VALUES ($1, $2, 'pending', $3, now());
"""


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    with engine.scratch_database(server_url("pg15")) as url:
        with engine.connect(url, autocommit=True) as c:
            c.execute(SCHEMA)
            c.execute("VACUUM ANALYZE customers")
            c.execute("VACUUM ANALYZE orders")
        yield url


@pytest.fixture(scope="module")
def workload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("advise") / "queries.sql"
    p.write_text(WORKLOAD)
    return p


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "advise", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _objects(url: str) -> list[Any]:
    with engine.connect(url) as c:
        return c.execute(
            "select relname, relkind from pg_class where relnamespace = 'public'::regnamespace "
            "order by 1"
        ).fetchall()


@pytest.fixture(scope="module")
def advice(shop: str, workload: Path) -> Any:
    before = _objects(shop)
    result = api.advise(str(workload), shop)
    assert _objects(shop) == before, "advise changed the database"
    return result


def _ddl(advice: Any) -> list[str]:
    return [ix.ddl for ix in advice.indexes]


def _served(advice: Any, needle: str) -> Any:
    """The advised index whose definition holds ``needle`` (exactly one)."""
    found = [ix for ix in advice.indexes if needle in ix.ddl]
    assert len(found) >= 1, f"no advised index with {needle!r}: {_ddl(advice)}"
    return found[0]


def test_each_planted_need_gets_an_index_that_serves_its_query(advice: Any) -> None:
    by_customer = _served(advice, "(customer_id")
    email = _served(advice, "lower(email)")
    labels = {advice.queries[s.query].label.rsplit(":", 2)[-2] for s in by_customer.serves}
    assert "2" in labels, by_customer  # the first query, on line 2
    assert any(advice.queries[s.query].label.endswith(":4:1") for s in email.serves)
    for ix in (by_customer, email):
        for s in ix.serves:
            assert s.after < s.before / 2, (ix.ddl, s)


def test_the_rare_status_read_newest_first_is_served_by_a_matching_index(advice: Any) -> None:
    q = next(i for i, q in enumerate(advice.queries) if "'pending' ORDER BY" in q.sql)
    cost = advice.queries[q]
    assert cost.indexes, "the pending-orders query uses no advised index"
    ix = next(i for i in advice.indexes if i.name in cost.indexes)
    assert "created_at" in ix.ddl and ("status" in ix.ddl), ix.ddl
    assert cost.after < cost.before / 10


def test_workload_cost_falls_and_write_cost_is_counted(advice: Any) -> None:
    assert advice.cost_after < advice.cost_before
    assert advice.relative_cost < 0.5
    # the INSERT (50 calls) pays for every new index on orders
    assert advice.write_overhead > 0
    assert any(ix.write_cost > 0 for ix in advice.indexes if ix.candidate.table.endswith("orders"))


def test_useless_indexes_are_proposed_for_removal_and_constraints_never(advice: Any) -> None:
    gone = {r.index: r.reason for r in advice.removals}
    assert "public.orders_note_idx" in gone, gone
    # one of the two identical status indexes goes, the other stays
    assert ("public.orders_status_idx" in gone) != ("public.orders_status_again_idx" in gone)
    assert not any(name.endswith("_pkey") for name in gone)


def test_a_budget_is_respected(shop: str, workload: Path, advice: Any) -> None:
    small = min(ix.size_bytes for ix in advice.indexes)
    tight = api.advise(str(workload), shop, budget_bytes=small)
    assert tight.size_bytes <= small
    assert len(tight.indexes) <= 1
    assert tight.cost_after >= advice.cost_after


def test_the_sql_format_is_a_migration_the_migration_lint_accepts(
    advice: Any, tmp_path: Path
) -> None:
    text = advice_sql(advice)
    assert text.count("CREATE INDEX CONCURRENTLY") == len(advice.indexes)
    assert "DROP INDEX CONCURRENTLY IF EXISTS public.orders_note_idx" in text
    path = tmp_path / "0002_advised.up.sql"
    path.write_text(text)
    report = api.lint_migrations([str(path)])
    assert [f for f in report.findings if f.severity.value == "error"] == [], report


def test_the_advised_indexes_build_and_the_planner_uses_them(shop: str, advice: Any) -> None:
    """Built for real (in a transaction rolled back), each advised index is used by the
    plan of a query it claims to serve."""
    with engine.connect(shop) as c, c.transaction(force_rollback=True):
        for ix in advice.indexes:
            c.execute(ix.candidate.ddl(ix.name))
        c.execute("ANALYZE orders")
        c.execute("ANALYZE customers")
        for ix in advice.indexes:
            s = ix.serves[0]
            q = advice.queries[s.query].sql
            nparams = q.count("$")
            c.execute("DEALLOCATE ALL")
            c.execute(f"PREPARE q AS {q}")
            c.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            args = ", ".join(["NULL"] * nparams)
            plan = c.execute(f"EXPLAIN (FORMAT JSON) EXECUTE q{f'({args})' if args else ''}")
            text = json.dumps(plan.fetchone()[0])
            assert ix.name in text, (ix.ddl, q, text)


def test_cli_json_and_sql_formats(shop: str, workload: Path) -> None:
    r = cli(str(workload), "--db", shop, "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["indexes"] and data["cost_after"] < data["cost_before"]
    assert all(i["ddl"].startswith("CREATE INDEX CONCURRENTLY") for i in data["indexes"])
    r = cli(str(workload), "--db", shop, "-f", "sql")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("-- dbdesign: no-transaction")


def test_without_hypopg_it_says_what_is_missing_and_builds_nothing(
    pg_scratch: str, tmp_path: Path
) -> None:
    with engine.connect(pg_scratch, autocommit=True) as c:
        c.execute("CREATE TABLE t (a int)")
    wl = tmp_path / "q.sql"
    wl.write_text("SELECT * FROM t WHERE a = 1;\n")
    r = cli(str(wl), "--db", pg_scratch)
    assert r.returncode == 2, r.stderr
    assert "CREATE EXTENSION hypopg" in r.stderr
    assert "Traceback" not in r.stderr
    assert _objects(pg_scratch) == [("t", "r")]


@pytest.mark.parametrize("budget", ["lots", "-1GB", "1XB"])
def test_a_bad_budget_is_a_usage_error(budget: str, workload: Path) -> None:
    r = cli(str(workload), "--budget", budget)
    assert r.returncode == 2, r.stderr
    assert "--budget" in r.stderr and "Traceback" not in r.stderr


@pytest.fixture(scope="module")
def copy(shop: str, advice: Any) -> Iterator[str]:
    """A scratch copy of the shop database (CREATE DATABASE ... TEMPLATE), dropped after."""
    base, _, name = shop.rpartition("/")
    copy_name = f"{name}_copy"
    with engine.connect(shop.rpartition("/")[0] + "/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
    try:
        yield f"{base}/{copy_name}"
    finally:
        with engine.connect(shop.rpartition("/")[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE "{copy_name}" WITH (FORCE)')


def test_verify_builds_on_the_copy_measures_and_leaves_it_as_it_was(
    shop: str, workload: Path, copy: str
) -> None:
    before = _objects(copy)
    result = api.advise(str(workload), shop, verify=copy)
    v = result.verification
    assert v is not None and len(v.indexes) == len(result.indexes)
    assert v.cost_after < v.cost_before / 2
    for b in v.indexes:
        # the estimate from column statistics is within a factor of 1.5 of the built size
        assert b.built_bytes / 1.5 <= b.estimated_bytes <= b.built_bytes * 1.5, b
    assert _objects(copy) == before, "the copy keeps the indexes built to verify"


def test_verify_refuses_the_advised_database_itself(shop: str, workload: Path) -> None:
    before = _objects(shop)
    r = cli(str(workload), "--db", shop, "--verify", shop)
    assert r.returncode == 2, r.stderr
    assert "scratch copy" in r.stderr
    assert _objects(shop) == before


def test_pg_stat_statements_gives_the_workload_the_test_ran(shop: str) -> None:
    """The machine's PostgreSQL 15 preloads pg_stat_statements (the test set-up): queries run
    here are read back grouped, weighted by their calls, and advised on."""
    with engine.connect(shop) as c:
        # only what this test runs: the fixture's bulk INSERT of 200,000 rows, when the
        # server still holds it, makes every index on orders cost more than it saves
        c.execute(
            "SELECT pg_stat_statements_reset(0, "
            "(SELECT oid FROM pg_database WHERE datname = current_database()), 0)"
        )
        for i in range(1, 41):
            c.execute("SELECT id, total FROM orders WHERE customer_id = %s AND total > 1", (i,))
        c.commit()
    result = api.advise("pg_stat_statements", shop)
    ran = [q for q in result.queries if "customer_id" in q.sql and "total >" in q.sql]
    assert len(ran) == 1 and ran[0].calls >= 40, [(q.sql, q.calls) for q in result.queries]
    assert "$1" in ran[0].sql
    assert any("(customer_id" in name or "customer_id" in name for name in ran[0].indexes), ran


def test_a_batch_hypopg_refuses_leaves_no_stray_hypothetical_index(shop: str) -> None:
    """HypoPG's indexes live in the session's memory, which a rollback to a savepoint does not
    undo: the ones a failed batch made before the refused one must be dropped, or every later
    plan uses them (advise's estimates on TPC-DS were 10 points better than the truth)."""
    from dbdesign.advise.candidates import Candidate
    from dbdesign.advise.whatif import WhatIf
    from dbdesign.errors import UnsupportedError

    good = Candidate("public.orders", ("status",))
    bad = Candidate("public.orders", ("total",), where="nosuch.total > 0")
    with engine.connect(shop) as c, c.cursor() as cur:
        wi = WhatIf(cur, ["select id from orders where status = 'pending'"], 150000)
        by_name = wi.add_many([good, bad, Candidate("public.orders", ("created_at",))])
        assert set(by_name.values()) == {good, Candidate("public.orders", ("created_at",))}
        cur.execute("select count(*) from hypopg()")
        assert cur.fetchone() == (2,)
        with pytest.raises(UnsupportedError, match="HypoPG refused"):
            wi.add(bad)  # remembered: not sent again
        wi.close()
        cur.execute("select count(*) from hypopg()")
        assert cur.fetchone() == (0,)
        c.rollback()


def test_a_fixed_predicate_under_an_alias_becomes_a_partial_index_on_the_column(
    shop: str, tmp_path: Path
) -> None:
    wl = tmp_path / "aliased.sql"
    wl.write_text(
        "SELECT o.id, o.total FROM orders AS o WHERE o.status = 'pending' "
        "ORDER BY o.created_at DESC LIMIT 50;\n"
    )
    advice = api.advise(str(wl), shop)
    partial = [ix.ddl for ix in advice.indexes if " WHERE " in ix.ddl]
    assert partial and all("WHERE status = 'pending'" in d for d in partial), _ddl(advice)


def test_a_query_is_planned_again_only_when_an_index_that_may_serve_it_changes(shop: str) -> None:
    from dbdesign.advise.candidates import Candidate
    from dbdesign.advise.stats import read_catalog
    from dbdesign.advise.usage import usage
    from dbdesign.advise.whatif import WhatIf

    sql = "select id, total from orders where customer_id = 42"
    with engine.connect(shop) as c, c.cursor() as cur:
        catalog = read_catalog(cur, {("", "orders")})
        wi = WhatIf(cur, [sql], catalog.server_version, [usage(sql, catalog).tables])
        base = wi.cost(0)
        by_customer = Candidate("public.orders", ("customer_id",))
        wi.add(by_customer)
        served = wi.cost(0)
        assert served.cost < base.cost / 10 and wi.explains == 2
        wi.add(Candidate("public.orders", ("created_at",)))  # no plan of it can use this one
        assert wi.cost(0) == served and wi.explains == 2
        # one that covers what it reads may serve it as a whole index-only scan: planned
        wi.add(Candidate("public.orders", ("status",), include=("id", "total", "customer_id")))
        wi.cost(0)
        assert wi.explains == 3
        wi.remove(by_customer)
        wi.cost(0, fresh=True)
        assert wi.explains == 4
        wi.close()
        c.rollback()


def test_each_query_carries_query_lint_findings_in_text_and_json(shop: str, tmp_path: Path) -> None:
    wl = tmp_path / "smelly.sql"
    wl.write_text(
        "SELECT * FROM orders WHERE customer_id NOT IN "
        "(SELECT id FROM customers WHERE country = 'de') LIMIT 10;\n"
        "SELECT id FROM customers WHERE email = $1;\n"
    )
    advice = api.advise(str(wl), shop)
    smelly, clean = advice.queries
    assert {"QRY001", "QRY003"} <= {f.code for f in smelly.findings}, smelly.findings
    assert clean.findings == ()
    r = cli(str(wl), "--db", shop, "--format", "json")
    assert r.returncode == 0, r.stderr
    codes = [f["code"] for f in json.loads(r.stdout)["queries"][0]["findings"]]
    assert "QRY003" in codes
    text = cli(str(wl), "--db", shop).stdout
    assert "QRY003" in text and "NOT EXISTS" in text
