"""Indexes and keys built after the COPY, not during it (PostgreSQL).

Maintaining an index or a unique key row by row while COPY writes, or checking a foreign key
by a query per row, is several times slower than building the index once over the loaded
table (one sort) and validating a foreign key with one join. So, for each table the load
fills that was empty before it, :func:`take_down` reads the definitions of its indexes and
its primary-key, unique, exclusion and foreign-key constraints (``pg_get_indexdef``,
``pg_get_constraintdef``, their comments) and drops them; :func:`put_back` re-creates them,
exactly as read, once the table's rows are in (a table at a time: load_pg.py builds one
table's while it makes the next table's rows). Both run inside the load's one transaction:
re-creating a key or a foreign key makes the server validate every row against it (a
generator bug fails the load, naming the constraint), and a failure rolls everything back,
the dropped definitions included.

Check constraints stay and check each row as it is written: the server does that while
Python makes the next rows, which is cheaper than one more pass over the table after it
(measured in docs/benchmarks.md). With ``foreign_keys=False`` (a load with
``keep_cyclic_keys``, which promises that no key is dropped and re-added) every foreign key
stays in place too, and so do the keys they reference.

Also left in place, checked row by row as before: NOT NULL, triggers, constraints not
validated (``NOT VALID``: dropping one and adding it back would either skip the new rows or
check the old ones), inherited ones, the foreign keys that close a cycle (load.py defers
them, or sets them by UPDATE), a clustered or replica-identity index, an index with a
statistics target on a column, any object something else depends on other than a foreign
key also taken down (a view grouping by a primary key), and everything of a table that
keeps a constraint checked at COMMIT (initially deferred: a table with checks pending cannot
be altered), that is partitioned, a partition, inherits or is inherited, already holds
rows, or is not owned by the loading role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from dbdesign.dialects.postgres import qualified

_Stmt = sql.SQL | sql.Composed
SORT_MEMORY = "256MB"  # maintenance_work_mem while the indexes are built (when it is lower)

# the tables the fast path may take apart, by oid: not one with a trigger on INSERT (tgtype
# bit 4), which may look up rows through the indexes (a design's "at most N per parent" counts
# the parent's rows for each row: without its index, a scan per row, quadratic)
_TABLES = """
SELECT c.oid, n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = ANY(%s::regclass[]) AND c.relkind = 'r' AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
                  AND t.tgenabled <> 'D' AND t.tgtype & 4 <> 0)
  AND pg_has_role(c.relowner, 'USAGE')
"""

# their validated, local keys (primary, unique, exclusion) and foreign keys, with the index
# that backs each key and the table each foreign key references
_CONSTRAINTS = """
SELECT con.oid, con.conrelid, con.conname, con.contype, pg_get_constraintdef(con.oid),
       obj_description(con.oid, 'pg_constraint'), con.conindid,
       obj_description(con.conindid, 'pg_class'),
       coalesce(i.indisclustered OR i.indisreplident, false), con.confrelid
FROM pg_constraint con LEFT JOIN pg_index i
  ON con.contype IN ('p', 'u', 'x') AND i.indexrelid = con.conindid
WHERE con.conrelid = ANY(%s::oid[]) AND con.contype IN ('p', 'u', 'x', 'f')
  AND con.convalidated AND con.conislocal AND con.coninhcount = 0
ORDER BY con.conrelid, con.conname
"""

# their indexes that back no constraint
_INDEXES = """
SELECT i.indexrelid, i.indrelid, ic.relname, pg_get_indexdef(i.indexrelid),
       obj_description(i.indexrelid, 'pg_class'), ts.spcname
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
WHERE i.indrelid = ANY(%s::oid[]) AND i.indisvalid AND i.indisready AND i.indislive
  AND NOT i.indisclustered AND NOT i.indisreplident
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                  AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid
                  AND a.attstattarget IS NOT NULL AND a.attstattarget >= 0)
ORDER BY i.indrelid, ic.relname
"""

# their constraints checked at COMMIT (initially deferred): a table with checks pending
# cannot be altered, so one that keeps such a constraint in place keeps everything
_DEFERRED = """
SELECT con.oid, con.conrelid, con.conname FROM pg_constraint con
WHERE con.conrelid = ANY(%s::oid[]) AND con.condeferred
"""

# what depends on the candidates (a foreign key on a unique index, a view on a primary key)
_DEPENDENTS = """
SELECT d.refobjid, d.classid = 'pg_constraint'::regclass, d.objid
FROM pg_depend d
WHERE d.refobjid = ANY(%s::oid[]) AND d.deptype = 'n'
"""


@dataclass
class _Object:
    """One index or constraint taken down: how to drop it and how to make it again."""

    oid: int
    table: int
    name: str
    kind: str  # the contype ('p', 'u', 'x', 'c', 'f'), or 'i' for an index
    drop: _Stmt
    create: list[_Stmt]
    also: tuple[int, ...] = ()  # the oid of a key's index (what depends on it depends on it)
    refs: int = 0  # the table a foreign key references


@dataclass
class Rebuild:
    """What :func:`take_down` dropped, to be re-created by :func:`put_back`."""

    names: dict[int, str] = field(default_factory=dict)  # table oid -> schema.name
    objects: list[_Object] = field(default_factory=list)
    current: str = ""  # what put_back is making (for a load's error message)
    made: set[int] = field(default_factory=set)  # the objects put back
    built: set[int] = field(default_factory=set)  # the tables whose keys and indexes are

    def __bool__(self) -> bool:
        return bool(self.objects)


def take_down(
    conn: psycopg.Connection[Any],
    tables: Sequence[tuple[str, str]],
    keep_fks: Sequence[tuple[str, str]] = (),
    *,
    foreign_keys: bool = True,
) -> Rebuild:
    """Drop the indexes and constraints of ``tables`` (schema, name: empty tables the load
    fills) that :func:`put_back` will re-create. ``keep_fks``: (schema.table, name) of foreign
    keys to leave alone (a cycle's, which the load defers or sets by UPDATE);
    ``foreign_keys=False`` leaves every foreign key alone (and the keys they reference)."""
    out = Rebuild()
    if not tables:
        return out
    names = [qualified(s, n) for s, n in tables]
    for oid, s, n in conn.execute(_TABLES, (names,)).fetchall():
        out.names[oid] = f"{s}.{n}"
    if not out.names:
        return out
    oids = list(out.names)
    keep = set(keep_fks)
    objects = [
        o
        for row in conn.execute(_CONSTRAINTS, (oids,)).fetchall()
        if (o := _constraint(out, row, keep, foreign_keys)) is not None
    ]
    objects += [_index(out, row) for row in conn.execute(_INDEXES, (oids,)).fetchall()]
    taken = {o.oid for o in objects}
    pending = {
        table
        for oid, table, name in conn.execute(_DEFERRED, (oids,)).fetchall()
        if oid not in taken and (out.names[table], name) not in keep
    }
    out.objects = _free(conn, [o for o in objects if o.table not in pending])
    for o in sorted(out.objects, key=lambda o: o.kind != "f"):  # keys' dependents first
        conn.execute(o.drop)
    return out


def put_back(conn: psycopg.Connection[Any], rebuild: Rebuild, table: str | None = None) -> None:
    """Re-create what :func:`take_down` dropped from ``table`` (schema.name; None: from every
    table, all that is left): its keys and indexes, then the foreign keys whose own table and
    referenced table are both built. While it runs, ``rebuild.current`` names the object
    being made (the server's error, if it refuses, is raised as it is)."""
    oids = [o for o, name in rebuild.names.items() if table is None or name == table]
    for o in rebuild.objects:
        if o.kind != "f" and o.table in oids and o.oid not in rebuild.made:
            _make(conn, rebuild, o)
    rebuild.built.update(oids)
    built = rebuild.built
    for o in rebuild.objects:
        ready = o.table in built and (o.refs in built or o.refs not in rebuild.names)
        if o.kind == "f" and ready and o.oid not in rebuild.made:
            _make(conn, rebuild, o)
    rebuild.current = ""


def _make(conn: psycopg.Connection[Any], rebuild: Rebuild, o: _Object) -> None:
    rebuild.current = f"{rebuild.names[o.table]} ({o.name})"
    for stmt in o.create:
        conn.execute(stmt)
    rebuild.made.add(o.oid)


def more_sort_memory(conn: psycopg.Connection[Any]) -> str | None:
    """Raise ``maintenance_work_mem`` to :data:`SORT_MEMORY` for this transaction when it is
    lower (an index build then sorts in memory: about 15% faster for the e-commerce example's
    1.5 M-row indexes than at the default 64MB); returns the setting to restore, or None."""
    row = conn.execute(
        "SELECT current_setting('maintenance_work_mem'),"
        " pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(%s)",
        (SORT_MEMORY,),
    ).fetchone()
    if row is None or not row[1]:
        return None
    conn.execute("SELECT set_config('maintenance_work_mem', %s, true)", (SORT_MEMORY,))
    return str(row[0])


def restore_sort_memory(conn: psycopg.Connection[Any], before: str | None) -> None:
    """Put ``maintenance_work_mem`` back (the caller's transaction may go on after the load)."""
    if before is not None:
        conn.execute("SELECT set_config('maintenance_work_mem', %s, true)", (before,))


def _rel(rebuild: Rebuild, table: int) -> sql.Composable:
    s, _, n = rebuild.names[table].partition(".")
    return sql.Identifier(s, n)


def _constraint(
    rebuild: Rebuild, row: tuple[Any, ...], keep: set[tuple[str, str]], foreign_keys: bool
) -> _Object | None:
    oid, table, name, kind, definition, comment, index, index_comment, pinned, refs = row
    if pinned or (kind == "f" and (not foreign_keys or (rebuild.names[table], name) in keep)):
        return None
    rel = _rel(rebuild, table)
    ident = sql.Identifier(name)
    create: list[_Stmt] = [
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(rel, ident) + sql.SQL(definition)
    ]
    if comment is not None:
        create.append(
            sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}").format(ident, rel, sql.Literal(comment))
        )
    also: tuple[int, ...] = ()
    if kind in ("p", "u", "x") and index:
        also = (index,)
        if index_comment is not None:
            s = rebuild.names[table].partition(".")[0]
            create.append(
                sql.SQL("COMMENT ON INDEX {} IS {}").format(
                    sql.Identifier(s, name), sql.Literal(index_comment)
                )
            )
    drop = sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(rel, ident)
    return _Object(oid, table, name, kind, drop, create, also, refs)


def _index(rebuild: Rebuild, row: tuple[Any, ...]) -> _Object:
    oid, table, name, definition, comment, tablespace = row
    s = rebuild.names[table].partition(".")[0]
    ident = sql.Identifier(s, name)
    stmt: _Stmt = sql.SQL(definition)
    if tablespace is not None:
        stmt += sql.SQL(" TABLESPACE {}").format(sql.Identifier(tablespace))
    create: list[_Stmt] = [stmt]
    if comment is not None:
        create.append(sql.SQL("COMMENT ON INDEX {} IS {}").format(ident, sql.Literal(comment)))
    return _Object(oid, table, name, "i", sql.SQL("DROP INDEX {}").format(ident), create)


def _free(conn: psycopg.Connection[Any], objects: list[_Object]) -> list[_Object]:
    """The objects nothing else depends on, save foreign keys also taken down; a key that a
    kept foreign key references stays (and so, to a fixed point, on)."""
    oids = [x for o in objects for x in (o.oid, *o.also)]
    deps: dict[int, list[tuple[bool, int]]] = {}
    for ref, is_con, obj in conn.execute(_DEPENDENTS, (oids,)).fetchall():
        deps.setdefault(ref, []).append((is_con, obj))
    chosen = {o.oid: o for o in objects}
    changed = True
    while changed:
        changed = False
        fks = {o.oid for o in chosen.values() if o.kind == "f"}
        for o in list(chosen.values()):
            for ref in (o.oid, *o.also):
                if any(not is_con or obj not in fks for is_con, obj in deps.get(ref, ())):
                    del chosen[o.oid]
                    changed = True
                    break
    return [o for o in objects if o.oid in chosen]
