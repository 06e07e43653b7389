"""Spec -> Schema: tables, keys, constraints, indexes from access patterns, with a reason for
every decision the spec does not force."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from graphlib import CycleError, TopologicalSorter
from itertools import pairwise

from dbdesign import dialects
from dbdesign.design.naming import object_name, plural
from dbdesign.design.types import MAPPERS, Physical, literal
from dbdesign.dialects.mysql import quote_ident
from dbdesign.model import (
    Check,
    Column,
    DataType,
    Expr,
    Extension,
    ForeignKey,
    FrozenMap,
    Function,
    Generated,
    Grant,
    Identity,
    Index,
    IndexElement,
    Namespace,
    PartitionBy,
    Policy,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
)
from dbdesign.model.core import ReferentialAction
from dbdesign.readers.spec import AccessPattern, Attribute, Entity, Relationship, Spec

SMALL_TABLE_ROWS = 1_000  # below this a sequential scan beats any index
PARTITION_ROWS = 50_000_000  # projected rows (3 years) that make time partitioning worth it
INCLUDE_MAX = 3  # columns an index may carry for index-only scans
PROJECTION_YEARS = 3
DEFAULT_PROOF_ROWS = 10_000
_WIDE = {"long_text", "json", "vector"}
# MySQL: no INCLUDE, so selected columns are appended to the key when together they are no
# wider than this (bytes); a key may not pass InnoDB's 3072 bytes in any case.
COVER_MAX_BYTES = 1024
MYSQL_KEY_BYTES = 3072  # InnoDB's longest index key (DYNAMIC row format)
LIVE = "not_deleted"  # MySQL soft delete: 1 while the row is live, NULL once deleted
SOFT_DELETED = "deleted_at IS NULL"  # the predicate of a live row
NOT_PARTITIONED = "not partitioned (MySQL)"  # the decision for a table PostgreSQL partitions
_ACTIONS = {"cascade": "CASCADE", "restrict": "RESTRICT", "set null": "SET NULL"}
# The decisions that make a cycle of required references insertable (DESIGN.md lists them
# among the integrity rules): one key of each cycle checked at COMMIT, or, where the dialect
# cannot defer a key (MySQL), made nullable.
CYCLE_DEFERRED = "DEFERRABLE INITIALLY DEFERRED"
CYCLE_NULLABLE = "nullable, to break a cycle of required references"


@dataclass(frozen=True, slots=True)
class Decision:
    subject: str
    choice: str
    reason: str


@dataclass(frozen=True, slots=True)
class Param:
    column: str
    kind: str  # "eq" | "lower" | "upper" | "search"


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


@dataclass(frozen=True, slots=True)
class TableInfo:
    key: str
    name: str
    entity: str | None  # None for a link table
    purpose: str
    relationships: tuple[str, ...]
    proof_rows: int


@dataclass(slots=True)
class _T:
    name: str
    entity: str | None
    purpose: str
    columns: list[Column] = field(default_factory=list)
    pk: PrimaryKey | None = None
    fks: dict[str, ForeignKey] = field(default_factory=dict)
    uniques: dict[str, Unique] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)
    relationships: list[str] = field(default_factory=list)
    partition_by: PartitionBy | None = None
    partition_key: str | None = None
    rls: bool = False
    tenant_col: str | None = None  # the tenant key column of a tenant-owned table
    comment: str | None = None
    options: dict[str, str] = field(default_factory=dict)  # Table.dialect_options (MySQL)
    search: tuple[str, ...] = ()  # columns of the full-text index (MySQL)
    live_key: bool = False  # MySQL: unique keys need the not_deleted column
    semantic: dict[str, str] = field(default_factory=dict)  # column -> semantic type
    proof_rows: int = DEFAULT_PROOF_ROWS


class Builder:
    def __init__(self, spec: Spec, dialect: str) -> None:
        self.spec = spec
        self.dialect = dialect
        self.pg = dialect == "postgres"
        self.my = dialect == "mysql"
        self.ns = spec.project.conventions.schema_name if self.pg else "main"
        self.map = MAPPERS[dialect]
        self.tables: dict[str, _T] = {}  # entity (or link name) -> table
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

    # ---- helpers ------------------------------------------------------------------------------

    def decide(self, subject: str, choice: str, reason: str) -> None:
        self.decisions.append(Decision(subject, choice, reason))

    def key(self, t: _T) -> str:
        return f"{self.ns}.{t.name}"

    def feature(self, e: Entity, name: str) -> bool:
        own = getattr(e, name)
        return bool(getattr(self.spec.project.features, name) if own is None else own)

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

    def _purpose(self, t: _T, name: str, why: str) -> None:
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

    # ---- build --------------------------------------------------------------------------------

    def build(self) -> Schema:
        self._tables()
        self._links()
        self._same_tenant_references()
        self._required_cycles()
        self._pattern_indexes()
        self._fk_indexes()
        self._tenant_search_alternatives()
        return self._schema()

    def _tables(self) -> None:
        spec = self.spec
        refs: dict[str, list[Relationship]] = {}
        for r in spec.relationships:
            if r.type != "many-to-many":
                assert r.child
                refs.setdefault(r.child, []).append(r)
        for ename, e in spec.entities.items():
            t = _T(
                name=self.table_name(ename),
                entity=ename,
                purpose=e.description or f"One row per {ename.replace('_', ' ')}.",
                comment=e.description,
                proof_rows=self.proof_rows(e),
            )
            self.tables[ename] = t
            self._key_column(ename, e, t)
            self._tenant_column(ename, e, t, refs.get(ename, []))
            for r in refs.get(ename, []):
                self._reference(t, r)
            for aname, a in e.attributes.items():
                assert isinstance(a, Attribute)
                self._attribute(t, aname, a)
            for group in e.unique_together:
                cols = tuple(self.column_of(ename, f) for f in group)
                self._unique(t, cols, e, "stated unique together in the spec")
            self._lifecycle(ename, e, t)
        if self.my and any(
            c.type.name == "datetime" for t in self.tables.values() for c in t.columns
        ):
            self.decide(
                "timestamps",
                "DATETIME(6) in UTC; the server's time_zone '+00:00'",
                "CURRENT_TIMESTAMP(6) defaults and ON UPDATE use the session time zone: run the "
                "server (default_time_zone) or every session with time_zone = '+00:00' so they "
                "are UTC like the values the application writes",
            )
        mt = spec.project.features.multi_tenancy
        if self.my and mt and mt.row_level_security:
            self.decide(
                "tenant isolation",
                "in the application (no row-level security)",
                "MySQL and MariaDB have no row-level security: every query must filter by "
                f"{mt.tenant}_id (the access patterns below do), and the tenant key leads "
                "every access pattern's index",
            )

    @property
    def no_action(self) -> ReferentialAction:
        """ON UPDATE of the foreign keys: what the server records when none is written (MySQL
        records RESTRICT, the same check as NO ACTION in InnoDB)."""
        return "RESTRICT" if self.my else "NO ACTION"

    def _q(self, name: str) -> str:
        """A column name in SQL text: designed names are snake_case, but a few (key, order ...)
        are reserved words in MySQL and are quoted there."""
        return quote_ident(name) if self.my else name

    def _ph(self, n: int) -> str:
        """The n-th query parameter: $n (PostgreSQL), ?n (SQLite), ? (MySQL)."""
        return f"${n}" if self.pg else "?" if self.my else f"?{n}"

    def _key_bytes(self, t: _T, col: str) -> int | None:
        """MySQL: the most bytes a column takes in an index key (utf8mb4), None for types a key
        cannot hold whole (TEXT, JSON)."""
        c = next(c for c in t.columns if c.name == col)
        n = c.type.name
        fixed = {"tinyint": 1, "boolean": 1, "smallint": 2, "int": 4, "bigint": 8, "date": 3}
        if n in fixed:
            return fixed[n]
        if n in ("datetime", "time"):
            return 8
        if n == "decimal":
            return int(c.type.args[0]) // 2 + 1
        if n in ("char", "varchar"):
            return 4 * int(c.type.args[0]) + 2
        if n == "binary":
            return int(c.type.args[0])
        return None

    def _key_column(self, ename: str, e: Entity, t: _T) -> None:
        typ = self.pk_type(ename)
        kind = e.key if e.key != "auto" else self.spec.project.conventions.keys
        if typ.name == "uuid":
            col = Column(name="id", type=typ, nullable=False, default=Expr("gen_random_uuid()"))
            why = "uuid key: ids can be made outside the database and reveal nothing"
        elif self.my and kind == "uuid":
            col = Column(
                name="id",
                type=typ,
                nullable=False,
                default=Expr("unhex(replace(uuid(),'-',''))", self.dialect),
            )
            why = (
                "uuid key as BINARY(16): ids can be made outside the database and reveal "
                "nothing; prefer time-ordered ids (UUIDv7) from the application, since InnoDB "
                "clusters rows by primary key and random keys split its pages"
            )
        elif self.my:
            col = Column(name="id", type=typ, nullable=False, identity=Identity(always=False))
            why = (
                "bigint AUTO_INCREMENT: compact keys in insert order, so InnoDB appends to its "
                "clustered index; bigint cannot overflow (int stops at 2^31)"
            )
        elif self.pg:
            col = Column(name="id", type=typ, nullable=False, identity=Identity(always=True))
            why = (
                "bigint GENERATED ALWAYS AS IDENTITY: compact, ordered keys that cannot "
                "overflow (integer stops at 2^31) and cannot be set by mistake (not serial)"
            )
        else:
            col = Column(name="id", type=typ, nullable=False)
            why = "INTEGER PRIMARY KEY: SQLite's rowid alias, assigned automatically"
        t.columns.append(col)
        t.pk = PrimaryKey(name=self.pk_name(t.name), columns=("id",))
        self.decide(f"{t.name}.id", f"{kind} primary key", why)

    def _tenant_column(self, ename: str, e: Entity, t: _T, refs: list[Relationship]) -> None:
        if not self.tenant or ename == self.tenant or e.tenant_scoped is False:
            return
        for r in refs:
            if r.parent == self.tenant and (r.name or r.parent) == self.tenant:
                self.tenant_cols[ename] = t.tenant_col = f"{self.tenant}_id"
                return  # the stated relationship is the tenant key
        col = f"{self.tenant}_id"
        self.tenant_cols[ename] = t.tenant_col = col
        r = Relationship(type="one-to-many", parent=self.tenant, child=ename, on_delete="restrict")
        self._reference(t, r)
        isolated = (
            "the application isolates the rows of one tenant (MySQL has no row-level security)"
            if self.my
            else "rows of one tenant are isolated (RLS)"
        )
        self.decide(
            f"{t.name}.{col}",
            "tenant key on every tenant-owned table",
            f"multi-tenancy: every query and index can lead with the tenant, {isolated} and "
            "the table can later be sharded by it",
        )

    def _same_tenant_references(self) -> None:
        """A reference between two tenant-owned tables includes the tenant key, so a row can
        only point at a parent of its own tenant: (tenant_id, parent_id) references the
        parent's (tenant_id, id), which a unique key makes referenceable."""
        by_key = {f"{self.ns}.{p.name}": p for p in self.tables.values()}
        for t in self.tables.values():
            tcol = t.tenant_col
            if tcol is None:
                continue
            for fk_name, fk in list(t.fks.items()):
                parent = by_key.get(fk.ref_table)
                if parent is None or parent.tenant_col is None or fk.columns == (tcol,):
                    continue
                ptcol = parent.tenant_col
                why = None
                if fk.on_delete == "SET NULL":
                    why = "ON DELETE SET NULL would clear the tenant key too"
                elif parent.partition_by is not None:
                    why = f"{parent.name} is partitioned: a unique key must hold its partition key"
                elif parent is t:
                    why = "a self-reference: a row's parent is checked to exist, not its tenant"
                if why:
                    self.decide(fk_name, "tenant not part of the reference", why)
                    continue
                key = (ptcol, "id")
                if key not in [u.columns for u in parent.uniques.values()]:
                    self._add_unique(parent, key, "the target of same-tenant references")
                t.fks[fk_name] = replace(fk, columns=(tcol, *fk.columns), ref_columns=key)
                col = fk.columns[0]
                t.relationships = [
                    f"{line} (with `{tcol}`: the same tenant)"
                    if line.startswith(f"`{col}` ")
                    else line
                    for line in t.relationships
                ]
                self.decide(
                    fk_name,
                    f"({tcol}, {col}) references {parent.name} ({', '.join(key)})",
                    "a row can only refer to a parent of its own tenant: the database, not "
                    "the application, keeps tenants apart",
                )

    # ---- cycles of required references ---------------------------------------------------

    def _required_cycles(self) -> None:
        """A cycle of required references (authors -> books -> publishers -> authors, every
        key NOT NULL) can hold no row while each key is checked as its row is inserted: the
        first row of the cycle always points at one that does not exist yet. One key of each
        such cycle is checked at COMMIT instead (DEFERRABLE INITIALLY DEFERRED: the cycle's
        rows go in in one transaction) or, where the dialect cannot defer a key (MySQL /
        MariaDB check every key as the row is written), made nullable (the row goes in with
        NULL, then an UPDATE sets it once the referenced row exists).

        The key chosen is the relationship of the cycle stated last in the spec (a spec lists
        the main chain of parents first; the relationship that closes the loop comes last),
        never the tenant key while another key can be chosen. Deterministic: the same spec
        always gives the same key."""
        by_key = {self.key(t): t for t in self.tables.values()}
        while True:
            graph: dict[str, set[str]] = {k: set() for k in by_key}
            for k, t in by_key.items():
                for fk in t.fks.values():
                    if (
                        fk.ref_table != k
                        and fk.ref_table in by_key
                        and self._checked_at_once(t, fk)
                    ):
                        graph[k].add(fk.ref_table)
            try:
                TopologicalSorter(graph).prepare()
                return
            except CycleError as e:
                cycle: list[str] = e.args[1]  # each table is referenced by the next
            edges = [
                (by_key[child], fk)
                for parent, child in pairwise(cycle)
                for fk in by_key[child].fks.values()
                if fk.ref_table == parent and self._checked_at_once(by_key[child], fk)
            ]
            t, fk = max(
                edges,
                key=lambda e: (
                    e[1].columns != (e[0].tenant_col,),
                    self.fk_order.get(e[1].name, -1),
                ),
            )
            path = " → ".join(by_key[k].name for k in reversed(cycle))
            self._break_cycle(t, fk, path)

    def _checked_at_once(self, t: _T, fk: ForeignKey) -> bool:
        """The key is checked as its row is inserted and cannot be NULL."""
        nullable = {c.name for c in t.columns if c.nullable}
        return not fk.initially_deferred and not nullable & set(fk.columns)

    def _break_cycle(self, t: _T, fk: ForeignKey, path: str) -> None:
        parent = fk.ref_table.split(".", 1)[1]
        own = [c for c in fk.columns if c != t.tenant_col] or list(fk.columns)
        cols = ", ".join(own)
        why = (
            f"the required references {path} form a cycle: checked as each row is inserted, "
            "no first row of the cycle could ever be inserted (it would point at a row that "
            "does not exist yet)"
        )
        chosen = (
            "it is the cycle's relationship stated last in the spec (the one that closes the "
            "loop); the cycle's other keys stay checked at once"
        )
        if not dialects.get(self.dialect).capabilities.deferrable:
            t.columns = [replace(c, nullable=True) if c.name in own else c for c in t.columns]
            suffix = "nullable: breaks a cycle of required references"
            self.decide(
                f"{t.name}.{cols}",
                CYCLE_NULLABLE,
                f"{why}. MySQL and MariaDB check a foreign key as each row is written and "
                f"cannot defer it to COMMIT, so this one accepts NULL: insert the {t.name} row "
                f"with {cols} NULL, then set it by UPDATE once the {parent} row exists, in one "
                f"transaction (the spec requires it: the application keeps it set); {chosen}",
            )
        else:
            action = fk.on_delete
            if action == "RESTRICT":  # RESTRICT is checked at once even on a deferred key
                action = "NO ACTION"
                self.decisions = [
                    d
                    for d in self.decisions
                    if not (d.subject == fk.name and d.choice == "ON DELETE RESTRICT")
                ]
            t.fks[fk.name] = replace(fk, deferrable=True, initially_deferred=True, on_delete=action)
            suffix = f"{CYCLE_DEFERRED}: checked at COMMIT"
            restrict = (
                "; ON DELETE NO ACTION instead of RESTRICT: RESTRICT is checked at once even "
                f"on a deferred key, NO ACTION still refuses to delete a referenced {parent} "
                "row but at COMMIT, so the rows of the cycle can also be deleted together"
                if action != fk.on_delete
                else ""
            )
            self.decide(
                fk.name,
                CYCLE_DEFERRED,
                f"{why}. This key is checked at COMMIT instead: insert the rows of the cycle "
                f"in one transaction; {chosen}{restrict}",
            )
        t.relationships = [
            (line.replace("ON DELETE RESTRICT)", "ON DELETE NO ACTION)") if not self.my else line)
            + f"; {suffix}"
            if line.startswith(f"`{own[0]}` ")
            else line
            for line in t.relationships
        ]

    def _reference(self, t: _T, r: Relationship) -> None:
        assert r.parent
        parent = self.tables.get(r.parent)
        ptable = parent.name if parent else self.table_name(r.parent)
        role = r.name or r.parent
        col = f"{role}_id"
        t.columns.append(
            Column(name=col, type=self.pk_type(r.parent), nullable=not r.required, comment=None)
        )
        fk_name = object_name("fk", t.name, (col,))
        t.fks[fk_name] = ForeignKey(
            name=fk_name,
            columns=(col,),
            ref_table=f"{self.ns}.{ptable}",
            ref_columns=("id",),
            on_delete=_ACTIONS[r.on_delete],  # type: ignore[arg-type]
            on_update=self.no_action,
        )
        self.fk_order[fk_name] = next(
            (i for i, x in enumerate(self.spec.relationships) if x is r), -1
        )
        kind = "many-to-one" if r.type == "one-to-many" else "one-to-one"
        t.relationships.append(
            f"`{col}` → `{ptable}.id` ({kind}, ON DELETE {_ACTIONS[r.on_delete]})"
        )
        if r.type == "one-to-one":
            self._add_unique(t, (col,), "one-to-one: at most one row per parent")
        if r.parent == r.child:
            self.decide(
                f"{t.name}.{col}",
                "nullable self-reference",
                "roots of the hierarchy have no parent",
            )
        if r.on_delete == "restrict" and "on_delete" not in r.model_fields_set:
            self.decide(
                fk_name,
                "ON DELETE RESTRICT",
                "the spec states no delete rule: refusing to delete a referenced parent never "
                "loses data silently",
            )

    def _attribute(self, t: _T, name: str, a: Attribute) -> None:
        phys: Physical = self.map(a)
        if self.pg and phys.type.name == "vector":
            # pgvector's type lives where its extension is made: in the design's schema
            self.extensions["vector"] = Extension(name="vector", schema=self.ns)
            phys = replace(phys, type=replace(phys.type, name=f"{self.ns}.vector"))
        default = _default_sql(a, self.dialect)
        nullable = not a.required
        if phys.not_null and not a.required:
            nullable = False
            if default is None:
                default = "false" if self.pg else "0"
            self.decide(f"{t.name}.{name}", f"NOT NULL DEFAULT {default}", phys.reason)
        comment = a.description
        if a.pii:
            comment = ((comment + " ") if comment else "") + "PII: personal data; encrypt at rest."
        if a.type == "money" and a.currency and a.currency != "per_row":
            comment = ((comment + " ") if comment else "") + f"Amount in {a.currency}."
        t.columns.append(
            Column(
                name=name,
                type=phys.type,
                nullable=nullable,
                default=Expr(default, self.dialect) if default is not None else None,
                comment=comment,
            )
        )
        t.semantic[name] = a.type
        if phys.checks:
            self._check(t, name, phys.checks)
        if a.type == "money" and a.currency == "per_row":
            cur = f"{name}_currency"
            code = self.map(Attribute(type="currency_code"))
            t.columns.append(Column(name=cur, type=code.type, nullable=not a.required))
            t.semantic[cur] = "currency_code"
            self._check(t, cur, code.checks)
            self.decide(f"{t.name}.{cur}", "currency column", "money in several currencies")
        if a.unique:
            e = self.spec.entities[t.entity] if t.entity else None
            self._unique(t, (name,), e, "unique in the spec")
        if phys.reason and not phys.not_null:
            self.decide(f"{t.name}.{name}", str(phys.type), phys.reason)

    def _check(self, t: _T, col: str, conds: tuple[str, ...]) -> None:
        q = self._q(col)
        text = " AND ".join(c.replace("{c}", q) for c in conds)
        name = object_name("chk", t.name, (col,))
        t.checks[name] = Check(name=name, expr=Expr(text, self.dialect))

    def _unique(self, t: _T, cols: tuple[str, ...], e: Entity | None, why: str) -> None:
        if e is not None and self.feature(e, "soft_delete") and self.my:
            # No partial indexes: the key ends with not_deleted, NULL once the row is deleted,
            # and a unique key lets NULLs repeat.
            t.live_key = True
            name = object_name("uq", t.name, cols)
            t.uniques[name] = Unique(name=name, columns=(*cols, LIVE))
            self.index_purposes.setdefault(name, []).append(f"{why}; among rows not soft-deleted")
            self.decide(
                name,
                f"unique key ({', '.join(cols)}, {LIVE})",
                "soft delete: a deleted row must not block a new one with the same value "
                f"({LIVE} is NULL once deleted_at is set)",
            )
            return
        if e is not None and self.feature(e, "soft_delete"):
            name = object_name("uq", t.name, cols)
            self._index(
                t,
                name,
                tuple(IndexElement(column=c) for c in cols),
                unique=True,
                where=SOFT_DELETED,
                purpose=f"{why}; among rows not soft-deleted",
            )
            self.decide(
                name,
                "partial unique index WHERE deleted_at IS NULL",
                "soft delete: a deleted row must not block a new one with the same value",
            )
            return
        self._add_unique(t, cols, why)

    def _add_unique(self, t: _T, cols: tuple[str, ...], why: str) -> None:
        name = object_name("uq", t.name, cols)
        t.uniques[name] = Unique(name=name, columns=cols)
        self.index_purposes.setdefault(name, []).append(why)

    def _timestamp(self) -> tuple[DataType, str]:
        """The type of created_at/updated_at/deleted_at, and the default that is now."""
        if self.pg:
            return DataType(name="timestamp with time zone"), "now()"
        if self.my:
            return DataType(name="datetime", args=(6,)), "current_timestamp(6)"
        return DataType(name="text"), "CURRENT_TIMESTAMP"

    def _lifecycle(self, ename: str, e: Entity, t: _T) -> None:
        ts, _ = self._timestamp()
        searchable = [
            n for n, a in e.attributes.items() if isinstance(a, Attribute) and a.searchable
        ]
        if searchable and self.spec.project.features.full_text_search:
            if self.pg:
                parts = " || ' ' || ".join(f"coalesce({n}, '')" for n in searchable)
                expr = f"to_tsvector('simple'::regconfig, {parts})"
                t.columns.append(
                    Column(
                        name="search_vector",
                        type=DataType(name="tsvector"),
                        generated=Generated(expr=Expr(expr)),
                    )
                )
                self._index(
                    t,
                    object_name("idx", t.name, ("search_vector",)),
                    (IndexElement(column="search_vector"),),
                    method="gin",
                    purpose="full-text search over " + ", ".join(searchable),
                )
                self.decide(
                    f"{t.name}.search_vector",
                    "generated tsvector + GIN index",
                    "full-text search without triggers; the 'simple' configuration works "
                    "for any language (change it to the content's language for stemming)",
                )
            elif self.my:
                t.search = tuple(searchable)
                name = object_name("idx", t.name, t.search)
                self._index(
                    t,
                    name,
                    tuple(IndexElement(column=c) for c in t.search),
                    method="fulltext",
                    purpose="full-text search over " + ", ".join(searchable),
                )
                self.decide(
                    name,
                    "FULLTEXT index",
                    "InnoDB full-text search, queried with MATCH ... AGAINST (... IN BOOLEAN "
                    "MODE); words shorter than innodb_ft_min_token_size (3) and stop words are "
                    "not indexed, and text without spaces between words (CJK) needs the ngram "
                    "parser",
                )
            else:
                self.decide(
                    f"{t.name}.search",
                    "no full-text index",
                    "SQLite's FTS5 is a separate virtual table, outside this design",
                )
        if self.feature(e, "optimistic_locking"):
            t.columns.append(
                Column(
                    name="version",
                    type=DataType(name="int" if self.my else "integer"),
                    nullable=False,
                    default=Expr("1", self.dialect),
                )
            )
            self.decide(
                f"{t.name}.version",
                "version column",
                "optimistic locking: UPDATE ... SET version = version + 1 WHERE id = "
                f"{self._ph(1)} AND version = {self._ph(2)} detects lost updates without "
                "holding locks",
            )
        if self.feature(e, "soft_delete"):
            t.columns.append(Column(name="deleted_at", type=ts))
            if self.my and t.live_key:
                t.columns.append(
                    Column(
                        name=LIVE,
                        type=DataType(name="tinyint"),
                        generated=Generated(
                            expr=Expr("if(deleted_at is null, 1, null)", self.dialect)
                        ),
                    )
                )
                self.decide(
                    f"{t.name}.{LIVE}",
                    "generated column: 1 while deleted_at is NULL, else NULL; the last column "
                    "of each unique key",
                    "soft delete without partial indexes (MySQL has none): a unique key lets "
                    "NULLs repeat, so deleted rows never collide while live rows stay unique; "
                    "STORED, one byte a row, the same on MySQL 8 and MariaDB",
                )
        if self.feature(e, "audit_columns"):
            self._audit_columns(t, updated=not e.append_only)
            if e.append_only:
                self.decide(
                    f"{t.name}.updated_at",
                    "no updated_at",
                    "append-only: rows are never updated",
                )
        if self.pg and self._partition_worthy(ename, e, t):
            pkey = self._partition_column(ename, e)
            t.partition_by = PartitionBy(strategy="RANGE", elements=(IndexElement(column=pkey),))
            assert t.pk is not None
            t.pk = PrimaryKey(name=t.pk.name, columns=("id", pkey))
            t.partition_key = pkey
            self.partitioned.append(t.name)
            why = (
                f"append-only, {self.projected(e):,} rows projected in {PROJECTION_YEARS} years"
                if self.projected(e) >= PARTITION_ROWS
                else f"append-only with {e.retention_days}-day retention"
            )
            self.decide(
                t.name,
                f"PARTITION BY RANGE ({pkey}), monthly partitions",
                f"{why}: old months are dropped whole (no DELETE, no bloat) and queries on "
                f"recent rows read recent partitions only; the primary key includes {pkey} "
                "as partitioning requires",
            )
        if self.my and self._partition_worthy(ename, e, t):
            self._no_partitioning(ename, e, t)
        if self.tenant and ename in self.tenant_cols and self.pg:
            mt = self.spec.project.features.multi_tenancy
            if mt and mt.row_level_security:
                t.rls = True

    def _no_partitioning(self, ename: str, e: Entity, t: _T) -> None:
        """MySQL: the reasons a table PostgreSQL would partition stays whole, and the index
        that retention deletes need."""
        pkey = self._partition_column(ename, e)
        fks = "its foreign keys" if t.fks else "foreign keys to it later"
        why = (
            f"append-only, {self.projected(e):,} rows projected in {PROJECTION_YEARS} years"
            if self.projected(e) >= PARTITION_ROWS
            else f"append-only with {e.retention_days}-day retention"
        )
        how = (
            f"If those deletes cannot keep up, drop {fks} and partition by RANGE on {pkey} "
            f"with PRIMARY KEY (id, {pkey})"
        )
        if e.retention_days:
            name = object_name("idx", t.name, (pkey,))
            self._index(
                t,
                name,
                (IndexElement(column=pkey),),
                purpose=f"retention: batched deletes of rows older than {e.retention_days} days",
            )
            how = (
                f"rows older than {e.retention_days} days are deleted in batches "
                f"(DELETE ... WHERE {pkey} < ? ORDER BY {pkey} LIMIT 10000) through {name}. " + how
            )
        else:
            how = "AUTO_INCREMENT keys append new rows at the end of the clustered index. " + how
        self.decide(
            t.name,
            NOT_PARTITIONED,
            f"{why}, but a partitioned InnoDB table can have no foreign keys (nor be referenced "
            "by one) and needs the partition column in every unique key, the primary key "
            f"included; the design keeps {fks}: {how}",
        )

    def _partition_column(self, ename: str, e: Entity) -> str:
        """The time the rows are about: a required timestamp that range patterns filter on."""
        for p in self.spec.access_patterns:
            if p.entity == ename:
                for f in p.range:
                    a = e.attributes.get(f)
                    if isinstance(a, Attribute) and a.type == "timestamp" and a.required:
                        return f
        return "created_at"

    def _partition_worthy(self, ename: str, e: Entity, t: _T) -> bool:
        if not e.append_only or not self.feature(e, "audit_columns"):
            return False
        if not (e.retention_days or self.projected(e) >= PARTITION_ROWS):
            return False
        referenced = any(
            r.parent == ename or (r.between and ename in r.between) for r in self.spec.relationships
        )
        return not referenced and not t.uniques

    def _links(self) -> None:
        for r in self.spec.relationships:
            if r.type != "many-to-many":
                continue
            assert r.between
            a, b = r.between
            ta, tb = self.tables[a], self.tables[b]
            name = r.through or f"{a}_{plural(b)}"
            ca, cb = f"{a}_id", f"{b}_id"
            if ca == cb:
                ca, cb = f"{a}_a_id", f"{b}_b_id"
            rows = max(ta.proof_rows, tb.proof_rows) * 2
            t = _T(
                name=name,
                entity=None,
                purpose=r.description or f"Links {ta.name} and {tb.name} (many-to-many).",
                comment=r.description,
                proof_rows=rows,
            )
            self.tables[f"link:{name}"] = t
            for col, ent, other in ((ca, a, ta), (cb, b, tb)):
                t.columns.append(Column(name=col, type=self.pk_type(ent), nullable=False))
                fk = object_name("fk", name, (col,))
                t.fks[fk] = ForeignKey(
                    name=fk,
                    columns=(col,),
                    ref_table=f"{self.ns}.{other.name}",
                    ref_columns=("id",),
                    on_delete="CASCADE",
                    on_update=self.no_action,
                )
                t.relationships.append(f"`{col}` → `{other.name}.id` (many-to-one, CASCADE)")
            t.pk = PrimaryKey(name=self.pk_name(name), columns=(ca, cb))
            self.decide(
                name,
                f"link table, primary key ({ca}, {cb}), ON DELETE CASCADE both ways",
                "a link row means nothing without both sides; the composite key forbids "
                "duplicate links and serves lookups from the first side",
            )
            if ta.tenant_col and tb.tenant_col:
                self._tenant_link(t, ca, cb)
            for aname, attr in r.attributes.items():
                assert isinstance(attr, Attribute)
                self._attribute(t, aname, attr)
            if self.spec.project.features.audit_columns:
                self._audit_columns(t, updated=bool(r.attributes))
                if not r.attributes:
                    self.decide(
                        f"{name}.updated_at",
                        "no updated_at",
                        "a link row is inserted and deleted, never changed",
                    )

    def _tenant_link(self, t: _T, ca: str, cb: str) -> None:
        """A link between two tenant-owned tables carries the tenant key too: both references
        then include it (see _same_tenant_references), so a link never joins two tenants."""
        assert self.tenant
        col = f"{self.tenant}_id"
        t.columns.insert(0, Column(name=col, type=self.pk_type(self.tenant), nullable=False))
        t.tenant_col = col
        t.pk = PrimaryKey(name=self.pk_name(t.name), columns=(col, ca, cb))
        mt = self.spec.project.features.multi_tenancy
        t.rls = bool(self.pg and mt and mt.row_level_security)
        self.decide(
            t.name,
            f"tenant key {col} first in the link's primary key ({col}, {ca}, {cb})",
            "both sides belong to a tenant: the link belongs to the same one, the key serves "
            f"lookups from {ca} within a tenant",
        )

    def _audit_columns(self, t: _T, *, updated: bool) -> None:
        """created_at, and updated_at (kept current by a trigger, or ON UPDATE on MySQL)."""
        ts, now = self._timestamp()
        names = ("created_at", "updated_at") if updated else ("created_at",)
        for n in names:
            t.columns.append(
                Column(name=n, type=ts, nullable=False, default=Expr(now, self.dialect))
            )
        if updated and self.my:
            t.options["on_update:updated_at"] = now

    # ---- indexes ------------------------------------------------------------------------------

    def _index(
        self,
        t: _T,
        name: str,
        elements: tuple[IndexElement, ...],
        *,
        unique: bool = False,
        method: str = "btree",
        include: tuple[str, ...] = (),
        where: str | None = None,
        purpose: str,
    ) -> str:
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

    def _existing_leading(
        self, t: _T, cols: tuple[str, ...], where: str | None, exact: bool = False
    ) -> str | None:
        """An index (pk, unique or designed) whose key starts with ``cols``, same predicate."""
        cands: list[tuple[str, tuple[str, ...], str | None]] = []
        if t.pk:
            cands.append((t.pk.name, t.pk.columns, None))
        cands += [(u.name, u.columns, None) for u in t.uniques.values()]
        for ix in self.indexes.values():
            if ix.table == t.name and ix.method == "btree":
                key = tuple(e.column or "?" for e in ix.elements)
                cands.append((ix.name, key, ix.where.text if ix.where else None))
        for name, key, pred in cands:
            if pred != where:
                continue
            if (key == cols) if exact else (key[: len(cols)] == cols):
                return name
        return None

    def _unique_within(self, t: _T, cols: set[str], where: str | None) -> str | None:
        """A unique key whose columns are all compared with =: it finds at most one row."""
        keys: list[tuple[str, tuple[str, ...], str | None]] = []
        if t.pk:
            keys.append((t.pk.name, t.pk.columns, None))
        keys += [(u.name, u.columns, None) for u in t.uniques.values()]
        keys += [
            (
                ix.name,
                tuple(e.column or "?" for e in ix.elements),
                ix.where.text if ix.where else None,
            )
            for ix in self.indexes.values()
            if ix.table == t.name and ix.unique
        ]
        for name, key, pred in keys:
            # MySQL: a key ending in not_deleted finds at most one live row.
            if set(key) - {LIVE} <= cols and pred in (None, where):
                return name
        return None

    def _pattern_indexes(self) -> None:
        for p in self.spec.access_patterns:
            self.patterns.append(self._pattern(p))

    def _pattern(self, p: AccessPattern) -> PatternPlan:
        e = self.spec.entities[p.entity]
        t = self.tables[p.entity]
        soft = self.feature(e, "soft_delete")
        eq = [self.column_of(p.entity, f) for f in p.equal]
        tcol = self.tenant_cols.get(p.entity)
        if tcol and tcol not in eq:
            eq.insert(0, tcol)
        sort = [(self.column_of(p.entity, s.removeprefix("-")), s.startswith("-")) for s in p.sort]
        rng = [self.column_of(p.entity, f) for f in p.range]
        preds = [
            f"{self._q(self.column_of(p.entity, k))} = {literal(v, self.dialect)}"
            for k, v in p.fixed.items()
        ]
        if soft:
            preds.append(SOFT_DELETED)
        where = " AND ".join(preds) or None
        sql, params = self._pattern_sql(p, t, eq, rng, sort, preds)
        if p.text_search and self.pg:
            name = object_name("idx", t.name, ("search_vector",))
            return PatternPlan(p, self.key(t), sql, params, name, "GIN full-text index")
        if p.text_search and self.my and t.search:
            name = object_name("idx", t.name, t.search)
            return PatternPlan(p, self.key(t), sql, params, name, "FULLTEXT index")
        # Equality first, then the sort columns (the index returns rows in order, so LIMIT stops
        # early), then the range column if it is not the sort column.
        key_cols = list(eq)
        if self.my:
            # No partial indexes: a fixed filter and deleted_at IS NULL are equalities in the key
            # (IS NULL is a lookup of one value, like =).
            where = None
            fixed_cols = [self.column_of(p.entity, k) for k in p.fixed]
            key_cols += [c for c in fixed_cols if c not in key_cols]
            if soft:
                key_cols.append("deleted_at")
        mixed = len({d for _, d in sort}) > 1
        elements = [IndexElement(column=c) for c in key_cols]
        for c, desc in sort:
            if c not in key_cols:
                key_cols.append(c)
                elements.append(IndexElement(column=c, descending=desc and mixed))
        for c in rng:
            if c not in key_cols:
                key_cols.append(c)
                elements.append(IndexElement(column=c))
        if self.projected(e) and e.volume.rows and e.volume.rows < SMALL_TABLE_ROWS:
            self.decide(
                p.name,
                "no index",
                f"{t.name} holds {e.volume.rows:,} rows: a sequential scan reads it in a few "
                "pages, an index would only slow writes",
            )
            return PatternPlan(p, self.key(t), sql, params, None, "small table: sequential scan")
        cols = tuple(key_cols)
        if not cols:
            return PatternPlan(p, self.key(t), sql, params, None, "no filter or order to index")
        served = self._existing_leading(t, cols, where, exact=not sort and not rng)
        if served is None and not sort and not rng:
            served = self._unique_within(t, set(cols), where)
        if served is None and not sort and not rng and where in (None, SOFT_DELETED):
            # a full index serves the live rows too (the few deleted ones are filtered)
            served = self._existing_leading(t, cols, None)
        if served:
            self._purpose(t, served, f"access pattern {p.name}")
            return PatternPlan(p, self.key(t), sql, params, served, f"served by {served}")
        cover, uncovered = self._cover(p, t, key_cols) if self.my else ([], [])
        elements += [IndexElement(column=c) for c in cover]
        include: tuple[str, ...] = ()
        if p.select and self.pg:
            extra = [
                self.column_of(p.entity, f)
                for f in p.select
                if self.column_of(p.entity, f) not in key_cols
            ]
            wide = any(t.semantic.get(c) in _WIDE for c in extra)
            if extra and len(extra) <= INCLUDE_MAX and not wide:
                include = tuple(extra)
        # an index name from the filter's values: words only (a value may hold any text)
        suffix = (
            ""
            if self.my
            else re.sub(
                r"[^a-z0-9]+", "_", "_".join(str(v).lower() for v in p.fixed.values())
            ).strip("_")
        )
        name = object_name("idx", t.name, cols, suffix)
        self._index(
            t,
            name,
            tuple(elements),
            include=include,
            where=where,
            purpose=f"access pattern {p.name}",
        )
        parts = []
        if eq:
            parts.append(f"equality column{'s' if len(eq) > 1 else ''} first ({', '.join(eq)})")
        if self.my and p.fixed:
            fixed = ", ".join(f"{k} = {v}" for k, v in p.fixed.items())
            parts.append(f"the fixed filter ({fixed}) as an equality column (no partial indexes)")
        if self.my and soft:
            parts.append("deleted_at IS NULL as an equality column: soft-deleted rows are skipped")
        if sort:
            parts.append(
                f"{'then ' if parts else ''}the sort column ({', '.join(c for c, _ in sort)}): "
                "rows come out in order, so LIMIT stops early"
            )
        if [c for c in rng if c not in eq and c not in [s for s, _ in sort]]:
            parts.append(f"{'then ' if parts else ''}the range column ({', '.join(rng)})")
        elif rng:
            parts.append("the range is read as one contiguous slice of the index")
        if include:
            parts.append(f"INCLUDE ({', '.join(include)}) allows an index-only scan")
        if cover:
            parts.append(
                f"then the selected {', '.join(cover)}, so the index covers the query (InnoDB "
                "secondary indexes hold the primary key too): no row lookups"
            )
        if uncovered:
            parts.append(
                f"the selected {', '.join(uncovered)} are not appended (TEXT/JSON, or more than "
                f"{INCLUDE_MAX} columns or {COVER_MAX_BYTES:,} bytes): rows are read by primary key"
            )
        if p.fixed and not self.my:
            fixed = ", ".join(f"{k} = {v}" for k, v in p.fixed.items())
            parts.append(f"partial (WHERE {fixed}): only the rows the pattern reads")
        why = "; ".join(parts)
        self.decide(name, "index (" + ", ".join((*cols, *cover)) + ")", why)
        return PatternPlan(p, self.key(t), sql, params, name, why)

    def _cover(self, p: AccessPattern, t: _T, key_cols: list[str]) -> tuple[list[str], list[str]]:
        """MySQL has no INCLUDE: the selected columns the key lacks are appended to it when they
        are few and narrow. Returns (appended, left out)."""
        pk = set(t.pk.columns) if t.pk else set()
        extra = [
            c
            for c in (self.column_of(p.entity, f) for f in p.select)
            if c not in key_cols and c not in pk
        ]
        widths = [self._key_bytes(t, c) for c in (*key_cols, *extra)]
        sizes = [w for w in widths[len(key_cols) :] if w is not None]
        fits = (
            None not in widths
            and len(extra) <= INCLUDE_MAX
            and sum(sizes) <= COVER_MAX_BYTES
            and sum(w or 0 for w in widths) <= MYSQL_KEY_BYTES
        )
        return (extra, []) if fits else ([], extra)

    def _tenant_search_alternatives(self) -> None:
        """A text search within one tenant may be read through the tenant's rows instead."""
        for i, pp in enumerate(self.patterns):
            tcol = self.tenant_cols.get(pp.pattern.entity)
            if not (pp.pattern.text_search and tcol and pp.index):
                continue
            t = self.tables[pp.pattern.entity]
            alts = tuple(
                ix.name
                for ix in self.indexes.values()
                if ix.table == t.name and ix.elements and ix.elements[0].column == tcol
            )
            alts += tuple(u.name for u in t.uniques.values() if u.columns[0] == tcol)
            if t.pk and t.pk.columns[0] == tcol:
                alts = (t.pk.name, *alts)
            why = (
                f"{pp.reason}; within a small tenant the planner may rightly read the tenant's "
                f"rows through an index that leads with {tcol} instead"
            )
            self.patterns[i] = replace(pp, alternatives=alts, reason=why)

    def _pattern_sql(
        self,
        p: AccessPattern,
        t: _T,
        eq: list[str],
        rng: list[str],
        sort: list[tuple[str, bool]],
        preds: list[str],
    ) -> tuple[str, tuple[Param, ...]]:
        params: list[Param] = []
        conds: list[str] = []
        ph, q = self._ph, self._q

        for c in eq:
            params.append(Param(c, "eq"))
            conds.append(f"{q(c)} = {ph(len(params))}")
        for c in rng:
            params.append(Param(c, "lower"))
            conds.append(f"{q(c)} >= {ph(len(params))}")
            params.append(Param(c, "upper"))
            conds.append(f"{q(c)} < {ph(len(params))}")
        if p.text_search and self.pg:
            params.append(Param("search_vector", "search"))
            conds.append(f"search_vector @@ websearch_to_tsquery('simple', {ph(len(params))})")
        if p.text_search and self.my and t.search:
            params.append(Param(t.search[0], "search"))
            conds.append(
                f"MATCH ({', '.join(map(q, t.search))}) AGAINST ({ph(len(params))} IN BOOLEAN MODE)"
            )
        conds += preds
        if p.select:
            cols = [self.column_of(p.entity, f) for f in p.select]
        else:  # generated columns (search_vector, not_deleted) are the database's own
            cols = [c.name for c in t.columns if c.generated is None]
        sql = f"SELECT {', '.join(map(q, cols))}\nFROM {q(t.name)}"
        if conds:
            sql += "\nWHERE " + "\n  AND ".join(conds)
        if sort:
            sql += "\nORDER BY " + ", ".join(f"{q(c)} DESC" if d else q(c) for c, d in sort)
        if p.limit:
            sql += f"\nLIMIT {p.limit}"
        return sql, tuple(params)

    def _fk_indexes(self) -> None:
        for t in self.tables.values():
            # Wider keys first: an index made for (tenant_id, parent_id) then serves the
            # foreign key on tenant_id alone too.
            for fk in sorted(t.fks.values(), key=lambda f: (-len(f.columns), f.name)):
                lead = self._existing_leading(t, fk.columns, None) or self._unpartial(t, fk)
                if lead:
                    self._purpose(
                        t, lead, f"foreign key {fk.name} (leads with {', '.join(fk.columns)})"
                    )
                    continue
                name = object_name("idx", t.name, fk.columns)
                self._index(
                    t,
                    name,
                    tuple(IndexElement(column=c) for c in fk.columns),
                    purpose=f"foreign key {fk.name}: joins, and deletes of the parent",
                )
                self.decide(
                    name,
                    "index on the foreign key",
                    "without it every delete or key update of the parent scans this table",
                )

    def _unpartial(self, t: _T, fk: ForeignKey) -> str | None:
        """An access-pattern index that leads with the foreign key's columns and is partial
        only to skip soft-deleted rows becomes a full index: it then serves the foreign key as
        well (deleted rows still reference their parent) instead of a second index that the
        planner would prefer for the pattern and sort after."""
        for ix in self.indexes.values():
            key = tuple(e.column for e in ix.elements)
            if (
                ix.table == t.name
                and ix.method == "btree"
                and ix.where is not None
                and ix.where.text == SOFT_DELETED
                and key[: len(fk.columns)] == fk.columns
            ):
                self.indexes[ix.name] = replace(ix, where=None)
                self.decide(
                    ix.name,
                    "not partial",
                    f"it also serves foreign key {fk.name}, whose checks must find soft-deleted "
                    "rows too; the pattern filters deleted_at IS NULL on the few deleted rows",
                )
                return ix.name
        return None

    # ---- schema -------------------------------------------------------------------------------

    def _schema(self) -> Schema:
        tables: dict[str, Table] = {}
        triggers: dict[str, Trigger] = {}
        functions: dict[str, Function] = {}
        policies: dict[str, Policy] = {}
        for t in self.tables.values():
            key = self.key(t)
            if self.dialect == "sqlite":  # no comments: descriptions live in DESIGN.md only
                t.columns = [replace(c, comment=None) for c in t.columns]
                t.comment = None
            tables[key] = Table(
                schema=self.ns,
                name=t.name,
                columns=tuple(t.columns),
                primary_key=t.pk,
                foreign_keys=FrozenMap(t.fks),
                uniques=FrozenMap(t.uniques),
                checks=FrozenMap(t.checks),
                partition_by=t.partition_by,
                rls_enabled=t.rls,
                comment=t.comment,
                dialect_options=FrozenMap(t.options),
            )
            if t.partition_by:
                dname = f"{t.name}_default"
                tables[f"{self.ns}.{dname}"] = Table(
                    schema=self.ns,
                    name=dname,
                    # Before PostgreSQL 17 a partition does not carry its parent's identity.
                    columns=tuple(replace(c, identity=None) for c in t.columns),
                    partition_of=key,
                    partition_bound=Expr("DEFAULT"),
                )
            # MySQL sets updated_at with ON UPDATE CURRENT_TIMESTAMP(6) (t.options) instead.
            if any(c.name == "updated_at" for c in t.columns) and not self.my:
                trig = self._updated_at_trigger(t, functions)
                triggers[trig.key] = trig
            if t.rls:
                pol = self._tenant_policy(t)
                policies[pol.key] = pol
        namespaces = {
            self.ns: Namespace(
                name=self.ns,
                comment="standard public schema" if self.ns == "public" else None,
                grants=frozenset({Grant(grantee="PUBLIC", privilege="USAGE")})
                if self.ns == "public"
                else frozenset(),
            )
            if self.pg
            else Namespace(name="main")
        }
        return Schema(
            dialect=self.dialect,  # type: ignore[arg-type]
            namespaces=FrozenMap(namespaces),
            tables=FrozenMap(tables),
            # MySQL index names are per table: keyed main.table.index there.
            indexes=FrozenMap(
                {
                    (f"{self.ns}.{ix.table}.{n}" if self.my else f"{self.ns}.{n}"): ix
                    for n, ix in self.indexes.items()
                }
            ),
            functions=FrozenMap(functions),
            triggers=FrozenMap(triggers),
            policies=FrozenMap(policies),
            extensions=FrozenMap(self.extensions),
        )

    def _updated_at_trigger(self, t: _T, functions: dict[str, Function]) -> Trigger:
        name = object_name("trg", t.name, ("set_updated_at",))
        if self.pg:
            fn = Function(
                schema=self.ns,
                name="set_updated_at",
                returns="trigger",
                language="plpgsql",
                body="\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n",
                comment="Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).",
            )
            functions[f"{self.ns}.set_updated_at()"] = fn
            return Trigger(
                schema=self.ns,
                table=t.name,
                name=name,
                timing="BEFORE",
                events=("UPDATE",),
                level="ROW",
                function=f"{self.ns}.set_updated_at",
            )
        return Trigger(
            schema=self.ns,
            table=t.name,
            name=name,
            timing="AFTER",
            events=("UPDATE",),
            level="ROW",
            when=Expr("NEW.updated_at IS OLD.updated_at", "sqlite"),
            body=Expr(
                f"UPDATE {t.name} SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;",
                "sqlite",
            ),
        )

    def _tenant_policy(self, t: _T) -> Policy:
        col = t.tenant_col
        ttype = self.pk_type(self.tenant or "")
        return Policy(
            schema=self.ns,
            table=t.name,
            name="tenant_isolation",
            using=Expr(f"{col} = (current_setting('app.tenant_id'))::{ttype.name}"),
        )

    def table_infos(self) -> tuple[TableInfo, ...]:
        return tuple(
            TableInfo(
                key=self.key(t),
                name=t.name,
                entity=t.entity,
                purpose=t.purpose,
                relationships=tuple(t.relationships),
                proof_rows=t.proof_rows,
            )
            for t in self.tables.values()
        )


def _default_sql(a: Attribute, dialect: str) -> str | None:
    if a.default is None:
        return None
    if a.type == "boolean":
        return literal(bool(a.default), dialect)
    if isinstance(a.default, int | float) and not isinstance(a.default, bool):
        return str(a.default)
    return literal(str(a.default), dialect)
