"""``dbdesign datagen``: fill a database with generated rows that satisfy its constraints."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dbdesign.cli import Format, dialect_option

if TYPE_CHECKING:
    from dbdesign.model import Schema

PROGRESS_MIN_ROWS = 50_000
_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


def register(app: typer.Typer) -> None:
    app.command(name="datagen")(datagen)


def parse_count(text: str, what: str) -> int:
    """``1000``, ``50k``, ``1.5M`` -> an int."""
    from dbdesign.errors import ConfigError

    m = _COUNT.match(text)
    if m is None:
        raise ConfigError(f"{what}: {text!r} is not a row count (e.g. 1000, 50k, 2M)")
    mult = {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2).lower()]
    value = float(m.group(1)) * mult
    if value != int(value):
        raise ConfigError(f"{what}: {text!r} is not a whole number of rows")
    return int(value)


def parse_pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    from dbdesign.errors import ConfigError

    out = []
    for item in items:
        key, eq, value = item.rpartition("=")
        if not eq or not key.strip() or not value.strip():
            raise ConfigError(f"{option} {item!r}: write TABLE=VALUE, e.g. public.orders=1000")
        out.append((key.strip(), value.strip()))
    return out


def datagen(
    source: Annotated[
        str,
        typer.Argument(
            help="A database URL (postgresql://..., mysql://..., sqlite:///file.db) whose "
            "tables are filled, "
            "or a .sql file / folder describing the schema (with --create to create it first)."
        ),
    ],
    rows: Annotated[
        list[str] | None,
        typer.Option(
            "--rows",
            "-r",
            help="TABLE=N, repeatable: public.orders=100000, orders=1M, '*=1000' (patterns "
            "match schema.table or table). Default: *=1000.",
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Target database (default: SOURCE when it is a database, else "
            "$DBDESIGN_DATABASE_URL, else the embedded PostgreSQL).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same rows.")] = 0,
    skew: Annotated[
        list[str] | None,
        typer.Option(
            "--skew",
            help="COLUMN_OR_TABLE=S, repeatable: a Zipf exponent for foreign-key targets and "
            "categorical values (public.orders.customer_id=1.2; '*=1').",
        ),
    ] = None,
    create: Annotated[
        bool, typer.Option("--create", help="Create the schema of SOURCE in --db first.")
    ] = False,
    dialect: Annotated[str | None, dialect_option()] = None,
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="ANALYZE the loaded tables.")
    ] = True,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Fill tables with generated rows that satisfy every constraint, in one transaction.

    Every constraint: types, NOT NULL, keys, unique, foreign keys, checks, domains, enums,
    partitions; the rows are bulk-loaded.

    Values look real where a column's name says what it holds (email, name, price,
    created_at, status, country ...). Exit 2 when a constraint cannot be satisfied (the
    message names it) or the database refuses a row (nothing is loaded).

    Examples:

      dbdesign datagen postgresql://localhost/app -r '*=500' -r orders=20k --seed 7

      dbdesign datagen examples/shop.sql --create --db postgresql://localhost/app
    """
    from dbdesign import api
    from dbdesign.cli import _reading, _warn, term
    from dbdesign.errors import ConfigError

    counts: dict[str, int] = {}
    for key, value in parse_pairs(rows or ["*=1000"], "--rows"):
        counts[key] = parse_count(value, f"--rows {key}")
    skews: dict[str, float] = {}
    for key, value in parse_pairs(skew or [], "--skew"):
        try:
            skews[key] = float(value)
        except ValueError:
            raise ConfigError(f"--skew {key}: {value!r} is not a number") from None

    is_db = api.is_database(source)
    if create and is_db:
        raise ConfigError("--create takes the schema from a .sql file or folder, not a database")
    if is_db:
        target = db or source
    else:
        from dbdesign.engine import resolve_url

        target = db or resolve_url(None)
    _reading(source)
    schema: Schema = api.read(source, dialect=dialect, warn=_warn)
    from dbdesign.redact import redact_url

    term.detail(f"filling {redact_url(target)}")

    if not schema.tables:
        what = "database" if is_db else "schema"
        raise ConfigError(f"{redact_url(source)}: the {what} has no tables: nothing to fill")
    total = _total_rows(schema, counts, redact_url(source))
    with _progress(total) as progress:
        report = api.datagen(
            target,
            schema,
            counts,
            seed=seed,
            skew=skews,
            create=create,
            analyze=analyze,
            progress=progress,
        )
    if fmt is Format.json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
        return
    _print_text(report)


def _total_rows(schema: Schema, counts: dict[str, int], shown: str) -> int:
    """Rows to generate in all; a ConfigError when no table would get any (a database holding
    only a migration tool's history, say: a report of 0 rows in 0 tables says nothing)."""
    from dbdesign.datagen.plan import resolve_rows
    from dbdesign.errors import ConfigError

    rows = resolve_rows(schema, counts)
    if not rows:
        names = sorted(schema.tables)
        listed = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        raise ConfigError(
            f"{shown}: no table to fill: --rows (default '*=1000') gives rows to none of {listed}"
        )
    return sum(rows.values())


class _progress:
    """A rich progress bar on stderr for long loads (a terminal only); else nothing."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Any:
        from dbdesign.cli import term

        if self.total < PROGRESS_MIN_ROWS or not term.progress_wanted():
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=term.console(stderr=True),
            transient=True,
        )
        self.bar.start()
        return self.update

    def update(self, table: str, done: int, total: int) -> None:
        task = self.tasks.get(table)
        if task is None:
            task = self.tasks[table] = self.bar.add_task(table, total=total)
        self.bar.update(task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_text(report: Any) -> None:
    rows = [(t.table, f"{t.rows:,}", f"{t.seconds:.2f}") for t in report.tables]
    w0 = max([len("table"), *(len(r[0]) for r in rows)])
    w1 = max([len("rows"), *(len(r[1]) for r in rows)])
    typer.echo(f"{'table':<{w0}}  {'rows':>{w1}}  seconds")
    for name, n, s in rows:
        typer.echo(f"{name:<{w0}}  {n:>{w1}}  {s:>7}")
    typer.echo(
        f"loaded {report.total_rows:,} rows into {len(report.tables)} "
        f"table{'s' if len(report.tables) != 1 else ''} of "
        f"{report.target} in {report.seconds:.2f} s ({report.rows_per_second:,.0f} rows/s, "
        f"seed {report.seed})"
        + (f"; ANALYZE {report.analyze_seconds:.2f} s" if report.analyze_seconds else "")
    )
    from dbdesign.cli import term

    for note in report.notes:
        term.note(f"note: {note}")
