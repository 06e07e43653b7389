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

CHECK_DIGIT_TYPES = {"isbn": "an ISBN-13", "ean": "an EAN-13", "iban": "an IBAN"}
IBAN_MAX = 34  # characters of the longest IBAN
CHUNK = 3  # characters the mod-97 expression reads a level (at most 96 * 100^3 + ...: an int)


def iban_ok(value: str) -> bool:
    """Whether an IBAN's check digits are right (ISO 13616: the rearranged number mod 97 is 1)."""
    if not 15 <= len(value) <= IBAN_MAX or not value.isalnum() or not value.isascii():
        return False
    moved = value[4:] + value[:4]
    return int("".join(str(int(ch, 36)) for ch in moved.upper())) % 97 == 1


def iban_of(country: str, bban: str) -> str:
    """The IBAN of ``bban`` in ``country``, its check digits computed."""
    n = int("".join(str(int(ch, 36)) for ch in (bban + country + "00").upper()))
    return f"{country}{98 - n % 97:02d}{bban}"


def _iban_sql(b: Draft, col: str) -> str:
    """The mod-97 test as one expression: the rearranged value read three characters a level,
    the remainder carried (r * 10 + digit, or r * 100 + letter's number, mod 97); characters
    past the end (empty) leave it alone."""
    q = b.q(col)
    moved = (
        f"concat(substr({q}, 5), substr({q}, 1, 4))"
        if b.my
        else (f"(substr({q}, 5) || substr({q}, 1, 4))")
    )
    code = "unicode" if not (b.pg or b.my) else "ascii"

    def scale(i: int) -> str:
        c = f"substr({moved}, {i}, 1)"
        return f"(CASE WHEN {c} = '' THEN 1 WHEN {c} BETWEEN '0' AND '9' THEN 10 ELSE 100 END)"

    def value(i: int) -> str:
        c = f"substr({moved}, {i}, 1)"
        return (
            f"(CASE WHEN {c} = '' THEN 0 WHEN {c} BETWEEN '0' AND '9' THEN {code}({c}) - 48 "
            f"ELSE {code}({c}) - 55 END)"
        )

    acc = "0"
    for i in range(1, IBAN_MAX + 1, CHUNK):  # CHUNK characters a level: shallow enough to parse
        idx = range(i, min(i + CHUNK, IBAN_MAX + 1))
        terms = [" * ".join([acc, *(scale(j) for j in idx)])]
        for k, j in enumerate(idx):
            terms.append(" * ".join([value(j), *(scale(m) for m in list(idx)[k + 1 :])]))
        acc = f"({' + '.join(terms)}) % 97"
    if b.pg:
        shape, no = f"{q} ~ '^[A-Z]{{2}}[0-9]{{2}}[A-Z0-9]{{11,30}}$'", "false"
    elif b.my:
        shape, no = f"{q} regexp '(?-i)^[A-Z]{{2}}[0-9]{{2}}[A-Z0-9]{{11,30}}$'", "0"
    else:
        shape = (
            f"{q} GLOB '[A-Z][A-Z][0-9][0-9]*' AND {q} NOT GLOB '*[^A-Z0-9]*' "
            f"AND length({q}) BETWEEN 15 AND {IBAN_MAX}"
        )
        no = "0"
    return f"{q} IS NULL OR CASE WHEN {shape} THEN {acc} = 1 ELSE {no} END"


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
    text = _iban_sql(b, field) if kind == "iban" else _sql(b, field)
    t.checks[name] = Check(name=name, expr=Expr(text, b.dialect))
    how = "ISO 13616 mod 97" if kind == "iban" else "EAN-13 weighted sum"
    b.rules.append(
        RulePlan(
            kind="check_digit",
            entity=ename,
            table=b.key(t),
            name=name,
            statement=f"{field} is {CHECK_DIGIT_TYPES[kind]} with a right check digit",
            how=f"CHECK constraint {name} ({how} in {d.title} SQL)",
            objects=(name,),
            columns=FrozenMap({field: field}),
            key=(field,),
            signature=(name,),
            scheme=kind,
        )
    )
