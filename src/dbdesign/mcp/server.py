"""The MCP server: dbdesign's tools, resources and prompt on the official ``mcp`` SDK.

Every tool runs on a worker thread (a long design does not hold up the others), reports the
steps of a long call as MCP progress notifications when the client asks for them, and turns
every failure into a tool error (``isError``) whose text has no secret in it: the server keeps
serving whatever a tool is given.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import json
import logging
import typing
from collections.abc import Callable
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations

from dbdesign import __version__
from dbdesign.errors import DbdesignError
from dbdesign.mcp import prompts, safety
from dbdesign.mcp.tools import DbdesignTools

_log = logging.getLogger("dbdesign.mcp")

INSTRUCTIONS = """\
dbdesign designs, reviews and explains relational databases (PostgreSQL first; MySQL/MariaDB
and SQLite too) and proves its designs on real servers. Start with `databases` to learn which
databases you may read (by name), `design` (with `spec_schema` and the design-database prompt)
to make a new schema, `lint` for schemas and migrations, `diff` for a migration between two
schemas, `explain` for a slow query, `advise` for the indexes a workload needs, `health` for
a live database. Nothing you call here can change a configured database: sessions are
read-only with timeouts, and designs are proved in scratch databases."""

# Tool name -> whether it reads a configured database (open world) — every tool is read-only.
TOOLS: dict[str, bool] = {
    "databases": False,
    "inspect": True,
    "lint": True,
    "rules": False,
    "diff": True,
    "spec_schema": False,
    "design": False,
    "docs": True,
    "explain": True,
    "health": True,
    "advise": True,
}


def build(settings: safety.McpSettings) -> MCPServer:
    """The server, its tools bound to ``settings``."""
    tools = DbdesignTools(settings)
    server: MCPServer = MCPServer(
        "dbdesign", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    for name, reads_databases in TOOLS.items():
        method = getattr(tools, name)
        server.add_tool(
            _as_tool(method, settings),
            name=name,
            title=_title(name),
            description=inspect.cleandoc(method.__doc__ or ""),
            annotations=ToolAnnotations(
                read_only_hint=True,
                destructive_hint=False,
                idempotent_hint=name != "design",
                open_world_hint=reads_databases,
            ),
            structured_output=True,
        )
    _resources(server, tools, settings)

    @server.prompt(
        name="design-database",
        title="Design a database",
        description="Walks you through designing a database with dbdesign's spec: write the "
        "spec, design, read the proof, iterate, review the migration.",
    )
    def design_database(requirements: str) -> str:
        return prompts.design_database(requirements)

    return server


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _as_tool(method: Callable[..., Any], settings: safety.McpSettings) -> Callable[..., Any]:
    """``method`` as an MCP tool: the same typed parameters (but ``progress``) and a Context;
    run on a worker thread; progress sent as notifications; errors as tool errors, redacted;
    every result redacted."""
    hints = typing.get_type_hints(method, include_extras=True)
    sig = inspect.signature(method)
    wants_progress = "progress" in sig.parameters
    params = [
        p.replace(annotation=hints[p.name]) for p in sig.parameters.values() if p.name != "progress"
    ]
    params.append(inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context))
    returns = hints["return"]

    async def tool(**kwargs: Any) -> Any:
        ctx: Context = kwargs.pop("ctx")
        if wants_progress:
            kwargs["progress"] = _progress(ctx)
        try:
            result = await anyio.to_thread.run_sync(functools.partial(method, **kwargs))
        except ToolError:
            raise
        except DbdesignError as e:
            raise ToolError(safety.scrub(str(e), settings.secrets)) from None
        except OSError as e:
            where = f"{e.filename}: " if e.filename else ""
            raise ToolError(f"{where}{e.strerror or e}") from None
        except Exception as e:  # a bug: say what it was, keep serving
            _log.exception("tool %s failed", method.__name__)
            raise ToolError(
                safety.scrub(f"internal error: {type(e).__name__}: {e}", settings.secrets)
            ) from None
        if hasattr(result, "model_dump"):
            data = safety.scrub(result.model_dump(mode="json"), settings.secrets)
            return type(result).model_validate(data)
        return safety.scrub(result, settings.secrets)

    tool.__name__ = method.__name__
    tool.__doc__ = method.__doc__
    tool.__signature__ = sig.replace(parameters=params, return_annotation=returns)  # type: ignore[attr-defined]
    tool.__annotations__ = {**{p.name: p.annotation for p in params}, "return": returns}
    return tool


def _progress(ctx: Context) -> Callable[[str], None]:
    """A ``progress(message)`` for the worker thread: each message a progress notification
    (numbered, no total: the steps of a design are not known in advance)."""
    counter = itertools.count(1)

    def say(message: str) -> None:
        try:
            anyio.from_thread.run(ctx.report_progress, float(next(counter)), None, message)
        except Exception:  # the client went away: the work goes on
            _log.debug("progress notification not sent", exc_info=True)

    return say


def _resources(server: MCPServer, tools: DbdesignTools, settings: safety.McpSettings) -> None:
    @server.resource(
        "dbdesign://design/DESIGN.md",
        name="last-design-md",
        title="DESIGN.md of the last design",
        description="The design document of the last call of the design tool.",
        mime_type="text/markdown",
    )
    def design_md() -> str:
        last = tools.last_design
        if last is None:
            raise ResourceError("no design yet: call the design tool first")
        return last.design_md

    @server.resource(
        "dbdesign://design/schema.json",
        name="last-design-schema",
        title="Schema model of the last design",
        description="The schema of the last design as dbdesign's versioned model JSON.",
        mime_type="application/json",
    )
    def design_schema() -> str:
        last = tools.last_design
        if last is None:
            raise ResourceError("no design yet: call the design tool first")
        return json.dumps(last.schema_json, indent=2)

    @server.resource(
        "dbdesign://database/{name}/schema.json",
        name="database-schema",
        title="Current schema of a configured database",
        description="The schema model of a configured database, read now (read-only), as "
        "dbdesign's versioned model JSON.",
        mime_type="application/json",
    )
    def database_schema(name: str) -> str:
        from dbdesign import api

        try:
            url = safety.database(settings, name)[1]
            return json.dumps(api.to_json(api.read(url)), indent=2)
        except DbdesignError as e:
            raise ResourceError(safety.scrub(str(e), settings.secrets)) from None


def serve(settings: safety.McpSettings, http: tuple[str, int] | None = None) -> None:
    """Serve on stdio until the client closes it (or, ``http``, on streamable HTTP at
    ``http://HOST:PORT/mcp`` until interrupted). ``$DBDESIGN_DATABASE_URL`` is set aside:
    the databases the tools read are named in ``settings``, and nothing falls back on it."""
    import os

    from dbdesign.engine import ENV_DATABASE_URL

    os.environ.pop(ENV_DATABASE_URL, None)
    server = build(settings)
    if http is None:
        anyio.run(server.run_stdio_async)
    else:
        host, port = http
        anyio.run(functools.partial(server.run_streamable_http_async, host=host, port=port))
