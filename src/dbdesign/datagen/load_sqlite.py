"""Loading into SQLite: executemany in one transaction, foreign keys checked at COMMIT
(:mod:`dbdesign.databases.bulk_sqlite`); an FTS5 index of a table filled from empty is built
once after its rows (:mod:`~dbdesign.datagen.fts_sqlite`)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from dbdesign.databases import bulk_sqlite
from dbdesign.datagen import fts_sqlite
from dbdesign.datagen.generate import BATCH_ROWS, table_batches
from dbdesign.datagen.load_cycles import SetLater, set_later, unloadable
from dbdesign.datagen.load_report import (
    LoadJob,
    LoadReport,
    TableLoad,
    key_values,
    report,
)
from dbdesign.datagen.plan import DataPlan, cycle_null_columns, deferred_at_commit
from dbdesign.datagen.types import resolve
from dbdesign.dialects.sqlite import quote_ident as sqlite_ident
from dbdesign.errors import DbdesignError
from dbdesign.model import Schema


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
        return key_values(infos, rows)


def load_sqlite(con: sqlite3.Connection, label: str, job: LoadJob) -> LoadReport:
    t0 = time.perf_counter()
    done: list[TableLoad] = []
    current: str | None = None  # the table being loaded, for the message
    with bulk_sqlite.bulk_session(con):
        try:
            with bulk_sqlite.transaction(con):
                if not job.keep:
                    bulk_sqlite.defer_foreign_keys(con)
                existing = _SqliteExisting(con, job.schema)
                plan = job.plan(existing)
                filled = [k for k, tp in plan.tables.items() if tp.n and not existing.count(k)]
                held = fts_sqlite.set_aside(con, job.schema, filled)
                later = set_later(plan, deferred_at_commit) if job.keep else {}
                if not job.keep:
                    _sqlite_cycle_notes(plan)
                for tp in plan.tables.values():
                    current = tp.key
                    t1 = time.perf_counter()
                    write = bulk_sqlite.row_writer(con, tp.table.name, tp.out_columns)
                    n = 0
                    for batch in table_batches(tp, job.batch_rows or BATCH_ROWS, as_stored=True):
                        out = batch.rows
                        for s in later.get(tp.key, ()):
                            out = s.hold_rows(batch.columns, out)
                        write(out)
                        n += len(batch.rows)
                        if job.progress is not None:
                            job.progress(tp.key, n, tp.n)
                    done.append(TableLoad(tp.key, tp.n, time.perf_counter() - t1))
                current = None
                for setters in later.values():
                    for s in setters:
                        _sqlite_set_later(con, s)
                fts_sqlite.rebuild(con, held)
                bad = bulk_sqlite.foreign_key_violations(con)
                if bad:
                    table, _rowid, parent, _fkid = bad[0]
                    raise DbdesignError(
                        f"loading main.{table} failed: {len(bad)} rows break foreign keys "
                        f"(first: a reference to {parent}); nothing was loaded"
                    )
        except sqlite3.Error as e:
            where = current or f"into {label}"
            raise DbdesignError(f"loading {where} failed: {e}; nothing was loaded") from None
    return report(
        label, job.seed, plan, done, t0, (lambda: bulk_sqlite.analyze(con)) if job.analyze else None
    )


def _sqlite_cycle_notes(plan: DataPlan) -> None:
    for table, name in plan.broken_fks:
        t = plan.schema.tables[table]
        fk = t.foreign_keys[name]
        if not deferred_at_commit(plan.schema, fk) and not cycle_null_columns(t, fk):
            plan.notes.append(
                unloadable(
                    table,
                    name,
                    "the rows went in only because PRAGMA defer_foreign_keys checked every key "
                    "at COMMIT (an application must do the same)",
                    "DEFERRABLE INITIALLY DEFERRED, or nullable",
                )
            )


def _sqlite_set_later(con: sqlite3.Connection, s: SetLater) -> None:
    nk = len(s.keys)
    bulk_sqlite.update_rows(
        con,
        s.tp.table.name,
        s.columns,
        s.keys,
        [r[nk:] + r[:nk] for r in s.rows],  # already SQLite values (hold_rows)
    )
