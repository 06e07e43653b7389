"""Readable differences between two schema models: added, removed and changed objects."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dbdesign.model import Schema


@dataclass(frozen=True, slots=True)
class Difference:
    change: str  # "added" | "removed" | "changed"
    kind: str  # "table", "index" ...
    key: str
    detail: str = ""

    def __str__(self) -> str:
        tail = f": {self.detail}" if self.detail else ""
        return f"{self.change} {self.kind} {self.key}{tail}"

    def as_json(self) -> dict[str, str]:
        return {"change": self.change, "kind": self.kind, "key": self.key, "detail": self.detail}


_KINDS = {
    "namespaces": "schema",
    "extensions": "extension",
    "tables": "table",
    "views": "view",
    "indexes": "index",
    "sequences": "sequence",
    "enums": "enum",
    "domains": "domain",
    "composite_types": "type",
    "functions": "function",
    "triggers": "trigger",
    "rules": "rule",
    "policies": "policy",
    "virtual_tables": "virtual table",
}


def _show(v: Any) -> str:
    v = getattr(v, "normalized", v)
    text = repr(v)
    return text if len(text) <= 120 else text[:119] + "…"


def field_differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Differences between two model values as ``path: before -> after`` lines."""
    if a == b:
        return []
    if dataclasses.is_dataclass(a) and type(a) is type(b):
        return _dataclass_differences(a, b, path)
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return _mapping_differences(a, b, path)
    if isinstance(a, tuple) and isinstance(b, tuple):
        out = _tuple_differences(a, b, path)
        if out is not None:
            return out
    return [f"{path}: {_show(a)} -> {_show(b)}"]


def _dataclass_differences(a: Any, b: Any, path: str) -> list[str]:
    """Field by field (the fields that take part in equality)."""
    out = []
    for f in dataclasses.fields(a):
        if f.compare:
            sub = f"{path}.{f.name}" if path else f.name
            out += field_differences(getattr(a, f.name), getattr(b, f.name), sub)
    return out


def _mapping_differences(a: Mapping[Any, Any], b: Mapping[Any, Any], path: str) -> list[str]:
    """Key by key: removed, added, or the values' differences."""
    out = []
    for k in sorted(set(a) | set(b), key=str):
        if k not in b:
            out.append(f"{path}[{k}] removed")
        elif k not in a:
            out.append(f"{path}[{k}] added")
        else:
            out += field_differences(a[k], b[k], f"{path}[{k}]")
    return out


def _tuple_differences(a: tuple[Any, ...], b: tuple[Any, ...], path: str) -> list[str] | None:
    """Members with names (columns, elements ...) by name, and their order; others position by
    position when the lengths agree; None otherwise (the tuples are shown whole)."""
    names_a = [getattr(x, "name", None) for x in a]
    names_b = [getattr(x, "name", None) for x in b]
    if None not in names_a and None not in names_b:
        out = field_differences(
            dict(zip(names_a, a, strict=True)), dict(zip(names_b, b, strict=True)), path
        )
        common = [n for n in names_a if n in names_b]
        if common != [n for n in names_b if n in names_a]:
            out.append(f"{path}: order {common} -> {[n for n in names_b if n in names_a]}")
        return out
    if len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in field_differences(x, y, f"{path}[{i}]")
        ]
    return None


def schema_differences(
    before: Schema, after: Schema, *, ignore_tables: tuple[str, ...] = ()
) -> list[Difference]:
    """What changed from ``before`` to ``after``, object by object."""
    out: list[Difference] = []
    for attr, kind in _KINDS.items():
        a: Mapping[str, Any] = getattr(before, attr)
        b: Mapping[str, Any] = getattr(after, attr)
        for key in sorted(set(a) | set(b)):
            if kind == "table" and key.rsplit(".", 1)[-1] in ignore_tables:
                continue
            if key not in b:
                out.append(Difference("removed", kind, key))
            elif key not in a:
                out.append(Difference("added", kind, key))
            elif a[key] != b[key]:
                detail = "; ".join(field_differences(a[key], b[key]))
                out.append(Difference("changed", kind, key, detail))
    return out
