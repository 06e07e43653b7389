"""What kind of value a column holds: the model's type, seen through domains, enums and arrays.

PostgreSQL types are canonical in the model (``integer``, ``character varying``, ``timestamp with
time zone``, ``public.mood``); SQLite keeps declared types (``varchar(40)``, ``datetime``), which
are mapped by SQLite's own affinity rules plus the common names (date, datetime, boolean ...);
MySQL types are the server's lower-case names (``int unsigned``, ``datetime``, ``tinyint``,
``boolean`` for ``tinyint(1)``, ``enum`` with quoted labels), with the server's ranges in
``limits`` (``date`` from 1000-01-01, ``timestamp`` from 1970 to 2038, unsigned integers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from dbdesign.dialects.mysql import unquote_string
from dbdesign.model import Check, DataType, Schema

# Kinds of values the generator knows (values.py has one generator per kind).
INT_BITS = {"smallint": 16, "integer": 32, "bigint": 64}
_PG_KINDS = {
    "smallint": "int",
    "integer": "int",
    "bigint": "int",
    "numeric": "numeric",
    "money": "money",
    "real": "float",
    "double precision": "float",
    "text": "text",
    "character varying": "text",
    "character": "char",
    "name": "text",
    "citext": "text",
    '"char"': "char1",
    "boolean": "bool",
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "interval": "interval",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "json",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "macaddr8": "macaddr8",
    "bytea": "bytea",
    "tsvector": "tsvector",
    "tsquery": "tsquery",
    "bit": "bit",
    "bit varying": "varbit",
    "xml": "xml",
    "point": "point",
    "int4range": "int4range",
    "int8range": "int8range",
    "numrange": "numrange",
    "daterange": "daterange",
    "vector": "vector",  # pgvector
    "tsrange": "tsrange",
    "tstzrange": "tstzrange",
    "oid": "oid",
}


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """A column's value kind and the limits that come with its type.

    ``checks`` are domain checks (written with ``VALUE``); ``not_null`` comes from a domain.
    """

    kind: str
    name: str  # the type as written, for messages
    bits: int = 64  # integers
    precision: int | None = None  # numeric
    scale: int | None = None
    max_len: int | None = None  # text, varchar(n), char(n), bit(n); vector(n): its dimensions
    fixed: bool = False  # char(n), bit(n): exactly max_len
    labels: tuple[str, ...] = ()  # enums
    element: TypeInfo | None = None  # arrays
    not_null: bool = False
    checks: tuple[tuple[str, Check], ...] = field(default=())  # (domain key, check)
    # The type's own range in the generator's internal units (integers; days or seconds since
    # 1970 for dates and timestamps) where it differs from PostgreSQL's: MySQL's unsigned
    # integers, dates from year 1000, timestamps up to 2038.
    limits: tuple[Any, Any] | None = None

    @property
    def is_array(self) -> bool:
        return self.element is not None


def resolve(t: DataType, schema: Schema) -> TypeInfo:
    """The :class:`TypeInfo` of a column type in ``schema`` (its dialect decides the rules:
    :data:`TYPE_RULES`, PostgreSQL's where it has none of its own)."""
    rules = TYPE_RULES.get(schema.dialect)
    return rules(t) if rules is not None else _postgres(t, schema, depth=0)


def _postgres(t: DataType, schema: Schema, depth: int) -> TypeInfo:
    if t.array_dims:
        elem = _postgres(DataType(name=t.name, args=t.args), schema, depth)
        return TypeInfo(kind="array", name=str(t), element=elem)
    name = t.name
    if name in schema.domains and depth < 10:
        dom = schema.domains[name]
        base = _postgres(dom.type, schema, depth + 1)
        own = tuple((dom.key, c) for c in dom.checks.values())
        return TypeInfo(
            kind=base.kind,
            name=name,
            bits=base.bits,
            precision=base.precision,
            scale=base.scale,
            max_len=base.max_len,
            fixed=base.fixed,
            labels=base.labels,
            element=base.element,
            not_null=base.not_null or not dom.nullable,
            checks=base.checks + own,
        )
    if name in schema.enums:
        return TypeInfo(kind="enum", name=name, labels=schema.enums[name].values)
    short = name.rsplit(".", 1)[-1] if "." in name else name
    kind = _PG_KINDS.get(name) or _PG_KINDS.get(short, "unknown")
    args = [a for a in t.args if isinstance(a, int)]
    if kind == "vector":  # pgvector's, not a composite type of that name
        if name in schema.composite_types:
            return TypeInfo(kind="unknown", name=str(t))
        return TypeInfo(kind="vector", name=str(t), max_len=args[0] if args else None)
    if kind == "int":
        return TypeInfo(kind="int", name=name, bits=INT_BITS[name])
    if kind == "numeric":
        if args:
            p = args[0]
            s = args[1] if len(args) > 1 else 0
            return TypeInfo(kind="numeric", name=str(t), precision=p, scale=s)
        return TypeInfo(kind="numeric", name=name)
    if kind in ("text", "char", "bit", "varbit"):
        n = args[0] if args else (1 if kind in ("char", "bit") else None)
        return TypeInfo(
            kind="text" if kind == "char" else kind,
            name=str(t),
            max_len=n,
            fixed=kind in ("char", "bit"),
        )
    return TypeInfo(kind=kind, name=str(t))


def _sqlite(t: DataType) -> TypeInfo:
    name = t.name.lower()
    args = [a for a in t.args if isinstance(a, int)]
    words = set(name.replace("(", " ").split())
    if "bool" in name:
        return TypeInfo(kind="bool", name=t.name)
    if "datetime" in name or "timestamp" in name:
        return TypeInfo(kind="timestamp", name=t.name)
    if name == "date":
        return TypeInfo(kind="date", name=t.name)
    if name == "time":
        return TypeInfo(kind="time", name=t.name)
    if "uuid" in name or "guid" in name:
        return TypeInfo(kind="uuid", name=t.name)
    if "json" in name:
        return TypeInfo(kind="json", name=t.name)
    if "int" in name:
        bits = 16 if "small" in name or "tiny" in name else 64 if "big" in name else 32
        return TypeInfo(kind="int", name=t.name, bits=bits)
    if "char" in name or "clob" in name or "text" in name:
        n = args[0] if args else None
        return TypeInfo(kind="text", name=t.name, max_len=n)
    if "blob" in name or not name:
        return TypeInfo(kind="bytea" if name else "text", name=t.name)
    if "real" in name or "floa" in name or "doub" in name:
        return TypeInfo(kind="float", name=t.name)
    if words & {"decimal", "numeric", "money", "number"}:
        p = args[0] if args else None
        s = args[1] if len(args) > 1 else (0 if args else None)
        return TypeInfo(kind="numeric", name=t.name, precision=p, scale=s)
    return TypeInfo(kind="numeric", name=t.name)


_MY_INT_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}
_MY_TEXT_LIMITS = {"tinytext": 255}  # characters the generator may write (ASCII: bytes)
_EPOCH = date(1970, 1, 1)
_DAY = 86_400


def _days(d: date) -> int:
    return (d - _EPOCH).days


def _seconds(dt: datetime) -> int:
    delta = dt - datetime(1970, 1, 1)
    return delta.days * _DAY + delta.seconds


# MySQL's ranges: DATE and DATETIME from year 1000; TIMESTAMP from 1970-01-01 00:00:01 to
# 2038-01-19 03:14:07 UTC, kept a day inside so no session time zone pushes a value out.
_MY_DATE = (_days(date(1000, 1, 1)), _days(date(9999, 12, 31)))
_MY_DATETIME = (_seconds(datetime(1000, 1, 1)), _seconds(datetime(9999, 12, 31, 23, 59, 59)))
_MY_TIMESTAMP = (_seconds(datetime(1970, 1, 2)), _seconds(datetime(2038, 1, 18)))


# MySQL types whose TypeInfo follows from the name alone (the name as written filled in).
_MY_BY_NAME: dict[str, TypeInfo] = {
    "boolean": TypeInfo(kind="bool", name=""),
    **{
        b: TypeInfo(kind="text", name="", max_len=_MY_TEXT_LIMITS.get(b))
        for b in ("tinytext", "text", "mediumtext", "longtext")
    },
    "date": TypeInfo(kind="date", name="", limits=_MY_DATE),
    "datetime": TypeInfo(kind="timestamp", name="", limits=_MY_DATETIME),
    "timestamp": TypeInfo(kind="timestamp", name="", limits=_MY_TIMESTAMP),
    "time": TypeInfo(kind="time", name=""),
    "year": TypeInfo(kind="int", name="", bits=16, limits=(1901, 2155)),
    "json": TypeInfo(kind="json", name=""),
    "uuid": TypeInfo(kind="uuid", name=""),
    "inet4": TypeInfo(kind="inet", name=""),
    "inet6": TypeInfo(kind="inet", name=""),
    **{b: TypeInfo(kind="bytea", name="") for b in ("tinyblob", "blob", "mediumblob", "longblob")},
}


def _mysql(t: DataType) -> TypeInfo:
    """MySQL / MariaDB types (dialects/mysql.py canonical names)."""
    words = t.name.lower().split()
    base = words[0] if words else ""
    unsigned = "unsigned" in words[1:] or "zerofill" in words[1:]
    args = [a for a in t.args if isinstance(a, int)]
    name = str(t)
    if base in _MY_INT_BITS:
        bits = _MY_INT_BITS[base]
        limits = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        return TypeInfo(kind="int", name=name, bits=bits, limits=limits)
    if base in _MY_BY_NAME:
        return replace(_MY_BY_NAME[base], name=name)
    if base == "decimal":
        p = args[0] if args else 10
        s = args[1] if len(args) > 1 else 0
        top = 10**p - 1
        return TypeInfo(
            kind="numeric", name=name, precision=p, scale=s, limits=(0 if unsigned else -top, top)
        )
    if base in ("float", "double"):
        return TypeInfo(kind="float", name="real" if base == "float" else name)
    if base in ("char", "nchar", "varchar", "nvarchar"):
        fixed = base in ("char", "nchar")
        return TypeInfo(
            kind="text",
            name=name,
            max_len=args[0] if args else (1 if fixed else None),
            fixed=fixed,
        )
    if base in ("binary", "varbinary"):
        n = args[0] if args else 1
        return TypeInfo(kind="bytea", name=name, max_len=n, fixed=base == "binary")
    if base == "bit":
        return TypeInfo(kind="bit", name=name, max_len=args[0] if args else 1, fixed=True)
    if base in ("enum", "set"):
        labels = tuple(unquote_string(a) for a in t.args if isinstance(a, str))
        return TypeInfo(kind="enum", name=name, labels=labels)
    return TypeInfo(kind="unknown", name=name)


# How the generator reads the type names of a dialect other than PostgreSQL, by the dialect's
# canonical name (a dialect's types are its own: see the module docstring).
TYPE_RULES: dict[str, Callable[[DataType], TypeInfo]] = {"sqlite": _sqlite, "mysql": _mysql}
