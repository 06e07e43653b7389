"""ALTER TABLE (and ALTER INDEX / VIEW through it), ALTER ... RENAME and DROP for the PostgreSQL
DDL reader: changes to objects already read, followed wherever the server follows them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dbdesign.model import View
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree
from dbdesign.readers.ddl.pgrename import ColumnRename
from dbdesign.readers.ddl.pgtables import TableStatements, identity_from_options
from dbdesign.readers.ddl.pgtypes import TypeStatements

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
        name: str = cmd.get("name") or ""
        d: Any = cmd.get("def")
        if sub == "AT_AddConstraint":
            self._add_constraint(t, d["Constraint"], None)
            if not only and t.partition_by is not None:
                for child in self._partitions(t):
                    self._attach_keys(t, child)
        elif sub == "AT_ColumnDefault":
            dtype = next((c.type for c in t.columns if c.name == name), None)
            t.set_col(name, default=self._default(d, dtype) if d else None)
        elif sub == "AT_AddColumn":
            for con, col in self._add_column(t, d["ColumnDef"]):
                self._add_constraint(t, con, col)
            self._note_toast(t)
        elif sub == "AT_DropColumn":
            t.columns = [c for c in t.columns if c.name != name]
        elif sub == "AT_SetNotNull":
            t.set_col(name, nullable=False)
        elif sub == "AT_DropNotNull":
            t.set_col(name, nullable=True)
        elif sub == "AT_AlterColumnType":
            t.set_col(name, type=self._type(d["ColumnDef"]["typeName"])[0])
            self._note_toast(t)
        elif sub == "AT_AttachPartition":
            pc = d["PartitionCmd"]
            child = self._table(pc["name"])
            child.partition_of = f"{t.schema}.{t.name}"
            child.partition_bound = self._bound(pc["bound"])
            self._attach_keys(t, child)
        elif sub == "AT_DetachPartition":
            child = self._table(d["PartitionCmd"]["name"])
            child.partition_of = None
            child.partition_bound = None
        elif sub == "AT_EnableRowSecurity":
            t.rls_enabled = True
        elif sub == "AT_DisableRowSecurity":
            t.rls_enabled = False
        elif sub == "AT_ForceRowSecurity":
            t.rls_forced = True
        elif sub == "AT_NoForceRowSecurity":
            t.rls_forced = False
        elif sub == "AT_DropConstraint":
            for coll in t.constraint_maps():
                coll.pop(name, None)
            if t.primary_key is not None and t.primary_key.name == name:
                t.primary_key = None
        elif sub == "AT_ValidateConstraint":
            validatable: list[dict[str, Any]] = [t.foreign_keys, t.checks]
            for coll in validatable:
                if name in coll:
                    coll[name] = dataclasses.replace(coll[name], validated=True)
        elif sub == "AT_AddIdentity":
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
        elif sub == "AT_DropIdentity":
            t.set_col(name, identity=None)
        elif sub == "AT_SetRelOptions":
            reloptions = dict(o.partition("=")[::2] for o in t.options)
            reloptions.update(
                o.partition("=")[::2] for o in self._toast_kept(t, self._reloptions(d))
            )
            t.options = tuple(sorted(f"{k}={v}" for k, v in reloptions.items()))
        elif sub == "AT_ResetRelOptions":
            drop = {o.split("=", 1)[0] for o in self._reloptions(d)}
            t.options = tuple(o for o in t.options if o.split("=", 1)[0] not in drop)
        elif sub == "AT_AddInherit":
            parent = self._table(d["RangeVar"])
            t.inherits = (*t.inherits, f"{parent.schema}.{parent.name}")
        elif sub in (
            "AT_EnableTrig",
            "AT_DisableTrig",
            "AT_EnableAlwaysTrig",
            "AT_EnableReplicaTrig",
        ):
            key = f"{t.schema}.{t.name}.{name}"
            state = {
                "AT_EnableTrig": "O",
                "AT_DisableTrig": "D",
                "AT_EnableAlwaysTrig": "A",
                "AT_EnableReplicaTrig": "R",
            }[sub]
            if key in self.triggers:
                self.triggers[key] = dataclasses.replace(self.triggers[key], enabled=state)
        else:
            self._warn(f"ALTER TABLE {sub.removeprefix('AT_')} is not modelled; skipped")

    def _on_RenameStmt(self, s: Tree) -> None:
        rtype = s.get("renameType")
        new = s["newname"]
        if rtype == "OBJECT_COLUMN":
            self._rename_column(self._table(s["relation"]), s["subname"], new)
        elif rtype in ("OBJECT_TABLE",) and s.get("relation"):
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
            for store in self._named_stores().values():
                for k in [k for k in store if k.startswith(old + ".")]:
                    item = dataclasses.replace(store.pop(k), table=new)
                    store[item.key] = item
            for k, q in list(self.sequences.items()):
                if q.owned_by and q.owned_by.startswith(old + "."):
                    self.sequences[k] = dataclasses.replace(
                        q, owned_by=newkey + q.owned_by[len(old) :]
                    )
        elif rtype in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
            schema, name = self._qual_names(_names(s["object"]["List"]["items"]))
            self._rename_type((schema, name), (schema, new))
        elif rtype == "OBJECT_ATTRIBUTE":
            self._rename_attribute(s)
        elif rtype == "OBJECT_INDEX":
            schema, name = self._qual(s["relation"])
            i = self.indexes.pop(f"{schema}.{name}")
            self.indexes[f"{schema}.{new}"] = dataclasses.replace(i, name=new)
        elif rtype == "OBJECT_TABCONSTRAINT":
            t = self._table(s["relation"])
            for coll in t.constraint_maps():
                if s["subname"] in coll:
                    coll[new] = dataclasses.replace(coll.pop(s["subname"]), name=new)
        else:
            self._warn(
                f"ALTER ... RENAME of {str(rtype).removeprefix('OBJECT_')} is not modelled; skipped"
            )

    def _rename_column(self, t: TableBuilder, old: str, new: str) -> None:
        """Rename a column everywhere the server follows it: keys, indexes, expressions."""
        key = f"{t.schema}.{t.name}"
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

    def _on_DropStmt(self, s: Tree) -> None:
        rtype = s.get("removeType")
        for obj in s.get("objects") or ():
            if rtype in ("OBJECT_SCHEMA", "OBJECT_EXTENSION"):
                name = obj["String"]["sval"]
                (self.namespaces if rtype == "OBJECT_SCHEMA" else self.extensions).pop(name, None)
                continue
            if rtype in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_AGGREGATE"):
                owa = obj["ObjectWithArgs"]
                schema, name = self._qual_names(_names(owa["objname"]))
                for k in [
                    k for k, f in self.functions.items() if f.schema == schema and f.name == name
                ]:
                    del self.functions[k]
                continue
            if rtype in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
                names = (
                    _names(obj["TypeName"]["names"])
                    if "TypeName" in obj
                    else _names(obj["List"]["items"])
                )
            else:
                names = _names(obj["List"]["items"] if "List" in obj else [obj])
            if rtype == "OBJECT_COLLATION":
                self.collations.pop("{}.{}".format(*self._qual_names(names)), None)
                continue
            if rtype in ("OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"):
                *rel, oname = names
                schema, table = self._qual_names(rel)
                store = self._named_stores()[rtype]
                store.pop(f"{schema}.{table}.{oname}", None)
                continue
            schema, name = self._qual_names(names)
            key = f"{schema}.{name}"
            if rtype == "OBJECT_TABLE":
                self.tables.pop(key, None)
                for sk in [
                    k
                    for k, q in self.sequences.items()
                    if q.owned_by and q.owned_by.startswith(key + ".")
                ]:
                    del self.sequences[sk]
            else:
                for store in self._relation_stores():
                    store.pop(key, None)
            if rtype in _RELATIONS:  # its indexes, triggers, rules and policies go with it
                for ik in [k for k, i in self.indexes.items() if i.table_key == key]:
                    del self.indexes[ik]
                for store in self._named_stores().values():
                    for k in [k for k in store if k.startswith(key + ".")]:
                        del store[k]

    def _relation_stores(self) -> list[dict[str, Any]]:
        """Objects keyed ``schema.name`` other than tables."""
        return [self.views, self.indexes, self.sequences, self.enums, self.domains, self.composites]
