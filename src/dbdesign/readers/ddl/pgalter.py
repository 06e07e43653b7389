"""ALTER TABLE (and ALTER INDEX / VIEW through it), ALTER ... RENAME and DROP for the PostgreSQL
DDL reader: changes to objects already read, followed wherever the server follows them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from dbdesign.model import Column, Expr, FrozenMap, View
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgast import statement
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree, arg_type, int_value, table_key
from dbdesign.readers.ddl.pgdrops import DropStatements, query_refs
from dbdesign.readers.ddl.pgrename import (
    ColumnRename,
    rename_relation_in_query,
    sequence_in_expr,
)
from dbdesign.readers.ddl.pgtables import (
    identity_from_options,
)
from dbdesign.readers.ddl.pgtypes import TypeStatements
from dbdesign.readers.ddl.pgviews import renamed_output


class AlterStatements(DropStatements, TypeStatements):
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

    def _at_column_default(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        dtype = next((c.type for c in t.columns if c.name == name), None)
        t.set_col(name, default=self._default(d, dtype) if d else None)

    def _at_set_not_null(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, nullable=False)

    def _at_drop_not_null(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        t.set_col(name, nullable=True)

    def _at_alter_column_type(self, t: TableBuilder, name: str, d: Any, only: bool) -> None:
        """The new type, with the collation given (else the type's default: the column's old
        one does not stay)."""
        cd = d["ColumnDef"]
        collation = self._collation(cd["collClause"]["collname"]) if cd.get("collClause") else None
        t.set_col(name, type=self._type(cd["typeName"])[0], collation=collation)
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
            tree = statement(view.query.text)
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
        self._move_indexes(old, newkey)
        self._retarget(old, newkey)
        self._move_named(old, new)
        self._move_owned_sequences(old, newkey)
        self._renamed_in_views(old, newkey)

    def _renamed_in_views(self, old: str, new: str) -> None:
        """The views that read relation ``old`` (``schema.name``) name it ``new`` (the server
        keeps the relation itself, and prints its current name)."""
        name = old.partition(".")[2]
        for vkey, v in list(self.views.items()):
            if all(rel != name for _, rel in query_refs(v.query.text)[0]):
                continue  # (the common case: a cached scan, no rewrite)
            here = v.query.schema or "public"
            text = rename_relation_in_query(v.query.text, old, new, here)
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
            self._sequence_renamed(old, key)
        self._move_indexes(old, key)
        self._move_named(old, new)
        self._renamed(schema, name, new)
        self._renamed_in_views(old, key)

    def _on_AlterObjectSchemaStmt(self, s: Tree) -> None:
        """ALTER TABLE / VIEW / MATERIALIZED VIEW / SEQUENCE ... SET SCHEMA (types and
        domains: :class:`TypeStatements`)."""
        if s.get("objectType") not in _MOVABLE:
            super()._on_AlterObjectSchemaStmt(s)
            return
        schema, name = self._qual(s["relation"])
        old, to = f"{schema}.{name}", s["newschema"]
        new = f"{to}.{name}"
        t = self.tables.get(old)
        if t is not None:
            self._move_table(t, to)
        elif old in self.views:
            self.views[new] = dataclasses.replace(self.views.pop(old), schema=to)
            self._move_indexes(old, new)
        elif old in self.sequences:
            self.sequences[new] = dataclasses.replace(self.sequences.pop(old), schema=to)
            self._sequence_renamed(old, new)
        else:
            return
        self._move_named(old, name, to)
        self._release(schema, name)
        self._take_rel(to, name)
        self._renamed_in_views(old, new)

    def _move_table(self, t: TableBuilder, to: str) -> None:
        """A table to schema ``to``, with its indexes, constraints and owned sequences (the
        server moves them with it); references to it follow."""
        old = table_key(t)
        keys = [*t.uniques, *t.exclusions] + ([t.primary_key.name] if t.primary_key else [])
        constraints = [*keys, *t.checks, *t.foreign_keys]
        self._release(t.schema, *constraints)
        self.con_names.setdefault(to, set()).update(constraints)
        for c in keys:  # a key's index is a relation of the schema
            self._take_rel(to, c)
            if f"{t.schema}.{c}" in self.key_indexes:
                self.key_indexes[f"{to}.{c}"] = self.key_indexes.pop(f"{t.schema}.{c}")
        del self.tables[old]
        t.schema = to
        new = table_key(t)
        self.tables[new] = t
        self._move_owned_sequences(old, new)
        self._move_indexes(old, new)
        self._retarget(old, new)

    def _retarget(self, old: str, new: str) -> None:
        """What names table ``old`` by its key names ``new`` instead: foreign keys to it, its
        partitions and heirs, its keys' index names."""
        for other in self.tables.values():
            for n, f in list(other.foreign_keys.items()):
                if f.ref_table == old:
                    other.foreign_keys[n] = dataclasses.replace(f, ref_table=new)
            if other.partition_of == old:
                other.partition_of = new
            other.inherits = tuple(new if p == old else p for p in other.inherits)
        for k in [k for k, v in self.key_indexes.items() if v == old]:
            self.key_indexes[k] = new

    def _move_indexes(self, old: str, new: str) -> None:
        """The indexes of relation ``old`` follow it to ``new`` (``schema.name``): renamed,
        or moved to another schema (their names with them)."""
        to, name = new.split(".", 1)
        for k, i in list(self.indexes.items()):
            if i.table_key == old:
                del self.indexes[k]
                if i.schema != to:
                    self._release(i.schema, i.name)
                    self._take_rel(to, i.name)
                moved = dataclasses.replace(i, schema=to, table=name)
                self.indexes[moved.key] = moved

    def _move_owned_sequences(self, old: str, new: str) -> None:
        """The sequences a column of table ``old`` owns follow it to ``new`` (``schema.name``;
        another schema moves them, and the defaults that call them follow)."""
        to = new.partition(".")[0]
        for k, q in list(self.sequences.items()):
            if q.owned_by and q.owned_by.startswith(old + "."):
                moved = dataclasses.replace(q, schema=to, owned_by=new + q.owned_by[len(old) :])
                del self.sequences[k]
                self.sequences[f"{to}.{q.name}"] = moved
                if q.schema != to:
                    self._release(q.schema, q.name)
                    self._take_rel(to, q.name)
                    self._sequence_renamed(k, f"{to}.{q.name}")

    def _sequence_renamed(self, old: str, new: str) -> None:
        """The defaults (of columns and domains) that call sequence ``old`` name it ``new``:
        the server keeps the sequence's oid in them, and prints its current name."""
        for t in self.tables.values():
            for i, c in enumerate(t.columns):
                if c.default is not None:
                    e = sequence_in_expr(c.default, old, new)
                    if e is not c.default:
                        t.columns[i] = dataclasses.replace(c, default=e)
        for k, d in list(self.domains.items()):
            if d.default is not None:
                e = sequence_in_expr(d.default, old, new)
                if e is not d.default:
                    self.domains[k] = dataclasses.replace(d, default=e)

    def _move_named(self, old: str, new: str, schema: str | None = None) -> None:
        """Triggers, rules and policies of relation ``old`` (``schema.name``) to its new name
        (and schema)."""
        for store in self._named_stores().values():
            for k in [k for k in store if k.startswith(old + ".")]:
                item = store.pop(k)
                item = dataclasses.replace(item, table=new, schema=schema or item.schema)
                store[item.key] = item

    def _rename_on_table(self, s: Tree, new: str) -> None:
        """ALTER TRIGGER / POLICY ... ON table RENAME TO."""
        schema, table = self._qual(s["relation"])
        store = self._named_stores()[str(s["renameType"])]
        item = store.pop(f"{schema}.{table}.{s['subname']}", None)
        if item is not None:
            store[f"{schema}.{table}.{new}"] = dataclasses.replace(item, name=new)

    def _rename_routine(self, s: Tree, new: str) -> None:
        """ALTER FUNCTION / PROCEDURE ... RENAME TO: the overload named by its argument types
        (every overload of the name when they are not given); triggers follow it."""
        owa = s["object"]["ObjectWithArgs"]
        schema, name = self._qual_names(_names(owa["objname"]))
        types = [arg_type(self._type(a["TypeName"])[0]) for a in owa.get("objargs") or ()]
        wanted = f"{schema}.{name}({', '.join(types)})"
        overloads = [k for k, f in self.functions.items() if (f.schema, f.name) == (schema, name)]
        exact = [] if owa.get("args_unspecified") else [k for k in overloads if k == wanted]
        for k in exact or overloads:
            f = dataclasses.replace(self.functions.pop(k), name=new)
            self.functions[f.key] = f
        for k, tr in list(self.triggers.items()):
            if tr.function == f"{schema}.{name}":
                self.triggers[k] = dataclasses.replace(tr, function=f"{schema}.{new}")

    def _rename_domain_constraint(self, s: Tree, new: str) -> None:
        key = "{}.{}".format(*self._qual_names(_names(s["object"]["List"]["items"])))
        d = self.domains.get(key)
        if d is not None and s["subname"] in d.checks:
            checks = {(new if n == s["subname"] else n): c for n, c in d.checks.items()}
            checks[new] = dataclasses.replace(checks[new], name=new)
            self.domains[key] = dataclasses.replace(d, checks=FrozenMap(checks))

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
        self._column_renamed_around(t, r)

    def _column_renamed_around(self, t: TableBuilder, r: ColumnRename) -> None:
        """What else follows a column of ``t`` renamed: foreign keys that point at it, the
        table's indexes, triggers and policies, the views that read it, a serial's sequence."""
        key, old, new = table_key(t), r.old, r.new
        for other in self.tables.values():  # foreign keys that point at the column
            for n, f in list(other.foreign_keys.items()):
                if f.ref_table == key:
                    other.foreign_keys[n] = r.referencing(f)
        for k, ix in list(self.indexes.items()):
            if ix.table_key == key:
                self.indexes[k] = r.index(ix)
        self._column_renamed_in_views(t, r)
        on_table = key + "."
        for k, tr in list(self.triggers.items()):
            if k.startswith(on_table):
                self.triggers[k] = r.trigger(tr)
        for k, pol in list(self.policies.items()):
            if k.startswith(on_table):
                self.policies[k] = r.policy(pol)
        for k, q in list(self.sequences.items()):  # a serial's sequence follows its column
            if q.owned_by == f"{key}.{old}":
                self.sequences[k] = dataclasses.replace(q, owned_by=f"{key}.{new}")

    def _column_renamed_in_views(self, t: TableBuilder, r: ColumnRename) -> None:
        """The views that read the renamed column refer to it by its new name."""
        key, old = table_key(t), r.old
        for vkey, v in list(self.views.items()):  # the views reading the column
            rels, cols = query_refs(v.query.text)
            vschema = v.query.schema or "public"
            reads = {f"{sch or vschema}.{rel}" for sch, rel in rels}
            if old in cols and key in reads:
                others = [self.tables.get(rel) for rel in reads - {key}]
                unqualified = not any(o and any(c.name == old for c in o.columns) for o in others)
                text = r.in_query(v.query.text, t.schema, t.name, unqualified)
                query = Expr(text, "postgres", v.query.schema)
                self.views[vkey] = dataclasses.replace(v, query=query)


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

# What ALTER ... SET SCHEMA moves here (types and domains: TypeStatements)
_MOVABLE = frozenset({"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_SEQUENCE"})

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
    "OBJECT_FUNCTION": AlterStatements._rename_routine,
    "OBJECT_PROCEDURE": AlterStatements._rename_routine,
    "OBJECT_DOMCONSTRAINT": AlterStatements._rename_domain_constraint,
    "OBJECT_POLICY": AlterStatements._rename_on_table,
}
