"""``dbdesign health``: a read-only health review of a live database (unused, duplicate and
invalid indexes, foreign keys without an index, tables without a primary key)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbdesign.cli import Format
from dbdesign.cli.lint import FailOn

if TYPE_CHECKING:
    from dbdesign.lint.findings import Severity


def register(app: typer.Typer) -> None:
    app.command(name="health")(health)


def health(
    url: Annotated[str, typer.Argument(help="The database: a PostgreSQL URL.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            help="Exit 1 on a finding at or above this severity (else the configuration's "
            "fail_on, else error)."
        ),
    ] = None,
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            help="Run only this check (repeatable): unused-index, invalid-index, "
            "duplicate-index, fk-without-index, table-without-primary-key.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="A dbdesign.toml or pyproject.toml (else the nearest).")
    ] = None,
) -> None:
    """Review a live PostgreSQL database's health: each finding names the check, its severity,
    the object, the measured value against its threshold, why it matters and the fix as SQL.

    Checks: unused-index (no scans since the statistics were reset and at least 10 MB, backing
    no constraint), duplicate-index (the same keys as, or a prefix of, another index),
    invalid-index (left by a failed CREATE INDEX CONCURRENTLY), fk-without-index (no index
    leads with a foreign key's columns), table-without-primary-key. Thresholds are PgHero's,
    set in [tool.dbdesign.health] (docs/health.md).

    It only reads: one connection, default_transaction_read_only on, one READ ONLY transaction
    rolled back at the end, short statement_timeout and lock_timeout. A role with pg_monitor
    is enough; a check the role may not run becomes a note.

    Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 usage, input
    or connection errors.

    Examples:

      dbdesign health postgresql://localhost/app

      dbdesign health postgresql://localhost/app --format json --check unused-index

      dbdesign health postgresql://localhost/app --check invalid-index --fail-on warning
    """
    from dbdesign import api

    cfg = api.health_config(config)
    report = api.health(url, checks=check or None, config=cfg)
    sys.stdout.write(report.to_json() if fmt is Format.json else report.to_text())
    threshold = cfg.fail_on if fail_on is None else _severity(fail_on)
    if report.failing(threshold):
        # typer.Exit(1) would be lost: dbdesign.cli.main runs click non-standalone.
        raise SystemExit(1)


def _severity(value: FailOn) -> Severity:
    from dbdesign.lint.findings import Severity

    return Severity(value.value)
