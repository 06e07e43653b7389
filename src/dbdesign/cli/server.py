"""``dbdesign server``: the embedded PostgreSQL (status, stop).

Commands that need a database and are given none start the embedded server on first use and
leave it running, so that the next command reuses it; ``dbdesign server stop`` stops it.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from dbdesign.cli import Format

server_app = typer.Typer(
    name="server",
    help="The embedded PostgreSQL that commands use when given no database: status, stop.",
    no_args_is_help=True,
)


@server_app.command("status")
def status(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Show the embedded server: data directory, running or not, URL and socket, version.

    It is started by the first command that needs a database and is given none
    (no --db and no $DBDESIGN_DATABASE_URL), and stays running for the next ones. Its data
    directory is $DBDESIGN_EMBEDDED_DIR, else the user cache. Nothing is started here.

    Examples:

      dbdesign server status

      dbdesign server status --format json
    """
    from dbdesign.engine import embedded_status

    st = embedded_status()
    if fmt is Format.json:
        sys.stdout.write(json.dumps(st.as_dict(), indent=2) + "\n")
        return
    rows = [
        ("data directory", str(st.data_dir)),
        ("state", st.state),
        ("pid", str(st.pid) if st.pid else "-"),
        ("url", st.url or "-"),
        ("socket", st.socket or "-"),
        ("version", st.version or "-"),
        ("started at", st.started_at or "-"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        typer.echo(f"{key:<{width}}  {value}")


@server_app.command("stop")
def stop(
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Seconds to wait for a clean shutdown before forcing it."),
    ] = 60.0,
) -> None:
    """Stop the embedded server cleanly (open sessions are disconnected).

    Exit 0 also when it was not running. The next command that needs it starts it again.

    Examples:

      dbdesign server stop
    """
    from dbdesign.cli import term
    from dbdesign.engine import embedded_dir, embedded_stop
    from dbdesign.errors import ConfigError

    if timeout <= 0:
        raise ConfigError("--timeout must be > 0")
    if embedded_stop(timeout=timeout):
        typer.echo(f"stopped the embedded PostgreSQL in {embedded_dir()}")
    else:
        typer.echo(f"the embedded PostgreSQL in {embedded_dir()} is not running")
    term.detail("the next command that needs it starts it again")


def register(app: typer.Typer) -> None:
    app.add_typer(server_app, name="server")
