"""Spec -> Schema: tables, keys, constraints, indexes from access patterns, with a reason for
every decision the spec does not force."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dbdesign.design.naming import object_name, plural
from dbdesign.design.types import MAPPERS, Physical
from dbdesign.model import (
    Check,
    Column,
    DataType,
    Expr,
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
from dbdesign.readers.spec import AccessPattern, Attribute, Entity, Relationship, Spec

SMALL_TABLE_ROWS = 1_000  # below this a sequential scan beats any index
PARTITION_ROWS = 50_000_000  # projected rows (3 years) that make time partitioning worth it
INCLUDE_MAX = 3  # columns an index may carry for index-only scans
PROJECTION_YEARS = 3
DEFAULT_PROOF_ROWS = 10_000
_WIDE = {"long_text", "json", "vector"}
_ACTIONS = {"cascade": "CASCADE", "restrict": "RESTRICT", "set null": "SET NULL"}


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
    comment: str | None = None
    semantic: dict[str, str] = field(default_factory=dict)  # column -> semantic type
    proof_rows: int = DEFAULT_PROOF_ROWS


class Builder:
    def __init__(self, spec: Spec, dialect: str) -> None:
        self.spec = spec
        self.dialect = dialect
        self.pg = dialect == "postgres"
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
            return DataType(name="uuid" if self.pg else "text")
        return DataType(name="bigint" if self.pg else "integer")

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
        self._pattern_indexes()
        self._fk_indexes()
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

    def _key_column(self, ename: str, e: Entity, t: _T) -> None:
        typ = self.pk_type(ename)
        kind = e.key if e.key != "auto" else self.spec.project.conventions.keys
        if typ.name == "uuid":
            col = Column(name="id", type=typ, nullable=False, default=Expr("gen_random_uuid()"))
            why = "uuid key: ids can be made outside the database and reveal nothing"
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
        t.pk = PrimaryKey(name=object_name("pk", t.name), columns=("id",))
        self.decide(f"{t.name}.id", f"{kind} primary key", why)

    def _tenant_column(self, ename: str, e: Entity, t: _T, refs: list[Relationship]) -> None:
        if not self.tenant or ename == self.tenant or e.tenant_scoped is False:
            return
        for r in refs:
            if r.parent == self.tenant and (r.name or r.parent) == self.tenant:
                self.tenant_cols[ename] = f"{self.tenant}_id"
                return  # the stated relationship is the tenant key
        col = f"{self.tenant}_id"
        self.tenant_cols[ename] = col
        r = Relationship(type="one-to-many", parent=self.tenant, child=ename, on_delete="restrict")
        self._reference(t, r)
        self.decide(
            f"{t.name}.{col}",
            "tenant key on every tenant-owned table",
            "multi-tenancy: every query and index can lead with the tenant, rows of one "
            "tenant are isolated (RLS) and the table can later be sharded by it",
        )

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
        default = _default_sql(a, self.pg)
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
            t.columns.append(Column(name=cur, type=DataType(name="text"), nullable=not a.required))
            t.semantic[cur] = "currency_code"
            self._check(t, cur, self.map(Attribute(type="currency_code")).checks)
            self.decide(f"{t.name}.{cur}", "currency column", "money in several currencies")
        if a.unique:
            e = self.spec.entities[t.entity] if t.entity else None
            self._unique(t, (name,), e, "unique in the spec")
        if phys.reason and not phys.not_null:
            self.decide(f"{t.name}.{name}", str(phys.type), phys.reason)

    def _check(self, t: _T, col: str, conds: tuple[str, ...]) -> None:
        q = col  # designed names are plain snake_case: no quoting needed
        text = " AND ".join(c.replace("{c}", q) for c in conds)
        name = object_name("chk", t.name, (col,))
        t.checks[name] = Check(name=name, expr=Expr(text, self.dialect))

    def _unique(self, t: _T, cols: tuple[str, ...], e: Entity | None, why: str) -> None:
        if e is not None and self.feature(e, "soft_delete"):
            name = object_name("uq", t.name, cols)
            self._index(
                t,
                name,
                tuple(IndexElement(column=c) for c in cols),
                unique=True,
                where="deleted_at IS NULL",
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

    def _lifecycle(self, ename: str, e: Entity, t: _T) -> None:
        ts = DataType(name="timestamp with time zone" if self.pg else "text")
        now = "now()" if self.pg else "CURRENT_TIMESTAMP"
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
                    type=DataType(name="integer"),
                    nullable=False,
                    default=Expr("1", self.dialect),
                )
            )
            self.decide(
                f"{t.name}.version",
                "version column",
                "optimistic locking: UPDATE ... SET version = version + 1 WHERE id = $1 AND "
                "version = $2 detects lost updates without holding locks",
            )
        if self.feature(e, "soft_delete"):
            t.columns.append(Column(name="deleted_at", type=ts))
        if self.feature(e, "audit_columns"):
            t.columns.append(
                Column(name="created_at", type=ts, nullable=False, default=Expr(now, self.dialect))
            )
            if not e.append_only:
                t.columns.append(
                    Column(
                        name="updated_at",
                        type=ts,
                        nullable=False,
                        default=Expr(now, self.dialect),
                    )
                )
            else:
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
        if self.tenant and ename in self.tenant_cols and self.pg:
            mt = self.spec.project.features.multi_tenancy
            if mt and mt.row_level_security:
                t.rls = True

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
                )
                t.relationships.append(f"`{col}` → `{other.name}.id` (many-to-one, CASCADE)")
            t.pk = PrimaryKey(name=object_name("pk", name), columns=(ca, cb))
            self.decide(
                name,
                f"link table, primary key ({ca}, {cb}), ON DELETE CASCADE both ways",
                "a link row means nothing without both sides; the composite key forbids "
                "duplicate links and serves lookups from the first side",
            )
            for aname, attr in r.attributes.items():
                assert isinstance(attr, Attribute)
                self._attribute(t, aname, attr)
            if self.spec.project.features.audit_columns:
                ts = DataType(name="timestamp with time zone" if self.pg else "text")
                now = "now()" if self.pg else "CURRENT_TIMESTAMP"
                t.columns.append(
                    Column(
                        name="created_at",
                        type=ts,
                        nullable=False,
                        default=Expr(now, self.dialect),
                    )
                )

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
            if set(key) <= cols and pred in (None, where):
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
            f"{self.column_of(p.entity, k)} = {_literal(v, self.pg)}" for k, v in p.fixed.items()
        ]
        if soft:
            preds.append("deleted_at IS NULL")
        where = " AND ".join(preds) or None
        sql, params = self._pattern_sql(p, t, eq, rng, sort, preds)
        if p.text_search and self.pg:
            name = object_name("idx", t.name, ("search_vector",))
            return PatternPlan(p, self.key(t), sql, params, name, "GIN full-text index")
        # Equality first, then the sort columns (the index returns rows in order, so LIMIT stops
        # early), then the range column if it is not the sort column.
        key_cols = list(eq)
        mixed = len({d for _, d in sort}) > 1
        elements = [IndexElement(column=c) for c in eq]
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
        if served is None and not sort and not rng and where is None:
            served = self._existing_leading(t, cols, None)
        if served:
            self.index_purposes.setdefault(served, []).append(f"access pattern {p.name}")
            return PatternPlan(p, self.key(t), sql, params, served, f"served by {served}")
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
        suffix = "_".join(str(v).lower() for v in p.fixed.values())
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
        if p.fixed:
            fixed = ", ".join(f"{k} = {v}" for k, v in p.fixed.items())
            parts.append(f"partial (WHERE {fixed}): only the rows the pattern reads")
        why = "; ".join(parts)
        self.decide(name, "index (" + ", ".join(cols) + ")", why)
        return PatternPlan(p, self.key(t), sql, params, name, why)

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
        mark = "$" if self.pg else "?"

        def ph(n: int) -> str:
            return f"{mark}{n}"

        for c in eq:
            params.append(Param(c, "eq"))
            conds.append(f"{c} = {ph(len(params))}")
        for c in rng:
            params.append(Param(c, "lower"))
            conds.append(f"{c} >= {ph(len(params))}")
            params.append(Param(c, "upper"))
            conds.append(f"{c} < {ph(len(params))}")
        if p.text_search and self.pg:
            params.append(Param("search_vector", "search"))
            conds.append(f"search_vector @@ websearch_to_tsquery('simple', {ph(len(params))})")
        conds += preds
        if p.select:
            cols = [self.column_of(p.entity, f) for f in p.select]
        else:
            cols = [c.name for c in t.columns if c.name != "search_vector"]
        sql = f"SELECT {', '.join(cols)}\nFROM {t.name}"
        if conds:
            sql += "\nWHERE " + "\n  AND ".join(conds)
        if sort:
            sql += "\nORDER BY " + ", ".join(f"{c} DESC" if d else c for c, d in sort)
        if p.limit:
            sql += f"\nLIMIT {p.limit}"
        return sql, tuple(params)

    def _fk_indexes(self) -> None:
        for t in self.tables.values():
            for fk in t.fks.values():
                lead = self._existing_leading(t, fk.columns, None)
                if lead:
                    self.index_purposes.setdefault(lead, []).append(
                        f"foreign key {fk.name} (leads with {', '.join(fk.columns)})"
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

    # ---- schema -------------------------------------------------------------------------------

    def _schema(self) -> Schema:
        tables: dict[str, Table] = {}
        triggers: dict[str, Trigger] = {}
        functions: dict[str, Function] = {}
        policies: dict[str, Policy] = {}
        for t in self.tables.values():
            key = self.key(t)
            if not self.pg:  # SQLite keeps no comments: descriptions live in DESIGN.md only
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
            if any(c.name == "updated_at" for c in t.columns):
                trig = self._updated_at_trigger(t, functions)
                triggers[trig.key] = trig
            if t.rls and t.entity:
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
            indexes=FrozenMap({f"{self.ns}.{n}": ix for n, ix in self.indexes.items()}),
            functions=FrozenMap(functions),
            triggers=FrozenMap(triggers),
            policies=FrozenMap(policies),
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
        assert t.entity
        col = self.tenant_cols[t.entity]
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


def _literal(v: object, pg: bool) -> str:
    if isinstance(v, bool):
        return ("true" if v else "false") if pg else ("1" if v else "0")
    if isinstance(v, int | float):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def _default_sql(a: Attribute, pg: bool) -> str | None:
    if a.default is None:
        return None
    if a.type == "boolean":
        return _literal(bool(a.default), pg)
    if isinstance(a.default, int | float) and not isinstance(a.default, bool):
        return str(a.default)
    return _literal(str(a.default), pg)
