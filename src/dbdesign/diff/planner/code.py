"""Routines, views, triggers, rules and policies: created, dropped, re-created or changed in
place (CREATE OR REPLACE, ALTER POLICY, ENABLE/DISABLE TRIGGER, comments and grants).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dbdesign.diff import operations as op
from dbdesign.diff.operations import Operation
from dbdesign.diff.planner.dependants import Dependants
from dbdesign.diff.planner.same import only_meta_differs, view_meta_only, without_comment
from dbdesign.diff.planner.state import relname_res
from dbdesign.model import Function


class CodeSteps(Dependants):
    """Plan the operations on routines, views, triggers, rules and policies."""

    def _emit_functions(self) -> None:
        s, t = self.s, self.t
        for key, fn in t.functions.items():
            if key not in s.functions or ("function", key) in self.recreate:
                self.create_object(_fn_kind(fn), key, op.CreateFunction(function=fn))
        for key, fn in s.functions.items():
            if key not in t.functions or ("function", key) in self.recreate:
                self.drop_object(_fn_kind(fn), key, op.DropFunction(function=fn))
        for key in s.functions.keys() & t.functions.keys():
            a, b = s.functions[key], t.functions[key]
            if a == b or ("function", key) in self.recreate:
                continue
            res = ("function", key)
            if not only_meta_differs(a, b):
                self.add(
                    op.ReplaceFunction(old=a, new=b),
                    provides={res},
                    removes={res},
                    uses_new=self.deps("t", _fn_kind(b), key) - {res},
                )
            word: op.ObjectKind = (
                "AGGREGATE"
                if b.kind == "aggregate"
                else "PROCEDURE"
                if b.kind == "procedure"
                else "FUNCTION"
            )
            self.comment(word, key, a.comment, b.comment, owner=res)
            self.grants(word, key, a.privileges, b.privileges, res)

    def _emit_views(self) -> None:
        s, t = self.s, self.t
        for key, v in t.views.items():
            if key not in s.views or ("view", key) in self.recreate:
                self.create_object(
                    "view", key, op.CreateView(view=v), provides={relname_res(v.schema, v.name)}
                )
        for key, v in s.views.items():
            if key not in t.views or ("view", key) in self.recreate:
                # a materialized view's indexes go with it
                ixs = {k: ix for k, ix in s.indexes.items() if ix.table_key == key}
                self.drop_object(
                    "view",
                    key,
                    op.DropView(view=v),
                    removes={relname_res(v.schema, v.name), ("index-on", key)}
                    | {("index", k) for k in ixs}
                    | {relname_res(ix.schema, ix.name) for ix in ixs.values()},
                )
        for key in s.views.keys() & t.views.keys():
            if ("view", key) in self.recreate:
                continue
            a, b = s.views[key], t.views[key]
            if a == b:
                continue
            res = ("view", key)
            if not view_meta_only(a, b):
                self.add(
                    op.ReplaceView(old=a, new=b),
                    provides={res},
                    removes={res},
                    uses_new=self.deps("t", "view", key) - {res},
                )
            word: op.ObjectKind = "MATERIALIZED VIEW" if b.materialized else "VIEW"
            self.comment(word, key, a.comment, b.comment, owner=res)
            for col in sorted(set(a.column_comments) | set(b.column_comments)):
                self.comment(
                    "COLUMN",
                    key,
                    a.column_comments.get(col),
                    b.column_comments.get(col),
                    member=col,
                    owner=res,
                )
            self.grants("TABLE", key, a.grants, b.grants, res)

    def _emit_triggers_rules_policies(self) -> None:
        """Created, dropped, re-created; enabled state, ALTER POLICY and comments in place."""
        s, t = self.s, self.t
        members: list[tuple[str, op.ObjectKind, Mapping[str, Any], Mapping[str, Any]]] = [
            ("trigger", "TRIGGER", s.triggers, t.triggers),
            ("rule", "RULE", s.rules, t.rules),
            ("policy", "POLICY", s.policies, t.policies),
        ]
        for kind, word, old, new in members:
            for key, obj in new.items():
                if key not in old or (kind, key) in self.recreate:
                    self.create_object(kind, key, _CREATE[kind](obj))
            for key, obj in old.items():
                gone = key not in new or (kind, key) in self.recreate
                if gone and not self.implied_drop((kind, key)):
                    self.drop_object(kind, key, _DROP[kind](obj))
            for key in old.keys() & new.keys():
                if (kind, key) in self.recreate:
                    continue
                a, b = old[key], new[key]
                res = (kind, key)
                if kind == "trigger" and a.enabled != b.enabled:
                    self.add(op.SetTriggerEnabled(old=a, new=b), uses_new={res})
                if kind == "policy" and without_comment(a) != without_comment(b):
                    self.add(
                        op.AlterPolicy(old=a, new=b),
                        uses_new={res} | (self.deps("t", kind, key) - {res}),
                        uses_old=self.deps("s", kind, key) - {res},
                    )
                table = f"{b.schema}.{b.table}"
                self.comment(word, table, a.comment, b.comment, member=b.name, owner=res)


_CREATE: dict[str, Callable[[Any], Operation]] = {
    "trigger": lambda x: op.CreateTrigger(trigger=x),
    "rule": lambda x: op.CreateRule(rule=x),
    "policy": lambda x: op.CreatePolicy(policy=x),
}


_DROP: dict[str, Callable[[Any], Operation]] = {
    "trigger": lambda x: op.DropTrigger(trigger=x),
    "rule": lambda x: op.DropRule(rule=x),
    "policy": lambda x: op.DropPolicy(policy=x),
}


def _fn_kind(fn: Function) -> str:
    return "aggregate" if fn.kind == "aggregate" else "function"
