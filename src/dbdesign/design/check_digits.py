"""Check-digit types (``isbn``, ``ean``): beside the column's format CHECK, a CHECK of its
check digit in each dialect's own SQL (the EAN-13 sum: digits weighted 1, 3, 1, ... and the
total a multiple of 10; an ISBN-13 is an EAN-13 starting 978 or 979), listed as a business
rule so that the proof writes a wrong check digit and sees the server refuse it.

The digits are summed inside ``CASE WHEN <13 digits> THEN ...``, so a value that is not 13
digits is refused by the format CHECK rather than failing a cast.
"""

from __future__ import annotations

from dbdesign import dialects
from dbdesign.design.draft import Draft, RulePlan, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.model import Check, Expr, FrozenMap

CHECK_DIGIT_TYPES = {"isbn": "an ISBN-13", "ean": "an EAN-13"}


def ean13_ok(value: str) -> bool:
    """Whether 13 digits carry a right EAN-13 check digit."""
    if len(value) != 13 or not value.isdigit():
        return False
    return sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(value)) % 10 == 0


def ean13_digit(first12: str) -> str:
    """The check digit completing twelve digits."""
    total = sum(int(ch) * (3 if i % 2 else 1) for i, ch in enumerate(first12))
    return str((10 - total % 10) % 10)


def _sql(b: Draft, col: str) -> str:
    q = b.q(col)
    if b.pg:
        digit, shape, no = "substr({q}, {i}, 1)::integer", f"{q} ~ '^[0-9]{{13}}$'", "false"
    elif b.my:
        digit = "CAST(substr({q}, {i}, 1) AS UNSIGNED)"
        shape, no = f"{q} regexp '^[0-9]{{13}}$'", "0"
    else:
        digit = "CAST(substr({q}, {i}, 1) AS INTEGER)"
        shape, no = f"{q} GLOB '{'[0-9]' * 13}'", "0"
    terms = " + ".join(
        (digit.format(q=q, i=i) if i % 2 else f"3 * {digit.format(q=q, i=i)}") for i in range(1, 14)
    )
    return f"{q} IS NULL OR CASE WHEN {shape} THEN ({terms}) % 10 = 0 ELSE {no} END"


def check_digit_rule(b: Draft, t: TableDraft, ename: str, field: str, kind: str) -> None:
    """The check-digit CHECK of column ``field`` (semantic type ``kind``) and its rule."""
    d = dialects.get(b.dialect)
    name = object_name("chk", t.name, (field, "check_digit"))
    t.checks[name] = Check(name=name, expr=Expr(_sql(b, field), b.dialect))
    b.rules.append(
        RulePlan(
            kind="check_digit",
            entity=ename,
            table=b.key(t),
            name=name,
            statement=f"{field} is {CHECK_DIGIT_TYPES[kind]} with a right check digit",
            how=f"CHECK constraint {name} (EAN-13 weighted sum in {d.title} SQL)",
            objects=(name,),
            columns=FrozenMap({field: field}),
            key=(field,),
            signature=(name,),
        )
    )
