"""Loading into PostgreSQL: COPY in text format (:mod:`dbdesign.databases.bulk_postgres`), in
one transaction. The tables are filled in foreign-key order; the indexes and constraints of
a table filled from empty are dropped before its COPY and re-created after all of them
(:mod:`~dbdesign.datagen.load_pg_rebuild`), which validates every row; with
``keep_cyclic_keys`` (the design proof) and a cycle of foreign keys, the foreign keys stay in
place and check each row as it is written. ``LoadReport.phases`` tells the seconds of each phase."""

from __future__ import annotations

import time
from typing import Any

import psycopg
from psycopg import sql

from dbdesign.databases import bulk_postgres
from dbdesign.datagen.checks import CheckUnsupported, parse_expression
from dbdesign.datagen.load_cycles import SetLater, set_later, unloadable
from dbdesign.datagen.load_pg_copy import Builder, copy_tables
from dbdesign.datagen.load_pg_rebuild import (
    Rebuild,
    more_sort_memory,
    put_back,
    restore_sort_memory,
    take_down,
)
from dbdesign.datagen.load_report import (
    LoadJob,
    LoadReport,
    Phases,
    TableLoad,
    key_values,
    report,
)
from dbdesign.datagen.plan import (
    DataPlan,
    TablePlan,
    cycle_null_columns,
    deferred_at_commit,
)
from dbdesign.datagen.types import resolve
from dbdesign.dialects.postgres import qualified
from dbdesign.errors import DbdesignError
from dbdesign.model import Schema


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
        return key_values(infos, cur.fetchall())


def load_pg(conn: psycopg.Connection[Any], label: str, job: LoadJob) -> LoadReport:
    t0 = time.perf_counter()
    done: list[TableLoad] = []
    clock = Phases()
    current = "the load"
    rebuild = Rebuild()
    try:
        with conn.transaction():
            existing = _PgExisting(conn, job.schema)
            with clock("plan"):
                plan = job.plan(existing)
            later = set_later(plan, deferred_at_commit) if job.keep else {}
            readd = _pg_break_cycles(conn, plan, job.keep)
            with clock("index and constraint build"):
                empty = [tp.table for tp in plan.tables.values() if _empty_before(tp, existing)]
                rebuild = take_down(
                    conn,
                    [(t.schema, t.name) for t in empty],
                    plan.broken_fks,
                    # keep_cyclic_keys with a cycle: no key dropped, none re-added; without
                    # one the keys are re-added after the load, which checks every row
                    foreign_keys=not (job.keep and plan.broken_fks),
                )
                memory = more_sort_memory(conn) if rebuild else None
            builder = Builder(conn, rebuild, clock)
            hold = _deferred_tables(plan)

            def after(tp: TablePlan, maxes: dict[str, int]) -> bool:
                _pg_set_sequences(conn, tp, maxes)
                return bool(rebuild) and tp.key not in hold

            try:
                where = [current]
                tables = list(plan.tables.values())
                done = copy_tables(conn, tables, job, later, clock, builder, after, where)
            finally:
                current = where[0]
                builder.wait(quiet=True)  # (its error, if any, is raised next)
            with clock("index and constraint build"):
                builder.wait()
                if rebuild:
                    _check_deferred_now(conn, plan)
                put_back(conn, rebuild)
                restore_sort_memory(conn, memory)
            current = "the foreign keys of a cycle"
            for stmt in readd:
                conn.execute(stmt)
            for setters in later.values():
                for s in setters:
                    current = s.tp.key
                    _pg_set_later(conn, s)
            clock.start("commit")
        clock.stop("commit")
    except psycopg.Error as e:
        raise _load_error(e, rebuild.current or current) from None

    def analyze_tables() -> None:
        bulk_postgres.analyze(conn, [t.table.split(".", 1) for t in done])

    return report(
        label, job.seed, plan, done, t0, analyze_tables if job.analyze else None, clock.totals
    )


def _deferred_tables(plan: DataPlan) -> set[str]:
    """The tables that hold checks of a deferred foreign key until every table is in (a
    cycle's): their indexes and keys are built last."""
    return {t for t, name in plan.broken_fks if plan.schema.tables[t].foreign_keys[name].deferrable}


def _empty_before(tp: TablePlan, existing: _PgExisting) -> bool:
    """Whether the load fills ``tp`` from empty (its indexes and constraints are then built
    after the COPY, see load_pg_rebuild.py)."""
    return tp.n > 0 and existing.count(tp.key) == 0


def _check_deferred_now(conn: psycopg.Connection[Any], plan: DataPlan) -> None:
    """Check the deferred foreign keys of a cycle now, every row being in: a table with checks
    pending cannot be altered (the constraints re-created after the COPY)."""
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        if t.foreign_keys[name].deferrable:
            conn.execute(
                sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(sql.Identifier(t.schema, name))
            )


def _load_error(e: psycopg.Error, current: str) -> DbdesignError:
    diag = e.diag
    msg = (diag.message_primary or str(e)).strip()
    if diag.message_detail:  # which key is duplicated, or missing from the referenced table
        msg += ": " + " ".join(diag.message_detail.split()).rstrip(".")
    where = f"{diag.schema_name}.{diag.table_name}" if diag.table_name else current
    extra = f" (constraint {diag.constraint_name})" if diag.constraint_name else ""
    return DbdesignError(f"loading {where} failed: {msg}{extra}; nothing was loaded")


def _pg_break_cycles(
    conn: psycopg.Connection[Any], plan: DataPlan, keep: bool = False
) -> list[sql.Composed]:
    """Defer (or drop, to re-create after the load) the foreign keys that close a cycle.
    ``keep``: none is dropped (the nullable ones are set by UPDATE, see :class:`SetLater`)."""
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
                unloadable(
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


def _pg_set_later(conn: psycopg.Connection[Any], s: SetLater) -> None:
    t = s.tp.table
    bulk_postgres.update_rows(conn, t.schema, t.name, s.columns, s.keys, s.py_rows())
