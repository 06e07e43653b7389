"""State transitions (``transitions:``): a field's value may move on UPDATE only along the
allowed moves, kept by a ``BEFORE UPDATE`` row trigger on every dialect.

- PostgreSQL: a plpgsql trigger function that raises ``check_violation`` naming the rule and
  the refused move;
- SQLite: a trigger whose ``WHEN`` finds a forbidden move and ``RAISE(ABORT, ...)``s;
- MySQL / MariaDB: the same test in the trigger's body, which ``SIGNAL SQLSTATE '45000'``s.

A move is a change between two non-NULL values: setting the field to its own value is no move,
and a NULL on either side is left to the field's NOT NULL (a status is required as a rule). The
trigger reads only the row being updated (``OLD`` and ``NEW``), so concurrent writers need no
lock: each sees the row version it replaces.
"""

from __future__ import annotations

from dataclasses import replace

from dbdesign import dialects
from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.design.rule_triggers import trigger_function
from dbdesign.model import Expr, FrozenMap, Trigger
from dbdesign.readers.spec_rules import TransitionRule

MESSAGE_MAX = 128  # MySQL's MESSAGE_TEXT


def statement_of(tr: TransitionRule) -> str:
    """The rule in the spec's terms: ``status moves open -> in_progress | closed; ...``."""
    moves = "; ".join(
        f"{frm} -> {' | '.join(tos) if tos else '(none)'}" for frm, tos in tr.allowed.items()
    )
    return f"{tr.field} moves only {moves}"


def forbidden(b: Draft, column: str, moves: dict[str, tuple[str, ...]]) -> str:
    """The condition, over ``OLD`` and ``NEW``, that the update makes a move not allowed."""
    d = dialects.get(b.dialect)
    c = d.quote_ident(column)
    lit = d.quote_string
    allowed = [
        f"(OLD.{c} = {lit(frm)} AND NEW.{c} IN ({', '.join(lit(t) for t in tos)}))"
        for frm, tos in moves.items()
        if tos
    ]
    conds = [f"OLD.{c} IS NOT NULL", f"NEW.{c} IS NOT NULL", f"NEW.{c} <> OLD.{c}"]
    if allowed:
        conds.append(f"NOT ({' OR '.join(allowed)})")
    return " AND ".join(conds)


def transition_rule(b: Draft, ename: str, t: TableDraft, tr: TransitionRule) -> None:
    """The rule's trigger (and on PostgreSQL its function), and its plan."""
    d = dialects.get(b.dialect)
    column = b.column_of(ename, tr.field)
    name = object_name("trg", t.name, (tr.name,) if tr.name else (column, "moves"))
    statement = statement_of(tr)
    cond = forbidden(b, column, dict(tr.allowed))
    message = d.quote_string(f"{name}: {statement}"[:MESSAGE_MAX])
    trigger = Trigger(
        schema=b.ns,
        table=t.name,
        name=name,
        timing="BEFORE",
        events=("UPDATE",),
        level="ROW",
    )
    if b.pg:
        fn = f"{name}_fn"
        body = "\n".join(
            [
                "",
                "BEGIN",
                f"    IF {cond} THEN",
                f"        RAISE EXCEPTION '{name}: % may not move from % to %', "
                f"{d.quote_string(tr.field)}, OLD.{d.quote_ident(column)}, "
                f"NEW.{d.quote_ident(column)}",
                "            USING ERRCODE = 'check_violation';",
                "    END IF;",
                "    RETURN NEW;",
                "END;",
                "",
            ]
        )
        function = trigger_function(
            b, fn, body, f"Refuses a move of {t.name}.{column} that {name} does not allow."
        )
        trigger = replace(trigger, function=function)
        how = f"BEFORE UPDATE trigger {name} (function {fn}) that raises check_violation"
    elif b.my:
        body = "\n".join(
            [
                "BEGIN",
                f"  IF {cond} THEN",
                f"    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {message};",
                "  END IF;",
                "END",
            ]
        )
        trigger = replace(trigger, body=Expr(body, b.dialect))
        how = f"BEFORE UPDATE trigger {name} that SIGNALs SQLSTATE '45000'"
    else:
        trigger = replace(
            trigger,
            when=Expr(cond, b.dialect),
            body=Expr(f"SELECT RAISE(ABORT, {message});", b.dialect),
        )
        how = f"BEFORE UPDATE trigger {name} that RAISE(ABORT)s"
    b.triggers[trigger.key] = trigger
    b.rules.append(
        RulePlan(
            kind="transition",
            entity=ename,
            table=b.key(t),
            name=name,
            statement=statement,
            how=how,
            objects=(name,),
            columns=FrozenMap({tr.field: column}),
            key=(tr.field,),
            description=tr.description,
            signature=(name,),
            moves=FrozenMap(dict(tr.allowed)),
        )
    )
