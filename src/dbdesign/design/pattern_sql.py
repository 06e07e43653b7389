"""The query of an access pattern: what it filters, orders and groups by, in columns of its
table (:class:`Lookup`), and the SQL the proof runs and DESIGN.md shows, with its parameters in
order. :mod:`.patterns` designs the index from the same lookup.

Parameters by kind: ``eq`` (=, also in a branch of an OR), ``in`` (PostgreSQL: one array,
``= ANY($n)``; elsewhere :data:`IN_VALUES` placeholders), ``lower`` (>=) and ``upper`` (<),
``search`` (the words of a full-text search), ``cursor`` (keyset pagination: the previous
page's last sort values and id) and ``via`` (the key of the row a traversal starts from, a value
of a column of the link table named in :attr:`Param.table`)."""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.design.draft import SOFT_DELETED, Draft, Param, TableDraft
from dbdesign.design.features import fts5_source, fts_table
from dbdesign.design.references import link_name
from dbdesign.design.types import literal
from dbdesign.errors import UnsupportedError
from dbdesign.readers.spec import Entity
from dbdesign.readers.spec_patterns import AccessPattern, via_links

IN_VALUES = 5  # values an IN list is written (and proved) with where arrays cannot be passed
# A ranked search ranks at most this many matches (or 10x its limit), the newest by key: the
# cost of ranking stays bounded however common the words are.
RANK_CANDIDATES = 1000


VECTOR_INDEX_DIMS = 2_000  # pgvector: an HNSW or IVFFlat index over vector holds at most these
HALFVEC_INDEX_DIMS = 4_000  # ... and over halfvec (pgvector 0.7.0 and later)
# pgvector: a distance's operator and the operator class of the index that serves it
DISTANCES = {
    "cosine": ("<=>", "vector_cosine_ops"),
    "l2": ("<->", "vector_l2_ops"),
    "inner_product": ("<#>", "vector_ip_ops"),
}


@dataclass(frozen=True, slots=True)
class Via:
    """A traversal: the link table of a many-to-many, the column holding the given row's key
    (``given``) and the one holding the pattern's rows' keys (``out``)."""

    link: TableDraft
    key: str  # the link table's qualified key
    given: str
    out: str
    tenant: str | None  # the link's tenant key, compared like the pattern's


@dataclass(frozen=True, slots=True)
class Lookup:
    """What an access pattern filters, orders and groups by, in columns of its table."""

    p: AccessPattern
    e: Entity
    t: TableDraft
    soft: bool  # the entity is soft-deleted: only live rows are read
    eq: list[str]
    inl: list[str]  # compared with a list of values
    rng: list[str]  # a window: >= and <
    lower: list[str]  # >= only
    upper: list[str]  # < only
    nulls: list[tuple[str, bool]]  # (column, True: IS NULL / False: IS NOT NULL)
    sort: list[tuple[str, bool]]  # (column, descending)
    group: list[str]
    per: str | None  # top-N per group: the column whose listed values make the groups
    anyof: list[list[str]]  # OR: branches of columns compared with =
    via: Via | None  # the rows linked to one given row through a many-to-many's link table
    similar: str | None  # nearest neighbours by this vector column
    preds: list[str]  # fixed filters, deleted_at IS NULL, IS [NOT] NULL, as SQL conditions

    @property
    def where(self) -> str | None:
        return " AND ".join(self.preds) or None

    @property
    def ranges(self) -> list[str]:
        """Every column with a bound, in order, once."""
        return list(dict.fromkeys([*self.rng, *self.lower, *self.upper]))

    @property
    def keyset(self) -> list[tuple[str, bool]]:
        """The keyset's columns: the sort, then id (unless sorted by it), one direction."""
        if not self.p.keyset:
            return []
        desc = self.sort[0][1]
        return self.sort if any(c == "id" for c, _ in self.sort) else [*self.sort, ("id", desc)]


def lookup(b: Draft, p: AccessPattern) -> Lookup:
    e = b.spec.entities[p.entity]
    soft = b.feature(e, "soft_delete")

    def col(f: str) -> str:
        return b.column_of(p.entity, f)

    eq = [col(f) for f in p.equal]
    tcol = b.tenant_cols.get(p.entity)
    if tcol and tcol not in eq:
        eq.insert(0, tcol)
    preds = [f"{b.q(col(k))} = {literal(v, b.dialect)}" for k, v in p.fixed.items()]
    nulls = [(col(f), True) for f in p.is_null] + [(col(f), False) for f in p.not_null]
    preds += [f"{b.q(c)} IS {'' if null else 'NOT '}NULL" for c, null in nulls]
    if soft:
        preds.append(SOFT_DELETED)
    return Lookup(
        p=p,
        e=e,
        t=b.tables[p.entity],
        soft=soft,
        eq=eq,
        inl=[col(f) for f in p.in_],
        rng=[col(f) for f in p.range],
        lower=[col(f) for f in p.after],
        upper=[col(f) for f in p.before],
        nulls=nulls,
        sort=[(_sort_column(b, p, s), s.startswith("-")) for s in p.sort],
        group=[col(f) for f in p.group_by],
        per=col(p.per_group.by) if p.per_group else None,
        anyof=[[col(f) for f in branch] for branch in p.any_of],
        via=_via(b, p) if p.via else None,
        similar=col(p.similar_to) if p.similar_to else None,
        preds=preds,
    )


def halfvec(b: Draft, lk: Lookup) -> str:
    """The halfvec type a similarity search's vectors are cast to ('' when they are indexed
    as they are): pgvector indexes a vector of at most 2,000 dimensions and a halfvec
    (half-precision floats, pgvector 0.7+) of at most 4,000."""
    dim = lk.e.attribute(lk.p.similar_to or "").dim or 0
    if dim <= VECTOR_INDEX_DIMS:
        return ""
    if dim > HALFVEC_INDEX_DIMS:
        raise UnsupportedError(
            f"access pattern {lk.p.name}: {lk.p.similar_to} has {dim:,} dimensions; pgvector "
            f"indexes at most {HALFVEC_INDEX_DIMS:,} (as halfvec): shorten the embeddings "
            "(a model's smaller output size) or search them in a vector database"
        )
    return f"{b.ns}.halfvec({dim})"


def _via(b: Draft, p: AccessPattern) -> Via:
    """The link table a ``via`` pattern follows, and which of its columns is which."""
    (r,) = via_links(p, b.spec.relationships)
    link = b.tables[f"link:{link_name(r)}"]
    other = p.via if p.via in b.spec.entities else next(e for e in r.between or () if e != p.entity)
    cols = {fk.ref_table: fk.columns[-1] for fk in link.fks.values()}
    return Via(
        link=link,
        key=b.key(link),
        given=cols[b.key(b.tables[other])],
        out=cols[b.key(b.tables[p.entity])],
        tenant=link.tenant_col,
    )


def _sort_column(b: Draft, p: AccessPattern, s: str) -> str:
    name = s.removeprefix("-")
    if any(a.alias == name for a in p.aggregates):
        return name  # an aggregate's alias
    return b.column_of(p.entity, name)


def fts_of(b: Draft, t: TableDraft) -> str | None:
    """SQLite: the name of the FTS5 table the design made for ``t``, if any."""
    name = fts_table(t)
    return name if f"{b.ns}.{name}" in b.virtual_tables else None


def _select(b: Draft, lk: Lookup) -> list[str]:
    """The select list: the group columns and aggregates, the selected fields, or every
    column the application writes (generated ones, search_vector and not_deleted, are the
    database's own)."""
    p, q = lk.p, b.q
    if p.grouped:
        aggs = []
        for a in p.aggregates:
            arg = "*" if a.field is None else q(b.column_of(p.entity, a.field))
            aggs.append(f"{a.fn}({arg}) AS {a.alias}")
        return [*map(q, lk.group), *aggs]
    if p.select:
        return [q(b.column_of(p.entity, f)) for f in p.select]
    return [q(c.name) for c in lk.t.columns if c.generated is None]


def _keyset_condition(b: Draft, lk: Lookup, params: list[Param]) -> str:
    """Rows after the cursor in the keyset's order: a row comparison, or on MySQL the same
    written out (its optimizer reads a row comparison as no range)."""
    cols = lk.keyset
    op = "<" if cols[0][1] else ">"

    def mark(c: str) -> str:
        params.append(Param(c, "cursor"))
        return b.ph(len(params))

    if not b.my:
        marks = [mark(c) for c, _ in cols]
        return f"({', '.join(b.q(c) for c, _ in cols)}) {op} ({', '.join(marks)})"
    terms = []  # MySQL's ? are positional: each term repeats the values it compares
    for i, (c, _) in enumerate(cols):
        parts = [f"{b.q(x)} = {mark(x)}" for x, _ in cols[:i]]
        terms.append("(" + " AND ".join([*parts, f"{b.q(c)} {op} {mark(c)}"]) + ")")
    return "(" + " OR ".join(terms) + ")"


def _via_condition(b: Draft, v: Via, params: list[Param]) -> str:
    """The pattern's rows whose key the link pairs with the given row's: a semi-join the link's
    index (given, out) drives, each row then read by its key."""
    q = b.q
    conds = []
    if v.tenant:
        params.append(Param(v.tenant, "eq"))
        conds.append(f"{q(v.tenant)} = {b.ph(len(params))}")
    params.append(Param(v.given, "via", v.key))
    conds.append(f"{q(v.given)} = {b.ph(len(params))}")
    return f"id IN (SELECT {q(v.out)} FROM {q(v.link.name)} WHERE {' AND '.join(conds)})"


def _in_condition(b: Draft, c: str, params: list[Param]) -> str:
    """``c`` is one of a list: one array parameter (PostgreSQL), else IN_VALUES of them."""
    if b.pg:
        params.append(Param(c, "in"))
        return f"{b.q(c)} = ANY({b.ph(len(params))})"
    marks = []
    for _ in range(IN_VALUES):
        params.append(Param(c, "in"))
        marks.append(b.ph(len(params)))
    return f"{b.q(c)} IN ({', '.join(marks)})"


def _or_condition(b: Draft, lk: Lookup, params: list[Param]) -> str:
    """An OR of the branches, each its columns compared with = (AND within a branch)."""
    branches = []
    for branch in lk.anyof:
        terms = []
        for c in branch:
            params.append(Param(c, "eq"))
            terms.append(f"{b.q(c)} = {b.ph(len(params))}")
        one = " AND ".join(terms)
        branches.append(f"({one})" if len(terms) > 1 else one)
    return "(" + " OR ".join(branches) + ")"


def _conditions(b: Draft, lk: Lookup, params: list[Param]) -> tuple[str, list[str]]:
    """The FROM clause and the WHERE conditions of a pattern; their parameters appended to
    ``params``."""
    p, t, q, ph = lk.p, lk.t, b.q, b.ph
    source = q(t.name)
    conds: list[str] = []

    def bound(c: str, kind: str, op: str) -> None:
        params.append(Param(c, kind))
        conds.append(f"{q(c)} {op} {ph(len(params))}")

    for c in lk.eq:
        bound(c, "eq", "=")
    if lk.via:
        conds.append(_via_condition(b, lk.via, params))
    if lk.anyof:
        conds.append(_or_condition(b, lk, params))
    conds += [_in_condition(b, c, params) for c in lk.inl]
    for c in lk.rng:
        bound(c, "lower", ">=")
        bound(c, "upper", "<")
    for c in lk.lower:
        bound(c, "lower", ">=")
    for c in lk.upper:
        bound(c, "upper", "<")
    if p.text_search and b.pg:
        params.append(Param("search_vector", "search"))
        conds.append(f"search_vector @@ websearch_to_tsquery('simple', {ph(len(params))})")
    if p.text_search and b.my and t.search:
        params.append(Param(t.search[0], "search"))
        conds.append(
            f"MATCH ({', '.join(map(q, t.search))}) AGAINST ({ph(len(params))} IN BOOLEAN MODE)"
        )
    fts = fts_of(b, t)
    if p.text_search and fts:
        params.append(Param(fts, "search"))
        source = fts5_source(t, ph(len(params)), ranked=p.ranked)
    conds += lk.preds
    if lk.keyset:
        conds.append(_keyset_condition(b, lk, params))
    return source, conds


def pattern_sql(b: Draft, lk: Lookup) -> tuple[str, tuple[Param, ...]]:
    """The query of an access pattern, with its parameters in order."""
    if lk.per is not None:
        return _per_group_sql(b, lk)
    if lk.p.ranked:
        return _ranked_sql(b, lk)
    params: list[Param] = []
    return _rows_sql(b, lk, params), tuple(params)


def _rows_sql(b: Draft, lk: Lookup, params: list[Param], extra: tuple[str, ...] = ()) -> str:
    """The query of a pattern that reads one table (``extra``: conditions before its own);
    its parameters appended to ``params``."""
    q = b.q
    source, conds = _conditions(b, lk, params)
    conds = [*extra, *conds]
    sql = f"SELECT {', '.join(_select(b, lk))}\nFROM {source}"
    if conds:
        sql += "\nWHERE " + "\n  AND ".join(conds)
    if lk.group:
        sql += "\nGROUP BY " + ", ".join(map(q, lk.group))
    order = lk.keyset or lk.sort
    if order:
        sql += "\nORDER BY " + ", ".join(f"{q(c)} DESC" if d else q(c) for c, d in order)
    if lk.similar:
        params.append(Param(lk.similar, "vector"))
        op = DISTANCES[lk.p.distance][0]
        half = halfvec(b, lk)  # past 2,000 dimensions both sides as halfvec, as indexed
        cast = f"::{half}" if half else ""
        sql += f"\nORDER BY {q(lk.similar)}{cast} {op} {b.ph(len(params))}{cast}"
    limit = lk.p.per_group.limit if lk.p.per_group else lk.p.limit
    if limit:
        sql += f"\nLIMIT {limit}"
    return sql


def rank_candidates(lk: Lookup) -> int:
    return max(RANK_CANDIDATES, 10 * (lk.p.limit or 0))


def _ranked_sql(b: Draft, lk: Lookup) -> tuple[str, tuple[Param, ...]]:
    """A ranked search: the matches newest first by key, at most :func:`rank_candidates` of
    them (read through the full-text index, or for words most rows hold through the key
    backwards until enough match), ranked, the best ``limit`` returned. PostgreSQL ranks with
    ts_rank_cd, MySQL / MariaDB with MATCH's relevance, SQLite with FTS5's bm25 rank (lower
    is better)."""
    t, q = lk.t, b.q
    params: list[Param] = []
    cols = _select(b, lk)
    if b.my:  # the select list's ? comes first
        params.append(Param(t.search[0], "search"))
        match = f"MATCH ({', '.join(map(q, t.search))})"
        extra = [f"{match} AGAINST ({b.ph(len(params))} IN BOOLEAN MODE) AS relevance"]
    else:
        extra = ["search_vector"] if b.pg else ["found.relevance"]
    source, conds = _conditions(b, lk, params)
    inner = f"SELECT {', '.join([*cols, *extra])}\nFROM {source}"
    if conds:
        inner += "\nWHERE " + "\n  AND ".join(conds)
    key = t.pk.columns[0] if t.pk else "id"
    newest = "found.fts_rowid" if fts_of(b, t) else q(key)
    inner += f"\nORDER BY {newest} DESC\nLIMIT {rank_candidates(lk)}"
    best, outer = "relevance DESC", "*"
    if b.pg:
        params.append(Param("search_vector", "search"))
        rank = f"ts_rank_cd(search_vector, websearch_to_tsquery('simple', {b.ph(len(params))}))"
        outer = ", ".join([*cols, f"{rank} AS relevance"])
    elif not b.my:
        best = "relevance"  # bm25: the lower, the better
    sql = (
        f"SELECT {outer}\nFROM (\n{_indent(inner)}\n) AS candidates\n"
        f"ORDER BY {best}\nLIMIT {lk.p.limit}"
    )
    return sql, tuple(params)


def _per_group_sql(b: Draft, lk: Lookup) -> tuple[str, tuple[Param, ...]]:
    """Top-N per group: each listed value's first rows in the sort's order, each read by its
    own probe of the index (group column, sort ...), which stops after N rows.

    PostgreSQL: a LATERAL join over the list (one array parameter, unnested). MySQL / MariaDB
    and SQLite have no LATERAL: one UNION ALL branch per value (:data:`IN_VALUES` of them),
    each with its own ORDER BY and LIMIT; a ROW_NUMBER() window over the listed groups would
    read and number every row of them."""
    assert lk.per is not None
    q = b.q
    params: list[Param] = []
    if b.pg:
        col = next(c for c in lk.t.columns if c.name == lk.per)
        params.append(Param(lk.per, "in"))
        inner = _rows_sql(b, lk, params, (f"{q(lk.per)} = g.value",))
        sql = (
            f"SELECT r.*\nFROM unnest($1::{col.type}[]) AS g(value)\nCROSS JOIN LATERAL (\n"
            + _indent(inner)
            + "\n) AS r"
        )
        return sql, tuple(params)
    branches = []
    for i in range(1, IN_VALUES + 1):
        params.append(Param(lk.per, "in"))
        inner = _rows_sql(b, lk, params, (f"{q(lk.per)} = {b.ph(len(params))}",))
        branches.append("SELECT * FROM (\n" + _indent(inner) + f"\n) AS g{i}")
    return "\nUNION ALL\n".join(branches), tuple(params)


def _indent(sql: str) -> str:
    return "\n".join("  " + line for line in sql.split("\n"))


def count_sql(sql: str) -> str:
    """The number of rows a pattern's query matches (without its ORDER BY and LIMIT, those of
    its subqueries too): the rows a plan that does not read them in order must sort (or,
    grouped, the groups; per group, every row of the listed groups)."""
    kept = [ln for ln in sql.split("\n") if not ln.lstrip().startswith(("ORDER BY ", "LIMIT "))]
    return "SELECT count(*) FROM (\n" + "\n".join(kept) + "\n) AS matched"
