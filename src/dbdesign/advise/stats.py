"""What the advisor needs to know about the tables a workload reads: columns, their statistics
(``pg_stats``), table size, existing indexes and how much they are used, and write rates.

Read in one READ ONLY transaction with a statement timeout; nothing is created.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dbdesign.model import FrozenMap


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnStats:
    name: str
    type: str  # format_type()
    width: float  # average width in bytes (pg_stats.avg_width, else the type's length)
    distinct: float  # distinct values (pg_stats.n_distinct made absolute), 0 when unknown
    correlation: float  # physical order vs value order, -1..1 (0 unknown)
    null_frac: float = 0.0
    # Deduplication in B-tree leaves is safe for the type (not numeric, float, jsonb ...).
    dedup_safe: bool = True
    align: int = 1  # bytes a stored value is aligned to (1 for short variable-length values)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExistingIndex:
    name: str  # schema-qualified
    table: str
    columns: tuple[str, ...]  # key columns; an expression is its SQL text
    include: tuple[str, ...]
    method: str
    unique: bool
    primary: bool
    partial: bool
    definition: str  # pg_get_indexdef
    size_bytes: int
    scans: int  # pg_stat_user_indexes.idx_scan since the statistics were reset
    constraint: str | None  # the constraint it implements (primary key, unique, exclusion)
    valid: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class TableStats:
    name: str  # schema-qualified, quoted where needed
    rows: float
    pages: int
    columns: FrozenMap[str, ColumnStats]
    indexes: tuple[ExistingIndex, ...] = ()
    inserts: int = 0  # pg_stat_user_tables counters since the statistics were reset
    updates: int = 0
    hot_updates: int = 0
    deletes: int = 0
    seq_scans: int = 0

    @property
    def row_width(self) -> float:
        return sum(c.width for c in self.columns.values()) or 1.0


@dataclass(frozen=True, slots=True)
class Catalog:
    """The tables of a workload by qualified name, and the lookup of a name as written."""

    tables: FrozenMap[str, TableStats]
    # (schema or "", name) as a query writes it -> the qualified name
    names: FrozenMap[tuple[str, str], str]
    server_version: int  # server_version_num
    block_size: int = 8192

    def resolve(self, schema: str | None, name: str) -> TableStats | None:
        key = self.names.get((schema or "", name))
        return None if key is None else self.tables[key]


# Types whose B-tree entries cannot be deduplicated (equality is not image equality).
_NO_DEDUP = ("numeric", "real", "double precision", "jsonb", "anyarray", "record", "interval")

# pg_type.typalign -> bytes
_ALIGN = {"c": 1, "s": 2, "i": 4, "d": 8}

_RELATIONS = """
select r.schema_name, r.rel_name, c.oid,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.reltuples, c.relpages,
       coalesce(s.n_tup_ins, 0), coalesce(s.n_tup_upd, 0),
       coalesce(s.n_tup_hot_upd, 0), coalesce(s.n_tup_del, 0), coalesce(s.seq_scan, 0)
from unnest(%s::text[], %s::text[]) as r(schema_name, rel_name)
cross join lateral (
  select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
  join lateral unnest(current_schemas(false)) with ordinality as p(nsp, pos) on true
  where c.relname = r.rel_name and c.relkind in ('r', 'p', 'm')
    and (n.nspname = r.schema_name or (r.schema_name = '' and n.nspname = p.nsp))
  order by (n.nspname = r.schema_name) desc, p.pos limit 1
) found
join pg_class c on c.oid = found.oid
join pg_namespace n on n.oid = c.relnamespace
left join pg_stat_user_tables s on s.relid = c.oid
"""

_COLUMNS = """
select a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), coalesce(s.avg_width,
       case when t.typlen > 0 then t.typlen else 32 end), coalesce(s.n_distinct, 0),
       coalesce(s.correlation, 0), coalesce(s.null_frac, 0),
       case when t.typlen = -1 then 'c' else t.typalign::text end
from pg_attribute a join pg_type t on t.oid = a.atttypid
join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
left join pg_stats s on s.schemaname = n.nspname and s.tablename = c.relname
  and s.attname = a.attname and not s.inherited
where a.attrelid = any(%s::oid[]) and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
"""

_INDEXES = """
select i.indrelid, quote_ident(n.nspname) || '.' || quote_ident(ic.relname), am.amname,
       i.indisunique, i.indisprimary, i.indpred is not null, pg_get_indexdef(i.indexrelid),
       pg_relation_size(i.indexrelid), coalesce(s.idx_scan, 0), con.conname, i.indisvalid,
       i.indnkeyatts,
       array(select pg_get_indexdef(i.indexrelid, k, true)
             from generate_series(1, i.indnatts) k)
from pg_index i join pg_class ic on ic.oid = i.indexrelid
join pg_namespace n on n.oid = ic.relnamespace join pg_am am on am.oid = ic.relam
left join pg_stat_user_indexes s on s.indexrelid = i.indexrelid
left join pg_constraint con on con.conindid = i.indexrelid and con.contype in ('p', 'u', 'x')
where i.indrelid = any(%s::oid[])
order by 2
"""


def read_catalog(cur: Any, names: Iterable[tuple[str, str]]) -> Catalog:
    """The statistics of the tables named (``(schema or "", name)`` as a query writes them)."""
    wanted = sorted(set(names))
    cur.execute(_RELATIONS, ([s for s, _ in wanted], [n for _, n in wanted]))
    rels = cur.fetchall()
    by_oid: dict[int, dict[str, Any]] = {}
    lookup: dict[tuple[str, str], str] = {}
    for schema, name, oid, qname, rows, pages, ins, upd, hot, dele, seq in rels:
        lookup[(schema, name)] = qname
        by_oid[oid] = {
            "name": qname,
            "rows": max(float(rows), 0.0),
            "pages": int(pages),
            "inserts": ins,
            "updates": upd,
            "hot_updates": hot,
            "deletes": dele,
            "seq_scans": seq,
        }
    oids = list(by_oid)
    columns = _columns(cur, oids, by_oid)
    indexes = _indexes(cur, oids, by_oid)
    cur.execute("select current_setting('server_version_num')::int, "
                "current_setting('block_size')::int")  # fmt: skip
    version, block = cur.fetchone()
    tables = {
        d["name"]: TableStats(
            **d, columns=FrozenMap(columns.get(oid, {})), indexes=tuple(indexes.get(oid, ()))
        )
        for oid, d in by_oid.items()
    }
    return Catalog(FrozenMap(tables), FrozenMap(lookup), version, block)


def _columns(
    cur: Any, oids: list[int], rels: Mapping[int, Mapping[str, Any]]
) -> dict[int, dict[str, ColumnStats]]:
    cur.execute(_COLUMNS, (oids,))
    out: dict[int, dict[str, ColumnStats]] = {}
    for oid, name, typ, width, n_distinct, corr, null_frac, align in cur.fetchall():
        rows = rels[oid]["rows"]
        distinct = -float(n_distinct) * rows if n_distinct < 0 else float(n_distinct)
        out.setdefault(oid, {})[name] = ColumnStats(
            name=name,
            type=typ,
            width=float(width),
            distinct=distinct,
            correlation=float(corr),
            null_frac=float(null_frac),
            dedup_safe=not typ.startswith(_NO_DEDUP) and not typ.endswith("[]"),
            align=_ALIGN.get(align, 1),
        )
    return out


def _indexes(
    cur: Any, oids: list[int], rels: Mapping[int, Mapping[str, Any]]
) -> dict[int, list[ExistingIndex]]:
    cur.execute(_INDEXES, (oids,))
    out: dict[int, list[ExistingIndex]] = {}
    for row in cur.fetchall():
        rel, name, am, unique, primary, partial, definition, size, scans, con, valid, nkey, cols = (
            row
        )
        out.setdefault(rel, []).append(
            ExistingIndex(
                name=name,
                table=rels[rel]["name"],
                columns=tuple(cols[:nkey]),
                include=tuple(cols[nkey:]),
                method=am,
                unique=unique,
                primary=primary,
                partial=partial,
                definition=definition,
                size_bytes=int(size),
                scans=int(scans),
                constraint=con,
                valid=valid,
            )
        )
    return out
