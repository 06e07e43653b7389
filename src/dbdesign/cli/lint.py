"""``dbdesign lint`` and ``dbdesign rules``. Heavy imports stay inside the command functions."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbdesign.cli import dialect_option

if TYPE_CHECKING:
    from dbdesign.lint.migration import MigrationLintOptions


class LintFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(StrEnum):
    info = "info"
    warning = "warning"
    error = "error"


def lint_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="DDL files, folders of .sql files, or database URLs.", show_default=False
        ),
    ],
    fmt: Annotated[LintFormat, typer.Option("--format", "-f", help="Output format.")] = (
        LintFormat.text
    ),
    fail_on: Annotated[
        FailOn | None,
        typer.Option(help="Exit 1 when a finding is at or above this severity (default: error)."),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Rule codes, prefixes or groups to run (repeatable)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Rule codes, prefixes or groups to skip (repeatable)."),
    ] = None,
    dialect: Annotated[str | None, dialect_option()] = None,
    config: Annotated[
        Path | None, typer.Option(help="A dbdesign.toml or pyproject.toml (else the nearest).")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="Report only findings not in this baseline file.")
    ] = None,
    write_baseline: Annotated[
        bool, typer.Option("--write-baseline", help="Write the current findings to --baseline.")
    ] = False,
    migrations: Annotated[
        bool,
        typer.Option(
            "--migrations",
            help="Lint migration files for safety on a live database (locks, rewrites, "
            "breaking changes): SOURCES are files, folders or - (standard input).",
        ),
    ] = False,
    queries: Annotated[
        bool,
        typer.Option(
            "--queries",
            help="Lint application queries for anti-patterns (SELECT *, OFFSET paging, NOT "
            "IN, unindexable conditions ...): SOURCES are .sql files of queries or -.",
        ),
    ] = False,
    schema: Annotated[
        str | None,
        typer.Option(
            help="With --migrations: the schema they apply to (DDL file or folder, or a "
            "database URL, read-only); else the earlier migrations. With --queries: the "
            "tables the queries read (their columns and indexes).",
        ),
    ] = None,
    server_version: Annotated[
        str | None,
        typer.Option(
            help="With --migrations: the target server (16, 15.4, mariadb-10.11, mysql-8.0); "
            "else the --schema database's, the configuration's or the newest."
        ),
    ] = None,
    assume_in_transaction: Annotated[
        bool | None,
        typer.Option(
            "--assume-in-transaction/--no-assume-in-transaction",
            help="With --migrations: every file runs in one transaction (or none), whatever "
            "its runner's convention.",
            show_default=False,
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            help="With --migrations: report only files added or changed since this git "
            "revision (the others are still read, as the schema)."
        ),
    ] = None,
) -> None:
    """Review schemas against the rule catalogue (`dbdesign rules` lists it), migrations
    for what would hurt a live database (`--migrations`), or application queries for
    anti-patterns (`--queries`).

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.

    Examples:

      dbdesign lint examples/shop.sql

      dbdesign lint postgresql://localhost/app --format sarif > lint.sarif

      dbdesign lint --migrations examples/migrations --server-version 15

      dbdesign lint --migrations - < examples/migrations/0002_create_orders.up.sql

      dbdesign lint --queries examples/report.sql --schema examples/shop.sql

      dbdesign lint --queries - --schema postgresql://localhost/app < examples/report.sql

    (`alembic upgrade head --sql` or `manage.py sqlmigrate APP NNNN` output pipes into
    `--migrations -` the same way.)
    """
    import gc

    if queries:
        _no_migration_options(migrations, server_version, assume_in_transaction, changed_since)
        _lint(sources, fmt, fail_on, select, ignore, dialect, config, baseline,
              write_baseline, queries=schema or "")  # fmt: skip
        return
    if migrations:
        from dbdesign.lint.migration import MigrationLintOptions

        opts = MigrationLintOptions(
            dialect=dialect,
            schema=schema,
            server_version=server_version,
            assume_in_transaction=assume_in_transaction,
            changed_since=changed_since,
        )
        _lint(sources, fmt, fail_on, select, ignore, dialect, config, None, False, opts)
        return
    for given, flag in ((schema, "--schema"), (server_version, "--server-version"),
                        (assume_in_transaction, "--assume-in-transaction"),
                        (changed_since, "--changed-since")):  # fmt: skip
        if given is not None:
            from dbdesign.errors import ConfigError

            raise ConfigError(
                f"{flag} needs --migrations" + (" or --queries" if given is schema else "")
            )
    # A short run that builds a large model of objects without reference cycles: the cyclic
    # collector would only re-scan them, again and again, as the model grows (a third of the
    # time of a 100,000-line file; the same peak memory without it).
    gc.disable()
    try:
        _lint(sources, fmt, fail_on, select, ignore, dialect, config, baseline, write_baseline)
    finally:
        gc.enable()


def _lint(
    sources: list[str],
    fmt: LintFormat,
    fail_on: FailOn | None,
    select: list[str] | None,
    ignore: list[str] | None,
    dialect: str | None,
    config: Path | None,
    baseline: Path | None,
    write_baseline: bool,
    migrations: MigrationLintOptions | None = None,
    queries: str | None = None,
) -> None:
    """Run the lint; ``queries``: lint application queries, on the schema it names ("":
    none)."""
    from dataclasses import replace

    from dbdesign import api
    from dbdesign.config import load_config
    from dbdesign.errors import ConfigError
    from dbdesign.lint.config import parse_config
    from dbdesign.lint.findings import Severity
    from dbdesign.lint.output import render

    cfg_file = load_config(explicit=config)
    cfg = parse_config(cfg_file.section("lint"), file=str(cfg_file.path) if cfg_file.path else None)
    if select:
        cfg = replace(cfg, select=tuple(select))
    if ignore:
        cfg = replace(cfg, ignore=cfg.ignore + tuple(ignore))
    if fail_on is not None:
        cfg = replace(cfg, fail_on=Severity(fail_on.value))
    base_path = baseline or (cfg_file.root / cfg.baseline if cfg.baseline else None)
    if write_baseline and base_path is None:
        raise ConfigError("--write-baseline needs --baseline FILE (or baseline in the config)")

    from dbdesign.cli import _reading, term

    # The configured baseline applies once it exists; one given with --baseline must exist.
    use = base_path if base_path is not None and (baseline or base_path.exists()) else None
    if queries is not None:
        report = api.lint_queries(
            sources,
            schema=queries or None,
            config=cfg,
            baseline=None if write_baseline else use,
        )
    elif migrations is not None:
        runner_timeout = bool(cfg_file.section("migrate").get("lock_timeout"))
        report = api.lint_migrations(
            sources, migrations, config=cfg, runner_lock_timeout=runner_timeout
        )
    else:
        report = api.lint(
            sources,
            config=cfg,
            dialect=dialect,
            baseline=None if write_baseline else use,
            on_read=_reading,
        )
    if write_baseline:
        assert base_path is not None
        n = api.write_lint_baseline(report.findings, base_path)
        term.note(f"wrote {n} findings to {base_path}")
        return
    sys.stdout.write(
        render(fmt.value, list(report.findings), list(report.rules), colour=term.colour(sys.stdout))
    )
    if report.failing:
        # typer.Exit(1) would be lost: dbdesign.cli.main runs click non-standalone.
        raise SystemExit(1)


def _no_migration_options(
    migrations: bool,
    server_version: str | None,
    assume_in_transaction: bool | None,
    changed_since: str | None,
) -> None:
    """Refuse the --migrations options alongside --queries."""
    from dbdesign.errors import ConfigError

    if migrations:
        raise ConfigError("--queries and --migrations lint different things: choose one")
    for given, flag in ((server_version, "--server-version"),
                        (assume_in_transaction, "--assume-in-transaction"),
                        (changed_since, "--changed-since")):  # fmt: skip
        if given is not None:
            raise ConfigError(f"{flag} needs --migrations")


def rules_command(
    code: Annotated[
        str | None, typer.Argument(help="A rule code (KEY001) or group: show its documentation.")
    ] = None,
    fmt: Annotated[RulesFormat, typer.Option("--format", "-f", help="Output format.")] = (
        RulesFormat.text
    ),
) -> None:
    """List the lint rules, or show one rule's (or group's) documentation.

    CODE is a rule code (KEY005), a prefix (NAM) or a group (naming).

    Examples:

      dbdesign rules

      dbdesign rules KEY005

      dbdesign rules naming --format markdown > naming-rules.md
    """
    import json

    from dbdesign.errors import ConfigError
    from dbdesign.lint.engine import _matches
    from dbdesign.lint.registry import all_rules

    rules = list(all_rules().values())
    if code:
        rules = [r for r in rules if _matches(r, code)]
        if not rules:
            raise ConfigError(f"no rule or group {code!r} (run `dbdesign rules`)")
    if fmt is RulesFormat.json:
        data = [
            {
                "code": r.code,
                "name": r.name,
                "group": r.group,
                "severity": r.severity.value,
                "default": r.default,
                "dialects": sorted(r.dialects),
                "summary": r.summary,
                "rationale": r.rationale,
                "bad": r.bad,
                "good": r.good,
                "fix": r.fix,
            }
            for r in rules
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif fmt is RulesFormat.markdown or code:
        sys.stdout.write("\n".join(r.docs_markdown() for r in rules))
    else:
        for r in rules:
            off = "" if r.default else " (off by default)"
            typer.echo(
                f"{r.code}  {r.severity.value:<7}  {r.group:<13}  {r.name}: {r.summary}{off}"
            )


def register(app: typer.Typer) -> None:
    app.command("lint")(lint_command)
    app.command("rules")(rules_command)
