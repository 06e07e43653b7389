"""The ``dbdesign`` command: thin — parse arguments, call :mod:`dbdesign.api`, format output.

Exit codes (ARCHITECTURE.md): 0 clean; 1 findings or a non-empty diff; 2 usage, input or
connection error; 3 a destructive change refused.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.models import CommandInfo, TyperInfo

from dbdesign import __version__
from dbdesign.errors import DbdesignError, Diagnostic

app = typer.Typer(
    name="dbdesign",
    help="Design, review, migrate, diff, optimise and document database schemas.\n\n"
    "Global options go before the command (dbdesign --quiet lint schema.sql). NO_COLOR=1 "
    "turns colour off everywhere (https://no-color.org).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

_state: dict[str, Any] = {"debug": False, "verbose": False}


class ColorOpt(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class Format(StrEnum):
    text = "text"
    json = "json"


def dialect_option(what: str = "Dialect of DDL files", when_omitted: str = "detected") -> Any:
    """``--dialect``: the name or alias of a registered dialect, given back as its canonical
    name. The help lists the dialects registered when the CLI is built; an unknown name is a
    usage error (exit 2) that lists them."""
    from dbdesign import dialects

    def canonical(value: str) -> str:
        return dialects.get(value).name

    known = ", ".join(dialects.names())
    return typer.Option(
        "--dialect", metavar="DIALECT", parser=canonical, help=f"{what}: {known} ({when_omitted})."
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dbdesign {__version__}")
        raise typer.Exit()


def _color(ctx: typer.Context, value: ColorOpt | None) -> ColorOpt | None:
    """--color (eager, so that it also applies to --help): always, never or auto."""
    from dbdesign.cli import term

    choice = None if value in (None, ColorOpt.auto) else value is ColorOpt.always
    term.set_colour(choice)
    if choice is not None and not ctx.resilient_parsing:
        # The help is drawn by typer's rich console: tell it too (for this run only).
        import typer.rich_utils as ru

        saved = (ru.COLOR_SYSTEM, ru.FORCE_TERMINAL)
        ru.COLOR_SYSTEM, ru.FORCE_TERMINAL = ("auto", True) if choice else (None, None)

        def restore() -> None:
            ru.COLOR_SYSTEM, ru.FORCE_TERMINAL = saved
            term.set_colour(None)

        ctx.call_on_close(restore)
    return value


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Errors and the report only: no notes, warnings or progress on stderr.",
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="More detail on stderr: the database and server used, timings.",
        ),
    ] = False,
    color: Annotated[
        ColorOpt | None,
        typer.Option(
            "--color",
            callback=_color,
            is_eager=True,
            show_default=False,
            help="Colour the output: auto (the default: on a terminal, unless NO_COLOR is "
            "set), always or never.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    """dbdesign: a database design toolkit. Run `dbdesign COMMAND --help` for a command."""
    from dbdesign.cli import term
    from dbdesign.errors import ConfigError

    _state["debug"] = debug
    _state["verbose"] = verbose
    if quiet and verbose:
        raise ConfigError("give --quiet or --verbose, not both")
    term.set_level(term.QUIET if quiet else term.VERBOSE if verbose else term.NORMAL)
    ctx.call_on_close(lambda: term.set_level(term.NORMAL))
    if verbose:
        _start_verbose(ctx)


def _start_verbose(ctx: typer.Context) -> None:
    """--verbose: dbdesign's log messages (the embedded server ...) on stderr, and which
    database a command uses when it is given none."""
    import logging
    import os
    import platform

    from dbdesign.cli import term

    log = logging.getLogger("dbdesign")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("dbdesign: %(message)s"))
    log.addHandler(handler)
    saved_level = log.level
    log.setLevel(logging.INFO)

    def restore() -> None:
        log.removeHandler(handler)
        log.setLevel(saved_level)

    ctx.call_on_close(restore)
    term.detail(f"version {__version__}, Python {platform.python_version()}")
    from dbdesign.engine import ENV_DATABASE_URL, ENV_EMBEDDED_DIR
    from dbdesign.redact import redact_url

    env = os.environ.get(ENV_DATABASE_URL)
    if env:
        term.detail(f"default database (${ENV_DATABASE_URL}): {redact_url(env)}")
    else:
        where = os.environ.get(ENV_EMBEDDED_DIR) or "the user cache"
        term.detail(f"default database: the embedded PostgreSQL (data in {where})")


def _warn(d: Diagnostic) -> None:
    """A reader's warning on stderr (not with --quiet)."""
    from dbdesign.cli import term

    term.note(str(d))


@app.command()
def inspect(
    source: Annotated[
        str,
        typer.Argument(
            help="A .sql file, a folder of .sql files, or a "
            "database URL (postgresql://..., mysql://..., sqlite:///...)."
        ),
    ],
    dialect: Annotated[str | None, dialect_option()] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    rows: Annotated[bool, typer.Option(help="Count rows (live databases only).")] = True,
) -> None:
    """Read a schema and summarise it: per schema, and one row per table.

    --format json prints the full model (versioned JSON). A large file shows a progress bar on a
    terminal.

    Examples:

      dbdesign inspect examples/shop.sql

      dbdesign inspect postgresql://localhost/app --format json > app.json

      dbdesign inspect mysql://root@localhost:3306/app
    """
    from dbdesign import api
    from dbdesign.cli.progress import bytes_bar

    _reading(source)

    with bytes_bar("reading") as progress:
        schema = api.read(source, dialect=dialect, warn=_warn, progress=progress)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(api.to_json(schema), indent=2) + "\n")
        return
    counts = api.row_counts(source) if rows and api.is_database(source) else None
    from dbdesign.cli.report import print_inspect

    print_inspect(schema, counts)


# Command groups live in their own modules, each with ``register(app)``; their heavy imports
# stay inside the command functions so that start-up pays only for the command at hand.
COMMAND_MODULES: tuple[str, ...] = (
    "advise",
    "datagen",
    "design",
    "diff",
    "docs",
    "explain",
    "health",
    "lint",
    "mcp",
    "migrate",
    "server",
)
for _name in COMMAND_MODULES:
    __import__(f"dbdesign.cli.{_name}", fromlist=["register"]).register(app)


def _reading(source: str) -> None:
    """--verbose: name the database a command reads (password redacted)."""
    from dbdesign.cli import term

    if term.verbose() and "://" in source:
        from dbdesign.redact import redact_url

        term.detail(f"reading {redact_url(source)}")


def _redacted(message: str) -> str:
    """``message`` without the secrets of any connection string given on the command line or
    in the environment (the last net under each command's own redaction)."""
    import os

    from dbdesign.engine import ENV_DATABASE_URL
    from dbdesign.redact import redact_message

    sources = [*sys.argv[1:], os.environ.get(ENV_DATABASE_URL, "")]
    return redact_message(message, *sources, quoted=False)


def main() -> None:
    """Entry point: run the app; exit with its code.

    A dbdesign error, a usage error or an unreadable file prints one line and exits 2 (3 for a
    refused destructive change); ``--debug`` adds the traceback and keeps the exit code. Ctrl-C
    prints one line and exits 130.
    """
    import time

    started = time.perf_counter()
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
    _finished(started, code)
    sys.exit(code)


def _finished(started: float, code: int | str | None) -> None:
    """--verbose: how long the command took."""
    import time

    if _state["verbose"]:
        seconds = time.perf_counter() - started
        typer.echo(f"dbdesign: finished in {seconds:.2f} s (exit code {code})", err=True)


def _named_command(args: list[str]) -> str | None:
    """The command a command line runs (``dbdesign -q lint ...`` -> ``lint``); None when it
    names none, or asks for the top-level help first."""
    it = iter(args)
    for a in it:
        if a in ("--help", "-h"):
            return None
        if a == "--color":
            next(it, None)
        elif a == "--":
            return next(it, None)
        elif not a.startswith("-"):
            return a
    return None


def _command_name(c: CommandInfo) -> str | None:
    """A registered command's name, as typer derives it from the function's."""
    from typer.main import get_command_name

    if c.name or c.callback is None:
        return c.name
    return get_command_name(c.callback.__name__)


def _group_name(g: TyperInfo) -> str | None:
    return g.name or (g.typer_instance.info.name if g.typer_instance else None)


@contextlib.contextmanager
def _only_the_named_command() -> Iterator[None]:
    """While the app runs, only the command named on the command line is registered: typer
    builds every registered command's options from its signature at each start (~30 ms for
    all of them). The top-level help, an unknown command (click's error lists the others) and
    shell completion still get them all."""
    import os

    name = _named_command(sys.argv[1:])
    commands, groups = app.registered_commands, app.registered_groups
    keep = [c for c in commands if _command_name(c) == name]
    keep_groups = [g for g in groups if _group_name(g) == name]
    completing = any(k.endswith("_COMPLETE") for k in os.environ)
    if completing or not (keep or keep_groups):
        yield
        return
    app.registered_commands, app.registered_groups = keep, keep_groups
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = commands, groups


def _run() -> int:
    """Run the app; turn errors into one line on stderr and return the exit code."""
    try:
        # Non-standalone click returns the code of typer.Exit(code) instead of exiting, and
        # typer turns Ctrl-C into typer.Exit(130).
        with _only_the_named_command():
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
