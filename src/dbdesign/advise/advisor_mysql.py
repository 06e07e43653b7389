"""``advise`` on MySQL and MariaDB: the indexes that buy the most for a workload within a
budget, chosen by building each candidate for real on a scratch copy and costing the queries
there. MySQL and MariaDB have no hypothetical indexes, so nothing else can say what the
optimizer would do with an index; and nothing is ever built on the advised database.

1. The workload's queries pass the MySQL guard (one SELECT, INSERT, UPDATE or DELETE) and are
   read with sqlglot (:mod:`dbdesign.advise.usage_mysql`) into the usage shape the PostgreSQL
   advisor uses.
2. The copy (:mod:`dbdesign.advise.scratch_mysql`): a scratch database dbdesign makes beside
   the advised one with the workload's tables and (a sample of) their rows, or the copy the
   user names; the advised database is only read.
3. Candidates: :func:`dbdesign.advise.candidates.candidates`, in MySQL's terms: no INCLUDE
   (covering means key columns), no partial or BRIN indexes, key prefixes on TEXT and BLOB
   columns, functional key parts only on MySQL 8.0.13+ (MariaDB has none).
4. Costs (:mod:`dbdesign.advise.build_mysql`): each candidate built with ``ALTER TABLE ... ADD
   INDEX``, the queries it may serve costed there (MySQL: the optimizer's estimate; MariaDB:
   measured time), dropped again; the per-query alternatives and the lazy greedy of
   :mod:`dbdesign.advise.select` choose, sizes from the built indexes scaled to the advised
   tables' rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from dbdesign.advise.advisor import Query, QueryCost, Served
from dbdesign.advise.build_mysql import ColumnType, ScratchIndexes, add_index_sql, key_sql
from dbdesign.advise.candidates import Candidate, candidates
from dbdesign.advise.guard_mysql import CheckedMySQLStatement, check_mysql_statement
from dbdesign.advise.scratch_mysql import (
    ROW_LIMIT,
    ScratchCopy,
    base_tables,
    given_copy,
    made_copy,
    read_only,
)
from dbdesign.advise.select import Problem, alternatives, select
from dbdesign.advise.stats import ColumnStats, TableStats
from dbdesign.advise.usage import TableUse
from dbdesign.advise.usage_mysql import mysql_usage, parse_mysql, tables_named
from dbdesign.errors import ConfigError, DbdesignError
from dbdesign.model import FrozenMap

Progress = Callable[[str], None]

# MySQL's cost units per index entry an INSERT or DELETE (or an UPDATE of its columns) writes:
# about one page touched (the cost model's io_block_read_cost). MariaDB's measured times
# already hold the writes' index maintenance.
WRITE_COST_PER_ENTRY = 1.0
# An index's pages over its leaf pages: the levels above and the extents InnoDB allocates
# (16-19 % measured for 1,000,000-row indexes on MariaDB 10.11).
OVER_LEAVES = 1.15
FEW_ROWS = 10_000  # rows of the copy's biggest table below which measured times say little
_WIDE = 10_000.0  # the width given a TEXT/BLOB column: never carried for covering


@dataclass(frozen=True, slots=True)
class MySQLIndexAdvice:
    candidate: Candidate
    name: str
    key: str  # the key parts as MySQL writes them (prefix lengths included)
    size_bytes: int  # on the advised table: as built on the copy, scaled when it was sampled
    built_bytes: int  # as built on the copy (0: the server did not say)
    gain: float
    serves: tuple[Served, ...]

    @property
    def table(self) -> str:
        return self.candidate.table

    @property
    def ddl(self) -> str:
        return add_index_sql(self.table, [(self.name, self.key)])


@dataclass(frozen=True, slots=True)
class MySQLAdvice:
    """Advice on a MySQL/MariaDB database: the indexes, each query's cost before and after
    (MySQL: optimizer cost units; MariaDB: milliseconds measured on the copy), the copy it
    was built on (its URL left out) and how much work it took."""

    indexes: tuple[MySQLIndexAdvice, ...]
    queries: tuple[QueryCost, ...]
    cost_before: float
    cost_after: float
    budget_bytes: int | None
    candidates: int
    builds: int  # indexes built on the copy
    plans: int  # EXPLAINs
    timings: int  # plans timed (MariaDB)
    server: str  # MariaDB 10.11.6, MySQL 8.0.36
    measured: bool  # costs are measured milliseconds (MariaDB), not the optimizer's estimates
    copy: ScratchCopy
    notes: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = field(default=())

    @property
    def size_bytes(self) -> int:
        return sum(i.size_bytes for i in self.indexes)

    @property
    def relative_cost(self) -> float:
        return self.cost_after / self.cost_before if self.cost_before else 1.0

    @property
    def unit(self) -> str:
        return "ms" if self.measured else "cost units"

    @property
    def label(self) -> str:
        """What the numbers are, in one sentence."""
        c = self.copy
        made = "made by dbdesign and dropped" if c.made else "yours"
        rows = f"{c.rows:,} rows {'sampled' if c.sampled else 'copied'} of {c.source_rows:,}"
        if not c.made:
            rows = f"{c.rows:,} rows there, {c.source_rows:,} here"
        how = (
            "costs are milliseconds measured there (ANALYZE FORMAT=JSON, the best of "
            "3 runs; MariaDB's EXPLAIN has no usable cost)"
            if self.measured
            else "costs are the optimizer's estimates there (EXPLAIN FORMAT=JSON query_cost)"
        )
        return (
            f"{self.server}: indexes built for real on a scratch copy ({c.name}, {made}; "
            f"{rows}); {how}"
        )


def advise_mysql(
    url: str,
    queries: Sequence[Query],
    *,
    scratch: str | None = None,
    row_limit: int = ROW_LIMIT,
    budget_bytes: int | None = None,
    max_columns: int = 5,
    min_gain: float = 0.005,
    timeout_s: float = 60.0,
    progress: Progress | None = None,
) -> MySQLAdvice:
    """Advise on ``queries`` for the MySQL/MariaDB database at ``url``, building on the copy
    ``scratch`` names (else a scratch database made beside it and dropped afterwards)."""
    from dbdesign.databases.mysql import MySQLDatabase
    from dbdesign.dialects.mysql import is_mariadb
    from dbdesign.engine import mysql_params

    say = progress or (lambda _m: None)
    if not mysql_params(url).get("database"):
        raise ConfigError("--db must name the database to advise (mysql://user@host/database)")
    if row_limit < 1:
        raise ConfigError("--sample-rows must be at least 1")
    parsed, skipped = _parse(queries)
    with read_only(url, timeout_s) as src:
        server = MySQLDatabase().version(src)
        number = MySQLDatabase().version_number(src)
        mariadb = is_mariadb(str(src.get_server_info()))
        names = sorted({n for _, _, _, ns in parsed for n in ns})
        tables, other = base_tables(src, names)
    usable = []
    for q, stmt, tree, ns in parsed:
        bad = sorted(n for n in ns if n in other)
        if bad:
            skipped.append((_label(q), f"reads {bad[0]}: {other[bad[0]]} (only tables are copied)"))
        else:
            usable.append((q, stmt, tree))
    if not usable:
        why = "; ".join(f"{label}: {reason}" for label, reason in skipped[:3])
        raise ConfigError(f"no query of the workload to advise on ({why or 'none given'})")
    used = sorted({tables[n] for _, _, tree in usable for n in tables_named(tree)})
    functional = not mariadb and number >= 80013
    with _copy(url, scratch, used, row_limit, timeout_s, say) as copy:
        say(f"building on {copy.name} ({copy.rows:,} rows)")
        conn = _connect(copy.url)
        try:
            return _advise(
                conn, copy, usable, skipped, server, mariadb, functional,
                _Limits(budget_bytes, max_columns, min_gain, timeout_s), say,
            )  # fmt: skip
        finally:
            conn.close()


@dataclass(frozen=True, slots=True)
class _Limits:
    budget: int | None
    max_columns: int
    min_gain: float
    timeout_s: float


def _label(q: Query) -> str:
    return q.label or q.sql[:60]


def _parse(
    queries: Sequence[Query],
) -> tuple[list[tuple[Query, CheckedMySQLStatement, Any, set[str]]], list[tuple[str, str]]]:
    parsed = []
    skipped: list[tuple[str, str]] = []
    for q in queries:
        try:
            stmt = check_mysql_statement(q.sql)
            tree = parse_mysql(stmt.text)
            names = tables_named(tree)
        except DbdesignError as e:
            skipped.append((_label(q), str(e)))
            continue
        if not names:
            skipped.append((_label(q), "reads no table"))
            continue
        parsed.append((q, stmt, tree, names))
    return parsed, skipped


@contextmanager
def _copy(
    url: str, scratch: str | None, tables: Sequence[str], row_limit: int, timeout_s: float,
    say: Progress,
) -> Iterator[ScratchCopy]:  # fmt: skip
    if scratch is not None:
        yield given_copy(url, scratch, tables, timeout_s)
        return
    with made_copy(url, tables, row_limit=row_limit, timeout_s=timeout_s, say=say) as copy:
        yield copy


def _connect(url: str) -> Any:
    from dbdesign import databases

    return databases.get(url).connect(url, autocommit=True)


def _advise(
    conn: Any,
    copy: ScratchCopy,
    usable: Sequence[tuple[Query, CheckedMySQLStatement, Any]],
    skipped: list[tuple[str, str]],
    server: str,
    mariadb: bool,
    functional: bool,
    limits: _Limits,
    say: Progress,
) -> MySQLAdvice:
    columns = _column_types(conn, [t.name for t in copy.tables])
    names = {t: list(cols) for t, cols in columns.items()}
    kept = []
    for q, stmt, tree in usable:
        u = mysql_usage(tree, names, expressions=functional)
        if not u.tables:
            skipped.append((_label(q), "reads no table of the database"))
        else:
            kept.append((q, stmt, u.tables))
    wi = ScratchIndexes(
        conn, [s for _, s, _ in kept], [u for _, _, u in kept], columns,
        measured=mariadb, timeout_s=limits.timeout_s,
    )  # fmt: skip
    try:
        say(f"costing {len(kept)} queries on the copy as they are")
        tried = [wi.try_cost(i) for i in range(len(kept))]
        for (q, _, _), t in zip(kept, tried, strict=True):
            if isinstance(t, str):
                skipped.append((_label(q), t))
        costed = [i for i, t in enumerate(tried) if not isinstance(t, str)]
        base = [t for t in tried if not isinstance(t, str)]
        wi.keep(costed)
        kept = [kept[i] for i in costed]
        return _choose(wi, conn, copy, kept, base, columns, skipped, server, limits, say)
    finally:
        wi.close()


def _choose(
    wi: ScratchIndexes,
    conn: Any,
    copy: ScratchCopy,
    kept: Sequence[tuple[Query, CheckedMySQLStatement, Mapping[str, TableUse]]],
    base: Sequence[Any],
    columns: Mapping[str, Mapping[str, ColumnType]],
    skipped: list[tuple[str, str]],
    server: str,
    limits: _Limits,
    say: Progress,
) -> MySQLAdvice:
    existing = _existing_keys(conn)
    stats = _table_stats(conn, copy, kept, columns, existing)
    per_query = _candidates(kept, stats, columns, existing, limits.max_columns)
    n_candidates = len({c for cs in per_query.values() for c in cs})
    say(f"{n_candidates} candidates; building them query by query to see what plans pick")
    picked, best = alternatives(wi, range(len(kept)), per_query)
    by_lead: dict[tuple[str, str], set[int]] = {}
    for c, qs in picked.items():
        by_lead.setdefault((c.table, c.columns[0]), set()).update(qs)
    relevant = {c: frozenset(by_lead[(c.table, c.columns[0])]) for c in picked}
    weights = [q.calls for q, _, _ in kept]
    sizes = {c: _size(wi, c, copy, stats, existing) for c in relevant}
    total = sum(w * b.cost for w, b in zip(weights, base, strict=True))
    problem = Problem(
        weights=weights,
        relevant=relevant,
        sizes={c: s[0] for c, s in sizes.items()},
        write_cost={} if wi.measured else {c: _write_cost(c, kept) for c in relevant},
        bounds={
            c: sum(weights[q] * (base[q].cost - best.get(q, base[q].cost)) for q in qs)
            for c, qs in relevant.items()
        },
        budget=limits.budget if limits.budget is not None else 2**62,
        min_gain=limits.min_gain * total,
    )
    say(f"{len(relevant)} candidates some plan picks; choosing")
    sel = select(wi, problem, base)
    after = [wi.cost(i, fresh=True) for i in range(len(kept))]
    return _advice(
        wi, copy, kept, base, after, sel.chosen, {s.candidate: s.gain for s in sel.steps},
        sizes, columns, existing, skipped, server, limits, n_candidates,
    )  # fmt: skip


def _advice(
    wi: ScratchIndexes, copy: ScratchCopy,
    kept: Sequence[tuple[Query, CheckedMySQLStatement, Mapping[str, TableUse]]],
    base: Sequence[Any], after: Sequence[Any], chosen: Sequence[Candidate],
    gains: Mapping[Candidate, float], sizes: Mapping[Candidate, tuple[int, int]],
    columns: Mapping[str, Mapping[str, ColumnType]],
    existing: Mapping[str, Mapping[str, tuple[str, ...]]], skipped: list[tuple[str, str]],
    server: str, limits: _Limits, n_candidates: int,
) -> MySQLAdvice:  # fmt: skip
    names: dict[Candidate, str] = {}
    for c in chosen:
        taken = {n.lower() for n in existing.get(c.table, {})}
        taken |= {n.lower() for d, n in names.items() if d.table == c.table}
        name, k = c.name(), 1
        while name.lower() in taken:
            k += 1
            name = f"{c.name()[:59]}_{k}"
        names[c] = name
    serves: dict[Candidate, list[Served]] = {c: [] for c in chosen}
    queries = []
    for i, ((q, _, _), b, a) in enumerate(zip(kept, base, after, strict=True)):
        used = [c for c in map(wi.candidate, sorted(a.indexes)) if c in serves]
        for c in used:
            serves[c].append(Served(i, b.cost, a.cost))
        queries.append(
            QueryCost(q.sql, q.label, q.calls, b.cost, a.cost, tuple(names[c] for c in used))
        )
    indexes = tuple(
        MySQLIndexAdvice(
            candidate=c,
            name=names[c],
            key=key_sql(c, columns.get(c.table, {})),
            size_bytes=sizes[c][0],
            built_bytes=sizes[c][1],
            gain=gains.get(c, 0.0),
            serves=tuple(serves[c]),
        )
        for c in chosen
    )
    weights = [q.calls for q, _, _ in kept]
    return MySQLAdvice(
        indexes=indexes,
        queries=tuple(queries),
        cost_before=sum(w * b.cost for w, b in zip(weights, base, strict=True)),
        cost_after=sum(w * a.cost for w, a in zip(weights, after, strict=True)),
        budget_bytes=limits.budget,
        candidates=n_candidates,
        builds=wi.builds,
        plans=wi.explains,
        timings=wi.timings,
        server=server,
        measured=wi.measured,
        copy=replace(copy, url=""),
        notes=_notes(copy, wi.measured),
        skipped=tuple(skipped),
    )


def _notes(copy: ScratchCopy, measured: bool) -> tuple[str, ...]:
    out = []
    most = max((t.rows for t in copy.tables), default=0)
    if measured and most < FEW_ROWS:
        out.append(
            f"the copy's tables hold at most {most:,} rows: the times are mostly the "
            "statements' fixed costs, so an index can look useful or useless by chance (advise "
            "on a database with representative data)"
        )
    for t in copy.tables:
        if t.sampled:
            about = "" if t.counted else "~"
            out.append(
                f"{t.name}: {t.rows:,} of {about}{t.source_rows:,} rows on the copy (a sample: "
                "the optimizer may choose differently on the whole table; sizes are scaled)"
            )
    return tuple(out)


# --------------------------------------------------------------------------- the copy's tables


def _column_types(conn: Any, tables: Sequence[str]) -> dict[str, dict[str, ColumnType]]:
    out: dict[str, dict[str, ColumnType]] = {t: {} for t in tables}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_OCTET_LENGTH, "
            "CHARACTER_SET_NAME IS NULL FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION"
        )
        for table, col, dtype, octets, binary in cur.fetchall():
            if table in out:
                n = int(octets) if octets is not None else None
                out[table][str(col)] = ColumnType(str(dtype), n, bool(binary))
    return out


def _existing_keys(conn: Any) -> dict[str, dict[str, tuple[str, ...]]]:
    """table -> index name -> its key columns (an expression as written)."""
    out: dict[str, dict[str, list[str]]] = {}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
        )
        for table, index, col in cur.fetchall():
            out.setdefault(str(table), {}).setdefault(str(index), []).append(str(col or "()"))
    return {t: {i: tuple(c) for i, c in ix.items()} for t, ix in out.items()}


def _table_stats(
    conn: Any, copy: ScratchCopy,
    kept: Sequence[tuple[Query, CheckedMySQLStatement, Mapping[str, TableUse]]],
    columns: Mapping[str, Mapping[str, ColumnType]],
    existing: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> dict[str, TableStats]:  # fmt: skip
    """What candidate generation reads of each table: its rows on the copy, and the distinct
    values and width of the columns the workload uses and of the primary key's (counted on
    the copy)."""
    from dbdesign.dialects.mysql import quote_ident

    wanted: dict[str, list[str]] = {t: list(ix.get("PRIMARY", ())) for t, ix in existing.items()}
    for _, _, uses in kept:
        for table, use in uses.items():
            cols = wanted.setdefault(table, [])
            cols.extend(c for c in use.read if c not in cols)
    out = {}
    for t in copy.tables:
        cols = [c for c in wanted.get(t.name, []) if c in columns.get(t.name, {})]
        stats: dict[str, ColumnStats] = {}
        if cols:
            parts = []
            for c in cols:
                q = quote_ident(c, always=True)
                parts.append(f"COUNT(DISTINCT {q}), AVG(LENGTH({q}))")
            with conn.cursor() as cur:
                cur.execute(f"SELECT {', '.join(parts)} FROM {quote_ident(t.name, always=True)}")
                row = cur.fetchone()
            for k, c in enumerate(cols):
                typ = columns[t.name][c]
                width = float(typ.fixed_width or (row[2 * k + 1] or 8) + 1)
                if typ.prefix():
                    width = _WIDE
                stats[c] = ColumnStats(
                    name=c, type=typ.data_type, width=width, distinct=float(row[2 * k] or 0),
                    correlation=0.0,
                )  # fmt: skip
        out[t.name] = TableStats(name=t.name, rows=float(t.rows), pages=0,
                                 columns=FrozenMap(stats))  # fmt: skip
    return out


def _candidates(
    kept: Sequence[tuple[Query, CheckedMySQLStatement, Mapping[str, TableUse]]],
    stats: Mapping[str, TableStats],
    columns: Mapping[str, Mapping[str, ColumnType]],
    existing: Mapping[str, Mapping[str, tuple[str, ...]]],
    max_columns: int,
) -> dict[int, list[Candidate]]:
    """Each query's candidates in MySQL's terms (see the module's docstring): what would be
    INCLUDE columns become key columns after the key, less the primary key's (every InnoDB
    secondary index holds those); an index the table has already is left out."""
    out: dict[int, list[Candidate]] = {}
    for i, (_, _, uses) in enumerate(kept):
        found: list[Candidate] = []
        for table, use in uses.items():
            have = set(existing.get(table, {}).values())
            primary = set(existing.get(table, {}).get("PRIMARY", ()))
            types = columns.get(table, {})
            for c in candidates(use, stats[table], max_columns):
                if c.where or c.method != "btree":
                    continue
                # InnoDB's secondary indexes hold the primary key: covering needs no more
                carried = (x for x in c.include if x not in primary)
                key = tuple(dict.fromkeys((*c.columns, *carried)))[:max_columns]
                if key in have or any(
                    not k.startswith("(") and (k not in types or not types[k].indexable)
                    for k in key
                ):
                    continue
                found.append(Candidate(table, key))
        out[i] = list(dict.fromkeys(found))
    return out


def _size(
    wi: ScratchIndexes, c: Candidate, copy: ScratchCopy, stats: Mapping[str, TableStats],
    existing: Mapping[str, Mapping[str, tuple[str, ...]]],
) -> tuple[int, int]:  # fmt: skip
    """(size on the advised table, size as built on the copy) in bytes. Built: the index's
    pages as InnoDB allocated them. On the advised table: the same when the copy holds all its
    rows; for a sample, the leaf pages scaled by the advised table's rows per row of the copy
    (:data:`OVER_LEAVES` over them: the levels above and InnoDB's extents), or, where InnoDB
    reports no leaf count (an index of a few dozen pages reports 1), the entries' widths times
    the rows (with the primary key and a record header), leaves 15/16 full as an index build
    leaves them, and as much over them."""
    t = copy.table(c.table)
    page = wi.page_size
    size, leaf = wi.pages.get(c, (0, 0))
    built = size * page
    if t is None or (built and not t.sampled):
        return built, built
    if leaf > 1:
        return max(built, math.ceil(leaf * t.scale * OVER_LEAVES) * page), built
    cols = stats[c.table].columns
    primary = existing.get(c.table, {}).get("PRIMARY", ())
    keys = (*c.columns, *(k for k in primary if k not in c.columns))
    entry = sum(min(cols[k].width, 767) if k in cols else 8 for k in keys) + 7  # header
    leaves = math.ceil(t.source_rows * entry / (page * 15 / 16))
    return max(built, math.ceil(leaves * OVER_LEAVES) * page), built


def _write_cost(
    c: Candidate, kept: Sequence[tuple[Query, CheckedMySQLStatement, Mapping[str, TableUse]]]
) -> float:
    total = 0.0
    for q, _, uses in kept:
        use = uses.get(c.table)
        if use is None or not use.writes:
            continue
        if use.writes == "update" and not set(use.written) & set(c.columns):
            continue
        total += q.calls * (q.rows or 1.0) * WRITE_COST_PER_ENTRY
    return total
