"""Triggers that keep business rules where no constraint can: no overlapping ranges on SQLite
and MySQL / MariaDB, and on MySQL a check on a column a foreign key's action changes.

SQLite: ``BEFORE INSERT`` and ``BEFORE UPDATE`` triggers whose ``WHEN EXISTS (...)`` finds an
overlapping row and ``RAISE(ABORT, ...)``s; SQLite runs one writer at a time, so no concurrent
write slips between the check and the insert. MySQL: the same check in the trigger's body, which
``SIGNAL SQLSTATE '45000'``s. InnoDB's plain reads do not see uncommitted rows, so the body
first locks the parent row of the key (``SELECT ... FOR UPDATE``: two writers for one room take
turns; a locking read of the table being written is refused inside its own trigger).

The overlap test is PostgreSQL's ``&&`` on ``[start, end)`` ranges: a NULL bound is unbounded,
an empty range (start = end) overlaps nothing.
"""

from __future__ import annotations

from dataclasses import replace

from dbdesign import dialects
from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.design.rule_sql import sql_of
from dbdesign.model import Expr, Function, Trigger

MESSAGE_MAX = 128  # MySQL's MESSAGE_TEXT


def _trigger_name(t: TableDraft, plan: RulePlan, event: str) -> str:
    short = plan.name.split("_", 1)[1] if "_" in plan.name else plan.name
    return object_name("trg", short, suffix=event.lower())


def _message(b: Draft, plan: RulePlan) -> str:
    text = f"{plan.name}: {plan.statement}"[:MESSAGE_MAX]
    return dialects.get(b.dialect).quote_string(text)


def _overlap(a: str, o: str, s: str, e: str, nullable: tuple[bool, bool]) -> list[str]:
    """Conditions that rows ``a`` and ``o`` (aliases) have overlapping, non-empty
    ``[s, e)`` ranges."""
    s_null, e_null = nullable

    def lt(x: str, y: str) -> str:  # x < y, a NULL start or end being unbounded
        nulls = [f"{x} IS NULL"] if s_null else []
        nulls += [f"{y} IS NULL"] if e_null else []
        return f"({' OR '.join([*nulls, f'{x} < {y}'])})" if nulls else f"{x} < {y}"

    return [
        lt(f"{a}.{s}", f"{o}.{e}"),
        lt(f"{o}.{s}", f"{a}.{e}"),
        lt(f"{a}.{s}", f"{a}.{e}"),  # non-empty
        lt(f"{o}.{s}", f"{o}.{e}"),
    ]


def overlap_triggers(
    b: Draft,
    ename: str,
    t: TableDraft,
    plan: RulePlan,
    per: tuple[str, ...],
    rng: tuple[str, str],
) -> None:
    """BEFORE INSERT and BEFORE UPDATE triggers refusing a row whose range overlaps another
    row's with the same key."""
    d = dialects.get(b.dialect)
    q = d.quote_ident
    by_name = {c.name: c for c in t.columns}
    s, en = q(rng[0]), q(rng[1])
    nullable = (by_name[rng[0]].nullable, by_name[rng[1]].nullable)
    cond = plan.condition
    names = []
    for event in ("INSERT", "UPDATE"):
        conds = [f"o.{q(c)} = NEW.{q(c)}" for c in per]
        conds += _overlap("NEW", "o", s, en, nullable)
        if event == "UPDATE":
            me = "rowid" if not b.my else q("id")
            conds.append(f"o.{me} <> OLD.{me}")
        if cond:  # the rule's condition, on the other row and on the new one
            conds.append(f"({sql_of(b, ename, cond, 'o.')})")
        exists = f"EXISTS (SELECT 1 FROM {q(t.name)} AS o WHERE {' AND '.join(conds)})"
        when = f"({sql_of(b, ename, cond, 'NEW.')}) AND {exists}" if cond else exists
        name = _trigger_name(t, plan, event)
        if b.my:
            body = mysql_body(b, t, per, when, _message(b, plan))
            tr = Trigger(
                schema=b.ns,
                table=t.name,
                name=name,
                timing="BEFORE",
                events=(event,),
                level="ROW",
                body=Expr(body, b.dialect),
            )
        else:
            tr = Trigger(
                schema=b.ns,
                table=t.name,
                name=name,
                timing="BEFORE",
                events=(event,),
                level="ROW",
                when=Expr(when, b.dialect),
                body=Expr(f"SELECT RAISE(ABORT, {_message(b, plan)});", b.dialect),
            )
        b.triggers[tr.key] = tr
        names.append(name)
    how, why = _overlap_how(b, t, plan, per, names)
    b.decide(plan.name, "BEFORE INSERT / UPDATE triggers", why)
    b.rules.append(replace(plan, how=how, objects=(plan.name, *names)))


def _overlap_how(
    b: Draft, t: TableDraft, plan: RulePlan, per: tuple[str, ...], names: list[str]
) -> tuple[str, str]:
    """What DESIGN.md says of the triggers: how they refuse, and what to know."""
    how = f"BEFORE INSERT / UPDATE triggers {' and '.join(names)}"
    if b.my:
        parent = _parent_lock(b, t, per)
        how += " that SIGNAL SQLSTATE '45000' on an overlapping row"
        if parent:
            why = (
                f"{plan.statement}: no exclusion constraints in MySQL; each trigger first "
                f"locks the {parent[0]} row (SELECT ... FOR UPDATE), so two writers of one "
                "key take turns. Run those writes in READ COMMITTED, or make the INSERT / "
                "UPDATE the transaction's first read: a REPEATABLE READ snapshot taken "
                "earlier does not see the other writer's row"
            )
        else:
            why = (
                f"{plan.statement}: no exclusion constraints in MySQL, and no parent row to "
                "lock: two concurrent transactions can both pass the check; serialise such "
                "writes in the application (a lock on a parent row, or SERIALIZABLE)"
            )
        return how, why
    how += " that RAISE(ABORT) on an overlapping row"
    why = (
        f"{plan.statement}: SQLite has no exclusion constraints; the triggers refuse the "
        "write, and SQLite's single writer means no concurrent write passes the check. "
        "Timestamps are compared as ISO 8601 text: write them in one format, in UTC"
    )
    return how, why


def _parent_lock(b: Draft, t: TableDraft, per: tuple[str, ...]) -> tuple[str, str] | None:
    """The parent table whose row the key references, and the locking read of that row
    (for a key that is one reference, with the tenant key if it carries one)."""
    q = dialects.get(b.dialect).quote_ident
    allowed = set(per) | ({t.tenant_col} if t.tenant_col else set())
    for fk in t.fks.values():
        if set(per) <= set(fk.columns) and set(fk.columns) <= allowed:
            parent = fk.ref_table.split(".", 1)[1]
            where = " AND ".join(
                f"{q(r)} = NEW.{q(c)}" for c, r in zip(fk.columns, fk.ref_columns, strict=True)
            )
            return parent, f"SELECT 1 INTO held FROM {q(parent)} WHERE {where} FOR UPDATE;"
    return None


def mysql_body(b: Draft, t: TableDraft, per: tuple[str, ...], cond: str, message: str) -> str:
    lock = _parent_lock(b, t, per) if per else None
    lines = ["BEGIN"]
    if lock:
        lines += ["  DECLARE held INT;", f"  {lock[1]}"]
    lines += [
        f"  IF {cond} THEN",
        f"    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {message};",
        "  END IF;",
        "END",
    ]
    return "\n".join(lines)


def check_triggers(
    b: Draft, t: TableDraft, plan: RulePlan, cond: str, acting: tuple[str, ...]
) -> None:
    """MySQL: a check kept by BEFORE INSERT / UPDATE triggers (SIGNAL when it is false), for a
    column a foreign key's action changes (MySQL 8 refuses a CHECK on it: error 3823)."""
    names = []
    for event in ("INSERT", "UPDATE"):
        body = "\n".join(
            [
                "BEGIN",
                f"  IF NOT ({cond}) THEN",
                f"    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {_message(b, plan)};",
                "  END IF;",
                "END",
            ]
        )
        tr = Trigger(
            schema=b.ns,
            table=t.name,
            name=_trigger_name(t, plan, event),
            timing="BEFORE",
            events=(event,),
            level="ROW",
            body=Expr(body, b.dialect),
        )
        b.triggers[tr.key] = tr
        names.append(tr.name)
    how = f"BEFORE INSERT / UPDATE triggers {' and '.join(names)} that SIGNAL when it is false"
    reason = (
        f"MySQL 8 refuses a CHECK on {', '.join(acting)}, which a foreign key's ON DELETE "
        "action changes (error 3823); that action itself does not fire triggers"
    )
    b.decide(plan.name, "BEFORE INSERT / UPDATE triggers", f"{plan.statement}: {reason}")
    b.rules.append(replace(plan, how=how, objects=(plan.name, *names), reason=reason))


def trigger_function(b: Draft, fn: str, body: str, comment: str) -> str:
    """Add the PL/pgSQL trigger function ``fn`` (in the design's schema) that a rule's
    trigger runs; its qualified name."""
    b.functions[f"{b.ns}.{fn}()"] = Function(
        schema=b.ns, name=fn, returns="trigger", language="plpgsql", body=body, comment=comment
    )
    return f"{b.ns}.{fn}"
