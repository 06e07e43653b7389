"""The parsed SQLite statements: mutable definitions (a table's columns and constraints as
written, indexes, views, triggers, ALTER TABLE and DROP) that the reader edits as later
statements change them, before it builds the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dbdesign.model import Origin
from dbdesign.model.core import ReferentialAction


@dataclass(slots=True)
class SQLiteColumnDef:
    name: str
    type_text: str  # the declared type as SQLite stores it
    notnull: bool = False
    default: str | None = None  # the text PRAGMA table_xinfo reports as dflt_value
    collation: str | None = None
    generated: str | None = None
    stored: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class ConstraintDef:
    kind: Literal["pk", "unique", "check", "fk"]
    name: str | None
    columns: list[str] = field(default_factory=list)
    expr: str | None = None
    ref_table: str = ""
    ref_columns: list[str] = field(default_factory=list)
    on_delete: ReferentialAction = "NO ACTION"
    on_update: ReferentialAction = "NO ACTION"
    deferred: bool = False
    autoincrement: bool = False
    desc: bool = False
    column: str | None = None  # the column of a column constraint
    origin: Origin | None = None


@dataclass(slots=True)
class SQLiteTableDef:
    name: str
    columns: list[SQLiteColumnDef] = field(default_factory=list)
    constraints: list[ConstraintDef] = field(default_factory=list)
    without_rowid: bool = False
    strict: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None

    def column(self, name: str) -> SQLiteColumnDef | None:
        low = name.lower()
        for c in self.columns:
            if c.name.lower() == low:
                return c
        return None


@dataclass(slots=True)
class ElementDef:
    column: str | None
    expr: str | None
    collation: str | None
    desc: bool


@dataclass(slots=True)
class IndexDef:
    name: str
    table: str
    unique: bool
    elements: list[ElementDef]
    where: str | None
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class SQLiteViewDef:
    name: str
    columns: list[str]
    query: str
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class SQLiteTriggerDef:
    name: str
    table: str
    timing: Literal["BEFORE", "AFTER", "INSTEAD OF"]
    event: str
    columns: list[str]
    when: str | None
    body: str
    if_not_exists: bool = False
    origin: Origin | None = None


# The virtual-table modules the readers model, with the tables each keeps its data in (named
# <virtual table>_<suffix>): FTS5 makes _data, _idx and _config always, _content unless the
# content is external (content=...) or none (content=''), _docsize unless columnsize=0.
MODULES = frozenset(("fts5",))


@dataclass(slots=True)
class SQLiteVirtualDef:
    """``CREATE VIRTUAL TABLE name USING module(arguments)``: each argument as its tokens,
    joined by one space where two words meet (``content='t'``, ``name UNINDEXED``)."""

    name: str
    module: str  # lower case
    arguments: list[str]
    if_not_exists: bool = False
    origin: Origin | None = None

    def option(self, key: str) -> str | None:
        for a in self.arguments:
            k, eq, v = a.partition("=")
            if eq and k.lower() == key:
                return v.strip("'\"")
        return None

    def shadow_tables(self) -> tuple[str, ...]:
        """The names of the tables the module keeps (only FTS5 is modelled)."""
        suffixes = ["data", "idx", "config"]
        if self.option("content") is None:
            suffixes.append("content")
        if self.option("columnsize") != "0":
            suffixes.append("docsize")
        return tuple(f"{self.name}_{s}" for s in suffixes)


@dataclass(slots=True)
class AlterDef:
    table: str
    action: Literal["rename", "rename_column", "add_column", "drop_column"]
    old: str = ""
    new: str = ""
    column: SQLiteColumnDef | None = None
    constraints: list[ConstraintDef] = field(default_factory=list)
    origin: Origin | None = None


DropKind = Literal["TABLE", "INDEX", "VIEW", "TRIGGER"]
DROP_KINDS: dict[str, DropKind] = {
    "TABLE": "TABLE",
    "INDEX": "INDEX",
    "VIEW": "VIEW",
    "TRIGGER": "TRIGGER",
}


@dataclass(slots=True)
class DropDef:
    kind: DropKind
    name: str
    if_exists: bool
    origin: Origin | None = None


Statement = (
    SQLiteTableDef
    | SQLiteVirtualDef
    | IndexDef
    | SQLiteViewDef
    | SQLiteTriggerDef
    | AlterDef
    | DropDef
)


class SQLiteSkip(Exception):
    """A statement that is valid but outside the model (TEMP objects, virtual tables ...)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
