"""Indexes from access patterns: the query each pattern runs, and the index that serves it
(equality columns first, then the sort, then the range), or the key that already does."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from dbdesign.design.draft import SOFT_DELETED, Draft, Param, PatternPlan, TableDraft
from dbdesign.design.indexes import existing_leading, unique_within
from dbdesign.design.naming import object_name
from dbdesign.design.types import literal
from dbdesign.model import IndexElement
from dbdesign.readers.spec import AccessPattern, Entity

SMALL_TABLE_ROWS = 1_000  # below this a sequential scan beats any index
INCLUDE_MAX = 3  # columns an index may carry for index-only scans
_WIDE = {"long_text", "json", "vector"}
# MySQL: no INCLUDE, so selected columns are appended to the key when together they are no
# wider than this (bytes); a key may not pass InnoDB's 3072 bytes in any case.
COVER_MAX_BYTES = 1024
MYSQL_KEY_BYTES = 3072  # InnoDB's longest index key (DYNAMIC row format)


@dataclass(frozen=True, slots=True)
class _Lookup:
    """What an access pattern filters and orders by, in columns of its table."""

    p: AccessPattern
    e: Entity
    t: TableDraft
    soft: bool  # the entity is soft-deleted: only live rows are read
    eq: list[str]
    rng: list[str]
    sort: list[tuple[str, bool]]  # (column, descending)
    preds: list[str]  # fixed filters (and deleted_at IS NULL) as SQL conditions

    @property
    def where(self) -> str | None:
        return " AND ".join(self.preds) or None


def pattern_indexes(b: Draft) -> None:
    for p in b.spec.access_patterns:
        b.patterns.append(pattern(b, p))


def pattern(b: Draft, p: AccessPattern) -> PatternPlan:
    """The plan of one access pattern, with the index it needs made (and its reason)."""
    lk = _lookup(b, p)
    t = lk.t
    sql, params = pattern_sql(b, lk)

    def plan(index: str | None, reason: str, *, covering: bool = False) -> PatternPlan:
        # an index designed or found for a sorted lookup gives its rows in order
        ordered = bool(index and lk.sort and not p.text_search)
        return PatternPlan(
            p, b.key(t), sql, params, index, reason, ordered=ordered, covering=covering
        )

    if p.text_search and b.pg:
        return plan(object_name("idx", t.name, ("search_vector",)), "GIN full-text index")
    if p.text_search and b.my and t.search:
        return plan(object_name("idx", t.name, t.search), "FULLTEXT index")
    key_cols, elements = _key(b, lk)
    # MySQL has no partial indexes: its filters are key columns instead (see _key).
    where = None if b.my else lk.where
    e = lk.e
    if b.projected(e) and e.volume.rows and e.volume.rows < SMALL_TABLE_ROWS:
        b.decide(
            p.name,
            "no index",
            f"{t.name} holds {e.volume.rows:,} rows: a sequential scan reads it in a few "
            "pages, an index would only slow writes",
        )
        return plan(None, "small table: sequential scan")
    cols = tuple(key_cols)
    if not cols:
        return plan(None, "no filter or order to index")
    served = _served(b, t, cols, where, ordered=bool(lk.sort or lk.rng))
    if served:
        b.purpose(t, served, f"access pattern {p.name}")
        return plan(served, f"served by {served}")
    name, why, covering = _new_index(b, lk, key_cols, elements, where)
    return plan(name, why, covering=covering)


def _lookup(b: Draft, p: AccessPattern) -> _Lookup:
    e = b.spec.entities[p.entity]
    soft = b.feature(e, "soft_delete")
    eq = [b.column_of(p.entity, f) for f in p.equal]
    tcol = b.tenant_cols.get(p.entity)
    if tcol and tcol not in eq:
        eq.insert(0, tcol)
    preds = [
        f"{b.q(b.column_of(p.entity, k))} = {literal(v, b.dialect)}" for k, v in p.fixed.items()
    ]
    if soft:
        preds.append(SOFT_DELETED)
    return _Lookup(
        p=p,
        e=e,
        t=b.tables[p.entity],
        soft=soft,
        eq=eq,
        rng=[b.column_of(p.entity, f) for f in p.range],
        sort=[(b.column_of(p.entity, s.removeprefix("-")), s.startswith("-")) for s in p.sort],
        preds=preds,
    )


def _key(b: Draft, lk: _Lookup) -> tuple[list[str], list[IndexElement]]:
    """The columns of the index: equality first, then the sort columns (the index returns rows
    in order, so LIMIT stops early), then the range column if it is not the sort column."""
    key_cols = list(lk.eq)
    if b.my:
        # No partial indexes: a fixed filter and deleted_at IS NULL are equalities in the key
        # (IS NULL is a lookup of one value, like =).
        fixed_cols = [b.column_of(lk.p.entity, k) for k in lk.p.fixed]
        key_cols += [c for c in fixed_cols if c not in key_cols]
        if lk.soft:
            key_cols.append("deleted_at")
    mixed = len({d for _, d in lk.sort}) > 1
    elements = [IndexElement(column=c) for c in key_cols]
    for c, desc in lk.sort:
        if c not in key_cols:
            key_cols.append(c)
            elements.append(IndexElement(column=c, descending=desc and mixed))
    for c in lk.rng:
        if c not in key_cols:
            key_cols.append(c)
            elements.append(IndexElement(column=c))
    return key_cols, elements


def _served(
    b: Draft, t: TableDraft, cols: tuple[str, ...], where: str | None, *, ordered: bool
) -> str | None:
    """A key or index that already serves the lookup."""
    served = existing_leading(b, t, cols, where, exact=not ordered)
    if served is None and not ordered:
        served = unique_within(b, t, set(cols), where)
    if served is None and not ordered and where in (None, SOFT_DELETED):
        # a full index serves the live rows too (the few deleted ones are filtered)
        served = existing_leading(b, t, cols, None)
    return served


def _new_index(
    b: Draft,
    lk: _Lookup,
    key_cols: list[str],
    elements: list[IndexElement],
    where: str | None,
) -> tuple[str, str, bool]:
    """Make the index a pattern needs. Returns its name, the reason for its shape, and whether
    it covers the query (the reason says index-only)."""
    p, t = lk.p, lk.t
    cols = tuple(key_cols)
    cover, uncovered = _cover(b, p, t, key_cols) if b.my else ([], [])
    elements = elements + [IndexElement(column=c) for c in cover]
    include = _include(b, p, t, key_cols)
    # an index name from the filter's values: words only (a value may hold any text)
    suffix = (
        ""
        if b.my
        else re.sub(r"[^a-z0-9]+", "_", "_".join(str(v).lower() for v in p.fixed.values())).strip(
            "_"
        )
    )
    name = object_name("idx", t.name, cols, suffix)
    b.index(
        t,
        name,
        tuple(elements),
        include=include,
        where=where,
        purpose=f"access pattern {p.name}",
    )
    why = _why(b, lk, include, cover, uncovered)
    b.decide(name, "index (" + ", ".join((*cols, *cover)) + ")", why)
    return name, why, bool(include or (cover and not uncovered))


def _include(b: Draft, p: AccessPattern, t: TableDraft, key_cols: list[str]) -> tuple[str, ...]:
    """PostgreSQL: the selected columns the key lacks, carried for an index-only scan when
    they are few and none is wide."""
    if not (p.select and b.pg):
        return ()
    extra = [b.column_of(p.entity, f) for f in p.select if b.column_of(p.entity, f) not in key_cols]
    wide = any(t.semantic.get(c) in _WIDE for c in extra)
    if extra and len(extra) <= INCLUDE_MAX and not wide:
        return tuple(extra)
    return ()


def _why(
    b: Draft,
    lk: _Lookup,
    include: tuple[str, ...],
    cover: list[str],
    uncovered: list[str],
) -> str:
    """The reason for the shape of a pattern's index, part by part."""
    p, eq, rng, sort = lk.p, lk.eq, lk.rng, lk.sort
    parts = []
    if eq:
        parts.append(f"equality column{'s' if len(eq) > 1 else ''} first ({', '.join(eq)})")
    if b.my and p.fixed:
        fixed = ", ".join(f"{k} = {v}" for k, v in p.fixed.items())
        parts.append(f"the fixed filter ({fixed}) as an equality column (no partial indexes)")
    if b.my and lk.soft:
        parts.append("deleted_at IS NULL as an equality column: soft-deleted rows are skipped")
    if sort:
        parts.append(
            f"{'then ' if parts else ''}the sort column ({', '.join(c for c, _ in sort)}): "
            "rows come out in order, so LIMIT stops early"
        )
    if [c for c in rng if c not in eq and c not in [s for s, _ in sort]]:
        parts.append(f"{'then ' if parts else ''}the range column ({', '.join(rng)})")
    elif rng:
        parts.append("the range is read as one contiguous slice of the index")
    if include:
        parts.append(f"INCLUDE ({', '.join(include)}) allows an index-only scan")
    if cover:
        parts.append(
            f"then the selected {', '.join(cover)}, so the index covers the query (InnoDB "
            "secondary indexes hold the primary key too): no row lookups"
        )
    if uncovered:
        parts.append(
            f"the selected {', '.join(uncovered)} are not appended (TEXT/JSON, or more than "
            f"{INCLUDE_MAX} columns or {COVER_MAX_BYTES:,} bytes): rows are read by primary key"
        )
    if p.fixed and not b.my:
        fixed = ", ".join(f"{k} = {v}" for k, v in p.fixed.items())
        parts.append(f"partial (WHERE {fixed}): only the rows the pattern reads")
    return "; ".join(parts)


def _cover(
    b: Draft, p: AccessPattern, t: TableDraft, key_cols: list[str]
) -> tuple[list[str], list[str]]:
    """MySQL has no INCLUDE: the selected columns the key lacks are appended to it when they
    are few and narrow. Returns (appended, left out)."""
    pk = set(t.pk.columns) if t.pk else set()
    extra = [
        c for c in (b.column_of(p.entity, f) for f in p.select) if c not in key_cols and c not in pk
    ]
    widths = [_key_bytes(t, c) for c in (*key_cols, *extra)]
    sizes = [w for w in widths[len(key_cols) :] if w is not None]
    fits = (
        None not in widths
        and len(extra) <= INCLUDE_MAX
        and sum(sizes) <= COVER_MAX_BYTES
        and sum(w or 0 for w in widths) <= MYSQL_KEY_BYTES
    )
    return (extra, []) if fits else ([], extra)


def _key_bytes(t: TableDraft, col: str) -> int | None:
    """MySQL: the most bytes a column takes in an index key (utf8mb4), None for types a key
    cannot hold whole (TEXT, JSON)."""
    c = next(c for c in t.columns if c.name == col)
    n = c.type.name
    fixed = {"tinyint": 1, "boolean": 1, "smallint": 2, "int": 4, "bigint": 8, "date": 3}
    if n in fixed:
        return fixed[n]
    if n in ("datetime", "time"):
        return 8
    if n == "decimal":
        return int(c.type.args[0]) // 2 + 1
    if n in ("char", "varchar"):
        return 4 * int(c.type.args[0]) + 2
    if n == "binary":
        return int(c.type.args[0])
    return None


def tenant_search_alternatives(b: Draft) -> None:
    """A text search within one tenant may be read through the tenant's rows instead."""
    for i, pp in enumerate(b.patterns):
        tcol = b.tenant_cols.get(pp.pattern.entity)
        if not (pp.pattern.text_search and tcol and pp.index):
            continue
        t = b.tables[pp.pattern.entity]
        alts = tuple(
            ix.name
            for ix in b.indexes.values()
            if ix.table == t.name and ix.elements and ix.elements[0].column == tcol
        )
        alts += tuple(u.name for u in t.uniques.values() if u.columns[0] == tcol)
        if t.pk and t.pk.columns[0] == tcol:
            alts = (t.pk.name, *alts)
        why = (
            f"{pp.reason}; within a small tenant the planner may rightly read the tenant's "
            f"rows through an index that leads with {tcol} instead"
        )
        b.patterns[i] = replace(pp, alternatives=alts, reason=why)


def count_sql(sql: str) -> str:
    """The number of rows a pattern's query matches (without its ORDER BY and LIMIT): the
    rows a plan that does not read them in order must sort."""
    kept = [ln for ln in sql.split("\n") if not ln.startswith(("ORDER BY ", "LIMIT "))]
    return "SELECT count(*) FROM (\n" + "\n".join(kept) + "\n) AS matched"


def pattern_sql(b: Draft, lk: _Lookup) -> tuple[str, tuple[Param, ...]]:
    """The query of an access pattern, with its parameters in order."""
    p, t = lk.p, lk.t
    params: list[Param] = []
    conds: list[str] = []
    ph, q = b.ph, b.q

    for c in lk.eq:
        params.append(Param(c, "eq"))
        conds.append(f"{q(c)} = {ph(len(params))}")
    for c in lk.rng:
        params.append(Param(c, "lower"))
        conds.append(f"{q(c)} >= {ph(len(params))}")
        params.append(Param(c, "upper"))
        conds.append(f"{q(c)} < {ph(len(params))}")
    if p.text_search and b.pg:
        params.append(Param("search_vector", "search"))
        conds.append(f"search_vector @@ websearch_to_tsquery('simple', {ph(len(params))})")
    if p.text_search and b.my and t.search:
        params.append(Param(t.search[0], "search"))
        conds.append(
            f"MATCH ({', '.join(map(q, t.search))}) AGAINST ({ph(len(params))} IN BOOLEAN MODE)"
        )
    conds += lk.preds
    if p.select:
        cols = [b.column_of(p.entity, f) for f in p.select]
    else:  # generated columns (search_vector, not_deleted) are the database's own
        cols = [c.name for c in t.columns if c.generated is None]
    sql = f"SELECT {', '.join(map(q, cols))}\nFROM {q(t.name)}"
    if conds:
        sql += "\nWHERE " + "\n  AND ".join(conds)
    if lk.sort:
        sql += "\nORDER BY " + ", ".join(f"{q(c)} DESC" if d else q(c) for c, d in lk.sort)
    if p.limit:
        sql += f"\nLIMIT {p.limit}"
    return sql, tuple(params)
