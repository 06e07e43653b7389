"""The 12-step table rebuild SQLite documents for the schema changes ALTER TABLE cannot make,
as concrete SQL for one table of the walker's state.

The procedure (the SQLite documentation, "ALTER TABLE", section "Making Other Kinds Of Table
Schema Changes"): foreign keys off *outside* the transaction (``PRAGMA foreign_keys`` is a
no-op inside one), BEGIN, CREATE TABLE new_X with the new definition, INSERT INTO new_X
SELECT ... FROM X, DROP TABLE X, ALTER TABLE new_X RENAME TO X, re-create X's indexes and
triggers and the views that use X, ``PRAGMA foreign_key_check``, COMMIT, foreign keys back on.
For a file of dbdesign's runner the frame is its header ``-- dbdesign: foreign-keys-off``
instead (the runner refuses BEGIN / COMMIT in a file and sets the pragmas and the check around
the file's transaction itself); other runners get the PRAGMA / BEGIN / COMMIT lines.

Two details the short version of the procedure leaves out and SQLite 3.26+ needs: a view, or a
trigger of another table, that names X makes ``ALTER TABLE new_X RENAME TO X`` fail while X is
gone ("error in view v: no such table: main.X"), so those are dropped before and re-created
after; and the rowids of a table without an INTEGER PRIMARY KEY are copied too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from dbdesign.dialects.sqlite import quote_ident
from dbdesign.dialects.sqlite_lexer import tokenize
from dbdesign.dialects.tokens import Source
from dbdesign.emit.order import dependency_order, query_relations
from dbdesign.emit.sqlite import index_sql, table_sql, trigger_sql, view_sql
from dbdesign.errors import DbdesignError
from dbdesign.model import Expr, FrozenMap, Index, Schema, Table, Trigger, View
from dbdesign.readers.ddl.sqlite import _Builder

Edit = Callable[[Table], Table]
SOURCE = 'the SQLite documentation, "ALTER TABLE", "Making Other Kinds Of Table Schema Changes"'


def names_in(text: str | None) -> set[str]:
    """The identifiers of an expression or statement text, lower-cased (``new.a`` gives
    ``new`` and ``a``)."""
    if not text:
        return set()
    try:
        toks = tokenize(Source(text, None))
    except DbdesignError:
        return set()
    out = set()
    for t in toks:
        if t.kind == "word":
            out.add(t.text.lower())
        elif t.kind in ("qident", "string"):
            out.add(t.text[1:-1].lower())
    return out


def table_of(schema: Schema, name: str) -> Table | None:
    low = name.lower()
    return next((t for t in schema.tables.values() if t.name.lower() == low), None)


def uses_column(table: Table, column: str, text: str | None) -> bool:
    del table
    return column.lower() in names_in(text)


def _index_uses(i: Index, column: str) -> bool:
    low = column.lower()
    for e in i.elements:
        if (e.column is not None and e.column.lower() == low) or (
            e.expr is not None and low in names_in(e.expr.text)
        ):
            return True
    return i.where is not None and low in names_in(i.where.text)


def _trigger_text(tr: Trigger) -> str:
    return " ".join(x.text for x in (tr.when, tr.body) if x is not None)


def without_column(t: Table, column: str) -> Table:
    """``t`` without ``column`` and the keys and checks that name it."""
    low = column.lower()

    def keeps(cols: Iterable[str]) -> bool:
        return low not in (c.lower() for c in cols)

    pk = t.primary_key if t.primary_key and keeps(t.primary_key.columns) else None
    return replace(
        t,
        columns=tuple(c for c in t.columns if c.name.lower() != low),
        primary_key=pk,
        uniques=FrozenMap((n, u) for n, u in t.uniques.items() if keeps(u.columns)),
        checks=FrozenMap((n, c) for n, c in t.checks.items() if low not in names_in(c.expr.text)),
        foreign_keys=FrozenMap((n, f) for n, f in t.foreign_keys.items() if keeps(f.columns)),
        dialect_options=t.dialect_options if pk else _no_autoincrement(t),
    )


def _no_autoincrement(t: Table) -> FrozenMap[str, str]:
    return FrozenMap((k, v) for k, v in t.dialect_options.items() if k != "autoincrement")


def _rename_in(text: str, old: str, new: str) -> str:
    """``text`` with the identifier ``old`` spelled ``new`` (token by token)."""
    toks = tokenize(Source(text, None))
    out, at = [], 0
    for tok in toks:
        if tok.kind in ("word", "qident") and tok.text.strip('"`[]').lower() == old.lower():
            out.append(text[at : tok.start] + quote_ident(new))
            at = tok.end
    return "".join(out) + text[at:]


def with_column_renamed(t: Table, old: str, new: str) -> Table:
    """``t`` with column ``old`` named ``new`` in its columns, keys and checks."""

    def ren(cols: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if c.lower() == old.lower() else c for c in cols)

    pk = t.primary_key
    return replace(
        t,
        columns=tuple(
            replace(c, name=new) if c.name.lower() == old.lower() else c for c in t.columns
        ),
        primary_key=replace(pk, columns=ren(pk.columns)) if pk else None,
        uniques=FrozenMap((n, replace(u, columns=ren(u.columns))) for n, u in t.uniques.items()),
        checks=FrozenMap(
            (n, replace(c, expr=Expr(_rename_in(c.expr.text, old, new), "sqlite")))
            for n, c in t.checks.items()
        ),
        foreign_keys=FrozenMap(
            (n, replace(f, columns=ren(f.columns))) for n, f in t.foreign_keys.items()
        ),
    )


@dataclass(frozen=True, slots=True)
class Change:
    """What the rebuild changes: ``edit`` the table model, or drop / rename a column (indexes,
    triggers and views follow)."""

    edit: Edit | None = None
    drop_column: str | None = None
    rename_column: tuple[str, str] | None = None
    what: str = ""


def _rowid_copy(state: _Builder, t: Table) -> bool:
    """Whether the table has rowids of its own (no INTEGER PRIMARY KEY alias): copy them."""
    tdef = state.tables.get(t.name.lower())
    if tdef is None or tdef.without_rowid:
        return False
    pk = t.primary_key
    if pk is None or len(pk.columns) != 1:
        return True
    col = tdef.column(pk.columns[0])
    return col is None or col.type_text.upper() != "INTEGER"


def _views_using(schema: Schema, table: str) -> list[View]:
    """The views that name ``table``, and the views that name those, in creation order."""
    by_lower = {v.name.lower(): k for k, v in schema.views.items()}
    deps = {
        k: {r.lower() for r in query_relations(v.query.text, "sqlite")}
        for k, v in schema.views.items()
    }
    hit = {table.lower()}
    changed = True
    while changed:
        changed = False
        for k, rels in deps.items():
            name = schema.views[k].name.lower()
            if name not in hit and rels & hit:
                hit.add(name)
                changed = True
    keys = [by_lower[n] for n in hit if n in by_lower]
    graph = {
        k: {by_lower[r] for r in deps[k] if r in by_lower and by_lower[r] in keys} for k in keys
    }
    return [schema.views[k] for k in dependency_order(graph)]


def _free_name(schema: Schema, base: str) -> str:
    taken = {t.name.lower() for t in schema.tables.values()}
    taken |= {v.name.lower() for v in schema.views.values()}
    taken |= {i.name.lower() for i in schema.indexes.values()}
    name, n = f"new_{base}", 2
    while name.lower() in taken:
        name, n = f"new_{base}_{n}", n + 1
    return name


@dataclass(slots=True)
class _Plan:
    old: Table
    new: Table
    indexes: list[Index]
    triggers: list[Trigger]
    views: list[View]
    other_triggers: list[Trigger]
    lost: list[str]


def _plan(schema: Schema, t: Table, change: Change) -> _Plan:
    new = t
    indexes = [i for i in schema.indexes.values() if i.table.lower() == t.name.lower()]
    triggers = [tr for tr in schema.triggers.values() if tr.table.lower() == t.name.lower()]
    views = _views_using(schema, t.name)
    others = [
        tr
        for tr in schema.triggers.values()
        if tr.table.lower() != t.name.lower() and t.name.lower() in names_in(_trigger_text(tr))
    ]
    lost: list[str] = []
    if change.edit is not None:
        new = change.edit(new)
    if change.drop_column is not None:
        col = change.drop_column
        new = without_column(new, col)
        lost += [f"index {i.name}" for i in indexes if _index_uses(i, col)]
        indexes = [i for i in indexes if not _index_uses(i, col)]
        for group in (triggers, others):
            lost += [f"trigger {tr.name}" for tr in group if uses_column(t, col, _trigger_text(tr))]
        triggers = [tr for tr in triggers if not uses_column(t, col, _trigger_text(tr))]
        others = [tr for tr in others if not uses_column(t, col, _trigger_text(tr))]
        lost += [f"view {v.name}" for v in views if uses_column(t, col, v.query.text)]
    if change.rename_column is not None:
        old_name, new_name = change.rename_column
        new = with_column_renamed(new, old_name, new_name)
        indexes = [_index_renamed(i, old_name, new_name) for i in indexes]
    return _Plan(t, new, indexes, triggers, views, others, lost)


def _index_renamed(i: Index, old: str, new: str) -> Index:
    els = tuple(
        replace(e, column=new) if e.column is not None and e.column.lower() == old.lower() else e
        for e in i.elements
    )
    where = Expr(_rename_in(i.where.text, old, new), "sqlite") if i.where else None
    return replace(i, elements=els, where=where)


def _copy_columns(p: _Plan, change: Change) -> tuple[list[str], list[str]]:
    """The columns written in new_X and the ones read from X, pairwise."""
    renamed = (
        {change.rename_column[1].lower(): change.rename_column[0]} if change.rename_column else {}
    )
    old_names = {c.name.lower(): c.name for c in p.old.columns if c.generated is None}
    into, source = [], []
    for c in p.new.columns:
        if c.generated is not None:
            continue
        src = renamed.get(c.name.lower()) or old_names.get(c.name.lower())
        if src is not None:
            into.append(quote_ident(c.name))
            source.append(quote_ident(src))
    return into, source


def rebuild_sql(state: _Builder, table: str, change: Change, *, runner: str = "") -> str | None:
    """The 12 steps for ``table`` of ``state`` with ``change`` made, as SQL (None when the
    state cannot build the table's model)."""
    try:
        schema = state.schema()
    except DbdesignError:
        return None
    t = table_of(schema, table)
    if t is None:
        return None
    p = _plan(schema, t, change)
    tmp = _free_name(schema, t.name)
    into, source = _copy_columns(p, change)
    if _rowid_copy(state, p.new if change.drop_column is None else t):
        into, source = ["rowid", *into], ["rowid", *source]
    q, qt = quote_ident(tmp), quote_ident(t.name)
    lines = [f"DROP VIEW {quote_ident(v.name)};" for v in reversed(p.views)]
    lines += [f"DROP TRIGGER {quote_ident(tr.name)};" for tr in p.other_triggers]
    lines.append(table_sql(replace(p.new, name=tmp)))
    cols_in, cols_out = ", ".join(into), ", ".join(source)
    lines.append(f"INSERT INTO {q} ({cols_in})\n  SELECT {cols_out} FROM {qt};")
    lines += [f"DROP TABLE {qt};", f"ALTER TABLE {q} RENAME TO {qt};"]
    lines += [index_sql(i) for i in p.indexes]
    lines += [trigger_sql(tr) for tr in p.triggers]
    lost_views = {x.split(" ", 1)[1] for x in p.lost if x.startswith("view ")}
    lines += [view_sql(v) for v in p.views if v.name not in lost_views]
    lines += [trigger_sql(tr) for tr in p.other_triggers]
    lines += [f"-- not re-created (it uses the dropped column): {x}" for x in p.lost]
    title = f"-- the 12-step rebuild of {qt} ({SOURCE})"
    return "\n".join(_framed(runner, title + (f": {change.what}" if change.what else ""), lines))


FOREIGN_KEYS_OFF = "-- dbdesign: foreign-keys-off"
_DBDESIGN_NOTE = (
    "-- The header is for dbdesign's runner (`dbdesign migrate up`): foreign keys off around\n"
    "-- this file's transaction, PRAGMA foreign_key_check before its COMMIT (a row it returns\n"
    "-- rolls the file back). For other runners: the same statements between\n"
    "-- PRAGMA foreign_keys = OFF; BEGIN; ... PRAGMA foreign_key_check; COMMIT;\n"
    "-- PRAGMA foreign_keys = ON; (outside the runner's transaction)."
)
_OUTSIDE_NOTE = (
    "-- run this file outside the runner's transaction (PRAGMA foreign_keys is a no-op inside "
    "one): {how}"
)
_OUTSIDE = {
    "flyway": "executeInTransaction=false in its .sql.conf",
    "dbmate": "-- migrate:up transaction:false",
}


def _framed(runner: str, title: str, body: list[str]) -> list[str]:
    """The rebuild's statements as a migration file of ``runner``: dbdesign's header, or
    the PRAGMA / BEGIN / COMMIT frame of SQLite's procedure for any other runner."""
    if runner.startswith("dbdesign"):
        return [FOREIGN_KEYS_OFF, title, _DBDESIGN_NOTE, *body]
    how = _OUTSIDE.get(runner)
    head = [title, *([_OUTSIDE_NOTE.format(how=how)] if how else [])]
    return [
        *head,
        "PRAGMA foreign_keys = OFF;",
        "BEGIN;",
        *body,
        "PRAGMA foreign_key_check;  -- must return no rows",
        "COMMIT;",
        "PRAGMA foreign_keys = ON;",
    ]
