"""``dbdesign migrate``: new, up, down, status, validate, baseline, repair, test."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dbdesign.cli import Format

if TYPE_CHECKING:
    from dbdesign.migrate.runner import Settings

migrate_app = typer.Typer(
    name="migrate",
    help="Versioned SQL migrations (NNNN_name.up.sql / .down.sql) with a history table and a lock.",
    no_args_is_help=True,
)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (postgresql://..., sqlite:///file.db, mysql://user@host/db); default "
        "$DBDESIGN_DATABASE_URL, else the embedded PostgreSQL.",
    ),
]
DirOpt = Annotated[
    Path | None,
    typer.Option("--dir", help="Migrations folder (default: \\[tool.dbdesign.migrate] dir)."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the SQL that would run.")]
LockWaitOpt = Annotated[
    float | None,
    typer.Option("--lock-wait", help="Seconds to wait for another runner (default 60)."),
]


def _settings(folder: Path | None, lock_wait: float | None = None) -> Settings:
    from dataclasses import replace

    from dbdesign.config import load_config
    from dbdesign.migrate.runner import Settings

    cfg = load_config()
    s = Settings.from_config(cfg.section("migrate"), cfg.root)
    if folder is not None:
        s = replace(s, dir=folder)
    if lock_wait is not None:
        s = replace(s, lock_wait=lock_wait)
    return s


def _url(db: str | None) -> str:
    from dbdesign.cli import term
    from dbdesign.engine import resolve_url
    from dbdesign.redact import redact_url

    url = resolve_url(db)
    term.detail(f"database: {redact_url(url)}")
    return url


def _json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


@migrate_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. add_users.")],
    folder: DirOpt = None,
    from_diff: Annotated[
        str | None,
        typer.Option(
            "--from-diff",
            help="Write the up and down files from the diff between the folder's head "
            "(replayed into a scratch database on --db) and this target: a .sql file, a folder, "
            "a database URL or a migrations folder.",
        ),
    ] = None,
    db: DbOpt = None,
    allow_destructive: Annotated[
        bool,
        typer.Option("--allow-destructive", help="With --from-diff: allow deleting data."),
    ] = False,
    no_safe: Annotated[
        bool,
        typer.Option("--no-safe", help="With --from-diff: plain forms (no CONCURRENTLY ...)."),
    ] = False,
    rename: Annotated[
        list[str] | None,
        typer.Option("--rename", help="With --from-diff: schema.old=new, schema.table.old=new."),
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            help="Start from the safe form of a common PostgreSQL change: add-column, "
            "add-index, add-unique, add-foreign-key, set-not-null (with --table, --column).",
        ),
    ] = None,
    table: Annotated[str | None, typer.Option(help="With --template: the table.")] = None,
    column: Annotated[str | None, typer.Option(help="With --template: the column.")] = None,
    column_type: Annotated[
        str, typer.Option("--type", help="With --template add-column: the column's type.")
    ] = "text",
    references: Annotated[
        str | None,
        typer.Option(help="With --template add-foreign-key: the referenced TABLE(COLUMN)."),
    ] = None,
) -> None:
    """Create an empty NNNN_name.up.sql / .down.sql pair, the safe form of a common change
    (--template), or with --from-diff the migration(s) that take the folder's head to a target.

    With --from-diff, statements that cannot run in a transaction get a no-transaction
    migration of their own. A template that needs several transactions (NOT VALID, then
    VALIDATE) writes several migrations.

    Examples:

      dbdesign migrate new add_customer_phone --dir examples/migrations

      dbdesign migrate new orders_status --template set-not-null --table orders --column status

      dbdesign migrate new products --dir examples/migrations --from-diff examples/shop.sql
    """
    from dbdesign import api

    s = _settings(folder)
    if template is not None:
        from dbdesign.errors import ConfigError
        from dbdesign.migrate.templates import TemplateArgs

        if not table or not column or from_diff is not None:
            raise ConfigError("--template needs --table and --column (and no --from-diff)")
        args = TemplateArgs(table=table, column=column, type=column_type, references=references)
        for p in api.migrate_new_from_template(s, name, template, args):
            typer.echo(f"created {p}")
        return
    if from_diff is None:
        up, down = api.migrate_new(s, name)
        typer.echo(f"created {up}\ncreated {down}")
        return
    from dbdesign.cli import _warn, term
    from dbdesign.cli.diff import _renames

    result = api.migrate_new_from_diff(
        s,
        name,
        from_diff,
        db=db,
        safe=not no_safe,
        allow_destructive=allow_destructive,
        renames=_renames(rename),
        warn=_warn,
    )
    if not result.files:
        typer.echo("no differences: the migrations already reach the target; nothing written")
    for f in result.files:
        typer.echo(f"created {f}")
    for note in result.plan.notes:
        term.note(f"dbdesign migrate: note: {note}")
    for d in result.residue:
        term.note(f"dbdesign migrate: warning: the target is not reached exactly: {d}")


def _run(direction: str, db: str | None, s: Settings, dry_run: bool, **kw: Any) -> None:
    from dbdesign import api
    from dbdesign.cli import term
    from dbdesign.migrate.runner import render

    run = api.migrate_up if direction == "up" else api.migrate_down
    steps = run(_url(db), s, dry_run=dry_run, echo=typer.echo, on_wait=term.note, **kw)
    if dry_run:
        typer.echo(render(steps), nl=False)
        return
    if not any(step.ms >= 0 for step in steps):
        typer.echo("nothing to do" if direction == "up" else "nothing to revert")


@migrate_app.command("up")
def up(
    to: Annotated[str | None, typer.Option("--to", help="Stop after this version.")] = None,
    db: DbOpt = None,
    folder: DirOpt = None,
    dry_run: DryRunOpt = False,
    lock_wait: LockWaitOpt = None,
    out_of_order: Annotated[
        bool,
        typer.Option("--out-of-order", help="Also apply pending versions older than the latest."),
    ] = False,
    unsafe_ok: Annotated[
        bool,
        typer.Option(
            "--unsafe-ok",
            help="Apply pending migrations even when the migration linter finds them unsafe "
            "(at or above the configured safety severity, default error).",
        ),
    ] = False,
) -> None:
    """Apply pending migrations, each with its history row in one transaction.

    A lock keeps two runners apart (--lock-wait); --dry-run prints the SQL and changes nothing.
    Pending migrations are linted first (`dbdesign lint --migrations`): findings at or above
    the configured safety severity stop the run before anything is applied (exit 3).

    Examples:

      dbdesign migrate up --dir examples/migrations --db postgresql://localhost/app

      dbdesign migrate up --dir examples/migrations --to 0001 --dry-run
    """
    from dataclasses import replace

    s = _settings(folder, lock_wait)
    s = replace(s, out_of_order=s.out_of_order or out_of_order, unsafe_ok=unsafe_ok)
    _run("up", db, s, dry_run, to=to)


@migrate_app.command("down")
def down(
    steps: Annotated[
        int | None, typer.Option("--steps", help="How many to revert (default 1).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Revert until this version is the latest.")
    ] = None,
    db: DbOpt = None,
    folder: DirOpt = None,
    dry_run: DryRunOpt = False,
    lock_wait: LockWaitOpt = None,
) -> None:
    """Revert applied migrations with their down files, newest first.

    One by default; --steps N or --to VERSION for more; --dry-run prints the SQL and changes
    nothing.

    Examples:

      dbdesign migrate down --dir examples/migrations --db postgresql://localhost/app

      dbdesign migrate down --dir examples/migrations --to 0001 --dry-run
    """
    from dbdesign.errors import ConfigError

    if steps is not None and to is not None:
        raise ConfigError("give --steps or --to, not both")
    _run("down", db, _settings(folder, lock_wait), dry_run, steps=steps, to=to)


def _print_report(report: Any, fmt: Format) -> None:
    if fmt is Format.json:
        _json({"migrations": [e.as_json() for e in report.entries], "drift": bool(report.drift)})
        return
    if not report.entries:
        typer.echo("no migrations")
    for e in report.entries:
        line = f"{e.status:<12} {e.version}_{e.name}"
        if e.applied_at:
            line += f"  ({e.applied_at})"
        if e.detail:
            line += f"  {e.detail}"
        typer.echo(line)


@migrate_app.command("status")
def status(db: DbOpt = None, folder: DirOpt = None, fmt: FormatOpt = Format.text) -> None:
    """Applied, pending, missing, changed and out-of-order migrations; exit 1 on drift.

    Drift: an applied file that changed or is missing, or a migration left running or failed.
    Pending migrations are not drift.

    Examples:

      dbdesign migrate status --dir examples/migrations --db postgresql://localhost/app

      dbdesign migrate status --dir examples/migrations --format json
    """
    from dbdesign import api

    report = api.migrate_status(_url(db), _settings(folder))
    _print_report(report, fmt)
    if report.drift:
        raise SystemExit(1)  # typer.Exit(1) is lost: main() runs click non-standalone


@migrate_app.command("validate")
def validate(db: DbOpt = None, folder: DirOpt = None, fmt: FormatOpt = Format.text) -> None:
    """Compare applied files' checksums with the history; exit 1 on drift.

    Exit 0 when every applied file still reads the same (migrate repair --accept-checksums
    records deliberate changes).

    Examples:

      dbdesign migrate validate --dir examples/migrations --db postgresql://localhost/app
    """
    from dbdesign import api

    report = api.migrate_status(_url(db), _settings(folder), validate=True)
    if fmt is Format.json:
        _json({"ok": not report.drift, "drift": [e.as_json() for e in report.drift]})
    elif report.drift:
        for e in report.drift:
            typer.echo(f"{e.status}: {e.version}_{e.name}: {e.detail or ''}".rstrip(": "))
    else:
        typer.echo(f"ok: {len(report.by_status('applied', 'baseline'))} applied migration(s) match")
    if report.drift:
        raise SystemExit(1)  # typer.Exit(1) is lost: main() runs click non-standalone


@migrate_app.command("baseline")
def baseline(
    version: Annotated[str, typer.Argument(help="The version the database already has.")],
    db: DbOpt = None,
    folder: DirOpt = None,
) -> None:
    """Adopt an existing database: record migrations up to VERSION as applied.

    Nothing is run: the history records them as baseline; later versions stay pending.

    Examples:

      dbdesign migrate baseline 0001 --dir examples/migrations
    """
    from dbdesign import api

    rows = api.migrate_baseline(_url(db), _settings(folder), version)
    typer.echo(f"baseline: {len(rows)} migration(s) up to {version} recorded")


@migrate_app.command("repair")
def repair(
    db: DbOpt = None,
    folder: DirOpt = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Run the statements of a stopped no-transaction file after the completed ones "
            "(only if those still read the same).",
        ),
    ] = False,
    mark_applied: Annotated[
        bool,
        typer.Option(
            "--mark-applied", help="Record a stopped migration as applied (finished by hand)."
        ),
    ] = False,
    forget: Annotated[
        bool,
        typer.Option(
            "--forget", help="Remove a stopped migration's record: the whole file runs again."
        ),
    ] = False,
    accept_checksums: Annotated[
        bool, typer.Option("--accept-checksums", help="Record changed files' new checksums.")
    ] = False,
    lock_wait: LockWaitOpt = None,
) -> None:
    """Settle a no-transaction migration that stopped part-way: without a choice, print what
    ran and what is left and exit 2; --resume, --mark-applied or --forget settles it.

    With nothing to settle it says so and exits 0.

    Examples:

      dbdesign migrate repair --dir examples/migrations --db postgresql://localhost/app

      dbdesign migrate repair --dir examples/migrations --accept-checksums
    """
    from dbdesign import api

    actions = api.migrate_repair(
        _url(db),
        _settings(folder, lock_wait),
        resume=resume,
        mark_applied=mark_applied,
        forget=forget,
        accept_checksums=accept_checksums,
        echo=typer.echo,
    )
    if not actions:
        typer.echo("nothing to repair")
    for a in actions:
        typer.echo(f"{a.version}: {a.action}. {a.account}")


@migrate_app.command("test")
def test(db: DbOpt = None, folder: DirOpt = None, fmt: FormatOpt = Format.text) -> None:
    """On a scratch database: up, down, compare schemas, up again, for every migration.

    The scratch database is made on the server of --db (a temporary file for SQLite) and
    dropped afterwards; exit 1 when a down migration does not restore the schema.

    Examples:

      dbdesign migrate test --dir examples/migrations --db postgresql://localhost/app
    """
    from dbdesign import api

    echo = typer.echo if fmt is Format.text else None
    result = api.migrate_test(_url(db), _settings(folder), echo=echo)
    if fmt is Format.json:
        _json(result.as_json())
    elif result.ok:
        typer.echo(f"ok: {len(result.checked)} migration(s): every down restores the schema")
    else:
        typer.echo(f"FAILED {result.failed}: {result.problem}")
        for d in result.differences:
            typer.echo(f"  {d}")
    if not result.ok:
        raise SystemExit(1)  # typer.Exit(1) is lost: main() runs click non-standalone


def register(app: typer.Typer) -> None:
    app.add_typer(migrate_app, name="migrate")
