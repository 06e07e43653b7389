"""CREATE COLLATION read as the server stores it (``pg_collation``).

``LOCALE = x`` of a libc collation sets both ``lc_collate`` and ``lc_ctype``; an ICU or builtin
collation keeps its locale alone. ``FROM existing`` copies the existing collation: one of the
file's own, or one of the server's (``pg_catalog``), whose properties follow from their names
(``C``, ``POSIX``, ``ucs_basic``, ``C.utf8``, ICU's ``und-x-icu`` ..., libc's ``de_DE.utf8``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal

from dbdesign.model import Collation
from dbdesign.readers.ddl.pgast import names as _names

Tree = dict[str, Any]
Provider = Literal["libc", "icu", "builtin"]
_PROVIDERS: dict[str, Provider] = {"libc": "libc", "icu": "icu", "builtin": "builtin"}


def _text(arg: Any) -> str:
    """A definition's value: a string, a name or a number, as written."""
    if isinstance(arg, dict):
        if "String" in arg:
            return str(arg["String"].get("sval", ""))
        if "TypeName" in arg:
            return ".".join(_names(arg["TypeName"]["names"]))
        if "Integer" in arg:
            return str(arg["Integer"].get("ival", 0))
        if "Boolean" in arg:
            return "true" if arg["Boolean"].get("boolval") else "false"
        if "List" in arg:
            return ".".join(_names(arg["List"]["items"]))
    return str(arg)


def _system(name: str, schema: str, new_name: str) -> Collation:
    """A copy of one of the server's own collations, known by its name."""
    if name in ("C", "POSIX", "C.utf8", "C.UTF-8"):
        return Collation(schema=schema, name=new_name, lc_collate=name, lc_ctype=name)
    if name == "ucs_basic":
        return Collation(schema=schema, name=new_name, lc_collate="C", lc_ctype="C")
    if name.endswith("-x-icu"):
        return Collation(
            schema=schema, name=new_name, provider="icu", locale=name[: -len("-x-icu")]
        )
    # libc aliases without an encoding name the UTF-8 locale (en_US -> en_US.utf8)
    locale = name if "." in name or "_" not in name else f"{name}.utf8"
    return Collation(schema=schema, name=new_name, lc_collate=locale, lc_ctype=locale)


def collation_from_define(
    s: Tree,
    schema: str,
    name: str,
    existing: Mapping[str, Collation],
    resolve: Callable[[list[str]], str | None],
) -> Collation:
    """The collation a ``DefineStmt`` of kind ``OBJECT_COLLATION`` makes.

    ``existing`` holds the file's collations by key; ``resolve`` turns a written name into a
    key of ``existing`` (or None: one of the server's)."""
    opts = {d["DefElem"]["defname"].lower(): d["DefElem"].get("arg") for d in s["definition"]}
    if "from" in opts:
        written = _names(
            opts["from"]["List"]["items"] if "List" in opts["from"] else [opts["from"]]
        )
        key = resolve(written)
        if key is not None and key in existing:
            return dataclasses.replace(existing[key], schema=schema, name=name, comment=None)
        return _system(written[-1], schema, name)
    text = {k: _text(v) for k, v in opts.items()}
    provider = _PROVIDERS.get(text.get("provider", "libc").lower(), "libc")
    locale = text.get("locale")
    deterministic = text.get("deterministic", "true").lower() not in ("false", "off", "0", "no")
    rules = text.get("rules")
    version = text.get("version")
    if provider == "libc":
        lc_collate = text.get("lc_collate", locale)
        lc_ctype = text.get("lc_ctype", locale)
        return Collation(
            schema=schema,
            name=name,
            lc_collate=lc_collate,
            lc_ctype=lc_ctype,
            deterministic=deterministic,
            version=version,
        )
    return Collation(
        schema=schema,
        name=name,
        provider=provider,
        locale=locale,
        deterministic=deterministic,
        rules=rules,
        version=version,
    )
