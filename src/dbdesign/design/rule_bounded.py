"""Bounded children (a relationship's ``at_most``): at most N children per parent, among the
children where a condition holds, kept by row triggers on the child table on every dialect.

- PostgreSQL: one ``BEFORE INSERT OR UPDATE`` trigger whose plpgsql function locks the parent
  row (``SELECT ... FOR UPDATE``: two writers adding children to one parent take turns, so
  neither counts before the other's child is visible), counts the parent's other children
  that meet the condition and raises ``check_violation`` at N;
- MySQL / MariaDB: the same in ``BEFORE INSERT`` / ``BEFORE UPDATE`` trigger bodies, which
  ``SIGNAL SQLSTATE '45000'``;
- SQLite: ``BEFORE INSERT`` / ``BEFORE UPDATE`` triggers whose ``WHEN`` counts and
  ``RAISE(ABORT, ...)``s; SQLite runs one writer at a time.
"""

from __future__ import annotations

from dataclasses import replace

from dbdesign import dialects
from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.design.rule_sql import sql_of
from dbdesign.design.rule_triggers import mysql_body, trigger_function
from dbdesign.model import Expr, FrozenMap, Trigger
from dbdesign.readers import expression as X
from dbdesign.readers.spec import Relationship
from dbdesign.readers.spec_rules import at_most_of

MESSAGE_MAX = 128  # MySQL's MESSAGE_TEXT


def at_most_rule(b: Draft, r: Relationship) -> None:
    """The triggers (and on PostgreSQL the function) of one relationship's ``at_most``."""
    assert r.child is not None and r.parent is not None and r.at_most is not None
    a = at_most_of(r.at_most)
    child = r.child
    t = b.tables[child]
    d = dialects.get(b.dialect)
    q = d.quote_ident
    field = r.name or r.parent
    fk = b.column_of(child, field)
    name = object_name("trg", t.name, (a.name,) if a.name else (fk, "at_most"))
    statement = f"at most {a.count} {t.name} per {r.parent}" + (
        f" where {a.where}" if a.where else ""
    )
    message = f"{name}: {statement}"[:MESSAGE_MAX]
    new_cond = [f"NEW.{q(fk)} IS NOT NULL"]
    if a.where:
        new_cond.append(f"({sql_of(b, child, a.where, 'NEW.')})")
    table = d.qualified(b.ns, t.name) if b.pg else q(t.name)

    def count(exclude: str | None) -> str:
        conds = [f"o.{q(fk)} = NEW.{q(fk)}"]
        if a.where:
            conds.append(f"({sql_of(b, child, a.where, 'o.')})")
        if exclude:
            conds.append(exclude)
        return f"(SELECT count(*) FROM {table} AS o WHERE {' AND '.join(conds)}) >= {a.count}"

    pk = t.pk.columns if t.pk else ("id",)
    not_me = "NOT (" + " AND ".join(f"o.{q(c)} = OLD.{q(c)}" for c in pk) + ")"
    if b.pg:
        objects = _pg(b, t, name, " AND ".join(new_cond), count, not_me, fk, message)
        how = f"BEFORE INSERT OR UPDATE trigger {name} that locks the {r.parent} row and counts"
    else:
        objects = []
        for event in ("INSERT", "UPDATE"):
            exclude = (
                None if event == "INSERT" else ("o.rowid <> OLD.rowid" if not b.my else not_me)
            )
            cond = " AND ".join([*new_cond, count(exclude)])
            tname = object_name("trg", name.removeprefix("trg_"), suffix=event.lower())
            tr = Trigger(
                schema=b.ns, table=t.name, name=tname, timing="BEFORE", events=(event,), level="ROW"
            )
            if b.my:
                body = mysql_body(b, t, (fk,), cond, d.quote_string(message))
                tr = replace(tr, body=Expr(body, b.dialect))
            else:
                tr = replace(
                    tr,
                    when=Expr(cond, b.dialect),
                    body=Expr(f"SELECT RAISE(ABORT, {d.quote_string(message)});", b.dialect),
                )
            b.triggers[tr.key] = tr
            objects.append(tname)
        if b.my:
            b.decide(
                name,
                "BEFORE INSERT / UPDATE triggers",
                f"{statement}: each trigger first locks the {r.parent} row (SELECT ... FOR "
                "UPDATE), so two writers of one parent take turns. Run those writes in READ "
                "COMMITTED, or make the INSERT / UPDATE the transaction's first read: a "
                "REPEATABLE READ snapshot taken earlier does not count the other writer's row",
            )
        verb = "SIGNAL" if b.my else "RAISE(ABORT)"
        how = f"BEFORE INSERT / UPDATE triggers {' and '.join(objects)} that count and {verb}"
    fields = X.fields(X.parse(a.where)) if a.where else ()
    b.rules.append(
        RulePlan(
            kind="at_most",
            entity=child,
            table=b.key(t),
            name=name,
            statement=statement,
            how=how,
            objects=tuple(objects),
            columns=FrozenMap({f: b.column_of(child, f) for f in dict.fromkeys((field, *fields))}),
            key=(field,),
            condition=a.where,
            description=a.description,
            signature=(name, *objects),
            limit=a.count,
        )
    )


def _pg(
    b: Draft,
    t: TableDraft,
    name: str,
    new_cond: str,
    count: object,
    not_me: str,
    fk: str,
    message: str,
) -> list[str]:
    d = dialects.get(b.dialect)
    q = d.quote_ident
    assert callable(count)
    lock = ""
    for f in t.fks.values():
        if fk in f.columns:
            parent = f.ref_table
            schema, pname = parent.split(".", 1)
            where = " AND ".join(
                f"{q(rc)} = NEW.{q(c)}" for c, rc in zip(f.columns, f.ref_columns, strict=True)
            )
            lock = f"        PERFORM 1 FROM {d.qualified(schema, pname)} WHERE {where} FOR UPDATE;"
            break
    fn = f"{name}_fn"
    mine = f"(TG_OP = 'INSERT' OR {not_me})"
    body = "\n".join(
        [
            "",
            "BEGIN",
            f"    IF {new_cond} THEN",
            *([lock] if lock else []),
            f"        IF {count(mine)} THEN",
            "            RAISE EXCEPTION USING ERRCODE = 'check_violation',",
            f"                MESSAGE = {d.quote_string(message)};",
            "        END IF;",
            "    END IF;",
            "    RETURN NEW;",
            "END;",
            "",
        ]
    )
    function = trigger_function(
        b, fn, body, f"Refuses a child of {t.name} past the bound of {name}."
    )
    tr = Trigger(
        schema=b.ns,
        table=t.name,
        name=name,
        timing="BEFORE",
        events=("INSERT", "UPDATE"),
        level="ROW",
        function=function,
    )
    b.triggers[tr.key] = tr
    return [name]
