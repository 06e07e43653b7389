"""Which relations, functions, types, sequences and columns an SQL text mentions.

The text is parsed with pglast (PostgreSQL's own parser) and the tree walked for RangeVar,
FuncCall, TypeName and ColumnRef nodes; the names found are not resolved here (the schema
emitter resolves them against the model).
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pglast.parser import ParseError as _PgParseError
from pglast.parser import parse_sql_json


@dataclass
class Refs:
    """Names an SQL text mentions, unresolved: (schema or None, name)."""

    relations: set[tuple[str | None, str]] = field(default_factory=set)
    functions: set[tuple[str | None, str]] = field(default_factory=set)
    types: set[tuple[str | None, str]] = field(default_factory=set)
    sequences: set[tuple[str | None, str]] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)  # last part of each column reference
    star: bool = False  # a ``*`` or ``t.*`` column reference


_SEQ_FUNCS = ("nextval", "currval", "setval")


def _string_const(node: Any) -> str | None:
    if isinstance(node, dict):
        if "TypeCast" in node:
            return _string_const(node["TypeCast"].get("arg"))
        const = node.get("A_Const")
        if isinstance(const, dict) and "sval" in const:
            value = const["sval"].get("sval", "")
            return str(value)
    return None


def _split_regclass(text: str) -> tuple[str | None, str] | None:
    """``'public."My Seq"'`` as regclass input reads it (unquoted parts fold to lower case)."""
    parts = [
        q.replace('""', '"') if q else p.strip().lower()
        for q, p in re.findall(r'"((?:[^"]|"")*)"|([^."]+)', text)
    ]
    if len(parts) == 1:
        return None, parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _names(items: Any) -> list[str]:
    return [str(i["String"]["sval"]) for i in items or () if isinstance(i, dict) and "String" in i]


def _walk(node: Any, refs: Refs) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, refs)
        return
    if not isinstance(node, dict):
        return
    cref = node.get("ColumnRef")
    if isinstance(cref, dict):
        _column_ref(cref, refs)
    if "relname" in node:  # RangeVar, wrapped or not
        refs.relations.add((node.get("schemaname"), str(node["relname"])))
    if "funcname" in node:  # FuncCall
        _func_call(node, refs)
    if "names" in node and "typemod" in node:  # TypeName
        names = _names(node["names"])
        if names:
            refs.types.add((names[-2] if len(names) > 1 else None, names[-1]))
    for value in node.values():
        if isinstance(value, dict | list):
            _walk(value, refs)


def _column_ref(cref: dict[str, Any], refs: Refs) -> None:
    """The column a ColumnRef names (its last part), or ``*``."""
    last = (cref.get("fields") or [{}])[-1]
    if isinstance(last, dict) and "String" in last:
        refs.columns.add(str(last["String"]["sval"]))
    elif isinstance(last, dict) and "A_Star" in last:
        refs.star = True


def _func_call(node: dict[str, Any], refs: Refs) -> None:
    """The function a FuncCall names, and the sequence ``nextval('s')`` and the like name."""
    names = _names(node["funcname"])
    if names:
        refs.functions.add((names[-2] if len(names) > 1 else None, names[-1]))
        args = node.get("args") or []
        if names[-1] in _SEQ_FUNCS and args:
            text = _string_const(args[0])
            parsed = _split_regclass(text) if text is not None else None
            if parsed is not None:
                refs.sequences.add(parsed)


@lru_cache(maxsize=4096)
def scan_sql(sql: str) -> Refs:
    refs = Refs()
    # Unparsable text has no known references; the server will report it.
    with contextlib.suppress(_PgParseError, ValueError):
        _walk(json.loads(parse_sql_json(sql)), refs)
    return refs


def scan_expr(text: str) -> Refs:
    return scan_sql(f"SELECT ({text})")
