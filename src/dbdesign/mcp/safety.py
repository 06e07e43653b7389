"""What the MCP server lets an agent reach: decided by dbdesign, not by the agent's manners.

- **Databases by name.** The databases a tool may read are configured when the server starts:
  ``[tool.dbdesign.mcp.databases]`` in dbdesign.toml / pyproject.toml (``name = "URL"``, or
  ``name = "$VARIABLE"`` to read the URL from the environment) and ``$DBDESIGN_MCP_DATABASES``
  (``name=URL`` entries separated by white space; they win over the file's of the same name).
  A tool argument names one; a URL given as an argument is refused unless the server was
  started with ``--allow-urls``.
- **Read-only sessions.** Every PostgreSQL session on a named database is opened with
  ``default_transaction_read_only``, a ``statement_timeout`` and a ``lock_timeout`` set by the
  server for the whole session (libpq's ``options``), under whatever dbdesign runs in it.
- **explain** runs a statement only after PostgreSQL's parser (the guard of ``dbdesign explain``,
  :mod:`dbdesign.advise.guard`) has accepted it as one SELECT / VALUES / INSERT / UPDATE /
  DELETE / MERGE without functions whose effects escape a rollback; ``EXPLAIN ANALYZE`` of a
  data-changing statement (a data-changing WITH and row locks included) runs only with
  ``--allow-analyze-writes``, in a transaction that is always rolled back; a plan alone
  (``analyze=false``) is never run.
- **Scratch servers only are written.** ``design`` proves in a scratch database (created and
  dropped) on the scratch server: ``scratch`` / ``$DBDESIGN_MCP_SCRATCH_URL``, else the embedded
  PostgreSQL. ``$DBDESIGN_DATABASE_URL`` is not used by the server.
- **No secrets out.** Every tool result and error passes through :func:`scrub`, which redacts
  the configured URLs' passwords wherever they appear (:mod:`dbdesign.redact`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbdesign.errors import ConfigError, UnsupportedError
from dbdesign.redact import redact_message, redact_url

ENV_DATABASES = "DBDESIGN_MCP_DATABASES"
ENV_SCRATCH = "DBDESIGN_MCP_SCRATCH_URL"
DEFAULT_STATEMENT_TIMEOUT_S = 30.0
DEFAULT_LOCK_TIMEOUT_S = 5.0
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
# libpq reads ``options`` (server settings for the session) from these URLs
_LIBPQ_SCHEMES = ("postgresql://", "postgres://")
_CONFIG_KEYS = frozenset({"databases", "scratch", "statement_timeout", "lock_timeout"})
# The guard of the statements ``explain`` runs, by the dialect of the database's adapter:
# "module:function", and whether it reads psycopg's %s placeholders.
_GUARDS: dict[str, tuple[str, bool]] = {
    "postgres": ("dbdesign.advise.guard:check_statement", True),
    "mysql": ("dbdesign.advise.guard_mysql:check_mysql_statement", False),
}
# The dialects whose databases are asked what the functions a statement calls are (PostgreSQL:
# a VOLATILE function of the database's own is never run under ANALYZE: check_functions)
_CALLS_CHECKED = frozenset({"postgres"})
# Functions a rollback does not undo that a READ ONLY transaction refuses only when nothing
# else in it writes: never run under ANALYZE beside a write.
_NOT_BESIDE_WRITES = frozenset({"nextval"})


@dataclass(frozen=True, slots=True, kw_only=True)
class McpSettings:
    """The server's configuration: the databases tools may name (name -> URL, secrets
    included: never shown), the scratch server design proves on (None: the embedded
    PostgreSQL), what the command line allowed, and the session limits in seconds."""

    databases: Mapping[str, str] = field(default_factory=dict)
    scratch: str | None = None
    allow_urls: bool = False
    allow_analyze_writes: bool = False
    statement_timeout_s: float = DEFAULT_STATEMENT_TIMEOUT_S
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S
    config_file: str | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every connection string the server holds (for :func:`scrub`)."""
        return (*self.databases.values(), *((self.scratch,) if self.scratch else ()))


def load_settings(
    config: Mapping[str, Any],
    *,
    file: str | None = None,
    environ: Mapping[str, str] | None = None,
    allow_urls: bool = False,
    allow_analyze_writes: bool = False,
    statement_timeout_s: float | None = None,
    lock_timeout_s: float | None = None,
) -> McpSettings:
    """The settings from the ``[tool.dbdesign.mcp]`` section ``config`` (of ``file``), the
    environment and the command line (which wins over the file's timeouts)."""
    env = os.environ if environ is None else environ
    unknown = sorted(set(config) - _CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"[tool.dbdesign.mcp]: unknown key {unknown[0]!r} (known: "
            f"{', '.join(sorted(_CONFIG_KEYS))})",
            file=file,
        )
    dbs = dict(_file_databases(config.get("databases", {}), file, env))
    dbs.update(_env_databases(env.get(ENV_DATABASES, "")))
    scratch = env.get(ENV_SCRATCH) or _value(config.get("scratch"), "scratch", file, env)
    if scratch is not None:
        _check_url(scratch, "the scratch server", file)
    return McpSettings(
        databases=dbs,
        scratch=scratch,
        allow_urls=allow_urls,
        allow_analyze_writes=allow_analyze_writes,
        statement_timeout_s=_seconds(
            statement_timeout_s, config, "statement_timeout", DEFAULT_STATEMENT_TIMEOUT_S, file
        ),
        lock_timeout_s=_seconds(
            lock_timeout_s, config, "lock_timeout", DEFAULT_LOCK_TIMEOUT_S, file
        ),
        config_file=file,
    )


def _file_databases(table: Any, file: str | None, env: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ConfigError("[tool.dbdesign.mcp.databases] must be a table: name = URL", file=file)
    out: dict[str, str] = {}
    for name, raw in table.items():
        _check_name(name, file)
        url = _value(raw, f"databases.{name}", file, env)
        assert url is not None
        _check_url(url, f"database {name!r}", file)
        out[name] = url
    return out


def _env_databases(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in text.split():
        name, sep, url = entry.partition("=")
        where = f"${ENV_DATABASES}"
        if not sep or not url:
            raise ConfigError(
                f"{where}: {redact_url(entry)!r} is not name=URL (entries are separated by "
                "white space)"
            )
        _check_name(name, where)
        _check_url(url, f"database {name!r}", where)
        out[name] = url
    return out


def _value(raw: Any, key: str, file: str | None, env: Mapping[str, str]) -> str | None:
    """A configured string; ``$NAME`` reads the environment variable NAME."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw:
        raise ConfigError(f"[tool.dbdesign.mcp] {key}: must be a URL (a string)", file=file)
    if raw.startswith("$"):
        var = raw[1:].strip("{}")
        if var not in env or not env[var]:
            raise ConfigError(
                f"[tool.dbdesign.mcp] {key}: the environment variable {var} is not set",
                file=file,
            )
        return env[var]
    return raw


def _check_name(name: str, where: str | None) -> None:
    if not _NAME.match(name):
        raise ConfigError(
            f"database name {name!r}: use letters, digits, '_', '.' or '-' (a letter first)",
            file=where,
        )


def _check_url(url: str, what: str, where: str | None) -> None:
    from dbdesign import api

    if not api.is_database_url(url):
        raise ConfigError(
            f"{what}: {redact_url(url)!r} is not a database URL (postgresql://..., "
            "mysql://..., sqlite:///...)",
            file=where,
        )


def _seconds(
    given: float | None, config: Mapping[str, Any], key: str, default: float, file: str | None
) -> float:
    value = given if given is not None else config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"[tool.dbdesign.mcp] {key}: must be a number of seconds > 0", file=file)
    return float(value)


# --------------------------------------------------------------------------- databases


def database(
    settings: McpSettings, given: str | None, *, read_only: bool = True
) -> tuple[str, str]:
    """``(label, URL)`` of the database a tool argument names: a configured name (or, with
    ``--allow-urls``, a URL). ``given`` None: the only configured database. The URL opens
    PostgreSQL sessions read-only (unless ``read_only=False``) with the server's timeouts; the
    label is what output may show (the name, or the URL without its password)."""
    names = sorted(settings.databases)
    if given is None or not given.strip():
        if len(names) == 1:
            given = names[0]
        else:
            raise ConfigError(_which(names))
    if given in settings.databases:
        return given, session_url(settings, settings.databases[given], read_only=read_only)
    if "://" in given or "=" in given:
        if not settings.allow_urls:
            raise ConfigError(
                "database URLs are not accepted as tool arguments (the server was started "
                "without --allow-urls): " + _which(names)
            )
        from dbdesign import api

        if not api.is_database_url(given):
            raise ConfigError(f"{redact_url(given)!r} is not a database URL")
        return redact_url(given), session_url(settings, given, read_only=read_only)
    raise ConfigError(f"no database named {given!r}: " + _which(names))


def _which(names: list[str]) -> str:
    if not names:
        return (
            "no database is configured: name them in [tool.dbdesign.mcp.databases] or "
            f"${ENV_DATABASES} (name=URL) before starting the server"
        )
    return "name one of the configured databases: " + ", ".join(names)


def session_url(settings: McpSettings, url: str, *, read_only: bool = True) -> str:
    """``url`` whose PostgreSQL sessions start read-only (``read_only``) with the server's
    statement and lock timeouts, set by the server for the whole session (libpq ``options``,
    after any the URL already gives, so that they win); MySQL / MariaDB sessions likewise
    (``init_command``: READ ONLY transactions, lock_wait_timeout and innodb_lock_wait_timeout,
    and on MariaDB max_statement_time; MySQL's max_execution_time has no form MariaDB would
    not refuse, so there a statement is bounded by the client's read timeout alone). SQLite
    files are opened read-only by dbdesign."""
    from dbdesign.engine import is_mysql_url

    if is_mysql_url(url):
        return _mysql_session_url(settings, url, read_only=read_only)
    if not url.lower().startswith(_LIBPQ_SCHEMES):
        return url
    from urllib.parse import quote

    from psycopg.conninfo import conninfo_to_dict

    settings_given = str(conninfo_to_dict(url).get("options") or "")
    ours = [
        f"-c statement_timeout={round(settings.statement_timeout_s * 1000)}",
        f"-c lock_timeout={round(settings.lock_timeout_s * 1000)}",
        f"-c idle_in_transaction_session_timeout={round(settings.statement_timeout_s * 2000)}",
    ]
    if read_only:
        ours.insert(0, "-c default_transaction_read_only=on")
    options = " ".join([settings_given, *ours]).strip()
    tail = url.rsplit("@", 1)[-1]
    sep = "&" if "?" in tail else "?"
    return f"{url}{sep}options={quote(options, safe='')}"


def _mysql_session_url(settings: McpSettings, url: str, *, read_only: bool) -> str:
    from urllib.parse import quote

    lock = max(1, round(settings.lock_timeout_s))
    sets = [
        f"SET SESSION lock_wait_timeout = {lock}, SESSION innodb_lock_wait_timeout = {lock}"
        # executed by MariaDB alone (10.1.8+): a statement's longest run, in seconds
        f" /*M!100108 , SESSION max_statement_time = {settings.statement_timeout_s:g} */"
    ]
    if read_only:
        sets.insert(0, "SET SESSION TRANSACTION READ ONLY")
    tail = url.rsplit("@", 1)[-1]
    sep = "&" if "?" in tail else "?"
    return f"{url}{sep}init_command={quote('; '.join(sets), safe='')}"


# --------------------------------------------------------------------------- explain


def check_explain(settings: McpSettings, sql: str, url: str, *, analyze: bool, params: bool) -> Any:
    """The guard's verdict on ``sql`` for the database at ``url`` (its checked statement), or
    the refusal: anything but one statement the guard accepts, and ``analyze`` of a statement
    that writes unless the server allows it (never beside a call of a function a rollback does
    not undo)."""
    import importlib

    from dbdesign import databases

    adapter = databases.find(url)
    guard = _GUARDS.get(adapter.dialect) if adapter is not None else None
    if guard is None:
        raise UnsupportedError("explain needs a PostgreSQL or MySQL/MariaDB database")
    where, placeholders = guard
    module, function = where.split(":")
    check = getattr(importlib.import_module(module), function)
    stmt = check(sql, placeholders=params) if placeholders else check(sql)
    if analyze and stmt.writes:
        what = (
            f"a data-changing {stmt.kind}"
            if stmt.kind != "SELECT"
            else "a SELECT that changes data (a data-changing WITH, or row locks)"
        )
        if not settings.allow_analyze_writes:
            raise UnsupportedError(
                f"refusing EXPLAIN ANALYZE of {what}: it would run the statement (this server "
                "was started without --allow-analyze-writes); ask for its plan alone with "
                "analyze=false"
            )
        escapes = sorted(_NOT_BESIDE_WRITES & getattr(stmt, "calls", frozenset()))
        if escapes:
            raise UnsupportedError(
                f"refusing EXPLAIN ANALYZE of {what} that calls {escapes[0]}(): a rollback "
                "does not undo it; ask for its plan alone with analyze=false"
            )
    return stmt


def check_workload(settings: McpSettings, text: str, url: str) -> None:
    """Refuse advice that would build indexes for real (MySQL / MariaDB's, on a copy of the
    tables: a write on the server), and a workload any of whose queries the guard of
    ``explain`` refuses (a function whose effect escapes the transaction: the planner may fold
    a call while planning)."""
    from dbdesign import api, databases

    adapter = databases.find(url)
    if adapter is None or adapter.dialect in api.BUILT_ADVICE:
        raise UnsupportedError(
            "advise here is for PostgreSQL (hypothetical indexes, nothing built); advice on "
            "MySQL/MariaDB builds every candidate index on a copy of the tables: run "
            "`dbdesign advise WORKLOAD --db URL --scratch URL` from a shell"
        )
    from dbdesign.advise.workload import parse_sql_workload

    for q in parse_sql_workload(text, file="queries").queries:
        check_explain(settings, q.sql, url, analyze=False, params=False)


def check_functions(url: str, stmt: Any) -> None:
    """Refuse EXPLAIN ANALYZE of a PostgreSQL statement (``stmt``, as :func:`check_explain`
    accepted it) that calls a VOLATILE function of the database's own (outside pg_catalog):
    what it does beyond the transaction — a call of pg_terminate_backend inside it, say — the
    guard cannot read, and a read-only session does not stop. Its plan alone is still
    offered. Other servers: nothing to ask."""
    from dbdesign import databases
    from dbdesign.engine import connect

    adapter = databases.find(url)
    calls = sorted(getattr(stmt, "calls", frozenset()))
    if not calls or adapter is None or adapter.dialect not in _CALLS_CHECKED:
        return

    with connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = "
            "p.pronamespace WHERE p.proname = ANY(%s) AND p.provolatile = 'v' AND n.nspname "
            "NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
            (calls,),
        ).fetchall()
    if rows:
        raise UnsupportedError(
            f"refusing EXPLAIN ANALYZE of a statement that calls {rows[0][0]}(), a VOLATILE "
            "function of this database: what it does outside the transaction cannot be "
            "checked; ask for its plan alone with analyze=false"
        )


# --------------------------------------------------------------------------- output


def scrub(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` (text, or JSON-like lists and mappings of it) with the passwords of
    ``secrets`` and of any URL or ``password=`` field in it redacted."""
    if isinstance(value, str):
        return redact_message(value, *secrets, quoted=False)
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def local_path(text: str, what: str) -> Path:
    """A file or folder given as a tool argument; a database URL is refused (databases are
    named with ``database``)."""
    if "://" in text:
        raise ConfigError(
            f"{what} is a file or folder; a database is named with the database argument"
        )
    path = Path(text).expanduser()
    if not path.exists():
        raise ConfigError(f"{what} {text!r}: no such file or folder")
    return path
