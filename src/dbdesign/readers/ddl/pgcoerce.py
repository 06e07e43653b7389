"""How the server stores expressions: the coercions it writes into a stored expression, and string
constants as they read back through their type's input and output. The DDL reader uses these so
a file's model equals the catalog's."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC
from typing import Any, Protocol

from dbdesign.dialects.postgres import parse_bool
from dbdesign.model import Column, DataType, Domain
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree


class CoercionContext(Protocol):
    """What the coercer asks of the DDL reader (its state so far); a protocol, so that this
    module does not import the reader that imports it."""

    @property
    def tables(self) -> Mapping[str, TableBuilder]: ...

    @property
    def domains(self) -> Mapping[str, Domain]: ...

    def _qual(self, rv: Tree) -> tuple[str, str]: ...

    def _stored_constant(self, tree: Tree, dtype: DataType | None) -> Tree: ...


_TEMPORAL = {"timestamp with time zone", "timestamp without time zone", "date"}
Scope = dict[str, Any]  # range name (or "" for unqualified references) -> columns


class _Coercer:
    """Simulate the coercions the server writes into stored expressions.

    - A domain-typed column that an operator or function takes is cast to the domain's base
      type: ``amount < 10`` is stored as ``(amount)::integer < 10``.
    - A string literal compared with a date/time column is stored as a value of that type:
      ``created_at >= '2000-01-01'`` becomes ``'2000-01-01 00:00:00+00'`` (in UTC).
    Column types are resolved through the FROM clauses in scope.
    """

    def __init__(self, reader: CoercionContext) -> None:
        self.reader = reader

    def expr(self, node: Any, scopes: list[Scope]) -> Any:
        if isinstance(node, list):
            return [self.expr(n, scopes) for n in node]
        if not isinstance(node, dict):
            return node
        if "SelectStmt" in node and len(node) == 1:
            body = dict(node["SelectStmt"])
            scope: Scope = {}
            for f in body.get("fromClause") or []:
                self._collect(f, scope)
            if scope:
                scope[""] = [c for cols in list(scope.values()) for c in cols]
            inner = [*scopes, scope]
            return {"SelectStmt": {k: self.expr(v, inner) for k, v in body.items()}}
        if "A_Expr" in node and len(node) == 1:
            body = dict(node["A_Expr"])
            col_type = self._type_of(body.get("lexpr"), scopes) or self._type_of(
                body.get("rexpr"), scopes
            )
            for side in ("lexpr", "rexpr"):
                v = body.get(side)
                if isinstance(v, dict) and "List" in v:
                    body[side] = {
                        "List": {
                            "items": [
                                self._operand(i, scopes, col_type) for i in v["List"]["items"]
                            ]
                        }
                    }
                elif v is not None:
                    body[side] = self._operand(v, scopes, col_type)
            return {"A_Expr": body}
        if "FuncCall" in node and len(node) == 1:
            body = {
                k: self.expr(v, scopes)
                if k != "args"
                else [self._operand(a, scopes, None) for a in v]
                for k, v in node["FuncCall"].items()
            }
            return {"FuncCall": body}
        return {k: self.expr(v, scopes) for k, v in node.items()}

    def _collect(self, f: Any, scope: Scope) -> None:
        if not isinstance(f, dict):
            return
        if "RangeVar" in f:
            rv = f["RangeVar"]
            key = "{}.{}".format(*self.reader._qual(rv))
            t = self.reader.tables.get(key)
            if t is not None:
                alias = (rv.get("alias") or {}).get("aliasname") or rv["relname"]
                scope[alias] = t.columns
        elif "JoinExpr" in f:
            self._collect(f["JoinExpr"].get("larg"), scope)
            self._collect(f["JoinExpr"].get("rarg"), scope)

    def _column(self, node: Any, scopes: list[Scope]) -> Column | None:
        if not (isinstance(node, dict) and "ColumnRef" in node and len(node) == 1):
            return None
        names = _names(node["ColumnRef"].get("fields"))
        if not names or len(names) > 2:
            return None
        rng, col = (names[0], names[1]) if len(names) == 2 else ("", names[0])
        for scope in reversed(scopes):
            cols = scope.get(rng)
            if cols is not None:
                found = [c for c in cols if c.name == col]
                return found[0] if len(found) == 1 else None
        return None

    def _type_of(self, node: Any, scopes: list[Scope]) -> DataType | None:
        c = self._column(node, scopes)
        return c.type if c is not None else None

    def _operand(self, node: Any, scopes: list[Scope], col_type: DataType | None) -> Any:
        c = self._column(node, scopes)
        if c is not None and c.type.name in self.reader.domains and not c.type.array_dims:
            base = self.reader.domains[c.type.name].type
            return {
                "TypeCast": {
                    "arg": node,
                    "typeName": {"names": [{"String": {"sval": n}} for n in base.name.split(".")]},
                }
            }
        if (
            col_type is not None
            and isinstance(node, dict)
            and "A_Const" in node
            and "sval" in node["A_Const"]
        ):
            return self.reader._stored_constant(node, col_type)
        return self.expr(node, scopes)


_SHORT_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d\d)(?::(\d\d)(\.\d+)?)?\s*([+-]\d\d(?::?\d\d)?)?$")


def _temporal_literal(text: str, type_name: str) -> str | None:
    """A date/time literal as the server prints a stored constant of that type (UTC)."""
    from datetime import datetime

    if type_name in ("time without time zone", "time with time zone"):
        m = _TIME.match(text.strip())
        if m is None:
            return None
        hh, mm, ss, frac, zone = m.groups()
        out = f"{int(hh):02d}:{mm}:{ss or '00'}" + (frac or "").rstrip("0").rstrip(".")
        if type_name == "time with time zone":
            if zone is None:
                return None  # the session's zone at load time
            zone = zone.replace(":", "")
            out += zone[:3] + (f":{zone[3:]}" if zone[3:] not in ("", "00") else "")
        return out
    short = _SHORT_DATE.match(text.strip())
    if short is not None:
        text = "{}-{:0>2}-{:0>2}".format(*short.groups())
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None  # 'now', 'infinity', unusual spellings: leave them
    if type_name == "date":
        return value.strftime("%Y-%m-%d")
    frac = f".{value.microsecond:06d}".rstrip("0") if value.microsecond else ""
    if type_name == "timestamp without time zone":
        return value.strftime("%Y-%m-%d %H:%M:%S") + frac
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + frac + "+00"


def _numeric_text(text: str) -> str | None:
    """numeric's output of an input text: plain notation, the scale as written (1.50, 1e3 ->
    1000, 1E-2 -> 0.01)."""
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    out = format(value, "f")
    return out.lstrip("-") if value.is_zero() else out  # -0 prints without its sign


def _jsonb_text(text: str) -> str | None:
    """jsonb's output of an input text: keys ordered (shorter first, then bytewise), the last
    of duplicate keys kept, one space after ':' and ','. None where unsure (exotic numbers)."""
    try:
        value = json.loads(text, parse_float=str, parse_int=str, parse_constant=_no_constant)
    except (ValueError, TypeError):
        return None

    def out(v: Any) -> str:
        if isinstance(v, dict):
            keys = sorted(v, key=lambda k: (len(k.encode()), k.encode()))
            return (
                "{"
                + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {out(v[k])}" for k in keys)
                + "}"
            )
        if isinstance(v, list):
            return "[" + ", ".join(out(x) for x in v) + "]"
        if isinstance(v, str) and v[:1] in "-0123456789" and v[-1:].isdigit() and _is_number(v):
            number = _numeric_text(v)
            if number is None:
                raise ValueError(v)
            return number
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        return json.dumps(v, ensure_ascii=False)

    try:
        return out(value)
    except ValueError:
        return None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _is_number(v: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?([eE][+-]?\d+)?", v) is not None


_INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})
_INTERVAL_UNITS = {
    "year": ("months", 12), "month": ("months", 1), "mon": ("months", 1),
    "week": ("days", 7), "day": ("days", 1),
    "hour": ("seconds", 3600), "minute": ("seconds", 60), "min": ("seconds", 60),
    "second": ("seconds", 1), "sec": ("seconds", 1),
}  # fmt: skip
_INTERVAL_PART = re.compile(r"(\d+)\s*([a-z]+)|(\d{1,2}):(\d\d)(?::(\d\d))?")


def _interval_text(text: str) -> str | None:
    """interval's output (IntervalStyle postgres) of a simple input: whole, non-negative
    amounts of years, months, weeks, days, hours, minutes, seconds, or hh:mm[:ss]. '24 hours'
    is 24:00:00, '1 week' 7 days, '2 months' 2 mons; None for anything else."""
    amounts = {"months": 0, "days": 0, "seconds": 0}
    rest = text.strip().lower()
    pos = 0
    for m in _INTERVAL_PART.finditer(rest):
        if rest[pos : m.start()].strip():
            return None
        pos = m.end()
        if m.group(1) is not None:
            unit = _INTERVAL_UNITS.get(m.group(2).removesuffix("s"))
            if unit is None:
                return None
            amounts[unit[0]] += int(m.group(1)) * unit[1]
        else:
            hh, mm, ss = (int(g or 0) for g in m.group(3, 4, 5))
            amounts["seconds"] += hh * 3600 + mm * 60 + ss
    if pos == 0 or rest[pos:].strip():
        return None
    years, months = divmod(amounts["months"], 12)
    days, seconds = amounts["days"], amounts["seconds"]
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((years, "year"), (months, "mon"), (days, "day"))
        if n
    ]
    if seconds or not parts:
        hh, rem = divmod(seconds, 3600)
        parts.append(f"{hh:02d}:{rem // 60:02d}:{rem % 60:02d}")
    return " ".join(parts)


def _stored_text(text: str, dtype: DataType) -> str | bool | None:
    """How the server prints a string constant stored as a value of ``dtype`` (the type's input,
    then output function): a boolean for boolean, text otherwise; None where this reader does
    not know the type's output (or the value depends on when it is loaded: 'now', 'today')."""
    if dtype.array_dims:
        return _integer_array_text(text) if dtype.name in _INTEGER_TYPES else None
    if dtype.name == "interval":
        return None if dtype.args else _interval_text(text)
    output = _OUTPUT.get(dtype.name)
    return output(text) if output is not None else None


def _integer_text(text: str) -> str | None:
    try:
        return str(int(text.strip()))
    except ValueError:
        return None


def _integer_array_text(text: str) -> str | None:
    """A one-dimensional integer array's output: ``{1, 2}`` is ``{1,2}``."""
    if not re.fullmatch(r"\{[\s\d,+-]*\}", text.strip()):
        return None
    items = [i.strip() for i in text.strip()[1:-1].split(",") if i.strip()]
    try:
        return "{" + ",".join(str(int(i)) for i in items) + "}"
    except ValueError:
        return None


def _float_text(text: str) -> str | None:
    """real's and double precision's output, where it is plain: whole numbers, and decimals
    Python prints as the server does."""
    try:
        number = float(text)
    except ValueError:
        return None
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number) if "e" not in repr(number) and abs(number) >= 1e-4 else None


def _uuid_text(text: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        return None


# A type's output of a string constant, by type name (arrays and interval apart).
_OUTPUT: dict[str, Callable[[str], str | bool | None]] = {
    **dict.fromkeys(_INTEGER_TYPES, _integer_text),
    "numeric": _numeric_text,
    "real": _float_text,
    "double precision": _float_text,
    "boolean": parse_bool,
    "uuid": _uuid_text,
    "jsonb": _jsonb_text,
    **{
        name: functools.partial(_temporal_literal, type_name=name)
        for name in (*sorted(_TEMPORAL), "time without time zone", "time with time zone")
    },
}
