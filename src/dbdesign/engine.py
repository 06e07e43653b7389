"""Database connections: the embedded PostgreSQL by default, or a URL.

Every message about a URL or a connection failure is redacted (:mod:`dbdesign.redact`;
``redact_url`` and ``redact_message`` are importable from here too).

- :func:`resolve_url` picks the database: an explicit URL, else ``$DBDESIGN_DATABASE_URL``, else the
  embedded server (:func:`embedded_url`).
- :func:`embedded_url` starts (or reuses) a PostgreSQL 16 from the ``pgserver`` package. Its data
  directory is ``platformdirs.user_cache_dir("dbdesign")/pg16`` or ``$DBDESIGN_EMBEDDED_DIR``; it
  is left running, so the next command (another process) reuses it without starting anything.
  :func:`embedded_status` describes it (``dbdesign server status``) and :func:`embedded_stop`
  stops it cleanly (``dbdesign server stop``); the next command that needs it starts it again.
- :func:`connect` opens a psycopg connection; failures become one-line
  :class:`dbdesign.errors.ConnectionError` messages without the password.
- :func:`scratch_database` creates a throw-away database on the same server and drops it afterwards.
- MySQL/MariaDB (``mysql://`` and ``mariadb://`` URLs, the ``mysql`` extra: PyMySQL):
  :func:`connect_mysql` and :func:`mysql_scratch_database` do the same.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbdesign.errors import ConnectionError

if TYPE_CHECKING:  # the driver is imported when a connection is made (not at start-up)
    import psycopg
from dbdesign.redact import (
    _QUERY_PASSWORD,
    _SCHEME,
    AMBIGUOUS_URL,
    _password_of,
    redact_message,
    redact_url,
)

ENV_DATABASE_URL = "DBDESIGN_DATABASE_URL"
ENV_EMBEDDED_DIR = "DBDESIGN_EMBEDDED_DIR"
_URL_SCHEMES = ("postgresql://", "postgres://")


def _scrub(text: str, url: str) -> str:
    """Remove the URL's secrets (and any URL or password=...) from a driver's message."""
    return redact_message(text, url)


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


_log = logging.getLogger("dbdesign.engine")


def _pid_file(pgdata: Path) -> tuple[Any, str | None] | None:
    """pgserver's ``PostmasterInfo`` of the postmaster.pid in ``pgdata`` and the name of the
    live process its pid names (None: no such process, or it may not be looked at); None when
    there is no file, or a half-written one (the server is starting or stopping)."""
    if not (pgdata / "postmaster.pid").exists():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):
        return None
    if info is None:
        return None
    if not info.is_running():
        return info, None
    process: Any = info.process
    try:
        return info, str(process.name())
    except Exception:  # psutil: the process went away, or may not be looked at
        return info, None


def _postmaster(pgdata: Path) -> Any:
    """pgserver's ``PostmasterInfo`` of the postmaster.pid in ``pgdata`` when that process is
    alive and is a PostgreSQL server (not another process that reuses a stale pid), else None."""
    found = _pid_file(pgdata)
    if found is None or found[1] is None or not found[1].startswith("postgres"):
        return None
    return found[0]


def _running_uri(pgdata: Path) -> str | None:
    """The URI of a server already running on ``pgdata``, read from postmaster.pid, or None."""
    info = _postmaster(pgdata)
    if info is None or info.status != "ready":
        return None
    if info.socket_path is not None and not info.socket_path.exists():
        return None
    return str(info.get_uri())


def embedded_url() -> str:
    """Start (or reuse) the embedded PostgreSQL 16 and return a libpq URL for it.

    The server stays running after this process exits, so later commands reuse it at the cost of
    reading one file. Two processes starting it for the first time at once are serialised by a
    file lock next to the data directory. A failure to start is one :class:`ConnectionError`
    line that says why (the server's FATAL message, or the failed command's error).
    """
    pgdata = embedded_dir()
    uri = _running_uri(pgdata)
    if uri is not None:
        _log.info("embedded PostgreSQL: reusing the server running on %s", pgdata)
        return uri
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock(_lock_path(pgdata)):
            return _start_embedded(pgdata)
    except OSError as e:  # the folder (or its lock file) cannot be made or opened
        where = f": {e.filename}" if e.filename else ""
        raise ConnectionError(_cannot_start(pgdata, f"{e.strerror or e}{where}")) from e


def _start_embedded(pgdata: Path) -> str:
    """Start the server of ``pgdata`` (the caller holds the start lock); its URI."""
    uri = _running_uri(pgdata)  # another process may have started it while we waited
    if uri is not None:
        _log.info("embedded PostgreSQL: reusing the server running on %s", pgdata)
        return uri
    if _stale_pidfile(pgdata):
        _log.info("embedded PostgreSQL: removing the stale postmaster.pid of %s", pgdata)
        (pgdata / "postmaster.pid").unlink()
    fresh = not (pgdata / "PG_VERSION").exists()
    # refused before pgserver sees them: it would hand the path to its server user (chown)
    if pgdata.exists() and not pgdata.is_dir():
        raise ConnectionError(_cannot_start(pgdata, "it is a file, not a folder"))
    if fresh and pgdata.is_dir() and any(pgdata.iterdir()):
        raise ConnectionError(
            _cannot_start(pgdata, "the folder is not empty and holds no PostgreSQL data")
        )
    _log.info(
        "embedded PostgreSQL: %s %s",
        "creating and starting a server in" if fresh else "starting the server on",
        pgdata,
    )
    import time

    started = time.perf_counter()
    log_from = _size(pgdata / "log")
    records = _Records()
    pg_log = logging.getLogger("pgserver")
    pg_log.addHandler(records)  # pgserver's errors go into the message, not onto stderr
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server

            server = get_server(pgdata, cleanup_mode=None)
            uri = str(server.get_uri())
            _log.info(
                "embedded PostgreSQL: started in %.1f s (stop it with `dbdesign server stop`)",
                time.perf_counter() - started,
            )
            return uri
    except Exception as exc:  # pgserver raises CalledProcessError, RuntimeError ...
        reason = _start_failure(pgdata / "log", log_from, records.messages, exc)
        raise ConnectionError(_cannot_start(pgdata, reason)) from exc
    finally:
        pg_log.removeHandler(records)


def _cannot_start(pgdata: Path, reason: str) -> str:
    log = pgdata / "log"
    see = f"see {log}; " if _size(log) else ""
    return (
        f"cannot start the embedded PostgreSQL in {pgdata}: {reason} ({see}set "
        f"{ENV_EMBEDDED_DIR} to another folder, or {ENV_DATABASE_URL} to use another server)"
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _Records(logging.Handler):
    """The messages of pgserver's error records (a failed initdb or pg_ctl, with its output)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_LOGGED = re.compile(r"\b(FATAL|PANIC|DETAIL|HINT):\s+(.*)")
_STDERR = re.compile(r"\nstderr:\n(.*?)\n---", re.S)


def _start_failure(log: Path, log_from: int, records: list[str], exc: BaseException) -> str:
    """Why the server did not start: the last FATAL the server logged while starting (with its
    DETAIL and HINT), else the error output of the command that failed (initdb, pg_ctl), else the
    exception."""
    try:
        with open(log, "rb") as fh:
            fh.seek(log_from)
            logged = fh.read().decode("utf-8", "replace")
    except OSError:
        logged = ""
    last: list[str] = []
    for line in logged.splitlines():
        m = _LOGGED.search(line)
        if m is None:
            continue
        if m[1] in ("FATAL", "PANIC"):
            last = [m[2].strip()]
        elif last:
            last.append(m[2].strip())
    if last:
        return ": ".join(last)
    for message in reversed(records):
        err = _STDERR.search(message)
        lines = [ln.strip() for ln in err[1].splitlines() if ln.strip()] if err else []
        if lines:
            return next((ln for ln in lines if "error:" in ln), lines[0])
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _stale_pidfile(pgdata: Path) -> bool:
    """Whether ``postmaster.pid`` names a live process that is no PostgreSQL server: the pid
    was reused after the server died (a crash, a reboot, a container restart). pgserver would
    take the server for running and hand out a socket nobody listens on; PostgreSQL itself
    judges a pid file whose process is gone. A file being written (unreadable) is left alone."""
    found = _pid_file(pgdata)
    return found is not None and found[1] is not None and not found[1].startswith("postgres")


def _lock_path(pgdata: Path) -> Path:
    """The file that serialises starting and stopping the server of ``pgdata``."""
    return pgdata.parent / f".{pgdata.name}.lock"


@dataclass(frozen=True, slots=True, kw_only=True)
class EmbeddedStatus:
    """The embedded server, as ``dbdesign server status`` shows it."""

    data_dir: Path
    state: str  # running | starting | stopping | stopped | not created
    pid: int | None = None
    url: str | None = None
    socket: str | None = None
    version: str | None = None
    started_at: str | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    def as_dict(self) -> dict[str, object]:
        return {
            "data_dir": str(self.data_dir),
            "state": self.state,
            "running": self.running,
            "pid": self.pid,
            "url": self.url,
            "socket": self.socket,
            "version": self.version,
            "started_at": self.started_at,
        }


def embedded_status() -> EmbeddedStatus:
    """Describe the embedded server of :func:`embedded_dir` without starting it.

    ``version`` is the running server's (``SHOW server_version``), else that of the PostgreSQL
    binaries that would start it."""
    pgdata = embedded_dir()
    if not (pgdata / "PG_VERSION").is_file():
        return EmbeddedStatus(data_dir=pgdata, state="not created", version=_binary_version())
    info = _postmaster(pgdata)
    if info is None:
        return EmbeddedStatus(data_dir=pgdata, state="stopped", version=_binary_version())
    state = {"ready": "running", "starting": "starting", "stopping": "stopping"}.get(
        info.status, info.status or "starting"
    )
    socket = (
        str(info.socket_path)
        if info.socket_path is not None
        else f"{info.hostname}:{info.port}"
        if info.port
        else None
    )
    url = _running_uri(pgdata) if state == "running" else None
    version = None
    if url is not None:
        try:
            with connect(url, autocommit=True) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                version = f"PostgreSQL {row[0]}" if row else None
        except ConnectionError:
            version = None
    return EmbeddedStatus(
        data_dir=pgdata,
        state=state,
        pid=info.pid,
        url=url,
        socket=socket,
        version=version or _binary_version(),
        started_at=info.start_time.isoformat(timespec="seconds"),
    )


def _binary_version() -> str | None:
    """``PostgreSQL 16.2``: the version of pgserver's postgres binary, or None."""
    import subprocess

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH

        out = subprocess.run(
            [str(POSTGRES_BIN_PATH / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (ImportError, OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\(PostgreSQL\)\s+(\S+)", out)
    return f"PostgreSQL {m[1]}" if m else None


def _server_user() -> str | None:
    """The system user pgserver runs the server as: ``pgserver`` when we are root."""
    geteuid = getattr(os, "geteuid", None)
    return "pgserver" if geteuid is not None and geteuid() == 0 else None


def embedded_stop(timeout: float = 60.0) -> bool:
    """Stop the embedded server of :func:`embedded_dir` cleanly: ``pg_ctl stop -m fast`` (open
    sessions are disconnected, their transactions rolled back; the data is checkpointed). True
    when a server was running and is now stopped, False when none was running.

    If pg_ctl fails, the postmaster is sent SIGINT (PostgreSQL's fast shutdown) and, when it is
    still there after ``timeout`` seconds, SIGKILL. Raises :class:`ConnectionError` when it
    cannot be stopped. The next command that needs the server starts it again."""
    import subprocess

    pgdata = embedded_dir()
    if _postmaster(pgdata) is None:
        return False
    with _file_lock(_lock_path(pgdata)):
        info = _postmaster(pgdata)
        if info is None:
            return False
        process = info.process
        _log.info("embedded PostgreSQL: stopping the server on %s (pid %s)", pgdata, info.pid)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from pgserver._commands import POSTGRES_BIN_PATH

            wait = str(max(1, int(timeout)))
            pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
            subprocess.run(
                [pg_ctl, "-D", str(pgdata), "-w", "-t", wait, "-m", "fast", "stop"],
                user=_server_user(),
                capture_output=True,
                check=True,
                timeout=timeout + 5,
            )
        except (ImportError, OSError, subprocess.SubprocessError) as exc:
            _log.info("embedded PostgreSQL: pg_ctl stop failed (%s): sending SIGINT", exc)
            _signal_stop(process, timeout)
        if not _gone(process, timeout):
            raise ConnectionError(
                f"cannot stop the embedded PostgreSQL in {pgdata} (pid {info.pid}): it is still "
                f"running (see {pgdata / 'log'})"
            )
        return True


def _signal_stop(process: Any, timeout: float) -> None:
    """SIGINT (fast shutdown), then SIGKILL after ``timeout`` seconds."""
    import signal

    try:
        process.send_signal(signal.SIGINT)
        if not _gone(process, timeout):
            process.kill()
    except Exception:  # psutil.NoSuchProcess: it went away meanwhile
        return


def _gone(process: Any, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``process`` (psutil) to exit; True when it has (a
    zombie that nobody reaps counts as gone)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            if not process.is_running() or process.status() == "zombie":
                return True
        except Exception:  # psutil.NoSuchProcess
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


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
    import psycopg

    m = _SCHEME.match(url)
    if m is not None and not url.lower().startswith(_URL_SCHEMES):
        raise ConnectionError(
            f"cannot connect to {redact_url(url)}: unsupported scheme {m[0]} "
            "(PostgreSQL URLs start with postgresql:// or postgres://)"
        )
    kwargs: dict[str, object] = {}
    if "connect_timeout" not in url:
        kwargs["connect_timeout"] = 10
    try:
        return psycopg.connect(url, autocommit=autocommit, **kwargs)  # type: ignore[arg-type]
    except (psycopg.Error, ValueError) as exc:  # ValueError: a host name IDNA cannot encode
        raise ConnectionError(
            f"cannot connect to {redact_url(url)}: {_driver_reason(exc, url, _libpq_password)}"
        ) from None


def _libpq_password(url: str) -> str | None:
    """The password libpq reads in ``url`` (None: none); ValueError: the URL does not parse."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        value = conninfo_to_dict(url).get("password")
    except psycopg.Error as exc:
        raise ValueError(url) from exc
    return str(value) if value is not None else None


def _disagrees(url: str, driver_password: str | None) -> bool:
    """Does the driver end the URL's user info elsewhere than :func:`redact_url` does? Then the
    host, port or database it names in its messages may be pieces of the password."""
    ours = _password_of(url)
    if ours is None or driver_password == ours:
        return False
    # a password= query parameter overrides the user info's password
    return not any(q.group(1) for q in _QUERY_PASSWORD.finditer(url))


def _driver_reason(
    exc: BaseException, url: str, driver_password: Callable[[str], str | None]
) -> str:
    """The first line of a driver's error about ``url``, without any secret of it. When the
    driver reads the URL's user info differently (:func:`_disagrees`), its message is not
    shown at all: the names in it may be pieces of the password."""
    try:
        ambiguous = _disagrees(url, driver_password(url))
    except ValueError:  # the driver's parser rejects the URL: its message says why
        ambiguous = False
    if ambiguous:
        return AMBIGUOUS_URL
    args = exc.args
    pymysql = len(args) > 1 and isinstance(args[0], int)  # PyMySQL: (code, message)
    text = str(args[1]) if pymysql else str(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return redact_message(lines[0], url) if lines else type(exc).__name__


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
    from psycopg.conninfo import make_conninfo

    return make_conninfo(url, dbname=dbname)


def scratch_prefix() -> str:
    """How scratch databases are named: ``dbdesign_scratch_`` and 16 hex digits, or
    ``$DBDESIGN_SCRATCH_PREFIX`` (a CI job can tell its own leftovers from another's)."""
    return os.environ.get("DBDESIGN_SCRATCH_PREFIX") or "dbdesign_scratch_"


@contextmanager
def scratch_database(url: str, *, encoding: str | None = None) -> Iterator[str]:
    """Create a fresh database ``dbdesign_scratch_<hex>`` on the server of ``url``; yield its URL.

    ``encoding`` (``"SQL_ASCII"``, ``"UTF8"`` ...) creates it from ``template0`` with that
    encoding and the C locale, which goes with every encoding. The database is dropped
    (``WITH (FORCE)``) afterwards, also when the body raises.
    """
    from psycopg import sql

    name = f"{scratch_prefix()}{uuid.uuid4().hex[:16]}"
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
    (default 10 seconds), ``ssl_ca``, ``ssl_cert``, ``ssl_key``, ``init_command`` (SQL run
    when the session opens; several statements separated by ``;``).
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    try:
        parts = urlsplit(_MYSQL_SCHEMES.sub("mysql://", url, count=1))
    except ValueError as exc:  # an unclosed [IPv6] bracket
        raise ConnectionError(f"{redact_url(url)}: {exc}") from None
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
        what = "the port is not a number"
        if _disagrees(url, _urlsplit_password(url)):
            what = AMBIGUOUS_URL
        raise ConnectionError(f"{redact_url(url)}: {what}") from None
    if port is not None:
        params["port"] = port
    database = unquote(parts.path.lstrip("/"))
    if database:
        params["database"] = database
    for key, values in parse_qs(parts.query).items():
        if key == "connect_timeout":
            params[key] = int(values[-1])
        elif key in ("unix_socket", "charset", "init_command"):
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
        if multi_statements or ";" in str(params.get("init_command", "")):
            from pymysql.constants import CLIENT

            params["client_flag"] = CLIENT.MULTI_STATEMENTS
        return connect(autocommit=autocommit, **params)
    except (pymysql.err.MySQLError, ValueError) as exc:  # ValueError: see connect
        reason = _driver_reason(exc, url, _urlsplit_password)
        raise ConnectionError(f"cannot connect to {redact_url(url)}: {reason}") from None


def _urlsplit_password(url: str) -> str | None:
    """The password :func:`mysql_params` reads in ``url`` (urllib's parse); ValueError: the URL
    does not parse."""
    from urllib.parse import unquote, urlsplit

    password = urlsplit(_MYSQL_SCHEMES.sub("mysql://", url, count=1)).password
    return unquote(password) if password is not None else None


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
