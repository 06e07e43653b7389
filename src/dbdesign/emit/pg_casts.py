"""What changing a column's type costs on PostgreSQL: whether ALTER COLUMN ... TYPE needs a
USING clause, whether it rewrites the table, and the cast path USING takes. Pure functions
of two :class:`~dbdesign.model.DataType` values."""

from __future__ import annotations

from dbdesign.dialects.postgres import type_sql
from dbdesign.model import DataType

_TEXT_TYPES = frozenset({"text", "character varying", "character", "name", "citext"})
_NUMERIC = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})
_DATETIME = frozenset(
    {"date", "timestamp without time zone", "timestamp with time zone", "time without time zone"}
)
_ASSIGNABLE_GROUPS = (_NUMERIC, _DATETIME, frozenset({"json", "jsonb"}), _TEXT_TYPES)
_BINARY_COERCIBLE = {
    ("character varying", "text"),
    ("text", "character varying"),
    ("cidr", "inet"),
    ("xml", "text"),
    ("json", "text"),
}


def needs_using(old: DataType, new: DataType) -> bool:
    """Whether ALTER COLUMN ... TYPE needs a USING clause (no assignment cast exists)."""
    if old.array_dims != new.array_dims:
        return True
    if old.name == new.name:
        return False
    if new.name in _TEXT_TYPES and old.name in CATALOG_BUILTINS:
        return False  # every built-in type has an I/O conversion to text
    return not any(old.name in g and new.name in g for g in _ASSIGNABLE_GROUPS)


# Built-in types with an assignment cast to the string types (through their text form).
CATALOG_BUILTINS = (
    _NUMERIC
    | _DATETIME
    | _TEXT_TYPES
    | {
        "boolean",
        "uuid",
        "json",
        "jsonb",
        "inet",
        "cidr",
        "bytea",
        "interval",
        "xml",
        "money",
    }
)


def rewrites(old: DataType, new: DataType) -> bool:
    """Whether a type change rewrites the table (PostgreSQL skips it for binary-coercible
    changes that cannot invalidate a value)."""
    if old.array_dims != new.array_dims:
        return True
    if old.name == new.name:
        if old.name in ("character varying", "bit varying"):
            return bool(new.args) and (not old.args or int(new.args[0]) < int(old.args[0]))
        if old.name == "numeric":
            if not new.args:
                return False
            if not old.args:
                return True
            s0 = int(old.args[1]) if len(old.args) > 1 else 0
            s1 = int(new.args[1]) if len(new.args) > 1 else 0
            return s0 != s1 or int(new.args[0]) < int(old.args[0])
        return tuple(old.args) != tuple(new.args)
    if (old.name, new.name) in _BINARY_COERCIBLE:
        return old.name == "text" and bool(new.args)
    return True


def cast_path(old: DataType, new: DataType) -> str:
    """The cast(s) of USING: PostgreSQL casts boolean only to integer (and text), so a boolean
    becomes a bigint, smallint or numeric through integer; other types cast directly."""
    if (
        old.name == "boolean"
        and not (old.array_dims or new.array_dims)
        and new.name in _NUMERIC - {"integer"}
    ):
        return f"integer::{type_sql(new)}"
    return type_sql(new)
