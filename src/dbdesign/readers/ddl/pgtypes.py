"""Types and sequences for the PostgreSQL DDL reader: CREATE/ALTER TYPE ... AS ENUM, domains,
composite types (range types are warned about), CREATE/ALTER SEQUENCE.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dbdesign.dialects.postgres import choose_name
from dbdesign.model import Check, CompositeType, Domain, EnumType, FrozenMap, Sequence
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import Tree
from dbdesign.readers.ddl.pgretype import TypeRename
from dbdesign.readers.ddl.pgstate import ReaderState


class TypeStatements(ReaderState):
    """Enums, domains, composite and range types, sequences."""

    def _on_CreateEnumStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        self._once("type", self.enums, f"{schema}.{name}")
        self.enums[f"{schema}.{name}"] = EnumType(
            schema=schema, name=name, values=tuple(_names(s.get("vals"))), origin=self._origin()
        )

    def _on_AlterEnumStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        e = self.enums[f"{schema}.{name}"]
        values = list(e.values)
        if s.get("oldVal"):
            values[values.index(s["oldVal"])] = s["newVal"]
        elif s["newVal"] not in values:
            neighbour = s.get("newValNeighbor")
            if neighbour:
                i = values.index(neighbour) + (1 if s.get("newValIsAfter") else 0)
                values.insert(i, s["newVal"])
            else:
                values.append(s["newVal"])
        self.enums[e.key] = dataclasses.replace(e, values=tuple(values))

    def _on_CreateDomainStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["domainname"]))
        self._once("domain", self.domains, f"{schema}.{name}")
        dtype, _ = self._type(s["typeName"])
        nullable, default, checks = True, None, {}
        for c in s.get("constraints") or ():
            con = c["Constraint"]
            ct = con["contype"]
            if ct == "CONSTR_NOTNULL":
                nullable = False
            elif ct == "CONSTR_DEFAULT":
                default = self._expr(con["raw_expr"])
            elif ct == "CONSTR_CHECK":
                check = self._domain_check(schema, name, con)
                checks[check.name] = check
        collation = self._collation(s["collClause"]["collname"]) if s.get("collClause") else None
        self.domains[f"{schema}.{name}"] = Domain(
            schema=schema,
            name=name,
            type=dtype,
            nullable=nullable,
            default=default,
            collation=collation,
            checks=FrozenMap(checks),
            origin=self._origin(),
        )

    def _on_AlterDomainStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        d = self.domains[f"{schema}.{name}"]
        kind = s.get("subtype")
        checks = dict(d.checks)
        if kind == "C":  # ADD CONSTRAINT
            con = s["def"]["Constraint"]
            if con["contype"] == "CONSTR_NOTNULL":
                self.domains[d.key] = dataclasses.replace(d, nullable=False)
                return
            check = self._domain_check(schema, name, con)
            checks[check.name] = check
        elif kind == "X":  # DROP CONSTRAINT
            checks.pop(s.get("name", ""), None)
        elif kind == "V":  # VALIDATE CONSTRAINT
            if s.get("name") in checks:
                checks[s["name"]] = dataclasses.replace(checks[s["name"]], validated=True)
        elif kind == "T":  # SET/DROP DEFAULT
            default = self._expr(s["def"]) if s.get("def") else None
            self.domains[d.key] = dataclasses.replace(d, default=default)
            return
        elif kind in ("N", "O"):  # DROP / SET NOT NULL
            self.domains[d.key] = dataclasses.replace(d, nullable=kind == "N")
            return
        self.domains[d.key] = dataclasses.replace(d, checks=FrozenMap(checks))

    def _domain_check(self, schema: str, domain: str, con: Tree) -> Check:
        """A domain's CHECK constraint; an unnamed one named as the server names it."""
        taken = self.con_names.setdefault(schema, set())
        cname = con.get("conname") or choose_name(domain, None, "check", taken)
        taken.add(cname)
        return Check(
            name=cname,
            expr=self._expr(con["raw_expr"]),
            validated=not con.get("skip_validation", False),
        )

    def _on_CreateRangeStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        self._warn(
            f"range type {schema}.{name} is not modelled (nor its multirange type and "
            "constructor functions); skipped"
        )

    def _on_CompositeTypeStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["typevar"])
        attrs = tuple(
            (c["ColumnDef"]["colname"], self._type(c["ColumnDef"]["typeName"])[0])
            for c in s.get("coldeflist") or ()
        )
        self._once("type", self.composites, f"{schema}.{name}")
        self.composites[f"{schema}.{name}"] = CompositeType(
            schema=schema, name=name, attributes=attrs, origin=self._origin()
        )

    def _rename_type(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        """ALTER TYPE / DOMAIN ... RENAME TO, SET SCHEMA: the type is now ``new``, and every
        column, attribute, domain and function signature that uses it follows (the catalog
        refers to it by OID). A type the file does not define (a range type, an extension's)
        is followed all the same."""
        old_key, new_key = ".".join(old), ".".join(new)
        stores: list[dict[str, Any]] = [self.enums, self.domains, self.composites]
        for store in stores:
            if old_key in store:
                self._once("type", store, new_key)
                item = store.pop(old_key)
                store[new_key] = dataclasses.replace(item, schema=new[0], name=new[1])
        r = TypeRename(old_key, new_key)
        for t in self.tables.values():
            t.columns = [r.column(c) for c in t.columns]
        self.domains.update((k, r.domain(d)) for k, d in self.domains.items())
        self.composites.update((k, r.composite(c)) for k, c in self.composites.items())
        functions = {}
        for key, f in self.functions.items():
            f = r.function(f)
            functions[f.key] = f
            if f.key != key and f"fn:{key}" in self.owners:
                self.owners[f"fn:{f.key}"] = self.owners.pop(f"fn:{key}")
        self.functions.clear()
        self.functions.update(functions)

    def _rename_attribute(self, s: Tree) -> None:
        """ALTER TYPE ... RENAME ATTRIBUTE of a composite type."""
        c = self.composites["{}.{}".format(*self._qual(s["relation"]))]
        old, new = s["subname"], s["newname"]
        attributes = tuple((new if n == old else n, t) for n, t in c.attributes)
        self.composites[c.key] = dataclasses.replace(c, attributes=attributes)

    def _on_AlterObjectSchemaStmt(self, s: Tree) -> None:
        if s.get("objectType") not in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
            kind = str(s.get("objectType")).removeprefix("OBJECT_")
            self._warn(f"ALTER {kind} ... SET SCHEMA is not modelled; skipped")
            return
        schema, name = self._qual_names(_names(s["object"]["List"]["items"]))
        self._rename_type((schema, name), (s["newschema"], name))

    def _on_CreateSeqStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["sequence"])
        if f"{schema}.{name}" in self.sequences and s.get("if_not_exists"):
            return
        self._once("sequence", self.sequences, f"{schema}.{name}")
        fields = self._seq_defaults(self._seq_options(s.get("options") or (), {}))
        self.sequences[f"{schema}.{name}"] = Sequence(
            schema=schema, name=name, origin=self._origin(), **fields
        )
        self._take_rel(schema, name)
        self._created(f"rel:{schema}.{name}")

    def _on_AlterSeqStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["sequence"])
        key = f"{schema}.{name}"
        seq = self.sequences[key]
        current = {
            f.name: getattr(seq, f.name)
            for f in dataclasses.fields(seq)
            if f.name not in ("schema", "name", "origin", "grants", "comment")
        }
        fields = self._seq_defaults(self._seq_options(s.get("options") or (), current))
        self.sequences[key] = dataclasses.replace(seq, **fields)
