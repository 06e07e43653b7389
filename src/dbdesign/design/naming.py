"""Names the designer gives: plural snake_case tables, and constraint and index names that follow
the lint's default patterns (``pk_<table>``, ``fk_<table>_<cols>``, ``uq_``, ``chk_``, ``idx_``)."""

from __future__ import annotations

import hashlib

MAX_NAME = 60  # under PostgreSQL's 63 bytes, with room to spare; MySQL allows 64

_IRREGULAR = {"person": "people", "child": "children", "man": "men", "woman": "women"}
_UNCOUNTABLE = {"data", "metadata", "information", "equipment", "feedback", "inventory", "news"}


def plural(word: str) -> str:
    """English plural of the last word of a snake_case name: order_item -> order_items."""
    head, _, last = word.rpartition("_")
    prefix = head + "_" if head else ""
    if last in _UNCOUNTABLE or (last.endswith("s") and not last.endswith(("ss", "us"))):
        return word
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        return prefix + last[:-1] + "ies"
    if last.endswith(("s", "x", "z", "ch", "sh")):
        return prefix + last + "es"
    return prefix + last + "s"


def object_name(prefix: str, table: str, columns: tuple[str, ...] = (), suffix: str = "") -> str:
    """``prefix_table_col1_col2[_suffix]``, shortened with a stable hash past the limit."""
    name = "_".join(p for p in (prefix, table, *columns, suffix) if p)
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return name[: MAX_NAME - 9] + "_" + digest
