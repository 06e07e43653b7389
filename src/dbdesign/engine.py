"""Database connections: the embedded PostgreSQL by default, or a URL; URL redaction.

Every message and log line that mentions a URL passes it through :func:`redact_url` first.

- :func:`resolve_url` picks the database: an explicit URL, else ``$DBDESIGN_DATABASE_URL``, else the
  embedded server (:func:`embedded_url`).
- :func:`embedded_url` starts (or reuses) a PostgreSQL 16 from the ``pgserver`` package. Its data
  directory is ``platformdirs.user_cache_dir("dbdesign")/pg16`` or ``$DBDESIGN_EMBEDDED_DIR``; it
  is left running, so the next command (another process) reuses it without starting anything.
- :func:`connect` opens a psycopg connection; failures become one-line
  :class:`dbdesign.errors.ConnectionError` messages without the password.
- :func:`scratch_database` creates a throw-away database on the same server and drops it afterwards.
- MySQL/MariaDB (``mysql://`` and ``mariadb://`` URLs, the ``mysql`` extra: PyMySQL):
  :func:`connect_mysql` and :func:`mysql_scratch_database` do the same.
"""

from __future__ import annotations

import fcntl
import os
import re
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from dbdesign.errors import ConnectionError

ENV_DATABASE_URL = "DBDESIGN_DATABASE_URL"
ENV_EMBEDDED_DIR = "DBDESIGN_EMBEDDED_DIR"
REDACTED = "***"

_URL_SCHEMES = ("postgresql://", "postgres://")
# key=value connection strings: password='...' or password=word (also sslpassword ...)
_KV_PASSWORD = re.compile(r"(\b\w*password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'&]+)", re.IGNORECASE)
# URL query parameters: ?password=... or &password=...
_QUERY_PASSWORD = re.compile(r"([?&][^=&#]*password=)([^&#]*)", re.IGNORECASE)


# --------------------------------------------------------------------------- redaction


def redact_url(url: str) -> str:
    """Replace any password in a connection URL (or key=value conninfo string) with ``***``.

    Handles ``scheme://user:password@host/db``, passwords in query parameters
    (``?password=...``, ``&sslpassword=...``) and libpq ``key=value`` strings. An empty password
    (``user:@host``) is left as it is: there is nothing to hide.
    """
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*://)(.*)$", url, re.DOTALL)
    if m is None:
        return _KV_PASSWORD.sub(lambda k: k.group(1) + REDACTED, url)
    scheme, rest = m.group(1), m.group(2)
    # The user info ends at the last '@' before the query: a password may hold an unencoded '@'.
    cut = len(rest)
    for ch in "?#":
        i = rest.find(ch)
        if i != -1:
            cut = min(cut, i)
    head, tail = rest[:cut], rest[cut:]
    at = head.rfind("@")
    if at != -1:
        userinfo, hostpart = head[:at], head[at:]
        user, colon, password = userinfo.partition(":")
        if colon and password:
            head = f"{user}:{REDACTED}{hostpart}"
    tail = _QUERY_PASSWORD.sub(lambda q: q.group(1) + REDACTED, tail)
    return scheme + head + tail


def _password_of(url: str) -> str | None:
    try:
        value = conninfo_to_dict(url).get("password")
    except psycopg.Error:
        return None
    return str(value) if value else None


def _scrub(text: str, url: str) -> str:
    """Remove the URL's password (and any URL or password=...) from a message."""
    password = _password_of(url)
    if password:
        text = text.replace(password, REDACTED)
    text = text.replace(url, redact_url(url))
    return _KV_PASSWORD.sub(lambda k: k.group(1) + REDACTED, text)


# --------------------------------------------------------------------------- embedded server


def embedded_dir() -> Path:
    """The embedded server's data directory (``$DBDESIGN_EMBEDDED_DIR`` or the user cache)."""
    env = os.environ.get(ENV_EMBEDDED_DIR)
    if env:
        return Path(env).expanduser().resolve()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is not set ...
        import platformdirs

        return Path(platformdirs.user_cache_dir("dbdesign")).resolve() / "pg16"


def _running_uri(pgdata: Path) -> str | None:
    """The URI of a server already running on ``pgdata``, read from postmaster.pid, or None."""
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):
        return None  # a half-written pid file: the server is starting or stopping
    if info is None or not info.is_running() or info.status != "ready":
        return None
    if info.socket_path is not None and not info.socket_path.exists():
        return None
    return str(info.get_uri())


def embedded_url() -> str:
    """Start (or reuse) the embedded PostgreSQL 16 and return a libpq URL for it.

    The server stays running after this process exits, so later commands reuse it at the cost of
    reading one file. Two processes starting it for the first time at once are serialised by a
    file lock next to the data directory.
    """
    pgdata = embedded_dir()
    uri = _running_uri(pgdata)
    if uri is not None:
        return uri
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(pgdata.parent / f".{pgdata.name}.lock"):
        uri = _running_uri(pgdata)  # another process may have started it while we waited
        if uri is not None:
            return uri
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from pgserver.postgres_server import get_server

                server = get_server(pgdata, cleanup_mode=None)
                return str(server.get_uri())
        except Exception as exc:  # pgserver raises CalledProcessError, RuntimeError ...
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConnectionError(
                f"cannot start the embedded PostgreSQL in {pgdata}: {reason} "
                f"(see {pgdata / 'log'}; set {ENV_DATABASE_URL} to use another server)"
            ) from exc


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive inter-process lock held while the block runs (flock on ``path``)."""
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def resolve_url(db: str | None) -> str:
    """``db`` if given, else ``$DBDESIGN_DATABASE_URL``, else the embedded server's URL."""
    if db:
        return db
    env = os.environ.get(ENV_DATABASE_URL)
    if env:
        return env
    return embedded_url()


# --------------------------------------------------------------------------- connections


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a psycopg connection.

    Raises :class:`dbdesign.errors.ConnectionError` with one line,
    ``cannot connect to <redacted url>: <reason>``, neither part holding the password.
    """
    kwargs: dict[str, object] = {}
    if "connect_timeout" not in url:
        kwargs["connect_timeout"] = 10
    try:
        return psycopg.connect(url, autocommit=autocommit, **kwargs)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        reason = lines[0] if lines else type(exc).__name__
        raise ConnectionError(
            f"cannot connect to {redact_url(url)}: {_scrub(reason, url)}"
        ) from None


def _with_dbname(url: str, dbname: str) -> str:
    """The same connection string pointing at another database."""
    if url.startswith(_URL_SCHEMES):
        scheme, _, rest = url.partition("://")
        cut = len(rest)
        for ch in "?#":
            i = rest.find(ch)
            if i != -1:
                cut = min(cut, i)
        head, tail = rest[:cut], rest[cut:]
        slash = head.find("/", head.rfind("@") + 1)
        authority = head if slash == -1 else head[:slash]
        if tail:  # a dbname= query parameter would override the path
            query = tail.lstrip("?")
            params = [p for p in query.split("&") if p and not p.lower().startswith("dbname=")]
            tail = "?" + "&".join(params) if params else ""
        return f"{scheme}://{authority}/{dbname}{tail}"
    return make_conninfo(url, dbname=dbname)


@contextmanager
def scratch_database(url: str, *, encoding: str | None = None) -> Iterator[str]:
    """Create a fresh database ``dbdesign_scratch_<hex>`` on the server of ``url``; yield its URL.

    ``encoding`` (``"SQL_ASCII"``, ``"UTF8"`` ...) creates it from ``template0`` with that
    encoding and the C locale, which goes with every encoding. The database is dropped
    (``WITH (FORCE)``) afterwards, also when the body raises.
    """
    name = f"dbdesign_scratch_{uuid.uuid4().hex[:16]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if encoding is not None:
        create = sql.SQL("{} TEMPLATE template0 ENCODING {} LC_COLLATE 'C' LC_CTYPE 'C'").format(
            create, sql.Literal(encoding)
        )
    with connect(url, autocommit=True) as conn:
        conn.execute(create)
    try:
        yield _with_dbname(url, name)
    finally:
        with connect(url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# --------------------------------------------------------------------------- MySQL / MariaDB

_MYSQL_SCHEMES = re.compile(r"^(mysql|mariadb)(\+[A-Za-z0-9]+)?://", re.I)


def is_mysql_url(url: str) -> bool:
    """``mysql://`` or ``mariadb://`` (also ``mysql+pymysql://``, as SQLAlchemy writes it)."""
    return bool(_MYSQL_SCHEMES.match(url))


def mysql_params(url: str) -> dict[str, object]:
    """PyMySQL connection arguments of ``mysql://user:password@host:port/database?opts``.

    Query options: ``unix_socket``, ``charset`` (default utf8mb4), ``connect_timeout``
    (default 10 seconds), ``ssl_ca``, ``ssl_cert``, ``ssl_key``.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(_MYSQL_SCHEMES.sub("mysql://", url, count=1))
    params: dict[str, object] = {
        "host": unquote(parts.hostname or "localhost"),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "charset": "utf8mb4",
        "connect_timeout": 10,
    }
    try:
        port = parts.port
    except ValueError:
        raise ConnectionError(f"{redact_url(url)}: the port is not a number") from None
    if port is not None:
        params["port"] = port
    database = unquote(parts.path.lstrip("/"))
    if database:
        params["database"] = database
    for key, values in parse_qs(parts.query).items():
        if key == "connect_timeout":
            params[key] = int(values[-1])
        elif key in ("unix_socket", "charset"):
            params[key] = values[-1]
        elif key in ("ssl_ca", "ssl_cert", "ssl_key"):
            ssl: Any = params.setdefault("ssl", {})
            ssl[key[4:]] = values[-1]
    return params


def connect_mysql(url: str, *, autocommit: bool = False, multi_statements: bool = False) -> Any:
    """Open a PyMySQL connection (the ``mysql`` extra). Failures become one-line
    :class:`dbdesign.errors.ConnectionError` messages without the password.
    ``multi_statements``: one query string may hold several statements (the migration runner
    sends a statement and its progress update together)."""
    try:
        import pymysql
    except ImportError:
        raise ConnectionError(
            "MySQL and MariaDB need the PyMySQL driver: pip install 'dbdesign[mysql]'"
        ) from None
    params = mysql_params(url)
    try:
        connect: Any = pymysql.connect
        if multi_statements:
            from pymysql.constants import CLIENT

            params["client_flag"] = CLIENT.MULTI_STATEMENTS
        return connect(autocommit=autocommit, **params)
    except pymysql.err.MySQLError as exc:
        args = exc.args
        reason = str(args[1]) if len(args) > 1 else str(exc) or type(exc).__name__
        password = str(params.get("password") or "")
        if password:
            reason = reason.replace(password, REDACTED)
        reason = reason.replace(url, redact_url(url)).splitlines()[0] if reason else reason
        raise ConnectionError(f"cannot connect to {redact_url(url)}: {reason}") from None


def mysql_with_database(url: str, database: str) -> str:
    """The same MySQL URL pointing at another database."""
    from urllib.parse import quote, urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(database, safe="")))


@contextmanager
def mysql_scratch_database(url: str) -> Iterator[str]:
    """Create a database ``dbdesign_scratch_<hex>`` (utf8mb4, utf8mb4_general_ci: what a DDL
    file is assumed to run in) on the server of ``url``; yield its URL; drop it afterwards."""
    name = f"dbdesign_scratch_{uuid.uuid4().hex[:16]}"
    conn = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
            )
    finally:
        conn.close()
    try:
        yield mysql_with_database(url, name)
    finally:
        conn = connect_mysql(url, autocommit=True)
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()
