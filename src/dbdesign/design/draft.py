"""The designer's working state: the tables it drafts, the indexes, the decisions and their
reasons, and the small helpers every step of the design shares (names, key types, indexes).

The steps (columns, references, cycles, features, partitioning, indexes, access patterns) are
functions over one :class:`Draft`; :class:`dbdesign.design.build.DesignBuilder` runs them in
order and freezes the result into a :class:`~dbdesign.model.Schema`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dbdesign.design.naming import object_name, plural
from dbdesign.design.types import MAPPERS
from dbdesign.dialects.mysql import quote_ident
from dbdesign.model import (
    Check,
    Column,
    DataType,
    Exclusion,
    Expr,
    Extension,
    ForeignKey,
    FrozenMap,
    Function,
    Index,
    IndexElement,
    PartitionBy,
    PrimaryKey,
    Trigger,
    Unique,
)
from dbdesign.model.core import ReferentialAction, VirtualTable
from dbdesign.readers.spec import Entity, Spec, feature_on
from dbdesign.readers.spec_patterns import AccessPattern

PROJECTION_YEARS = 3
DAY = 86_400  # seconds
ASSUMED_RPO_MINUTES = 5.0  # recovery objectives DESIGN.md assumes when the spec states none
ASSUMED_RTO_MINUTES = 60.0
DEFAULT_PROOF_ROWS = 10_000
LIVE = "not_deleted"  # MySQL soft delete: 1 while the row is live, NULL once deleted
SOFT_DELETED = "deleted_at IS NULL"  # the predicate of a live row


@dataclass(frozen=True, slots=True)
class Decision:
    subject: str
    choice: str
    reason: str


@dataclass(frozen=True, slots=True)
class Param:
    column: str
    kind: str  # "eq" | "in" | "lower" | "upper" | "search" | "cursor" | "via" | "vector"
    # "via": the link table (qualified key) whose column holds the value, not the pattern's
    table: str = ""


@dataclass(frozen=True, slots=True)
class PatternPlan:
    pattern: AccessPattern
    table: str  # qualified table key
    sql: str  # $1, $2 ... placeholders, in the order of ``params``
    params: tuple[Param, ...]
    index: str | None  # the index designed to serve it (None: a small table, no index)
    reason: str
    # Other designed indexes that serve it as well (a tenant-scoped search: small tenants are
    # read through any index that leads with the tenant key, large ones through the GIN index).
    alternatives: tuple[str, ...] = ()
    # The shape the plan must have, as DESIGN.md says: rows in the pattern's order from the
    # index (no sort: LIMIT stops early); read from the index alone (covering).
    ordered: bool = False
    covering: bool = False
    # Every index the plan must read with typical values, besides ``index`` (an OR: the index
    # of each branch, whose row sets the plan combines).
    reads: tuple[str, ...] = ()
    # A traversal (via): the link table (its name), which the plan must never read whole.
    link: str | None = None


@dataclass(frozen=True, slots=True)
class RulePlan:
    """A business rule of the spec as this design keeps it: what it says, the schema objects
    that enforce it (``objects``: their names appear in the server's refusals), how, and what
    the proof and the data generator need to know of it (the fields it reads as columns)."""

    kind: str  # "unique" | "no_overlap" | "check" | "transition" | "at_most"
    # | "check_digit" | "pattern" | "sum" | "generated"
    entity: str
    table: str  # qualified table key
    name: str  # the rule's name: the constraint, index or trigger pair that enforces it
    statement: str  # the rule in the spec's terms
    how: str  # how this dialect enforces it; "" when the application must
    objects: tuple[str, ...]  # schema objects enforcing it
    columns: FrozenMap[str, str]  # each field it reads -> its column
    key: tuple[str, ...] = ()  # unique: the key's fields; no_overlap: the per fields
    range: tuple[str, str] | None = None  # no_overlap: start and end fields
    condition: str | None = None  # check, or unique's where, in the spec's syntax
    reason: str = ""  # why the application enforces it, or what to know about the enforcement
    description: str | None = None
    # text one of which the server's refusal contains (names, or SQLite's "table.column")
    signature: tuple[str, ...] = ()
    moves: FrozenMap[str, tuple[str, ...]] | None = None  # transition: state -> its next states
    limit: int = 0  # at_most: the most children (meeting the condition) per parent
    pattern: str | None = None  # pattern: the regular expression the whole value matches
    scheme: str = ""  # check_digit: "isbn", "ean" or "iban"

    @property
    def enforced(self) -> bool:
        return bool(self.how)


@dataclass(frozen=True, slots=True)
class TableInfo:
    key: str
    name: str
    entity: str | None  # None for a link table
    purpose: str
    relationships: tuple[str, ...]
    proof_rows: int


def design_time() -> datetime:
    """When a design is made (UTC): now, or ``SOURCE_DATE_EPOCH`` so that outputs reproduce."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)


@dataclass(slots=True)
class TableDraft:
    """A table while it is designed: mutable, frozen into a model Table at the end."""

    name: str
    entity: str | None
    purpose: str
    columns: list[Column] = field(default_factory=list)
    pk: PrimaryKey | None = None
    fks: dict[str, ForeignKey] = field(default_factory=dict)
    uniques: dict[str, Unique] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    exclusions: dict[str, Exclusion] = field(default_factory=dict)
    relationships: list[str] = field(default_factory=list)
    partition_by: PartitionBy | None = None
    partition_key: str | None = None
    partitions: list[tuple[str, str]] = field(default_factory=list)  # (name, FOR VALUES ...)
    rls: bool = False
    tenant_col: str | None = None  # the tenant key column of a tenant-owned table
    comment: str | None = None
    options: dict[str, str] = field(default_factory=dict)  # Table.dialect_options (MySQL)
    search: tuple[str, ...] = ()  # columns of the full-text index (MySQL; SQLite's FTS5)
    live_key: bool = False  # MySQL: unique keys need the not_deleted column
    semantic: dict[str, str] = field(default_factory=dict)  # column -> semantic type
    proof_rows: int = DEFAULT_PROOF_ROWS


class Draft:
    """The state of one design. ``pg`` and ``my`` say whether it is for PostgreSQL or MySQL
    (else SQLite); the builder decides them, so the dialect's name is read in one place."""

    def __init__(self, spec: Spec, dialect: str, *, pg: bool, my: bool) -> None:
        self.spec = spec
        self.dialect = dialect
        self.pg = pg
        self.my = my
        self.ns = spec.project.conventions.schema_name if self.pg else "main"
        self.map = MAPPERS[dialect]
        self.tables: dict[str, TableDraft] = {}  # entity (or link name) -> table
        self.indexes: dict[str, Index] = {}
        self.index_purposes: dict[str, list[str]] = {}
        self.decisions: list[Decision] = []
        self.patterns: list[PatternPlan] = []
        self.partitioned: list[str] = []
        feats = spec.project.features
        self.tenant = feats.multi_tenancy.tenant if feats.multi_tenancy else None
        self.tenant_cols: dict[str, str] = {}  # entity -> its tenant key column
        # foreign key name -> the position of its relationship in the spec (-1: one the
        # designer added, the tenant key)
        self.fk_order: dict[str, int] = {}
        self.extensions: dict[str, Extension] = {}  # what the column types need (pgvector)
        self.triggers: dict[str, Trigger] = {}  # triggers that enforce rules, by key
        self.functions: dict[str, Function] = {}  # PostgreSQL: their functions, by signature
        self.virtual_tables: dict[str, VirtualTable] = {}  # SQLite: FTS5 tables, by key
        self.rules: list[RulePlan] = []
        # "table.column" -> its description from the spec, kept for DESIGN.md where the
        # dialect has no column comments
        self.column_notes: dict[str, str] = {}

    def decide(self, subject: str, choice: str, reason: str) -> None:
        self.decisions.append(Decision(subject, choice, reason))

    def key(self, t: TableDraft) -> str:
        return f"{self.ns}.{t.name}"

    def feature(self, e: Entity, name: str) -> bool:
        return feature_on(self.spec, e, name)

    def pk_type(self, entity: str) -> DataType:
        e = self.spec.entities[entity]
        kind = e.key if e.key != "auto" else self.spec.project.conventions.keys
        if kind == "uuid":
            if self.my:
                return DataType(name="binary", args=(16,))
            return DataType(name="uuid" if self.pg else "text")
        return DataType(name="bigint" if self.pg or self.my else "integer")

    def pk_name(self, table: str) -> str:
        """MySQL names every primary key PRIMARY; elsewhere ``pk_<table>``."""
        return "PRIMARY" if self.my else object_name("pk", table)

    def purpose(self, t: TableDraft, name: str, why: str) -> None:
        # MySQL primary keys are all called PRIMARY: their purposes are kept per table.
        key = f"{t.name}.{name}" if self.my and name == "PRIMARY" else name
        self.index_purposes.setdefault(key, []).append(why)

    def table_name(self, entity: str) -> str:
        return self.spec.entities[entity].table or plural(entity)

    def proof_rows(self, e: Entity) -> int:
        return e.volume.rows or DEFAULT_PROOF_ROWS

    def projected(self, e: Entity) -> int:
        return e.volume.rows + PROJECTION_YEARS * e.volume.growth_per_year

    def column_of(self, entity: str, fieldname: str) -> str:
        e = self.spec.entities[entity]
        if fieldname in e.attributes or fieldname in ("id", "created_at", "updated_at"):
            return fieldname
        if fieldname == self.tenant and entity in self.tenant_cols:
            return self.tenant_cols[entity]
        return fieldname if fieldname in ("deleted_at", "version") else f"{fieldname}_id"

    @property
    def no_action(self) -> ReferentialAction:
        """ON UPDATE of the foreign keys: what the server records when none is written (MySQL
        records RESTRICT, the same check as NO ACTION in InnoDB)."""
        return "RESTRICT" if self.my else "NO ACTION"

    def q(self, name: str) -> str:
        """A column name in SQL text: designed names are snake_case, but a few (key, order ...)
        are reserved words in MySQL and are quoted there."""
        return quote_ident(name) if self.my else name

    def ph(self, n: int) -> str:
        """The n-th query parameter: $n (PostgreSQL), ?n (SQLite), ? (MySQL)."""
        return f"${n}" if self.pg else "?" if self.my else f"?{n}"

    def timestamp(self) -> tuple[DataType, str]:
        """The type of created_at/updated_at/deleted_at, and the default that is now."""
        if self.pg:
            return DataType(name="timestamp with time zone"), "now()"
        if self.my:
            return DataType(name="datetime", args=(6,)), "current_timestamp(6)"
        return DataType(name="text"), "CURRENT_TIMESTAMP"

    def index(
        self,
        t: TableDraft,
        name: str,
        elements: tuple[IndexElement, ...],
        *,
        unique: bool = False,
        method: str = "btree",
        include: tuple[str, ...] = (),
        where: str | None = None,
        purpose: str,
    ) -> str:
        """Add an index (or, when one of that name exists, only this purpose to it)."""
        if name in self.indexes:
            self.index_purposes[name].append(purpose)
            return name
        self.indexes[name] = Index(
            name=name,
            schema=self.ns,
            table=t.name,
            elements=elements,
            include=include if self.pg else (),
            method=method,
            unique=unique,
            where=Expr(where, self.dialect) if where else None,
        )
        self.index_purposes[name] = [purpose]
        return name

    def add_unique(self, t: TableDraft, cols: tuple[str, ...], why: str) -> None:
        name = object_name("uq", t.name, cols)
        t.uniques[name] = Unique(name=name, columns=cols)
        self.index_purposes.setdefault(name, []).append(why)
