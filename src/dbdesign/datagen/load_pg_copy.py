"""The COPY of every table into PostgreSQL, one after another in foreign-key order, with the
server and Python busy at once.

A table whose columns all have a binary form (copy_binary.py: numbers, dates, timestamps,
text, enums, uuids) is written in binary COPY format, made column by column with numpy; the
others in text format. Python makes a table's rows and their COPY data while the server
ingests the batches already sent (psycopg's writer thread). Once a table is in, its indexes
and keys are built (:func:`~dbdesign.datagen.load_pg_rebuild.put_back`) by a thread on the
same connection while the main thread goes on making the next rows, which wait in memory
until the build is done and the next COPY can start; so the server's index builds overlap
with Python's work instead of following it. Nothing here commits: it all runs in the load's
transaction.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from dbdesign.databases import bulk_postgres
from dbdesign.datagen.copy_binary import BinaryTable, binary_table
from dbdesign.datagen.load_cycles import SetLater
from dbdesign.datagen.load_pg_rebuild import Rebuild, put_back
from dbdesign.datagen.load_report import LoadJob, Phases, TableLoad
from dbdesign.datagen.plan import TablePlan

# one batch: its table, its COPY data (binary rows, or text by column), its rows, and the
# table's rows done after it
_Batch = tuple[TablePlan, bytes | list[list[str]], int, int]


class Builder:
    """Re-creates a table's indexes and keys in a thread, on the load's connection, while the
    main thread makes the next rows. Its seconds are the phase "index build, overlapped"."""

    def __init__(self, conn: psycopg.Connection[Any], rebuild: Rebuild, clock: Phases) -> None:
        self.conn, self.rebuild, self.clock = conn, rebuild, clock
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, table: str) -> None:
        self.wait()

        def run() -> None:
            try:
                with self.clock("index build, overlapped"):
                    put_back(self.conn, self.rebuild, table)
            except BaseException as e:  # raised in the main thread by wait()
                self._error = e

        self._thread = threading.Thread(target=run, name=f"build {table}", daemon=True)
        self._thread.start()

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, quiet: bool = False) -> None:
        """Wait for the build; raise its error (``quiet``: keep it for the next wait)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None and not quiet:
            e, self._error = self._error, None
            raise e


def copy_tables(
    conn: psycopg.Connection[Any],
    tables: Sequence[TablePlan],
    job: LoadJob,
    later: Mapping[str, Sequence[SetLater]],
    clock: Phases,
    builder: Builder,
    after: Callable[[TablePlan, dict[str, int]], bool],
    current: list[str],
) -> list[TableLoad]:
    """COPY ``tables`` in order (binary where the columns allow). ``after(table, maxes)`` runs
    once a table is in, with the largest value written to each of its counter columns, and
    says whether to build its indexes now (by ``builder``, while the next rows are made). The
    columns of ``later`` go in NULL (their values are kept for an UPDATE). ``current[0]``
    names the table being loaded (for an error message)."""
    maxes: dict[str, dict[str, int]] = {tp.key: {} for tp in tables}
    binary = {tp.key: _binary(tp) for tp in tables}
    stream: Iterator[_Batch] = (
        b
        for tp in tables
        for b in _texts(tp, job, later.get(tp.key, ()), clock, maxes[tp.key], binary[tp.key])
    )
    ahead: deque[_Batch] = deque()  # made while the server was busy building
    done = []
    for tp in tables:
        while builder.busy() and (b := next(stream, None)) is not None:
            ahead.append(b)
        with clock("index and constraint build"):
            builder.wait()
        current[0] = tp.key
        t1 = time.perf_counter()
        with clock("COPY"), _copy(conn, tp, binary[tp.key]) as write:
            while (b := ahead.popleft() if ahead else next(stream, None)) is not None:
                if b[0] is not tp:
                    ahead.appendleft(b)
                    break
                _, data, rows, end = b
                with clock("send"):
                    write(data, rows)
                if job.progress is not None:
                    job.progress(tp.key, end, tp.n)
        build = after(tp, maxes[tp.key])
        done.append(TableLoad(tp.key, tp.n, time.perf_counter() - t1))
        if build:
            builder.start(tp.key)
    return done


@contextmanager
def _copy(
    conn: psycopg.Connection[Any], tp: TablePlan, form: BinaryTable | None
) -> Iterator[Callable[[bytes | list[list[str]], int], None]]:
    """The table's COPY (binary in ``form``'s column order, else text); yields what sends a
    batch (binary rows, or text by column, and its row count)."""
    t = tp.table
    if form is None:
        with bulk_postgres.copy_rows(conn, t.schema, t.name, tp.out_columns) as text:

            def send_text(data: bytes | list[list[str]], rows: int) -> None:
                assert not isinstance(data, bytes)
                text(data, rows)

            yield send_text
        return
    with bulk_postgres.copy_binary(conn, t.schema, t.name, form.columns) as binary:

        def send_binary(data: bytes | list[list[str]], rows: int) -> None:
            assert isinstance(data, bytes)
            binary(data)

        yield send_binary


def _binary(tp: TablePlan) -> BinaryTable | None:
    """The binary form of the table's rows, or None (COPY text)."""
    cols = [tp.column(c) for c in tp.out_columns]
    if any(c.gen is None for c in cols):
        return None
    return binary_table([(c.name, c.info, c.gen, c.nullable) for c in cols if c.gen is not None])


def _texts(
    tp: TablePlan,
    job: LoadJob,
    later: Sequence[SetLater],
    clock: Phases,
    maxes: dict[str, int],
    form: BinaryTable | None,
) -> Iterator[_Batch]:
    """Each batch of the table as COPY data (``form``'s binary rows, else text by column);
    ``maxes`` gets the largest value of each counter column."""
    cols = tp.out_columns
    gens = [tp.column(c).gen for c in cols]
    serial = {c for c in cols if tp.column(c).serial}
    batches = iter(tp.batches(job.batch_rows))
    while True:
        with clock("generate"):
            got = next(batches, None)
            if got is None:
                return
            start, values = got
            for s in later:
                s.hold(values)
            rows = min(job.batch_rows, tp.n - start)
            for c in serial:
                vals = values[c]
                try:  # (a NULL among them: None does not compare with a number)
                    m = max(vals, default=None)
                except TypeError:
                    m = max((v for v in vals if v is not None), default=None)
                if m is not None:
                    maxes[c] = max(maxes.get(c, m), m)
            data: bytes | list[list[str]]
            if form is not None:
                data = form.rows(values, rows)
            else:
                data = []
                for c, gen in zip(cols, gens, strict=True):
                    assert gen is not None
                    data.append(gen.texts(values[c]))
        yield tp, data, rows, start + rows
