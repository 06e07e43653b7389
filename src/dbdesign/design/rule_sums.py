"""Sums per parent (an entity's ``sums``): the rows of one parent sum a field to a value (a
journal entry's lines balance). A parent's rows are written one at a time, so the sum holds
only once the last is in: the check must wait for COMMIT.

- PostgreSQL: a ``DEFERRABLE INITIALLY DEFERRED`` constraint trigger, ``AFTER INSERT OR UPDATE
  OF <the columns it reads> OR DELETE ... FOR EACH ROW``, whose plpgsql function sums the rows
  of the parent the row belongs to (before and after an update that moves it) at COMMIT and
  raises ``check_violation`` naming the rule when they do not sum to the value. A parent with
  no such rows is not checked (deleting an entry deletes its lines). The sum is taken at
  COMMIT over the rows committed and the transaction's own: two transactions that change
  different rows of one parent each keep the sum only when their own changes add up to
  nothing, so together they keep it too; rows both change are taken in turn by their row
  locks, and the second's check (READ COMMITTED: a snapshot taken at its COMMIT) sees the
  first's. ``SET CONSTRAINTS <trigger> IMMEDIATE`` runs the check at once.
- MySQL / MariaDB and SQLite have no trigger or constraint that waits for COMMIT, and a row
  trigger would refuse the first row of every parent: the rule is application-enforced, and
  DESIGN.md says how (one transaction per parent's rows, the sum checked before COMMIT by the
  query given).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from dbdesign import dialects
from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.design.rule_sql import live, sql_of
from dbdesign.design.rule_triggers import trigger_function
from dbdesign.model import FrozenMap, IndexElement, Trigger
from dbdesign.readers import expression as X
from dbdesign.readers.spec import Entity, Spec
from dbdesign.readers.spec_rules import SumRule

# what the proof runs after its write so that a deferred check fires in the transaction it
# rolls back (PostgreSQL: the only dialect that keeps a sum)
CHECK_NOW = "SET CONSTRAINTS ALL IMMEDIATE"


def total_of(s: SumRule) -> Decimal:
    """The value the rows sum to, exactly (``equals: 0.1`` is 0.1, not the float nearest)."""
    return Decimal(str(s.equals))


def _shown(value: Decimal) -> str:
    """A total as SQL and DESIGN.md write it: ``0``, ``100.5``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def statement_of(s: SumRule) -> str:
    """The rule in the spec's terms: ``amount sums to 0 per entry``."""
    out = f"{s.field} sums to {_shown(total_of(s))} per {s.per}"
    return out + (f" where {s.where}" if s.where else "")


def trigger_name(table: str, s: SumRule, column: str, per_column: str) -> str:
    """The rule's trigger (and plan) name: ``trg_<table>_<name>``, else from its columns."""
    return object_name("trg", table, (s.name,) if s.name else (per_column, column, "sum"))


def spec_rule(spec: Spec, plan: RulePlan) -> SumRule:
    """The spec's sum that a design's plan keeps (found by the plan's name)."""
    e = spec.entities[plan.entity]
    table = plan.table.split(".", 1)[1]
    for s in e.sums:
        if trigger_name(table, s, plan.columns[s.field], plan.columns[s.per]) == plan.name:
            return s
    raise KeyError(plan.name)


def sum_rule(b: Draft, ename: str, e: Entity, t: TableDraft, s: SumRule) -> None:
    """The rule's constraint trigger and function (PostgreSQL), or the application's part."""
    column, per_col = b.column_of(ename, s.field), b.column_of(ename, s.per)
    name = trigger_name(t.name, s, column, per_col)
    condition = live(s.where, b.feature(e, "soft_delete"))
    reads = X.fields(X.parse(condition)) if condition else ()
    plan = RulePlan(
        kind="sum",
        entity=ename,
        table=b.key(t),
        name=name,
        statement=statement_of(s),
        how="",
        objects=(name,),
        columns=FrozenMap(
            {f: b.column_of(ename, f) for f in dict.fromkeys((s.field, s.per, *reads))}
        ),
        key=(s.per,),
        condition=condition,
        description=s.description,
        signature=(name,),
    )
    if not b.pg:
        b.rules.append(_application(b, t, plan, s, column, per_col))
        return
    fn = f"{name}_fn"
    body = _function_body(b, ename, t, plan, s, column, per_col)
    function = trigger_function(
        b, fn, body, f"Refuses, at COMMIT, the {t.name} of one {s.per} that break {name}."
    )
    watched = tuple(dict.fromkeys((column, per_col, *plan.columns.values())))
    tr = Trigger(
        schema=b.ns,
        table=t.name,
        name=name,
        timing="AFTER",
        events=("DELETE", "INSERT", "UPDATE"),
        level="ROW",
        function=function,
        columns=watched,
        constraint=True,
        deferrable=True,
        initially_deferred=True,
    )
    b.triggers[tr.key] = tr
    _lookup_index(b, t, per_col, name)
    how = (
        f"constraint trigger {name} (DEFERRABLE INITIALLY DEFERRED, AFTER INSERT OR UPDATE OR "
        f"DELETE, function {fn}) that sums the {t.name} of each {s.per} written at COMMIT "
        "and raises check_violation"
    )
    b.decide(
        name,
        "deferred constraint trigger",
        f"{plan.statement}: the {t.name} of one {s.per} are written one at a time and sum to "
        f"{_shown(total_of(s))} only together, so the check waits for COMMIT (SET CONSTRAINTS "
        f"{name} IMMEDIATE runs it earlier); a row check would refuse the first of them",
    )
    b.rules.append(replace(plan, how=how))


def _function_body(
    b: Draft, ename: str, t: TableDraft, plan: RulePlan, s: SumRule, column: str, per_col: str
) -> str:
    """The trigger function: each parent the row belongs to, before and after, summed."""
    d = dialects.get(b.dialect)
    q = d.quote_ident
    table = d.qualified(b.ns, t.name)
    total = _shown(total_of(s))
    conds = [f"o.{q(per_col)} = _parent"]
    if plan.condition:
        conds.append(f"({sql_of(b, ename, plan.condition, 'o.')})")
    message = d.quote_string(f"{plan.name}: {plan.statement}")

    def check(rec: str, when: str) -> list[str]:
        return [
            f"    IF {when} THEN",
            f"        _parent := {rec}.{q(per_col)};",
            f"        SELECT count(*), coalesce(sum(o.{q(column)}), 0) INTO _n, _total",
            f"          FROM {table} AS o WHERE {' AND '.join(conds)};",
            f"        IF _n > 0 AND _total <> {total} THEN",
            "            RAISE EXCEPTION USING ERRCODE = 'check_violation',",
            f"                MESSAGE = {message},",
            f"                DETAIL = format('{per_col} %s: its rows sum to %s, not {total}', "
            "_parent, _total);",
            "        END IF;",
            "    END IF;",
        ]

    per_type = next(c.type for c in t.columns if c.name == per_col)
    lines = [
        "",
        "DECLARE",
        f"    _parent {per_type.name};",
        "    _n bigint;",
        "    _total numeric;",
        "BEGIN",
        *check("NEW", f"TG_OP <> 'DELETE' AND NEW.{q(per_col)} IS NOT NULL"),
        *check(
            "OLD",
            f"TG_OP <> 'INSERT' AND OLD.{q(per_col)} IS NOT NULL AND (TG_OP = 'DELETE' OR "
            f"OLD.{q(per_col)} IS DISTINCT FROM NEW.{q(per_col)})",
        ),
        "    RETURN NULL;",
        "END;",
        "",
    ]
    return "\n".join(lines)


def _lookup_index(b: Draft, t: TableDraft, per_col: str, name: str) -> None:
    """The check finds a parent's rows by an index that leads with the reference (the
    foreign key's own, made here when no index leads with it yet)."""
    from dbdesign.design.indexes import existing_leading

    found = existing_leading(b, t, (per_col,), None)
    if found:
        b.purpose(t, found, f"the sum check of {name}")
        return
    b.index(
        t,
        object_name("idx", t.name, (per_col,)),
        (IndexElement(column=per_col),),
        purpose=f"the sum check of {name}: a parent's rows",
    )


def _application(
    b: Draft, t: TableDraft, plan: RulePlan, s: SumRule, column: str, per_col: str
) -> RulePlan:
    """Where no check can wait for COMMIT: the application keeps the rule, and how."""
    d = dialects.get(b.dialect)
    q = b.q
    total = _shown(total_of(s))
    where = f" AND ({sql_of(b, plan.entity, plan.condition)})" if plan.condition else ""
    query = (
        f"SELECT {q(per_col)} FROM {q(t.name)} WHERE {q(per_col)} IN (...){where} "
        f"GROUP BY {q(per_col)} HAVING sum({q(column)}) <> {total}"
    )
    parent = next(
        (fk.ref_table.split(".", 1)[1] for fk in t.fks.values() if fk.columns == (per_col,)),
        s.per,
    )
    # writers of one parent take turns on the parent's row (SQLite: one writer at a time)
    turns = f" after locking its {parent} row (SELECT ... FOR UPDATE)" if b.my else ""
    reason = (
        f"{d.title} has no trigger or constraint that waits for COMMIT, and a row trigger "
        f"would refuse the first of the {t.name} of one {s.per} (they sum to {total} only once "
        f"all are in): the application writes the {t.name} of one {s.per} in one "
        f"transaction{turns} and, before COMMIT, runs `{query}` over the {s.per} values it "
        "wrote, rolling back when a row comes back"
    )
    return replace(plan, reason=reason, objects=(), signature=())
