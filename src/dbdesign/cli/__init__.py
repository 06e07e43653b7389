"""The ``dbdesign`` command: thin — parse arguments, call :mod:`dbdesign.api`, format output.

Exit codes (ARCHITECTURE.md): 0 clean; 1 findings or a non-empty diff; 2 usage, input or
connection error; 3 a destructive change refused.
"""

from __future__ import annotations

import contextlib
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

    --format json prints the full model (versioned JSON). A large file shows a progress bar on a
    terminal.

    Examples:

      dbdesign inspect schema.sql

      dbdesign inspect postgresql://localhost/shop --format json > shop.json
    """
    from dbdesign import api
    from dbdesign.cli.progress import bytes_bar

    with bytes_bar("reading") as progress:
        schema = api.read(
            source, dialect=dialect.value if dialect else None, warn=_warn, progress=progress
        )
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


def _redacted(message: str) -> str:
    """``message`` without the secrets of any connection string given on the command line or
    in the environment (the last net under each command's own redaction)."""
    import os

    from dbdesign.engine import ENV_DATABASE_URL, redact_message

    sources = [*sys.argv[1:], os.environ.get(ENV_DATABASE_URL, "")]
    return redact_message(message, *sources, quoted=False)


def main() -> None:
    """Entry point: run the app; exit with its code.

    A dbdesign error, a usage error or an unreadable file prints one line and exits 2 (3 for a
    refused destructive change); ``--debug`` adds the traceback and keeps the exit code. Ctrl-C
    prints one line and exits 130.
    """
    guard = _Interrupts()
    guard.install()
    code: int | str | None
    try:
        code = _run()
    except KeyboardInterrupt:
        guard.interrupted = True
        code = 130
    except SystemExit as e:
        code = e.code
    finally:
        guard.restore()
    if guard.interrupted or code == 130:
        typer.echo("dbdesign: interrupted", err=True)
        code = 130
    sys.exit(code)


def _run() -> int:
    """Run the app; turn errors into one line on stderr and return the exit code."""
    try:
        # Non-standalone click returns the code of typer.Exit(code) instead of exiting, and
        # typer turns Ctrl-C into typer.Exit(130).
        code = app(standalone_mode=False)
        return code if isinstance(code, int) else 0
    except DbdesignError as e:
        return _fail(f"dbdesign: error: {e}", e.exit_code)
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 2
    except BrokenPipeError:
        # The reader of stdout went away (`dbdesign rules | head`): say nothing more.
        _quiet_stdout()
        return 1
    except OSError as e:
        # A file that cannot be read or written: one line naming it.
        where = f"{e.filename}: " if e.filename else ""
        return _fail(f"dbdesign: error: {where}{e.strerror or e}", 2)
    except UnicodeDecodeError as e:
        return _fail(
            f"dbdesign: error: input is not UTF-8 text (byte 0x{e.object[e.start]:02x} at "
            f"offset {e.start})",
            2,
        )
    except Exception as e:  # click usage errors and the like
        # The click typer runs on: the click package, or the copy typer >= 0.26 vendors.
        click_errors = sys.modules[typer.BadParameter.__module__]
        if isinstance(e, click_errors.ClickException):
            e.show()
            return 2 if isinstance(e, click_errors.UsageError) else e.exit_code
        hint = "" if _state["debug"] else " (run with --debug for the traceback)"
        return _fail(f"dbdesign: internal error: {type(e).__name__}: {e}{hint}", 2)


def _fail(message: str, code: int) -> int:
    """Print ``message`` (after the traceback with --debug) and return ``code``."""
    if _state["debug"]:
        import traceback

        traceback.print_exc()
    typer.echo(_redacted(message), err=True)
    return code


def _quiet_stdout() -> None:
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class _Interrupts:
    """Ctrl-C: one line, exit 130.

    The first SIGINT raises KeyboardInterrupt as usual, so that the command's ``finally``
    blocks and context managers roll back, close connections and drop scratch databases; while
    they do, stderr is sent to /dev/null, since database drivers interrupted mid-query log
    warnings about the rollback they could not send (without --debug). A second SIGINT exits at
    once.
    """

    def __init__(self) -> None:
        self.interrupted = False
        self._saved_fd: int | None = None
        self._previous: Any = None

    def install(self) -> None:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return  # someone (a test runner, an embedding program) handles it already
        self._previous = signal.signal(signal.SIGINT, self._on_sigint)

    def _on_sigint(self, signum: int, frame: Any) -> None:
        import os

        if self.interrupted:
            self.restore()
            os.write(2, b"dbdesign: interrupted\n")
            os._exit(130)
        self.interrupted = True
        if not _state["debug"]:
            self._mute_stderr()
        raise KeyboardInterrupt

    def _mute_stderr(self) -> None:
        import os

        try:
            sys.stderr.flush()
            self._saved_fd = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except (OSError, ValueError):
            self._saved_fd = None

    def restore(self) -> None:
        import os
        import signal

        if self._saved_fd is not None:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(self._saved_fd, 2)
            os.close(self._saved_fd)
            self._saved_fd = None
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
