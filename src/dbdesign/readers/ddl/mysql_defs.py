"""The statements of a MySQL script as parsed (mutable: ALTER TABLE edits a table's
definition in place), and the exceptions a parser raises for statements it skips."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dbdesign.dialects.mysql import DEFAULT_COLLATION, DEFAULT_ENGINE, RawType
from dbdesign.model import DataType, Origin
from dbdesign.model.core import ReferentialAction


@dataclass(slots=True)
class DefaultDef:
    """A DEFAULT clause: ``kind`` null|number|string|bool|bits|hex|now|expr and its text
    (a string's decoded value; an expression's text without the outer parentheses)."""

    kind: str
    text: str


@dataclass(slots=True)
class MySQLColumnDef:
    name: str
    raw: RawType
    type: DataType = field(default_factory=lambda: DataType(name=""))
    collation: str | None = None  # effective collation, resolved when the column is created
    explicit_collation: str | None = None  # COLLATE among the column attributes
    notnull: bool = False
    default: DefaultDef | None = None
    auto_increment: bool = False
    on_update: str | None = None
    generated: str | None = None
    stored: bool = False
    comment: str | None = None
    serial: bool = False  # SERIAL or SERIAL DEFAULT VALUE: NOT NULL AUTO_INCREMENT UNIQUE
    no_default: bool = False  # ALTER ... DROP DEFAULT: no default, not even the zero date
    json_check: bool = False  # JSON: the server adds CHECK (json_valid(col)) if none is given
    origin: Origin | None = None


@dataclass(slots=True)
class KeyPart:
    column: str | None
    length: int | None = None
    desc: bool = False
    expr: str | None = None


@dataclass(slots=True)
class KeyDef:
    kind: Literal["primary", "unique", "index", "fulltext", "spatial"]
    name: str | None
    parts: list[KeyPart]
    using: str | None = None  # btree, hash, rtree
    comment: str | None = None
    generated: bool = False  # added for a foreign key without an index
    origin: Origin | None = None

    def columns(self) -> list[str]:
        return [p.column or "" for p in self.parts]


@dataclass(slots=True)
class FkDef:
    name: str | None
    columns: list[str]
    ref_db: str | None
    ref_table: str
    ref_columns: list[str]
    # What the server records when no action is written (InnoDB treats NO ACTION the same).
    on_delete: ReferentialAction = "RESTRICT"
    on_update: ReferentialAction = "RESTRICT"
    index_name: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class CheckDef:
    name: str | None
    expr: str
    column: str | None = None  # a column-level check (named after the column)
    origin: Origin | None = None


@dataclass(slots=True)
class TableOptions:
    engine: str | None = None
    charset: str | None = None
    collation: str | None = None
    comment: str | None = None
    create_options: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class MySQLTableDef:
    name: str
    schema: str | None = None  # as written: CREATE TABLE db.t
    columns: list[MySQLColumnDef] = field(default_factory=list)
    keys: list[KeyDef] = field(default_factory=list)
    fks: list[FkDef] = field(default_factory=list)
    checks: list[CheckDef] = field(default_factory=list)
    options: TableOptions = field(default_factory=TableOptions)
    engine: str = DEFAULT_ENGINE
    collation: str = DEFAULT_COLLATION
    if_not_exists: bool = False
    or_replace: bool = False
    like: tuple[str | None, str] | None = None
    origin: Origin | None = None

    def column(self, name: str) -> MySQLColumnDef | None:
        low = name.lower()
        return next((c for c in self.columns if c.name.lower() == low), None)

    def key(self, name: str) -> KeyDef | None:
        low = name.lower()
        return next((k for k in self.keys if k.name is not None and k.name.lower() == low), None)


@dataclass(slots=True)
class IndexStmt:
    table: tuple[str | None, str]
    key: KeyDef
    if_not_exists: bool = False
    origin: Origin | None = None


AlterKind = Literal[
    "add_column",
    "add_key",
    "add_fk",
    "add_check",
    "drop_column",
    "drop_key",
    "drop_primary",
    "drop_fk",
    "drop_constraint",
    "modify",
    "rename_column",
    "set_default",
    "drop_default",
    "rename_key",
    "rename_table",
    "options",
    "convert",
]


@dataclass(slots=True)
class AlterAction:
    kind: AlterKind
    column: MySQLColumnDef | None = None
    old: str = ""
    new: str = ""
    position: tuple[str, str] | None = None  # ("FIRST", "") or ("AFTER", column)
    keys: list[KeyDef] = field(default_factory=list)
    fk: FkDef | None = None
    check: CheckDef | None = None
    default: DefaultDef | None = None
    children: list[AlterAction] = field(default_factory=list)  # ADD (col, col ...)
    options: TableOptions | None = None
    if_exists: bool = False
    new_schema: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class AlterStmt:
    table: tuple[str | None, str]
    actions: list[AlterAction]
    origin: Origin | None = None


@dataclass(slots=True)
class MySQLViewDef:
    name: str
    schema: str | None
    query: str
    columns: list[str]
    algorithm: str | None = None
    security: str | None = None
    check_option: Literal["LOCAL", "CASCADED"] | None = None
    or_replace: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class MySQLTriggerDef:
    name: str
    schema: str | None
    table: tuple[str | None, str]
    timing: Literal["BEFORE", "AFTER"]
    event: str
    body: str
    or_replace: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class RoutineDef:
    kind: Literal["function", "procedure"]
    name: str
    schema: str | None
    params: list[tuple[str, str, str]]  # (mode, name, canonical type)
    returns: str | None
    body: str
    deterministic: bool = False
    data_access: str = "CONTAINS SQL"
    security_definer: bool = True
    comment: str | None = None
    or_replace: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class DropStmt:
    kind: Literal["TABLE", "VIEW", "INDEX", "TRIGGER", "PROCEDURE", "FUNCTION", "DATABASE"]
    names: list[tuple[str | None, str]]
    if_exists: bool = False
    table: tuple[str | None, str] | None = None  # DROP INDEX ... ON table
    origin: Origin | None = None


@dataclass(slots=True)
class RenameStmt:
    pairs: list[tuple[tuple[str | None, str], tuple[str | None, str]]]
    origin: Origin | None = None


@dataclass(slots=True)
class UseStmt:
    database: str
    origin: Origin | None = None


Parsed = (
    MySQLTableDef
    | IndexStmt
    | AlterStmt
    | MySQLViewDef
    | MySQLTriggerDef
    | RoutineDef
    | DropStmt
    | RenameStmt
    | UseStmt
)


class MySQLSkip(Exception):
    """A valid statement outside the model: reported as a warning and skipped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class Ignore(Exception):
    """A valid statement with no effect on the model (CREATE DATABASE ...): skipped silently."""


def fk_key(fk: FkDef) -> KeyDef:
    """The index InnoDB adds for a foreign key (dropped again when another key covers
    it: mysql_server.settle_keys)."""
    return KeyDef(
        "index",
        fk.index_name or fk.name,
        [KeyPart(c) for c in fk.columns],
        generated=True,
        origin=fk.origin,
    )


def now_text(precision: int) -> str:
    """CURRENT_TIMESTAMP at ``precision`` as the server prints it (a default, ON UPDATE)."""
    return f"current_timestamp({precision})" if precision else "current_timestamp()"
