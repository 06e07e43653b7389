"""ALTER TABLE (and ALTER INDEX / VIEW through it), ALTER ... RENAME and DROP for the PostgreSQL
DDL reader: changes to objects already read, followed wherever the server follows them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from pglast.parser import parse_sql_json

from dbdesign.model import Column, Exclusion, Expr, Index, IndexElement, View
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree, int_value, table_key
from dbdesign.readers.ddl.pgrename import ColumnRename, rename_relation_in_query
from dbdesign.readers.ddl.pgtables import (
    TableStatements,
    expr_column_refs,
    identity_from_options,
)
from dbdesign.readers.ddl.pgtypes import TypeStatements
from dbdesign.readers.ddl.pgviews import renamed_output

# Relations that carry indexes, triggers, rules or policies, which a DROP takes with them.
_RELATIONS = frozenset({"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE"})


class AlterStatements(TableStatements, TypeStatements):
    """ALTER TABLE, RENAME and DROP."""

    def _on_AlterTableStmt(self, s: Tree) -> None:
        objtype = s.get("objtype", "OBJECT_TABLE")
        rv = s["relation"]
        for c in s.get("cmds") or ():
            cmd = c["AlterTableCmd"]
            sub = cmd["subtype"]
            if sub == "AT_ChangeOwner" and objtype != "OBJECT_INDEX":
                # (a sequence the table owns follows it, unless given an owner of its own)
                self._change_owner("rel:{}.{}".format(*self._qual(rv)), cmd["newowner"])
                continue
            if sub in (
                "AT_ChangeOwner",
                "AT_ClusterOn",
                "AT_ReplicaIdentity",
                "AT_SetStatistics",
                "AT_SetStorage",
                "AT_SetCompression",
            ):
                continue
            if objtype == "OBJECT_INDEX":
                self._alter_index(rv, sub, cmd)
                continue
            if objtype == "OBJECT_SEQUENCE":
                continue  # ALTER SEQUENCE via ALTER TABLE: owner and the like
            key = "{}.{}".format(*self._qual(rv))
            if key not in self.tables:
                if s.get("missing_ok"):
                    return
                if key in self.views:
                    if sub in ("AT_SetRelOptions", "AT_ResetRelOptions"):
                        self._alter_view_options(self.views[key], sub, cmd.get("def"))
                    continue  # ALTER VIEW ... owner, defaults: not modelled
                raise KeyError(f"table {key} is not defined")
            self._alter_table(self.tables[key], sub, cmd, only=not rv.get("inh"))

    def _alter_view_options(self, v: View, sub: str, d: Tree | None) -> None:
        """ALTER VIEW ... SET/RESET (...): options, check_option among them."""
        opts = {o.partition("=")[0]: o for o in v.options}
        if v.check_option is not None:
            opts["check_option"] = f"check_option={v.check_option.lower()}"
        for o in self._reloptions(d):
            key = o.partition("=")[0]
            if sub == "AT_SetRelOptions":
                opts[key] = o
            else:
                opts.pop(key, None)
        check = opts.pop("check_option", None)
        self.views[v.key] = dataclasses.replace(
            v,
            options=tuple(sorted(opts.values())),
            check_option=check.partition("=")[2].upper() if check else None,  # type: ignore[arg-type]
        )

    def _alter_index(self, rv: Tree, sub: str, cmd: Tree) -> None:
        if sub == "AT_AttachPartition":
            child = cmd["def"]["PartitionCmd"]["name"]
            schema, name = self._qual(child)
            self.indexes.pop(f"{schema}.{name}", None)
            # the index of a partition's key (pg_dump attaches them so): the key is inherited
            t = self.tables.get(self.key_indexes.get(f"{schema}.{name}", ""))
            if t is not None and t.partition_of is not None:
                if t.primary_key is not None and t.primary_key.name == name:
                    t.primary_key = None
                t.uniques.pop(name, None)
                t.exclusions.pop(name, None)

    def _alter_table(self, t: TableBuilder, sub: str, cmd: Tree, only: bool = False) -> None:
        """One ALTER TABLE subcommand on a table read before, by its subtype."""
        name: str = cmd.get("name") or ""
        # (DROP COLUMN's and DROP CONSTRAINT's CASCADE is on the subcommand itself)
        d: Any = cmd if sub in ("AT_DropColumn", "AT_DropConstraint") else cmd.get("def")
        if sub in _ROW_SECURITY:
            setattr(t, *_ROW_SECURITY[sub])
        elif sub in _TRIGGER_STATES:
            key = f"{t.schema}.{t.name}.{name}"
            if key in self.triggers:
                self.triggers[key] = dataclasses.replace(
                    self.triggers[key], enabled=_TRIGGER_STATES[sub]
                )
        elif sub in _ALTER_TABLE:
            _ALTER_TABLE[sub](self, t, name, d, only)
            if sub in _TO_CHILDREN and not only:
                for child in self._children(t):
                    if any(c.name == name for c in child.columns):
                        self._alter_table(child, sub, cmd)
        else:
            self._warn(f"ALTER TABLE {sub.removeprefix('AT_')} is not modelled; skipped")

    # ALTER TABLE subcommands: (table, the command's name (a column's, a constraint's), its
    # definition, whether ONLY the table is altered), one method each; see _ALTER_TABLE.

    def _at_add_constraint(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        self._add_constraint(t, d["Constraint"], None)
        if not only and t.partition_by is not None:
            for child in self._partitions(t):
                self._attach_keys(t, child)

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

    def _at_validate_constraint(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        validatable: list[dict[str, Any]] = [t.foreign_keys, t.checks]
        for coll in validatable:
            if name in coll:
                coll[name] = dataclasses.replace(coll[name], validated=True)

    def _at_add_column(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        before = {c.name for c in t.columns}
        for con, col in self._add_column(t, d["ColumnDef"]):
            self._add_constraint(t, con, col)
        self._note_toast(t)
        if not only:
            self._add_to_children(t, [c for c in t.columns if c.name not in before])

    def _add_to_children(self, t: TableBuilder, added: list[Column]) -> None:
        """Columns added to ``t`` go to its partitions and heirs too (and theirs), at their
        end; a child that has a column of that name already keeps it (the two merge)."""
        for child in self._children(t):
            new = [c for c in added if not any(x.name == c.name for x in child.columns)]
            child.columns += [dataclasses.replace(c, origin=None, identity=None) for c in new]
            self._note_toast(child)
            self._add_to_children(child, new)

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

    def _at_column_default(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        dtype = next((c.type for c in t.columns if c.name == name), None)
        t.set_col(name, default=self._default(d, dtype) if d else None)

    def _at_set_not_null(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, nullable=False)

    def _at_drop_not_null(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, nullable=True)

    def _at_alter_column_type(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, type=self._type(d["ColumnDef"]["typeName"])[0])
        self._note_toast(t)

    def _at_add_identity(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        con = d["Constraint"]
        column = t.columns[t.col_index(name)]
        opts = self._seq_defaults(
            self._seq_options(con.get("options") or (), {"type": column.type})
        )
        t.set_col(
            name,
            identity=identity_from_options(opts, con.get("generated_when") == "a"),
            nullable=False,
        )

    def _at_drop_identity(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, identity=None)

    def _at_set_identity(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        """ALTER COLUMN ... SET GENERATED ALWAYS | BY DEFAULT, SET sequence options (RESTART
        moves the sequence's position, not its options)."""
        column = t.columns[t.col_index(name)]
        ident = column.identity
        if ident is None:
            return
        always, options = ident.always, []
        for item in (d or {}).get("List", {}).get("items", ()):
            defname = item["DefElem"]["defname"]
            if defname == "generated":
                always = int_value(item["DefElem"]["arg"]) == ord("a")
            elif defname != "restart":
                options.append(item)
        fields = ("start", "increment", "min_value", "max_value", "cache", "cycle")
        current = {f: getattr(ident, f) for f in fields if getattr(ident, f) is not None}
        opts = self._seq_defaults(self._seq_options(options, {"type": column.type, **current}))
        t.set_col(name, identity=identity_from_options(opts, always))

    def _at_drop_expression(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, generated=None)  # a stored generated column becomes a plain one

    def _at_alter_constraint(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        """ALTER CONSTRAINT ... [NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]."""
        a = d["ATAlterConstraint"]
        cname = a["conname"]
        if cname in t.foreign_keys and a.get("alterDeferrability"):
            t.foreign_keys[cname] = dataclasses.replace(
                t.foreign_keys[cname],
                deferrable=bool(a.get("deferrable")),
                initially_deferred=bool(a.get("initdeferred")),
            )

    def _at_drop_inherit(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        parent = "{}.{}".format(*self._qual(d["RangeVar"]))
        t.inherits = tuple(p for p in t.inherits if p != parent)

    def _at_set_logged(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.unlogged = False

    def _at_set_unlogged(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.unlogged = True

    def _at_attach_partition(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        pc = d["PartitionCmd"]
        child = self._table(pc["name"])
        child.partition_of = f"{t.schema}.{t.name}"
        child.partition_bound = self._bound(pc["bound"])
        self._attach_keys(t, child)

    def _at_detach_partition(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        child = self._table(d["PartitionCmd"]["name"])
        child.partition_of = None
        child.partition_bound = None

    def _at_set_options(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        reloptions = dict(o.partition("=")[::2] for o in t.options)
        reloptions.update(o.partition("=")[::2] for o in self._toast_kept(t, self._reloptions(d)))
        t.options = tuple(sorted(f"{k}={v}" for k, v in reloptions.items()))

    def _at_reset_options(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        drop = {o.split("=", 1)[0] for o in self._reloptions(d)}
        t.options = tuple(o for o in t.options if o.split("=", 1)[0] not in drop)

    def _at_add_inherit(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        parent = self._table(d["RangeVar"])
        t.inherits = (*t.inherits, f"{parent.schema}.{parent.name}")

    def _on_RenameStmt(self, s: Tree) -> None:
        rtype = s.get("renameType")
        new = s["newname"]
        rename = _RENAME.get(str(rtype))
        if rename is None or (rtype == "OBJECT_TABLE" and not s.get("relation")):
            self._warn(
                f"ALTER ... RENAME of {str(rtype).removeprefix('OBJECT_')} is not modelled; skipped"
            )
            return
        rename(self, s, new)

    # ALTER ... RENAME by the kind of object renamed: (statement, new name); see _RENAME.

    def _rename_column_stmt(self, s: Tree, new: str) -> None:
        schema, name = self._qual(s["relation"])
        view = self.views.get(f"{schema}.{name}")
        if view is not None:  # a view's column: its query names the column anew
            tree = json.loads(parse_sql_json(view.query.text))["stmts"][0]["stmt"]
            query = renamed_output(tree, s["subname"], new)
            self.views[view.key] = dataclasses.replace(view, query=self._expr(query))
            return
        t = self._table(s["relation"])
        self._rename_column(t, s["subname"], new, heirs=bool(s["relation"].get("inh")))

    def _rename_table(self, s: Tree, new: str) -> None:
        """A table renamed: its key, and every reference to it the model keeps by name."""
        t = self._table(s["relation"])
        old = f"{t.schema}.{t.name}"
        del self.tables[old]
        t.name = new
        newkey = f"{t.schema}.{new}"
        self.tables[newkey] = t
        for k, i in list(self.indexes.items()):
            if i.table_key == old:
                self.indexes[k] = dataclasses.replace(i, table=new)
        for other in self.tables.values():
            for n, f in list(other.foreign_keys.items()):
                if f.ref_table == old:
                    other.foreign_keys[n] = dataclasses.replace(f, ref_table=newkey)
            if other.partition_of == old:
                other.partition_of = newkey
            other.inherits = tuple(newkey if p == old else p for p in other.inherits)
        self._move_named(old, new)
        for k, q in list(self.sequences.items()):
            if q.owned_by and q.owned_by.startswith(old + "."):
                self.sequences[k] = dataclasses.replace(q, owned_by=newkey + q.owned_by[len(old) :])
        self._renamed_in_views(t.schema, old.partition(".")[2], new)

    def _renamed_in_views(self, schema: str, old: str, new: str) -> None:
        """The views that read relation ``schema.old`` name it ``new`` (the server keeps the
        relation itself, and prints its current name)."""
        for vkey, v in list(self.views.items()):
            here = v.query.schema or "public"
            text = rename_relation_in_query(v.query.text, schema, old, new, here)
            if text != v.query.text:
                query = Expr(text, "postgres", v.query.schema)
                self.views[vkey] = dataclasses.replace(v, query=query)

    def _rename_type_stmt(self, s: Tree, new: str) -> None:
        schema, name = self._qual_names(_names(s["object"]["List"]["items"]))
        self._rename_type((schema, name), (schema, new))

    def _rename_attribute_stmt(self, s: Tree, new: str) -> None:
        self._rename_attribute(s)

    def _rename_index(self, s: Tree, new: str) -> None:
        """An index renamed; the index of a primary key, UNIQUE or EXCLUDE constraint
        renames the constraint (the two share their name)."""
        schema, name = self._qual(s["relation"])
        i = self.indexes.pop(f"{schema}.{name}", None)
        if i is not None:
            self.indexes[f"{schema}.{new}"] = dataclasses.replace(i, name=new)
            self._renamed(schema, name, new)
            return
        t = self.tables.get(self.key_indexes.get(f"{schema}.{name}", ""))
        if t is not None:
            self._rename_key(t, name, new)

    def _rename_relation(self, s: Tree, new: str) -> None:
        """ALTER VIEW / MATERIALIZED VIEW / SEQUENCE ... RENAME TO: the object, and what is
        keyed by it (a materialized view's indexes, a view's triggers and rules)."""
        schema, name = self._qual(s["relation"])
        old, key = f"{schema}.{name}", f"{schema}.{new}"
        if old in self.views:
            self.views[key] = dataclasses.replace(self.views.pop(old), name=new)
        if old in self.sequences:
            self.sequences[key] = dataclasses.replace(self.sequences.pop(old), name=new)
        for k, i in list(self.indexes.items()):
            if i.table_key == old:
                self.indexes[k] = dataclasses.replace(i, table=new)
        self._move_named(old, new)
        self._renamed(schema, name, new)
        self._renamed_in_views(schema, name, new)

    def _move_named(self, old: str, new: str) -> None:
        """Triggers, rules and policies of relation ``old`` (``schema.name``) to its new name."""
        for store in self._named_stores().values():
            for k in [k for k in store if k.startswith(old + ".")]:
                item = dataclasses.replace(store.pop(k), table=new)
                store[item.key] = item

    def _rename_on_table(self, s: Tree, new: str) -> None:
        """ALTER TRIGGER / POLICY ... ON table RENAME TO."""
        schema, table = self._qual(s["relation"])
        store = self._named_stores()[str(s["renameType"])]
        item = store.pop(f"{schema}.{table}.{s['subname']}", None)
        if item is not None:
            store[f"{schema}.{table}.{new}"] = dataclasses.replace(item, name=new)

    def _rename_constraint(self, s: Tree, new: str) -> None:
        self._rename_key(self._table(s["relation"]), s["subname"], new)

    def _rename_key(self, t: TableBuilder, old: str, new: str) -> None:
        """A constraint of ``t`` renamed (a key's index with it)."""
        if t.primary_key is not None and t.primary_key.name == old:
            t.primary_key = dataclasses.replace(t.primary_key, name=new)
        for coll in t.constraint_maps():
            if old in coll:
                coll[new] = dataclasses.replace(coll.pop(old), name=new)
        if f"{t.schema}.{old}" in self.key_indexes:
            self.key_indexes[f"{t.schema}.{new}"] = self.key_indexes.pop(f"{t.schema}.{old}")
        self._renamed(t.schema, old, new)

    def _rename_column(self, t: TableBuilder, old: str, new: str, heirs: bool = False) -> None:
        """Rename a column everywhere the server follows it: keys, indexes, expressions (and
        with ``heirs``, in the partitions and inheriting tables)."""
        key = f"{t.schema}.{t.name}"
        for child in self._children(t) if heirs else ():
            if any(c.name == old for c in child.columns):
                self._rename_column(child, old, new, heirs=True)
        r = ColumnRename(old, new)
        t.columns = [r.column(c) for c in t.columns]
        if t.primary_key is not None:
            t.primary_key = r.primary_key(t.primary_key)
        t.uniques = {n: r.unique(u) for n, u in t.uniques.items()}
        t.checks = {n: r.check(c) for n, c in t.checks.items()}
        t.foreign_keys = {n: r.foreign_key(f) for n, f in t.foreign_keys.items()}
        for other in self.tables.values():  # foreign keys that point at the column
            for n, f in list(other.foreign_keys.items()):
                if f.ref_table == key:
                    other.foreign_keys[n] = r.referencing(f)
        for k, ix in list(self.indexes.items()):
            if ix.table_key == key:
                self.indexes[k] = r.index(ix)
        for vkey, v in list(self.views.items()):  # the views reading the column
            rels, cols = _query_refs(v.query.text)
            vschema = v.query.schema or "public"
            reads = {f"{sch or vschema}.{rel}" for sch, rel in rels}
            if old in cols and key in reads:
                others = [self.tables.get(r) for r in reads - {key}]
                unqualified = not any(o and any(c.name == old for c in o.columns) for o in others)
                text = r.in_query(v.query.text, t.schema, t.name, unqualified)
                query = Expr(text, "postgres", v.query.schema)
                self.views[vkey] = dataclasses.replace(v, query=query)
        for k, q in list(self.sequences.items()):  # a serial's sequence follows its column
            if q.owned_by == f"{key}.{old}":
                self.sequences[k] = dataclasses.replace(q, owned_by=f"{key}.{new}")

    def _on_DropStmt(self, s: Tree) -> None:
        rtype = s.get("removeType")
        drop = _DROP.get(str(rtype), AlterStatements._drop_relation)
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
        for store in (self.sequences, self.enums, self.domains, self.composites):
            for key in [k for k in store if k.startswith(schema + ".")]:
                del store[key]
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
            rels, cols = _query_refs(v.query.text)
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


# ALTER TABLE ... ENABLE / DISABLE / FORCE / NO FORCE ROW LEVEL SECURITY: the flag it sets.
_ROW_SECURITY: dict[str, tuple[str, bool]] = {
    "AT_EnableRowSecurity": ("rls_enabled", True),
    "AT_DisableRowSecurity": ("rls_enabled", False),
    "AT_ForceRowSecurity": ("rls_forced", True),
    "AT_NoForceRowSecurity": ("rls_forced", False),
}

# ALTER TABLE ... ENABLE / DISABLE TRIGGER name: the trigger's state (pg_trigger.tgenabled).
_TRIGGER_STATES = {
    "AT_EnableTrig": "O",
    "AT_DisableTrig": "D",
    "AT_EnableAlwaysTrig": "A",
    "AT_EnableReplicaTrig": "R",
}

_ALTER_TABLE: dict[str, Callable[[AlterStatements, TableBuilder, str, Any, bool], None]] = {
    "AT_AddConstraint": AlterStatements._at_add_constraint,
    "AT_DropConstraint": AlterStatements._at_drop_constraint,
    "AT_ValidateConstraint": AlterStatements._at_validate_constraint,
    "AT_AddColumn": AlterStatements._at_add_column,
    "AT_DropColumn": AlterStatements._at_drop_column,
    "AT_ColumnDefault": AlterStatements._at_column_default,
    "AT_SetNotNull": AlterStatements._at_set_not_null,
    "AT_DropNotNull": AlterStatements._at_drop_not_null,
    "AT_AlterColumnType": AlterStatements._at_alter_column_type,
    "AT_AddIdentity": AlterStatements._at_add_identity,
    "AT_DropIdentity": AlterStatements._at_drop_identity,
    "AT_AttachPartition": AlterStatements._at_attach_partition,
    "AT_DetachPartition": AlterStatements._at_detach_partition,
    "AT_SetRelOptions": AlterStatements._at_set_options,
    "AT_ResetRelOptions": AlterStatements._at_reset_options,
    "AT_AddInherit": AlterStatements._at_add_inherit,
    "AT_DropInherit": AlterStatements._at_drop_inherit,
    "AT_SetIdentity": AlterStatements._at_set_identity,
    "AT_DropExpression": AlterStatements._at_drop_expression,
    "AT_AlterConstraint": AlterStatements._at_alter_constraint,
    "AT_SetLogged": AlterStatements._at_set_logged,
    "AT_SetUnLogged": AlterStatements._at_set_unlogged,
}

# Column subcommands the server applies to the partitions and inheriting tables too (unless
# ONLY); ADD and DROP COLUMN do so in their own methods.
_TO_CHILDREN = frozenset(
    {"AT_ColumnDefault", "AT_SetNotNull", "AT_DropNotNull", "AT_AlterColumnType"}
)

_RENAME: dict[str, Callable[[AlterStatements, Tree, str], None]] = {
    "OBJECT_COLUMN": AlterStatements._rename_column_stmt,
    "OBJECT_TABLE": AlterStatements._rename_table,
    "OBJECT_TYPE": AlterStatements._rename_type_stmt,
    "OBJECT_DOMAIN": AlterStatements._rename_type_stmt,
    "OBJECT_ATTRIBUTE": AlterStatements._rename_attribute_stmt,
    "OBJECT_INDEX": AlterStatements._rename_index,
    "OBJECT_TABCONSTRAINT": AlterStatements._rename_constraint,
    "OBJECT_VIEW": AlterStatements._rename_relation,
    "OBJECT_MATVIEW": AlterStatements._rename_relation,
    "OBJECT_SEQUENCE": AlterStatements._rename_relation,
    "OBJECT_TRIGGER": AlterStatements._rename_on_table,
    "OBJECT_POLICY": AlterStatements._rename_on_table,
}

_DROP: dict[str, Callable[[AlterStatements, str, Tree], None]] = {
    "OBJECT_SCHEMA": AlterStatements._drop_schema,
    "OBJECT_EXTENSION": AlterStatements._drop_extension,
    "OBJECT_FUNCTION": AlterStatements._drop_routine,
    "OBJECT_PROCEDURE": AlterStatements._drop_routine,
    "OBJECT_AGGREGATE": AlterStatements._drop_routine,
    "OBJECT_COLLATION": AlterStatements._drop_collation,
    "OBJECT_TRIGGER": AlterStatements._drop_on_table,
    "OBJECT_POLICY": AlterStatements._drop_on_table,
    "OBJECT_RULE": AlterStatements._drop_on_table,
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
def _query_refs(query: str) -> tuple[frozenset[tuple[str | None, str]], frozenset[str]]:
    """The relations a view's query names ((schema as written or None, name)) and the column
    names it refers to (``*`` for a star)."""
    rels: set[tuple[str | None, str]] = set()
    cols: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            rv = n.get("RangeVar")
            if rv is not None and len(n) == 1:
                rels.add((rv.get("schemaname"), rv["relname"]))
            ref = n.get("ColumnRef")
            if ref is not None and len(n) == 1:
                last = (ref.get("fields") or [{}])[-1]
                cols.add("*" if "A_Star" in last else last.get("String", {}).get("sval", ""))
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(json.loads(parse_sql_json(query)))
    return frozenset(rels), frozenset(cols)
