"""``dbdesign explain``: a statement's plan (EXPLAIN ANALYZE, always rolled back) and latency."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from dbdesign.cli import Format


def register(app: typer.Typer) -> None:
    app.command(name="explain")(explain)


def explain(
    sql: Annotated[str, typer.Argument(help="The statement ('-' reads it from stdin).")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="PostgreSQL URL (default: $DBDESIGN_DATABASE_URL, else the embedded server).",
        ),
    ] = None,
    analyze: Annotated[
        bool,
        typer.Option(
            "--analyze/--no-analyze",
            help="Run the statement (in a transaction that is rolled back) for real times.",
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
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Show a statement's plan: costs, rows, times, indexes used, tables read whole.

    SQL must be one SELECT, VALUES, INSERT, UPDATE, DELETE or MERGE statement: scripts,
    transaction control, COPY, SET, DO and DDL are refused before anything is sent. It runs in
    a transaction that is always rolled back, READ ONLY unless --analyze (the default) of a
    data-changing statement.

    Examples:

      dbdesign explain "SELECT * FROM orders WHERE customer_id = %s" -p 42 --runs 5

      dbdesign explain - --db postgresql://localhost/app < examples/report.sql
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
    params: list[Any] | None = list(param) if param else None
    from dbdesign.cli import term

    if term.verbose():
        from dbdesign.engine import resolve_url
        from dbdesign.redact import redact_url

        db = resolve_url(db)
        term.detail(f"database: {redact_url(db)}")
    plan = api.explain(text, db, params, analyze=analyze, timeout_s=timeout)
    lat = (
        api.latency(text, db, params, runs=runs, allow_writes=analyze, timeout_s=timeout)
        if runs
        else None
    )
    if fmt is Format.json:
        out = plan.as_json()
        if lat is not None:
            out["latency"] = lat.as_dict()
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    typer.echo(plan.text())
    typer.echo("")
    typer.echo(f"indexes used: {', '.join(plan.indexes_used()) or 'none'}")
    typer.echo(f"sequential scans: {', '.join(plan.seq_scans()) or 'none'}")
    if lat is not None:
        typer.echo(
            f"latency over {lat.runs} runs: p50 {lat.p50_ms:.3f} ms, p95 {lat.p95_ms:.3f} ms, "
            f"max {lat.max_ms:.3f} ms"
        )
