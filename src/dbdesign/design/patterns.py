"""Indexes from access patterns: the query each pattern runs, and the index that serves it
(equality columns first, then the sort, then the range), or the key that already does."""

from __future__ import annotations

import re
from dataclasses import replace

from dbdesign.design.draft import PROJECTION_YEARS, SOFT_DELETED, Draft, PatternPlan, TableDraft
from dbdesign.design.indexes import existing_leading, existing_serving, unique_within
from dbdesign.design.naming import object_name
from dbdesign.design.pattern_sql import (
    DISTANCES,
    HALFVEC_INDEX_DIMS,
    IN_VALUES,
    VECTOR_INDEX_DIMS,
    Lookup,
    fts_of,
    halfvec,
    lookup,
    pattern_sql,
    rank_candidates,
)
from dbdesign.errors import UnsupportedError
from dbdesign.model import Expr, IndexElement
from dbdesign.readers.spec_patterns import AccessPattern

SMALL_TABLE_ROWS = 1_000  # below this a sequential scan beats any index
# A traversal's far table past this many rows, of which one row's links reach at most this
# share, is read by primary key for each link (a nested loop driven by the links), never
# whole; smaller, or reached in a larger share, hashing the links over it may be cheaper.
LINKED_LARGE_ROWS = 5_000
HNSW_M = 16  # pgvector's default neighbours per node
# A similarity search moves to a dedicated vector database past either: an HNSW index larger
# than one server keeps in memory, or more searches than one server's cores answer.
VECTOR_INDEX_BYTES = 64 * 2**30
VECTOR_SEARCHES_PER_S = 2_000
LINKED_SHARE = 0.01
INCLUDE_MAX = 3  # columns an index may carry for index-only scans
_WIDE = {"long_text", "json", "vector"}
# MySQL: no INCLUDE, so selected columns are appended to the key when together they are no
# wider than this (bytes); a key may not pass InnoDB's 3072 bytes in any case.
COVER_MAX_BYTES = 1024
MYSQL_KEY_BYTES = 3072  # InnoDB's longest index key (DYNAMIC row format)


def pattern_indexes(b: Draft) -> None:
    for p in b.spec.access_patterns:
        b.patterns.append(pattern(b, p))


def pattern(b: Draft, p: AccessPattern) -> PatternPlan:
    """The plan of one access pattern, with the index it needs made (and its reason)."""
    lk = lookup(b, p)
    t = lk.t
    sql, params = pattern_sql(b, lk)

    def plan(index: str | None, reason: str, *, covering: bool = False) -> PatternPlan:
        # An index designed or found for a sorted lookup gives its rows in order; not after
        # an IN list (each value's rows come in order, not all of them), nor for groups.
        # Nor for the rows a link gives (in the link's order, then sorted).
        ordered = bool(index and lk.sort and not (p.text_search or lk.inl or p.grouped or lk.via))
        return PatternPlan(
            p, b.key(t), sql, params, index, reason, ordered=ordered, covering=covering
        )

    if p.text_search and b.pg:
        why = "GIN full-text index" + _ranked_why(b, lk)
        return plan(object_name("idx", t.name, ("search_vector",)), why)
    if p.text_search and b.my and t.search:
        return plan(object_name("idx", t.name, t.search), "FULLTEXT index" + _ranked_why(b, lk))
    fts = fts_of(b, t)
    if p.text_search and fts:
        why = "FTS5 full-text table (its rowid is the row's key)" + _ranked_why(b, lk)
        return plan(fts, why)
    if lk.via:
        name, why = _link_index(b, lk)
        return replace(plan(name, why), link=lk.via.link.name)
    if lk.similar:
        return plan(*_vector_index(b, lk))
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
    if lk.anyof:
        names, why = _branch_indexes(b, lk, where)
        return replace(plan(names[0], why), reads=tuple(names[1:]))
    cols = tuple(key_cols)
    if not cols:
        return plan(None, "no filter or order to index")
    served = _served(b, t, cols, where, ordered=bool(lk.sort or lk.ranges or lk.group))
    if not served and (p.fixed or lk.nulls):
        served = _served_unpartial(b, lk)
    if served:
        b.purpose(t, served, f"access pattern {p.name}")
        return plan(served, f"served by {served}")
    name, why, covering = _new_index(b, lk, key_cols, elements, where)
    return plan(name, why, covering=covering)


def _key(b: Draft, lk: Lookup) -> tuple[list[str], list[IndexElement]]:
    """The columns of the index: equality first, then an IN list's (a few equalities), then
    the sort columns (the index returns rows in order, so LIMIT stops early; a keyset's id
    last) or, for groups, the group columns (the rows of a group come together), then the
    bounded columns that are neither."""
    key_cols = list(lk.eq)
    if b.my:
        # No partial indexes: a fixed filter, IS NULL and deleted_at IS NULL are equalities in
        # the key (IS NULL is a lookup of one value, like =).
        fixed_cols = [b.column_of(lk.p.entity, k) for k in lk.p.fixed]
        fixed_cols += [c for c, null in lk.nulls if null]
        key_cols += [c for c in fixed_cols if c not in key_cols]
        if lk.soft:
            key_cols.append("deleted_at")
    if lk.per and lk.per not in key_cols:  # each group is read by its own = probe
        key_cols.append(lk.per)
    key_cols += [c for c in lk.inl if c not in key_cols]
    order = lk.keyset or lk.sort
    mixed = len({d for _, d in order}) > 1
    elements = [IndexElement(column=c) for c in key_cols]
    # Groups stream in key order only when no range comes first (else the range leads and
    # the group columns are carried: see _include).
    grouping = [] if lk.ranges else [(g, False) for g in lk.group]
    for c, desc in order or grouping:
        if c not in key_cols and c in {x.name for x in lk.t.columns}:
            key_cols.append(c)
            elements.append(IndexElement(column=c, descending=desc and mixed))
    bounded = lk.ranges + ([c for c, null in lk.nulls if not null] if b.my else [])
    for c in bounded:
        if c not in key_cols:
            key_cols.append(c)
            elements.append(IndexElement(column=c))
    return key_cols, elements


def _ranked_why(b: Draft, lk: Lookup) -> str:
    """A ranked search: how it ranks, and the trade-off that keeps its cost bounded."""
    if not lk.p.ranked:
        return ""
    n = rank_candidates(lk)
    key = lk.t.pk.columns[0] if lk.t.pk else "id"
    if b.pg:
        how = (
            f"the newest {n:,} matches by {key} are ranked with ts_rank_cd: rare words are "
            f"found through the GIN index, a word most rows hold by reading {key} backwards "
            f"until {n:,} match"
        )
    elif b.my:
        how = (
            f"the newest {n:,} matches by {key} are ranked by MATCH's relevance. InnoDB's "
            "full-text search still finds and scores every match before any LIMIT, so the "
            "bound changes little there: a word most rows hold costs time in proportion to "
            "the table (about 1.4 s at 500,000 rows on MariaDB 10.11, bounded or not; "
            "docs/benchmarks.md). Keep such words out of the index (a stopword table, "
            "innodb_ft_server_stopword_table) or serve this search from PostgreSQL or a search "
            "engine once the table is large"
        )
    else:
        how = (
            f"the newest {n:,} matches (FTS5 reads its index by rowid, newest first) are "
            "ranked by bm25"
        )
    return (
        f"; ranked: {how}, the best {lk.p.limit} returned. A search matching more than "
        f"{n:,} rows returns the best of its newest {n:,}, not of all: ranking every match "
        "of a common word costs time in proportion to the matches"
    )


def _link_index(b: Draft, lk: Lookup) -> tuple[str, str]:
    """A traversal reads the link's rows of the given row through an index (tenant, given,
    out): the link's primary key for one direction, an index of its own for the other (it
    also serves the foreign key on the given column). Returns the index and the reason."""
    v = lk.via
    assert v is not None
    cols = tuple(c for c in (v.tenant, v.given, v.out) if c)
    via = lk.p.via
    served = existing_leading(b, v.link, cols, None)
    if served:
        b.purpose(v.link, served, f"access pattern {lk.p.name} (the links of one {via})")
        name = served
    else:
        name = object_name("idx", v.link.name, cols)
        b.index(
            v.link,
            name,
            tuple(IndexElement(column=c) for c in cols),
            purpose=f"access pattern {lk.p.name} (the links of one {via})",
        )
        b.decide(
            name,
            f"index ({', '.join(cols)})",
            f"{lk.p.name} goes from one {via} to its {lk.t.name}: the link's primary key "
            f"leads with {v.out} and serves only the other direction; with {v.out} after "
            f"{v.given} the index alone gives each row's key (no visit to the link's rows)",
        )
    why = (
        f"the link's rows of one {via} from {name} ({', '.join(cols)}), never the whole "
        f"link; then each {lk.p.entity} by its primary key, a nested loop driven by the links "
        f"once {lk.t.name} holds more than {LINKED_LARGE_ROWS:,} rows (while smaller, a "
        "planner may rightly read it whole and hash the links)"
    )
    if lk.sort:
        why += (
            f"; the linked rows are sorted before LIMIT, as many as the {via} has links (to "
            f"read a popular {via}'s rows in order, the sort column would be copied into "
            f"{v.link.name} and indexed after {v.given})"
        )
    return name, why


def _vector_index(b: Draft, lk: Lookup) -> tuple[str, str]:
    """An HNSW index (pgvector) on the pattern's vector column for its distance: the nearest
    rows come out of the graph in order of distance, so LIMIT k stops after k; its search
    breadth (hnsw.ef_search) is set by the proof's measurement of recall."""
    if not b.pg:
        raise UnsupportedError(
            f"access pattern {lk.p.name}: similar_to needs PostgreSQL with pgvector (a "
            "dedicated vector database or search engine otherwise)"
        )
    assert lk.similar is not None
    # the operator class lives in the extension's schema (the design's), as the type does
    ops = f"{b.ns}.{DISTANCES[lk.p.distance][1]}"
    half = halfvec(b, lk)
    key = IndexElement(column=lk.similar, opclass=ops)
    subject = f"{lk.t.name}.{lk.similar} (halfvec)"
    if half:  # indexed as half-precision floats: the class of the same distance for halfvec
        ops = ops.replace(".vector_", ".halfvec_")
        key = IndexElement(expr=Expr(f"{b.q(lk.similar)}::{half}"), opclass=ops)
    if half and all(x.subject != subject for x in b.decisions):
        b.decide(
            subject,
            f"index {lk.similar} as {half}",
            f"{half.split('(')[1].rstrip(')')} dimensions: pgvector indexes a vector of at most "
            f"{VECTOR_INDEX_DIMS:,}, a halfvec (2-byte floats) of at most {HALFVEC_INDEX_DIMS:,}; "
            "the column keeps full precision, the index and the search compare halfvecs (a "
            "loss of recall the proof measures). Needs pgvector 0.7.0 or later",
        )
    name = object_name("idx", lk.t.name, (lk.similar,))
    where = lk.where  # a fixed filter (and live rows): a partial graph holds only those
    if where:
        name = object_name("idx", lk.t.name, (lk.similar, *re.findall(r"\w+", where)[:2]))
    b.index(
        lk.t,
        name,
        (key,),
        method="hnsw",
        where=where,
        purpose=f"access pattern {lk.p.name} (nearest neighbours by {lk.p.distance} distance)",
    )
    b.decide(
        name,
        f"HNSW ({ops}; m = 16, ef_construction = 64)",
        f"{lk.p.name} reads the {lk.p.limit} nearest rows by {lk.p.distance} distance: an "
        "HNSW graph finds them without comparing every vector, at pgvector's default build "
        "settings (recall is tuned at query time by hnsw.ef_search; IVFFlat needs its lists "
        "trained on data that exists, and loses recall as rows are added)",
    )
    why = (
        f"HNSW graph over {lk.similar} ({ops}): the nearest rows come out in order of "
        f"distance, so LIMIT {lk.p.limit} stops after {lk.p.limit}; recall target "
        f"{lk.p.recall:g} at k = {lk.p.limit}"
    )
    if lk.eq:
        why += (
            f"; {', '.join(lk.eq)} filters the graph's candidates after the search (pgvector "
            "before 0.8 has no iterative scan), so the proof measures recall with the filter: "
            "a selective one needs a wider search, or a partial index per value"
        )
    b.decide(f"{lk.p.name} (where)", *_vector_home(b, lk))
    return name, why


def _vector_home(b: Draft, lk: Lookup) -> tuple[str, str]:
    """pgvector beside the rows, or a dedicated vector database: by the HNSW index's size in
    three years (it must stay in memory to be fast) and the search rate."""
    a = lk.e.attribute(lk.p.similar_to or "")
    rows = b.projected(lk.e)
    # a vector's floats, and per node about 2m neighbour links (m = 16) of 8 bytes each
    floats = 2 if (a.dim or 0) > VECTOR_INDEX_DIMS else 4  # halfvec past 2,000 dimensions
    size = rows * ((a.dim or 0) * floats + 2 * HNSW_M * 8)
    rate = lk.p.rate_per_second or 0
    gib, limit = size / 2**30, VECTOR_INDEX_BYTES / 2**30
    if size <= VECTOR_INDEX_BYTES and rate <= VECTOR_SEARCHES_PER_S:
        return (
            "pgvector, beside the rows",
            f"{rows:,} vectors in {PROJECTION_YEARS} years make an HNSW index of about "
            f"{gib:,.1f} GiB, which one server keeps in memory, at {rate:g} searches/s: the "
            "vectors stay next to the rows they describe (one transaction, joins and filters "
            f"in SQL); past {limit:,.0f} GiB or {VECTOR_SEARCHES_PER_S:,} searches/s a "
            "dedicated vector database (Milvus, Qdrant) would shard the graph",
        )
    return (
        "a dedicated vector database (Milvus, Qdrant) for the search",
        f"{rows:,} vectors in {PROJECTION_YEARS} years make an HNSW index of about "
        f"{gib:,.1f} GiB at {rate:g} searches/s, past one server's {limit:,.0f} GiB of "
        f"memory or {VECTOR_SEARCHES_PER_S:,} searches/s: a vector database shards and "
        "replicates the graph; the rows stay here, the vector store keyed by their id (kept "
        "in step by the application or change data capture). This design still holds the "
        "pgvector index, proved below at the stated volume",
    )


def _branch_indexes(b: Draft, lk: Lookup, where: str | None) -> tuple[list[str], str]:
    """An OR: an index for each branch (the pattern's equalities, then the branch's columns),
    or the key or index that already serves it; the plan reads each and combines the rows.
    Returns the indexes, one per branch, and the reason for them."""
    names, parts = [], []
    for i, branch in enumerate(lk.anyof, 1):
        sub = replace(lk, eq=[*lk.eq, *(c for c in branch if c not in lk.eq)], anyof=[], sort=[])
        key_cols, elements = _key(b, sub)
        cols = tuple(key_cols)
        served = _served(b, lk.t, cols, where, ordered=False)
        if served:
            b.purpose(lk.t, served, f"access pattern {lk.p.name} (branch {i} of its OR)")
            names.append(served)
            parts.append(f"branch {i} ({', '.join(branch)}) by {served}")
            continue
        name = object_name("idx", lk.t.name, cols)
        b.index(
            lk.t,
            name,
            tuple(elements),
            where=where,
            purpose=f"access pattern {lk.p.name} (branch {i} of its OR)",
        )
        why = _why(b, sub, (), [], [])
        b.decide(name, f"index ({', '.join(cols)})", f"branch {i} of {lk.p.name}'s OR: {why}")
        names.append(name)
        parts.append(f"branch {i} ({', '.join(branch)}) by {name}")
    return names, "; ".join(parts) + "; " + _or_form(b)


def _or_form(b: Draft) -> str:
    """How this dialect reads an OR of equalities through one index per branch."""
    if b.pg:
        how = "a BitmapOr of one Bitmap Index Scan per branch, then each row once"
    elif b.my:
        how = "an index_merge union of the branches' indexes (each row once)"
    else:
        how = "SQLite's MULTI-INDEX OR: each branch through its index, each row once"
    return (
        f"the plan reads every branch through its own index: {how}; one index over all the "
        "branches' columns serves only the first"
    )


def _served_unpartial(b: Draft, lk: Lookup) -> str | None:
    """A full index that serves a pattern filtered on constants (fixed values, IS NULL) by
    holding those columns among its leading equalities; soft-deleted tables keep their
    partial indexes (a full one would read the deleted rows too; MySQL's hold deleted_at)."""
    if (lk.soft and not b.my) or lk.inl or any(not null for _, null in lk.nulls):
        return None
    equal = {*lk.eq, *(b.column_of(lk.p.entity, k) for k in lk.p.fixed)}
    equal |= {c for c, _ in lk.nulls} | ({"deleted_at"} if lk.soft else set())
    rest = tuple(c for c, _ in (lk.keyset or lk.sort)) + tuple(
        c for c in lk.ranges if c not in {s for s, _ in lk.sort}
    )
    return existing_serving(b, lk.t, equal, rest)


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
    lk: Lookup,
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
    read = set(_read(b, p))
    covered = p.grouped and read <= {*key_cols, *include, *cover}
    return name, why, bool(include or (cover and not uncovered) or covered)


def _read(b: Draft, p: AccessPattern) -> list[str]:
    """The columns a pattern reads besides its filters: its select list, or for groups its
    group columns and aggregated fields (empty: every column)."""
    fields = [*p.group_by, *(a.field for a in p.aggregates if a.field)] if p.grouped else p.select
    return list(dict.fromkeys(b.column_of(p.entity, f) for f in fields))


def _include(b: Draft, p: AccessPattern, t: TableDraft, key_cols: list[str]) -> tuple[str, ...]:
    """PostgreSQL: the columns read that the key lacks, carried for an index-only scan when
    they are few and none is wide."""
    read = _read(b, p)
    if not ((read or p.grouped) and b.pg):
        return ()
    extra = [c for c in read if c not in key_cols]
    wide = any(t.semantic.get(c) in _WIDE for c in extra)
    if extra and len(extra) <= INCLUDE_MAX and not wide:
        return tuple(extra)
    return ()


def _why(
    b: Draft,
    lk: Lookup,
    include: tuple[str, ...],
    cover: list[str],
    uncovered: list[str],
) -> str:
    """The reason for the shape of a pattern's index, part by part."""
    p, eq, rng, sort = lk.p, lk.eq, lk.ranges, lk.sort
    parts = []
    if eq:
        parts.append(f"equality column{'s' if len(eq) > 1 else ''} first ({', '.join(eq)})")
    if lk.per:
        parts.append(
            f"{'then ' if parts else ''}the group column ({lk.per}): one probe per listed value"
        )
    if lk.inl:
        parts.append(f"then the IN list's {', '.join(lk.inl)}: one lookup per value")
    if b.my and p.fixed:
        fixed = ", ".join(f"{k} = {v}" for k, v in p.fixed.items())
        parts.append(f"the fixed filter ({fixed}) as an equality column (no partial indexes)")
    if b.my and lk.soft:
        parts.append("deleted_at IS NULL as an equality column: soft-deleted rows are skipped")
    parts += _why_order(lk, first=not parts)
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
    if p.per_group:
        parts.append(_per_group_form(b, p.per_group.limit))
    partial = [f"{k} = {v}" for k, v in p.fixed.items()]
    partial += [f"{c} IS {'' if null else 'NOT '}NULL" for c, null in lk.nulls]
    if partial and not b.my:
        parts.append(f"partial (WHERE {' AND '.join(partial)}): only the rows the pattern reads")
    return "; ".join(parts)


def _per_group_form(b: Draft, n: int) -> str:
    """How this dialect reads the first ``n`` rows of each group, and what it costs."""
    if b.pg:
        return (
            f"a LATERAL join over the listed values: each group costs one index probe and {n} "
            "rows, whatever the group's size"
        )
    no_lateral = (
        "MariaDB has no LATERAL join (MySQL has since 8.0.14; the design runs on both)"
        if b.my
        else "SQLite has no LATERAL join"
    )
    return (
        f"{no_lateral}: one UNION ALL branch per value, each an index probe that stops after "
        f"{n} rows, so the statement is written for the list's length ({IN_VALUES} here; pad "
        "a shorter list with NULL, which finds no rows); a ROW_NUMBER() window "
        "over the listed groups would read and number every row of them"
    )


def _why_order(lk: Lookup, *, first: bool) -> list[str]:
    """The reason for the key's order columns: the sort (and a keyset's id), or the groups."""
    p, sort = lk.p, lk.sort
    names = ", ".join(c for c, _ in sort)
    parts = []
    if sort and p.per_group:
        n = p.per_group.limit
        parts.append(
            f"then the sort column ({names}): each group's rows come out in order, so its "
            f"LIMIT {n} stops after {n} rows"
        )
    elif sort and not (lk.inl or p.grouped):
        parts.append(
            f"{'' if first else 'then '}the sort column ({names}): rows come out in order, so "
            "LIMIT stops early"
        )
    elif sort and lk.inl:
        parts.append(
            f"then the sort column ({names}): each value's rows come in order and are merged "
            "(sorted) before LIMIT"
        )
    if lk.keyset and not any(c == "id" for c, _ in sort):
        parts.append("then id: the keyset's tie-break, so each page starts after the last row")
    if p.grouped and lk.group and not sort and not lk.ranges:
        parts.append(
            f"then the group column{'s' if len(lk.group) > 1 else ''} "
            f"({', '.join(lk.group)}): a group's rows are adjacent, so groups stream unsorted"
        )
    return parts


def _cover(
    b: Draft, p: AccessPattern, t: TableDraft, key_cols: list[str]
) -> tuple[list[str], list[str]]:
    """MySQL has no INCLUDE: the selected columns the key lacks are appended to it when they
    are few and narrow. Returns (appended, left out)."""
    pk = set(t.pk.columns) if t.pk else set()
    extra = [c for c in _read(b, p) if c not in key_cols and c not in pk]
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
