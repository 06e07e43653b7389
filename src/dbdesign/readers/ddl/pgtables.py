"""CREATE TABLE and CREATE INDEX for the PostgreSQL DDL reader: columns (serial, identity,
generated), constraints with the server's default names, partitioning, TOAST-dependent storage
parameters, and how a partition's keys and indexes attach to its parent's.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dbdesign.dialects.postgres import (
    BUILTIN_OPCLASSES,
    UNTOASTED_TYPES,
    choose_name,
    regclass_literal,
)
from dbdesign.model import (
    Check,
    Column,
    DataType,
    Exclusion,
    ExclusionElement,
    Expr,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    PartitionBy,
    PrimaryKey,
    Sequence,
    Unique,
)
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgast import statement
from dbdesign.readers.ddl.pgbuild import TableBuilder, Tree, node_kind, table_key
from dbdesign.readers.ddl.pgcoerce import _Coercer
from dbdesign.readers.ddl.pgstate import ReaderState

_FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


_FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}


class TableStatements(ReaderState):
    """CREATE TABLE, CREATE INDEX and what ALTER TABLE reuses of them."""

    def _on_CreateStmt(self, s: Tree) -> None:
        rv = s["relation"]
        schema, name = self._qual(rv)
        key = f"{schema}.{name}"
        if key in self.tables and s.get("if_not_exists"):
            return
        self._once("table", self.tables, key)
        t = TableBuilder(
            schema=schema,
            name=name,
            origin=self._origin(rv.get("location")),
            unlogged=rv.get("relpersistence") == "u",
        )
        self.tables[key] = t
        self._take_rel(schema, name)
        self._created(f"rel:{key}")
        self._inherit(t, s)
        options = self._reloptions(s.get("options"))
        constraints = self._table_elements(t, s.get("tableElts") or ())
        if s.get("partspec"):
            t.partition_by = self._partspec(s["partspec"], t.columns)
        self._note_toast(t)
        t.options = tuple(sorted(self._toast_kept(t, options)))
        for con, col in constraints:
            # NOT VALID in CREATE TABLE is accepted and ignored: the table is empty, so the
            # server marks the constraint validated.
            self._add_constraint(t, {**con, "skip_validation": False}, col)

    def _inherit(self, t: TableBuilder, s: Tree) -> None:
        """A partition's columns from its parent (PARTITION OF), or an inheriting table's from
        its parents (INHERITS), before its own."""
        parents = [self._table(p["RangeVar"]) for p in s.get("inhRelations") or ()]
        if s.get("partbound"):
            parent = parents[0]
            t.partition_of = f"{parent.schema}.{parent.name}"
            t.partition_bound = self._bound(s["partbound"])
            # Before PostgreSQL 17 a partition does not carry its parent's identity.
            t.columns = [dataclasses.replace(c, origin=None, identity=None) for c in parent.columns]
        elif parents:
            t.inherits = tuple(f"{p.schema}.{p.name}" for p in parents)
            for p in parents:
                for c in p.columns:
                    if not any(x.name == c.name for x in t.columns):
                        t.columns.append(dataclasses.replace(c, identity=None))

    def _table_elements(
        self, t: TableBuilder, elts: Iterable[Tree]
    ) -> list[tuple[Tree, str | None]]:
        """CREATE TABLE's columns, and LIKE's, added to ``t``; its constraints (a column's with
        the column's name), to be added once every column is there."""
        constraints: list[tuple[Tree, str | None]] = []
        for elt in elts:
            k = node_kind(elt)
            if k == "ColumnDef":
                constraints.extend(self._add_column(t, elt["ColumnDef"]))
            elif k == "Constraint":
                constraints.append((elt["Constraint"], None))
            elif k == "TableLikeClause":
                src = self._table(elt["TableLikeClause"]["relation"])
                for c in src.columns:
                    t.columns.append(
                        dataclasses.replace(
                            c, default=None, identity=None, generated=None, comment=None
                        )
                    )
        return constraints

    def _toastable(self, dtype: DataType) -> bool:
        """Whether a column of this type may be stored out of line (gives its table a TOAST
        table): arrays and variable-length types; a domain as its base type."""
        if dtype.array_dims:
            return True
        if dtype.name in self.domains:
            return self._toastable(self.domains[dtype.name].type)
        return dtype.name not in UNTOASTED_TYPES and dtype.name not in self.enums

    def _note_toast(self, t: TableBuilder) -> None:
        """A (non-partitioned) table has a TOAST table once it has had a toastable column."""
        if not t.toasted and t.partition_by is None:
            t.toasted = any(self._toastable(c.type) for c in t.columns)

    @staticmethod
    def _toast_kept(t: TableBuilder, options: Iterable[str]) -> list[str]:
        """The options the server keeps: ``toast.*`` ones only on a table with a TOAST table
        (elsewhere they are accepted and dropped)."""
        return [o for o in options if t.toasted or not o.startswith("toast.")]

    def _bound(self, b: Tree) -> Expr:
        return self._expr(b, "PartitionBoundSpec")

    def _partspec(self, ps: Tree, columns: Iterable[Column]) -> PartitionBy:
        strategy = ps["strategy"].removeprefix("PARTITION_STRATEGY_")
        elems = tuple(
            self._index_elem(p["PartitionElem"], partition=True, columns=columns)
            for p in ps.get("partParams") or ()
        )
        return PartitionBy(strategy=strategy, elements=elems)

    def _add_column(self, t: TableBuilder, cd: Tree) -> list[tuple[Tree, str | None]]:
        """Add a column definition's column to ``t`` (or merge it with an inherited one);
        returns its other constraints (key, foreign key, check), to be added with the table's."""
        name = sys.intern(cd["colname"])  # one string for every "id" of a large schema
        dtype, serial = self._type(cd["typeName"])
        spec, deferred = self._column_constraints(name, dtype, cd.get("constraints") or ())
        if serial:
            spec.default = self._serial_sequence(t, name, dtype, cd)
            spec.nullable = False
        collation = self._collation(cd["collClause"]["collname"]) if cd.get("collClause") else None
        col = Column(
            name=name,
            type=dtype,
            nullable=spec.nullable,
            default=spec.default,
            identity=spec.identity,
            generated=spec.generated,
            collation=collation,
            origin=self._origin(cd.get("location")),
        )
        existing = next((i for i, c in enumerate(t.columns) if c.name == name), None)
        if existing is None:
            t.columns.append(col)
        else:  # merged with an inherited column
            old = t.columns[existing]
            t.columns[existing] = dataclasses.replace(
                old,
                nullable=old.nullable and spec.nullable,
                default=spec.default or old.default,
            )
        return deferred

    def _column_constraints(
        self, name: str, dtype: DataType, constraints: Iterable[Tree]
    ) -> tuple[_ColumnSpec, list[tuple[Tree, str | None]]]:
        """What a column definition's constraints make of the column, and its key constraints
        (each with the DEFERRABLE / INITIALLY clauses that follow it)."""
        spec = _ColumnSpec()
        deferred: list[tuple[Tree, str | None]] = []
        for c in constraints:
            con = c["Constraint"]
            ct = con["contype"]
            if ct == "CONSTR_NOTNULL":
                spec.nullable = False
            elif ct == "CONSTR_NULL":
                spec.nullable = True
            elif ct == "CONSTR_DEFAULT":
                spec.default = self._default(con["raw_expr"], dtype)
            elif ct == "CONSTR_IDENTITY":
                opts = self._seq_defaults(
                    self._seq_options(con.get("options") or (), {"type": dtype})
                )
                spec.identity = identity_from_options(opts, con.get("generated_when") == "a")
                spec.nullable = False
            elif ct == "CONSTR_GENERATED":
                spec.generated = Generated(
                    expr=self._expr(con["raw_expr"]), stored=con.get("generated_kind", "s") != "v"
                )
            elif ct.startswith("CONSTR_ATTR_"):
                # DEFERRABLE / INITIALLY DEFERRED after a column constraint belong to it
                if deferred:
                    prev, of_column = deferred[-1]
                    deferred[-1] = ({**prev, **_CONSTRAINT_ATTRS.get(ct, {})}, of_column)
            else:
                if ct == "CONSTR_PRIMARY":
                    spec.nullable = False
                deferred.append((con, name))
        return spec, deferred

    def _serial_sequence(self, t: TableBuilder, column: str, dtype: DataType, cd: Tree) -> Expr:
        """The sequence a serial column owns (named as the server names it); returns the
        column's default, nextval of it."""
        seqname = choose_name(t.name, column, "seq", self.rel_names.setdefault(t.schema, set()))
        self._take_rel(t.schema, seqname)
        self.sequences[f"{t.schema}.{seqname}"] = Sequence(
            schema=t.schema,
            name=seqname,
            type=DataType(name=dtype.name),
            owned_by=f"{t.schema}.{t.name}.{column}",
            origin=self._origin(cd.get("location")),
        )
        return Expr(f"nextval({regclass_literal(t.schema, seqname)})", "postgres", self.search_path)

    def _add_constraint(self, t: TableBuilder, con: Tree, column: str | None) -> None:
        """Add a constraint to ``t`` (``column``: the column it was written on), named as the
        server names it when it has no name."""
        ct = con["contype"]
        con_taken = self.con_names.setdefault(t.schema, set())
        self.rel_names.setdefault(t.schema, set())
        add = _ADD_CONSTRAINT.get(ct)
        if add is None:
            self._warn(f"constraint kind {ct} is not modelled; skipped", con.get("location"))
            return
        con_taken.add(add(self, t, con, column))

    # One method per kind of constraint: (table, constraint, the column it was written on);
    # each returns the constraint's name. See _ADD_CONSTRAINT.

    def _using_index(self, t: TableBuilder, con: Tree) -> Index | None:
        """The index ``ADD PRIMARY KEY / UNIQUE ... USING INDEX`` makes the constraint's: it
        leaves the indexes (the constraint takes its columns, and its name unless named)."""
        name = con.get("indexname")
        if not name:
            return None
        index = self.indexes.pop(f"{t.schema}.{name}", None)
        if index is not None:
            self._release(t.schema, name)
        return index

    def _add_primary_key(self, t: TableBuilder, con: Tree, column: str | None) -> str:
        rel_taken = self.rel_names[t.schema]
        index = self._using_index(t, con)
        cols = tuple(_names(con.get("keys"))) or ((column,) if column else ())
        if index is not None:
            cols = tuple(e.column or "" for e in index.elements)
        cname: str = (
            con.get("conname")
            or (index.name if index is not None else None)
            or choose_name(t.name, None, "pkey", rel_taken)
        )
        t.primary_key = PrimaryKey(
            name=cname,
            columns=cols,
            include=index.include if index is not None else tuple(_names(con.get("including"))),
            deferrable=bool(con.get("deferrable")),
            initially_deferred=bool(con.get("initdeferred")),
            origin=self._origin(con.get("location")),
        )
        for c in cols:
            t.set_col(c, nullable=False)
        rel_taken.add(cname)
        self.key_indexes[f"{t.schema}.{cname}"] = table_key(t)
        return cname

    def _add_unique(self, t: TableBuilder, con: Tree, column: str | None) -> str:
        rel_taken = self.rel_names[t.schema]
        index = self._using_index(t, con)
        cols = tuple(_names(con.get("keys"))) or ((column,) if column else ())
        include = _names(con.get("including"))
        if index is not None:
            cols, include = tuple(e.column or "" for e in index.elements), list(index.include)
        cname: str = (
            con.get("conname")
            or (index.name if index is not None else None)
            or choose_name(t.name, _name_addition([*cols, *include]), "key", rel_taken)
        )
        t.uniques[cname] = Unique(
            name=cname,
            columns=cols,
            include=tuple(include),
            nulls_not_distinct=bool(
                con.get("nulls_not_distinct") or (index is not None and index.nulls_not_distinct)
            ),
            deferrable=bool(con.get("deferrable")),
            initially_deferred=bool(con.get("initdeferred")),
            origin=self._origin(con.get("location")),
        )
        rel_taken.add(cname)
        self.key_indexes[f"{t.schema}.{cname}"] = table_key(t)
        return cname

    def _add_check(self, t: TableBuilder, con: Tree, column: str | None) -> str:
        expr = self._expr(self._domain_casts(con["raw_expr"], t))
        cname: str | None = con.get("conname")
        if not cname:
            refs = _column_refs(con["raw_expr"])
            cname = choose_name(
                t.name, refs[0] if len(refs) == 1 else None, "check", self.con_names[t.schema]
            )
        t.checks[cname] = Check(
            name=cname,
            expr=expr,
            validated=not con.get("skip_validation", False),
            no_inherit=bool(con.get("is_no_inherit")),
            origin=self._origin(con.get("location")),
        )
        return cname

    def _add_foreign_key(self, t: TableBuilder, con: Tree, column: str | None) -> str:
        """A foreign key; one to a table's primary key not yet known waits for it."""
        cols = tuple(_names(con.get("fk_attrs"))) or ((column,) if column else ())
        rschema, rname = self._qual(con["pktable"])
        ref_cols = tuple(_names(con.get("pk_attrs")))
        cname: str = con.get("conname") or choose_name(
            t.name, _name_addition(list(cols)), "fkey", self.con_names[t.schema]
        )
        if not ref_cols:
            target = self.tables.get(f"{rschema}.{rname}")
            if target is not None and target.primary_key is not None:
                ref_cols = target.primary_key.columns
            else:
                t.pending_fk_refs[cname] = f"{rschema}.{rname}"
        t.foreign_keys[cname] = ForeignKey(
            name=cname,
            columns=cols,
            ref_table=f"{rschema}.{rname}",
            ref_columns=ref_cols,
            on_delete=_FK_ACTIONS[con.get("fk_del_action", "a")],  # type: ignore[arg-type]
            on_delete_columns=tuple(_names(con.get("fk_del_set_cols"))),
            on_update=_FK_ACTIONS[con.get("fk_upd_action", "a")],  # type: ignore[arg-type]
            match=_FK_MATCH[con.get("fk_matchtype", "s")],  # type: ignore[arg-type]
            deferrable=bool(con.get("deferrable")),
            initially_deferred=bool(con.get("initdeferred")),
            validated=not con.get("skip_validation", False),
            origin=self._origin(con.get("location")),
        )
        return cname

    def _add_exclusion(self, t: TableBuilder, con: Tree, column: str | None) -> str:
        rel_taken = self.rel_names[t.schema]
        elems = []
        colnames = []
        for pair in con.get("exclusions") or ():
            items = pair["List"]["items"] if "List" in pair else pair
            elem = self._index_elem(items[0]["IndexElem"], columns=t.columns)
            op = ".".join(_names(items[1]["List"]["items"] if "List" in items[1] else items[1]))
            elems.append(ExclusionElement(element=elem, operator=op))
            colnames.append(elem.column or _expr_colname(items[0]["IndexElem"]))
        cname: str = con.get("conname") or choose_name(
            t.name, _name_addition(colnames), "excl", rel_taken
        )
        rel_taken.add(cname)
        self.key_indexes[f"{t.schema}.{cname}"] = table_key(t)
        t.exclusions[cname] = Exclusion(
            name=cname,
            method=con.get("access_method") or "gist",
            elements=tuple(elems),
            include=tuple(_names(con.get("including"))),
            where=self._expr(con["where_clause"]) if con.get("where_clause") else None,
            deferrable=bool(con.get("deferrable")),
            initially_deferred=bool(con.get("initdeferred")),
            origin=self._origin(con.get("location")),
        )
        return cname

    def _index_elem(
        self, e: Tree, partition: bool = False, columns: Iterable[Column] = ()
    ) -> IndexElement:
        expr = e.get("expr")
        ordering = e.get("ordering", "SORTBY_DEFAULT")
        nulls = e.get("nulls_ordering", "SORTBY_NULLS_DEFAULT")
        names = _names(e.get("opclass"))
        opclass = ".".join(names) or None
        if opclass:
            opclass = opclass.removeprefix("pg_catalog.")
            if len(names) == 1 and opclass not in BUILTIN_OPCLASSES:
                opclass = f"{self.search_path}.{opclass}"  # an extension's, as the server resolves
        collation = self._collation(e.get("collation"))
        col = next((c for c in columns if c.name == e.get("name")), None)
        if col is not None:
            # the catalog shows an element's collation only where it is not the column's own
            domain = None if col.type.array_dims else self.domains.get(col.type.name)
            own = col.collation or (domain.collation if domain else None)
            if collation is None and _names(e.get("collation")):  # COLLATE "default"
                collation = "default" if own is not None else None
            elif collation is not None and collation == own:
                collation = None
        return IndexElement(
            column=e.get("name"),
            expr=self._expr(expr) if expr is not None else None,
            opclass=opclass,
            collation=collation,
            descending=ordering == "SORTBY_DESC",
            nulls_first=None if nulls == "SORTBY_NULLS_DEFAULT" else nulls == "SORTBY_NULLS_FIRST",
        )

    def _on_IndexStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["relation"])
        target = self.tables.get(f"{schema}.{table}")
        elems = [
            self._index_elem(p["IndexElem"], columns=target.columns if target else ())
            for p in s.get("indexParams") or ()
        ]
        name = s.get("idxname")
        if not name:
            cols = [
                p["IndexElem"].get("name") or _expr_colname(p["IndexElem"])
                for p in (s.get("indexParams") or []) + (s.get("indexIncludingParams") or [])
            ]
            name = choose_name(
                table, _name_addition(cols), "idx", self.rel_names.setdefault(schema, set())
            )
        key = f"{schema}.{name}"
        if key in self.indexes and s.get("if_not_exists"):
            return
        self._once("index", self.indexes, key)
        self._take_rel(schema, name)
        self.indexes[key] = Index(
            name=name,
            schema=schema,
            table=table,
            elements=tuple(elems),
            include=tuple(p["IndexElem"]["name"] for p in s.get("indexIncludingParams") or ()),
            method=s.get("accessMethod", "btree"),
            unique=bool(s.get("unique")),
            nulls_not_distinct=bool(s.get("nulls_not_distinct")),
            where=(
                self._expr(
                    self._domain_casts(s["whereClause"], self.tables.get(f"{schema}.{table}"))
                )
                if s.get("whereClause")
                else None
            ),
            origin=self._origin(),
        )
        if target is not None and target.partition_by is not None:
            self.indexed_parents.add(f"{schema}.{table}")
            if s["relation"].get("inh"):  # not ON ONLY
                for child in self._partitions(target):
                    self._attach_keys(target, child)

    def _domain_casts(self, tree: Tree, table: TableBuilder | None) -> Tree:
        """An expression on one table (CHECK, index predicate), coerced as the server would."""
        if table is None:
            return tree
        out: Tree = _Coercer(self).expr(tree, [{"": table.columns, table.name: table.columns}])
        return out

    def _attach_keys(self, parent: TableBuilder, child: TableBuilder) -> None:
        """The server attaches a partition's own keys, foreign keys and indexes that match its
        parent's (at ATTACH PARTITION, or when the partitioned table gains one); from then on
        they are the parent's, cloned, and the catalog reader leaves them out of the partition.
        Recurses into a partition that is itself partitioned."""
        pk, own = parent.primary_key, child.primary_key
        if (
            pk is not None
            and own is not None
            and (own.columns, own.include)
            == (
                pk.columns,
                pk.include,
            )
        ):
            child.primary_key = None
        pairs: list[tuple[dict[str, Any], Mapping[str, Any]]] = [
            (child.uniques, parent.uniques),
            (child.exclusions, parent.exclusions),
            (child.foreign_keys, parent.foreign_keys),
        ]
        for coll, parent_coll in pairs:
            for cname, con in list(coll.items()):
                if any(_same_but_name(con, p) for p in parent_coll.values()):
                    del coll[cname]
        if table_key(parent) in self.indexed_parents:  # (a scan of every index: only if need be)
            parent_indexes = [i for i in self.indexes.values() if i.table_key == table_key(parent)]
            for ikey, ix in list(self.indexes.items()):
                if ix.table_key == table_key(child) and any(
                    _same_but_name(dataclasses.replace(ix, table=p.table), p)
                    for p in parent_indexes
                ):
                    del self.indexes[ikey]
        if child.partition_by is not None:
            for grandchild in self._partitions(child):
                self._attach_keys(child, grandchild)

    def _partitions(self, parent: TableBuilder) -> list[TableBuilder]:
        key = table_key(parent)
        return [t for t in self.tables.values() if t.partition_of == key]


@dataclasses.dataclass(slots=True)
class _ColumnSpec:
    """What a column definition's constraints say of the column."""

    nullable: bool = True
    default: Expr | None = None
    identity: Identity | None = None
    generated: Generated | None = None


# DEFERRABLE / INITIALLY ... after a column's key constraint: what they set in it.
_CONSTRAINT_ATTRS: dict[str, dict[str, bool]] = {
    "CONSTR_ATTR_DEFERRABLE": {"deferrable": True},
    "CONSTR_ATTR_NOT_DEFERRABLE": {"deferrable": False},
    "CONSTR_ATTR_DEFERRED": {"initdeferred": True},
    "CONSTR_ATTR_IMMEDIATE": {"initdeferred": False},
}

_ADD_CONSTRAINT: dict[str, Callable[[TableStatements, TableBuilder, Tree, str | None], str]] = {
    "CONSTR_PRIMARY": TableStatements._add_primary_key,
    "CONSTR_UNIQUE": TableStatements._add_unique,
    "CONSTR_CHECK": TableStatements._add_check,
    "CONSTR_FOREIGN": TableStatements._add_foreign_key,
    "CONSTR_EXCLUSION": TableStatements._add_exclusion,
}


def identity_from_options(opts: dict[str, Any], always: bool) -> Identity:
    start = opts.get("start")
    inc = int(opts.get("increment") or 1)
    default_start = opts.get("min_value") or (1 if inc > 0 else -1)
    return Identity(
        always=always,
        start=None if start in (None, default_start) else int(start),
        increment=None if inc == 1 else inc,
        min_value=opts.get("min_value"),
        max_value=opts.get("max_value"),
        cache=None if int(opts.get("cache") or 1) == 1 else int(opts["cache"]),
        cycle=bool(opts.get("cycle")),
    )


_NAMELESS = {"name": "", "comment": None, "origin": None}


def _same_but_name(a: Any, b: Any) -> bool:
    """Two constraints or indexes alike but for their names (and comments)."""
    return type(a) is type(b) and bool(
        dataclasses.replace(a, **_NAMELESS) == dataclasses.replace(b, **_NAMELESS)
    )


def _name_addition(cols: list[str]) -> str:
    """PostgreSQL's ChooseIndexNameAddition: names joined by '_', stopped past 63 bytes."""
    buf = ""
    for c in cols:
        if buf:
            buf += "_"
        buf += c
        if len(buf.encode()) >= 64:
            break
    return buf


def _expr_colname(e: Tree) -> str:
    expr = e.get("expr") or {}
    if "FuncCall" in expr:
        return _names(expr["FuncCall"]["funcname"])[-1]
    return "expr"


def expr_column_refs(e: Expr) -> list[str]:
    """The column names an expression of the model refers to (read from its text)."""
    tree = statement(f"SELECT ({e.text})")
    return _column_refs(tree)


def _column_refs(tree: Any) -> list[str]:
    """Distinct column names an expression refers to, in order of appearance."""
    out: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            if "ColumnRef" in n and len(n) == 1:
                names = _names(n["ColumnRef"].get("fields"))
                if names and names[-1] not in out:
                    out.append(names[-1])
                return
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(tree)
    return out
