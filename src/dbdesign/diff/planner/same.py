"""How two versions of an object differ: only in a comment or grants, in a way CREATE OR
REPLACE can reach, or beyond it. Pure functions of the model.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from pglast.parser import parse_sql_json

from dbdesign.model import Column, FrozenMap, Function, View
from dbdesign.readers.ddl.pgast import without_locations


def without_comment(x: Any) -> Any:
    return dataclasses.replace(x, comment=None)


def only_comment_differs(a: Any, b: Any) -> bool:
    return bool(a != b and without_comment(a) == without_comment(b))


def only_meta_differs(a: Function, b: Function) -> bool:
    """Only the comment or privileges differ (not the definition)."""
    strip: dict[str, Any] = {"comment": None, "grants": frozenset(), "public_execute": True}
    return dataclasses.replace(a, **strip) == dataclasses.replace(b, **strip)


def replaceable(a: Function, b: Function) -> bool:
    """CREATE OR REPLACE can turn ``a`` into ``b``: same kind, result and arguments."""
    if a.kind != b.kind or a.kind == "aggregate":
        return False
    return a.returns == b.returns and a.arguments == b.arguments


def view_meta_only(a: View, b: View) -> bool:
    """Only comments or grants differ."""
    strip: dict[str, Any] = {
        "comment": None,
        "column_comments": FrozenMap(),
        "grants": frozenset(),
    }
    return dataclasses.replace(a, **strip) == dataclasses.replace(b, **strip)


def _target_list(query: str) -> tuple[Any, bool]:
    """A SELECT's output list (parse tree without positions; None if it cannot be found), and
    whether the query is a set operation (UNION ...: the list is its first branch's)."""
    try:
        tree = json.loads(parse_sql_json(query))
        stmt = tree["stmts"][0]["stmt"]["SelectStmt"]
    except Exception:
        return None, False
    setop = stmt.get("op", "SETOP_NONE") != "SETOP_NONE"
    while stmt.get("op", "SETOP_NONE") != "SETOP_NONE":
        stmt = stmt["larg"]
    return without_locations(stmt.get("targetList")), setop


def view_replaceable(a: View, b: View) -> bool:
    """CREATE OR REPLACE VIEW can turn ``a`` into ``b``: the server keeps the existing output
    columns (names, types, order) and accepts new ones at the end only. Taken as: ``a``'s output
    list (names and expressions, hence types while the columns they read keep theirs: a retyped
    column re-creates its views anyway) is the start of ``b``'s, and so is its explicit column
    list; a set operation (UNION ...) only when its output list stays the same."""
    if a.materialized or b.materialized:
        return False
    n = len(a.column_names)
    if b.column_names[:n] != a.column_names or (not n and b.column_names):
        return False
    (ta, a_setop), (tb, b_setop) = _target_list(a.query.text), _target_list(b.query.text)
    if ta is None or tb is None:
        return False
    if ta == tb:
        return a.column_names == b.column_names
    if a_setop or b_setop or len(tb) <= len(ta):
        return False
    return bool(tb[: len(ta)] == ta)


def drop_and_add(a: Column, b: Column) -> bool:
    """DROP and ADD: a generated expression changed, or a plain column became generated."""
    return b.generated is not None and a.generated != b.generated


def definition(c: Any) -> Any:
    """A constraint without its name and comment: what it does."""
    return dataclasses.replace(c, name="", comment=None)
