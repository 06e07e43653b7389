"""Time partitioning of large append-only tables (PostgreSQL), and on MySQL why such a table
stays whole and the index its retention deletes need.

A partitioned table gets one partition per month, from the oldest month its retention keeps
to :data:`AHEAD_MONTHS` months ahead of the day of the design, and no DEFAULT partition: with
one, creating next month's partition scans the default and fails once it holds a row of that
month. :data:`MAINTAIN` is the one function that keeps the months going: it creates the
partitions ahead and detaches and drops the months past retention, named as the design names
them (``<table>_YYYY_MM``); DESIGN.md says how to schedule it.
"""

from __future__ import annotations

from datetime import date

from dbdesign.design.draft import PROJECTION_YEARS, Draft, TableDraft, design_time
from dbdesign.design.naming import object_name
from dbdesign.model import Argument, Expr, Function, IndexElement, PartitionBy, PrimaryKey
from dbdesign.readers.spec import Attribute, Entity

PARTITION_ROWS = 50_000_000  # projected rows (3 years) that make time partitioning worth it
NOT_PARTITIONED = "not partitioned (MySQL)"  # the decision for a table PostgreSQL partitions
AHEAD_MONTHS = 3  # months of partitions created ahead of today
MAINTAIN = "maintain_monthly_partitions"
NAME_MAX = 55  # a partition's name is the table's (cut to this) + _YYYY_MM: 63 bytes at most
LOCK_TIMEOUT = "10s"  # a detach waits at most this for the table's lock, then the run fails

_MAINTAIN_BODY = rf"""
DECLARE
    nsp name;
    rel name;
    m timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC');
    last_month timestamp := date_trunc('month', as_of AT TIME ZONE 'UTC')
        + make_interval(months => ahead);
    part record;
    pname text;
BEGIN
    SELECT n.nspname, c.relname INTO nsp, rel
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = parent AND c.relkind = 'p';
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a partitioned table', parent;
    END IF;
    IF retention IS NOT NULL THEN
        m := date_trunc('month', (as_of - retention) AT TIME ZONE 'UTC');
    END IF;
    WHILE m <= last_month LOOP
        pname := left(rel, {NAME_MAX}) || to_char(m, '"_"YYYY"_"MM');
        IF NOT EXISTS (SELECT FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
                        WHERE i.inhparent = parent AND c.relname = pname) THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           nsp, pname, parent, m::text || '+00',
                           (m + interval '1 month')::text || '+00');
            RETURN NEXT 'created ' || pname;
        END IF;
        m := m + interval '1 month';
    END LOOP;
    IF retention IS NULL THEN
        RETURN;
    END IF;
    FOR part IN
        SELECT c.oid::regclass AS child, c.relname,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)') AS hi
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = parent
         ORDER BY 3
    LOOP
        CONTINUE WHEN part.hi IS NULL;  -- the DEFAULT partition, or MAXVALUE
        IF part.hi::timestamptz <= as_of - retention THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.child);
            EXECUTE format('DROP TABLE %s', part.child);
            RETURN NEXT 'dropped ' || part.relname;
        END IF;
    END LOOP;
END
"""


def months(t: TableDraft, first: date, last: date) -> list[tuple[str, str]]:
    """The monthly partitions of ``t`` from ``first``'s month to ``last``'s: (name, bound)."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        lo, hi = f"{y:04d}-{m:02d}-01 00:00:00+00", f"{ny:04d}-{nm:02d}-01 00:00:00+00"
        bound = f"FOR VALUES FROM ('{lo}') TO ('{hi}')"
        out.append((f"{t.name[:NAME_MAX]}_{y:04d}_{m:02d}", bound))
        y, m = ny, nm
    return out


def maintain_function(b: Draft) -> str:
    """Add the partition maintenance function to the design; its qualified name."""
    args = (
        Argument(name="parent", type="regclass"),
        Argument(name="retention", type="interval", default=Expr("NULL::interval")),
        Argument(name="ahead", type="integer", default=Expr(str(AHEAD_MONTHS))),
        Argument(name="as_of", type="timestamp with time zone", default=Expr("now()")),
    )
    b.functions[f"{b.ns}.{MAINTAIN}(regclass, interval, integer, timestamp with time zone)"] = (
        Function(
            schema=b.ns,
            name=MAINTAIN,
            arguments=args,
            returns="SETOF text",
            language="plpgsql",
            body=_MAINTAIN_BODY,
            config=(f"lock_timeout={LOCK_TIMEOUT}", "search_path=pg_catalog, pg_temp"),
            comment=(
                "Monthly partitions of a table partitioned by range of a timestamp: creates "
                "those from the oldest month retention keeps to `ahead` months after `as_of`, "
                "detaches and drops those wholly past retention; returns what it did."
            ),
        )
    )
    return f"{b.ns}.{MAINTAIN}"


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
    today = design_time().date()
    first = date.fromordinal(today.toordinal() - (e.retention_days or 0))
    ahead = date(
        today.year + (today.month + AHEAD_MONTHS - 1) // 12,
        (today.month + AHEAD_MONTHS - 1) % 12 + 1,
        1,
    )
    t.partitions = months(t, first, ahead)
    maintain_function(b)
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
