"""A :class:`~dbdesign.advise.advisor_mysql.MySQLAdvice` as text, JSON, or a migration
(``--format sql``), each saying first how the numbers were made: indexes built for real on a
scratch copy, how many of the advised tables' rows it held, and what the costs are.

The migration adds each table's indexes in one ``ALTER TABLE t ADD INDEX ..., ALGORITHM=INPLACE,
LOCK=NONE`` (the server refuses rather than copy the table or block writes), after ``SET
SESSION lock_wait_timeout = 5`` (the metadata lock is not waited for behind long
transactions). DDL commits implicitly on MySQL: with indexes on several tables, each ALTER
TABLE may go in a migration file of its own (dbdesign's migration lint says so, MIG104).
"""

from __future__ import annotations

from typing import Any

from dbdesign.advise.advisor_mysql import MySQLAdvice, MySQLIndexAdvice
from dbdesign.advise.build_mysql import add_index_sql
from dbdesign.advise.report import mb, pct, query_label, serves_json


def _num(advice: MySQLAdvice, v: float) -> str:
    return f"{v:,.2f}" if advice.measured else f"{v:,.0f}"


def as_json(advice: MySQLAdvice) -> dict[str, Any]:
    c = advice.copy
    return {
        "server": advice.server,
        "estimated": advice.label,
        "cost_unit": "milliseconds (measured)" if advice.measured else "optimizer cost units",
        "scratch": {
            "database": c.name,
            "made_by_dbdesign": c.made,
            "rows": c.rows,
            "source_rows": c.source_rows,
            "sampled": c.sampled,
            "tables": [
                {
                    "table": t.name,
                    "rows": t.rows,
                    "source_rows": t.source_rows,
                    "source_rows_counted": t.counted,
                    "sampled": t.sampled,
                }
                for t in c.tables
            ],
        },
        "cost_before": advice.cost_before,
        "cost_after": advice.cost_after,
        "relative_cost": advice.relative_cost,
        "size_bytes": advice.size_bytes,
        "budget_bytes": advice.budget_bytes,
        "candidates": advice.candidates,
        "builds": advice.builds,
        "plans": advice.plans,
        "timings": advice.timings,
        "indexes": [_index_json(advice, ix) for ix in advice.indexes],
        "queries": [
            {
                "label": q.label,
                "sql": q.sql,
                "calls": q.calls,
                "cost_before": q.before,
                "cost_after": q.after,
                "indexes": list(q.indexes),
            }
            for q in advice.queries
        ],
        "skipped": [{"query": label, "reason": why} for label, why in advice.skipped],
        "notes": list(advice.notes),
    }


def _index_json(advice: MySQLAdvice, ix: MySQLIndexAdvice) -> dict[str, Any]:
    return {
        "name": ix.name,
        "table": ix.table,
        "ddl": ix.ddl,
        "columns": list(ix.candidate.columns),
        "key": ix.key,
        "size_bytes": ix.size_bytes,
        "built_bytes": ix.built_bytes,
        "gain": ix.gain,
        "serves": serves_json(advice, ix),
    }


def text(advice: MySQLAdvice) -> str:
    u = advice.unit
    out = [
        advice.label + ".",
        f"Workload cost {_num(advice, advice.cost_before)} -> {_num(advice, advice.cost_after)} "
        f"{u} ({advice.relative_cost * 100:.1f}% of today) with {len(advice.indexes)} new "
        f"index(es), {mb(advice.size_bytes)}"
        + (f" of a {mb(advice.budget_bytes)} budget" if advice.budget_bytes else "")
        + ".",
        f"({advice.candidates} candidates, {advice.builds} index builds, {advice.plans} plans"
        + (f", {advice.timings} timed" if advice.measured else "")
        + ".)",
        "",
    ]
    for ix in advice.indexes:
        out.append(f"{ix.ddl};")
        built = f"built on the copy: {mb(ix.built_bytes)}" if ix.built_bytes else "estimated"
        out.append(f"    size ~{mb(ix.size_bytes)} ({built})")
        for s in ix.serves:
            out.append(
                f"    serves {query_label(advice, s.query)}: {_num(advice, s.before)} -> "
                f"{_num(advice, s.after)} {u} ({pct(s.before, s.after)})"
            )
    if advice.indexes:
        out.append("")
    for t in advice.copy.tables:
        about = "" if t.counted else "~"
        how = "sampled" if t.sampled else "copied"
        out.append(f"  {t.name}: {t.rows:,} of {about}{t.source_rows:,} rows {how}")
    for label, why in advice.skipped:
        out.append(f"skipped {label}: {why}")
    out.extend(advice.notes)
    return "\n".join(out) + "\n"


def sql(advice: MySQLAdvice) -> str:
    """A migration adding the advised indexes, one ALTER TABLE per table."""
    out = [
        f"-- dbdesign advise: {advice.label}.",
        f"-- workload cost {_num(advice, advice.cost_before)} -> "
        f"{_num(advice, advice.cost_after)} {advice.unit} ({advice.relative_cost * 100:.1f}%)",
    ]
    tables = list(dict.fromkeys(ix.table for ix in advice.indexes))
    if len(tables) > 1:
        out.append(
            "-- DDL commits implicitly: each ALTER TABLE below may go in a migration file of "
            "its own"
        )
    out.append("")
    if not tables:
        out.append("-- no index to add")
        return "\n".join(out) + "\n"
    out.append("SET SESSION lock_wait_timeout = 5;")
    out.append("")
    for table in tables:
        mine = [ix for ix in advice.indexes if ix.table == table]
        for ix in mine:
            served = ", ".join(
                f"{query_label(advice, s.query)} {pct(s.before, s.after)}" for s in ix.serves
            )
            out.append(f"-- {ix.name}: ~{mb(ix.size_bytes)}; serves {served or 'no query alone'}")
        out.append(add_index_sql(table, [(ix.name, ix.key) for ix in mine]) + ";")
        out.append("")
    return "\n".join(out)
