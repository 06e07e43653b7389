"""A text attribute's ``pattern:``: the whole value matches a regular expression, in a CHECK
of its own, listed as a business rule that the proof breaks.

PostgreSQL ``~ '^(...)$'``; MySQL / MariaDB ``REGEXP '(?-i)^(...)$'`` (case-sensitive whatever
the collation); SQLite has no REGEXP unless the application registers one, so the pattern is
translated to a ``GLOB`` where it can be (characters, classes, ``.``, ``.*`` and an atom
repeated ``{n}`` times), and otherwise left to the application, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import replace

from dbdesign import dialects
from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.model import Check, Expr, FrozenMap
from dbdesign.readers import expression as X

_ATOM = re.compile(r"\\(.)|(\[\^?\]?[^\]]*\])|(\.)|([^\\\[.*+?{}()|^$])")
_REPEAT = re.compile(r"\{(\d+)\}")


def glob_of(pattern: str) -> str | None:
    """The GLOB that matches what the regular expression ``pattern`` matches in full, or None
    when it has no GLOB form."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(".*", i):
            out.append("*")
            i += 2
            continue
        m = _ATOM.match(pattern, i)
        if not m:
            return None
        esc, cls, dot, ch = m.groups()
        if cls:
            atom = "[" + ("^" + cls[2:-1] if cls.startswith("[^") else cls[1:-1]) + "]"
        elif dot:
            atom = "?"
        else:
            c = esc if esc is not None else ch
            if esc is not None and not re.fullmatch(r"[^A-Za-z0-9]", esc):
                return None  # \d, \w ...: a class, not a character
            atom = f"[{c}]" if c in "*?[]" else c
        i = m.end()
        r = _REPEAT.match(pattern, i)
        count = 1
        if r:
            count, i = int(r.group(1)), r.end()
        out.append(atom * count)
    return "".join(out)


def pattern_rule(b: Draft, t: TableDraft, ename: str, field: str, pattern: str) -> None:
    """The CHECK of ``field``'s pattern (where the dialect has one) and its rule."""
    d = dialects.get(b.dialect)
    q = b.q(field)
    name = object_name("chk", t.name, (field, "pattern"))
    plan = RulePlan(
        kind="pattern",
        entity=ename,
        table=b.key(t),
        name=name,
        statement=f"{field} matches {pattern}",
        how="",
        objects=(name,),
        columns=FrozenMap({field: field}),
        key=(field,),
        condition=None,
        signature=(name,),
        pattern=pattern,
    )
    if b.pg:
        text, how = f"{q} ~ {d.quote_string(f'^({pattern})$')}", "~"
    elif b.my:
        text, how = f"{q} regexp {d.quote_string(f'(?-i)^({pattern})$')}", "REGEXP"
    else:
        glob = glob_of(pattern)
        if glob is None:
            reason = (
                "SQLite has no REGEXP unless the application registers one, and this pattern "
                "has no GLOB form (GLOB has no +, ?, {n,m}, groups or |)"
            )
            b.decide(plan.name, "application-enforced", f"{plan.statement}: {reason}")
            b.rules.append(replace(plan, reason=reason))
            return
        text, how = f"{q} GLOB {d.quote_string(glob)}", f"GLOB {glob}"
    t.checks[name] = Check(name=name, expr=Expr(text, b.dialect))
    b.rules.append(replace(plan, how=f"CHECK constraint {name} ({how})"))


def generated_rule(b: Draft, t: TableDraft, ename: str, field: str, expression: str) -> None:
    """The rule of a generated attribute: the database computes it (a stored generated column
    on every dialect), and refuses a write of any other value."""
    reads = X.fields(X.parse(expression))
    b.rules.append(
        RulePlan(
            kind="generated",
            entity=ename,
            table=b.key(t),
            name=field,
            statement=f"{field} = {expression}",
            how=f"stored generated column {field} (GENERATED ALWAYS AS ... STORED)",
            objects=(field,),
            columns=FrozenMap({f: b.column_of(ename, f) for f in (*reads, field)}),
            key=(field,),
            signature=(field,),
        )
    )
    b.decide(
        f"{t.name}.{field}",
        "stored generated column",
        f"{field} = {expression}: computed on every write, read like any column, never out "
        "of step with its inputs; a write of another value is refused",
    )
