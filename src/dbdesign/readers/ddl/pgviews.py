"""Stored queries for the PostgreSQL DDL reader: views, materialized views and rules, with the
view's query coerced and its column list folded in as the server stores them.
"""

from __future__ import annotations

import dataclasses

from dbdesign.model import Rule, View
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import Tree
from dbdesign.readers.ddl.pgcoerce import _Coercer
from dbdesign.readers.ddl.pgstate import ReaderState


class ViewStatements(ReaderState):
    """CREATE VIEW, CREATE MATERIALIZED VIEW, CREATE RULE."""

    def _on_ViewStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["view"])
        opts = self._reloptions(s.get("options"))
        check = s.get("withCheckOption", "NO_CHECK_OPTION")
        check_option = {"LOCAL_CHECK_OPTION": "LOCAL", "CASCADED_CHECK_OPTION": "CASCADED"}.get(
            check
        )
        for o in list(opts):
            if o.startswith("check_option="):
                check_option = o.split("=", 1)[1].upper()
                opts.remove(o)
        if not s.get("replace"):
            self._once("view", self.views, f"{schema}.{name}")
        old = self.views.get(f"{schema}.{name}")
        view = View(
            schema=schema,
            name=name,
            query=self._expr(self._query(_name_targets(s["query"], _names(s.get("aliases"))))),
            check_option=check_option,  # type: ignore[arg-type]
            options=tuple(sorted(opts)),
            origin=self._origin(),
        )
        if old is not None:  # OR REPLACE: the same view keeps its owner, grants and comments
            view = dataclasses.replace(
                view, grants=old.grants, comment=old.comment, column_comments=old.column_comments
            )
        self.views[view.key] = view
        self._take_rel(schema, name)
        if old is None:
            self._created(f"rel:{schema}.{name}")

    def _on_CreateTableAsStmt(self, s: Tree) -> None:
        if s.get("objtype") != "OBJECT_MATVIEW":
            self._warn("CREATE TABLE AS: the resulting table's columns are not known; skipped")
            return
        into = s["into"]
        schema, name = self._qual(into["rel"])
        self.views[f"{schema}.{name}"] = View(
            schema=schema,
            name=name,
            materialized=True,
            query=self._expr(self._query(_name_targets(s["query"], _names(into.get("colNames"))))),
            options=tuple(sorted(self._reloptions(into.get("options")))),
            origin=self._origin(),
        )
        self._take_rel(schema, name)
        self._created(f"rel:{schema}.{name}")

    def _on_RefreshMatViewStmt(self, s: Tree) -> None:
        pass

    def _query(self, tree: Tree) -> Tree:
        """A view's query, coerced as the server would store it."""
        out: Tree = _Coercer(self).expr(tree, [])
        return out

    def _on_RuleStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["relation"])
        event = s.get("event", "CMD_SELECT").removeprefix("CMD_")
        rule = Rule(
            schema=schema,
            table=table,
            name=s["rulename"],
            event=event,
            definition=self._expr(s, "RuleStmt"),
            origin=self._origin(),
        )
        self.rules[rule.key] = rule


def _name_targets(query: Tree, names: list[str]) -> Tree:
    """Fold a view's column list into its query's output names, as the server stores it."""
    if not names or "SelectStmt" not in query:
        return query
    body = dict(query["SelectStmt"])
    if body.get("op", "SETOP_NONE") != "SETOP_NONE":
        body["larg"] = _name_targets({"SelectStmt": body["larg"]}, names)["SelectStmt"]
        return {"SelectStmt": body}
    targets = []
    for i, t in enumerate(body.get("targetList") or []):
        rt = dict(t["ResTarget"])
        if i < len(names):
            rt["name"] = names[i]
        targets.append({"ResTarget": rt})
    body["targetList"] = targets
    return {"SelectStmt": body}


def renamed_output(query: Tree, old: str, new: str) -> Tree:
    """A view's query (``{"SelectStmt": ...}``) with its output column ``old`` named ``new``,
    as ALTER VIEW ... RENAME COLUMN leaves it (``SELECT id`` becomes ``SELECT id AS ident``)."""
    body = query["SelectStmt"]
    while body.get("op", "SETOP_NONE") != "SETOP_NONE":  # a set operation's first branch
        body = body["larg"]
    names = [_output_name(t["ResTarget"]) for t in body.get("targetList") or ()]
    return _name_targets(query, [new if n == old else n for n in names])


def _output_name(target: Tree) -> str:
    """The name a select-list item gives its column: its alias, else its column's name."""
    if target.get("name"):
        return str(target["name"])
    fields = target.get("val", {}).get("ColumnRef", {}).get("fields") or []
    last = fields[-1].get("String", {}).get("sval") if fields else None
    return str(last or "?column?")
