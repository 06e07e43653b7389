"""``dbdesign health``: a read-only health review of a live database (indexes, tables,
queries and sessions, capacity, security), saved and compared between runs."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbdesign.cli.lint import FailOn

if TYPE_CHECKING:
    from dbdesign.health import HealthReport
    from dbdesign.lint.findings import Severity


class HealthFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


def register(app: typer.Typer) -> None:
    app.command(name="health")(health)


def health(
    url: Annotated[
        str | None,
        typer.Argument(
            help="The database: a PostgreSQL or MySQL/MariaDB URL (default: "
            "$DBDESIGN_DATABASE_URL).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        HealthFormat, typer.Option("--format", "-f", help="Output format.")
    ] = HealthFormat.text,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            help="Exit 1 on a finding at or above this severity (else the configuration's "
            "fail_on, else error); with --compare, only on a new one."
        ),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option("--check", help="Run only this check (repeatable; ids in docs/health.md)."),
    ] = None,
    pool: Annotated[
        list[str] | None,
        typer.Option(
            "--pool",
            help="An application's connection pool, NAME=SIZExINSTANCES (repeatable): the "
            "connection-pools check says when the pools can exhaust the server.",
        ),
    ] = None,
    save: Annotated[
        Path | None, typer.Option(help="Also write the report as JSON to this file.")
    ] = None,
    compare: Annotated[
        Path | None,
        typer.Option(help="A report saved with --save: mark new findings, list resolved ones."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="A dbdesign.toml or pyproject.toml (else the nearest).")
    ] = None,
) -> None:
    """Review a live database's health: each finding names the check, its severity, the
    object, the measured value against its threshold, why it matters and the fix as SQL.

    Areas: indexes (unused, duplicate, invalid, bloated, foreign keys without one), tables
    (bloat, dead rows, sequential scans, primary keys, NOT VALID constraints, wraparound,
    sequences near their end), queries and sessions (pg_stat_statements, long-running, idle in
    transaction, blocked), capacity (connections, --pool, cache hit rate, replication) and
    security (roles, grants, row-level security, definer functions, unhashed secrets). MySQL and
    MariaDB have their own checks. Thresholds are PgHero's, set in [tool.dbdesign.health]
    (docs/health.md).

    It only reads: one connection, a READ ONLY transaction rolled back at the end, short
    statement and lock timeouts. A role with pg_monitor is enough; a check the role may not
    run becomes a note.

    Exit codes: 0 no finding at or above --fail-on (with --compare: no new one), 1 otherwise,
    2 usage, input or connection errors.

    Examples:

      dbdesign health postgresql://localhost/app

      dbdesign health postgresql://localhost/app --format json --check unused-index

      dbdesign health postgresql://localhost/app --pool web=20x4 --pool worker=5x2

      dbdesign health postgresql://localhost/app --format html > health.html

      dbdesign health postgresql://localhost/app --save week1.json

      dbdesign health --save w1.json && dbdesign health --compare w1.json --fail-on warning

    (without URL: the database at $DBDESIGN_DATABASE_URL)
    """
    from dbdesign import api
    from dbdesign.health import HealthReport
    from dbdesign.health.config import with_pools

    url = url or os.environ.get("DBDESIGN_DATABASE_URL")
    if not url:
        raise typer.BadParameter(
            "give the database's URL, or set DBDESIGN_DATABASE_URL", param_hint="URL"
        )
    cfg = api.health_config(config)
    if pool:
        cfg = with_pools(cfg, pool)
    baseline = HealthReport.load(compare) if compare is not None else None
    report = api.health(url, checks=check or None, config=cfg)
    if baseline is not None and compare is not None:
        report = report.compared(baseline, str(compare))
    if save is not None:
        _write(save, report.to_json())
    sys.stdout.write(_render(report, fmt))
    threshold = cfg.fail_on if fail_on is None else _severity(fail_on)
    if report.failing(threshold):
        # typer.Exit(1) would be lost: dbdesign.cli.main runs click non-standalone.
        raise SystemExit(1)


def _render(report: HealthReport, fmt: HealthFormat) -> str:
    if fmt is HealthFormat.json:
        return report.to_json()
    if fmt is HealthFormat.html:
        from dbdesign.health.html import render

        return render(report)
    return report.to_text()


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    from dbdesign.errors import ConfigError

    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot save the report: {e.strerror}", file=str(path)) from None


def _severity(value: FailOn) -> Severity:
    from dbdesign.lint.findings import Severity

    return Severity(value.value)
