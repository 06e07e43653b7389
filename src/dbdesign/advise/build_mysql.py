"""Candidate indexes built for real on a MySQL/MariaDB scratch copy, and each workload query's
cost with the indexes there: the counterpart of :class:`~dbdesign.advise.whatif.WhatIf`
(add, remove, cost) that :func:`~dbdesign.advise.select.select` works with.

An index is built with ``ALTER TABLE t ADD INDEX ..., ALGORITHM=INPLACE, LOCK=NONE`` (a
table whose engine cannot, without the clause), several of one table in one statement, and
dropped the same way; its size is read from ``mysql.innodb_index_stats`` (pages x the page
size). The cost of a query is, by the server:

- **MySQL**: the optimizer's estimate, ``EXPLAIN FORMAT=JSON``'s
  ``query_block.cost_info.query_cost`` (a UNION: the sum of its parts');
- **MariaDB**: the measured time of the statement on the copy, the best of ``runs`` runs of
  ``ANALYZE FORMAT=JSON`` (which runs it and sends no rows), in a transaction that is rolled
  back (``READ ONLY`` for a read). MariaDB's own estimate, ``Last_query_cost``, leaves out
  sorting and LIMIT (an ORDER BY ... LIMIT served by an index costs what the full scan and
  filesort cost), is not set by UPDATE and DELETE, and is 0 for a UNION, a derived table or
  a dependent subquery (measured on MariaDB 10.11). A query is timed once per plan: its
  ``EXPLAIN FORMAT=JSON`` without the row estimates is the plan's key, so an index that does
  not change a plan changes its cost by exactly nothing (no noise); for a statement that
  writes, the key also holds the indexes built on the table it writes (each is maintained),
  so their cost is in its measured time. Two plans whose best times differ by less than 10 %
  (or 0.02 ms) cost the same: that is the measurement's resolution, not the plans'.

A query's plan can only change with the built indexes that may serve it
(:func:`~dbdesign.advise.candidates.may_serve`), so it is costed once per set of those.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dbdesign.advise.candidates import Candidate, may_serve
from dbdesign.advise.guard_mysql import CheckedMySQLStatement
from dbdesign.advise.usage import TableUse
from dbdesign.advise.whatif import Costed
from dbdesign.errors import DbdesignError, UnsupportedError

RUNS = 3  # timed runs of a MariaDB query per plan (the best one counts)
# Two plans of a query whose best times differ by at most this (ms, share of the faster)
# cost the same: below it, a difference is the measurement's, not the plan's.
SAME_TIME = (0.02, 0.10)
PREFIX_CHARS = 191  # the key prefix of a long text column (764 bytes of utf8mb4)
PREFIX_BYTES = 767  # ... of a long binary column
_LONG_BYTES = 3072  # a column longer than an InnoDB key can be is indexed by a prefix
_LONG_TEXT = frozenset({"tinytext", "text", "mediumtext", "longtext"})
_LONG_BINARY = frozenset({"tinyblob", "blob", "mediumblob", "longblob"})
_NOT_INDEXABLE = frozenset(
    {"json", "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
     "multipolygon", "geometrycollection"}
)  # fmt: skip
# bytes a value of a fixed-size type takes in an InnoDB record (DATETIME and TIMESTAMP with
# fractional seconds take up to 3 more)
_FIXED_WIDTH = {
    "tinyint": 1, "smallint": 2, "mediumint": 3, "int": 4, "integer": 4, "bigint": 8,
    "float": 4, "double": 8, "real": 8, "decimal": 8, "numeric": 8, "date": 3, "time": 3,
    "datetime": 5, "timestamp": 4, "year": 1, "enum": 2, "set": 8, "bit": 8, "boolean": 1,
}  # fmt: skip
_TOO_MANY_KEYS = 1069
_NOT_INPLACE = frozenset({1845, 1846})  # ALGORITHM/LOCK not supported for the operation
# plan fields that are estimates or measurements, not the plan's shape
_VOLATILE = frozenset(
    {"rows", "filtered", "cost_info", "possible_keys", "rows_examined_per_scan",
     "rows_produced_per_join", "query_cost", "cost", "selectivity_pct"}
)  # fmt: skip


class ColumnType:
    """What building an index on a column needs to know: its type and byte length."""

    __slots__ = ("binary", "data_type", "octets")

    def __init__(self, data_type: str, octets: int | None, binary: bool) -> None:
        self.data_type = data_type.lower()
        self.octets = octets
        self.binary = binary

    @property
    def fixed_width(self) -> int | None:
        """Bytes a value takes when the type has a fixed size; None for strings."""
        return _FIXED_WIDTH.get(self.data_type)

    @property
    def indexable(self) -> bool:
        """A B-tree key part can hold it (JSON and spatial types need other indexes)."""
        return self.data_type not in _NOT_INDEXABLE

    def prefix(self) -> int | None:
        """The key prefix the column needs: TEXT and BLOB always (MySQL requires one), a
        string longer than an InnoDB key can be too; None: the whole value."""
        if self.data_type in _LONG_BINARY:
            return PREFIX_BYTES
        if self.data_type in _LONG_TEXT:
            return PREFIX_CHARS
        if self.octets is not None and self.octets > _LONG_BYTES:
            return PREFIX_BYTES if self.binary else PREFIX_CHARS
        return None


def key_sql(c: Candidate, columns: Mapping[str, ColumnType]) -> str:
    """``c``'s key parts in MySQL: quoted columns with the prefix lengths they need, and
    functional key parts (``(expr)``) as they are."""
    from dbdesign.dialects.mysql import quote_ident

    parts = []
    for col in c.columns:
        if col.startswith("("):
            parts.append(col)
            continue
        t = columns.get(col)
        n = t.prefix() if t is not None else None
        parts.append(quote_ident(col, always=True) + (f"({n})" if n else ""))
    return ", ".join(parts)


def add_index_sql(table: str, indexes: Sequence[tuple[str, str]], *, inplace: bool = True) -> str:
    """``ALTER TABLE t ADD INDEX name (key), ...[, ALGORITHM=INPLACE, LOCK=NONE]`` for
    ``(name, key SQL)`` pairs."""
    from dbdesign.dialects.mysql import quote_ident

    adds = [f"ADD INDEX {quote_ident(n, always=True)} ({k})" for n, k in indexes]
    if inplace:
        adds.append("ALGORITHM=INPLACE, LOCK=NONE")
    return f"ALTER TABLE {quote_ident(table, always=True)} " + ", ".join(adds)


class ScratchIndexes:
    """Candidates built on the copy behind ``conn`` (autocommit), and query costs there."""

    def __init__(
        self,
        conn: Any,
        statements: Sequence[CheckedMySQLStatement],
        uses: Sequence[Mapping[str, TableUse] | None],
        columns: Mapping[str, Mapping[str, ColumnType]],
        *,
        measured: bool,
        timeout_s: float = 60.0,
        runs: int = RUNS,
    ) -> None:
        self._conn = conn
        self._statements = list(statements)
        self._uses = list(uses)
        self._columns = columns
        self.measured = measured
        self._timeout = timeout_s
        self._runs = max(1, runs)
        self._run = uuid.uuid4().hex[:6]
        self._names: dict[Candidate, str] = {}  # every candidate built once -> its name
        self._by_name: dict[str, Candidate] = {}
        self._present: set[Candidate] = set()
        self._refused: dict[Candidate, str] = {}
        self._cache: dict[tuple[int, frozenset[Candidate]], Costed] = {}
        self._timed: dict[tuple[int, str], float] = {}
        self._levels: dict[int, list[float]] = {}  # the distinct times of each query
        self._checked_writes: set[int] = set()
        self.pages: dict[Candidate, tuple[int, int]] = {}  # (size, leaf pages) as built
        self.page_size = 16384
        self.builds = 0
        self.explains = 0
        self.timings = 0

    # ----------------------------------------------------------------- indexes

    def add(self, c: Candidate) -> str:
        """Build ``c`` (once; again after a remove); its name as plans show it. One the
        server refuses raises :class:`UnsupportedError` (remembered)."""
        if c in self._present:
            return self._names[c]
        if c in self._refused:
            raise UnsupportedError(self._refused[c])
        try:
            self._build(c.table, [c])
        except _BuildError as e:
            if e.code != _TOO_MANY_KEYS:  # that one depends on what else is built
                self._refused[c] = e.message
            raise UnsupportedError(e.message) from None
        return self._names[c]

    def add_many(self, cs: Sequence[Candidate]) -> dict[str, Candidate]:
        """Build several, those of one table in one statement; one the server refuses is
        left out (built one by one after a statement fails). By the names plans show."""
        new = [c for c in dict.fromkeys(cs) if c not in self._present and c not in self._refused]
        by_table: dict[str, list[Candidate]] = {}
        for c in new:
            by_table.setdefault(c.table, []).append(c)
        for table, group in by_table.items():
            try:
                self._build(table, group)
            except _BuildError:
                for c in group:
                    try:
                        self.add(c)
                    except UnsupportedError:
                        continue
        return {self._names[c]: c for c in cs if c in self._present}

    def remove(self, c: Candidate) -> None:
        self.remove_many([c])

    def remove_many(self, cs: Sequence[Candidate]) -> None:
        from dbdesign.dialects.mysql import quote_ident

        by_table: dict[str, list[Candidate]] = {}
        for c in dict.fromkeys(cs):
            if c in self._present:
                by_table.setdefault(c.table, []).append(c)
        for table, group in by_table.items():
            drops = ", ".join(
                f"DROP INDEX {quote_ident(self._names[c], always=True)}" for c in group
            )
            head = f"ALTER TABLE {quote_ident(table, always=True)} {drops}"
            try:
                self._alter(head + ", ALGORITHM=INPLACE, LOCK=NONE", head)
            except _BuildError as e:
                raise DbdesignError(f"cannot drop an index on the copy: {e.message}") from None
            self._present.difference_update(group)

    def present(self) -> frozenset[Candidate]:
        return frozenset(self._present)

    def close(self) -> None:
        """Drop every index built here that is still there."""
        self.remove_many(list(self._present))

    def candidate(self, name: str) -> Candidate | None:
        """The candidate an index name in a plan stands for."""
        return self._by_name.get(name)

    def _build(self, table: str, cs: Sequence[Candidate]) -> None:
        for c in cs:
            if c not in self._names:
                name = f"dbdesign_{self._run}_{len(self._names) + 1}"
                self._names[c] = name
                self._by_name[name] = c
        pairs = [(self._names[c], key_sql(c, self._columns.get(table, {}))) for c in cs]
        self._alter(add_index_sql(table, pairs), add_index_sql(table, pairs, inplace=False))
        self._present.update(cs)
        self.builds += len(cs)
        self._read_sizes(table, [c for c in cs if c not in self.pages])

    def _alter(self, sql: str, fallback: str) -> None:
        import pymysql

        from dbdesign.databases.mysql import error_message

        with self._conn.cursor() as cur:
            try:
                cur.execute(sql)
                return
            except pymysql.err.MySQLError as e:
                code = e.args[0] if e.args else None
                if code not in _NOT_INPLACE:
                    raise _BuildError(code, f"{sql}: {error_message(e)}") from None
            try:
                cur.execute(fallback)
            except pymysql.err.MySQLError as e:
                code = e.args[0] if e.args else None
                raise _BuildError(code, f"{fallback}: {error_message(e)}") from None

    def _read_sizes(self, table: str, cs: Sequence[Candidate]) -> None:
        """Each new index's pages (all, leaf) from InnoDB's persistent statistics (the
        partitions' summed); nothing for a table of another engine."""
        import pymysql

        if not cs:
            return
        names = {self._names[c]: c for c in cs}
        marks = ", ".join(["%s"] * len(names))
        try:
            with self._conn.cursor() as cur:
                cur.execute("SELECT @@innodb_page_size")
                self.page_size = int(cur.fetchone()[0])
                cur.execute(
                    "SELECT index_name, SUM(IF(stat_name = 'size', stat_value, 0)), "
                    "SUM(IF(stat_name = 'n_leaf_pages', stat_value, 0)) "
                    "FROM mysql.innodb_index_stats WHERE database_name = DATABASE() "
                    "AND (table_name = %s OR table_name LIKE %s) "
                    f"AND index_name IN ({marks}) GROUP BY index_name",
                    (table, table.replace("%", r"\%").replace("_", r"\_") + "#P#%", *names),
                )
                for name, size, leaf in cur.fetchall():
                    self.pages[names[str(name)]] = (int(size), int(leaf))
        except pymysql.err.MySQLError:
            return  # no privilege on mysql.*: sizes are estimated from the columns

    # ----------------------------------------------------------------- costs

    def keep(self, queries: Sequence[int]) -> None:
        """Go on with these queries only (numbered afresh in this order), keeping what was
        costed of them."""
        new = {old: k for k, old in enumerate(queries)}
        self._statements = [self._statements[i] for i in queries]
        self._uses = [self._uses[i] for i in queries]
        self._cache = {(new[i], s): c for (i, s), c in self._cache.items() if i in new}
        self._timed = {(new[i], s): ms for (i, s), ms in self._timed.items() if i in new}
        self._levels = {new[i]: v for i, v in self._levels.items() if i in new}
        self._checked_writes = {new[i] for i in self._checked_writes if i in new}

    def try_cost(self, i: int) -> Costed | str:
        """:meth:`cost`, or why query ``i`` cannot be costed here."""
        try:
            return self.cost(i)
        except DbdesignError as e:
            return e.message

    def cost(self, i: int, *, fresh: bool = False) -> Costed:
        """Query ``i``'s cost with the indexes built now (see the module's docstring)."""
        uses = self._uses[i]
        written = {t for t, u in (uses or {}).items() if u.writes}
        # a write maintains every index of the table it writes, whatever its plan
        kept = frozenset(c for c in self._present if c.table in written)
        serving = kept | frozenset(
            c
            for c in self._present
            if uses is None or (c.table in uses and may_serve(c, uses[c.table]))
        )
        key = (i, serving)
        if not fresh and key in self._cache:
            return self._cache[key]
        plan = self._plan(i, "EXPLAIN")
        used = frozenset(_keys(plan))
        if self.measured:
            maintained = sorted(self._names[c] for c in kept)
            shape = json.dumps([_shape(plan), maintained], sort_keys=True)
            ms = self._timed.get((i, shape))
            if ms is None:
                ms = self._timed[(i, shape)] = self._level(i, self._time(i))
            costed = Costed(ms, used)
        else:
            costed = Costed(query_cost(plan), used)
        self._cache[key] = costed
        return costed

    def _level(self, i: int, ms: float) -> float:
        """``ms`` measured for a new plan of query ``i``, or the time of an earlier plan of
        it that is as fast within the measurement's resolution (:data:`SAME_TIME`): plans
        whose times cannot be told apart cost the same, so neither gains on the other."""
        levels = self._levels.setdefault(i, [])
        close = [v for v in levels if abs(v - ms) <= max(SAME_TIME[0], SAME_TIME[1] * min(v, ms))]
        if close:
            return min(close, key=lambda v: abs(v - ms))
        levels.append(ms)
        return ms

    def _plan(self, i: int, verb: str) -> Any:
        self.explains += 1
        stmt = self._statements[i]
        with self._transaction(stmt) as cur:
            self._execute(cur, f"{verb} FORMAT=JSON {stmt.text}")
            row = cur.fetchone()
        if not row:
            raise DbdesignError(f"{verb} returned nothing")
        return json.loads(row[0])

    def _time(self, i: int) -> float:
        """The best of :attr:`_runs` timed runs of ``ANALYZE FORMAT=JSON``, in ms."""
        from dbdesign.advise.explain_mysql import refuse_non_transactional

        stmt = self._statements[i]
        seconds = max(1, math.ceil(self._timeout))
        prefix = (
            f"SET STATEMENT max_statement_time={self._timeout:g}, "
            f"innodb_lock_wait_timeout={seconds}, lock_wait_timeout={seconds} FOR "
        )
        best = math.inf
        for _ in range(self._runs):
            with self._transaction(stmt) as cur:
                if stmt.writes and i not in self._checked_writes:
                    refuse_non_transactional(cur, stmt, "timing")
                    self._checked_writes.add(i)
                t0 = time.perf_counter()
                self._execute(cur, f"{prefix}ANALYZE FORMAT=JSON {stmt.text}")
                cur.fetchall()
                best = min(best, (time.perf_counter() - t0) * 1000)
        self.timings += 1
        return best

    def _transaction(self, stmt: CheckedMySQLStatement) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def run() -> Iterator[Any]:
            with self._conn.cursor() as cur:
                self._execute(cur, "START TRANSACTION" + ("" if stmt.writes else " READ ONLY"))
                try:
                    yield cur
                finally:
                    self._conn.rollback()

        return run()

    def _execute(self, cur: Any, sql: str) -> None:
        import pymysql

        from dbdesign.databases.mysql import error_message

        try:
            cur.execute(sql)
        except pymysql.err.MySQLError as e:
            raise DbdesignError(
                f"the server cannot run it on the copy: {error_message(e)}"
            ) from None


class _BuildError(Exception):
    def __init__(self, code: Any, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def query_cost(plan: Any) -> float:
    """MySQL's estimate of a whole statement from its ``EXPLAIN FORMAT=JSON``: the outer query
    block's ``cost_info.query_cost``, or the sum of the outermost blocks that carry one (the
    parts of a UNION)."""
    found = list(_costs(plan.get("query_block", plan) if isinstance(plan, dict) else plan))
    if not found:
        raise DbdesignError("the server gives no cost for it (EXPLAIN FORMAT=JSON)")
    return sum(found)


def _costs(node: Any) -> Iterator[float]:
    if isinstance(node, dict):
        info = node.get("cost_info")
        if isinstance(info, dict) and "query_cost" in info:
            yield float(info["query_cost"])
            return
        for v in node.values():
            yield from _costs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _costs(v)


def _keys(node: Any) -> Iterator[str]:
    """Every index a plan uses (``"key"`` wherever it is: table access, index merge, rowid
    filter)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "key" and isinstance(v, str):
                yield v
            else:
                yield from _keys(v)
    elif isinstance(node, list):
        for v in node:
            yield from _keys(v)


def _shape(node: Any) -> Any:
    """A plan without its estimates and measurements: what the server will do, not how much."""
    if isinstance(node, dict):
        return {
            k: _shape(v) for k, v in node.items() if k not in _VOLATILE and not k.startswith("r_")
        }
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return node
