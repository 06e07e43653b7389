"""Loading into MySQL / MariaDB: multi-row INSERT statements in one transaction, in a
strict session (:mod:`dbdesign.databases.bulk_mysql`)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

from dbdesign.databases import bulk_mysql
from dbdesign.databases.mysql import error_message
from dbdesign.datagen.load_cycles import SetLater, set_later, unloadable
from dbdesign.datagen.load_report import (
    LoadJob,
    LoadReport,
    Progress,
    TableLoad,
    key_values,
    report,
)
from dbdesign.datagen.plan import DataPlan, TablePlan, cycle_null_columns
from dbdesign.datagen.types import TypeInfo, resolve
from dbdesign.datagen.values import COPY_NULL, Gen
from dbdesign.dialects.mysql import quote_ident as mysql_ident
from dbdesign.errors import DbdesignError
from dbdesign.model import ForeignKey, Schema


def _name(table: str) -> str:
    """The table's name in the connection's database (``db.name`` -> ``name``)."""
    return table.partition(".")[2]


def _mysql_rel(table: str) -> str:
    return mysql_ident(_name(table), always=True)


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
        return key_values(infos, rows)


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
    return [bulk_mysql.literal(v) for v in gen.sqlites(vals)]


def load_mysql(conn: Any, label: str, job: LoadJob) -> LoadReport:
    import pymysql

    t0 = time.perf_counter()
    done: list[TableLoad] = []
    current = "the load"
    with bulk_mysql.strict_session(conn) as limit:
        try:
            conn.begin()
            try:
                plan = job.plan(_MysqlExisting(conn, job.schema))
                later = set_later(plan, _never_deferred) if job.keep else {}
                unchecked = set() if job.keep else {table for table, _name in plan.broken_fks}
                if not job.keep:
                    _mysql_cycle_notes(plan)
                for tp in plan.tables.values():
                    current = tp.key
                    t1 = time.perf_counter()
                    with conn.cursor() as cur:
                        off = tp.key in unchecked
                        with bulk_mysql.foreign_keys_unchecked(cur) if off else nullcontext():
                            _insert_table(
                                cur, tp, job.progress, job.batch_rows, limit, later.get(tp.key, ())
                            )
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
            msg = error_message(e)
            raise DbdesignError(f"loading {current} failed: {msg}; nothing was loaded") from None

    def analyze_tables() -> None:
        bulk_mysql.analyze(conn, [_name(t.table) for t in done])

    return report(label, job.seed, plan, done, t0, analyze_tables if job.analyze else None)


def _insert_table(
    cur: Any,
    tp: TablePlan,
    progress: Progress | None,
    batch_rows: int,
    limit: int,
    later: Sequence[SetLater] = (),
) -> None:
    """Multi-row INSERTs of the table's rows, each statement at most ``limit`` bytes. The
    columns of ``later`` go in NULL (their values are kept for an UPDATE)."""
    cols = tp.out_columns
    plans = [tp.column(c) for c in cols]
    for start, values in tp.batches(batch_rows):
        for s in later:
            s.hold(values)
        texts = []
        for cp in plans:
            assert cp.gen is not None
            texts.append(mysql_literals(cp.info, cp.gen, values[cp.name]))
        n = len(next(iter(values.values()), [])) if values else 0
        bulk_mysql.insert_rows(cur, _name(tp.key), cols, texts, n, limit)
        if progress is not None:
            progress(tp.key, min(start + batch_rows, tp.n), tp.n)


def _mysql_check_fks(conn: Any, plan: DataPlan, tables: set[str]) -> None:
    """Check every foreign key of ``tables`` (loaded with the checks off) by query."""
    for key in sorted(tables):
        t = plan.schema.tables[key]
        for fk in t.foreign_keys.values():
            bad = bulk_mysql.orphans(
                conn, _name(key), fk.columns, _name(fk.ref_table), fk.ref_columns
            )
            if bad:
                raise DbdesignError(
                    f"loading {key} failed: {bad} rows break foreign key {fk.name} "
                    f"(references {fk.ref_table}); nothing was loaded"
                )


def _never_deferred(schema: Schema, fk: ForeignKey) -> bool:
    return False  # MySQL / MariaDB: InnoDB checks every key as the row is written


def _mysql_cycle_notes(plan: DataPlan) -> None:
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        if not cycle_null_columns(t, t.foreign_keys[name]):
            plan.notes.append(
                unloadable(
                    table,
                    name,
                    f"{table} was loaded with foreign_key_checks off and its keys were then "
                    "checked by query",
                    "nullable (MySQL cannot defer a key to COMMIT)",
                )
            )


def _mysql_set_later(cur: Any, s: SetLater, limit: int) -> None:
    """The held values set by UPDATEs, each statement at most ``limit`` bytes."""
    lits = []
    for j, c in enumerate((*s.keys, *s.columns)):
        cp = s.tp.column(c)
        assert cp.gen is not None
        lits.append(mysql_literals(cp.info, cp.gen, [r[j] for r in s.rows]))
    bulk_mysql.update_rows(cur, _name(s.tp.key), s.keys, s.columns, lits, limit)
