"""The parameter sets an access pattern is proved with, drawn from the data: a pattern that
is fast for a typical key can be slow for the heaviest one (the customer with most orders), and
a plan that reads the index in order for one key may sort everything for another.

- equality lookups: the **heavy** hitter (the key with most rows), a **typical** key (the
  server's pick: one existing row at random) and a **rare** one (a key with fewest rows);
- ranges without equality: the server's **typical** range (the newest 5 %) and the **wide**
  one (from the smallest value to the largest); a lower bound on a scheduled time (values
  that run ahead of today: data_shape.py) also from **now** (what is still to come);
- a full-text search: the server's pick (the rarest words of one row) and the **common**
  word most rows hold (a search that matches much of the table);
- a traversal (``via``): the row it starts from drawn from the link table, by link (typical),
  the one with most links (heavy) and fewest (rare).

Each set carries the number of rows its query matches before ORDER BY and LIMIT (what a plan
that does not read rows in order must sort)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from dbdesign import dialects
from dbdesign.design import Design, PatternPlan
from dbdesign.design.data_shape import ahead_columns
from dbdesign.design.pattern_sql import IN_VALUES, count_sql
from dbdesign.design.prove_server import Server


@dataclass(frozen=True, slots=True)
class ParamSet:
    # heavy | typical | rare | wide | now | common, joined by "+" when they are the same values
    label: str
    values: tuple[Any, ...]
    matched: int  # rows the query matches before ORDER BY and LIMIT


def param_sets(server: Server, conn: Any, d: Design, pp: PatternPlan, seed: int) -> list[ParamSet]:
    """The parameter sets of ``pp`` (see the module's docstring), typical first."""
    typical = _fill(server, conn, d, pp, server.params(conn, d, pp, seed), seed)
    sets: list[tuple[str, tuple[Any, ...]]] = [("typical", typical)]
    eq = [i for i, p in enumerate(pp.params) if p.kind == "eq"]
    if eq:
        for label, order in (("heavy", "DESC"), ("rare", "ASC")):
            row = _key_by_count(server, conn, d, pp, [pp.params[i].column for i in eq], order)
            if row is not None:
                keyed = list(typical)
                for i, v in zip(eq, row, strict=True):
                    keyed[i] = v
                sets.append((label, _via(server, conn, d, pp, tuple(keyed), seed, "typical")))
    elif any(p.kind == "via" for p in pp.params):
        for label, how in (("heavy", "DESC"), ("rare", "ASC")):
            sets.append((label, _via(server, conn, d, pp, typical, seed, how)))
    elif any(p.kind == "lower" for p in pp.params):
        sets.append(("wide", _wide(server, conn, d, pp, typical)))
    now = _from_now(server, conn, d, pp, typical)
    if now is not None:
        sets.append(("now", now))
    if any(p.kind == "search" for p in pp.params):
        words = server.common_words(conn, d, pp)
        common = [
            words if p.kind == "search" else v for p, v in zip(pp.params, typical, strict=True)
        ]
        sets.append(("common", tuple(common)))
    out: list[ParamSet] = []
    for label, values in sets:
        same = next((i for i, s in enumerate(out) if s.values == values), None)
        if same is not None:  # the typical key is also the heaviest, say: "typical+heavy"
            out[same] = replace(out[same], label=f"{out[same].label}+{label}")
            continue
        out.append(ParamSet(label, values, matched_rows(server, conn, pp, values)))
    return out


def _fill(
    server: Server, conn: Any, d: Design, pp: PatternPlan, values: tuple[Any, ...], seed: int
) -> tuple[Any, ...]:
    """The values the server's pick leaves to the data alone: an IN list's (its most common
    values), an upper bound without a lower one (the oldest 5 %), a keyset's cursor (the last
    row of the typical key's first page)."""
    out = list(values)
    q = dialects.get(d.dialect).quote_ident
    table = _table(d, pp)
    eq = [i for i, p in enumerate(pp.params) if p.kind == "eq"]
    if any(out[i] is None for i in eq):  # the row drawn holds NULL there: = NULL finds none
        cols = [q(pp.params[i].column) for i in eq]
        rows = server.fetch(
            conn,
            f"SELECT {', '.join(cols)} FROM {table} WHERE "
            + " AND ".join(f"{c} IS NOT NULL" for c in cols)
            + f" ORDER BY {', '.join(cols)} LIMIT 1",
        )
        for i, v in zip(eq, rows[0] if rows else [None] * len(eq), strict=True):
            out[i] = v
    lowered = {p.column for p in pp.params if p.kind == "lower"}
    common: dict[str, list[Any]] = {}
    for i, p in enumerate(pp.params):
        c = q(p.column)
        if p.kind == "in":
            if p.column not in common:
                rows = server.fetch(
                    conn,
                    f"SELECT {c} FROM {table} WHERE {c} IS NOT NULL GROUP BY {c} "
                    f"ORDER BY count(*) DESC, {c} LIMIT {IN_VALUES}",
                )
                common[p.column] = [r[0] for r in rows] or [None]
            vals = common[p.column]
            marks = [x for x in pp.params if x.kind == "in" and x.column == p.column]
            k = sum(1 for x in pp.params[:i] if x.kind == "in" and x.column == p.column)
            # one parameter: an array (PostgreSQL); else one placeholder per value
            out[i] = vals if len(marks) == 1 else vals[k % len(vals)]
        elif p.kind == "upper" and p.column not in lowered:
            (n,) = server.fetch(conn, f"SELECT count({c}) FROM {table}")[0]
            rows = server.fetch(
                conn,
                f"SELECT {c} FROM {table} WHERE {c} IS NOT NULL ORDER BY {c} "
                f"LIMIT 1 OFFSET {int(n) // 20}",
            )
            out[i] = rows[0][0] if rows else None
    out = list(_via(server, conn, d, pp, tuple(out), seed, "typical"))
    if any(p.kind == "cursor" for p in pp.params):
        cursor = _cursor(server, conn, d, pp, out)
        out = [
            cursor.get(p.column) if p.kind == "cursor" else v
            for p, v in zip(pp.params, out, strict=True)
        ]
    return tuple(out)


def _via(
    server: Server,
    conn: Any,
    d: Design,
    pp: PatternPlan,
    values: tuple[Any, ...],
    seed: int,
    how: str,
) -> tuple[Any, ...]:
    """``values`` with a traversal's given key drawn from its link table, among the links of
    the equality values the link also holds (the tenant): ``typical`` one link drawn with the
    seed (busy rows are likelier), ``DESC`` the row with most links, ``ASC`` with fewest."""
    q = dialects.get(d.dialect).quote_ident
    out = list(values)
    for i, p in enumerate(pp.params):
        if p.kind != "via":
            continue
        link = d.schema.tables[p.table]
        cols = {c.name for c in link.columns}
        eq = [
            (x.column, v)
            for x, v in zip(pp.params, values, strict=True)
            if x.kind == "eq" and x.column in cols
        ]
        eq = list(dict(eq).items())
        where = " AND ".join(f"{q(c)} = ?" for c, _ in eq) or "1 = 1"
        args = tuple(v for _, v in eq)
        table, given = q(link.name), q(p.column)
        if how == "typical":
            ((n,),) = server.fetch(conn, f"SELECT count(*) FROM {table} WHERE {where}", args)
            at = random.Random(seed).randrange(int(n)) if n else 0
            order = ", ".join(map(q, link.primary_key.columns)) if link.primary_key else given
            sql = f"SELECT {given} FROM {table} WHERE {where} ORDER BY {order} LIMIT 1 OFFSET {at}"
        else:
            sql = (
                f"SELECT {given} FROM {table} WHERE {where} GROUP BY {given} "
                f"ORDER BY count(*) {how}, {given} LIMIT 1"
            )
        rows = server.fetch(conn, sql, args)
        out[i] = rows[0][0] if rows else None
    return tuple(out)


def _cursor(
    server: Server, conn: Any, d: Design, pp: PatternPlan, values: list[Any]
) -> dict[str, Any]:
    """A keyset cursor: the sort columns and id of the last row of the typical key's first
    page (of the first row, when the key has one page)."""
    q = dialects.get(d.dialect).quote_ident
    eq = [(p.column, v) for p, v in zip(pp.params, values, strict=True) if p.kind == "eq"]
    cols = list(dict.fromkeys(p.column for p in pp.params if p.kind == "cursor"))
    desc = pp.pattern.sort[0].startswith("-")
    order = ", ".join(f"{q(c)} {'DESC' if desc else 'ASC'}" for c in cols)
    where = " AND ".join(f"{q(c)} = ?" for c, _ in eq) or "1 = 1"
    for offset in ((pp.pattern.limit or 1) - 1, 0):
        rows = server.fetch(
            conn,
            f"SELECT {', '.join(map(q, cols))} FROM {_table(d, pp)} WHERE {where} "
            f"ORDER BY {order} LIMIT 1 OFFSET {offset}",
            tuple(v for _, v in eq),
        )
        if rows:
            return dict(zip(cols, rows[0], strict=True))
    return {}


def matched_rows(server: Server, conn: Any, pp: PatternPlan, values: tuple[Any, ...]) -> int:
    # a similarity search's vector is in its ORDER BY, which the count leaves out
    kept = tuple(v for p, v in zip(pp.params, values, strict=True) if p.kind != "vector")
    rows = server.run(conn, replace(pp, sql=count_sql(pp.sql)), kept)
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


def _from_now(
    server: Server, conn: Any, d: Design, pp: PatternPlan, typical: tuple[Any, ...]
) -> tuple[Any, ...] | None:
    """The typical values with each lower bound on a scheduled time moved to now (the first
    value at or after CURRENT_TIMESTAMP), or None when the pattern has none or nothing is to
    come."""
    ahead = ahead_columns(d)
    q = dialects.get(d.dialect).quote_ident
    values, moved = list(typical), False
    for i, p in enumerate(pp.params):
        if p.kind != "lower" or (pp.table, p.column) not in ahead:
            continue
        c = q(p.column)
        sql = f"SELECT min({c}) FROM {_table(d, pp)} WHERE {c} >= CURRENT_TIMESTAMP"
        (v,) = server.fetch(conn, sql)[0]
        if v is not None:
            values[i], moved = v, True
    return tuple(values) if moved else None


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
