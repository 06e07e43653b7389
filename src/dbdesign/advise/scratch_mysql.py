"""The scratch copy ``dbdesign advise`` builds indexes on, for a MySQL/MariaDB database.

MySQL and MariaDB have no hypothetical indexes, so every candidate is built for real, never on
the advised database:

- :func:`made_copy`: a scratch database dbdesign makes on the same server (the adapter's
  ``dbdesign_scratch_<hex>``, dropped at the end also on an error or Ctrl-C) holding the
  workload's tables as ``SHOW CREATE TABLE`` gives them, foreign keys left out (their indexes
  stay; a sample cannot keep them consistent), no triggers, and their rows: all of them up to
  ``row_limit`` per table, else a random sample of about that many;
- :func:`given_copy`: a copy the user names (``--scratch URL``: a restored backup, a staging
  database), refused when it is the advised database itself; only indexes are built there,
  and dropped again.

The advised database is only read: one ``READ ONLY`` transaction with a consistent snapshot
(no row locks), each statement under a time limit, lock waits bounded.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from dbdesign.errors import ConfigError, DbdesignError
from dbdesign.redact import redact_url

ROW_LIMIT = 200_000  # rows per table copied whole; a bigger table is sampled to about this
EXACT_BELOW = 1_000_000  # rows: a table's rows counted exactly under this estimate
_CHUNK = 5_000  # rows fetched and written at a time
_INTERRUPTED = frozenset({1969, 3024})  # MariaDB's max_statement_time, MySQL's execution time
_FOREIGN_KEY = re.compile(r"^\s*CONSTRAINT\s+`(?:[^`]|``)*`\s+FOREIGN\s+KEY\b", re.I)


@dataclass(frozen=True, slots=True)
class CopiedTable:
    """One table of the copy: its rows there and in the advised database."""

    name: str
    rows: int  # in the copy
    source_rows: int  # in the advised database (counted, or the server's estimate)
    counted: bool = True  # source_rows counted exactly

    @property
    def sampled(self) -> bool:
        return self.rows < self.source_rows

    @property
    def scale(self) -> float:
        """Rows of the advised table per row of the copy (1 when copied whole)."""
        return self.source_rows / self.rows if self.rows and self.sampled else 1.0


@dataclass(frozen=True, slots=True)
class ScratchCopy:
    """Where the indexes are built: the copy's URL (never printed: it may hold a password),
    its database name, whether dbdesign made it (and drops it), and its tables."""

    url: str
    name: str
    made: bool
    tables: tuple[CopiedTable, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def source_rows(self) -> int:
        return sum(t.source_rows for t in self.tables)

    @property
    def sampled(self) -> bool:
        return any(t.sampled for t in self.tables)

    def table(self, name: str) -> CopiedTable | None:
        return next((t for t in self.tables if t.name == name), None)


# --------------------------------------------------------------------------- reading the source


@contextmanager
def read_only(url: str, timeout_s: float) -> Iterator[Any]:
    """A connection to the advised database in a ``READ ONLY`` transaction with a consistent
    snapshot, lock waits bounded by ``timeout_s``, rolled back and closed at the end."""
    from dbdesign import databases

    with databases.get(url).rolled_back(url) as conn:
        with conn.cursor() as cur:
            wait = max(1, math.ceil(timeout_s))
            cur.execute(f"SET SESSION lock_wait_timeout = {wait}, time_zone = '+00:00'")
            cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        yield conn


def limited(conn: Any, sql: str, timeout_s: float) -> str:
    """``sql`` (a SELECT) cancelled by the server after ``timeout_s``: MariaDB's ``SET
    STATEMENT max_statement_time=... FOR``, MySQL's ``MAX_EXECUTION_TIME`` hint."""
    if is_mariadb_conn(conn):
        return f"SET STATEMENT max_statement_time={timeout_s:g} FOR {sql}"
    ms = max(1, round(timeout_s * 1000))
    return re.sub(r"^SELECT\b", f"SELECT /*+ MAX_EXECUTION_TIME({ms}) */", sql, count=1)


def is_mariadb_conn(conn: Any) -> bool:
    from dbdesign.dialects.mysql import is_mariadb

    return is_mariadb(str(conn.get_server_info()))


def base_tables(conn: Any, names: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Of the names a workload uses: the base tables of the connection's database (the name
    as written -> as the server spells it), and the rest (-> what it is: a view, or nothing)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE()"
        )
        kinds = {str(n): str(k) for n, k in cur.fetchall()}
    folded = {n.lower(): n for n in kinds}
    tables: dict[str, str] = {}
    other: dict[str, str] = {}
    for name in names:
        real = name if name in kinds else folded.get(name.lower())
        if real is not None and kinds[real] == "BASE TABLE":
            tables[name] = real
        else:
            other[name] = "a view" if real is not None else "no table of the database"
    return tables, other


def row_count(conn: Any, table: str, timeout_s: float) -> tuple[int, bool]:
    """A table's rows: counted when the server's estimate is below :data:`EXACT_BELOW`, else
    the estimate (and False)."""
    from dbdesign.dialects.mysql import quote_ident

    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_ROWS FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
            (table,),
        )
        row = cur.fetchone()
        estimate = int(row[0] or 0) if row else 0
        if estimate >= EXACT_BELOW:
            return estimate, False
        cur.execute(limited(conn, f"SELECT COUNT(*) FROM {quote_ident(table, always=True)}",
                            timeout_s))  # fmt: skip
        return int(cur.fetchone()[0]), True


def copyable_columns(conn: Any, table: str) -> list[str]:
    """The columns whose values are copied (generated columns compute their own)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME = %s AND COALESCE(GENERATION_EXPRESSION, '') = '' "
            "ORDER BY ORDINAL_POSITION",
            (table,),
        )
        return [str(r[0]) for r in cur.fetchall()]


def create_statement(conn: Any, table: str) -> str:
    """``SHOW CREATE TABLE`` without its foreign keys (the indexes they use stay)."""
    from dbdesign.dialects.mysql import quote_ident

    with conn.cursor() as cur:
        cur.execute(f"SHOW CREATE TABLE {quote_ident(table, always=True)}")
        ddl = str(cur.fetchone()[1])
    lines = ddl.split("\n")
    close = next(i for i in range(1, len(lines)) if lines[i].startswith(")"))
    kept = [d.rstrip().rstrip(",") for d in lines[1:close] if not _FOREIGN_KEY.match(d)]
    return "\n".join([lines[0], ",\n".join(kept), *lines[close:]])


# --------------------------------------------------------------------------- the copies


@contextmanager
def made_copy(
    url: str,
    tables: Sequence[str],
    *,
    row_limit: int = ROW_LIMIT,
    timeout_s: float = 60.0,
    say: Any = None,
) -> Iterator[ScratchCopy]:
    """A scratch database beside ``url``'s holding ``tables`` (as the server spells them) and
    their rows (see the module's docstring); dropped when the block ends, whatever happens."""
    from dbdesign import databases
    from dbdesign.engine import mysql_params

    with ExitStack() as stack:
        try:
            copy_url = stack.enter_context(databases.get(url).scratch(url))
        except DbdesignError as e:
            raise ConfigError(
                f"cannot make a scratch database beside {redact_url(url)} ({e}); give a copy "
                "to build on with --scratch URL"
            ) from None
        except Exception as e:  # PyMySQL's error: no CREATE privilege, say
            raise ConfigError(
                f"cannot make a scratch database beside {redact_url(url)}: {_message(e)}; "
                "give a copy to build on with --scratch URL"
            ) from None
        name = str(mysql_params(copy_url).get("database", ""))
        if say:
            say(f"made the scratch database {name}")
        copied = _fill(url, copy_url, tables, row_limit, timeout_s, say)
        yield ScratchCopy(copy_url, name, True, tuple(copied))


def _fill(
    url: str, copy_url: str, tables: Sequence[str], row_limit: int, timeout_s: float, say: Any
) -> list[CopiedTable]:
    from dbdesign import databases
    from dbdesign.databases import bulk_mysql

    copied: list[CopiedTable] = []
    target = databases.get(copy_url).connect(copy_url, autocommit=True)
    try:
        with read_only(url, timeout_s) as source, target.cursor() as out:
            out.execute("SET SESSION foreign_key_checks = 0")
            for table in tables:
                out.execute(create_statement(source, table))
            with bulk_mysql.strict_session(target) as limit:
                for table in tables:
                    total, counted = row_count(source, table, timeout_s)
                    if say:
                        say(f"copying {table} ({total:,} rows{'' if counted else ', estimated'})")
                    n = _copy_rows(source, out, table, total, row_limit, timeout_s, limit)
                    copied.append(CopiedTable(table, n, max(total, n), counted))
            if tables:
                bulk_mysql.analyze(target, list(tables))
    except DbdesignError:
        raise
    except Exception as e:  # PyMySQL's errors: one line, no URL
        hint = ""
        if e.args and e.args[0] in _INTERRUPTED:
            hint = (
                " (a bigger --timeout, a smaller --sample-rows, or a copy of your own: --scratch)"
            )
        raise DbdesignError(
            f"copying the tables to the scratch database failed: {_message(e)}{hint}"
        ) from None
    finally:
        target.close()
    return copied


def _copy_rows(
    source: Any, out: Any, table: str, total: int, row_limit: int, timeout_s: float, limit: int
) -> int:
    """Copy the rows (all up to ``row_limit``, else a random sample of about that many);
    how many were copied."""
    import pymysql.cursors

    from dbdesign.databases import bulk_mysql
    from dbdesign.dialects.mysql import quote_ident

    columns = copyable_columns(source, table)
    cols = ", ".join(quote_ident(c, always=True) for c in columns)
    sql = f"SELECT {cols} FROM {quote_ident(table, always=True)}"
    if total > row_limit:
        share = min(1.0, row_limit / total * 1.02)  # a little over: the LIMIT trims
        sql += f" WHERE RAND(17) < {share:.9f} LIMIT {row_limit}"
    n = 0
    with source.cursor(pymysql.cursors.SSCursor) as cur:
        cur.execute(limited(source, sql, timeout_s))
        while rows := cur.fetchmany(_CHUNK):
            literals = [[_literal(v) for v in col] for col in zip(*rows, strict=True)]
            bulk_mysql.insert_rows(out, table, columns, literals, len(rows), limit)
            n += len(rows)
    return n


def _literal(v: object) -> str:
    from dbdesign.databases.bulk_mysql import literal

    if isinstance(v, datetime.datetime):
        return "'" + v.isoformat(sep=" ") + "'"
    if isinstance(v, datetime.date):
        return "'" + v.isoformat() + "'"
    if isinstance(v, datetime.timedelta):
        micro = abs(v) // datetime.timedelta(microseconds=1)
        seconds, micro = divmod(micro, 1_000_000)
        sign = "-" if v < datetime.timedelta(0) else ""
        h, rest = divmod(seconds, 3600)
        return f"'{sign}{h}:{rest // 60:02d}:{rest % 60:02d}.{micro:06d}'"
    if isinstance(v, decimal.Decimal):
        return "'" + str(v) + "'"
    if isinstance(v, set | frozenset):
        return literal(",".join(sorted(str(x) for x in v)))
    return literal(v)


def given_copy(url: str, copy_url: str, tables: Sequence[str], timeout_s: float) -> ScratchCopy:
    """The copy the user names: refused when it is the advised database itself, or lacks one
    of ``tables``; its rows and the advised database's counted (read-only)."""
    from dbdesign import databases

    if (
        databases.find(copy_url) is None
        or databases.get(copy_url).dialect != databases.get(url).dialect
    ):
        raise ConfigError(f"--scratch {redact_url(copy_url)}: not a MySQL/MariaDB URL")
    with read_only(url, timeout_s) as source, read_only(copy_url, timeout_s) as copy:
        refuse_same(source, copy)
        found, missing = base_tables(copy, tables)
        if missing:
            raise ConfigError(
                f"--scratch: the copy has no table {', '.join(sorted(missing))} (it must hold "
                "the workload's tables)"
            )
        copied = []
        for table in tables:
            total, counted = row_count(source, table, timeout_s)
            n, _ = row_count(copy, found[table], timeout_s)
            copied.append(CopiedTable(table, n, max(total, n), counted))
        with copy.cursor() as cur:
            cur.execute("SELECT DATABASE()")
            name = str(cur.fetchone()[0])
    return ScratchCopy(copy_url, name, False, tuple(copied))


def refuse_same(cur_conn: Any, copy_conn: Any) -> None:
    """Refuse a copy that is the advised database itself (the same server: host name, port
    and data directory; the same database)."""
    q = "SELECT @@hostname, @@port, @@datadir, LOWER(DATABASE())"
    with cur_conn.cursor() as a, copy_conn.cursor() as b:
        a.execute(q)
        b.execute(q)
        same = a.fetchone() == b.fetchone()
    if same:
        raise ConfigError(
            "--scratch needs a copy of the database, not the database itself: dbdesign never "
            "builds indexes on the database it advises"
        )


def _message(e: Exception) -> str:
    from dbdesign.databases.mysql import error_message

    return error_message(e)
