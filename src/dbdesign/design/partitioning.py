"""Time partitioning of large append-only tables (PostgreSQL), and on MySQL why such a table
stays whole and the index its retention deletes need."""

from __future__ import annotations

from dbdesign.design.draft import PROJECTION_YEARS, Draft, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.model import IndexElement, PartitionBy, PrimaryKey
from dbdesign.readers.spec import Attribute, Entity

PARTITION_ROWS = 50_000_000  # projected rows (3 years) that make time partitioning worth it
NOT_PARTITIONED = "not partitioned (MySQL)"  # the decision for a table PostgreSQL partitions


def partition(b: Draft, ename: str, e: Entity, t: TableDraft) -> None:
    """Partition the table by month where that pays (PostgreSQL); say why not (MySQL)."""
    if not (b.pg or b.my) or not _worthy(b, ename, e, t):
        return
    if b.my:
        _no_partitioning(b, ename, e, t)
        return
    pkey = _column(b, ename, e)
    t.partition_by = PartitionBy(strategy="RANGE", elements=(IndexElement(column=pkey),))
    assert t.pk is not None
    t.pk = PrimaryKey(name=t.pk.name, columns=("id", pkey))
    t.partition_key = pkey
    b.partitioned.append(t.name)
    b.decide(
        t.name,
        f"PARTITION BY RANGE ({pkey}), monthly partitions",
        f"{_why(b, e)}: old months are dropped whole (no DELETE, no bloat) and queries on "
        f"recent rows read recent partitions only; the primary key includes {pkey} "
        "as partitioning requires",
    )


def _why(b: Draft, e: Entity) -> str:
    """What makes the table worth partitioning."""
    if b.projected(e) >= PARTITION_ROWS:
        return f"append-only, {b.projected(e):,} rows projected in {PROJECTION_YEARS} years"
    return f"append-only with {e.retention_days}-day retention"


def _no_partitioning(b: Draft, ename: str, e: Entity, t: TableDraft) -> None:
    """MySQL: the reasons a table PostgreSQL would partition stays whole, and the index
    that retention deletes need."""
    pkey = _column(b, ename, e)
    fks = "its foreign keys" if t.fks else "foreign keys to it later"
    how = (
        f"If those deletes cannot keep up, drop {fks} and partition by RANGE on {pkey} "
        f"with PRIMARY KEY (id, {pkey})"
    )
    if e.retention_days:
        name = object_name("idx", t.name, (pkey,))
        b.index(
            t,
            name,
            (IndexElement(column=pkey),),
            purpose=f"retention: batched deletes of rows older than {e.retention_days} days",
        )
        how = (
            f"rows older than {e.retention_days} days are deleted in batches "
            f"(DELETE ... WHERE {pkey} < ? ORDER BY {pkey} LIMIT 10000) through {name}. " + how
        )
    else:
        how = "AUTO_INCREMENT keys append new rows at the end of the clustered index. " + how
    b.decide(
        t.name,
        NOT_PARTITIONED,
        f"{_why(b, e)}, but a partitioned InnoDB table can have no foreign keys (nor be "
        "referenced by one) and needs the partition column in every unique key, the primary "
        f"key included; the design keeps {fks}: {how}",
    )


def _column(b: Draft, ename: str, e: Entity) -> str:
    """The time the rows are about: a required timestamp that range patterns filter on."""
    for p in b.spec.access_patterns:
        if p.entity == ename:
            for f in p.range:
                a = e.attributes.get(f)
                if isinstance(a, Attribute) and a.type == "timestamp" and a.required:
                    return f
    return "created_at"


def _worthy(b: Draft, ename: str, e: Entity, t: TableDraft) -> bool:
    if not e.append_only or not b.feature(e, "audit_columns"):
        return False
    if not (e.retention_days or b.projected(e) >= PARTITION_ROWS):
        return False
    referenced = any(
        r.parent == ename or (r.between and ename in r.between) for r in b.spec.relationships
    )
    return not referenced and not t.uniques
