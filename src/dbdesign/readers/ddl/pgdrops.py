"""DROP for the PostgreSQL DDL reader, and what a drop takes with it as the server does: a
column's indexes and constraints, with CASCADE the foreign keys, views, columns and triggers
that depend on what went, a partitioned table's partitions; the names freed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from dbdesign.model import Exclusion, Index, IndexElement
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgast import nodes, statement
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree, table_key
from dbdesign.readers.ddl.pgtables import TableStatements, expr_column_refs

# Relations that carry indexes, triggers, rules or policies, which a DROP takes with them.
_RELATIONS = frozenset({"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"})


class DropStatements(TableStatements):
    """DROP statements, DROP COLUMN and DROP CONSTRAINT, and their cascades."""

    def _at_drop_constraint(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        """The constraint; with CASCADE, a key's dependent foreign keys (those referencing
        its columns) too."""
        self._release(t.schema, name)
        key: tuple[str, ...] | None = None
        if t.primary_key is not None and t.primary_key.name == name:
            key, t.primary_key = t.primary_key.columns, None
        elif name in t.uniques:
            key = t.uniques[name].columns
        for coll in t.constraint_maps():
            coll.pop(name, None)
        if key is not None and d.get("behavior") == "DROP_CASCADE":
            self._drop_references(table_key(t), lambda fk: set(fk.ref_columns) == set(key))

    def _at_drop_column(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        """The column, and what involves it: PostgreSQL drops the table's indexes and
        constraints that use the column with it ("ALTER TABLE": DROP COLUMN), and with CASCADE
        other tables' foreign keys that reference it (``d``: the subcommand)."""
        t.columns = [c for c in t.columns if c.name != name]
        for child in [] if only else self._children(t):  # and from partitions and heirs
            if any(c.name == name for c in child.columns):
                self._at_drop_column(child, name, d, only)
        if t.primary_key is not None and name in t.primary_key.columns:
            self._release(t.schema, t.primary_key.name)
            t.primary_key = None
        uses: list[tuple[dict[str, Any], Callable[[Any], bool]]] = [
            (t.uniques, lambda u: name in u.columns),
            (t.foreign_keys, lambda f: name in f.columns),
            (t.checks, lambda c: name in expr_column_refs(c.expr)),
            (t.exclusions, lambda x: _involves(name, [e.element for e in x.elements], x)),
        ]
        for coll, used in uses:
            for cname in [k for k, v in coll.items() if used(v)]:
                self._release(t.schema, cname)
                del coll[cname]
        key = table_key(t)
        for ik in [
            k
            for k, i in self.indexes.items()
            if i.table_key == key and _involves(name, i.elements, i)
        ]:
            self._release(t.schema, self.indexes.pop(ik).name)
        for sk in [k for k, q in self.sequences.items() if q.owned_by == f"{key}.{name}"]:
            self._release(t.schema, self.sequences.pop(sk).name)  # a serial's sequence
        if d.get("behavior") == "DROP_CASCADE":
            self._drop_references(key, lambda fk: name in fk.ref_columns)
            self._drop_views_reading(key, name)

    def _on_DropStmt(self, s: Tree) -> None:
        rtype = s.get("removeType")
        drop = _DROP.get(str(rtype), DropStatements._drop_relation)
        for obj in s.get("objects") or ():
            drop(self, str(rtype), obj)
            if s.get("behavior") != "DROP_CASCADE":
                continue
            if rtype == "OBJECT_FUNCTION":
                self._drop_triggers_calling(_names(obj["ObjectWithArgs"]["objname"]))
            else:
                key = "{}.{}".format(*self._qual_names(_drop_names(str(rtype), obj)))
                if rtype == "OBJECT_SCHEMA":
                    self._drop_schema_contents(obj["String"]["sval"])
                elif rtype in _RELATIONS:
                    self._drop_dependants(key)
                elif rtype in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
                    self._drop_columns_of_type(key)

    def _drop_schema_contents(self, schema: str) -> None:
        """DROP SCHEMA ... CASCADE: everything in it, and what depends on that elsewhere."""
        for rtype, store in (("OBJECT_TABLE", self.tables), ("OBJECT_VIEW", self.views)):
            for key in [k for k in store if k.startswith(schema + ".")]:
                if key in store:
                    self._forget(rtype, key)
                    self._drop_dependants(key)
        others: list[dict[str, Any]] = [self.sequences, self.enums, self.domains, self.composites]
        for objects in others:
            for key in [k for k in objects if k.startswith(schema + ".")]:
                del objects[key]
        for key in [k for k, f in self.functions.items() if f.schema == schema]:
            del self.functions[key]

    def _drop_dependants(self, key: str) -> None:
        """What DROP ... CASCADE takes with relation ``key``: other tables' foreign keys to it,
        and the views that read it, with what depends on them in turn."""
        self._drop_references(key, lambda fk: True)
        self._drop_views_reading(key)

    def _drop_references(self, key: str, dropped: Callable[[Any], bool]) -> None:
        """Other tables' foreign keys to table ``key`` that depend on what was dropped."""
        for t in self.tables.values():
            for name in [n for n, f in t.foreign_keys.items() if f.ref_table == key and dropped(f)]:
                self._release(t.schema, name)
                del t.foreign_keys[name]

    def _drop_views_reading(self, key: str, column: str | None = None) -> None:
        """The views that read relation ``key`` (its ``column``, or a ``*``), and theirs."""
        for vkey, v in list(self.views.items()):
            schema = v.query.schema or "public"
            rels, cols = query_refs(v.query.text)
            reads = key in {f"{sch or schema}.{rel}" for sch, rel in rels}
            if vkey in self.views and reads and (column is None or {column, "*"} & cols):
                self._forget("OBJECT_VIEW", vkey)
                self._drop_dependants(vkey)

    def _drop_columns_of_type(self, key: str) -> None:
        """DROP TYPE / DOMAIN ... CASCADE: the columns of that type (or arrays of it) go."""
        for t in list(self.tables.values()):
            for c in [c for c in t.columns if c.type.name == key]:
                if any(x.name == c.name for x in t.columns):
                    self._at_drop_column(t, c.name, {}, only=False)

    def _drop_triggers_calling(self, names: list[str]) -> None:
        """DROP FUNCTION ... CASCADE: the triggers that call it go."""
        function = "{}.{}".format(*self._qual_names(names))
        for k in [k for k, tr in self.triggers.items() if tr.function == function]:
            del self.triggers[k]

    # DROP by the kind of object dropped: (its kind, the object as the statement names it);
    # see _DROP.

    def _drop_schema(self, rtype: str, obj: Tree) -> None:
        self.namespaces.pop(obj["String"]["sval"], None)

    def _drop_extension(self, rtype: str, obj: Tree) -> None:
        self.extensions.pop(obj["String"]["sval"], None)

    def _drop_routine(self, rtype: str, obj: Tree) -> None:
        """Every overload of the name (as the reader keeps them: the arguments are not matched)."""
        schema, name = self._qual_names(_names(obj["ObjectWithArgs"]["objname"]))
        for k in [k for k, f in self.functions.items() if f.schema == schema and f.name == name]:
            del self.functions[k]

    def _drop_collation(self, rtype: str, obj: Tree) -> None:
        self.collations.pop("{}.{}".format(*self._qual_names(_drop_names(rtype, obj))), None)

    def _drop_on_table(self, rtype: str, obj: Tree) -> None:
        """A trigger, policy or rule: named ``[schema.]table.name``."""
        *rel, oname = _drop_names(rtype, obj)
        schema, table = self._qual_names(rel)
        self._named_stores()[rtype].pop(f"{schema}.{table}.{oname}", None)

    def _drop_relation(self, rtype: str, obj: Tree) -> None:
        """Anything else keyed ``schema.name``: a table with the sequences it owns, or a view,
        index, sequence or type; a relation with its indexes, triggers, rules and policies."""
        self._forget(rtype, "{}.{}".format(*self._qual_names(_drop_names(rtype, obj))))

    def _forget(self, rtype: str, key: str) -> None:
        """A dropped object (and what goes with it: a partitioned table's partitions): its
        names are free again."""
        schema, _, name = key.partition(".")
        self._release(schema, name)
        if rtype == "OBJECT_TABLE":
            for part in [k for k, c in self.tables.items() if c.partition_of == key]:
                self._forget(rtype, part)
            t = self.tables.pop(key, None)
            if t is not None:
                self._release(schema, *(c for m in t.constraint_maps() for c in m))
                if t.primary_key is not None:
                    self._release(schema, t.primary_key.name)
            for sk in [
                k
                for k, q in self.sequences.items()
                if q.owned_by and q.owned_by.startswith(key + ".")
            ]:
                self._release(schema, self.sequences.pop(sk).name)
        else:
            for store in self._relation_stores():
                store.pop(key, None)
        if rtype in _RELATIONS:
            for ik in [k for k, i in self.indexes.items() if i.table_key == key]:
                self._release(schema, self.indexes.pop(ik).name)
            for store in self._named_stores().values():
                for k in [k for k in store if k.startswith(key + ".")]:
                    del store[k]

    def _children(self, t: TableBuilder) -> list[TableBuilder]:
        """The partitions of ``t`` and the tables that inherit from it."""
        key = table_key(t)
        return [c for c in self.tables.values() if c.partition_of == key or key in c.inherits]

    def _relation_stores(self) -> list[dict[str, Any]]:
        """Objects keyed ``schema.name`` other than tables."""
        return [self.views, self.indexes, self.sequences, self.enums, self.domains, self.composites]


_DROP: dict[str, Callable[[DropStatements, str, Tree], None]] = {
    "OBJECT_SCHEMA": DropStatements._drop_schema,
    "OBJECT_EXTENSION": DropStatements._drop_extension,
    "OBJECT_FUNCTION": DropStatements._drop_routine,
    "OBJECT_PROCEDURE": DropStatements._drop_routine,
    "OBJECT_AGGREGATE": DropStatements._drop_routine,
    "OBJECT_COLLATION": DropStatements._drop_collation,
    "OBJECT_TRIGGER": DropStatements._drop_on_table,
    "OBJECT_POLICY": DropStatements._drop_on_table,
    "OBJECT_RULE": DropStatements._drop_on_table,
}


def _drop_names(rtype: str, obj: Tree) -> list[str]:
    """The name a DROP gives an object: a type's as a TypeName, others' as a name list."""
    if rtype in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
        return (
            _names(obj["TypeName"]["names"]) if "TypeName" in obj else _names(obj["List"]["items"])
        )
    return _names(obj["List"]["items"] if "List" in obj else [obj])


def _involves(column: str, elements: Iterable[IndexElement], x: Index | Exclusion) -> bool:
    """Whether an index or exclusion constraint uses ``column``: as a key, in a key's
    expression, as an INCLUDE column or in its predicate."""
    if column in x.include:
        return True
    for e in elements:
        if e.column == column or (e.expr is not None and column in expr_column_refs(e.expr)):
            return True
    return x.where is not None and column in expr_column_refs(x.where)


@lru_cache(maxsize=1024)
def query_refs(query: str) -> tuple[frozenset[tuple[str | None, str]], frozenset[str]]:
    """The relations a view's query names ((schema as written or None, name)) and the column
    names it refers to (``*`` for a star)."""
    tree = statement(query)
    rels = frozenset((rv.get("schemaname"), rv["relname"]) for rv in nodes(tree, "RangeVar"))
    lasts = [(ref.get("fields") or [{}])[-1] for ref in nodes(tree, "ColumnRef")]
    cols = frozenset("*" if "A_Star" in f else f.get("String", {}).get("sval", "") for f in lasts)
    return rels, cols
