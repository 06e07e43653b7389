"""What the PostgreSQL DDL reader knows while it reads, and the helpers every statement uses.

:class:`ReaderState` holds the objects made so far (by model key), the session (search path,
role), owners, names taken per schema and the position in the file; its helpers resolve names
and types against that state, build expressions, sequence options and storage parameters, and
keep owners' grants. The statement handlers (``_on_<node kind>``) live in the mixins that
subclass it (pgtables, pgalter, pgtypes, pgviews, pgroutines, pgaccess, pgcomments), joined in
:class:`~dbdesign.readers.ddl.postgres.PostgresDdlReader`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from dbdesign.dialects.postgres import (
    BUILTIN_TYPES,
    CANONICAL_TYPES,
    DEFAULT_OWNER,
    PUBLIC_SCHEMA_OWNER,
    SERIAL_TYPES,
    TYPE_RANGE,
    canonical_reloption,
    canonical_type_name,
)
from dbdesign.errors import Diagnostic, ParseError
from dbdesign.model import (
    Collation,
    CompositeType,
    DatabaseInfo,
    DataType,
    Domain,
    EnumType,
    Expr,
    Extension,
    Function,
    Grant,
    Index,
    Namespace,
    Origin,
    Policy,
    Rule,
    Sequence,
    Trigger,
    View,
)
from dbdesign.readers.ddl.pgast import deparse, is_null_constant, without_locations
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgbuild import (
    TableBuilder,
    Tree,
    Warn,
    arg_type,
    bool_value,
    int_value,
    role_of,
)
from dbdesign.readers.ddl.pgcoerce import _stored_text
from dbdesign.readers.ddl.pgsource import Lines


class ReaderState:
    """The state of a read and the helpers the statement handlers share."""

    def __init__(self, warn: Warn | None = None, owner: str | None = DEFAULT_OWNER) -> None:
        self.warn = warn or (lambda d: None)
        # Owners: an object's owner holds all its privileges without a grant, and the catalog
        # does not list them (an owner's GRANT to itself changes nothing), so the model leaves
        # out grants to the owner. The owner is the role of ALTER ... OWNER TO, else the session
        # role when the object was made (SET ROLE, SET SESSION AUTHORIZATION), else ``owner``:
        # the role the file is loaded as (None: unknown, every grant is kept).
        self.default_owner = owner
        self.session_owner: str | None = None
        self.owners: dict[str, str] = {"ns:public": PUBLIC_SCHEMA_OWNER}
        # Partitioned tables that have had an index made on them (their partitions' matching
        # indexes are attached); the table of each key's index, by "schema.index name".
        self.indexed_parents: set[str] = set()
        self.key_indexes: dict[str, str] = {}
        self.search_path = "public"
        self.catalog_first = True  # pg_catalog searched first (not named later in the path)
        self.namespaces: dict[str, Namespace] = {
            "public": Namespace(
                name="public",
                comment="standard public schema",
                grants=frozenset({Grant(grantee="PUBLIC", privilege="USAGE")}),
            )
        }
        self.extensions: dict[str, Extension] = {}
        self.collations: dict[str, Collation] = {}
        self.tables: dict[str, TableBuilder] = {}
        self.views: dict[str, View] = {}
        self.indexes: dict[str, Index] = {}
        self.sequences: dict[str, Sequence] = {}
        self.enums: dict[str, EnumType] = {}
        self.domains: dict[str, Domain] = {}
        self.composites: dict[str, CompositeType] = {}
        self.functions: dict[str, Function] = {}
        self.triggers: dict[str, Trigger] = {}
        self.rules: dict[str, Rule] = {}
        self.policies: dict[str, Policy] = {}
        self.database: DatabaseInfo | None = None  # the first CREATE DATABASE
        # Names taken per schema: relations (tables, indexes, sequences ...) and constraints.
        self.rel_names: dict[str, set[str]] = {}
        self.con_names: dict[str, set[str]] = {}
        # Functions named without a schema: if the file does not define them, they are built-in.
        self.unqualified_calls: set[tuple[str, str]] = set()
        self.file: str | None = None
        self.lines: Lines | None = None
        self.stmt_offset = 0
        self.base = 0  # byte offset of the chunk being parsed in the file's text

    def _owner(self, ref: str) -> str | None:
        """The owner of an object (``rel:schema.name``, ``fn:signature``, ``ns:name``)."""
        owner = self.owners.get(ref)
        if owner is None and ref.startswith("rel:"):
            seq = self.sequences.get(ref[4:])
            if seq is not None and seq.owned_by:  # serial: owned with its table
                owner = self.owners.get("rel:" + seq.owned_by.rsplit(".", 1)[0])
        return owner or self.default_owner

    def _created(self, ref: str) -> None:
        """An object made now is owned by the session's role."""
        if self.session_owner is not None:
            self.owners[ref] = self.session_owner
        else:
            self.owners.pop(ref, None)

    def _role_name(self, spec: Tree) -> str | None:
        """A role as named, CURRENT_USER and the like as the session's role (None: unknown)."""
        role = role_of(spec)
        if role in ("CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"):
            return self.session_owner or self.default_owner
        return role

    def _change_owner(self, ref: str, spec: Tree) -> None:
        """ALTER ... OWNER TO: the old owner's privileges pass to the new owner."""
        new = self._role_name(spec)
        old = self._owner(ref)
        if new is None:
            return
        store, key = self._grant_store(ref)
        item = store.get(key) if store is not None else None
        if item is not None and old is not None and old != new:
            kept = {g for g in item.grants if g.grantee != old}
            if isinstance(item, TableBuilder):
                item.grants = kept
            else:
                store[key] = dataclasses.replace(item, grants=frozenset(kept))  # type: ignore[index]
        self.owners[ref] = new

    def _grant_store(self, ref: str) -> tuple[dict[str, Any] | None, str]:
        kind, _, key = ref.partition(":")
        if kind == "fn":
            return self.functions, key
        if kind == "ns":
            return self.namespaces, key
        for store in (self.tables, self.views, self.sequences):
            if key in store:
                return store, key
        return None, key

    def _drop_owner_grants(self) -> None:
        """Leave out every grant to the object's owner, as the catalog reader does."""
        for t in self.tables.values():
            owner = self._owner(f"rel:{t.schema}.{t.name}")
            if t.grants and owner is not None:
                t.grants = {g for g in t.grants if g.grantee != owner}
        prefixed: list[tuple[str, dict[str, Any]]] = [
            ("rel:", self.views),
            ("rel:", self.sequences),
            ("fn:", self.functions),
            ("ns:", self.namespaces),
        ]
        for prefix, store in prefixed:
            for key, item in list(store.items()):
                owner = self._owner(prefix + key)
                if item.grants and any(g.grantee == owner for g in item.grants):
                    kept = frozenset(g for g in item.grants if g.grantee != owner)
                    store[key] = dataclasses.replace(item, grants=kept)

    def _origin(self, location: int | None = None) -> Origin:
        off = self.stmt_offset if location is None else location + self.base
        if self.lines is None:
            return Origin(file=self.file)
        line, col = self.lines.at(off)
        return Origin(file=self.file, line=line, col=col)

    def _once(self, kind: str, defined: Mapping[str, Any], key: str) -> None:
        """A second definition of one object is an error naming both places, as the server's
        "already exists" is (a file or folder would otherwise silently keep the later one)."""
        first = defined.get(key)
        if first is None:
            return
        o = self._origin()
        raise ParseError(
            f"{kind} {key} is defined twice; the first definition is at {first.origin}",
            file=o.file,
            line=o.line,
            col=o.col,
        )

    def _warn(self, message: str, location: int | None = None) -> None:
        o = self._origin(location)
        self.warn(Diagnostic(message, file=o.file, line=o.line, col=o.col))

    def _qual(self, rv: Tree) -> tuple[str, str]:
        return rv.get("schemaname") or self.search_path, rv["relname"]

    def _qual_names(self, names: list[str]) -> tuple[str, str]:
        if len(names) >= 2:
            return names[-2], names[-1]
        return self.search_path, names[0]

    def _expr(self, tree: Tree, kind: str | None = None) -> Expr:
        # Deparsing costs ~0.3 ms an expression; defer it until someone reads the text. The tree
        # is kept as compact JSON without source positions: it compares as a string, and costs
        # a fifth of the memory of the dicts (a 50 MB schema holds hundreds of thousands).
        key = json.dumps((kind, without_locations(tree)), separators=(",", ":"), sort_keys=True)
        return Expr(
            thunk=functools.partial(_deparse_key, key),
            dialect="postgres",
            schema=self.search_path,
            tree=key,
        )

    def _default(self, tree: Tree, dtype: DataType | None) -> Expr | None:
        """A column default; ``DEFAULT NULL`` (cast or not) is no default, as the server stores
        it — except on a domain-typed column, where it overrides the domain's default."""
        if is_null_constant(tree) and (dtype is None or dtype.name not in self.domains):
            return None
        return self._expr(self._stored_constant(tree, dtype))

    def _stored_constant(self, tree: Tree, dtype: DataType | None) -> Tree:
        """A string constant (bare, or cast to ``dtype`` itself) as the server stores it for
        a value of ``dtype``: ``'t'`` of a boolean is ``true``, ``'2020-01-01 10:00+02'`` of
        a timestamptz ``'2020-01-01 08:00:00+00'``, ``'{1, 2}'`` of an int[] ``'{1,2}'`` ..."""
        while dtype is not None and dtype.name in self.domains and not dtype.array_dims:
            dtype = self.domains[dtype.name].type
        if dtype is None:
            return tree
        node = tree
        if "TypeCast" in node:
            cast = node["TypeCast"]
            ctype = self._type(cast["typeName"])[0]
            if (ctype.name, ctype.array_dims) != (dtype.name, dtype.array_dims):
                return tree
            node = cast.get("arg") or {}
        const = node.get("A_Const")
        if not isinstance(const, dict) or const.get("isnull"):
            return tree
        if "sval" not in const:  # a number is a constant of its own type (the normaliser
            return tree  # compares numeric constants by value: 1e3 and 1000)
        out = _stored_text(str(const["sval"].get("sval", "")), dtype)
        if out is None:
            return tree
        if isinstance(out, bool):
            return {"A_Const": {"boolval": {"boolval": True} if out else {}}}
        return {"A_Const": {"sval": {"sval": out}}}

    def _take_rel(self, schema: str, name: str) -> None:
        self.rel_names.setdefault(schema, set()).add(name)

    def _type(self, tn: Tree) -> tuple[DataType, str | None]:
        """A TypeName as a canonical DataType; second value: the serial kind, if any."""
        names = _names(tn.get("names"))
        dims = 1 if tn.get("arrayBounds") else 0
        args: list[int | str] = []
        for m in tn.get("typmods") or ():
            v = m.get("A_Const")
            if v is not None and "ival" in v:
                args.append(int(v["ival"].get("ival", 0)))
            elif v is not None and "sval" in v:  # modifiers of extension types: case-blind
                args.append(v["sval"]["sval"].lower())
            elif "ColumnRef" in m:
                args.append(".".join(_names(m["ColumnRef"]["fields"])).lower())
            else:
                args.append(deparse(m))
        raw = ".".join(names) + (f"({','.join(map(str, args))})" if args else "") + "[]" * dims
        if len(names) == 1 and names[0].lower() in SERIAL_TYPES and not dims:
            return DataType(name=SERIAL_TYPES[names[0].lower()], raw=raw), names[0].lower()
        if names[0] == "pg_catalog" and len(names) == 2:
            name = canonical_type_name(names[1])
        elif len(names) == 1 and names[0].lower() in CANONICAL_TYPES:
            name = canonical_type_name(names[0])
        elif len(names) == 1 and names[0] in BUILTIN_TYPES and not self._shadowed(names[0]):
            name = names[0]
        else:
            schema, tname = self._qual_names(names)
            name = f"{schema}.{tname}"
        if name == "interval" and args:
            args = []  # interval field restrictions: not modelled
        return DataType(name=name, args=tuple(args), array_dims=dims, raw=raw), None

    def _shadowed(self, type_name: str) -> bool:
        """Whether an unqualified built-in type name means the file's own type instead: only
        where the search path names pg_catalog after the schema that type is in."""
        if self.catalog_first:
            return False
        key = f"{self.search_path}.{type_name}"
        return key in self.enums or key in self.domains or key in self.composites

    def _function_key(self, owa: Tree) -> str:
        """The model key ``schema.name(argtypes)`` of a function named with its arguments."""
        schema, name = self._qual_names(_names(owa["objname"]))
        argtypes = [
            arg_type(self._type(a["TypeName"])[0])
            for a in owa.get("objargs") or ()
            if "TypeName" in a
        ]
        return f"{schema}.{name}({', '.join(argtypes)})"

    def _table(self, rv: Tree) -> TableBuilder:
        key = "{}.{}".format(*self._qual(rv))
        try:
            return self.tables[key]
        except KeyError:
            raise KeyError(f"table {key} is not defined") from None

    def _collation(self, names: Iterable[Any] | None) -> str | None:
        """A COLLATE clause's collation as the catalog reader names it: unqualified in
        pg_catalog, ``schema.name`` for the file's own (an unqualified name is one of the
        file's when the search path's schema has it); ``default`` (the database's collation,
        which every collatable type has) is no collation."""
        parts = _names(names)
        if len(parts) == 2 and parts[0] == "pg_catalog":
            parts = parts[1:]
        if not parts or parts == ["default"]:
            return None
        key = self._collation_key(parts)
        return key if key is not None else ".".join(parts)

    def _collation_key(self, parts: list[str]) -> str | None:
        """The key of the file's own collation a written name finds, or None (the server's)."""
        candidates = [".".join(parts)] if len(parts) > 1 else [f"{self.search_path}.{parts[0]}"]
        return next((k for k in candidates if k in self.collations), None)

    def _seq_options(self, opts: Iterable[Tree], base: dict[str, Any]) -> dict[str, Any]:
        for o in opts:
            d = o["DefElem"]
            n = d["defname"]
            arg = d.get("arg")
            if n == "as":
                base["type"] = self._type(arg["TypeName"])[0]
            elif n in ("start", "increment", "cache"):
                base[n] = int_value(arg)
            elif n == "minvalue":
                base["min_value"] = int_value(arg) if arg else None
            elif n == "maxvalue":
                base["max_value"] = int_value(arg) if arg else None
            elif n == "cycle":
                base["cycle"] = bool_value(arg)
            elif n == "owned_by":
                names = _names(arg["List"]["items"]) if "List" in arg else _names(arg)
                base["owned_by"] = (
                    None
                    if names == ["none"]
                    else (
                        ".".join(names)
                        if len(names) == 3
                        else f"{self.search_path}." + ".".join(names)
                    )
                )
        return base

    @staticmethod
    def _seq_defaults(fields: dict[str, Any]) -> dict[str, Any]:
        """Canonical sequence options: defaults spelled as None / 1, like the catalog reader."""
        tname = fields["type"].name if "type" in fields else "bigint"
        lo, hi = TYPE_RANGE.get(tname, TYPE_RANGE["bigint"])
        inc = int(fields.get("increment") or 1)
        default_min, default_max = (1, hi) if inc > 0 else (lo, -1)
        if fields.get("min_value") == default_min:
            fields["min_value"] = None
        if fields.get("max_value") == default_max:
            fields["max_value"] = None
        if fields.get("start") is None:
            fields.pop("start", None)
            start = fields.get("min_value") or (default_min if inc > 0 else default_max)
            fields["start"] = start
        return fields

    def _reloptions(self, options: list[Tree] | Tree | None) -> list[str]:
        """Storage parameters as ``name=value`` in the spelling both readers share
        (:func:`canonical_reloption`). ``OIDS = false`` (still accepted, meaning nothing since
        PostgreSQL 12) is left out, as the server leaves it out."""
        items: list[Tree] = (
            options.get("List", {}).get("items", [])  # ALTER ... SET/RESET (...): a List node
            if isinstance(options, dict)
            else options or []
        )
        out = []
        for o in items:
            d = o["DefElem"]
            arg = d.get("arg")
            if arg is None:
                val = "true"
            elif "Float" in arg:  # the number as written: 0.1 stays 0.1, not int("0.1")
                val = str(arg["Float"].get("fval", "0"))
            else:
                val = str(int_value(arg))
            prefix = f"{d['defnamespace']}." if d.get("defnamespace") else ""
            option = canonical_reloption(f"{prefix}{d['defname']}={val}")
            if option != "oids=false":
                out.append(option)
        return out

    def _release(self, schema: str, *names: str) -> None:
        """Names of dropped relations or constraints: the server may choose them again."""
        for taken in (self.rel_names.get(schema), self.con_names.get(schema)):
            if taken is not None:
                taken.difference_update(names)

    def _renamed(self, schema: str, old: str, new: str) -> None:
        """A relation's or constraint's name taken in place of its old one."""
        for taken in (self.rel_names.get(schema), self.con_names.get(schema)):
            if taken is not None and old in taken:
                taken.discard(old)
                taken.add(new)

    def _named_stores(self) -> dict[str, dict[str, Any]]:
        """Objects keyed ``schema.table.name``, by their object type."""
        return {
            "OBJECT_TRIGGER": self.triggers,
            "OBJECT_POLICY": self.policies,
            "OBJECT_RULE": self.rules,
        }


def _deparse_key(key: str) -> str:
    kind, tree = json.loads(key)
    return deparse(tree, kind)
