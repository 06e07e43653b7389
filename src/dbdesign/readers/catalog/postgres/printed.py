"""The server's printed definitions, taken apart.

``pg_get_indexdef``, ``pg_get_partkeydef`` and ``pg_get_triggerdef`` print what the catalog
rows do not say plainly: an index or partition key element's opclass and collation (printed only
when they are not the defaults) and a trigger's WHEN condition. These helpers split that text
and build the key elements from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dbdesign.model import Expr, IndexElement


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split ``text`` at ``sep`` outside parentheses, brackets and quotes; items are stripped."""
    out: list[str] = []
    depth = 0
    quote: str | None = None
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                if i + 1 < len(text) and text[i + 1] == quote:
                    i += 1  # doubled quote inside a literal or identifier
                else:
                    quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
        i += 1
    tail = text[start:].strip()
    if tail or out:
        out.append(tail)
    return out


def trigger_when(definition: str) -> str | None:
    """The condition inside ``WHEN (...)`` of a pg_get_triggerdef text, or None."""
    for marker in ("FOR EACH ROW WHEN (", "FOR EACH STATEMENT WHEN ("):
        start = definition.find(marker)
        if start != -1:
            break
    else:
        return None
    start += len(marker)
    end = definition.rfind(") EXECUTE ")
    if end < start:
        return None
    return definition[start:end]


def paren_content(text: str, open_at: int) -> str:
    """The text inside the parenthesis that opens at ``text[open_at]``, up to its match."""
    depth = 0
    quote: str | None = None
    for i in range(open_at, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None  # a doubled quote closes and reopens: same effect
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : i]
    return text[open_at + 1 :]


def _printed(name: str | None, element_text: str, prefix: str = "") -> bool:
    """Whether the server's definition of an element prints this opclass/collation name."""
    if not name or not element_text:
        return False
    return re.search(r"(^|\s)" + re.escape(prefix + name) + r"(\s|$)", element_text) is not None


def index_element(e: Mapping[str, Any], printed: str | None) -> IndexElement:
    """An index or partition key element; ``printed`` is the server's text for it (where opclass
    and collation appear only when they are not the defaults)."""
    opt = int(e.get("option") or 0)
    desc = bool(opt & 1)
    nulls_first_bit = bool(opt & 2)
    expr = e.get("expr")
    text = printed or ""
    return IndexElement(
        column=None if expr is not None else e.get("column"),
        expr=Expr(expr) if expr is not None else None,
        opclass=e.get("opclass") if _printed(e.get("opclass_sql"), text) else None,
        collation=e.get("collation")
        if _printed(e.get("collation_sql"), text, "COLLATE ")
        else None,
        descending=desc,
        nulls_first=None if nulls_first_bit == desc else nulls_first_bit,
    )
