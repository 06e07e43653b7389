"""Candidate indexes: every index a query's use of a table suggests, wider than one or two
columns where that serves it.

For each query and table (:class:`~dbdesign.advise.usage.TableUse`) the candidates are:

- each column the query compares, joins, sorts or groups on, alone;
- the equality columns (most distinct first), then one range, join or sort column — a B-tree
  serves equality prefixes and then one range; a join column first for the inner side of a
  nested loop;
- ORDER BY and GROUP BY keys behind the equality columns (sorted input, no Sort node);
- each of those keys covering the rest of what the query reads from the table (``INCLUDE``)
  when that is a few columns, for index-only scans;
- partial indexes for fixed predicates on low-cardinality columns (``status = 'active'``,
  ``deleted_at IS NULL``), the predicate's column left out of the key;
- expression indexes for predicates on an expression of one column (``lower(email)``);
- BRIN for range predicates on a big table whose physical order follows the column.

``max_columns`` bounds key plus INCLUDE columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from dbdesign import dialects
from dbdesign.advise.stats import TableStats
from dbdesign.advise.usage import TableUse

# A fixed predicate gets a partial index when its column has at most this many values.
PARTIAL_MAX_DISTINCT = 32
# INCLUDE at most this many bytes per row (the average widths of the columns).
INCLUDE_MAX_WIDTH = 64
# BRIN for a range column this well correlated with the table's physical order ...
BRIN_MIN_CORRELATION = 0.9
# ... on a table of at least this many pages.
BRIN_MIN_PAGES = 1000


@dataclass(frozen=True, slots=True)
class Candidate:
    """A hypothetical index. ``columns`` are column names or, in parentheses, expressions."""

    table: str  # schema-qualified, quoted as needed
    columns: tuple[str, ...]
    include: tuple[str, ...] = ()
    where: str = ""
    method: str = "btree"

    @property
    def width(self) -> int:
        return len(self.columns) + len(self.include)

    def ddl(self, name: str = "", *, concurrently: bool = False) -> str:
        q = dialects.get("postgres").quote_ident
        keys = ", ".join(c if c.startswith("(") else q(c) for c in self.columns)
        sql = "CREATE INDEX "
        if concurrently:
            sql += "CONCURRENTLY "
        if name:
            sql += q(name) + " "
        sql += f"ON {self.table}"
        if self.method != "btree":
            sql += f" USING {self.method}"
        sql += f" ({keys})"
        if self.include:
            sql += " INCLUDE (" + ", ".join(q(c) for c in self.include) + ")"
        if self.where:
            sql += f" WHERE {self.where}"
        return sql

    def name(self) -> str:
        """A name in the usual ``table_col1_col2_idx`` form; a partial index adds the words
        of its predicate (``orders_placed_at_status_paid_idx``); 63 bytes at most."""
        base = self.table.rsplit(".", 1)[-1].strip('"')
        words = [c.strip("()").split("(")[-1].split(",")[0] for c in self.columns]
        words += re.findall(r"[A-Za-z0-9]+", self.where)[:4]
        tail = "brin" if self.method == "brin" else "idx"
        name = "_".join([base, *words, tail]).lower()
        name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
        return name[:63]

    def leading(self) -> str:
        return self.columns[0]


def may_serve(c: Candidate, use: TableUse) -> bool:
    """Whether a plan of the query could use ``c`` on ``use``'s table: its first key column
    (or expression) is one the query touches, or it holds every column the query reads there
    (a whole index-only scan). A superset: the planner decides among these."""
    if c.table != use.table:
        return False
    lead = c.columns[0]
    if use.star or not use.read or lead.startswith("(") or lead in use.read:
        return True
    return set(use.read) <= set(c.columns) | set(c.include)


def candidates(use: TableUse, stats: TableStats, max_columns: int = 5) -> Iterator[Candidate]:
    """The candidates one query's use of one table suggests (duplicates possible)."""
    for key in _keys(use, stats, max_columns):
        plain = Candidate(stats.name, key)
        yield plain
        covering = _covering(use, stats, key, max_columns)
        if covering:
            yield Candidate(stats.name, key, covering)
    yield from _partials(use, stats, max_columns)
    for expr, _ in use.expressions:
        yield Candidate(stats.name, (f"({expr})",))
    for col in use.range:
        st = stats.columns.get(col)
        if st and abs(st.correlation) >= BRIN_MIN_CORRELATION and stats.pages >= BRIN_MIN_PAGES:
            yield Candidate(stats.name, (col,), method="brin")


def _by_distinct(cols: Iterable[str], stats: TableStats) -> list[str]:
    cs = list(dict.fromkeys(cols))
    return sorted(cs, key=lambda c: -(stats.columns[c].distinct if c in stats.columns else 0))


def _keys(use: TableUse, stats: TableStats, max_columns: int) -> Iterator[tuple[str, ...]]:
    eq = _by_distinct(use.eq, stats)
    joins = [c for c in use.join if c not in eq]
    ranges = [c for c in use.range if c not in eq]
    for c in dict.fromkeys([*eq, *ranges, *joins, *use.sort[:1], *use.group[:1]]):
        yield (c,)
    for n in range(1, min(len(eq), max_columns) + 1):
        prefix = tuple(eq[:n])
        yield prefix
        if n < max_columns:
            for c in [*ranges, *joins]:
                yield (*prefix, c)
    for j in joins:
        yield (j, *eq[: max_columns - 1])
        for r in ranges:
            yield (j, *eq[: max_columns - 2], r)[:max_columns]
    for r in ranges:
        for j in joins:
            yield (r, j)[:max_columns]
    for order in (use.sort, use.group):
        if order:
            head = tuple(c for c in eq if c not in order)
            yield (*head, *order)[:max_columns]
            yield tuple(order[:max_columns])


def _covering(
    use: TableUse, stats: TableStats, key: tuple[str, ...], max_columns: int
) -> tuple[str, ...]:
    """The rest of what the query reads from the table, when it is small enough to carry."""
    if use.star:
        return ()
    rest = [c for c in use.read if c not in key and c in stats.columns]
    if not rest or len(key) + len(rest) > max_columns:
        return ()
    if sum(stats.columns[c].width for c in rest) > INCLUDE_MAX_WIDTH:
        return ()
    return tuple(rest)


def _partials(use: TableUse, stats: TableStats, max_columns: int) -> Iterator[Candidate]:
    seen: set[str] = set()
    for col, predicate in use.fixed:
        st = stats.columns.get(col)
        if st is None or st.distinct == 0 or st.distinct > PARTIAL_MAX_DISTINCT:
            continue
        if predicate in seen:
            continue
        seen.add(predicate)
        others = TableUse(
            use.table,
            eq=[c for c in use.eq if c != col],
            range=list(use.range),
            join=list(use.join),
            sort=[c for c in use.sort if c != col],
            group=[c for c in use.group if c != col],
            read=[c for c in use.read if c != col],
            star=use.star,
        )
        for key in _keys(others, stats, max_columns):
            yield Candidate(stats.name, key, where=predicate)
            covering = _covering(others, stats, key, max_columns)
            if covering:
                yield Candidate(stats.name, key, covering, where=predicate)


def merged(found: Iterable[Candidate], tables: Mapping[str, TableStats], max_columns: int
           ) -> dict[Candidate, tuple[Candidate, ...]]:  # fmt: skip
    """Covering candidates of several queries with the same key, merged: one index that
    carries every query's INCLUDE columns (when that stays within the limits), by the
    candidates it stands for."""
    groups: dict[tuple[str, tuple[str, ...], str, str], list[Candidate]] = {}
    for c in found:
        if c.include:
            groups.setdefault((c.table, c.columns, c.where, c.method), []).append(c)
    out: dict[Candidate, tuple[Candidate, ...]] = {}
    for (table, key, where, method), members in groups.items():
        include = tuple(dict.fromkeys(col for m in members for col in m.include))
        if len(members) < 2 or len(key) + len(include) > max_columns:
            continue
        cols = tables[table].columns
        if sum(cols[c].width for c in include if c in cols) > INCLUDE_MAX_WIDTH:
            continue
        union = Candidate(table, key, include, where, method)
        if union not in members:
            out[union] = tuple(members)
    return out
