"""The ``dbdesign`` command: thin — parse arguments, call :mod:`dbdesign.api`, format output.

Exit codes (ARCHITECTURE.md): 0 clean; 1 findings or a non-empty diff; 2 usage, input or
connection error; 3 a destructive change refused.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from dbdesign import __version__
from dbdesign.errors import DbdesignError, Diagnostic

app = typer.Typer(
    name="dbdesign",
    help="Design, review, migrate, diff, optimise and document database schemas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, Any] = {"debug": False}


class Format(StrEnum):
    text = "text"
    json = "json"


class DialectOpt(StrEnum):
    postgres = "postgres"
    sqlite = "sqlite"
    mysql = "mysql"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dbdesign {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """dbdesign: a database design toolkit. Run `dbdesign COMMAND --help` for a command."""
    _state["debug"] = debug


def _warn(d: Diagnostic) -> None:
    typer.echo(str(d), err=True)


@app.command()
def inspect(
    source: Annotated[
        str,
        typer.Argument(
            help="A .sql file, a folder of .sql files, or a "
            "database URL (postgresql://..., mysql://..., sqlite:///...)."
        ),
    ],
    dialect: Annotated[
        DialectOpt | None,
        typer.Option("--dialect", help="Dialect of DDL files (detected when omitted)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    rows: Annotated[bool, typer.Option(help="Count rows (live databases only).")] = True,
) -> None:
    """Read a schema and summarise it: per schema, and one row per table.

    --format json prints the full model (versioned JSON).
    """
    from dbdesign import api

    schema = api.read(source, dialect=dialect.value if dialect else None, warn=_warn)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(api.to_json(schema), indent=2) + "\n")
        return
    counts = api.row_counts(source) if rows and api.is_database(source) else None
    from dbdesign.cli.report import print_inspect

    print_inspect(schema, counts)


# Command groups live in their own modules, each with ``register(app)``; their heavy imports
# stay inside the command functions so that start-up pays only for the command at hand.
COMMAND_MODULES: tuple[str, ...] = (
    "datagen",
    "design",
    "diff",
    "docs",
    "explain",
    "lint",
    "migrate",
)
for _name in COMMAND_MODULES:
    __import__(f"dbdesign.cli.{_name}", fromlist=["register"]).register(app)


def main() -> None:
    """Entry point: run the app; turn dbdesign errors into one line and exit code 2."""
    try:
        # Non-standalone click returns the code of typer.Exit(code) instead of exiting.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except DbdesignError as e:
        if _state["debug"]:
            raise
        typer.echo(f"dbdesign: error: {e}", err=True)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        sys.exit(2)
    except Exception as e:  # click usage errors and the like
        # The click typer runs on: the click package, or the copy typer >= 0.26 vendors.
        click_errors = sys.modules[typer.BadParameter.__module__]
        if isinstance(e, click_errors.ClickException):
            e.show()
            sys.exit(2 if isinstance(e, click_errors.UsageError) else e.exit_code)
        if _state["debug"]:
            raise
        typer.echo(
            f"dbdesign: internal error: {type(e).__name__}: {e} "
            "(run with --debug for the traceback)",
            err=True,
        )
        sys.exit(2)
