"""The parameter sets an access pattern is proved with, drawn from the data: a pattern that
is fast for a typical key can be slow for the heaviest one (the customer with most orders), and
a plan that reads the index in order for one key may sort everything for another.

- equality lookups: the **heavy** hitter (the key with most rows), a **typical** key (the
  server's pick: one existing row at random) and a **rare** one (a key with fewest rows);
- ranges without equality: the server's **typical** range (the newest 5 %) and the **wide**
  one (from the smallest value to the largest);
- anything else (full-text search): the server's pick alone.

Each set carries the number of rows its query matches before ORDER BY and LIMIT (what a plan
that does not read rows in order must sort)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from dbdesign import dialects
from dbdesign.design import Design, PatternPlan
from dbdesign.design.patterns import count_sql
from dbdesign.design.prove_server import Server


@dataclass(frozen=True, slots=True)
class ParamSet:
    label: str  # heavy | typical | rare | wide, joined by "+" when they are the same values
    values: tuple[Any, ...]
    matched: int  # rows the query matches before ORDER BY and LIMIT


def param_sets(server: Server, conn: Any, d: Design, pp: PatternPlan, seed: int) -> list[ParamSet]:
    """The parameter sets of ``pp`` (see the module's docstring), typical first."""
    typical = server.params(conn, d, pp, seed)
    sets: list[tuple[str, tuple[Any, ...]]] = [("typical", typical)]
    eq = [i for i, p in enumerate(pp.params) if p.kind == "eq"]
    if eq:
        for label, order in (("heavy", "DESC"), ("rare", "ASC")):
            row = _key_by_count(server, conn, d, pp, [pp.params[i].column for i in eq], order)
            if row is not None:
                keyed = list(typical)
                for i, v in zip(eq, row, strict=True):
                    keyed[i] = v
                sets.append((label, tuple(keyed)))
    elif any(p.kind == "lower" for p in pp.params):
        sets.append(("wide", _wide(server, conn, d, pp, typical)))
    out: list[ParamSet] = []
    for label, values in sets:
        same = next((i for i, s in enumerate(out) if s.values == values), None)
        if same is not None:  # the typical key is also the heaviest, say: "typical+heavy"
            out[same] = replace(out[same], label=f"{out[same].label}+{label}")
            continue
        out.append(ParamSet(label, values, matched_rows(server, conn, pp, values)))
    return out


def matched_rows(server: Server, conn: Any, pp: PatternPlan, values: tuple[Any, ...]) -> int:
    rows = server.run(conn, replace(pp, sql=count_sql(pp.sql)), values)
    return int(rows[0][0])


def _table(d: Design, pp: PatternPlan) -> str:
    q = dialects.get(d.dialect).quote_ident
    return q(d.schema.tables[pp.table].name)


def _key_by_count(
    server: Server, conn: Any, d: Design, pp: PatternPlan, cols: list[str], order: str
) -> tuple[Any, ...] | None:
    """The equality key with the most (``DESC``) or fewest (``ASC``) rows."""
    q = dialects.get(d.dialect).quote_ident
    listed = ", ".join(q(c) for c in cols)
    rows = server.fetch(
        conn,
        f"SELECT {listed} FROM {_table(d, pp)} GROUP BY {listed} "
        f"ORDER BY count(*) {order}, {listed} LIMIT 1",
    )
    return tuple(rows[0]) if rows else None


def _wide(
    server: Server, conn: Any, d: Design, pp: PatternPlan, typical: tuple[Any, ...]
) -> tuple[Any, ...]:
    """The typical values with each range widened to every value the column holds."""
    q = dialects.get(d.dialect).quote_ident
    values = list(typical)
    for i, p in enumerate(pp.params):
        if p.kind not in ("lower", "upper"):
            continue
        fn = "min" if p.kind == "lower" else "max"
        (v,) = server.fetch(conn, f"SELECT {fn}({q(p.column)}) FROM {_table(d, pp)}")[0]
        if v is not None:
            values[i] = v
    return tuple(values)
