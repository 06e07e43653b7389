"""Renaming a column in the model objects that name it, as PostgreSQL follows a
``RENAME COLUMN``: the column itself, keys, checks, foreign keys on either side, indexes,
triggers and policies, and column references inside their expressions.

One place for the DDL reader (``ALTER TABLE ... RENAME COLUMN``) and the diff's rename hints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from dbdesign.dialects.postgres import regclass_literal, split_identifier_string
from dbdesign.model import (
    Check,
    Column,
    Expr,
    ForeignKey,
    Index,
    Policy,
    PrimaryKey,
    Trigger,
    Unique,
)
from dbdesign.readers.ddl.pgast import deparse, nodes, rewrite, statement


def _rename_once(text: str, old: str, new: str) -> str:
    """``text`` with every column reference named ``old`` (qualified or not) named ``new``,
    as pglast prints it."""
    tree = statement(f"SELECT {text}")
    target = tree["SelectStmt"]["targetList"][0]["ResTarget"]["val"]

    def renamed(node: dict[str, Any]) -> Any:
        ref = node.get("ColumnRef") if len(node) == 1 else None
        if ref is None:
            return None
        fields = ref.get("fields") or []
        if fields and fields[-1].get("String", {}).get("sval") == old:
            return {"ColumnRef": {**ref, "fields": [*fields[:-1], _sval(new)]}}
        return node

    return deparse(rewrite(target, renamed))


@dataclass(frozen=True, slots=True)
class _Renamed:
    """The text of ``base`` after the column renames ``steps``, one after the other: worked
    out when someone reads it (a migration lint renames columns of tables whose expressions
    no rule reads). Renames of a renamed expression extend its steps instead of nesting."""

    base: Expr
    steps: tuple[tuple[str, str], ...]

    def __call__(self) -> str:
        text = self.base.text
        for old, new in self.steps:
            text = _rename_once(text, old, new)
        return text


def rename_in_expr(e: Expr, old: str, new: str) -> Expr:
    """``e`` with every column reference named ``old`` (qualified or not) named ``new``."""
    pending = e._thunk  # an earlier rename not worked out yet: one thunk, not a chain
    if isinstance(pending, _Renamed):
        thunk = _Renamed(pending.base, (*pending.steps, (old, new)))
    else:
        thunk = _Renamed(e, ((old, new),))
    return Expr(thunk=thunk, dialect=e.dialect, schema=e.schema)


@dataclass(frozen=True, slots=True)
class ColumnRename:
    """Column ``old`` of one table becomes ``new``: each method returns the renamed object."""

    old: str
    new: str

    def names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.new if n == self.old else n for n in names)

    def expr(self, e: Expr) -> Expr:
        return rename_in_expr(e, self.old, self.new)

    def maybe(self, e: Expr | None) -> Expr | None:
        return None if e is None else self.expr(e)

    def column(self, c: Column) -> Column:
        gen = c.generated
        return dataclasses.replace(
            c,
            name=self.new if c.name == self.old else c.name,
            default=self.maybe(c.default),
            generated=None if gen is None else dataclasses.replace(gen, expr=self.expr(gen.expr)),
        )

    def primary_key(self, pk: PrimaryKey) -> PrimaryKey:
        return dataclasses.replace(
            pk, columns=self.names(pk.columns), include=self.names(pk.include)
        )

    def unique(self, u: Unique) -> Unique:
        return dataclasses.replace(u, columns=self.names(u.columns), include=self.names(u.include))

    def check(self, c: Check) -> Check:
        return dataclasses.replace(c, expr=self.expr(c.expr))

    def foreign_key(self, f: ForeignKey) -> ForeignKey:
        """A foreign key of the renamed column's table."""
        return dataclasses.replace(f, columns=self.names(f.columns))

    def referencing(self, f: ForeignKey) -> ForeignKey:
        """A foreign key (of any table) that references the renamed column's table."""
        return dataclasses.replace(f, ref_columns=self.names(f.ref_columns))

    def index(self, ix: Index) -> Index:
        return dataclasses.replace(
            ix,
            include=self.names(ix.include),
            where=self.maybe(ix.where),
            elements=tuple(
                dataclasses.replace(
                    e,
                    column=self.new if e.column == self.old else e.column,
                    expr=self.maybe(e.expr),
                )
                for e in ix.elements
            ),
        )

    def in_query(self, query: str, schema: str, table: str, unqualified: bool) -> str:
        """A view's query that reads table ``schema.table``, its references to the column
        renamed: qualified by the table's name or alias, and (``unqualified``: no other
        table it reads has a column of that name) unqualified ones. Its output names stay
        (``SELECT id`` becomes ``SELECT tid AS id``), as the server prints the view."""
        tree = statement(query)
        names = {  # the names the query gives the table: its own, its aliases
            rv.get("alias", {}).get("aliasname") or table
            for rv in nodes(tree, "RangeVar")
            if rv["relname"] == table and rv.get("schemaname") in (None, schema)
        }

        def ours(ref: dict[str, Any]) -> bool:
            fields = [f.get("String", {}).get("sval") for f in ref.get("fields") or ()]
            if not fields or fields[-1] != self.old:
                return False
            return unqualified if len(fields) == 1 else fields[-2] in names

        def renamed(n: dict[str, Any]) -> Any:
            ref = n.get("ColumnRef") if len(n) == 1 else None
            if ref is not None and ours(ref):
                return {"ColumnRef": {**ref, "fields": [*ref["fields"][:-1], _sval(self.new)]}}
            rt = n.get("ResTarget") if len(n) == 1 else None
            if rt is not None and not rt.get("name"):
                ref = rt.get("val", {}).get("ColumnRef")
                if ref is not None and ours(ref):  # the output keeps its name
                    return {"ResTarget": {**rewrite(rt, renamed), "name": self.old}}
            return None

        return deparse(rewrite(tree, renamed))

    def trigger(self, tr: Trigger) -> Trigger:
        return dataclasses.replace(tr, columns=self.names(tr.columns), when=self.maybe(tr.when))

    def policy(self, p: Policy) -> Policy:
        return dataclasses.replace(
            p, using=self.maybe(p.using), with_check=self.maybe(p.with_check)
        )


def rename_relation_in_query(query: str, old_key: str, new_key: str, here: str) -> str:
    """A view's query with relation ``old_key`` (``schema.name``) named ``new_key`` (``here``:
    the schema its unqualified names resolve to), and column references qualified by the old
    name; the text unchanged when it does not name the relation."""
    schema, old = old_key.split(".", 1)
    new_schema, new = new_key.split(".", 1)
    tree = statement(query)
    found = False

    def renamed(n: dict[str, Any]) -> Any:
        nonlocal found
        if len(n) != 1:
            return None
        rv = n.get("RangeVar")
        if rv is not None and rv["relname"] == old and (rv.get("schemaname") or here) == schema:
            found = True
            moved = {"schemaname": new_schema} if new_schema != schema else {}
            return {"RangeVar": {**rv, "relname": new, **moved}}
        ref = n.get("ColumnRef") or {}
        fields = ref.get("fields") or []
        if len(fields) >= 2 and fields[-2].get("String", {}).get("sval") == old:
            return {"ColumnRef": {**ref, "fields": [*fields[:-2], _sval(new), fields[-1]]}}
        return None

    out = rewrite(tree, renamed)
    return deparse(out) if found else query


def sequence_in_expr(e: Expr, old_key: str, new_key: str) -> Expr:
    """``e`` with each nextval / currval / setval of sequence ``old_key`` (its name written
    qualified or not, resolved in ``e``'s schema) calling ``new_key``; ``e`` itself when none
    does."""
    if old_key.split(".", 1)[1].lower() not in e.text.lower():
        return e  # the common case, without parsing
    home = e.schema or "public"

    def names(node: Any) -> str | None:
        """The sequence a call's first argument names: a string constant, maybe cast."""
        while isinstance(node, dict) and "TypeCast" in node:
            node = node["TypeCast"].get("arg")
        const = node.get("A_Const") if isinstance(node, dict) else None
        if not isinstance(const, dict) or "sval" not in const:
            return None
        parts = split_identifier_string(str(const["sval"].get("sval", "")))
        return ".".join(parts if len(parts) == 2 else [home, *parts])

    def parse(text: str) -> Any:
        tree = statement(f"SELECT {text}")
        return tree["SelectStmt"]["targetList"][0]["ResTarget"]["val"]

    schema, _, name = new_key.partition(".")
    replacement = parse(regclass_literal(schema, name))
    changed = False

    def renamed(node: dict[str, Any]) -> Any:
        nonlocal changed
        call = node.get("FuncCall") if len(node) == 1 else None
        if isinstance(call, dict):
            fn = [n["String"]["sval"] for n in call.get("funcname", []) if "String" in n]
            args = call.get("args") or []
            if fn and fn[-1] in _SEQ_FUNCS and args and names(args[0]) == old_key:
                changed = True
                return {"FuncCall": {**call, "args": [replacement, *rewrite(args[1:], renamed)]}}
        return None

    tree = rewrite(parse(e.text), renamed)
    if not changed:
        return e
    return Expr(deparse(tree), dialect=e.dialect, schema=e.schema)


_SEQ_FUNCS = ("nextval", "currval", "setval")


def _sval(name: str) -> dict[str, Any]:
    return {"String": {"sval": name}}
