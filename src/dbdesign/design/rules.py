"""The spec's business rules in the schema, each in the strongest form the dialect has, and a
:class:`~dbdesign.design.draft.RulePlan` for DESIGN.md, the data generator and the proof.

- ``checks``: a CHECK constraint everywhere (MariaDB 10.2+ and MySQL 8.0.16+ enforce them).
  MySQL 8 refuses a CHECK on a column that a foreign key's ON DELETE action changes, so such a
  check is kept there by BEFORE INSERT / UPDATE triggers; a check that reads the AUTO_INCREMENT
  key cannot be kept by MySQL at all and is left to the application, with the reason.
- ``unique`` with ``where``: a partial unique index (PostgreSQL, SQLite); MySQL has none, so a
  STORED generated column per key column holds the value while the condition is true and NULL
  otherwise, and a unique key over them lets the NULLs repeat.
- ``no_overlap``: PostgreSQL's exclusion constraint (GiST, ``&&`` on a range built from the
  two columns); SQLite and MySQL check in BEFORE INSERT / UPDATE triggers that refuse the
  write (``RAISE(ABORT)``, ``SIGNAL SQLSTATE '45000'``).
- ``transitions``, ``sums`` and a relationship's ``at_most``: triggers, in their own modules
  (:mod:`~dbdesign.design.rule_transitions`, :mod:`~dbdesign.design.rule_sums`,
  :mod:`~dbdesign.design.rule_bounded`).

Rules on a soft-deleted entity hold among the rows not deleted, as its unique keys do.
"""

from __future__ import annotations

from dataclasses import replace

from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.design.rule_bounded import at_most_rule
from dbdesign.design.rule_sql import live, sql_of
from dbdesign.design.rule_sums import sum_rule
from dbdesign.design.rule_transitions import transition_rule
from dbdesign.design.rule_triggers import (
    check_triggers,
    overlap_triggers,
)
from dbdesign.model import (
    Check,
    Column,
    Exclusion,
    ExclusionElement,
    Expr,
    Extension,
    FrozenMap,
    Generated,
    IndexElement,
    Unique,
)
from dbdesign.readers import expression as X
from dbdesign.readers.spec import Entity
from dbdesign.readers.spec_rules import CheckRule, NoOverlapRule, UniqueRule, check_of

# PostgreSQL's range type for the columns of a no-overlap rule, by column type
_RANGES = {
    "timestamp with time zone": "tstzrange",
    "timestamp without time zone": "tsrange",
    "date": "daterange",
    "bigint": "int8range",
    "integer": "int4range",
    "smallint": "int4range",
    "numeric": "numrange",
}
# integer keys compared as one-point ranges: GiST has no = for them without btree_gist
_POINT_RANGES = {"bigint": "int8range", "integer": "int4range"}


def business_rules(b: Draft) -> None:
    """Every entity's rules, in the spec's order (unique, no_overlap, checks, transitions,
    sums), then the relationships' bounds."""
    for ename, e in b.spec.entities.items():
        t = b.tables[ename]
        for u in e.unique:
            unique_rule(b, ename, e, t, u)
        for o in e.no_overlap:
            no_overlap_rule(b, ename, e, t, o)
        for c in e.checks:
            check_rule(b, ename, e, t, check_of(c))
        for tr in e.transitions:
            transition_rule(b, ename, t, tr)
        for s in e.sums:
            sum_rule(b, ename, e, t, s)
    for r in b.spec.relationships:
        if r.at_most is not None and r.type == "one-to-many":
            at_most_rule(b, r)


def _columns(b: Draft, ename: str, fields: tuple[str, ...]) -> FrozenMap[str, str]:
    return FrozenMap({f: b.column_of(ename, f) for f in dict.fromkeys(fields)})


def _free_name(b: Draft, t: TableDraft, name: str) -> str:
    """``name``, or ``name_2``, ``name_3`` ... when the table or schema has it already."""
    taken = set(t.checks) | set(t.uniques) | set(t.exclusions) | set(t.fks) | set(b.indexes)
    taken |= {tr.name for tr in b.triggers.values()}
    out, n = name, 2
    while out in taken:
        out = object_name("", name, suffix=str(n)).lstrip("_")
        n += 1
    return out


def _soft(b: Draft, e: Entity) -> bool:
    return b.feature(e, "soft_delete")


# ---- unique ----------------------------------------------------------------------------------


def unique_rule(b: Draft, ename: str, e: Entity, t: TableDraft, u: UniqueRule) -> None:
    cols = tuple(b.column_of(ename, f) for f in u.columns)
    name = _free_name(
        b, t, object_name("uq", t.name, (u.name,) if u.name else cols, "" if u.name else "when")
    )
    statement = f"({', '.join(u.columns)}) is unique" + (f" where {u.where}" if u.where else "")
    condition = live(u.where, _soft(b, e))  # among the rows not soft-deleted
    reads = (*u.columns, *(X.fields(X.parse(condition)) if condition else ()))
    plan = RulePlan(
        kind="unique",
        entity=ename,
        table=b.key(t),
        name=name,
        statement=statement,
        how="",
        objects=(name,),
        columns=_columns(b, ename, reads),
        key=u.columns,
        condition=condition,
        description=u.description,
        # SQLite names a unique index's columns when it refuses a row, not the index
        signature=(name, ", ".join(f"{t.name}.{c}" for c in cols)),
    )
    if u.where is None and not _soft(b, e):
        b.add_unique(t, cols, "stated unique in the spec's rules")
        how = f"UNIQUE constraint {name} ({', '.join(cols)})"
        b.rules.append(replace(plan, how=how))
        return
    if b.my:
        _unique_generated(b, ename, e, t, plan, cols)
        return
    if t.partition_key is not None and t.partition_key not in cols:
        b.rules.append(
            replace(
                plan,
                reason=f"a unique index on a partitioned table must include its partition key "
                f"({t.partition_key}), which this key does not: the application keeps it",
            )
        )
        return
    where = sql_of(b, ename, live(u.where, _soft(b, e)) or "")
    b.index(
        t,
        name,
        tuple(IndexElement(column=c) for c in cols),
        unique=True,
        where=where,
        purpose=f"the rule: {statement}",
    )
    how = f"partial unique index {name} ON ({', '.join(cols)}) WHERE {where}"
    b.decide(name, "partial unique index", f"{statement}: the index holds only those rows")
    b.rules.append(replace(plan, how=how))


def _conjunction(parts: list[str], extra: str) -> str:
    parts = [p for p in (*parts, extra) if p]
    if len(parts) == 1:
        return parts[0]
    return " AND ".join(f"({p})" for p in parts)


def _unique_generated(
    b: Draft, ename: str, e: Entity, t: TableDraft, plan: RulePlan, cols: tuple[str, ...]
) -> None:
    """MySQL: a generated column per key column, its value while the condition holds, NULL
    otherwise; a unique key over them (NULLs never collide)."""
    cond = sql_of(b, ename, plan.condition or "")
    by_name = {c.name: c for c in t.columns}
    made = []
    for col in cols:
        gname = _generated_name(t, col)
        src = by_name[col]
        t.columns.append(
            Column(
                name=gname,
                type=src.type,
                generated=Generated(expr=Expr(f"if({cond},{b.q(col)},NULL)", b.dialect)),
            )
        )
        made.append(gname)
    t.uniques[plan.name] = Unique(name=plan.name, columns=tuple(made))
    b.index_purposes.setdefault(plan.name, []).append(f"the rule: {plan.statement}")
    how = (
        f"STORED generated column{'s' if len(made) > 1 else ''} {', '.join(made)} "
        f"= the key while {cond}, else NULL, and UNIQUE KEY {plan.name} over "
        f"{'them' if len(made) > 1 else 'it'}"
    )
    b.decide(
        plan.name,
        f"unique key ({', '.join(made)}) on generated columns",
        f"{plan.statement}: MySQL has no partial indexes; a unique key lets NULLs repeat, so "
        "rows where the condition is false never collide",
    )
    b.rules.append(replace(plan, how=how, signature=(plan.name,)))


def _generated_name(t: TableDraft, col: str) -> str:
    taken = {c.name for c in t.columns}
    name, n = f"{col}_when", 2
    while name in taken:
        name = f"{col}_when{n}"
        n += 1
    return name


# ---- no overlap ------------------------------------------------------------------------------


def no_overlap_rule(b: Draft, ename: str, e: Entity, t: TableDraft, o: NoOverlapRule) -> None:
    start, end = o.range
    per = tuple(b.column_of(ename, f) for f in o.per)
    s_col, e_col = b.column_of(ename, start), b.column_of(ename, end)
    name = _free_name(
        b, t, object_name("ex", t.name, (o.name,) if o.name else (*per, s_col, e_col))
    )
    statement = f"[{start}, {end}) ranges never overlap" + (
        f" for the same {', '.join(o.per)}" if o.per else ""
    )
    if o.where:
        statement += f" where {o.where}"
    condition = live(o.where, _soft(b, e))
    reads = X.fields(X.parse(condition)) if condition else ()
    plan = RulePlan(
        kind="no_overlap",
        entity=ename,
        table=b.key(t),
        name=name,
        statement=statement,
        how="",
        objects=(name,),
        columns=_columns(b, ename, (*o.per, start, end, *reads)),
        key=o.per,
        range=o.range,
        condition=condition,
        description=o.description,
        signature=(name,),
    )
    if b.pg:
        _exclusion(b, ename, t, plan, per, (s_col, e_col))
    else:
        overlap_triggers(b, ename, t, plan, per, (s_col, e_col))
        _lookup_index(b, t, per, s_col, plan)


def _exclusion(
    b: Draft, ename: str, t: TableDraft, plan: RulePlan, per: tuple[str, ...], rng: tuple[str, str]
) -> None:
    """PostgreSQL: EXCLUDE USING gist. An integer key is compared as a one-point range
    (``int8range(room_id, room_id, '[]') &&``), which core PostgreSQL indexes with GiST; any
    other key needs btree_gist's ``=``."""
    if t.partition_by is not None:
        b.rules.append(
            replace(
                plan,
                reason="an exclusion constraint on a partitioned table must compare the "
                "partition key with =, which a range rule cannot: the application keeps it",
            )
        )
        return
    types = {c.name: c for c in t.columns}
    elements: list[ExclusionElement] = []
    wheres: list[str] = []
    gist_ops = False
    for col in per:
        fn = _POINT_RANGES.get(types[col].type.name)
        if fn is None:
            gist_ops = True
            elements.append(ExclusionElement(element=IndexElement(column=col), operator="="))
            continue
        expr = Expr(f"{fn}({col}, {col}, '[]'::text)")
        elements.append(ExclusionElement(element=IndexElement(expr=expr), operator="&&"))
        if types[col].nullable:  # a NULL key would be the unbounded range: overlap all
            wheres.append(f"{col} IS NOT NULL")
    range_fn = _RANGES[types[rng[0]].type.name]
    elements.append(
        ExclusionElement(
            element=IndexElement(expr=Expr(f"{range_fn}({rng[0]}, {rng[1]})")), operator="&&"
        )
    )
    if plan.condition:
        wheres.append(sql_of(b, ename, plan.condition))
    where = _conjunction(wheres, "")
    t.exclusions[plan.name] = Exclusion(
        name=plan.name,
        method="gist",
        elements=tuple(elements),
        where=Expr(where) if where else None,
    )
    if gist_ops:
        b.extensions["btree_gist"] = Extension(name="btree_gist", schema=b.ns)
    parts = ", ".join(
        f"{el.element.column or el.element.expr} WITH {el.operator}" for el in elements
    )
    how = f"EXCLUDE USING gist ({parts})" + (f" WHERE ({where})" if where else "")
    if gist_ops:
        how += " (btree_gist for =)"
    why = (
        f"{plan.statement}: the server refuses an overlapping row itself, under concurrent "
        f"writes too; {range_fn}(start, end) is the half-open range [start, end)"
    )
    if per and not gist_ops:
        why += (
            "; the key is compared as a one-point range, so core PostgreSQL's GiST serves it "
            "without the btree_gist extension (servers built without contrib modules lack it)"
        )
    elif gist_ops:
        why += "; btree_gist gives GiST the = of the key's type (CREATE EXTENSION btree_gist)"
    b.decide(plan.name, "exclusion constraint", why)
    b.rules.append(replace(plan, how=how))


def _lookup_index(
    b: Draft, t: TableDraft, per: tuple[str, ...], start: str, plan: RulePlan
) -> None:
    """The triggers find a key's rows by an index that leads with it (and the start)."""
    from dbdesign.design.indexes import existing_leading

    lead = per or (start,)
    found = existing_leading(b, t, lead, None)
    if found:
        b.purpose(t, found, f"the no-overlap check of {plan.name}")
        return
    cols = (*per, start) if per else (start,)
    b.index(
        t,
        object_name("idx", t.name, cols),
        tuple(IndexElement(column=c) for c in cols),
        purpose=f"the no-overlap check of {plan.name}: the rows of one key, by start",
    )


# ---- checks ----------------------------------------------------------------------------------


def check_rule(b: Draft, ename: str, e: Entity, t: TableDraft, c: CheckRule) -> None:
    node = X.parse(c.check)
    fields = X.fields(node)
    cols = tuple(b.column_of(ename, f) for f in fields)
    name = _free_name(b, t, object_name("chk", t.name, (c.name,) if c.name else cols))
    plan = RulePlan(
        kind="check",
        entity=ename,
        table=b.key(t),
        name=name,
        statement=c.check,
        how="",
        objects=(name,),
        columns=_columns(b, ename, fields),
        condition=c.check,
        description=c.description,
        signature=(name,),
    )
    if b.my and "id" in cols and any(col.identity for col in t.columns if col.name == "id"):
        b.rules.append(
            replace(
                plan,
                reason="MySQL and MariaDB refuse a CHECK on an AUTO_INCREMENT column, and a "
                "BEFORE INSERT trigger does not see its value yet",
            )
        )
        return
    acting = _acted_on(t, cols) if b.my else ()
    if acting:
        check_triggers(b, t, plan, sql_of(b, ename, c.check, "NEW."), acting)
        return
    t.checks[name] = Check(name=name, expr=Expr(sql_of(b, ename, c.check), b.dialect))
    b.rules.append(replace(plan, how=f"CHECK constraint {name}"))


def _acted_on(t: TableDraft, cols: tuple[str, ...]) -> tuple[str, ...]:
    """Columns of ``cols`` that a foreign key's ON DELETE / ON UPDATE action changes."""
    out: list[str] = []
    for fk in t.fks.values():
        if {fk.on_delete, fk.on_update} & {"CASCADE", "SET NULL", "SET DEFAULT"}:
            out += [c for c in fk.columns if c in cols]
    return tuple(dict.fromkeys(out))
