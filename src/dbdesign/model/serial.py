"""Versioned JSON for the model, lossless both ways (provenance included).

The encoding is generic: a dataclass becomes an object of its non-default fields, an
:class:`Expr` an object ``{"expr": text, ...}``, a :class:`FrozenMap` an object keyed by name, a
tuple or frozenset a list. Decoding follows the dataclasses' type hints.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any

from dbdesign.model import core
from dbdesign.model.core import Expr, FrozenMap, Grant, Schema

FORMAT = "dbdesign.schema"
VERSION = 1
# The dialect of an expression that names none (Expr's default), left out of the JSON.
_EXPR_DIALECT = Expr("").dialect


def to_dict(schema: Schema) -> dict[str, Any]:
    """Encode a schema as plain JSON-ready data."""
    return {"format": FORMAT, "version": VERSION, "schema": _enc(schema)}


def from_dict(data: dict[str, Any]) -> Schema:
    """Decode what :func:`to_dict` produced. Raises ValueError on another format or version."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    if data.get("version") != VERSION:
        raise ValueError(f"unsupported {FORMAT} version {data.get('version')!r}")
    result = _dec(Schema, data["schema"])
    assert isinstance(result, Schema)
    return result


def _enc(v: Any) -> Any:
    if isinstance(v, Expr):
        out: dict[str, Any] = {"expr": v.text}
        if v.dialect != _EXPR_DIALECT:
            out["dialect"] = v.dialect
        if v.schema is not None:
            out["schema"] = v.schema
        return out
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        out = {}
        for f in dataclasses.fields(v):
            val = getattr(v, f.name)
            if (
                f.default is not dataclasses.MISSING
                and val == f.default
                and type(val) is type(f.default)
            ):
                continue
            if f.default_factory is not dataclasses.MISSING and val == f.default_factory():
                continue
            out[f.name] = _enc(val)
        return out
    if isinstance(v, FrozenMap):
        return {k: _enc(x) for k, x in v.items()}
    if isinstance(v, frozenset):
        return sorted((_enc(x) for x in v), key=repr)
    if isinstance(v, tuple):
        return [_enc(x) for x in v]
    return v


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(core))


def _dec(tp: Any, v: Any) -> Any:
    if v is None:
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        if len(non_none) == 1:
            return _dec(non_none[0], v)
        # int | str and similar scalar unions
        return v
    if tp is Expr:
        return Expr(v["expr"], v.get("dialect", _EXPR_DIALECT), v.get("schema"))
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)  # type: ignore[arg-type]
        kwargs = {k: _dec(hints[k], x) for k, x in v.items()}
        return tp(**kwargs)  # type: ignore[operator]
    if origin is FrozenMap:
        return FrozenMap((k, _dec(args[1], x)) for k, x in v.items())
    if origin is frozenset:
        return frozenset(_dec(args[0], x) for x in v)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_dec(args[0], x) for x in v)
        return tuple(_dec(a, x) for a, x in zip(args, v, strict=True))
    return v


__all__ = ["FORMAT", "VERSION", "Grant", "from_dict", "to_dict"]
