"""SQLite database file -> :class:`Schema`.

Structure comes from the pragmas: ``table_xinfo`` (columns, declared types, NOT NULL, defaults,
primary key, generated columns), ``foreign_key_list``, ``index_list``/``index_xinfo`` (indexes,
UNIQUE constraints, key order and collations) and ``table_list`` (WITHOUT ROWID, STRICT).
What no pragma exposes is read from the SQL that ``sqlite_master`` keeps: CHECK expressions,
constraint names, column collations, generated-column expressions, DEFERRABLE, AUTOINCREMENT,
index expressions and predicates, and the text of views and triggers. That SQL is parsed with the
DDL reader's statement parser, so unnamed constraints get the same synthetic names.

A virtual table is read from its ``CREATE VIRTUAL TABLE`` text when the DDL reader models its
module (FTS5), else left out; the tables a module keeps its data in (``PRAGMA table_list``
type ``shadow``; before SQLite 3.37, the names the modelled module gives them) are never tables
of the schema.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from dbdesign.dialects.sqlite import NAMESPACE, parse_type
from dbdesign.errors import ConnectionError, DbdesignError
from dbdesign.model import (
    Check,
    Column,
    Expr,
    ForeignKey,
    FrozenMap,
    Generated,
    Index,
    Origin,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.model.core import ReferentialAction, VirtualTable
from dbdesign.readers.ddl.sqlite import (
    ConstraintDef,
    ElementDef,
    IndexDef,
    ResolvedTable,
    SQLiteTableDef,
    SQLiteTriggerDef,
    SQLiteViewDef,
    SQLiteVirtualDef,
    default_expr,
    effective_collation,
    fk_model,
    index_model,
    make_schema,
    parse_create,
    resolve_table,
    table_options,
    trigger_model,
    view_model,
    virtual_model,
)

_ACTIONS: dict[str, ReferentialAction] = {
    "NO ACTION": "NO ACTION",
    "RESTRICT": "RESTRICT",
    "CASCADE": "CASCADE",
    "SET NULL": "SET NULL",
    "SET DEFAULT": "SET DEFAULT",
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fail(message: str, origin: Origin | None) -> DbdesignError:
    return DbdesignError(f"unexpected catalog content: {message}")


def _connect(
    path_or_connection: str | os.PathLike[str] | sqlite3.Connection,
) -> tuple[sqlite3.Connection, bool, str]:
    if isinstance(path_or_connection, sqlite3.Connection):
        return path_or_connection, False, "sqlite:connection"
    path = Path(path_or_connection)
    if not path.exists():
        raise ConnectionError(f"no such SQLite database file: {path}")
    uri = path.absolute().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error as e:
        raise ConnectionError(f"cannot open SQLite database {path}: {e}") from None
    return conn, True, f"sqlite:{path}"


def read_catalog(path_or_connection: str | os.PathLike[str] | sqlite3.Connection) -> Schema:
    """Read the schema of an SQLite database (a file path, opened read-only, or an open
    connection) into a :class:`Schema` (dialect ``sqlite``, namespace ``main``)."""
    conn, owned, where = _connect(path_or_connection)
    try:
        return _read(conn, where)
    except sqlite3.Error as e:
        raise ConnectionError(f"reading {where} failed: {e}") from None
    finally:
        if owned:
            conn.close()


def _read(conn: sqlite3.Connection, where: str) -> Schema:
    master = conn.execute(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_master "
        "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    ).fetchall()
    options, shadows = _table_list(conn)
    virtual, known_shadows = _virtual_tables(master, where)
    if shadows is None:  # no PRAGMA table_list: the tables the modelled modules keep
        shadows = known_shadows
    tables: dict[str, Table] = {}
    for kind, name, _tbl, sql in master:
        if kind != "table" or sql is None or name in shadows:
            continue
        tdef = parse_create(sql)
        if not isinstance(tdef, SQLiteTableDef):  # virtual tables are read above
            continue
        table = _table(conn, name, resolve_table(tdef, _fail), options.get(name), where)
        tables[table.key] = table
    views: dict[str, View] = {}
    targets = {n.lower(): n for kind, n, _t, _s in master if kind in ("table", "view")}
    indexes: dict[str, Index] = {}
    triggers: dict[str, Trigger] = {}
    for kind, name, tbl, sql in master:
        origin = Origin(catalog=f"{where}:{kind}:{name}")
        if kind == "view":
            vdef = parse_create(sql)
            if isinstance(vdef, SQLiteViewDef):
                view = view_model(vdef, origin)
                views[view.key] = view
        elif kind == "trigger":
            trdef = parse_create(sql)
            if isinstance(trdef, SQLiteTriggerDef):
                trig = trigger_model(trdef, targets.get(tbl.lower(), tbl), origin)
                triggers[trig.key] = trig
    for table in tables.values():
        for idx in _indexes(conn, table, master, where):
            indexes[idx.key] = idx
    return make_schema(tables, views, indexes, triggers, where, virtual)


def _virtual_tables(master: list[Any], where: str) -> tuple[dict[str, VirtualTable], set[str]]:
    """The virtual tables of modules the DDL reader models, and the tables those keep."""
    virtual: dict[str, VirtualTable] = {}
    shadows: set[str] = set()
    for kind, name, _tbl, sql in master:
        # SQLite stores the statement with its first words as "CREATE VIRTUAL TABLE"
        if kind != "table" or not (sql or "").startswith("CREATE VIRTUAL TABLE"):
            continue
        vdef = parse_create(sql)
        if isinstance(vdef, SQLiteVirtualDef):
            vt = virtual_model(vdef, Origin(catalog=f"{where}:table:{name}"))
            virtual[vt.key] = vt
            shadows.update(vdef.shadow_tables())
    return virtual, shadows


def _table_list(
    conn: sqlite3.Connection,
) -> tuple[dict[str, tuple[bool, bool]], set[str] | None]:
    """From PRAGMA table_list (SQLite 3.37+): name -> (without_rowid, strict), and the names
    of the shadow tables (the tables virtual-table modules keep); None before 3.37."""
    try:
        rows = conn.execute("PRAGMA main.table_list").fetchall()
    except sqlite3.Error:
        return {}, None
    main = [r for r in rows if r[0] == "main"]
    return {r[1]: (bool(r[4]), bool(r[5])) for r in main}, {r[1] for r in main if r[2] == "shadow"}


def _table(
    conn: sqlite3.Connection,
    name: str,
    rt: ResolvedTable,
    opts: tuple[bool, bool] | None,
    where: str,
) -> Table:
    tdef = rt.tdef
    origin = Origin(catalog=f"{where}:table:{name}")
    columns: list[Column] = []
    pk_cols: list[tuple[int, str]] = []
    for _cid, cname, ctype, notnull, dflt, pk, hidden in conn.execute(
        f"PRAGMA main.table_xinfo({_q(name)})"
    ):
        if hidden == 1:  # hidden columns of virtual tables
            continue
        cdef = tdef.column(cname)
        generated = None
        if hidden in (2, 3):
            gen_text = cdef.generated if cdef is not None else None
            generated = Generated(expr=Expr(gen_text or "", "sqlite"), stored=hidden == 3)
        columns.append(
            Column(
                name=cname,
                type=parse_type(ctype or ""),
                nullable=not notnull,
                default=default_expr(dflt),
                generated=generated,
                collation=effective_collation(cdef.collation if cdef else None, None),
                origin=Origin(catalog=f"{where}:table:{name}.{cname}"),
            )
        )
        if pk:
            pk_cols.append((pk, cname))
    primary_key = None
    if pk_cols:
        pk_name = rt.pk[0] if rt.pk is not None else f"{name}_pkey"
        primary_key = PrimaryKey(
            name=pk_name, columns=tuple(c for _, c in sorted(pk_cols)), origin=origin
        )
    without_rowid, strict = opts if opts is not None else (tdef.without_rowid, tdef.strict)
    autoincrement = rt.autoincrement if rt.autoincrement is not None else _sequence(conn, name)
    return Table(
        schema=NAMESPACE,
        name=name,
        columns=tuple(columns),
        primary_key=primary_key,
        foreign_keys=FrozenMap((fk.name, fk) for fk in _foreign_keys(conn, name, rt, origin)),
        uniques=FrozenMap((u.name, u) for u in _uniques(conn, name, rt, origin)),
        checks=FrozenMap(
            (n, Check(name=n, expr=Expr(c.expr or "", "sqlite"), origin=origin))
            for n, c in rt.checks
        ),
        dialect_options=table_options(without_rowid, strict, autoincrement),
        origin=origin,
    )


def _sequence(conn: sqlite3.Connection, table: str) -> str | None:
    """AUTOINCREMENT also shows as a row in sqlite_sequence (once a row was inserted); the
    column is then the rowid alias."""
    try:
        row = conn.execute("SELECT 1 FROM main.sqlite_sequence WHERE name = ?", (table,)).fetchone()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    for _cid, cname, ctype, *_rest, pk, _hidden in conn.execute(
        f"PRAGMA main.table_xinfo({_q(table)})"
    ):
        if pk == 1 and str(ctype).upper() == "INTEGER":
            return str(cname)
    return None


def _foreign_keys(
    conn: sqlite3.Connection, table: str, rt: ResolvedTable, origin: Origin
) -> list[ForeignKey]:
    groups: dict[int, list[Any]] = {}
    for row in conn.execute(f"PRAGMA main.foreign_key_list({_q(table)})"):
        groups.setdefault(row[0], []).append(row)
    unused = list(rt.fks)
    out: list[ForeignKey] = []
    # PRAGMA foreign_key_list numbers constraints from the last declared one.
    for fid in sorted(groups, reverse=True):
        rows = sorted(groups[fid], key=lambda r: r[1])
        ref_table = rows[0][2]
        cols = tuple(r[3] for r in rows)
        ref_cols = tuple(r[4] for r in rows) if all(r[4] is not None for r in rows) else ()
        on_update, on_delete = _ACTIONS[rows[0][5]], _ACTIONS[rows[0][6]]
        match = _match_fk(unused, cols, ref_table, ref_cols, on_delete, on_update)
        if match is not None:
            unused.remove(match)
            name, cdef = match
            fk = fk_model(name, cdef)
        else:  # pragma: no cover - every FK the pragma lists is in the SQL
            cdef = ConstraintDef("fk", None, list(cols), ref_table=ref_table)
            fk = fk_model(f"{table}_{'_'.join(cols)}_fkey", cdef)
        out.append(
            ForeignKey(
                name=fk.name,
                columns=cols,
                ref_table=f"{NAMESPACE}.{ref_table}",
                ref_columns=ref_cols,
                on_delete=on_delete,
                on_update=on_update,
                deferrable=fk.deferrable,
                initially_deferred=fk.initially_deferred,
                origin=origin,
            )
        )
    return out


def _match_fk(
    candidates: list[tuple[str, ConstraintDef]],
    cols: tuple[str, ...],
    ref_table: str,
    ref_cols: tuple[str, ...],
    on_delete: str,
    on_update: str,
) -> tuple[str, ConstraintDef] | None:
    def low(xs: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        return tuple(x.lower() for x in xs)

    for cand in candidates:
        c = cand[1]
        if (
            low(c.columns) == low(cols)
            and c.ref_table.lower() == ref_table.lower()
            and low(c.ref_columns) == low(ref_cols)
            and c.on_delete == on_delete
            and c.on_update == on_update
        ):
            return cand
    return None


def _uniques(
    conn: sqlite3.Connection, table: str, rt: ResolvedTable, origin: Origin
) -> list[Unique]:
    names = {tuple(c.lower() for c in cdef.columns): n for n, cdef in rt.uniques}
    out: list[Unique] = []
    for _seq, iname, _unique, iorigin, _partial in conn.execute(
        f"PRAGMA main.index_list({_q(table)})"
    ):
        if iorigin != "u":
            continue
        cols = tuple(
            r[2] for r in conn.execute(f"PRAGMA main.index_xinfo({_q(iname)})") if r[5] == 1
        )
        name = names.get(tuple(c.lower() for c in cols), f"{table}_{'_'.join(cols)}_key")
        out.append(Unique(name=name, columns=cols, origin=origin))
    return out


def _indexes(conn: sqlite3.Connection, table: Table, master: list[Any], where: str) -> list[Index]:
    sql_of = {name: sql for kind, name, _t, sql in master if kind == "index"}
    out: list[Index] = []
    for _seq, iname, unique, iorigin, partial in conn.execute(
        f"PRAGMA main.index_list({_q(table.name)})"
    ):
        if iorigin != "c" or iname not in sql_of:
            continue
        idef = parse_create(sql_of[iname]) if sql_of[iname] else None
        if not isinstance(idef, IndexDef):
            continue
        parsed = iter(idef.elements)
        elements: list[ElementDef] = []
        for _seqno, cid, cname, desc, coll, key in conn.execute(
            f"PRAGMA main.index_xinfo({_q(iname)})"
        ):
            if not key:
                continue
            written = next(parsed, None)
            if cid == -2:  # an expression: its text is only in the SQL
                text = written.expr if written is not None else None
                elements.append(ElementDef(column=None, expr=text, collation=coll, desc=bool(desc)))
            else:
                elements.append(
                    ElementDef(
                        column=cname if cid >= 0 else "rowid",
                        expr=None,
                        collation=coll,
                        desc=bool(desc),
                    )
                )
        idef.unique = bool(unique)
        if not partial:
            idef.where = None
        out.append(index_model(idef, table, elements, Origin(catalog=f"{where}:index:{iname}")))
    return out


__all__ = ["read_catalog"]
