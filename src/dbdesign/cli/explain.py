"""``dbdesign explain``: a statement's plan (EXPLAIN ANALYZE, always rolled back), what is wrong
with it (the plan rules, PLN...), and its latency."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dbdesign.cli import Format
from dbdesign.cli.lint import FailOn

if TYPE_CHECKING:
    from dbdesign.lint.config import LintConfig
    from dbdesign.lint.findings import Finding


def register(app: typer.Typer) -> None:
    app.command(name="explain")(explain)


def explain(
    sql: Annotated[str, typer.Argument(help="The statement ('-' reads it from stdin).")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="PostgreSQL or MySQL / MariaDB URL (default: $DBDESIGN_DATABASE_URL, else the "
            "embedded PostgreSQL).",
        ),
    ] = None,
    analyze: Annotated[
        bool,
        typer.Option(
            "--analyze/--no-analyze",
            help="Run the statement (in a transaction that is rolled back) for real rows and "
            "times (MariaDB: ANALYZE FORMAT=JSON; MySQL: its estimates only).",
        ),
    ] = True,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A value for the next %s placeholder (repeatable)."),
    ] = None,
    runs: Annotated[
        int,
        typer.Option("--runs", help="Also run it N times and report p50/p95/max latency."),
    ] = 0,
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Cancel the statement (or a lock wait) after SECONDS."),
    ] = 60.0,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(help="Exit 1 on a plan finding at or above this severity (else: error)."),
    ] = None,
    select: Annotated[list[str] | None, typer.Option(help="Only these plan rules (PLN004).")] = (
        None
    ),
    ignore: Annotated[list[str] | None, typer.Option(help="Skip these plan rules (PLN001).")] = (
        None
    ),
    config: Annotated[
        Path | None, typer.Option(help="A dbdesign.toml or pyproject.toml (else the nearest).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Show a statement's plan (costs, rows, times, indexes used, tables read whole) and what is
    wrong with it: misestimates, filters and scans that read far more than they keep, spills
    to disk, nested loops, lossy bitmaps, missing workers, slow planning, JIT (rules PLN...,
    `dbdesign rules plans`), each with the node, its numbers and a fix.

    SQL must be one SELECT, VALUES, INSERT, UPDATE, DELETE or MERGE statement (MySQL: SELECT,
    INSERT, UPDATE or DELETE): scripts, transaction control, COPY, SET, DO and DDL are refused
    before anything is sent. It runs in a transaction that is always rolled back, READ ONLY
    unless --analyze (the default) of a data-changing statement (on MySQL, for every read).

    On MySQL and MariaDB (--db mysql://...) the plan is EXPLAIN FORMAT=JSON's; MariaDB runs
    the statement (ANALYZE FORMAT=JSON) for actual rows, MySQL gives its estimates only
    (its EXPLAIN ANALYZE prints no JSON). A data-changing statement that would write a table
    without transactions (MyISAM ...) is refused with --analyze: a rollback cannot undo it.

    Exit codes: 0 no finding at or above --fail-on (the lint configuration's fail_on, else
    error: every plan rule warns by default, so --fail-on warning gates on them), 1 findings
    at or above it, 2 usage, input or connection errors.

    Examples:

      dbdesign explain "SELECT * FROM orders WHERE customer_id = %s" -p 42 --runs 5

      dbdesign explain - --db postgresql://localhost/app < examples/report.sql

      dbdesign explain "SELECT count(*) FROM orders" --ignore PLN001 --format json

      dbdesign explain "SELECT * FROM orders WHERE status = 'cancelled'" --db mysql://root@localhost/app
    """
    from dbdesign import api
    from dbdesign.errors import ConfigError

    text = sys.stdin.read() if sql == "-" else sql
    if not text.strip():
        raise ConfigError("no statement to explain")
    if runs < 0:
        raise ConfigError("--runs must be >= 0")
    if timeout <= 0:
        raise ConfigError("--timeout must be > 0")
    cfg = _config(config, select, ignore, fail_on)
    params: list[Any] | None = list(param) if param else None
    from dbdesign.cli import term
    from dbdesign.engine import resolve_url

    url = resolve_url(db)
    if term.verbose():
        from dbdesign.redact import redact_url

        term.detail(f"database: {redact_url(url)}")
    plan = api.explain(text, url, params, analyze=analyze, timeout_s=timeout)
    found = api.explain_findings(plan, url, cfg)
    lat = (
        api.latency(text, url, params, runs=runs, allow_writes=analyze, timeout_s=timeout)
        if runs
        else None
    )
    if fmt is Format.json:
        from dbdesign.lint.plan import finding_json

        out = plan.as_json()
        if lat is not None:
            out["latency"] = lat.as_dict()
        out["findings"] = [finding_json(f, plan) for f in found]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    else:
        _text(plan, found, lat)
    if any(f.severity.rank >= cfg.fail_on.rank for f in found):
        # typer.Exit(1) would be lost: dbdesign.cli.main runs click non-standalone.
        raise SystemExit(1)


def _config(
    path: Path | None,
    select: list[str] | None,
    ignore: list[str] | None,
    fail_on: FailOn | None,
) -> LintConfig:
    """The [lint] configuration (select, ignore, severity, fail_on), the options given on the
    command line taking the place of its keys (--ignore adds to them)."""
    from dbdesign.config import load_config
    from dbdesign.lint.config import parse_config

    found = load_config(explicit=path)
    section = dict(found.section("lint"))
    given = {
        "select": select,
        "ignore": [*section.get("ignore", ()), *ignore] if ignore else None,
        "fail_on": fail_on.value if fail_on is not None else None,
    }
    section.update({k: v for k, v in given.items() if v is not None})
    return parse_config(section, file=str(found.path) if found.path else None)


def _text(plan: Any, found: list[Finding], lat: Any) -> None:
    from dbdesign.lint.plan import node_number, number_nodes

    typer.echo(plan.text())
    typer.echo("")
    typer.echo(f"indexes used: {', '.join(plan.indexes_used()) or 'none'}")
    typer.echo(f"sequential scans: {', '.join(plan.seq_scans()) or 'none'}")
    if lat is not None:
        typer.echo(
            f"latency over {lat.runs} runs: p50 {lat.p50_ms:.3f} ms, p95 {lat.p95_ms:.3f} ms, "
            f"max {lat.max_ms:.3f} ms"
        )
    if not found:
        more = "" if plan.analyzed else " (most checks need --analyze)"
        typer.echo(f"findings: none{more}")
        return
    typer.echo(f"findings: {len(found)}")
    nodes = number_nodes(plan)
    for f in found:
        typer.echo(f"  {f.severity.value} {f.code} {f.rule}: {f.object}")
        n = node_number(f.object)
        if n is not None and len(nodes[n - 1].path) > 1:
            typer.echo(f"    at: {' > '.join(nodes[n - 1].path)}")
        typer.echo(f"    {f.message}")
        typer.echo(f"    fix: {f.fix_hint}")
