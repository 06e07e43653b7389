"""What kind of value a column holds: the model's type, seen through domains, enums and arrays.

PostgreSQL types are canonical in the model (``integer``, ``character varying``, ``timestamp with
time zone``, ``public.mood``); SQLite keeps declared types (``varchar(40)``, ``datetime``), which
are mapped by SQLite's own affinity rules plus the common names (date, datetime, boolean ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    max_len: int | None = None  # text, varchar(n), char(n), bit(n)
    fixed: bool = False  # char(n), bit(n): exactly max_len
    labels: tuple[str, ...] = ()  # enums
    element: TypeInfo | None = None  # arrays
    not_null: bool = False
    checks: tuple[tuple[str, Check], ...] = field(default=())  # (domain key, check)

    @property
    def is_array(self) -> bool:
        return self.element is not None


def resolve(t: DataType, schema: Schema) -> TypeInfo:
    """The :class:`TypeInfo` of a column type in ``schema`` (its dialect decides the rules)."""
    if schema.dialect == "sqlite":
        return _sqlite(t)
    return _postgres(t, schema, depth=0)


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
