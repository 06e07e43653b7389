"""Hypothesis strategies for random, valid SQLite schema models.

``sqlite_schemas()`` draws a :class:`~dbdesign.model.Schema` (dialect ``sqlite``) in the
canonical form the SQLite readers produce, so ``emit -> read_ddl`` and ``emit -> executescript ->
read_catalog`` must both give it back unchanged:

- tables with columns of many declared types (``varchar(10)``, ``blob sub_type text``, none),
  NOT NULL, literal and expression defaults, collations, STORED/VIRTUAL generated columns;
- a primary key (sometimes the rowid alias, sometimes with AUTOINCREMENT), WITHOUT ROWID (its key
  columns NOT NULL) and STRICT tables; UNIQUE and CHECK constraints; foreign keys to any table
  (itself and later ones too, so cycles), with or without target columns, random actions and
  DEFERRABLE INITIALLY DEFERRED;
- indexes on columns and expressions, unique, descending, with collations, partial;
- views with and without column lists; triggers (BEFORE/AFTER, UPDATE OF, WHEN) on tables and
  INSTEAD OF triggers on views.

Names are drawn from printable ASCII, some needing quotes (spaces, quotes, keywords, mixed case);
all names are unique case-insensitively (SQLite compares them that way) and never ``sqlite_*``.

``sqlite_schemas(loadable=True)`` draws the same forms, but mostly ones a table can hold rows
under (for the data generator's test): foreign keys mostly to a key of the parent (SQLite
refuses the first write otherwise: "foreign key mismatch") and from stored columns, checks
mostly on stored columns, unique indexes on expressions that keep distinct values distinct.
The rest still comes, less often: the generator must refuse it in one clear line.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from dbdesign.dialects.sqlite import KEYWORDS, parse_type, quote_ident, type_affinity, type_sql
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
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)

TYPES = [
    "",
    "integer",
    "INT",
    "text",
    "varchar(10)",
    "VARCHAR ( 20 , 3 )",
    "decimal(10,2)",
    "blob",
    "real",
    "numeric",
    "double precision",
    "unsigned big int",
    "nvarchar(5)",
    "blob sub_type text",
    "character varying(255)",
    "boolean",
    "datetime",
]
STRICT_TYPES = ["integer", "int", "text", "real", "blob", "any"]
DEFAULTS = [
    "1",
    "-1",
    "0.5",
    "'x'",
    "'it''s'",
    "CURRENT_TIMESTAMP",
    "1 + 2",
    "x'0a'",
    "(1)",
    "abs(-3)",
    "'a;b'",
    "TRUE",
]
ACTIONS = ["NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"]
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCXYZ_0123456789 \"'-;"


def q(name: str) -> str:
    return quote_ident(name)


class _Names:
    """Hands out names unique case-insensitively across the schema."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.used: set[str] = set()

    def __call__(self, prefix: str) -> str:
        while True:
            raw = self.draw(
                st.one_of(
                    st.text(alphabet=_NAME_CHARS, min_size=1, max_size=8),
                    st.sampled_from(["order", "Select", "group", "key", "Mixed Case", "a b"]),
                )
            )
            name = f"{prefix}{raw}" if self.draw(st.booleans()) else raw
            low = name.lower()
            if low not in self.used and not low.startswith("sqlite_"):
                self.used.add(low)
                return name


@st.composite
def sqlite_schemas(draw: Any, max_tables: int = 4, loadable: bool = False) -> Schema:
    names = _Names(draw)
    n_tables = draw(st.integers(1, max_tables))
    table_names = [names("t") for _ in range(n_tables)]
    tables: dict[str, Table] = {}
    for tname in table_names:
        tables[tname] = draw(_table(tname, names, loadable))
    # Foreign keys to any table (forward references and cycles included).
    for tname, t in list(tables.items()):
        fks: dict[str, ForeignKey] = {}
        for _ in range(draw(st.integers(0, 2))):
            usual = loadable and draw(_usually())
            targets = [n for n in table_names if _keys(tables[n], t)] if usual else table_names
            if not targets:
                continue  # (loadable) no table has a key to reference
            parent = tables[draw(st.sampled_from(targets))]
            key = draw(st.sampled_from(_keys(parent, t))) if usual else None
            if key is None:
                k = draw(st.integers(1, min(2, len(t.columns), len(parent.columns))))
                cols = draw(
                    st.lists(
                        st.sampled_from([c.name for c in t.columns]),
                        min_size=k,
                        max_size=k,
                        unique_by=str.lower,
                    )
                )
            else:
                k = len(key)
                used = {c.lower() for f in fks.values() for c in f.columns}
                picked = draw(_referencing(t, parent, key, used))
                if picked is None:
                    continue
                cols = list(picked)
            if key is not None:
                pk = parent.primary_key
                ref_cols = (
                    () if pk is not None and key == pk.columns and draw(st.booleans()) else key
                )
            elif draw(st.booleans()):
                ref_cols = tuple(
                    draw(
                        st.lists(
                            st.sampled_from([c.name for c in parent.columns]),
                            min_size=k,
                            max_size=k,
                            unique_by=str.lower,
                        )
                    )
                )
            else:
                ref_cols = ()
            deferred = draw(st.booleans())
            name = names("fk")
            fks[name] = ForeignKey(
                name=name,
                columns=tuple(cols),
                ref_table=f"main.{parent.name}",
                ref_columns=ref_cols,
                on_delete=draw(st.sampled_from(ACTIONS)),
                on_update=draw(st.sampled_from(ACTIONS)),
                deferrable=deferred,
                initially_deferred=deferred,
            )
        tables[tname] = Table(**{**_fields(t), "foreign_keys": FrozenMap(fks)})
    indexes: dict[str, Index] = {}
    for t in tables.values():
        for _ in range(draw(st.integers(0, 2))):
            idx = draw(_index(t, names, loadable))
            indexes[idx.key] = idx
    views: dict[str, View] = {}
    triggers: dict[str, Trigger] = {}
    for _ in range(draw(st.integers(0, 2))):
        t = tables[draw(st.sampled_from(table_names))]
        cols = draw(
            st.lists(
                st.sampled_from([c.name for c in t.columns]),
                min_size=1,
                max_size=3,
                unique_by=str.lower,
            )
        )
        col_names: tuple[str, ...] = ()
        if draw(st.booleans()):
            col_names = tuple(f"c{i}" for i in range(len(cols)))
        query = f"SELECT {', '.join(q(c) for c in cols)} FROM {q(t.name)}"
        if draw(st.booleans()):
            query += f" WHERE {q(cols[0])} IS NOT NULL"
        v = View(
            schema="main", name=names("v"), query=Expr(query, "sqlite"), column_names=col_names
        )
        views[v.key] = v
        if draw(st.booleans()):
            tr = Trigger(
                schema="main",
                table=v.name,
                name=names("tr"),
                timing="INSTEAD OF",
                events=(draw(st.sampled_from(["INSERT", "UPDATE", "DELETE"])),),
                level="ROW",
                body=Expr("SELECT 1;", "sqlite"),
            )
            triggers[tr.key] = tr
    for t in tables.values():
        for _ in range(draw(st.integers(0, 2))):
            tr = draw(_trigger(t, names))
            triggers[tr.key] = tr
    return Schema(
        dialect="sqlite",
        namespaces=FrozenMap({"main": Namespace(name="main")}),
        tables=FrozenMap((t.key, t) for t in tables.values()),
        views=FrozenMap(views),
        indexes=FrozenMap(indexes),
        triggers=FrozenMap(triggers),
    )


@st.composite
def _referencing(
    draw: Any, t: Table, parent: Table, key: tuple[str, ...], used: set[str]
) -> tuple[str, ...] | None:
    """Stored columns of ``t`` to reference ``key`` of ``parent``, each mostly of its key
    column's affinity (as a schema declares a foreign key: a STRICT integer column cannot hold
    text); of a reference to its own table none of the key's (a column that is both is a chain
    the generator does not draw); mostly none that ``used`` (the table's other foreign keys)
    has. None when ``t`` has no such columns."""
    own = {c.lower() for c in key} if parent.name == t.name else set()
    left = [c for c in t.columns if c.generated is None and c.name.lower() not in own]
    if len(left) < len(key):
        return None
    if draw(_usually()):  # columns no other foreign key of the table has, if it can
        fresh = [c for c in left if c.name.lower() not in used]
        left = fresh if len(fresh) >= len(key) else left
    by_name = {c.name.lower(): c for c in parent.columns}
    out: list[str] = []
    for name in key:
        want = _affinity(by_name[name.lower()])
        same = [c for c in left if _affinity(c) == want]
        if draw(_usually()):
            if not same:
                return None
            left = same + [c for c in left if c not in same]
            c = draw(st.sampled_from(same))
        else:
            c = draw(st.sampled_from(left))
        out.append(c.name)
        left.remove(c)
    return tuple(out)


def _affinity(c: Column) -> str:
    return type_affinity(type_sql(c.type))


def _usually() -> st.SearchStrategy[bool]:
    """True 49 times in 50: the loadable form of a foreign key, check, generated column or
    unique index, else the form drawn as for the readers (a schema has a dozen of them)."""
    return st.integers(0, 49).map(bool)


def _keys(parent: Table, child: Table) -> list[tuple[str, ...]]:
    """The primary and unique keys of ``parent`` over stored columns that ``child`` has enough
    columns to reference."""
    generated = {c.name.lower() for c in parent.columns if c.generated is not None}
    keys = [parent.primary_key.columns] if parent.primary_key else []
    keys += [u.columns for u in parent.uniques.values()]
    return [
        k
        for k in keys
        if len(k) <= len(child.columns) and not any(c.lower() in generated for c in k)
    ]


def _fields(t: Table) -> dict[str, Any]:
    return {f: getattr(t, f) for f in t.__dataclass_fields__}


@st.composite
def _table(draw: Any, tname: str, names: _Names, loadable: bool = False) -> Table:
    strict = draw(st.booleans())
    without_rowid = draw(st.booleans())
    n_cols = draw(st.integers(1, 5))
    col_names: list[str] = []
    while len(col_names) < n_cols:
        c = draw(
            st.one_of(
                st.text(alphabet=_NAME_CHARS, min_size=1, max_size=6),
                st.sampled_from(["order", "Key", "rowid", "id"]),
            )
        )
        if c.lower() not in {x.lower() for x in col_names}:
            col_names.append(c)
    columns: list[Column] = []
    for i, cname in enumerate(col_names):
        declared = draw(st.sampled_from(STRICT_TYPES if strict else TYPES))
        default = None
        generated = None
        plain = [c for c in columns if c.generated is None]
        if i > 0 and plain and draw(st.integers(0, 4)) == 0:
            src = draw(st.sampled_from(plain))
            expr = f"{q(src.name)} || 'x'"  # text: a STRICT numeric column cannot hold it
            if loadable and strict and declared in ("integer", "int", "real"):
                expr = f"length({q(src.name)})" if draw(_usually()) else expr
            elif loadable and strict and declared == "blob":
                expr = f"CAST({q(src.name)} AS BLOB)" if draw(_usually()) else expr
            generated = Generated(expr=Expr(expr, "sqlite"), stored=draw(st.booleans()))
        elif draw(st.booleans()):
            d = draw(st.sampled_from(DEFAULTS))
            default = Expr(d[1:-1] if d == "(1)" else d, "sqlite")
        columns.append(
            Column(
                name=cname,
                type=parse_type(declared),
                nullable=draw(st.booleans()),
                default=default,
                generated=generated,
                collation=draw(st.sampled_from([None, None, "NOCASE", "RTRIM"])),
            )
        )
    plain_names = [c.name for c in columns if c.generated is None]
    pk = None
    if plain_names and (without_rowid or draw(st.booleans())):
        pk_cols = tuple(
            draw(
                st.lists(st.sampled_from(plain_names), min_size=1, max_size=2, unique_by=str.lower)
            )
        )
        pk = PrimaryKey(name=names("pk"), columns=pk_cols)
    else:
        without_rowid = False
    options: dict[str, str] = {}
    rowid_alias = (
        pk is not None
        and len(pk.columns) == 1
        and not without_rowid
        and next(c for c in columns if c.name == pk.columns[0]).type.raw == "integer"
    )
    if without_rowid or (strict and not rowid_alias):
        # SQLite's rule: primary-key columns are NOT NULL there.
        pk_low = {c.lower() for c in pk.columns} if pk else set()
        columns = [
            Column(**{**{f: getattr(c, f) for f in c.__dataclass_fields__}, "nullable": False})
            if c.name.lower() in pk_low
            else c
            for c in columns
        ]
    if without_rowid:
        options["without_rowid"] = "true"
    if strict:
        options["strict"] = "true"
    if rowid_alias and pk is not None and draw(st.booleans()):
        options["autoincrement"] = pk.columns[0]
    uniques: dict[str, Unique] = {}
    seen = {tuple(c.lower() for c in pk.columns)} if pk is not None and not rowid_alias else set()
    for _ in range(draw(st.integers(0, 2))):
        on = plain_names if loadable and plain_names and draw(_usually()) else col_names
        cols = tuple(
            draw(st.lists(st.sampled_from(on), min_size=1, max_size=2, unique_by=str.lower))
        )
        if tuple(c.lower() for c in cols) in seen:
            continue
        seen.add(tuple(c.lower() for c in cols))
        u = Unique(name=names("u"), columns=cols)
        uniques[u.name] = u
    checks: dict[str, Check] = {}
    stored = [c.name for c in columns if c.generated is None]
    for _ in range(draw(st.integers(0, 2))):
        on = stored if loadable and stored and draw(_usually()) else col_names
        c = draw(st.sampled_from(on))
        text = draw(
            st.sampled_from(
                [
                    f"{q(c)} IS NOT NULL OR 1",
                    f"length({q(c)}) < 100",
                    f"{q(c)} <> 'forbidden'",
                    f"typeof({q(c)}) IN ('integer', 'text', 'real', 'blob', 'null')",
                ]
            )
        )
        ck = Check(name=names("ck"), expr=Expr(text, "sqlite"))
        checks[ck.name] = ck
    return Table(
        schema="main",
        name=tname,
        columns=tuple(columns),
        primary_key=pk,
        uniques=FrozenMap(uniques),
        checks=FrozenMap(checks),
        dialect_options=FrozenMap(options),
    )


@st.composite
def _index(draw: Any, t: Table, names: _Names, loadable: bool = False) -> Index:
    unique = draw(st.booleans()) if loadable else False
    # a unique index (loadable): on expressions that keep distinct values distinct, mostly
    distinct = unique and draw(_usually())
    elements: list[IndexElement] = []
    stored = [c for c in t.columns if c.generated is None]
    for _ in range(draw(st.integers(1, 3))):
        c = draw(st.sampled_from(stored if distinct and stored else t.columns))
        coll = draw(st.sampled_from([None, "NOCASE", "RTRIM", "BINARY"]))
        desc = draw(st.booleans())
        # (distinct) bytes read as text need not stay distinct: blobs go in as they are
        if draw(st.booleans()) or (distinct and _affinity(c) == "BLOB" and c.type.name):
            base = c.collation or "BINARY"
            elements.append(
                IndexElement(
                    column=c.name, collation=None if coll in (None, base) else coll, descending=desc
                )
            )
        else:
            forms = [f"lower({q(c.name)})", f"{q(c.name)} || ''", f"length({q(c.name)}) + 1"]
            expr = draw(st.sampled_from(forms[:2] if distinct else forms))
            elements.append(
                IndexElement(
                    expr=Expr(expr, "sqlite"),
                    collation=None if coll in (None, "BINARY") else coll,
                    descending=desc,
                )
            )
    where = None
    if draw(st.booleans()):
        where = Expr(f"{q(draw(st.sampled_from(t.columns)).name)} IS NOT NULL", "sqlite")
    return Index(
        name=names("ix"),
        schema="main",
        table=t.name,
        elements=tuple(elements),
        unique=unique if loadable else draw(st.booleans()),
        where=where,
    )


@st.composite
def _trigger(draw: Any, t: Table, names: _Names) -> Trigger:
    event = draw(st.sampled_from(["INSERT", "UPDATE", "DELETE"]))
    cols: tuple[str, ...] = ()
    if event == "UPDATE" and draw(st.booleans()):
        cols = tuple(
            draw(
                st.lists(
                    st.sampled_from([c.name for c in t.columns]),
                    min_size=1,
                    max_size=2,
                    unique_by=str.lower,
                )
            )
        )
    row = "old" if event == "DELETE" else "new"
    when = None
    if draw(st.booleans()):
        c = draw(st.sampled_from(t.columns)).name
        when = Expr(f"{row}.{q(c)} IS NOT NULL AND CASE WHEN 1 THEN 1 END", "sqlite")
    body = (
        draw(
            st.sampled_from(
                [
                    "SELECT 1;",
                    f"SELECT CASE WHEN {row}.rowid IS NULL THEN RAISE(ABORT, 'no; row') END;",
                    f"UPDATE {q(t.name)} SET {q(t.columns[0].name)} = "
                    f"{q(t.columns[0].name)} WHERE 0;\n    SELECT 2;",
                ]
            )
        )
        if not t.dialect_options.get("without_rowid")
        else "SELECT 1;"
    )
    return Trigger(
        schema="main",
        table=t.name,
        name=names("tr"),
        timing=draw(st.sampled_from(["BEFORE", "AFTER"])),
        events=(event,),
        level="ROW",
        columns=cols,
        when=when,
        body=Expr(body, "sqlite"),
    )


__all__ = ["KEYWORDS", "sqlite_schemas"]
