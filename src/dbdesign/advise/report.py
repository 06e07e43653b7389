"""An :class:`~dbdesign.advise.advisor.Advice` as text, JSON, or a migration (``--format sql``).

The migration builds each index with ``CREATE INDEX CONCURRENTLY`` (and drops with ``DROP
INDEX CONCURRENTLY``), one statement per file section, outside a transaction (the header
``-- dbdesign: no-transaction``): it passes dbdesign's own migration-safety lint. Each
statement carries a comment naming the queries it serves and the estimated cost change.
"""

from __future__ import annotations

from typing import Any

from dbdesign.advise.advisor import Advice, IndexAdvice
from dbdesign.lint.findings import Finding


def mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB"


def pct(before: float, after: float) -> str:
    return f"{(after - before) / before * 100:+.1f}%" if before else "n/a"


def query_label(advice: Any, i: int) -> str:
    """Query ``i`` of an advice (PostgreSQL's or MySQL's) as the report names it."""
    q = advice.queries[i]
    return q.label or f"query {i + 1}"


def serves_json(advice: Any, ix: Any) -> list[dict[str, Any]]:
    """The queries an advised index serves, with their costs before and after."""
    return [
        {"query": query_label(advice, s.query), "cost_before": s.before, "cost_after": s.after}
        for s in ix.serves
    ]


def as_json(advice: Advice) -> dict[str, Any]:
    return {
        "cost_before": advice.cost_before,
        "cost_after": advice.cost_after,
        "relative_cost": advice.relative_cost,
        "size_bytes": advice.size_bytes,
        "budget_bytes": advice.budget_bytes,
        "write_overhead": advice.write_overhead,
        "candidates": advice.candidates,
        "plans": advice.plans,
        "indexes": [_index_json(advice, ix) for ix in advice.indexes],
        "removals": [
            {
                "index": r.index,
                "table": r.table,
                "size_bytes": r.size_bytes,
                "reason": r.reason,
                "ddl": r.ddl,
                "definition": r.definition,
            }
            for r in advice.removals
        ],
        "queries": [
            {
                "label": q.label,
                "sql": q.sql,
                "calls": q.calls,
                "cost_before": q.before,
                "cost_after": q.after,
                "indexes": list(q.indexes),
                "findings": [_finding_json(f) for f in q.findings],
            }
            for q in advice.queries
        ],
        "skipped": [{"query": label, "reason": why} for label, why in advice.skipped],
        "verification": _verification_json(advice),
        "notes": list(advice.notes),
        "estimated": "costs are the planner's estimates with hypothetical indexes (HypoPG)",
    }


def _finding_json(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    for k in ("file", "line", "col", "catalog"):
        d.pop(k, None)
    return d


def _verification_json(advice: Advice) -> dict[str, Any] | None:
    v = advice.verification
    if v is None:
        return None
    return {
        "cost_before": v.cost_before,
        "cost_after": v.cost_after,
        "relative_cost": v.cost_after / v.cost_before if v.cost_before else 1.0,
        "indexes": [
            {
                "name": b.name,
                "estimated_bytes": b.estimated_bytes,
                "hypopg_bytes": b.hypopg_bytes,
                "built_bytes": b.built_bytes,
            }
            for b in v.indexes
        ],
    }


def _index_json(advice: Advice, ix: IndexAdvice) -> dict[str, Any]:
    return {
        "name": ix.name,
        "table": ix.candidate.table,
        "ddl": ix.ddl,
        "columns": list(ix.candidate.columns),
        "include": list(ix.candidate.include),
        "where": ix.candidate.where or None,
        "method": ix.candidate.method,
        "size_bytes": ix.size_bytes,
        "hypopg_size_bytes": ix.hypopg_bytes,
        "gain": ix.gain,
        "write_cost": ix.write_cost,
        "serves": serves_json(advice, ix),
    }


def text(advice: Advice) -> str:
    out = [
        f"Workload cost {advice.cost_before:,.0f} -> {advice.cost_after:,.0f} "
        f"({advice.relative_cost * 100:.1f}% of today) with {len(advice.indexes)} new "
        f"index(es), {mb(advice.size_bytes)}"
        + (f" of a {mb(advice.budget_bytes)} budget" if advice.budget_bytes else "")
        + f"; write overhead {advice.write_overhead:,.0f}.",
        f"({advice.candidates} candidates, {advice.plans} what-if plans; costs are the "
        "planner's estimates with hypothetical indexes.)",
        "",
    ]
    for ix in advice.indexes:
        out.append(f"{ix.ddl};")
        out.append(f"    size ~{mb(ix.size_bytes)} (HypoPG: {mb(ix.hypopg_bytes)})")
        for s in ix.serves:
            out.append(
                f"    serves {query_label(advice, s.query)}: {s.before:,.0f} -> {s.after:,.0f} "
                f"({pct(s.before, s.after)})"
            )
    if advice.removals:
        out.append("")
        out.append("Indexes the workload does not need:")
        for r in advice.removals:
            out.append(f"{r.ddl};  -- {mb(r.size_bytes)}: {r.reason}")
    out.extend(_verification_text(advice))
    out.extend(_findings_text(advice))
    for label, why in advice.skipped:
        out.append(f"skipped {label}: {why}")
    out.extend(advice.notes)
    return "\n".join(out) + "\n"


def _findings_text(advice: Advice) -> list[str]:
    """Query lint and plan findings, per query (today's plans, estimated)."""
    found = [(i, f) for i, q in enumerate(advice.queries) for f in q.findings]
    if not found:
        return []
    out = ["", "What else the workload's queries do (query lint; plan rules on today's plans):"]
    for i, f in found:
        out.append(f"  {query_label(advice, i)}: {f.severity.value} {f.code} {f.message}")
        if f.fix_hint:
            out.append(f"      fix: {f.fix_hint.splitlines()[0]}")
    return out


def _verification_text(advice: Advice) -> list[str]:
    v = advice.verification
    if v is None:
        return []
    out = [
        "",
        "Built on the scratch copy (--verify):",
        f"  workload cost {v.cost_before:,.0f} -> {v.cost_after:,.0f} "
        f"({v.cost_after / v.cost_before * 100 if v.cost_before else 100:.1f}%; "
        f"estimated {advice.relative_cost * 100:.1f}%)",
    ]
    for b in v.indexes:
        out.append(
            f"  {b.name}: built {mb(b.built_bytes)}, estimated {mb(b.estimated_bytes)}, "
            f"HypoPG {mb(b.hypopg_bytes)}"
        )
    return out


def sql(advice: Advice) -> str:
    """A migration: the advised indexes built (and the unneeded ones dropped) concurrently."""
    out = [
        "-- dbdesign: no-transaction",
        f"-- dbdesign advise: workload cost {advice.cost_before:,.0f} -> "
        f"{advice.cost_after:,.0f} (estimated, {advice.relative_cost * 100:.1f}%)",
        "",
    ]
    for ix in advice.indexes:
        served = ", ".join(
            f"{query_label(advice, s.query)} {pct(s.before, s.after)}" for s in ix.serves
        )
        out.append(f"-- ~{mb(ix.size_bytes)}; serves {served or 'no query on its own'}")
        out.append(f"{ix.ddl};")
        out.append("")
    for r in advice.removals:
        out.append(f"-- {r.reason}")
        out.append(f"{r.ddl};")
        out.append("")
    return "\n".join(out)
