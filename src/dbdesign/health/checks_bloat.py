"""Bloat checks: wasted space in tables and B-tree indexes, and B-tree indexes on a column that
holds one value in nearly every row.

Wasted space is what a rewrite (``VACUUM FULL``, ``REINDEX``) would give back: the size now
less the pages a freshly written copy of the same rows would take. Where the pgstattuple
extension is installed and the role may run it (``pg_monitor`` may), a relation that could be
bloated is measured (``pgstattuple_approx``, ``pgstatindex``); otherwise the size is estimated
from what ``ANALYZE`` stored: the row count and pages of ``pg_class`` and each column's average
width and share of NULLs in ``pg_stats``, laid out as the server lays out a row (tuple header,
NULL bitmap, alignment, line pointer, page header, fillfactor; for a B-tree also its page
trailer, deduplication into posting lists and its upper levels). ``pg_stats`` shows only the
columns the role may SELECT: a role with only ``pg_monitor`` sees none, so without pgstattuple
it cannot check a large relation, and the report says so in a note.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dbdesign.health.checks_indexes import size_text
from dbdesign.health.registry import Probe, Symptom, check, sql_text

Row = dict[str, Any]

# The server's storage layout (src/include/storage/bufpage.h, access/htup_details.h,
# access/itup.h, access/nbtree.h), for the default 8 kB page; the page size itself is read.
MAXALIGN = 8
ALIGNMENT = {"c": 1, "s": 2, "i": 4, "d": 8}  # pg_attribute.attalign
PAGE_HEADER = 24
LINE_POINTER = 4
HEAP_TUPLE_HEADER = 23  # HeapTupleHeaderData, before its NULL bitmap
HEAP_TUPLE_MIN = 24  # the smallest tuple with its header, for MaxHeapTuplesPerPage
INDEX_TUPLE_HEADER = 8  # IndexTupleData: the heap TID and the size and flags
INDEX_NULL_BITMAP = 4  # IndexAttributeBitMapData, in a tuple with a NULL
HEAP_TID = 6  # one more row's TID in a posting list
BTREE_SPECIAL = 16  # BTPageOpaqueData at the end of every B-tree page
BTREE_UPPER_FILLFACTOR = 70  # BTREE_NONLEAF_FILLFACTOR
SHORT_VARLENA_MAX = 126  # a value this long or shorter has a 1-byte header and no alignment

# A relation is measured (when pgstattuple may be used) only when its size reaches the
# threshold and its estimate, when there is one, reaches this share of it: pgstatindex reads
# the whole index, and each call must finish within statement_timeout.
MEASURE_FROM = 0.5


def _align(n: float, to: int) -> float:
    """``n`` rounded up to a multiple of ``to``."""
    return math.ceil(n / to - 1e-9) * to


def _padded(n: float, varies: bool) -> float:
    """A tuple of ``n`` bytes on average padded to MAXALIGN: exactly for a fixed width; for a
    width that varies from row to row, at least half the alignment on average (rounding the
    average up underestimates rows that straddle a boundary)."""
    return max(_align(n, MAXALIGN), n + (MAXALIGN - 1) / 2) if varies else _align(n, MAXALIGN)


def data_width(
    lengths: Sequence[int],
    aligns: Sequence[str],
    widths: Sequence[int],
    null_fracs: Sequence[float],
) -> tuple[float, bool]:
    """The expected bytes of a row's values as the server packs them (each column its average
    width where it is not NULL, after the padding its alignment needs; a short variable-length
    value is not aligned), and whether that width varies from row to row."""
    offset, varies = 0.0, False
    for length, align, width, null_frac in zip(lengths, aligns, widths, null_fracs, strict=True):
        if null_frac >= 1:
            continue
        varies = varies or length < 0 or null_frac > 0
        to = ALIGNMENT[align] if length > 0 or width > SHORT_VARLENA_MAX else 1
        padding = _align(offset, to) - offset
        offset += (1 - null_frac) * (padding + width)
    return offset, varies


def _share_with_nulls(null_fracs: Sequence[float]) -> float:
    """The expected share of rows with at least one NULL (columns taken as independent)."""
    return 1 - math.prod(1 - f for f in null_fracs)


def _stats(r: Row) -> bool:
    """Has the relation been counted and every column its statistics?"""
    return r["tuples"] >= 0 and all(w is not None for w in r["widths"] or [])


def heap_row_bytes(t: Row) -> float:
    """The bytes one row of table ``t`` takes on a page: its header (with a NULL bitmap where
    the row has a NULL) and values, aligned, and its line pointer."""
    null_fracs = t["null_fracs"] or []
    nulls = _share_with_nulls(null_fracs)
    header = nulls * _align(HEAP_TUPLE_HEADER + math.ceil(t["natts"] / 8), MAXALIGN) + (
        1 - nulls
    ) * _align(HEAP_TUPLE_HEADER, MAXALIGN)
    values, varies = data_width(
        t["lengths"] or [], t["aligns"] or [], t["widths"] or [], null_fracs
    )
    return _padded(header + values, varies) + LINE_POINTER


def heap_pages(rows: float, row_bytes: float, block_size: int, fillfactor: int) -> int:
    """The pages ``rows`` rows of ``row_bytes`` each take when written afresh: each page filled
    up to its fillfactor, and at most MaxHeapTuplesPerPage rows."""
    room = block_size - PAGE_HEADER - block_size * (100 - fillfactor) // 100
    most = (block_size - PAGE_HEADER) // (HEAP_TUPLE_MIN + LINE_POINTER)
    per_page = max(1, min(most, math.floor(room / row_bytes)))
    return math.ceil(rows / per_page)


def _wasted(size: int, pages: int, needed: float) -> int:
    """The bytes of ``size`` beyond what ``needed`` of ``pages`` pages would take (the counts
    are the last VACUUM's or ANALYZE's; the size is now's)."""
    if pages <= 0:
        return 0
    return max(0, round(size * (1 - needed / pages)))


def estimate_table(t: Row) -> int | None:
    """The wasted bytes of table ``t`` estimated from its statistics; None without them."""
    if not _stats(t):
        return None
    needed = heap_pages(t["tuples"], heap_row_bytes(t), t["block_size"], t["fillfactor"])
    return _wasted(t["size"], t["pages"], needed)


def _deduplicates(r: Row) -> bool:
    """Can the index keep equal keys in posting lists (PostgreSQL 13+: not unique, no INCLUDE
    columns, deduplicate_items on, every key's operator class "equalimage")?"""
    return bool(
        r["deduplicate"]
        and not r["is_unique"]
        and r["natts"] == r["nkeys"]
        and all(r["equalimage"][: r["nkeys"]])
    )


def _distinct(n_distinct: float, rows: float) -> float:
    """pg_stats.n_distinct as a count (a negative one is a share of the rows)."""
    return max(1.0, -n_distinct * rows if n_distinct < 0 else n_distinct)


def _entries_bytes(entries: float, key: float, keys: float, dedup: bool, block_size: int) -> float:
    """The leaf bytes of ``entries`` index entries of ``key`` bytes each over ``keys`` distinct
    keys, line pointers included: a fresh build keeps equal keys in posting lists of up to a
    tenth of a page, one heap TID each after the first."""
    per_key = entries / max(keys, 1.0)
    if not dedup or per_key < 2:
        return entries * (key + LINE_POINTER)
    longest = block_size // 10 // MAXALIGN * MAXALIGN - LINE_POINTER
    per_list = max(2.0, min(per_key, math.floor((longest - key) / HEAP_TID)))
    return entries * (_align(key + per_list * HEAP_TID, MAXALIGN) + LINE_POINTER) / per_list


def leaf_bytes(r: Row) -> tuple[float, float]:
    """The bytes the entries of B-tree ``r`` take on its leaf pages, and the bytes of one key
    tuple (what a page's high key and its entry one level up take). A one-column index with
    some NULLs is counted as its NULL entries (one key, deduplicated) and its values."""
    bs, entries, dedup = r["block_size"], r["tuples"], _deduplicates(r)
    lengths, aligns, widths, null_fracs = r["lengths"], r["aligns"], r["widths"], r["null_fracs"]
    header = _align(INDEX_TUPLE_HEADER + INDEX_NULL_BITMAP, MAXALIGN)
    if r["natts"] == 1 and 0 < null_fracs[0] < 1:
        values, varies = data_width(lengths, aligns, widths, [0.0])
        key = _padded(INDEX_TUPLE_HEADER + values, varies)
        nulls = entries * null_fracs[0]
        keys = _distinct(r["distincts"][0], r["table_rows"])
        total = _entries_bytes(nulls, header, 1, dedup, bs)
        return total + _entries_bytes(entries - nulls, key, keys, dedup, bs), key
    if not any(f > 0 for f in null_fracs):
        header = INDEX_TUPLE_HEADER
    values, varies = data_width(lengths, aligns, widths, null_fracs)
    key = _padded(header + values, varies)
    keys = 1.0
    for n, f in zip(r["distincts"][: r["nkeys"]], null_fracs[: r["nkeys"]], strict=True):
        keys *= _distinct(n, r["table_rows"]) + (1 if f > 0 else 0)
    return _entries_bytes(entries, key, min(keys, entries), dedup, bs), key


def btree_pages(r: Row) -> int:
    """The pages a freshly built copy of B-tree ``r`` takes: its leaf pages filled to the
    fillfactor, each with a high key, the levels above them (an entry per page below, pages
    filled to 70 %) and the metapage."""
    block_size = int(r["block_size"])
    total, key = leaf_bytes(r)
    usable = block_size - PAGE_HEADER - BTREE_SPECIAL
    room = usable - block_size * (100 - int(r["fillfactor"])) // 100 - (key + LINE_POINTER)
    level = max(1, math.ceil(total / room))
    pages = 1 + level  # the metapage
    upper_room = usable - block_size * (100 - BTREE_UPPER_FILLFACTOR) // 100
    while level > 1:
        level = math.ceil(level * (key + LINE_POINTER) / upper_room)
        pages += level
    return pages


def estimate_index(r: Row) -> int | None:
    """The wasted bytes of B-tree ``r`` estimated from its table's statistics; None without
    them."""
    if not _stats(r):
        return None
    return _wasted(r["size"], r["pages"], btree_pages(r))


def measured_table_waste(m: Row, block_size: int, fillfactor: int) -> int:
    """The wasted bytes of a table from ``pgstattuple_approx``: its length less the pages its
    live rows take written afresh, each row taking what the live rows take on average now
    (values, header, alignment, line pointer)."""
    size, rows = int(m["table_len"]), float(m["approx_tuple_count"])
    pages = size // block_size
    live = size - int(m["approx_free_space"]) - int(m["dead_tuple_len"]) - pages * PAGE_HEADER
    if rows <= 0 or live <= 0:
        return size
    needed = heap_pages(rows, live / rows, block_size, fillfactor)
    return max(0, size - needed * block_size)


def measured_index_waste(m: Row, block_size: int, fillfactor: int) -> int:
    """The wasted bytes of a B-tree from ``pgstatindex``: its size less its upper pages, the
    metapage and the leaf pages its entries would fill at the fillfactor (empty and deleted
    pages count as wasted)."""
    density = float(m["avg_leaf_density"])  # NaN when there is no leaf page
    leaf = 0.0 if math.isnan(density) else float(m["leaf_pages"]) * density / fillfactor
    needed = math.ceil(leaf) + int(m["internal_pages"]) + 1
    return max(0, int(m["index_size"]) - needed * block_size)


@dataclass(frozen=True, slots=True)
class Waste:
    """A relation's wasted bytes, how they were found, and what went wrong measuring them."""

    wasted: int
    measured: bool
    failure: str = ""


def _pgstattuple(probe: Probe) -> tuple[str | None, str]:
    """The quoted schema of pgstattuple when the role may run it, else None and what would let
    it measure."""
    x = probe.rows("bloat_pgstattuple")[0]
    create = "CREATE EXTENSION pgstattuple (a pg_monitor role may run it) to measure them"
    if x["schema"] is None and not x["available"]:
        return None, (
            f"install PostgreSQL {x['major']}'s contrib modules on the server (pgstattuple is "
            f"not installed there; e.g. the postgresql-contrib package), then {create}"
        )
    if x["schema"] is None:
        return None, create
    if not x["executable"]:
        return None, "GRANT pg_stat_scan_tables (or pg_monitor) to the role to measure them"
    return probe.dialect.quote_ident(x["schema"]), ""


def _measure(probe: Probe, query: str, schema: str, oid: int) -> tuple[Row | None, str]:
    """One pgstattuple measurement in its own savepoint: the row, or None and why not (a
    timeout, a lock it could not get, a relation dropped meanwhile)."""
    import psycopg

    try:
        with probe.conn.transaction():
            cur = probe.conn.execute(sql_text(query).replace("@extschema@", schema), [oid])
            names = [d.name for d in cur.description]
            return dict(zip(names, cur.fetchone(), strict=True)), ""
    except psycopg.Error as e:
        return None, str(getattr(e.diag, "message_primary", None) or e).strip()


@dataclass(frozen=True, slots=True)
class Kind:
    """What the table and index bloat checks differ in."""

    check: str
    noun: str  # tables, indexes
    threshold: int
    estimate: Callable[[Row], int | None]
    query: str  # the measurement's SQL file
    measured: Callable[[Row, int, int], int]


def _wastes(probe: Probe, kind: Kind, rows: list[Row]) -> Iterator[tuple[Row, Waste]]:
    """The relations of ``rows`` with at least ``kind.threshold`` wasted, measured where
    pgstattuple may be used (and the estimate, if any, reaches MEASURE_FROM of the threshold),
    else estimated. Relations as large as the threshold that could be neither make one note."""
    schema, remedy = _pgstattuple(probe)
    unread: list[str] = []  # why each large relation could not be checked
    for r in rows:
        if r["size"] < kind.threshold:
            continue
        estimate, failure = kind.estimate(r), ""
        if schema is not None and (estimate is None or estimate >= kind.threshold * MEASURE_FROM):
            m, failure = _measure(probe, kind.query, schema, r["oid"])
            if m is not None:
                waste = Waste(kind.measured(m, r["block_size"], r["fillfactor"]), True)
                if waste.wasted >= kind.threshold:
                    yield r, waste
                continue
        if estimate is None:
            unread.append(failure or ("unreadable" if not r["readable"] else "new"))
        elif estimate >= kind.threshold:
            yield r, Waste(estimate, False, failure)
    if unread:
        probe.note(kind.check, _unread_note(kind, unread, remedy))


def _unread_note(kind: Kind, unread: list[str], remedy: str) -> str:
    """What the note says of the large relations that could not be checked."""
    parts = []
    if n := unread.count("unreadable"):
        parts.append(
            f"{n} whose statistics the role may not read (pg_stats shows only the columns it "
            f"may SELECT): {remedy}, or GRANT SELECT on them"
        )
    if n := unread.count("new"):
        parts.append(
            f"{n} without statistics (never analyzed, or columns added since): ANALYZE them"
        )
    failures = [u for u in unread if u not in ("unreadable", "new")]
    if failures:
        parts.append(
            f"{len(failures)} that pgstattuple could not measure ({failures[0]}): raise "
            "statement_timeout_ms, or ANALYZE them to estimate them"
        )
    return (
        f"{len(unread)} {kind.noun} of at least {size_text(kind.threshold)} not checked: "
        + "; ".join(parts)
    )


def _value(waste: Waste, size: int, function: str) -> str:
    share = 100 * waste.wasted / size if size else 0
    how = f"measured by {function}" if waste.measured else "estimated from the statistics"
    return f"{size_text(waste.wasted)} of {size_text(size)} wasted ({share:.0f} %), {how}"


def _how(waste: Waste, function: str) -> str:
    """The caveat of how the waste was found."""
    if waste.measured:
        return f"Measured by {function}"
    failed = f"{function} could not measure it ({waste.failure}). " if waste.failure else ""
    return (
        f"{failed}Estimated from pg_class and pg_stats as of the last ANALYZE (typically "
        "within 10-20 %; pgstattuple measures it)"
    )


@check("table-bloat", "warning")
def table_bloat(probe: Probe) -> Iterator[Symptom]:
    """A table or materialized view whose pages hold at least ``table_bloat_min_bytes`` (100 MB)
    more than its rows need: free space and dead rows that deletes and updates left behind.
    Measured with pgstattuple where it is installed, else estimated from the statistics.

    Why: VACUUM makes the space reusable for new rows but does not give it back: sequential
    scans still read it, the cache and every backup still hold it, until the table is rewritten.
    """
    kind = Kind(
        "table-bloat",
        "tables",
        probe.config.table_bloat_min_bytes,
        estimate_table,
        "bloat_measure_table",
        measured_table_waste,
    )
    for t, waste in _wastes(probe, kind, probe.rows("bloat_tables")):
        name = probe.name(t["schema"], t["name"])
        yield Symptom(
            object=name,
            value=_value(waste, t["size"], "pgstattuple_approx"),
            threshold=f">= {size_text(kind.threshold)} wasted",
            why=f"sequential scans of {name} read, and the cache and backups hold, "
            f"{size_text(waste.wasted)} of empty space that VACUUM can reuse but not give back",
            fix=f"VACUUM (FULL, ANALYZE) {name};",
            caveat="VACUUM FULL rewrites the table and its indexes under an ACCESS EXCLUSIVE lock "
            "(no reads or writes until it ends) and needs free disk for the copy; pg_repack or "
            "pg_squeeze rewrite it online. Unless whatever deleted or updated the rows in bulk "
            "changes (or autovacuum keeps up), the space comes back. "
            + _how(waste, "pgstattuple_approx"),
        )


def _reindex(probe: Probe, r: Row, name: str) -> tuple[str, str]:
    """The statement that rebuilds index ``r``, and its caveat."""
    if r["constraint_type"] == "x" or probe.conn.info.server_version < 120000:
        why = "an exclusion constraint's index" if r["constraint_type"] == "x" else "before 12"
        return (
            f"REINDEX INDEX {name};",
            f"REINDEX blocks writes to the table while it runs (no CONCURRENTLY for {why})",
        )
    return (
        f"REINDEX INDEX CONCURRENTLY {name};",
        "REINDEX CONCURRENTLY (PostgreSQL 12+) cannot run inside a transaction block, needs "
        "free disk about the index's size for the copy it builds, and works for an index "
        "behind a primary key or unique constraint too; if it fails it leaves an invalid "
        "index named ..._ccnew to drop",
    )


@check("index-bloat", "warning")
def index_bloat(probe: Probe) -> Iterator[Symptom]:
    """A B-tree index with at least ``index_bloat_min_bytes`` (100 MB) more pages than a freshly
    built copy would take (PgHero's threshold): leaf pages that deletes, updates and page
    splits left part empty. Measured with pgstattuple where it is installed, else estimated
    from the statistics.

    Why: every scan of the index reads, and the cache holds, its empty space; VACUUM frees
    entries but merges only wholly empty pages, so the index does not shrink until it is rebuilt.
    """
    kind = Kind(
        "index-bloat",
        "indexes",
        probe.config.index_bloat_min_bytes,
        estimate_index,
        "bloat_measure_index",
        measured_index_waste,
    )
    for r, waste in _wastes(probe, kind, probe.rows("bloat_indexes")):
        name = probe.name(r["schema"], r["name"])
        fix, caveat = _reindex(probe, r, name)
        yield Symptom(
            object=name,
            value=_value(waste, r["size"], "pgstatindex"),
            threshold=f">= {size_text(kind.threshold)} wasted",
            why=f"scans of {name} read, and the cache holds, {size_text(waste.wasted)} of "
            "empty space that VACUUM does not give back",
            fix=fix,
            caveat=f"{caveat}. An index whose keys arrive in random order (UUIDs, hashes) "
            "settles back to about 70 % full as its pages split again. "
            + _how(waste, "pgstatindex"),
        )


def _dominant(r: Row) -> tuple[str | None, float]:
    """The value (None: NULL) most rows of an index's column hold, and their share."""
    share = r["common_share"] or 0.0
    if r["null_fracs"][0] >= share:
        return None, r["null_fracs"][0]
    return r["common_value"], share


def _single_column(r: Row, least_rows: int) -> bool:
    """A plain one-column B-tree, without a predicate or a constraint, that can be dropped on
    its own (not a partition's part of a partitioned index), on a large table."""
    return bool(
        r["natts"] == 1
        and r["column_name"] is not None
        and not (r["partial"] or r["bound"] or r["is_unique"] or r["attached"])
        and r["table_rows"] >= least_rows
    )


def _rare_index(probe: Probe, r: Row, value: str | None) -> str:
    """CREATE INDEX CONCURRENTLY of a partial index on the rows without the dominant value."""
    column = probe.dialect.quote_ident(r["column_name"])
    if value is None:
        where = f"{column} IS NOT NULL"
    else:
        where = f"{column} <> {probe.dialect.quote_string(value)}::{r['type_name']}"
    rare = probe.dialect.quote_ident(probe.dialect.cut_name(f"{r['name']}_rare"))
    table = probe.name(r["schema"], r["table_name"])
    return f"CREATE INDEX CONCURRENTLY {rare} ON {table} ({column}) WHERE {where};"


@check("low-cardinality-index", "info")
def low_cardinality_index(probe: Probe) -> Iterator[Symptom]:
    """A one-column B-tree index whose column holds the same value (or NULL) in at least 99 %
    of the rows by the statistics' sample, on a table of at least 10,000 rows; not partial,
    not unique, backing no constraint.

    Why: a search for that value reads nearly the whole table, so the planner scans the table
    instead; the index can only find the rare other rows, which a partial index on just those
    does at a fraction of the size, while every INSERT and non-HOT UPDATE writes to this one.
    An info: the evidence is ANALYZE's sample, which may miss rare values the index is for.
    """
    unread: list[bool] = []  # for each large index that could not be checked: readable?
    least_rows = probe.config.low_cardinality_min_rows
    least_share = probe.config.low_cardinality_min_share
    for r in probe.rows("bloat_indexes"):
        if not _single_column(r, least_rows):
            continue
        if not _stats(r):
            unread.append(bool(r["readable"]))
            continue
        value, share = _dominant(r)
        if share < least_share:
            continue
        name = probe.name(r["schema"], r["name"])
        shown = "NULL" if value is None else probe.dialect.quote_string(value)
        rare = _rare_index(probe, r, value)
        if share >= 1:
            fix = (
                f"DROP INDEX CONCURRENTLY {name};\n-- if queries look up rare values the "
                f"sample missed, index only those: {rare}"
            )
        else:
            fix = f"{rare}\nDROP INDEX CONCURRENTLY {name};"
        yield Symptom(
            object=name,
            value=f"{r['column_name']} = {shown} in {100 * share:.1f} % of ~{r['table_rows']:.0f}"
            f" rows; {size_text(r['size'])}, {r['scans'] or 0} scans",
            threshold=f"one value in >= {100 * least_share:.0f} % of the rows of a table of "
            f">= {least_rows} rows",
            why=f"a search for {shown} reads nearly all of "
            f"{probe.name(r['schema'], r['table_name'])}, so the planner scans the table instead, "
            "yet every write updates the index",
            fix=fix,
            caveat="from ANALYZE's sample (300 x default_statistics_target rows): check the "
            "queries and pg_stat_user_indexes.idx_scan before dropping; a query with a parameter "
            "uses the partial index only if its WHERE also says the value is not the common one",
        )
    if unread:
        probe.note("low-cardinality-index", _unread_columns(unread, least_rows))


def _unread_columns(unread: list[bool], least_rows: int) -> str:
    """What the note says of the one-column indexes whose statistics were missing."""
    parts = []
    if n := unread.count(False):
        parts.append(
            f"{n} whose column's statistics the role may not read (pg_stats shows only the "
            "columns it may SELECT): GRANT SELECT on their tables"
        )
    if n := unread.count(True):
        parts.append(f"{n} whose column was never analyzed: ANALYZE their tables")
    return (
        f"{len(unread)} one-column indexes on tables of at least {least_rows} rows not "
        "checked: " + "; ".join(parts)
    )
