"""What SQLite decides when it builds a table, and the model values of SQLite definitions.

Shared by the DDL reader and the catalog reader (which parses the SQL kept in ``sqlite_master``),
so that both resolve primary keys and rowid aliases, drop repeated UNIQUE constraints and name
unnamed constraints the same way: :func:`resolve_table`, then :func:`build_table`,
:func:`index_model`, :func:`view_model`, :func:`trigger_model`, :func:`virtual_model` and
:func:`make_schema`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Registers the "sqlite" expression normaliser, which the Exprs made here compare through.
import dbdesign.normalize.sqlite  # noqa: F401
from dbdesign.dialects.sqlite import NAMESPACE, canonical_collation, choose_name, parse_type
from dbdesign.model import (
    Check,
    Column,
    Expr,
    ForeignKey,
    FrozenMap,
    Generated,
    Index,
    IndexElement,
    Namespace,
    Origin,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.model.core import VirtualTable
from dbdesign.readers.ddl.sqlite_statements import (
    ConstraintDef,
    ElementDef,
    IndexDef,
    SQLiteTableDef,
    SQLiteTriggerDef,
    SQLiteViewDef,
    SQLiteVirtualDef,
)


@dataclass(slots=True)
class ResolvedTable:
    """A table definition with constraint columns spelled as declared and every constraint
    named (synthetic names for unnamed ones)."""

    tdef: SQLiteTableDef
    pk: tuple[str, ConstraintDef] | None
    uniques: list[tuple[str, ConstraintDef]]
    checks: list[tuple[str, ConstraintDef]]
    fks: list[tuple[str, ConstraintDef]]
    rowid_alias: str | None
    autoincrement: str | None


_STRICT_TYPES = frozenset(("INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"))


def resolve_column(
    tdef: SQLiteTableDef,
    name: str,
    where: Origin | None,
    fail: Callable[[str, Origin | None], Exception],
) -> str:
    col = tdef.column(name)
    if col is None:
        raise fail(f"table {tdef.name} has no column named {name}", where)
    return col.name


def resolve_table(
    tdef: SQLiteTableDef, fail: Callable[[str, Origin | None], Exception]
) -> ResolvedTable:
    """Resolve what SQLite decides when it builds a table: PK, rowid alias, duplicate UNIQUE
    constraints (SQLite makes one index for identical ones, and none for a UNIQUE that repeats
    a PRIMARY KEY with its own index), constraint names."""
    for c in tdef.constraints:
        if c.kind != "check":
            c.columns = [resolve_column(tdef, n, c.origin, fail) for n in c.columns]
    pk = _primary_key(tdef, fail)
    rowid_alias = _rowid_alias(tdef, pk)
    if tdef.strict:
        _check_strict_types(tdef, fail)
    autoincrement = None
    if pk is not None and pk.autoincrement:
        if rowid_alias is None:
            raise fail("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY", pk.origin)
        autoincrement = rowid_alias
    uniques = _distinct_uniques(tdef, pk, rowid_alias)
    kept = [c for c in tdef.constraints if c.kind in ("pk", "check", "fk") or c in uniques]
    # Column constraints come first in SQLite's text (ALTER TABLE ADD COLUMN inserts there).
    kept.sort(key=lambda c: c.column is None)
    named = _named_constraints(tdef.name, kept)
    return ResolvedTable(
        tdef=tdef,
        pk=next(((n, c) for n, c in named if c.kind == "pk"), None),
        uniques=[(n, c) for n, c in named if c.kind == "unique"],
        checks=[(n, c) for n, c in named if c.kind == "check"],
        fks=[(n, c) for n, c in named if c.kind == "fk"],
        rowid_alias=rowid_alias,
        autoincrement=autoincrement,
    )


def _primary_key(
    tdef: SQLiteTableDef, fail: Callable[[str, Origin | None], Exception]
) -> ConstraintDef | None:
    """The table's one PRIMARY KEY (a WITHOUT ROWID table must have one)."""
    pks = [c for c in tdef.constraints if c.kind == "pk"]
    if len(pks) > 1:
        raise fail(f'table "{tdef.name}" has more than one primary key', pks[1].origin)
    pk = pks[0] if pks else None
    if tdef.without_rowid and pk is None:
        raise fail(f"PRIMARY KEY missing on table {tdef.name}", tdef.origin)
    return pk


def _rowid_alias(tdef: SQLiteTableDef, pk: ConstraintDef | None) -> str | None:
    """The column that is the rowid: an ``INTEGER PRIMARY KEY`` of a rowid table (not a
    column constraint declared ``DESC``)."""
    if (
        pk is None
        or len(pk.columns) != 1
        or tdef.without_rowid
        or (pk.column is not None and pk.desc)
    ):
        return None
    col = tdef.column(pk.columns[0])
    if col is not None and col.type_text.upper() == "INTEGER":
        return col.name
    return None


def _check_strict_types(
    tdef: SQLiteTableDef, fail: Callable[[str, Origin | None], Exception]
) -> None:
    """A STRICT table's columns each declare one of the types STRICT allows."""
    for col in tdef.columns:
        if not col.type_text:
            raise fail(f"missing datatype for {tdef.name}.{col.name}", col.origin)
        if col.type_text.upper() not in _STRICT_TYPES:
            raise fail(
                f'unknown datatype for {tdef.name}.{col.name}: "{col.type_text}"', col.origin
            )


def _distinct_uniques(
    tdef: SQLiteTableDef, pk: ConstraintDef | None, rowid_alias: str | None
) -> list[ConstraintDef]:
    """The UNIQUE constraints SQLite makes an index for: the first of identical ones, none that
    repeats a PRIMARY KEY with its own index."""
    uniques: list[ConstraintDef] = []
    seen: set[tuple[str, ...]] = set()
    if pk is not None and rowid_alias is None:
        seen.add(tuple(c.lower() for c in pk.columns))
    for c in tdef.constraints:
        if c.kind == "unique":
            key = tuple(n.lower() for n in c.columns)
            if key not in seen:
                seen.add(key)
                uniques.append(c)
    return uniques


# The suffix of a synthetic constraint name, by kind.
_NAME_LABELS = {"pk": "pkey", "unique": "key", "fk": "fkey", "check": "check"}


def _named_constraints(table: str, kept: list[ConstraintDef]) -> list[tuple[str, ConstraintDef]]:
    """Each constraint with its name: the explicit one, a variant of a repeated explicit name
    (both constraints are kept), or a synthetic one for an unnamed constraint."""
    taken = {c.name for c in kept if c.name is not None}
    names: dict[int, str] = {}
    used: set[tuple[str, str]] = set()
    for c in kept:
        if c.name is not None and (c.kind, c.name.lower()) not in used:
            names[id(c)] = c.name
        elif c.name is not None:  # a repeated explicit name: keep both constraints
            names[id(c)] = choose_name(c.name, None, "dup", taken)
        else:
            names[id(c)] = choose_name(table, _name_columns(c), _NAME_LABELS[c.kind], taken)
        taken.add(names[id(c)])
        used.add((c.kind, names[id(c)].lower()))
    return [(names[id(c)], c) for c in kept]


def _name_columns(c: ConstraintDef) -> tuple[str, ...] | None:
    """The columns a synthetic constraint name is made from (none for a primary key or a
    table-level CHECK)."""
    if c.kind == "pk":
        return None
    if c.kind == "check":
        return (c.column,) if c.column is not None else None
    return tuple(c.columns)


def default_expr(text: str | None) -> Expr | None:
    """A column default as the model keeps it: ``DEFAULT NULL`` is no default."""
    if text is None or text.strip().upper() == "NULL":
        return None
    return Expr(text, "sqlite")


def effective_collation(explicit: str | None, default: str | None) -> str | None:
    """The model keeps a collation only where it differs from what applies anyway."""
    coll = canonical_collation(explicit)
    base = canonical_collation(default) or "BINARY"
    return None if coll is None or coll == base else coll


def table_options(
    without_rowid: bool, strict: bool, autoincrement: str | None
) -> FrozenMap[str, str]:
    opts: dict[str, str] = {}
    if without_rowid:
        opts["without_rowid"] = "true"
    if strict:
        opts["strict"] = "true"
    if autoincrement is not None:
        opts["autoincrement"] = autoincrement
    return FrozenMap(opts)


def build_table(rt: ResolvedTable) -> Table:
    """The model of a table from its (resolved) definition alone: the DDL reader's view."""
    t = rt.tdef
    # SQLite makes primary-key columns NOT NULL in WITHOUT ROWID and STRICT tables (not the
    # rowid alias, which can never hold NULL anyway).
    implied = t.without_rowid or (t.strict and rt.rowid_alias is None)
    pk_cols = {c.lower() for c in rt.pk[1].columns} if rt.pk and implied else set()
    columns = tuple(
        Column(
            name=c.name,
            type=parse_type(c.type_text),
            nullable=not (c.notnull or c.name.lower() in pk_cols),
            default=default_expr(c.default),
            generated=Generated(expr=Expr(c.generated, "sqlite"), stored=c.stored)
            if c.generated is not None
            else None,
            collation=effective_collation(c.collation, None),
            origin=c.origin,
        )
        for c in t.columns
    )
    return Table(
        schema=NAMESPACE,
        name=t.name,
        columns=columns,
        primary_key=PrimaryKey(
            name=rt.pk[0], columns=tuple(rt.pk[1].columns), origin=rt.pk[1].origin
        )
        if rt.pk
        else None,
        foreign_keys=FrozenMap((n, fk_model(n, c)) for n, c in rt.fks),
        uniques=FrozenMap(
            (n, Unique(name=n, columns=tuple(c.columns), origin=c.origin)) for n, c in rt.uniques
        ),
        checks=FrozenMap(
            (n, Check(name=n, expr=Expr(c.expr or "", "sqlite"), origin=c.origin))
            for n, c in rt.checks
        ),
        dialect_options=table_options(t.without_rowid, t.strict, rt.autoincrement),
        origin=t.origin,
    )


def fk_model(name: str, c: ConstraintDef) -> ForeignKey:
    return ForeignKey(
        name=name,
        columns=tuple(c.columns),
        ref_table=f"{NAMESPACE}.{c.ref_table}",
        ref_columns=tuple(c.ref_columns),
        on_delete=c.on_delete,
        on_update=c.on_update,
        deferrable=c.deferred,
        initially_deferred=c.deferred,
        origin=c.origin,
    )


def resolve_references(tables: dict[str, Table]) -> dict[str, Table]:
    """Spell foreign-key targets as the referenced table and its columns are declared (SQLite
    compares names case-insensitively; the model compares them exactly)."""
    by_lower = {t.name.lower(): t for t in tables.values()}
    out: dict[str, Table] = {}
    for key, t in tables.items():
        fks: dict[str, ForeignKey] = {}
        changed = False
        for n, fk in t.foreign_keys.items():
            ref_name = fk.ref_table.split(".", 1)[1]
            parent = by_lower.get(ref_name.lower())
            new = fk
            if parent is not None:
                ref_cols = tuple(
                    (parent.column(c) or column_ci(parent, c) or _named(c)).name
                    for c in fk.ref_columns
                )
                if parent.name != ref_name or ref_cols != fk.ref_columns:
                    new = _replace_fk(fk, f"{NAMESPACE}.{parent.name}", ref_cols)
            changed = changed or new is not fk
            fks[n] = new
        out[key] = _replace_table(t, foreign_keys=FrozenMap(fks)) if changed else t
    return out


@dataclass(frozen=True, slots=True)
class _named:
    name: str


def column_ci(t: Table, name: str) -> Column | None:
    low = name.lower()
    return next((c for c in t.columns if c.name.lower() == low), None)


def _replace_fk(fk: ForeignKey, ref_table: str, ref_columns: tuple[str, ...]) -> ForeignKey:
    from dataclasses import replace

    return replace(fk, ref_table=ref_table, ref_columns=ref_columns)


def _replace_table(t: Table, **changes: object) -> Table:
    from dataclasses import replace

    return replace(t, **changes)  # type: ignore[arg-type]


def index_model(
    idef: IndexDef,
    table: Table,
    elements: list[ElementDef] | None = None,
    origin: Origin | None = None,
) -> Index:
    els: list[IndexElement] = []
    for e in elements if elements is not None else idef.elements:
        if e.column is not None:
            col = column_ci(table, e.column)
            name = col.name if col is not None else e.column
            coll = effective_collation(e.collation, col.collation if col is not None else None)
            els.append(IndexElement(column=name, collation=coll, descending=e.desc))
        else:
            els.append(
                IndexElement(
                    expr=Expr(e.expr or "", "sqlite"),
                    collation=effective_collation(e.collation, None),
                    descending=e.desc,
                )
            )
    return Index(
        name=idef.name,
        schema=NAMESPACE,
        table=table.name,
        elements=tuple(els),
        unique=idef.unique,
        where=Expr(idef.where, "sqlite") if idef.where else None,
        origin=origin if origin is not None else idef.origin,
    )


def view_model(vdef: SQLiteViewDef, origin: Origin | None = None) -> View:
    return View(
        schema=NAMESPACE,
        name=vdef.name,
        query=Expr(vdef.query, "sqlite"),
        column_names=tuple(vdef.columns),
        origin=origin if origin is not None else vdef.origin,
    )


def trigger_model(tdef: SQLiteTriggerDef, table: str, origin: Origin | None = None) -> Trigger:
    return Trigger(
        schema=NAMESPACE,
        table=table,
        name=tdef.name,
        timing=tdef.timing,
        events=(tdef.event,),
        level="ROW",
        columns=tuple(tdef.columns),
        when=Expr(tdef.when, "sqlite") if tdef.when else None,
        body=Expr(tdef.body, "sqlite"),
        origin=origin if origin is not None else tdef.origin,
    )


def virtual_model(vdef: SQLiteVirtualDef, origin: Origin | None = None) -> VirtualTable:
    return VirtualTable(
        schema=NAMESPACE,
        name=vdef.name,
        module=vdef.module,
        arguments=tuple(vdef.arguments),
        origin=origin or vdef.origin,
    )


def make_schema(
    tables: dict[str, Table],
    views: dict[str, View],
    indexes: dict[str, Index],
    triggers: dict[str, Trigger],
    source: str | None,
    virtual_tables: dict[str, VirtualTable] | None = None,
) -> Schema:
    return Schema(
        dialect="sqlite",
        namespaces=FrozenMap({NAMESPACE: Namespace(name=NAMESPACE)}),
        tables=FrozenMap(resolve_references(tables)),
        views=FrozenMap(views),
        virtual_tables=FrozenMap(virtual_tables or {}),
        indexes=FrozenMap(indexes),
        triggers=FrozenMap(triggers),
        source=source,
    )
