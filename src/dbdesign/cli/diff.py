"""``dbdesign diff FROM TO``: the migration that turns one PostgreSQL schema into another."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer


class DiffFormat(StrEnum):
    sql = "sql"
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    app.command(name="diff")(diff)


_SIDE = (
    "A .sql file, a folder of .sql files, a database URL (postgresql://...), or a migrations "
    "folder (NNNN_name.up.sql files, replayed into a scratch database)."
)


def diff(
    source: Annotated[
        str, typer.Argument(metavar="FROM", help=f"FROM: {_SIDE}", show_default=False)
    ],
    target: Annotated[str, typer.Argument(metavar="TO", help=f"TO: {_SIDE}", show_default=False)],
    fmt: Annotated[
        DiffFormat,
        typer.Option(
            "--format", "-f", help="sql: the migration; text/json: operations and hazards."
        ),
    ] = DiffFormat.sql,
    down: Annotated[
        bool, typer.Option("--down", help="Print the reverse migration (TO back to FROM).")
    ] = False,
    no_safe: Annotated[
        bool,
        typer.Option(
            "--no-safe",
            help="Plain forms: no CONCURRENTLY, no NOT VALID + VALIDATE, no lock_timeout.",
        ),
    ] = False,
    allow_destructive: Annotated[
        bool,
        typer.Option(
            "--allow-destructive",
            help="Allow operations that delete data (else such a plan exits 3 and prints no SQL).",
        ),
    ] = False,
    rename: Annotated[
        list[str] | None,
        typer.Option(
            "--rename",
            help="A rename, not a drop and an add: schema.old=new (table, view, index, sequence, "
            "type) or schema.table.old=new (column). Repeatable.",
        ),
    ] = None,
    column_order: Annotated[
        bool,
        typer.Option(
            "--column-order",
            help="Reach the target's column order where ALTER cannot (ADD COLUMN only appends) "
            "by rebuilding the table: renamed aside, created anew, every row copied with "
            "INSERT ... SELECT and its foreign keys added again, under an ACCESS EXCLUSIVE lock "
            "that blocks reads and writes for as long as the copy takes (it grows with the "
            "table). Default: the order ALTER leaves is kept and a note says so.",
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Server for replaying migrations folders (default $DBDESIGN_DATABASE_URL, "
            "else the embedded PostgreSQL).",
        ),
    ] = None,
) -> None:
    """Compare two PostgreSQL schemas and print the migration from FROM to TO.

    Exit codes: 0 no differences; 1 differences (the migration is printed); 2 bad input; 3 the
    migration deletes data and --allow-destructive was not given. See docs/diff.md.

    Examples:

      dbdesign diff examples/migrations examples/shop.sql

      dbdesign diff postgresql://localhost/app examples/shop.sql --format text
    """
    import gc

    from dbdesign import api
    from dbdesign.cli import _reading, _warn, term
    from dbdesign.errors import DestructiveChangeError

    _reading(source)
    _reading(target)

    # Two large models without reference cycles: the cyclic collector would only re-scan them
    # as they grow (as in `dbdesign lint`).
    gc.disable()
    try:
        plan = api.diff(
            source,
            target,
            renames=_renames(rename),
            safe=not no_safe,
            db=db,
            warn=_warn,
            column_order=column_order,
        )
        plan.statements()
    finally:
        gc.enable()
    if down:
        plan = plan.reverse()
    refused = plan.destructive and not allow_destructive
    if fmt is DiffFormat.json:
        sys.stdout.write(json.dumps(plan.as_json(), indent=2) + "\n")
    elif fmt is DiffFormat.text:
        typer.echo(plan.text(), nl=False)
    elif not refused:
        typer.echo(plan.sql(), nl=False)
    for note in plan.notes:
        term.note(f"dbdesign diff: note: {note}")
    if refused:
        names = "; ".join(o.describe() for o in plan.destructive_operations)
        raise DestructiveChangeError(
            f"the migration deletes data ({names}); review it and pass --allow-destructive"
        )
    if not plan.is_empty:
        raise typer.Exit(1)


def _renames(items: list[str] | None) -> dict[str, str]:
    from dbdesign.diff.rename import parse_rename

    out: dict[str, str] = {}
    for item in items or ():
        old, new = parse_rename(item)
        out[old] = new
    return out
