"""What a design says about more than one server: ``citus.sql`` and DESIGN.md's Citus
subsection (Write Scaling) from the plan of :mod:`.citus`, and which access patterns a read
replica can serve (Read Scaling)."""

from __future__ import annotations

from dbdesign import dialects
from dbdesign.design import Design
from dbdesign.design.citus import (
    HOT_DATA_LINE,
    REFERENCE_MAX_ROWS,
    REFERENCE_MAX_WRITES,
    WRITE_LINE,
    CitusPlan,
    Placement,
    line_text,
    parents_first,
)
from dbdesign.design.draft import PROJECTION_YEARS
from dbdesign.design.sizes import human_size

NOT_PROVEN = (
    "> **Checked statically, not proven on a Citus cluster.** Citus cannot be installed where "
    "this design was made: the designer checked the rules below against the schema, as Citus "
    "itself checks them, and `citus.sql` has not been run. Apply `schema.sql` on the "
    "coordinator of a cluster, make the changes the problems call for, then run `citus.sql`; "
    "the router and fan-out columns are what Citus's planner does with such queries, not "
    "measured plans."
)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def citus_sql(d: Design, p: CitusPlan) -> str:
    """The Citus calls of a plan: reference tables, then each co-location group's distributed
    tables (parents first), with the problems to fix first as comments."""
    out = [
        f'-- Citus placement of {d.spec.project.name}: see DESIGN.md, "Beyond one server: Citus".',
        "-- Checked statically by dbdesign, NOT run on a Citus cluster.",
        "-- Run on the coordinator after schema.sql, with Citus installed on every node and the",
        "-- workers added (citus_add_node): reference tables first, then each co-location group,",
        "-- a referenced table before the tables that reference it.",
    ]
    blocking = [x for x in p.problems if x.blocking]
    if blocking:
        out.append("-- Citus refuses these calls until the problems DESIGN.md lists are fixed:")
        out += [f"--   {x.object} ({x.table}): {x.message}" for x in blocking]
    out.append("")
    if p.unsafe_triggers:
        out += [
            "-- The tables have triggers (see DESIGN.md): Citus distributes them only with",
            "SET citus.enable_unsafe_triggers TO on;",
            "",
        ]
    tables = {k: d.schema.tables[k] for k in (x.table for x in p.placements)}
    refs = [x.table for x in p.placements if x.role == "reference"]
    if refs:
        out.append("-- Reference tables: a copy on every node")
        out += [f"SELECT create_reference_table({_lit(k)});" for k in parents_first(tables, refs)]
        out.append("")
    for group, members in _groups(p).items():
        keys = parents_first(tables, [m.table for m in members])
        col = next(m.column for m in members)
        out.append(f"-- Co-location group {group}: distributed by {col}")
        first: str | None = None
        for k in keys:
            m = next(x for x in members if x.table == k)
            with_ = _lit(first) if first else "'none'"
            out.append(
                f"SELECT create_distributed_table({_lit(k)}, {_lit(m.column or '')}, "
                f"colocate_with => {with_});"
            )
            first = first or k
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _groups(p: CitusPlan) -> dict[str, list[Placement]]:
    out: dict[str, list[Placement]] = {}
    for x in p.placements:
        if x.role == "distributed" and x.group:
            out.setdefault(x.group, []).append(x)
    return out


def _state(p: CitusPlan, judged: bool = True) -> str:
    """The design's size and writes (against the line, when ``judged``)."""
    kept = f" (held to their retention period: {', '.join(p.retained)})" if p.retained else ""
    data = (" (over the line)" if p.over_data else " (under it)") if judged else ""
    writes = (" (over the line)" if p.over_writes else " (under it)") if judged else ""
    return (
        f"{human_size(p.hot_bytes)} of hot data in {PROJECTION_YEARS} years{kept}{data} and "
        f"{p.writes:,.0f} stated row writes/s{writes}"
    )


def _one_server(p: CitusPlan) -> str:
    """The bullet of a design one node carries: where the line is, and what happens past it."""
    then = (
        "The spec sets `scale_out: none`: it stays on one server past the line too."
        if p.scale_out == "none"
        else "Past it dbdesign designs for Citus (`scale_out: citus` in the spec's project "
        "does so at any size)."
    )
    return (
        f"- **One server** carries this design: {_state(p, judged=False)}. The line is "
        f"{human_size(HOT_DATA_LINE)} of hot data in {PROJECTION_YEARS} years (a restore takes "
        f"hours past it, and the indexes outgrow a large server's memory) or "
        f"{WRITE_LINE:,.0f} stated row writes/s (one primary's WAL and vacuum become the "
        f"limit). {then}"
    )


def citus_md(d: Design) -> list[str]:
    """DESIGN.md's word on more than one server, under Write Scaling: one line when one node
    carries the design, else the Citus subsection."""
    p = d.citus
    if p is None:
        return []
    if not p.applies:
        return [_one_server(p)]
    asked = " The spec asks for Citus (`scale_out: citus`)." if p.scale_out == "citus" else ""
    return [
        "",
        "#### Beyond one server: Citus",
        "",
        f"**Why:** {line_text(d.dialect)}. This design: {_state(p)}.{asked}",
        "",
        NOT_PROVEN,
        "",
        *_tables_md(p),
        *_rules_md(p),
        *_routes_md(p),
    ]


def _tables_md(p: CitusPlan) -> list[str]:
    out = [
        f"**Tables** (`citus.sql` holds the calls). A reference table is small (at most "
        f"{REFERENCE_MAX_ROWS:,} rows in {PROJECTION_YEARS} years) and read-mostly (at most "
        f"{REFERENCE_MAX_WRITES:g} stated writes/s: each write reaches every node); a "
        "co-location group keeps the rows that share a distribution value on one node, so "
        "their joins and foreign keys stay there.",
        "",
        "| Table | Role | Distribution column | Co-location group | Why |",
        "|---|---|---|---|---|",
    ]
    for x in p.placements:
        col = f"{x.column} (added)" if x.added else (x.column or "—")
        out.append(f"| {x.name} | {x.role} | {col} | {x.group or '—'} | {x.reason} |")
    return [*out, ""]


def _rules_md(p: CitusPlan) -> list[str]:
    refused = [x for x in p.problems if x.blocking]
    out = [
        "**Rules Citus enforces**, checked on the schema: a distributed table's primary key, "
        "unique constraints and unique indexes include the distribution column, its exclusion "
        "constraints compare it with =; foreign keys between distributed tables join "
        "co-located tables on it, none goes from a reference table to a distributed one, none "
        "that holds it sets NULL or a default; a trigger on a distributed or reference table "
        "needs `citus.enable_unsafe_triggers`; no stated UPDATE changes it. The schema meets "
        "them wherever that keeps its meaning (see the Decisions that name Citus: the "
        "distribution column ends each such key and joins each such reference).",
        "",
    ]
    if not p.problems:
        out += ["Every rule holds.", ""]
    else:
        n = len(p.problems)
        left = f"{n} problem{'s' if n > 1 else ''} left"
        count = (
            f"{left}, {'all of which' if n > 1 else 'which'} Citus refuses."
            if len(refused) == n
            else f"{left}, {len(refused)} of which Citus refuses (the others work, with care)."
        )
        out += [
            f"{count} These are the changes to make before `citus.sql` runs.",
            "",
            "| Object | Table | Rule | Problem | What to change | Citus |",
            "|---|---|---|---|---|---|",
        ]
        out += [
            f"| `{x.object}` | {x.table} | {x.rule} | {_cell(x.message)} | {_cell(x.fix)} | "
            f"{'refuses' if x.blocking else 'needs care'} |"
            for x in p.problems
        ]
        out.append("")
    if p.notes:
        out += [*(f"- {n}" for n in p.notes), ""]
    return out


def _routes_md(p: CitusPlan) -> list[str]:
    if not p.routes:
        return []
    one = sum(r.rate for r in p.routes if r.kind in ("router", "reference"))
    total = sum(r.rate for r in p.routes)
    fan = [r.pattern for r in p.routes if r.kind in ("fan-out", "multi-shard")]
    verdict = (
        f"Fan-out: {', '.join(f'`{n}`' for n in fan)}: each is answered by every shard it "
        "reaches, so its latency is the slowest shard's; if one is frequent or tight, it "
        "decides whether this distribution column is the right one."
        if fan
        else "Every pattern reaches one shard or one copy."
    )
    out = [
        f"**Queries:** {one:g} of the {total:g} stated reads/s reach one shard or one copy. "
        + verdict,
        "",
        "| Pattern | Table | Rate | Runs on | Why |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| `{r.pattern}` | {r.table} | {f'{r.rate:g}/s' if r.rate else '—'} | {r.kind} | "
        f"{_cell(r.why)} |"
        for r in p.routes
    ]
    return [*out, ""]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def replica_md(d: Design) -> list[str]:
    """Which access patterns a read replica can serve, and the rule that decides it."""
    ops = dialects.get(d.dialect).operations
    replica = "replica" if ops is None else ops.replica
    written: dict[str, list[str]] = {}
    for w in d.spec.writes:
        written.setdefault(w.entity, []).append(w.name)
    tables = {t.entity: t.name for t in d.tables if t.entity}
    eventual = d.spec.project.consistency == "eventual"
    on_replica, on_primary = [], []
    for pp in d.patterns:
        pat = pp.pattern
        rate = f"{pat.rate_per_second:g}/s" if pat.rate_per_second else "rate not stated"
        table = tables.get(pat.entity, pat.entity)
        if eventual:
            on_replica.append(f"`{pat.name}` ({rate})")
        elif pat.entity not in written:
            on_replica.append(f"`{pat.name}` ({rate}: no stated write changes {table})")
        elif pat.grouped:
            on_replica.append(f"`{pat.name}` ({rate}: an aggregate report)")
        else:
            writes = ", ".join(written[pat.entity])
            on_primary.append(f"`{pat.name}` ({rate}: {table} takes {writes})")
    if eventual:
        rule = (
            "`consistency: eventual`: every read may go to the replica, the application "
            "accepting answers as old as the replica's lag"
        )
    else:
        rule = (
            "`consistency: strong`: a read goes to the replica only where its lag (usually "
            "under a second, longer under heavy writes or long queries on the replica) cannot "
            "show: no stated write changes its table, or it is an aggregate report over a "
            "period; every other read stays on the primary, which sees each commit at once"
        )
    out = [f"- **What the {replica} serves** ({rule}):"]
    if on_replica:
        out.append(f"  - on the {replica}: " + "; ".join(on_replica) + ".")
    if on_primary:
        out.append("  - on the primary: " + "; ".join(on_primary) + ".")
    return out
