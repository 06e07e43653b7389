"""Check constraints (a table's, its columns' domains') applied to the columns' constraints
(:class:`~dbdesign.datagen.values.Cons`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from dbdesign.datagen import checks as chk
from dbdesign.datagen.types import TypeInfo
from dbdesign.datagen.units import ColumnIndex, ColumnPlan
from dbdesign.datagen.values import Unsatisfiable
from dbdesign.errors import UnsupportedError
from dbdesign.model import Schema, Table

# A check a row rule keeps with OR or NOT in it: left to the rule (as a rule's SQL is written).
_OR_NOT = re.compile(r"\b(or|not)\b", re.IGNORECASE)

# A comparison of two columns in a check: (left, operator, right, the check), for derived.py.
ColumnComparison = tuple[str, str, str, str]


def apply_checks(
    schema: Schema, t: Table, columns: ColumnIndex, handled: frozenset[str] = frozenset()
) -> list[ColumnComparison]:
    """Apply the checks of the columns' domains (on VALUE), then the table's, to the columns'
    constraints; returns the comparisons between two columns, which derived.py satisfies.

    A check in ``handled`` is kept by a row rule (row_rules.py): what the generator reads of
    it is applied, and a form it cannot read is left to the rule."""
    for cp in columns.by_name.values():
        for dom_key, check in cp.info.checks:
            src = f"check {check.name} of domain {dom_key}"
            for a in _atoms(check.expr.text, schema.dialect, src, t):
                if a.column.lower() != "value":
                    raise UnsupportedError(f"{t.key}.{cp.name}: {src}: unsupported form")
                apply_atom(cp, a, src, t)
    colcmps: list[ColumnComparison] = []
    for check in t.checks.values():
        src = f"check constraint {check.name}"
        if check.name in handled:
            if _OR_NOT.search(check.expr.text):
                continue  # the generator would keep one branch only (every row cancelled)
            try:
                chk.atoms(check.expr.text, schema.dialect)
            except chk.CheckUnsupported:
                continue
        for a in _atoms(check.expr.text, schema.dialect, src, t, check.expr.text):
            if a.kind == "isnull" and check.name in handled:
                continue  # an OR's NULL branch: the rule keeps the check, values not all NULL
            cp = columns.find(a.column, src)
            if a.kind == "colcmp":
                assert a.other is not None
                other = columns.find(a.other, src)
                colcmps.append((cp.name, a.op, other.name, src))
                continue
            apply_atom(cp, a, src, t)
    return colcmps


def require_generated_sources(schema: Schema, t: Table, columns: ColumnIndex) -> None:
    """A NOT NULL generated column needs its sources (nearly every expression is NULL on
    NULL): they are NOT NULL too."""
    for g in t.columns:
        if g.generated is not None and not g.nullable:
            try:
                sources = chk.column_refs(g.generated.expr.text, schema.dialect)
            except chk.CheckUnsupported:
                continue
            for name in sources:
                src_col = columns.get(name)
                if src_col is not None:
                    src_col.nullable = False
                    src_col.cons.not_null = True


def _atoms(text: str, dialect: str, src: str, t: Table, shown: str | None = None) -> list[chk.Atom]:
    try:
        return chk.atoms(text, dialect)
    except chk.CheckUnsupported as e:
        raise UnsupportedError(f"{t.key}: cannot satisfy {src} ({shown or text}): {e}") from None


def apply_atom(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    """Add what one condition of a check says to the column's constraints."""
    cp.cons.sources.append(src)
    apply = _APPLY.get(a.kind)
    if apply is None:
        raise UnsupportedError(f"{t.key}.{cp.name}: {src}: unsupported condition {a.kind}")
    apply(cp, a, src, t)


def _cmp(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    c = cp.cons
    const = a.value
    if const.value is None:
        raise UnsupportedError(f"{t.key}.{cp.name}: {src}: comparison with NULL is never true")
    if a.op in (">", ">="):
        c.lo.append((const, a.op == ">", src))
    elif a.op in ("<", "<="):
        c.hi.append((const, a.op == "<", src))
    elif a.op == "=":
        c.choices.append(((const.value,), src))
    elif a.op == "<>":
        c.excluded.append((const.value, src))


def _in(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    cp.cons.choices.append((tuple(a.value), src))


def _not_in(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    cp.cons.excluded.extend((v, src) for v in a.value)


def _length(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    """A text's length (len) or an array's cardinality (card)."""
    c = cp.cons
    n = int(a.value)
    lo, hi = {
        ">": (n + 1, None),
        ">=": (n, None),
        "<": (None, n - 1),
        "<=": (None, n),
        "=": (n, n),
    }.get(a.op, (None, None))
    if lo is None and hi is None:
        raise UnsupportedError(f"{t.key}.{cp.name}: {src}: unsupported length test {a.op}")
    if a.kind == "len":
        if lo is not None:
            c.min_len = max(c.min_len, lo)
        if hi is not None:
            c.max_len = hi if c.max_len is None else min(c.max_len, hi)
    else:
        if lo is not None:
            c.min_card = max(c.min_card, lo)
        if hi is not None:
            c.max_card = hi if c.max_card is None else min(c.max_card, hi)


def _match(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    if cp.info.kind not in ("text", "enum"):
        raise UnsupportedError(f"{t.key}.{cp.name}: {src}: pattern match on type {cp.info.name}")
    try:
        cp.cons.add_pattern(
            a.value, like=a.like, icase=a.icase, negate=a.negate, fn=a.fn, source=src
        )
    except Unsatisfiable as e:
        raise UnsupportedError(f"{t.key}.{cp.name}: {e}") from None


def _not_null(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    cp.cons.not_null = True
    cp.nullable = False


def _is_null(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    cp.cons.force_null = True


def _typeof(cp: ColumnPlan, a: chk.Atom, src: str, t: Table) -> None:
    """SQLite's ``typeof(x) IN (...)``: what the column's values are stored as."""
    c = cp.cons
    allowed = set(a.value)
    stored = sqlite_typeof(cp.info, t)
    if stored is not None and stored <= allowed:
        if "null" not in allowed:
            c.not_null = True
            cp.nullable = False
        return
    if "null" in allowed:  # none of the values the type gets: NULL passes
        c.force_null = True
        return
    raise UnsupportedError(
        f"{t.key}.{cp.name}: {src}: typeof() allows {', '.join(sorted(allowed)) or 'nothing'}"
        f", but values of type {cp.info.name or '(none)'} are stored as "
        f"{', '.join(sorted(stored or ())) or 'something else'}"
    )


_APPLY: dict[str, Callable[[ColumnPlan, chk.Atom, str, Table], None]] = {
    "cmp": _cmp,
    "in": _in,
    "notin": _not_in,
    "len": _length,
    "card": _length,
    "match": _match,
    "notnull": _not_null,
    "isnull": _is_null,
    "typeof": _typeof,
}


# What the generator's values of a kind are in Python, to SQLite's affinity (affinity.py).
_SQLITE_VALUE = {
    "int": "int",
    "bool": "int",
    "float": "float",
    "numeric": "number",
    "text": "str",
    "timestamp": "str",
    "date": "str",
    "time": "str",
    "uuid": "str",
    "json": "str",
    "bytea": "blob",
}
# typeof() of such a value stored in a column of each affinity (a STRICT column refuses what
# it cannot hold instead)
_SQLITE_TYPEOF = {
    "int": {"INTEGER": {"integer"}, "NUMERIC": {"integer"}, "REAL": {"real"}, "TEXT": {"text"}},
    "float": {"INTEGER": {"integer", "real"}, "NUMERIC": {"integer", "real"}, "TEXT": {"text"}},
    "number": {"INTEGER": {"integer", "real"}, "NUMERIC": {"integer", "real"}, "TEXT": {"text"}},
    "str": {},
    "blob": {},
}
_SQLITE_AS_GIVEN = {"int": {"integer"}, "float": {"real"}, "number": {"integer", "real"}}
_STRICT_AFFINITY = {"int": "INTEGER", "integer": "INTEGER", "real": "REAL", "text": "TEXT"}


def sqlite_typeof(info: TypeInfo, t: Table) -> set[str] | None:
    """What SQLite's typeof() says of the values generated for a column (None: unknown)."""
    from dbdesign.dialects.sqlite import type_affinity

    value = _SQLITE_VALUE.get(info.kind)
    if value is None:
        return None
    if value == "str":
        return {"text"}  # no generated text looks like a number to a numeric affinity
    if value == "blob":
        return {"blob"}
    if "strict" in t.dialect_options:
        affinity = _STRICT_AFFINITY.get(info.name.lower(), "BLOB")  # ANY: as given
    else:
        affinity = type_affinity(info.name)
    if affinity == "REAL":
        return {"real"}
    return _SQLITE_TYPEOF[value].get(affinity) or _SQLITE_AS_GIVEN[value]
