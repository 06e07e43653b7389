"""``load()``: generate rows and bulk-load them — COPY on PostgreSQL, executemany on SQLite,
multi-row INSERT statements on MySQL / MariaDB.

The whole load is one transaction: it commits completely or not at all. The database enforces
every constraint while loading (a row that broke one would fail the load with the server's
message naming the constraint), so a load that succeeds is a proof that the data is valid.
Foreign keys in a cycle are checked at the end of the transaction (deferrable ones) or dropped
and re-created after the load, which re-validates every row; on SQLite foreign keys are
deferred to the commit and ``PRAGMA foreign_key_check`` runs before it. On MySQL, which checks
foreign keys row by row and cannot defer them, the tables that close a cycle are loaded with
``foreign_key_checks`` off and their foreign keys are then checked by query before the commit.
When a cycle's keys are NOT NULL and cannot be deferred, no order of INSERTs satisfies them (an
application could not insert those rows): the report says so in a note.
(MySQL's ``LOAD DATA LOCAL`` would be faster, but it turns duplicate keys and bad values into
warnings: the rows are skipped and the load still succeeds, so it proves nothing.)

With ``keep_cyclic_keys`` (the design proof) a cycle is loaded the way an application must
load it, every key in force: a deferrable key is checked at COMMIT, a nullable one is written
NULL and set by UPDATE once the rows it references are in, and a cycle that allows neither is
an error (no row of it can be inserted).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from dbdesign.datagen.checks import CheckUnsupported, parse_expression
from dbdesign.datagen.generate import BATCH_ROWS, table_batches
from dbdesign.datagen.plan import (
    Plan,
    TablePlan,
    build,
    cycle_null_columns,
    deferred_at_commit,
)
from dbdesign.datagen.types import TypeInfo, resolve
from dbdesign.datagen.values import COPY_NULL, Gen, from_py
from dbdesign.dialects.mysql import quote_ident as mysql_ident
from dbdesign.dialects.postgres import qualified
from dbdesign.dialects.sqlite import quote_ident as sqlite_ident
from dbdesign.engine import connect, connect_mysql, is_mysql_url
from dbdesign.errors import ConfigError, DbdesignError
from dbdesign.model import ForeignKey, Schema
from dbdesign.redact import redact_url

Progress = Callable[[str, int, int], None]  # (table, rows done, rows of the table)
COPY_ROWS = 20_000
SQLITE_CACHE_KIB = 256 * 1024
_SQLITE_URL = ("sqlite:///", "sqlite://", "sqlite:")


@dataclass(frozen=True, slots=True)
class TableLoad:
    table: str
    rows: int
    seconds: float


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did: rows and seconds per table, in load order."""

    target: str  # redacted URL, or the SQLite file
    seed: int
    tables: tuple[TableLoad, ...]
    seconds: float  # the whole load (planning, generating, loading, committing)
    analyze_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    # a migration tool's tables (reserved.py) a pattern matched and that were not filled:
    # (table, whose records it holds)
    skipped: tuple[tuple[str, str], ...] = field(default=())

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "seed": self.seed,
            "total_rows": self.total_rows,
            "seconds": round(self.seconds, 3),
            "analyze_seconds": round(self.analyze_seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "tables": [
                {"table": t.table, "rows": t.rows, "seconds": round(t.seconds, 3)}
                for t in self.tables
            ],
            "notes": list(self.notes),
            "skipped": [{"table": t, "reason": why} for t, why in self.skipped],
        }


def load(
    target: Any,
    schema: Schema,
    rows: Mapping[str, int],
    *,
    seed: int = 0,
    skew: Mapping[str, float] | None = None,
    progress: Progress | None = None,
    analyze: bool = True,
    batch_rows: int = COPY_ROWS,
    keep_cyclic_keys: bool = False,
) -> LoadReport:
    """Generate rows for ``schema`` and load them into ``target``.

    ``target`` is a PostgreSQL URL or psycopg connection, a SQLite URL (``sqlite:///path``),
    ``.db`` path, ``pathlib.Path`` or ``sqlite3.Connection``, or a MySQL / MariaDB URL
    (``mysql://user@host/db``) or PyMySQL connection. The tables must exist. Tables
    that already hold rows get more: counters continue after the largest value, unique values
    after the row count, and foreign keys of tables given no rows draw from the rows already
    there. ``analyze`` runs ANALYZE on the loaded tables afterwards (the planner needs
    statistics). ``keep_cyclic_keys`` loads a cycle of foreign keys as an application must,
    with no key dropped or unchecked (see the module's description).
    """
    # what every loader takes after its connection and label
    job = (schema, rows, seed, skew, progress, analyze, batch_rows, keep_cyclic_keys)
    if isinstance(target, sqlite3.Connection):
        return _load_sqlite(target, "sqlite", *job)
    if isinstance(target, psycopg.Connection):
        return _load_pg(target, _conn_label(target), *job)
    if _is_pymysql(target):
        return _load_mysql(target, _mysql_label(target), *job)
    if isinstance(target, os.PathLike):
        target = f"sqlite:///{os.fspath(target)}"
    if isinstance(target, str) and is_mysql_url(target):
        my = connect_mysql(target)
        try:
            return _load_mysql(my, redact_url(target), *job)
        finally:
            my.close()
    if isinstance(target, str):
        path = sqlite_path(target)
        if path is not None:
            con = sqlite3.connect(path, isolation_level=None)
            try:
                return _load_sqlite(con, path, *job)
            finally:
                con.close()
        with connect(target) as conn:
            return _load_pg(conn, redact_url(target), *job)
    raise ConfigError(f"cannot load into {type(target).__name__}: give a URL or a connection")


def sqlite_path(target: str) -> str | None:
    """The file of a SQLite URL or ``.db`` path; None for anything else."""
    low = target.lower()
    for prefix in _SQLITE_URL:
        if low.startswith(prefix):
            return target[len(prefix) :]
    if "://" not in target and low.endswith((".db", ".sqlite", ".sqlite3")):
        return target
    return None


def _conn_label(conn: psycopg.Connection[Any]) -> str:
    i = conn.info
    return f"postgresql://{i.user}@{i.host}:{i.port}/{i.dbname}"


# --------------------------------------------------------------------------- PostgreSQL


class _PgExisting:
    """Rows already in the target database (asked only when a plan needs to know)."""

    def __init__(self, conn: psycopg.Connection[Any], schema: Schema) -> None:
        self.conn = conn
        self.schema = schema
        self._counts: dict[str, int] = {}

    def _rel(self, table: str) -> sql.Composable:
        s, _, n = table.partition(".")
        return sql.Identifier(s, n)

    def count(self, table: str) -> int:
        if table not in self._counts:
            try:
                with self.conn.transaction():
                    cur = self.conn.execute(
                        sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(self._rel(table))
                    )
                    row = cur.fetchone()
                    n = 0
                    if row and row[0]:
                        cur = self.conn.execute(
                            sql.SQL("SELECT count(*) FROM {}").format(self._rel(table))
                        )
                        r2 = cur.fetchone()
                        n = int(r2[0]) if r2 else 0
            except psycopg.errors.UndefinedTable:
                raise DbdesignError(
                    f"table {table} does not exist in the target database "
                    "(create the schema first, e.g. with --create)"
                ) from None
            self._counts[table] = n
        return self._counts[table]

    def max(self, table: str, column: str) -> int | None:
        cur = self.conn.execute(
            sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), self._rel(table))
        )
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]:
        t = self.schema.tables[table]
        infos = [resolve(c.type, self.schema) for name in columns if (c := t.column(name))]
        cur = self.conn.execute(
            sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} LIMIT 1000000").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in columns),
                self._rel(table),
                sql.SQL(" AND ").join(
                    sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in columns
                ),
            )
        )
        out = []
        for row in cur.fetchall():
            vals = tuple(from_py(i, v) for i, v in zip(infos, row, strict=True))
            out.append(vals[0] if len(vals) == 1 else vals)
        return out


def _load_pg(
    conn: psycopg.Connection[Any],
    label: str,
    schema: Schema,
    rows: Mapping[str, int],
    seed: int,
    skew: Mapping[str, float] | None,
    progress: Progress | None,
    analyze: bool,
    batch_rows: int,
    keep: bool = False,
) -> LoadReport:
    t0 = time.perf_counter()
    done: list[TableLoad] = []
    current = "the load"
    try:
        with conn.transaction():
            plan = build(schema, rows, seed=seed, skew=skew, existing=_PgExisting(conn, schema))
            later = _set_later(plan, deferred_at_commit) if keep else {}
            readd = _pg_break_cycles(conn, plan, keep)
            for tp in plan.tables.values():
                current = tp.key
                t1 = time.perf_counter()
                maxes = _copy_table(conn, tp, progress, batch_rows, later.get(tp.key, ()))
                _pg_set_sequences(conn, tp, maxes)
                done.append(TableLoad(tp.key, tp.n, time.perf_counter() - t1))
            current = "the foreign keys of a cycle"
            for stmt in readd:
                conn.execute(stmt)
            for setters in later.values():
                for s in setters:
                    current = s.tp.key
                    _pg_set_later(conn, s)
    except psycopg.Error as e:
        raise _load_error(e, current) from None

    def analyze_tables() -> None:
        with conn.transaction():
            conn.execute(
                sql.SQL("ANALYZE {}").format(
                    sql.SQL(", ").join(sql.Identifier(*t.table.split(".", 1)) for t in done)
                )
            )

    return _report(label, seed, plan, done, t0, analyze_tables if analyze else None)


def _report(
    label: str,
    seed: int,
    plan: Plan,
    done: list[TableLoad],
    t0: float,
    analyze: Callable[[], object] | None,
) -> LoadReport:
    """The load's report; runs ``analyze`` (the server's statistics) first when rows went in."""
    seconds = time.perf_counter() - t0
    t2 = time.perf_counter()
    ran = analyze is not None and bool(done)
    if ran and analyze is not None:
        analyze()
    return LoadReport(
        target=label,
        seed=seed,
        tables=tuple(done),
        seconds=seconds,
        analyze_seconds=time.perf_counter() - t2 if ran else 0.0,
        notes=tuple(plan.notes),
        skipped=tuple(sorted(plan.skipped.items())),
    )


def _load_error(e: psycopg.Error, current: str) -> DbdesignError:
    diag = e.diag
    msg = (diag.message_primary or str(e)).strip()
    where = f"{diag.schema_name}.{diag.table_name}" if diag.table_name else current
    extra = f" (constraint {diag.constraint_name})" if diag.constraint_name else ""
    return DbdesignError(f"loading {where} failed: {msg}{extra}; nothing was loaded")


def _pg_break_cycles(
    conn: psycopg.Connection[Any], plan: Plan, keep: bool = False
) -> list[sql.Composed]:
    """Defer (or drop, to re-create after the load) the foreign keys that close a cycle.
    ``keep``: none is dropped (the nullable ones are set by UPDATE, see :class:`_SetLater`)."""
    readd: list[sql.Composed] = []
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        fk = t.foreign_keys[name]
        rel = sql.Identifier(t.schema, t.name)
        if fk.deferrable:
            conn.execute(
                sql.SQL("SET CONSTRAINTS {} DEFERRED").format(sql.Identifier(t.schema, name))
            )
            continue
        if keep:
            continue
        if not cycle_null_columns(t, fk):
            plan.notes.append(
                _unloadable(
                    table,
                    name,
                    "it was dropped for the load and re-added after it (which checked every row)",
                    "DEFERRABLE INITIALLY DEFERRED, or nullable",
                )
            )
        row = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND conname = %s",
            (qualified(t.schema, t.name), name),
        ).fetchone()
        if row is None:
            raise DbdesignError(f"{table}: foreign key {name} is not in the target database")
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(rel, sql.Identifier(name)))
        readd.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(rel, sql.Identifier(name))
            + sql.SQL(row[0])
        )
    return readd


def _copy_table(
    conn: psycopg.Connection[Any],
    tp: TablePlan,
    progress: Progress | None,
    batch_rows: int,
    later: Sequence[_SetLater] = (),
) -> dict[str, int]:
    """COPY the table's rows (text format); returns the largest value of each counter column.
    The columns of ``later`` go in NULL (their values are kept for an UPDATE)."""
    cols = tp.out_columns
    gens = [tp.column(c).gen for c in cols]
    serial = {c for c in cols if tp.column(c).serial}
    maxes: dict[str, int] = {}
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(tp.table.schema, tp.table.name),
        sql.SQL(", ").join(sql.Identifier(c) for c in cols),
    )
    with conn.cursor() as cur, cur.copy(stmt, writer=QueuedLibpqWriter(cur)) as copy:
        for start, values in tp.batches(batch_rows):
            for s in later:
                s.hold(values)
            texts = []
            for c, gen in zip(cols, gens, strict=True):
                assert gen is not None
                vals = values[c]
                if c in serial:
                    m = max((v for v in vals if v is not None), default=None)
                    if m is not None:
                        maxes[c] = max(maxes.get(c, m), m)
                texts.append(gen.texts(vals))
            if cols:
                data = "\n".join(map("\t".join, zip(*texts, strict=True)))
            else:
                data = "\n" * (len(next(iter(values.values()), [])) - 1) if values else ""
            copy.write((data + "\n").encode())
            if progress is not None:
                progress(tp.key, min(start + batch_rows, tp.n), tp.n)
    return maxes


def _pg_set_sequences(conn: psycopg.Connection[Any], tp: TablePlan, maxes: dict[str, int]) -> None:
    """Move each counter's sequence past the values written, so later inserts do not clash."""
    t = tp.table
    for name, top in maxes.items():
        col = t.column(name)
        if col is None:
            continue
        seq: str | None = None
        if col.identity is not None or (col.default and "nextval(" in col.default.text.lower()):
            row = conn.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", (qualified(t.schema, t.name), name)
            ).fetchone()
            seq = row[0] if row else None
            if seq is None and col.default is not None:
                seq = _nextval_target(col.default.text)
        if seq is None:
            continue
        row = conn.execute(
            "SELECT seqmin, seqmax, seqincrement FROM pg_sequence WHERE seqrelid = %s::regclass",
            (seq,),
        ).fetchone()
        if row is None or row[2] <= 0 or not (row[0] <= top <= row[1]):
            continue
        conn.execute("SELECT setval(%s::regclass, %s)", (seq, top))


def _nextval_target(text: str) -> str | None:
    """``nextval('public.s'::regclass)`` -> ``public.s``."""
    try:
        tree = parse_expression(text)
    except CheckUnsupported:
        return None
    stack = [tree]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            fc = x.get("FuncCall")
            if isinstance(fc, dict) and fc["funcname"][-1]["String"]["sval"] == "nextval":
                arg = fc.get("args", [None])[0]
                while isinstance(arg, dict) and "TypeCast" in arg:
                    arg = arg["TypeCast"]["arg"]
                if isinstance(arg, dict) and "A_Const" in arg:
                    return str(arg["A_Const"].get("sval", {}).get("sval")) or None
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return None


# --------------------------------------------------------------------------- SQLite


class _SqliteExisting:
    def __init__(self, con: sqlite3.Connection, schema: Schema) -> None:
        self.con = con
        self.schema = schema
        self._counts: dict[str, int] = {}

    def _rel(self, table: str) -> str:
        return sqlite_ident(table.partition(".")[2])

    def count(self, table: str) -> int:
        if table not in self._counts:
            try:
                row = self.con.execute(f"SELECT count(*) FROM {self._rel(table)}").fetchone()
            except sqlite3.OperationalError as e:
                raise DbdesignError(f"table {table}: {e} (create the schema first)") from None
            self._counts[table] = int(row[0])
        return self._counts[table]

    def max(self, table: str, column: str) -> int | None:
        row = self.con.execute(
            f"SELECT max({sqlite_ident(column)}) FROM {self._rel(table)}"
        ).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]:
        t = self.schema.tables[table]
        infos = [resolve(c.type, self.schema) for name in columns if (c := t.column(name))]
        cols = ", ".join(sqlite_ident(c) for c in columns)
        where = " AND ".join(f"{sqlite_ident(c)} IS NOT NULL" for c in columns)
        rows = self.con.execute(
            f"SELECT DISTINCT {cols} FROM {self._rel(table)} WHERE {where} LIMIT 1000000"
        ).fetchall()
        out = []
        for row in rows:
            vals = tuple(from_py(i, v) for i, v in zip(infos, row, strict=True))
            out.append(vals[0] if len(vals) == 1 else vals)
        return out


@contextmanager
def _sqlite_transaction(con: sqlite3.Connection) -> Iterator[None]:
    own = not con.in_transaction
    if own:
        con.execute("BEGIN")
    else:
        con.execute("SAVEPOINT dbdesign_datagen")
    try:
        yield
    except BaseException:
        if own:
            con.execute("ROLLBACK")
        else:
            con.execute("ROLLBACK TO dbdesign_datagen")
            con.execute("RELEASE dbdesign_datagen")
        raise
    if own:
        con.execute("COMMIT")
    else:
        con.execute("RELEASE dbdesign_datagen")


def _load_sqlite(
    con: sqlite3.Connection,
    label: str,
    schema: Schema,
    rows: Mapping[str, int],
    seed: int,
    skew: Mapping[str, float] | None,
    progress: Progress | None,
    analyze: bool,
    batch_rows: int,
    keep: bool = False,
) -> LoadReport:
    t0 = time.perf_counter()
    done: list[TableLoad] = []
    if not con.in_transaction:
        con.execute("PRAGMA foreign_keys = ON")
    # a larger page cache for the load (random inserts into unique indexes), then the old one
    old_cache = con.execute("PRAGMA cache_size").fetchone()[0]
    con.execute(f"PRAGMA cache_size = {min(int(old_cache), -SQLITE_CACHE_KIB)}")
    current: str | None = None  # the table being loaded, for the message
    try:
        with _sqlite_transaction(con):
            if not keep:
                con.execute("PRAGMA defer_foreign_keys = ON")
            plan = build(schema, rows, seed=seed, skew=skew, existing=_SqliteExisting(con, schema))
            later = _set_later(plan, deferred_at_commit) if keep else {}
            if not keep:
                _sqlite_cycle_notes(plan)
            for tp in plan.tables.values():
                current = tp.key
                t1 = time.perf_counter()
                cols = tp.out_columns
                stmt = (
                    f"INSERT INTO {sqlite_ident(tp.table.name)} "
                    f"({', '.join(sqlite_ident(c) for c in cols)}) "
                    f"VALUES ({', '.join('?' for _ in cols)})"
                )
                n = 0
                for batch in table_batches(tp, batch_rows or BATCH_ROWS, "sqlite"):
                    out = batch.rows
                    for s in later.get(tp.key, ()):
                        out = s.hold_rows(batch.columns, out)
                    con.executemany(stmt, out)
                    n += len(batch.rows)
                    if progress is not None:
                        progress(tp.key, n, tp.n)
                done.append(TableLoad(tp.key, tp.n, time.perf_counter() - t1))
            current = None
            for setters in later.values():
                for s in setters:
                    _sqlite_set_later(con, s)
            bad = con.execute("PRAGMA foreign_key_check").fetchall()
            if bad:
                table, _rowid, parent, _fkid = bad[0]
                raise DbdesignError(
                    f"loading main.{table} failed: {len(bad)} rows break foreign keys "
                    f"(first: a reference to {parent}); nothing was loaded"
                )
    except sqlite3.Error as e:
        where = current or f"into {label}"
        raise DbdesignError(f"loading {where} failed: {e}; nothing was loaded") from None
    finally:
        con.execute(f"PRAGMA cache_size = {int(old_cache)}")
    return _report(
        label, seed, plan, done, t0, (lambda: con.execute("ANALYZE")) if analyze else None
    )


# --------------------------------------------------------------------------- MySQL / MariaDB

MYSQL_STATEMENT_BYTES = 4 << 20  # one INSERT's text at most (the server's packet limit allows)
# The session the load runs in: strict (a value that does not fit is an error, not a
# truncation), backslash escapes on (how the literals below are written), an explicit 0 kept
# in an AUTO_INCREMENT column, and UTC (no daylight-saving gap refuses a TIMESTAMP).
_MYSQL_SQL_MODE = "STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION"
_MY_ESCAPE = str.maketrans(
    {"\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z"}
)


def _is_pymysql(target: Any) -> bool:
    return type(target).__module__.startswith("pymysql") and hasattr(target, "cursor")


def _mysql_label(conn: Any) -> str:
    def text(v: Any) -> str:
        return v.decode() if isinstance(v, bytes) else str(v or "")

    return f"mysql://{text(conn.user)}@{conn.host}:{conn.port}/{text(conn.db)}"


def _mysql_rel(table: str) -> str:
    return mysql_ident(table.partition(".")[2], always=True)


class _MysqlExisting:
    """Rows already in the target database (asked only when a plan needs to know)."""

    def __init__(self, conn: Any, schema: Schema) -> None:
        self.conn = conn
        self.schema = schema
        self._counts: dict[str, int] = {}

    def _one(self, query: str) -> Any:
        with self.conn.cursor() as cur:
            cur.execute(query)
            row = cur.fetchone()
        return row[0] if row else None

    def count(self, table: str) -> int:
        if table not in self._counts:
            import pymysql

            try:
                n = self._one(f"SELECT count(*) FROM {_mysql_rel(table)}")
            except pymysql.err.ProgrammingError as e:
                if e.args and e.args[0] == 1146:  # ER_NO_SUCH_TABLE
                    raise DbdesignError(
                        f"table {table} does not exist in the target database "
                        "(create the schema first, e.g. with --create)"
                    ) from None
                raise
            self._counts[table] = int(n or 0)
        return self._counts[table]

    def max(self, table: str, column: str) -> int | None:
        v = self._one(f"SELECT max({mysql_ident(column, always=True)}) FROM {_mysql_rel(table)}")
        return int(v) if v is not None else None

    def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]:
        t = self.schema.tables[table]
        infos = [resolve(c.type, self.schema) for name in columns if (c := t.column(name))]
        cols = ", ".join(mysql_ident(c, always=True) for c in columns)
        where = " AND ".join(f"{mysql_ident(c, always=True)} IS NOT NULL" for c in columns)
        with self.conn.cursor() as cur:
            cur.execute(
                f"SELECT DISTINCT {cols} FROM {_mysql_rel(table)} WHERE {where} LIMIT 1000000"
            )
            rows = cur.fetchall()
        out = []
        for row in rows:
            vals = tuple(from_py(i, v) for i, v in zip(infos, row, strict=True))
            out.append(vals[0] if len(vals) == 1 else vals)
        return out


def _my_quoted(texts: list[str]) -> list[str]:
    return ["NULL" if t == COPY_NULL else f"'{t}'" for t in texts]


def mysql_literals(info: TypeInfo, gen: Gen, vals: list[Any]) -> list[str]:
    """SQL literals of a column's internal values (NULL as ``NULL``), for MySQL in the load's
    session (backslash escapes on)."""
    k = info.kind
    if k == "int":
        return ["NULL" if v is None else str(v) for v in vals]
    if k == "bool":
        return ["NULL" if v is None else "1" if v else "0" for v in vals]
    if k in ("numeric", "money", "float"):
        return ["NULL" if t == COPY_NULL else t for t in gen.texts(vals)]
    if k in ("date", "timestamp", "time"):
        return _my_quoted(gen.texts(vals))
    if k == "bit":
        return ["NULL" if t == COPY_NULL else f"b'{t}'" for t in gen.texts(vals)]
    out = []
    for v in gen.sqlites(vals):
        if v is None:
            out.append("NULL")
        elif isinstance(v, str):
            out.append("'" + v.translate(_MY_ESCAPE) + "'")
        elif isinstance(v, bytes | bytearray | memoryview):
            out.append("X'" + bytes(v).hex() + "'")
        elif isinstance(v, bool):
            out.append("1" if v else "0")
        elif isinstance(v, int | float):
            out.append(repr(v))
        else:
            out.append("'" + str(v).translate(_MY_ESCAPE) + "'")
    return out


def _load_mysql(
    conn: Any,
    label: str,
    schema: Schema,
    rows: Mapping[str, int],
    seed: int,
    skew: Mapping[str, float] | None,
    progress: Progress | None,
    analyze: bool,
    batch_rows: int,
    keep: bool = False,
) -> LoadReport:
    import pymysql

    t0 = time.perf_counter()
    done: list[TableLoad] = []
    current = "the load"
    with conn.cursor() as cur:
        cur.execute("SELECT @@SESSION.sql_mode, @@SESSION.time_zone, @@max_allowed_packet")
        old_mode, old_tz, packet = cur.fetchone()
        cur.execute("SET SESSION sql_mode = %s, time_zone = '+00:00'", (_MYSQL_SQL_MODE,))
    limit = max(64 << 10, min(MYSQL_STATEMENT_BYTES, int(packet) // 2))
    try:
        conn.begin()
        try:
            plan = build(schema, rows, seed=seed, skew=skew, existing=_MysqlExisting(conn, schema))
            later = _set_later(plan, _never_deferred) if keep else {}
            unchecked = set() if keep else {table for table, _name in plan.broken_fks}
            if not keep:
                _mysql_cycle_notes(plan)
            for tp in plan.tables.values():
                current = tp.key
                t1 = time.perf_counter()
                with conn.cursor() as cur:
                    if tp.key in unchecked:
                        cur.execute("SET SESSION foreign_key_checks = 0")
                    try:
                        _insert_table(cur, tp, progress, batch_rows, limit, later.get(tp.key, ()))
                    finally:
                        if tp.key in unchecked:
                            cur.execute("SET SESSION foreign_key_checks = 1")
                done.append(TableLoad(tp.key, tp.n, time.perf_counter() - t1))
            for setters in later.values():
                for s in setters:
                    current = s.tp.key
                    with conn.cursor() as cur:
                        _mysql_set_later(cur, s, limit)
            current = "the foreign keys of a cycle"
            _mysql_check_fks(conn, plan, unchecked)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    except pymysql.err.MySQLError as e:
        msg = str(e.args[1]) if len(e.args) > 1 else str(e)
        raise DbdesignError(f"loading {current} failed: {msg}; nothing was loaded") from None
    finally:
        with conn.cursor() as cur:
            cur.execute("SET SESSION sql_mode = %s, time_zone = %s", (old_mode, old_tz))

    def analyze_tables() -> None:
        with conn.cursor() as cur:
            cur.execute("ANALYZE TABLE " + ", ".join(_mysql_rel(t.table) for t in done))
            cur.fetchall()

    return _report(label, seed, plan, done, t0, analyze_tables if analyze else None)


def _insert_table(
    cur: Any,
    tp: TablePlan,
    progress: Progress | None,
    batch_rows: int,
    limit: int,
    later: Sequence[_SetLater] = (),
) -> None:
    """Multi-row INSERTs of the table's rows, each statement at most ``limit`` bytes. The
    columns of ``later`` go in NULL (their values are kept for an UPDATE)."""
    cols = tp.out_columns
    plans = [tp.column(c) for c in cols]
    head = (
        f"INSERT INTO {_mysql_rel(tp.key)} "
        f"({', '.join(mysql_ident(c, always=True) for c in cols)}) VALUES "
    )
    for start, values in tp.batches(batch_rows):
        for s in later:
            s.hold(values)
        if cols:
            texts = []
            for cp in plans:
                assert cp.gen is not None
                texts.append(mysql_literals(cp.info, cp.gen, values[cp.name]))
            tuples = ["(" + ",".join(r) + ")" for r in zip(*texts, strict=True)]
        else:
            n = len(next(iter(values.values()), [])) if values else 0
            tuples = ["()"] * n
        chunk: list[str] = []
        size = len(head)
        for t in tuples:
            if chunk and size + len(t) + 1 > limit:
                cur.execute(head + ",".join(chunk))
                chunk, size = [], len(head)
            chunk.append(t)
            size += len(t) + 1
        if chunk:
            cur.execute(head + ",".join(chunk))
        if progress is not None:
            progress(tp.key, min(start + batch_rows, tp.n), tp.n)


def _mysql_check_fks(conn: Any, plan: Plan, tables: set[str]) -> None:
    """Check every foreign key of ``tables`` (loaded with the checks off) by query."""
    for key in sorted(tables):
        t = plan.schema.tables[key]
        for fk in t.foreign_keys.values():
            child = " AND ".join(f"c.{mysql_ident(c, always=True)} IS NOT NULL" for c in fk.columns)
            match = " AND ".join(
                f"p.{mysql_ident(r, always=True)} = c.{mysql_ident(c, always=True)}"
                for c, r in zip(fk.columns, fk.ref_columns, strict=True)
            )
            with conn.cursor() as cur:
                cur.execute(
                    f"SELECT count(*) FROM {_mysql_rel(key)} c WHERE {child} AND NOT EXISTS "
                    f"(SELECT 1 FROM {_mysql_rel(fk.ref_table)} p WHERE {match})"
                )
                bad = cur.fetchone()[0]
            if bad:
                raise DbdesignError(
                    f"loading {key} failed: {bad} rows break foreign key {fk.name} "
                    f"(references {fk.ref_table}); nothing was loaded"
                )


# --------------------------------------------------------------------------- cycles
# A cycle of foreign keys loaded the way an application must (``keep_cyclic_keys``): no key is
# dropped or unchecked. The planner breaks each cycle at its cheapest key (plan._load_order:
# deferrable first, then nullable); that key is checked at COMMIT when it can be deferred, or
# written NULL and set by UPDATE after the rows it references are in.


def _never_deferred(schema: Schema, fk: ForeignKey) -> bool:
    return False  # MySQL / MariaDB: InnoDB checks every key as the row is written


@dataclass
class _SetLater:
    """A nullable foreign key that closes a cycle, loaded as an application must: the rows go
    in with its nullable columns NULL, and an UPDATE sets them once the rows they reference
    are in."""

    tp: TablePlan
    fk: ForeignKey
    columns: tuple[str, ...]  # written NULL first
    keys: tuple[str, ...]  # the primary key: the row each UPDATE sets
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # key values, then the columns'

    def hold(self, values: dict[str, list[Any]]) -> None:
        """Take the columns' values out of one batch (internal values), leaving NULL."""
        n = len(values[self.columns[0]])
        for i in range(n):
            vals = tuple(values[c][i] for c in self.columns)
            if any(v is not None for v in vals):
                self.rows.append(tuple(values[k][i] for k in self.keys) + vals)
        for c in self.columns:
            values[c] = [None] * n

    def hold_rows(
        self, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        """The same for a batch of rows already converted (SQLite values)."""
        pos = {c: i for i, c in enumerate(columns)}
        ki = [pos[k] for k in self.keys]
        ci = [pos[c] for c in self.columns]
        out = []
        for r in rows:
            vals = tuple(r[i] for i in ci)
            if any(v is not None for v in vals):
                self.rows.append(tuple(r[i] for i in ki) + vals)
            row = list(r)
            for i in ci:
                row[i] = None
            out.append(tuple(row))
        return out

    def py_rows(self) -> list[tuple[Any, ...]]:
        """(column values ..., key values ...) as Python values: an UPDATE's parameters."""
        gens = [self.tp.column(c).gen for c in (*self.keys, *self.columns)]
        nk = len(self.keys)
        out = []
        for r in self.rows:
            vals = [
                None if v is None or g is None else g.py(v) for g, v in zip(gens, r, strict=True)
            ]
            out.append(tuple(vals[nk:] + vals[:nk]))
        return out


def _set_later(
    plan: Plan, can_defer: Callable[[Schema, ForeignKey], bool]
) -> dict[str, list[_SetLater]]:
    """The keys that close a cycle and cannot be deferred, to be set by UPDATE (table key ->
    its keys); a DbdesignError for a key that can be neither deferred nor left NULL: no order
    of INSERTs satisfies the cycle, so no row of it can be inserted."""
    out: dict[str, list[_SetLater]] = {}
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        fk = t.foreign_keys[name]
        if can_defer(plan.schema, fk):
            continue
        cols = cycle_null_columns(t, fk)
        if not cols:
            raise DbdesignError(
                f"{table}: foreign key {name} ({', '.join(fk.columns)}) closes a cycle of "
                "foreign keys that are NOT NULL and cannot be deferred: no order of INSERTs "
                "satisfies them, so no row of the cycle can be inserted (make one key of the "
                "cycle DEFERRABLE INITIALLY DEFERRED where the database can defer it, or "
                "nullable); nothing was loaded"
            )
        tp = plan.tables[table]
        pk = t.primary_key.columns if t.primary_key else ()
        if not pk or not set(pk) <= set(tp.out_columns) or set(pk) & set(cols):
            raise DbdesignError(
                f"{table}: foreign key {name} closes a cycle and would be set by UPDATE after "
                "the load, but the table has no primary key to find its rows by; nothing was "
                "loaded"
            )
        out.setdefault(table, []).append(_SetLater(tp, fk, cols, tuple(pk)))
    return out


def _unloadable(table: str, name: str, how: str, fix: str) -> str:
    """The note for a cycle of NOT NULL keys that could not be loaded as they are."""
    return (
        f"{table}: foreign key {name} closes a cycle of foreign keys that are NOT NULL and are "
        f"checked as each row is inserted, so no order of INSERTs satisfies them and an "
        f"application could not insert these rows: {how}; make one key of the cycle {fix}"
    )


def _sqlite_cycle_notes(plan: Plan) -> None:
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        fk = t.foreign_keys[name]
        if not deferred_at_commit(plan.schema, fk) and not cycle_null_columns(t, fk):
            plan.notes.append(
                _unloadable(
                    table,
                    name,
                    "the rows went in only because PRAGMA defer_foreign_keys checked every key "
                    "at COMMIT (an application must do the same)",
                    "DEFERRABLE INITIALLY DEFERRED, or nullable",
                )
            )


def _mysql_cycle_notes(plan: Plan) -> None:
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        if not cycle_null_columns(t, t.foreign_keys[name]):
            plan.notes.append(
                _unloadable(
                    table,
                    name,
                    f"{table} was loaded with foreign_key_checks off and its keys were then "
                    "checked by query",
                    "nullable (MySQL cannot defer a key to COMMIT)",
                )
            )


def _pg_set_later(conn: psycopg.Connection[Any], s: _SetLater) -> None:
    t = s.tp.table
    stmt = sql.SQL("UPDATE {} SET {} WHERE {}").format(
        sql.Identifier(t.schema, t.name),
        sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in s.columns),
        sql.SQL(" AND ").join(sql.SQL("{} = %s").format(sql.Identifier(k)) for k in s.keys),
    )
    with conn.cursor() as cur:
        cur.executemany(stmt, s.py_rows())


def _sqlite_set_later(con: sqlite3.Connection, s: _SetLater) -> None:
    nk = len(s.keys)
    con.executemany(
        f"UPDATE {sqlite_ident(s.tp.table.name)} SET "
        + ", ".join(f"{sqlite_ident(c)} = ?" for c in s.columns)
        + " WHERE "
        + " AND ".join(f"{sqlite_ident(k)} = ?" for k in s.keys),
        [r[nk:] + r[:nk] for r in s.rows],  # already SQLite values (hold_rows)
    )


def _mysql_set_later(cur: Any, s: _SetLater, limit: int) -> None:
    """UPDATE ... JOIN a derived table of the values, each statement at most ``limit`` bytes."""

    def q(name: str) -> str:
        return mysql_ident(name, always=True)

    lits = []
    for j, c in enumerate((*s.keys, *s.columns)):
        cp = s.tp.column(c)
        assert cp.gen is not None
        lits.append(mysql_literals(cp.info, cp.gen, [r[j] for r in s.rows]))
    keys = [f"_k{i}" for i in range(len(s.keys))]
    cols = [f"_v{i}" for i in range(len(s.columns))]
    head = f"UPDATE {_mysql_rel(s.tp.key)} AS t JOIN ("
    tail = (
        ") AS v ON "
        + " AND ".join(f"t.{q(k)} = v.{a}" for k, a in zip(s.keys, keys, strict=True))
        + " SET "
        + ", ".join(f"t.{q(c)} = v.{a}" for c, a in zip(s.columns, cols, strict=True))
    )
    chunk: list[str] = []
    size = len(head) + len(tail)
    for r in zip(*lits, strict=True):
        if chunk and size + len(r) * 8 + sum(map(len, r)) > limit:
            cur.execute(head + " UNION ALL ".join(chunk) + tail)
            chunk, size = [], len(head) + len(tail)
        if chunk:
            sel = "SELECT " + ", ".join(r)
        else:  # the first SELECT names the derived table's columns
            sel = "SELECT " + ", ".join(f"{v} AS {a}" for v, a in zip(r, keys + cols, strict=True))
        chunk.append(sel)
        size += len(sel) + len(" UNION ALL ")
    if chunk:
        cur.execute(head + " UNION ALL ".join(chunk) + tail)
