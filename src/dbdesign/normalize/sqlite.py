"""Canonical form of SQLite expressions, so DDL text and catalog text compare equal.

SQLite stores the text of a CREATE statement verbatim, and ``PRAGMA table_xinfo`` reports a
default as the text that was written, so both readers usually hold the same text. The normal
form makes spelling differences irrelevant where SQLite does not care: keyword and identifier
case (SQLite names are case-insensitive), quoting of names, whitespace, and redundant outer
parentheses. It is sqlglot's parse of the text regenerated in the SQLite dialect, lower-cased
outside string literals. Text sqlglot cannot parse falls back to a token-wise form (lower case,
single spaces) and never raises.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from dbdesign.model import register_normaliser

if TYPE_CHECKING:
    from sqlglot import exp

_TOKEN = re.compile(
    r"""'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?"""
    r"""|--[^\n]*|/\*.*?(?:\*/|\Z)|\s+|[A-Za-z_\x80-\U0010ffff][\w$\x80-\U0010ffff]*"""
    r"""|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\|\||->>|->|<<|>>|<=|>=|==|!=|<>|.""",
    re.S,
)


_SIMPLE = re.compile(r"^[a-z_][a-z0-9_]*$")


def _lower_outside_strings(sql: str) -> str:
    out: list[str] = []
    for m in _TOKEN.finditer(sql):
        tok = m.group()
        out.append(tok if tok.startswith("'") else tok.lower())
    return "".join(out)


def _fallback(text: str) -> str:
    parts: list[str] = []
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok.isspace() or tok.startswith(("--", "/*")):
            continue
        if tok[0] in '"`[':
            inner = tok[1:-1] if len(tok) > 1 else ""
            tok = '"' + inner.lower() + '"'
        elif not tok.startswith("'"):
            tok = tok.lower()
        parts.append(tok)
    return " ".join(parts)


def _unquote_identifiers(node: exp.Expression) -> exp.Expression:
    from sqlglot import exp

    if isinstance(node, exp.Identifier):
        name = node.name.lower()
        return exp.Identifier(this=name, quoted=not _SIMPLE.match(name))
    return node


@lru_cache(maxsize=8192)
def normalize(text: str, dialect: str = "sqlite", schema: str | None = None) -> str:
    """The canonical form of one SQLite expression or statement list (``dialect``/``schema``
    are accepted for the registry's signature; SQLite has one schema). sqlglot is loaded on
    the first comparison, not when a SQLite file is read."""
    import sqlglot
    from sqlglot import exp

    try:
        trees = [t for t in sqlglot.parse(text, read="sqlite") if t is not None]
        if not trees:
            return _fallback(text)
        out: list[str] = []
        for tree in trees:
            while isinstance(tree, exp.Paren):
                tree = tree.this
            tree = tree.transform(_unquote_identifiers, copy=True)
            out.append(_lower_outside_strings(tree.sql(dialect="sqlite")))
        return "; ".join(out)
    except Exception:  # sqlglot raises more than ParseError on odd input; never fail a compare
        return _fallback(text)


register_normaliser("sqlite", normalize)

__all__ = ["normalize"]
