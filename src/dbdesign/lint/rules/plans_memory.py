"""Plan rules: memory, visibility and workers (PLN004, PLN005, PLN007, PLN008).

What a node needed and did not get: work_mem for a sort, a hash or a bitmap; an all-visible
page for an index-only scan; the parallel workers it planned.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.databases.plans import PlanNode
from dbdesign.lint.findings import Hit
from dbdesign.lint.plan import PlanContext, count, memory_setting, plan_rule

BLOCK_KB = 8  # PostgreSQL's page size
# PLN004: bytes an in-memory row costs beyond its width: a sort's tuple header and slot, a hash
# table's entry, a hash aggregate's group with its transition state; and how much more
# memory than the disk it used a spilled operation needs. Measured on PostgreSQL 15 and 16 (the
# smallest work_mem that kept sorts of 20k-200k rows of 8-63 bytes, hash joins and hash
# aggregates in memory), then rounded up to the next power of two.
SORT_ROW_OVERHEAD = 80
HASH_ROW_OVERHEAD = 48
AGG_ROW_OVERHEAD = 200
DISK_TO_MEMORY = 3.0
MARGIN = 1.25
TOO_BIG_KB = 1024 * 1024  # 1 GB of work_mem per operation is not a fix
# PLN005: heap fetches of an index-only scan, over all loops, and as a share of its rows.
MIN_HEAP_FETCHES = 1000
HEAP_FETCH_SHARE = 0.1
# PLN007: bytes of bitmap per heap page (a page entry and its hash slot), measured: 6,000
# pages fit in 383 kB.
BITMAP_BYTES_PER_PAGE = 64


# --------------------------------------------------------------------------- PLN004


def _spill(ctx: PlanContext, n: PlanNode) -> tuple[str, float] | None:
    """(what spilled and how, the work_mem in kB that would have kept it in memory)."""
    t = n.node_type
    if t == "Sort":
        return _sort_spill(n)
    if t == "Hash":
        if n.value("Hash Batches") <= 1:
            return None
        rows = n.actual_rows or 0
        need = rows * (n.plan_width + HASH_ROW_OVERHEAD) / 1024 * MARGIN
        return (
            f"hashed {count(rows)} rows in {count(n.value('Hash Batches'))} batches on disk "
            f"(memory {count(n.value('Peak Memory Usage'))} kB)",
            need / ctx.hash_mem_multiplier,
        )
    if t == "Aggregate" and n.details.get("Strategy") in ("Hashed", "Mixed"):
        disk = n.value("Disk Usage")
        if n.value("HashAgg Batches") <= 1 and not disk:
            return None
        groups = n.actual_rows or 0
        need = max(DISK_TO_MEMORY * disk, groups * (n.plan_width + AGG_ROW_OVERHEAD) / 1024)
        return (
            f"grouped {count(groups)} groups in {count(n.value('HashAgg Batches'))} batches, "
            f"writing {count(disk)} kB to disk",
            need / ctx.hash_mem_multiplier,
        )
    if t in ("Hash Join", "Hash") or t.startswith("Gather"):
        return None  # a hash join's batch files belong to its Hash
    written = n.value("Temp Written Blocks") - sum(
        c.value("Temp Written Blocks") for c in n.children
    )
    if written <= 0:
        return None
    return (f"wrote {count(written * BLOCK_KB)} kB of temporary files", 2 * written * BLOCK_KB)


def _sort_spill(n: PlanNode) -> tuple[str, float] | None:
    method = n.details.get("Sort Method", "")
    if n.details.get("Sort Space Type") != "Disk" and "external" not in method:
        return None
    disk = n.value("Sort Space Used")
    source = n.children[0] if n.children else n
    rows = source.actual_rows or 0  # per process: work_mem is per sort, per worker
    need = max(DISK_TO_MEMORY * disk, rows * (n.plan_width + SORT_ROW_OVERHEAD) / 1024)
    return (
        f"sorted {count(rows)} rows on disk ({method}, {count(disk)} kB)",
        need,
    )


@plan_rule("PLN004", "spills-to-disk")
def spills_to_disk(ctx: PlanContext) -> Iterator[Hit]:
    """A sort, a hash or a hash aggregate did not fit in work_mem and spilled to disk.

    Rationale: An operation that outgrows work_mem writes its rows to temporary files and
    reads them back (Sort Method external merge, Hash Batches above 1, HashAgg Batches above
    1 or Disk Usage, temporary blocks written by any other node). Any spill is reported,
    with the work_mem that would have kept it in memory, estimated from its rows and width
    and what it wrote (measured: an in-memory sort needs 1.5 to 4 times its disk space,
    hash tables are sized against work_mem times hash_mem_multiplier) and rounded up to a
    power of two. Each sort or hash of each query may use that much, in every process.

    Bad:
        SET work_mem = '64kB';
        SELECT * FROM orders ORDER BY created_at;

    Good:
        SET LOCAL work_mem = '16MB';  -- for this query only, inside its transaction
        SELECT * FROM orders ORDER BY created_at;

    Fix: Raise work_mem for the query (SET LOCAL inside its transaction) or for the role
    that runs it, to the value the finding gives; or sort and hash fewer rows (filter
    earlier, read rows in order from an index).
    """
    for at in ctx.nodes:
        n = at.node
        if not n.actual_loops:
            continue
        found = _spill(ctx, n)
        if found is None:
            continue
        what, need_kb = found
        yield Hit(
            at.key,
            f"{what} with work_mem = {_work_mem(ctx)}; "
            f"about {memory_setting(need_kb)} would keep it in memory",
            fix=_work_mem_fix(need_kb, "sort or hash"),
        )


def _work_mem(ctx: PlanContext) -> str:
    return ctx.plan.setting("work_mem") or "4MB (the default)"


def _work_mem_fix(need_kb: float, what: str) -> str:
    if need_kb > TOO_BIG_KB:
        return (
            f"The {what} needs more than 1GB: more work_mem is not the fix. Handle fewer "
            "rows (filter before sorting or joining), or read them in order from an index."
        )
    value = memory_setting(need_kb)
    return (
        f"SET LOCAL work_mem = '{value}' in the transaction that runs the query, or "
        f"ALTER ROLE <role> SET work_mem = '{value}' for the role that runs it; every {what} "
        "of every query may take that much, in each process."
    )


# --------------------------------------------------------------------------- PLN005


@plan_rule("PLN005", "index-only-scan-heap-fetches")
def index_only_scan_heap_fetches(ctx: PlanContext) -> Iterator[Hit]:
    """An index-only scan went to the table for 10 % or more of its rows.

    Rationale: An index-only scan skips the table only for pages the visibility map marks
    all-visible, which VACUUM sets; on pages changed since, each row costs a heap fetch and
    the scan is an index scan with extra steps. Reported from 1,000 heap fetches (over all
    loops) that are at least 10 % of the rows the scan read.

    Bad:
        -- rows inserted or updated since the last VACUUM
        SELECT customer_id FROM orders WHERE customer_id BETWEEN 1 AND 500;

    Good:
        VACUUM (ANALYZE) orders;
        SELECT customer_id FROM orders WHERE customer_id BETWEEN 1 AND 500;

    Fix: VACUUM the table; if it keeps changing, let autovacuum visit it more often (lower
    autovacuum_vacuum_scale_factor and, from PostgreSQL 13, autovacuum_vacuum_insert_scale_factor
    for the table).
    """
    for at in ctx.nodes:
        n = at.node
        if n.node_type != "Index Only Scan" or not n.actual_loops:
            continue
        loops = n.actual_loops
        fetches = n.value("Heap Fetches")  # a total; the row counts are per loop
        rows = ((n.actual_rows or 0) + (n.rows_removed_by_filter or 0)) * loops
        if fetches < MIN_HEAP_FETCHES or fetches < HEAP_FETCH_SHARE * rows:
            continue
        table = ctx.table_sql(n) or "the table"
        share = fetches / rows if rows else 1.0
        yield Hit(
            at.key,
            f"{count(fetches)} heap fetches for {count(rows)} rows ({share:.0%}): the "
            f"visibility map of {n.relation} is out of date",
            fix=(
                f"VACUUM (ANALYZE) {table}; if it keeps changing, ALTER TABLE {table} SET "
                "(autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor "
                "= 0.02) so autovacuum keeps the visibility map current."
            ),
        )


# --------------------------------------------------------------------------- PLN007


@plan_rule("PLN007", "lossy-bitmap")
def lossy_bitmap(ctx: PlanContext) -> Iterator[Hit]:
    """A bitmap heap scan's bitmap outgrew work_mem and went lossy.

    Rationale: A bitmap that does not fit in work_mem keeps only which pages match, not
    which rows (Heap Blocks: lossy), and every row of a lossy page is checked again (Rows
    Removed by Index Recheck). Any lossy block is reported, with the work_mem that would
    keep the bitmap exact: about 64 bytes per heap page (measured), plus a quarter,
    rounded up to a power of two.

    Bad:
        SET work_mem = '64kB';
        SELECT * FROM events WHERE kind < 300;  -- a bitmap of thousands of pages

    Good:
        SET LOCAL work_mem = '1MB';
        SELECT * FROM events WHERE kind < 300;

    Fix: Raise work_mem for the query to the value the finding gives, or make the condition
    more selective (or the index a better match) so fewer pages qualify.
    """
    for at in ctx.nodes:
        n = at.node
        lossy = n.value("Lossy Heap Blocks")
        if n.node_type != "Bitmap Heap Scan" or lossy <= 0:
            continue
        exact = n.value("Exact Heap Blocks")
        parts = (n.actual_loops or 1) if n.parallel_aware else 1
        need_kb = (exact + lossy) * parts * BITMAP_BYTES_PER_PAGE / 1024 * MARGIN
        rechecked = n.value("Rows Removed by Index Recheck") * (n.actual_loops or 1)
        yield Hit(
            at.key,
            f"{count(lossy)} of {count(exact + lossy)} heap blocks were lossy with work_mem = "
            f"{_work_mem(ctx)}; the recheck removed {count(rechecked)} rows; "
            f"about {memory_setting(need_kb)} keeps the bitmap exact",
            fix=_work_mem_fix(need_kb, "bitmap"),
        )


# --------------------------------------------------------------------------- PLN008


@plan_rule("PLN008", "parallel-workers-not-launched")
def parallel_workers_not_launched(ctx: PlanContext) -> Iterator[Hit]:
    """A Gather launched fewer parallel workers than it planned.

    Rationale: The planner chose a parallel plan for the workers it planned; when the server
    has no free worker slots (max_parallel_workers, max_worker_processes, shared by every
    session) the Gather runs with fewer or none, and the leader does the work alone, slower
    than planned. Reported whenever Workers Launched is below Workers Planned (pgMustard
    and PEV2 show both numbers).

    Bad:
        SET max_parallel_workers = 0;  -- or every worker busy with other queries
        SELECT count(*) FROM big_table;

    Good:
        SELECT count(*) FROM big_table;  -- Workers Planned: 2, Workers Launched: 2

    Fix: Raise max_parallel_workers (and max_worker_processes, which needs a restart) to
    what the server's cores allow, or run fewer parallel queries at once.
    """
    if not ctx.plan.analyzed:
        return
    for at in ctx.nodes:
        n = at.node
        planned = n.value("Workers Planned")
        if not n.node_type.startswith("Gather") or not planned or not n.actual_loops:
            continue
        launched = n.value("Workers Launched")
        if launched >= planned:
            continue
        limit = ctx.plan.setting("max_parallel_workers") or "8 (the default)"
        yield Hit(
            at.key,
            f"{count(launched)} of {count(planned)} planned parallel workers launched "
            f"(max_parallel_workers = {limit})",
            fix=(
                "Raise max_parallel_workers (now "
                f"{limit}) and max_worker_processes (a restart) so the workers are free when "
                "queries ask for them, or run fewer parallel queries at once."
            ),
        )
