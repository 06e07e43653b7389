"""``dbdesign mcp``: serve dbdesign's tools to AI coding agents over the Model Context Protocol."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="mcp")(mcp)


def mcp(
    allow_urls: Annotated[
        bool,
        typer.Option(
            "--allow-urls",
            help="Let tools take database URLs as arguments (else only configured names).",
        ),
    ] = False,
    allow_analyze_writes: Annotated[
        bool,
        typer.Option(
            "--allow-analyze-writes",
            help="Let explain run EXPLAIN ANALYZE of a data-changing statement (always rolled "
            "back); else such a statement gets its plan only.",
        ),
    ] = False,
    statement_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds a statement may run on a configured database (default: the "
            "configuration's, else 30).",
            show_default=False,
        ),
    ] = None,
    lock_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds a statement may wait for a lock (default: the configuration's, else 5).",
            show_default=False,
        ),
    ] = None,
    http: Annotated[
        str | None,
        typer.Option(
            "--http",
            metavar="HOST:PORT",
            help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Check the configuration, list the databases, and exit."),
    ] = False,
    config: Annotated[
        Path | None, typer.Option(help="A dbdesign.toml or pyproject.toml (else the nearest).")
    ] = None,
) -> None:
    """Serve dbdesign to AI coding agents over the Model Context Protocol (stdio by default).

    Tools: databases, inspect, lint, rules, diff, spec_schema, design, docs, explain, health;
    resources: the last design's DESIGN.md and schema, a configured database's schema; a
    prompt that walks through designing a database. See docs/agents.md.

    Databases are named in [tool.dbdesign.mcp.databases] (name = "URL" or "$VARIABLE") or
    $DBDESIGN_MCP_DATABASES ("name=URL name2=URL2"); tools take those names, never URLs
    (unless --allow-urls). Every PostgreSQL session is read-only with statement and lock
    timeouts; explain runs one read-only query only (unless --allow-analyze-writes, rolled
    back); design proves on a scratch database ($DBDESIGN_MCP_SCRATCH_URL, else the embedded
    PostgreSQL). $DBDESIGN_DATABASE_URL is not used.

    Examples:

      DBDESIGN_MCP_DATABASES="app=postgresql://reader@localhost/app" dbdesign mcp

      dbdesign mcp --check

      dbdesign mcp --http 127.0.0.1:8765 --check

    (--check says what the server would serve and exits; without it, the server runs: on stdio
    for a client that starts it, with --http for clients that connect.)
    """
    from dbdesign.config import load_config
    from dbdesign.errors import ConfigError
    from dbdesign.mcp.safety import load_settings

    found = load_config(explicit=config)
    settings = load_settings(
        found.section("mcp"),
        file=str(found.path) if found.path else None,
        allow_urls=allow_urls,
        allow_analyze_writes=allow_analyze_writes,
        statement_timeout_s=statement_timeout,
        lock_timeout_s=lock_timeout,
    )
    where = _host_port(http) if http is not None else None
    if check:
        _describe(settings)
        return
    try:
        import mcp as sdk  # noqa: F401
    except ImportError:
        raise ConfigError(
            "dbdesign mcp needs the Model Context Protocol SDK: pip install 'dbdesign[mcp]'"
        ) from None
    from dbdesign.mcp.server import serve

    serve(settings, where)


def _host_port(text: str) -> tuple[str, int]:
    from dbdesign.errors import ConfigError

    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--http {text!r}: give HOST:PORT (127.0.0.1:8765)")
    return host.strip("[]"), int(port)


def _describe(settings: object) -> None:
    """--check: what the server would serve, on stdout (no URL: names and dialects)."""
    from dbdesign import api
    from dbdesign.mcp.safety import McpSettings

    assert isinstance(settings, McpSettings)
    typer.echo(f"configuration: {settings.config_file or 'none (environment only)'}")
    if not settings.databases:
        typer.echo("databases: none configured")
    for name, url in sorted(settings.databases.items()):
        typer.echo(f"database {name}: {api.detect_dialect(url)}")
    scratch = api.detect_dialect(settings.scratch) if settings.scratch else None
    typer.echo(f"scratch server: {scratch or 'the embedded PostgreSQL'}")
    typer.echo(
        f"urls allowed: {'yes' if settings.allow_urls else 'no'}; analyze of writes: "
        f"{'yes' if settings.allow_analyze_writes else 'no'}; statement timeout "
        f"{settings.statement_timeout_s:g} s, lock timeout {settings.lock_timeout_s:g} s"
    )
