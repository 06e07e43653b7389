"""``dbdesign mcp`` as an agent meets it: the real command started as a subprocess and driven over
stdio by the official MCP SDK's own client.

Every tool is listed and called and its result checked; a long design reports MCP progress
notifications; and what an agent must not be able to do — drop a table, run a second
statement, change data in a WITH, change its role or settings, call a function whose effect
a rollback does not undo, name a database by URL — is refused, each refusal checked by the
data, the catalog, the sequence, the other backends and the file system staying as they were
on the real PostgreSQL 15 (``$DBDESIGN_TEST_PG_URL``, a scratch database per test). Bad input
is a tool error and the server goes on serving.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from dbdesign import engine
from dbdesign.engine import connect
from tests.conftest import TEST_ROLES, server_url
from tests.mysqlload import mysql_server_url
from tests.paths import ROOT
from tests.pgload import load_sql

DDL = """
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (
  id int PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers,
  amount numeric(10,2) NOT NULL
);
INSERT INTO customers (email) SELECT 'c' || g || '@example.com' FROM generate_series(1, 50) g;
INSERT INTO orders SELECT g, g % 50 + 1, g * 1.5 FROM generate_series(1, 500) g;
CREATE SEQUENCE s;
SELECT nextval('s');
CREATE FUNCTION wipe() RETURNS int LANGUAGE sql AS 'DELETE FROM orders RETURNING 1';
CREATE FUNCTION kick(pid int) RETURNS bool LANGUAGE sql AS 'SELECT pg_terminate_backend(pid)';
CREATE EXTENSION hypopg;
ANALYZE;
"""  # noqa: E501
MARKER = Path("/tmp") / f"dbdesign-mcp-marker-{uuid.uuid4().hex}"
COMMAND = str(Path(sys.executable).with_name("dbdesign"))
SPEC = (ROOT / "examples" / "library.yaml").read_text()
PASSWORD = "Mcp-S3cret-Pa55word"


def state(url: str) -> tuple[object, ...]:
    """What must be the same after every refusal: the rows, the sequence, the catalog of the
    database (relations, functions, large objects, advisory locks), the roles, the marker
    file."""
    with connect(url, autocommit=True) as conn:
        data = conn.execute(
            "SELECT (SELECT count(*) FROM orders), (SELECT sum(amount) FROM orders), "
            "(SELECT count(*) FROM customers), (SELECT last_value FROM s), "
            "(SELECT is_called FROM s)"
        ).fetchone()
        catalog = conn.execute(
            "SELECT md5(string_agg(concat_ws(':', c.relname, c.relkind, c.relnatts), ',' "
            "ORDER BY c.relname)), count(*) FROM pg_class c "
            "WHERE c.relnamespace = 'public'::regnamespace"
        ).fetchone()
        other = conn.execute(
            "SELECT (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace), "
            "(SELECT count(*) FROM pg_largeobject_metadata), "
            "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()))"
        ).fetchone()
        roles = conn.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname <> ALL(%s)", [list(TEST_ROLES)]
        ).fetchone()
    return (data, catalog, other, roles, MARKER.exists())


@pytest.fixture
def app(scratch: str) -> str:
    load_sql(scratch, DDL)
    return scratch


def env(**extra: str) -> dict[str, str]:
    """The server's environment (the SDK passes only a few safe variables on its own)."""
    out = {"DBDESIGN_MCP_SCRATCH_URL": server_url("pg15"), **extra}
    if "DBDESIGN_EMBEDDED_DIR" in os.environ:
        out["DBDESIGN_EMBEDDED_DIR"] = os.environ["DBDESIGN_EMBEDDED_DIR"]
    return out


@asynccontextmanager
async def serving(tmp_path: Path, environ: dict[str, str], *args: str) -> AsyncIterator[Client]:
    """``dbdesign mcp ARGS`` as a subprocess (in ``tmp_path``: no project configuration),
    connected to by the SDK's client over stdio; its stderr must show no traceback."""
    params = StdioServerParameters(
        command=COMMAND, args=["mcp", *args], env=environ, cwd=str(tmp_path)
    )
    log = tmp_path / "server-stderr.txt"
    with log.open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=300) as c:
            yield c
    assert "Traceback" not in log.read_text(), log.read_text()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    anyio.run(scenario)


async def ok(c: Client, tool: str, args: dict[str, Any] | None = None, **kw: Any) -> Any:
    r: CallToolResult = await c.call_tool(tool, args or {}, **kw)
    assert not r.is_error, (tool, r.content)
    assert r.structured_content is not None
    return r.structured_content


async def refused(c: Client, tool: str, args: dict[str, Any]) -> str:
    r: CallToolResult = await c.call_tool(tool, args)
    assert r.is_error, (tool, args, r.structured_content)
    text = "\n".join(getattr(b, "text", "") for b in r.content)
    assert text
    return text


# --------------------------------------------------------------------------- every tool


def test_every_tool_answers(app: str, tmp_path: Path) -> None:
    before = state(app)

    async def scenario() -> None:
        async with serving(tmp_path, env(DBDESIGN_MCP_DATABASES=f"app={app}")) as c:
            listed = {t.name: t for t in (await c.list_tools()).tools}
            assert set(listed) == {
                "databases", "inspect", "lint", "rules", "diff", "spec_schema", "design",
                "docs", "explain", "health", "advise",
            }  # fmt: skip
            for t in listed.values():
                assert "Example input" in (t.description or ""), t.name
                assert t.output_schema is not None, t.name
                assert t.annotations is not None and t.annotations.read_only_hint, t.name

            dbs = await ok(c, "databases")
            assert dbs["databases"] == [{"name": "app", "dialect": "postgres"}]
            assert not dbs["urls_allowed"] and not dbs["analyze_writes_allowed"]

            live = await ok(c, "inspect", {"database": "app"})
            orders = next(t for t in live["tables"] if t["name"] == "public.orders")
            assert orders["primary_key"] == ["id"] and orders["rows"] == 500
            assert orders["foreign_keys"] == ["(customer_id) -> public.customers(id)"]
            assert live["source"] == "app" and app not in json.dumps(live)
            ddl = "CREATE TABLE t (id int PRIMARY KEY);"
            text = await ok(c, "inspect", {"sql": ddl, "full": True})
            assert [t["name"] for t in text["tables"]] == ["public.t"]
            origin = text["model"]["schema"]["tables"]["public.t"]["origin"]
            assert origin == {"file": "sql", "line": 1, "col": 14}

            lint = await ok(c, "lint", {"sql": "CREATE TABLE t (a int);"})
            assert "KEY001" in {f["code"] for f in lint["findings"]}
            assert {f["file"] for f in lint["findings"]} == {"sql"}
            migration = "CREATE INDEX orders_amount_idx ON orders (amount);"
            mig = await ok(c, "lint", {"kind": "migrations", "sql": migration, "database": "app"})
            assert any("CONCURRENTLY" in f["fix_hint"] for f in mig["findings"]), mig
            live_lint = await ok(c, "lint", {"database": "app"})
            assert live_lint["kind"] == "schema" and live_lint["rules_run"] > 0

            rules = await ok(c, "rules")
            assert len(rules["rules"]) > 50 and rules["rules"][0]["rationale"] is None
            one = await ok(c, "rules", {"code": "KEY001"})
            assert [r["code"] for r in one["rules"]] == ["KEY001"] and one["rules"][0]["rationale"]

            wanted = DDL.split("INSERT")[0].replace(
                "amount numeric(10,2) NOT NULL", "amount numeric(10,2) NOT NULL, note text"
            )
            diff = await ok(c, "diff", {"from_database": "app", "to_sql": wanted})
            assert not diff["empty"] and "ADD COLUMN note text" in diff["sql"]
            same = await ok(c, "diff", {"from_sql": wanted, "to_sql": wanted})
            assert same["empty"]

            spec_schema = await ok(c, "spec_schema")
            assert "entities" in json.dumps(spec_schema)

            docs = await ok(c, "docs", {"database": "app"})
            assert "index.md" in docs["files"] and "tables/public.orders.md" in docs["files"]
            assert "customer_id" in docs["files"]["tables/public.orders.md"]

            by_id = "SELECT * FROM orders WHERE id = %s"
            plan = await ok(c, "explain", {"database": "app", "sql": by_id, "params": [42]})
            assert plan["analyzed"] and "orders_pkey" in plan["indexes_used"][0]
            assert plan["database"] == "app"

            advice = await ok(c, "advise", {"database": "app", "queries": WORKLOAD})
            assert advice["database"] == "app" and "indexes" in advice["advice"]

            health = await ok(c, "health", {"database": "app"})
            assert health["database"] == "app" and health["report"]["checks"]

            templates = await c.list_resource_templates()
            uri = "dbdesign://database/{name}/schema.json"
            assert uri in {t.uri_template for t in templates.resource_templates}
            current = await c.read_resource(uri.format(name="app"))
            model = json.loads(getattr(current.contents[0], "text", ""))
            assert set(model["schema"]["tables"]) == {"public.customers", "public.orders"}

            prompt = await c.get_prompt("design-database", {"requirements": "a lending library"})
            first = prompt.messages[0].content
            assert "a lending library" in getattr(first, "text", "")

    run(scenario)
    assert state(app) == before


def test_design_reports_progress_and_keeps_its_outputs(tmp_path: Path) -> None:
    """A design proved on a scratch database of PostgreSQL 15 (dropped afterwards): progress
    notifications while it runs, the proof in the result, DESIGN.md and the schema as
    resources; no configured database at all."""

    async def scenario() -> None:
        async with serving(tmp_path, env()) as c:
            resources = await c.list_resources()
            assert {str(r.uri) for r in resources.resources} >= {
                "dbdesign://design/DESIGN.md", "dbdesign://design/schema.json",
            }  # fmt: skip
            seen: list[tuple[float, str | None]] = []

            async def progress(done: float, total: float | None, message: str | None) -> None:
                seen.append((done, message))

            before = databases_on_pg15()
            d = await ok(c, "design", {"spec": SPEC}, progress_callback=progress)
            assert databases_on_pg15() == before  # the scratch database is gone
            assert d["proved"] is True and d["proof"]["ok"] and d["proof_note"] is None
            assert d["proof"]["server"].startswith("PostgreSQL 15")
            assert "public.loans" in d["tables"]
            assert "CREATE TABLE" in d["migration_up"] and "DROP TABLE" in d["migration_down"]
            assert len(seen) >= 3 and any("applying" in (m or "") for _, m in seen), seen
            assert [n for n, _ in seen] == sorted(n for n, _ in seen)

            md = await c.read_resource("dbdesign://design/DESIGN.md")
            assert getattr(md.contents[0], "text", None) == d["design_md"]
            model = await c.read_resource("dbdesign://design/schema.json")
            data = json.loads(getattr(model.contents[0], "text", ""))
            assert (
                data["format"] == "dbdesign.schema" and "public.loans" in data["schema"]["tables"]
            )

            typo = "project: {name: x}\nentities:\n  a:\n    attributes: {b: {type: monye}}\n"
            bad = await refused(c, "design", {"spec": typo})
            assert "monye" in bad and "money" in bad
            plain = await ok(c, "design", {"spec": SPEC, "prove": False})
            assert plain["proved"] is None and plain["proof_note"] == "not proved: prove=false"

    run(scenario)


def databases_on_pg15() -> set[str]:
    with connect(server_url("pg15"), autocommit=True) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", ["%scratch%"])
        return {r[0] for r in rows}


# --------------------------------------------------------------------------- refusals

REFUSED = [
    "DROP TABLE orders",
    "SELECT 1; DROP TABLE orders",
    "SELECT 1; COMMIT; DELETE FROM orders",
    "WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x",
    "WITH x AS (UPDATE orders SET amount = 0 RETURNING 1) SELECT count(*) FROM x",
    "DELETE FROM orders",  # analyze of a write, without --allow-analyze-writes
    "SELECT * FROM orders WHERE id = 1 FOR UPDATE",  # row locks are a write
    "SET ROLE postgres",
    "SET default_transaction_read_only = off",
    "SET statement_timeout = 0",
    "RESET ALL",
    "SELECT set_config('transaction_read_only', 'off', true)",
    "SELECT pg_terminate_backend({victim})",
    "SELECT pg_cancel_backend({victim})",
    "SELECT pg_reload_conf()",
    "SELECT lo_create(0)",
    "SELECT lo_import('/etc/hostname')",
    f"SELECT lo_export(1, '{MARKER}')",
    "SELECT pg_read_file('/etc/hostname')",
    "SELECT pg_advisory_lock(1)",
    "SELECT pg_try_advisory_xact_lock(1)",
    "SELECT setval('s', 1000)",
    "SELECT nextval('s')",  # the session is read-only: the server refuses it
    "SELECT dblink_exec('dbname=postgres', 'DROP TABLE orders')",
    "SELECT wipe()",  # a function that deletes: the session is read-only
    "SELECT kick({victim})",  # a function of the database's own around pg_terminate_backend
    f"COPY (SELECT 1) TO PROGRAM 'touch {MARKER}'",
    "CREATE TABLE y AS SELECT 1",
    "SELECT 1 INTO y",
    "DO $$BEGIN DELETE FROM orders; END$$",
    "CALL nothing()",
    "VACUUM orders",
    "PREPARE p AS DELETE FROM orders",
    "TRUNCATE orders",
    "LOCK TABLE orders",
    "NOTIFY c",
]


def test_explain_refuses_and_nothing_changes(app: str, tmp_path: Path) -> None:
    victim = connect(app, autocommit=True)
    pid = victim.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
    before = state(app)

    async def scenario() -> None:
        async with serving(tmp_path, env(DBDESIGN_MCP_DATABASES=f"app={app}")) as c:
            for sql in REFUSED:
                await refused(c, "explain", {"database": "app", "sql": sql.format(victim=pid)})
                assert state(app) == before, sql
            # a function of the database's own that terminates a backend: not run, planned
            kick = {"database": "app", "sql": f"SELECT kick({pid})"}
            assert "kick(), a VOLATILE function" in await refused(c, "explain", kick)
            assert not (await ok(c, "explain", {**kick, "analyze": False}))["analyzed"]
            # the server kept serving through every refusal
            count = "SELECT count(*) FROM orders"
            fine = await ok(c, "explain", {"database": "app", "sql": count})
            assert fine["analyzed"]
            # a data-changing statement gets its plan, never run
            delete = {"database": "app", "sql": "DELETE FROM orders", "analyze": False}
            plan = await ok(c, "explain", delete)
            assert not plan["analyzed"] and "Delete on public.orders" in plan["plan"]
            cte = "WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x"
            plan = await ok(c, "explain", {"database": "app", "sql": cte, "analyze": False})
            assert not plan["analyzed"]

    try:
        run(scenario)
        assert state(app) == before
        assert victim.execute("SELECT 1").fetchone() == (1,)  # not terminated
    finally:
        victim.close()
    assert not MARKER.exists()


def test_analyze_of_writes_when_allowed_is_rolled_back(app: str, tmp_path: Path) -> None:
    before = state(app)

    async def scenario() -> None:
        environ = env(DBDESIGN_MCP_DATABASES=f"app={app}")
        async with serving(tmp_path, environ, "--allow-analyze-writes") as c:
            dbs = await ok(c, "databases")
            assert dbs["analyze_writes_allowed"]
            for sql in (
                "DELETE FROM orders",
                "WITH x AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM x",
                "UPDATE orders SET amount = 0 WHERE id < 100",
            ):
                p = await ok(c, "explain", {"database": "app", "sql": sql})
                assert p["analyzed"], sql
                assert state(app) == before, sql
            # nextval beside a write would move the sequence for good: refused
            beside = "WITH x AS (DELETE FROM orders RETURNING 1) SELECT nextval('s')"
            msg = await refused(c, "explain", {"database": "app", "sql": beside})
            assert "nextval" in msg
            # still one statement, still no DDL, still no SET
            for sql in ("SELECT 1; DROP TABLE orders", "DROP TABLE orders", "SET ROLE postgres"):
                await refused(c, "explain", {"database": "app", "sql": sql})
            assert state(app) == before

    run(scenario)


WORKLOAD = """
-- calls: 5000
SELECT id, amount FROM orders WHERE amount > 700 ORDER BY amount LIMIT 10;
SELECT * FROM orders WHERE customer_id = 7;
"""


def test_advise_uses_hypothetical_indexes_only(app: str, tmp_path: Path) -> None:
    """Advice on the workload's slow query (orders by amount, 5,000 calls) from HypoPG's
    hypothetical indexes: nothing is created, and a workload calling a function whose effect
    escapes the transaction, a database without HypoPG and a MariaDB database (whose advice
    builds real indexes) are refused as tool errors."""
    more = "INSERT INTO orders SELECT g, g % 50 + 1, g * 1.5 FROM generate_series(501, 60000) g"
    load_sql(app, more + "; ANALYZE orders;")
    with engine.scratch_database(server_url("pg15")) as bare:
        load_sql(bare, DDL.replace("CREATE EXTENSION hypopg;", ""))
        before, before_bare = state(app), state(bare)
        environ = env(DBDESIGN_MCP_DATABASES=f"app={app} bare={bare} maria={mysql_server_url()}")

        async def scenario() -> None:
            async with serving(tmp_path, environ) as c:
                got = await ok(c, "advise", {"database": "app", "queries": WORKLOAD})
                ddl = [ix["ddl"] for ix in got["advice"]["indexes"]]
                assert any("(amount" in x and "ON public.orders" in x for x in ddl), got
                assert got["database"] == "app"
                kill = "SELECT pg_terminate_backend(pg_backend_pid());"
                msg = await refused(c, "advise", {"database": "app", "queries": kill})
                assert "pg_terminate_backend" in msg
                msg = await refused(c, "advise", {"database": "bare", "queries": WORKLOAD})
                assert "CREATE EXTENSION hypopg" in msg
                msg = await refused(c, "advise", {"database": "maria", "queries": WORKLOAD})
                assert "--scratch" in msg

        run(scenario)
        assert state(app) == before and state(bare) == before_bare


def test_databases_are_named_not_given(app: str, tmp_path: Path) -> None:
    """A URL as a tool argument is refused (without --allow-urls), and no password ever
    appears in what a tool returns: not the configured one, not one given as an argument."""
    secret_url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/nowhere"

    async def scenario() -> None:
        environ = env(DBDESIGN_MCP_DATABASES=f"app={app} broken={secret_url}")
        async with serving(tmp_path, environ) as c:
            for tool, args in (
                ("explain", {"database": app, "sql": "SELECT 1"}),
                ("inspect", {"database": secret_url}),
                ("health", {"database": secret_url}),
                ("docs", {"path": secret_url}),
                ("lint", {"path": app}),
            ):
                msg = await refused(c, tool, args)
                assert PASSWORD not in msg
            msg = await refused(c, "inspect", {"database": app})
            assert "--allow-urls" in msg and "app, broken" in msg
            for tool in ("inspect", "health", "docs", "lint"):
                msg = await refused(c, tool, {"database": "broken"})
                assert PASSWORD not in msg and "cannot connect" in msg, msg
            msg = await refused(c, "explain", {"database": "broken", "sql": "SELECT 1"})
            assert PASSWORD not in msg
            msg = await refused(c, "inspect", {"database": "nope"})
            assert "no database named 'nope'" in msg
            msg = await refused(c, "inspect", {})
            assert "exactly one of sql, path, database" in msg
            msg = await refused(c, "health", {})  # two are configured: which?
            assert "name one of the configured databases: app, broken" in msg
            listed = await ok(c, "databases")
            assert PASSWORD not in json.dumps(listed)
            assert await ok(c, "inspect", {"database": "app"})

    run(scenario)


def test_allow_urls_lets_a_url_through_read_only(app: str, tmp_path: Path) -> None:
    before = state(app)

    async def scenario() -> None:
        async with serving(tmp_path, env(), "--allow-urls") as c:
            live = await ok(c, "inspect", {"database": app})
            assert {t["name"] for t in live["tables"]} >= {"public.orders", "public.customers"}
            await refused(c, "explain", {"database": app, "sql": "SELECT wipe()"})
            await refused(c, "explain", {"database": app, "sql": "SELECT nextval('s')"})
            assert state(app) == before

    run(scenario)


def test_bad_input_is_a_tool_error_and_the_server_keeps_serving(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with serving(tmp_path, env(), "--statement-timeout", "1") as c:
            for tool, args in (
                ("inspect", {"sql": "CREATE TABL t (a int);"}),
                ("inspect", {"sql": "CREATE TABLE t (a int);", "path": "x.sql"}),
                ("inspect", {"path": str(tmp_path / "missing.sql")}),
                ("lint", {"sql": "   "}),
                ("lint", {"kind": "migrations"}),
                ("rules", {"code": "NOPE999"}),
                ("diff", {"from_sql": "CREATE TABLE t (a int);"}),
                ("design", {"spec": "{{{"}),
                ("design", {}),
                ("explain", {"sql": "SELECT 1"}),  # no database configured
                ("inspect", {"sql": 42}),  # not a string: the SDK's validation
                ("nonexistent_tool", {}),
            ):
                msg = await refused(c, tool, args)
                assert "internal error" not in msg, (tool, msg)
            assert (await ok(c, "rules", {"code": "KEY001"}))["rules"]

    run(scenario)


def test_statement_timeout_is_the_servers(app: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        environ = env(DBDESIGN_MCP_DATABASES=f"app={app}")
        async with serving(tmp_path, environ, "--statement-timeout", "1") as c:
            msg = await refused(c, "explain", {"database": "app", "sql": "SELECT pg_sleep(30)"})
            assert "statement timeout" in msg, msg
            assert await ok(c, "explain", {"database": "app", "sql": "SELECT 1"})

    run(scenario)


def test_a_resource_before_any_design_is_an_error(tmp_path: Path) -> None:
    from mcp.shared.exceptions import MCPError

    async def scenario() -> None:
        async with serving(tmp_path, env()) as c:
            with pytest.raises(MCPError, match="no design yet"):
                await c.read_resource("dbdesign://design/DESIGN.md")
            assert await ok(c, "databases")

    run(scenario)


def test_streamable_http(app: str, tmp_path: Path) -> None:
    """``--http HOST:PORT``: the same tools at http://HOST:PORT/mcp, the same refusals."""
    import socket
    import subprocess
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environ = {**os.environ, **env(DBDESIGN_MCP_DATABASES=f"app={app}")}
    proc = subprocess.Popen(
        [COMMAND, "mcp", "--http", f"127.0.0.1:{port}"],
        env=environ,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    before = state(app)

    async def scenario() -> None:
        async with Client(f"http://127.0.0.1:{port}/mcp") as c:
            assert len((await c.list_tools()).tools) == 11
            assert (await ok(c, "databases"))["databases"][0]["name"] == "app"
            await refused(c, "explain", {"database": "app", "sql": "SELECT 1; DROP TABLE orders"})

    try:
        deadline = time.monotonic() + 120
        while True:  # until it listens (the process starting is not timed)
            assert proc.poll() is None, proc.communicate(timeout=30)[1]
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the server did not listen"
            time.sleep(0.2)
        run(scenario)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert state(app) == before
