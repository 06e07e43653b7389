"""The PostgreSQL DDL reader's table builder and small helpers over libpg_query's JSON tree.

:class:`TableBuilder` is the mutable table the statements edit until the reader freezes it into a
:class:`~dbdesign.model.Table`; the functions read the plain dicts pglast's ``parse_sql_json``
gives (node kinds, constants, booleans, role specs). Nothing here knows the reader's state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from dbdesign.errors import Diagnostic
from dbdesign.model import (
    Check,
    Column,
    DataType,
    Exclusion,
    Expr,
    ForeignKey,
    FrozenMap,
    Grant,
    Origin,
    PartitionBy,
    PrimaryKey,
    Table,
    Unique,
)
from dbdesign.readers.ddl.pgast import deparse

Warn = Callable[[Diagnostic], None]
Tree = dict[str, Any]  # a node of libpg_query's JSON parse tree


def node_kind(node: Any) -> str:
    """The kind of a node (its only key): ``CreateStmt``, ``ColumnDef`` ..."""
    kind: str = next(iter(node))
    return kind


def int_value(node: Tree) -> int | str | None:
    """Value of a DefElem argument or A_Const: Integer, Float (big numbers) or String."""
    if "A_Const" in node:  # {"A_Const": {"ival": {...}}} holds the same values, keyed by kind
        c = node["A_Const"]
        kinds = {"ival": "Integer", "fval": "Float", "sval": "String"}
        node = next(({kinds[k]: c[k]} for k in kinds if k in c), {})
    if "Integer" in node:
        return int(node["Integer"].get("ival", 0))
    if "Float" in node:
        return int(node["Float"]["fval"])
    if "String" in node:
        return str(node["String"]["sval"])
    if "TypeName" in node:
        return deparse(node)
    return None


def bool_value(arg: Tree | None) -> bool:
    """A DefElem's boolean argument; a missing one (``STRICT`` alone) is true."""
    if arg is None:
        return True
    if "Boolean" in arg:
        return bool(arg["Boolean"].get("boolval", False))
    v = int_value(arg)
    return bool(v) and v not in ("false", "off", "0")


def role_of(r: Tree) -> str:
    """A RoleSpec as written: a role name, ``PUBLIC``, or ``CURRENT_USER`` and the like."""
    rt = r.get("roletype")
    if rt == "ROLESPEC_PUBLIC":
        return "PUBLIC"
    if rt == "ROLESPEC_CSTRING":
        return str(r["rolename"])
    return str(rt).removeprefix("ROLESPEC_")


def arg_type(t: DataType) -> str:
    """A type as a function signature spells it: without modifiers."""
    return str(DataType(name=t.name, array_dims=t.array_dims))


@dataclasses.dataclass
class TableBuilder:
    """A table under construction; :meth:`freeze` makes the model's :class:`Table`."""

    schema: str
    name: str
    columns: list[Column] = dataclasses.field(default_factory=list)
    primary_key: PrimaryKey | None = None
    foreign_keys: dict[str, ForeignKey] = dataclasses.field(default_factory=dict)
    uniques: dict[str, Unique] = dataclasses.field(default_factory=dict)
    checks: dict[str, Check] = dataclasses.field(default_factory=dict)
    exclusions: dict[str, Exclusion] = dataclasses.field(default_factory=dict)
    partition_by: PartitionBy | None = None
    partition_of: str | None = None
    partition_bound: Expr | None = None
    inherits: tuple[str, ...] = ()
    unlogged: bool = False
    rls_enabled: bool = False
    rls_forced: bool = False
    options: tuple[str, ...] = ()
    grants: set[Grant] = dataclasses.field(default_factory=set)
    comment: str | None = None
    origin: Origin | None = None
    toasted: bool = False  # has a TOAST table (keeps toast.* storage parameters)
    # FKs written without a column list reference the target's primary key: resolved at the end.
    pending_fk_refs: dict[str, str] = dataclasses.field(default_factory=dict)

    def constraint_maps(self) -> list[dict[str, Any]]:
        """The named constraints, one map per kind (names are unique across them)."""
        return [self.foreign_keys, self.uniques, self.checks, self.exclusions]

    def col_index(self, column: str) -> int:
        for i, c in enumerate(self.columns):
            if c.name == column:
                return i
        raise KeyError(column)

    def set_col(self, column: str, **changes: Any) -> None:
        i = self.col_index(column)
        self.columns[i] = dataclasses.replace(self.columns[i], **changes)

    def freeze(self) -> Table:
        return Table(
            schema=self.schema,
            name=self.name,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            foreign_keys=FrozenMap(self.foreign_keys),
            uniques=FrozenMap(self.uniques),
            checks=FrozenMap(self.checks),
            exclusions=FrozenMap(self.exclusions),
            partition_by=self.partition_by,
            partition_of=self.partition_of,
            partition_bound=self.partition_bound,
            inherits=self.inherits,
            unlogged=self.unlogged,
            rls_enabled=self.rls_enabled,
            rls_forced=self.rls_forced,
            options=self.options,
            grants=frozenset(self.grants) if self.grants else _NO_GRANTS,
            comment=self.comment,
            origin=self.origin,
        )


_NO_GRANTS: frozenset[Grant] = frozenset()


def table_key(t: TableBuilder) -> str:
    """The model key of a table: ``schema.name``."""
    return f"{t.schema}.{t.name}"
