"""PostgreSQL DDL text -> Schema, with pglast (PostgreSQL's own parser).

Reads plain DDL, pg_dump output and Rails ``structure.sql``. Statements that are not schema
(INSERT, COPY data, SELECT set_config ...) and psql meta-commands are skipped; an unknown
statement kind is a warning, never an error. The reader applies each statement to a mutable
builder the way the server would (serial expansion, default constraint names, ALTER TABLE,
ATTACH PARTITION, COMMENT ON, GRANT ...) and freezes the result into the model.

Speed: the file is split into statements with pglast's scanner, non-schema statements are blanked
out (offsets kept), and the rest is parsed once into libpg_query's JSON — plain dicts are about
five times cheaper to build than pglast Nodes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pglast import parser
from pglast.parser import ParseError as PglastParseError

from dbdesign.dialects.postgres import (
    BUILTIN_EXTENSIONS,
    BUILTIN_OPCLASSES,
    BUILTIN_TYPES,
    CANONICAL_TYPES,
    DEFAULT_OWNER,
    PUBLIC_SCHEMA_OWNER,
    SERIAL_TYPES,
    TYPE_RANGE,
    UNTOASTED_TYPES,
    canonical_encoding,
    canonical_reloption,
    canonical_type_name,
    choose_name,
    regclass_literal,
)
from dbdesign.errors import Diagnostic, ParseError
from dbdesign.model import (
    Argument,
    Check,
    Collation,
    Column,
    CompositeType,
    Database,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    ExclusionElement,
    Expr,
    Extension,
    ForeignKey,
    FrozenMap,
    Function,
    Generated,
    Grant,
    Identity,
    Index,
    IndexElement,
    Namespace,
    Origin,
    PartitionBy,
    Policy,
    PrimaryKey,
    Rule,
    Schema,
    Sequence,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.readers.ddl.pgast import deparse, is_null_constant
from dbdesign.readers.ddl.pgast import names as _names
from dbdesign.readers.ddl.pgcoerce import _Coercer, _stored_text
from dbdesign.readers.ddl.pgcollation import collation_from_define
from dbdesign.readers.ddl.pgrename import ColumnRename
from dbdesign.readers.ddl.pgsource import Lines, blank_non_schema, chunks

Warn = Callable[[Diagnostic], None]
Tree = dict[str, Any]

_SILENT_STMTS = frozenset(
    {
        "AlterOwnerStmt",
        "DropdbStmt",
        "AlterDatabaseStmt",
        "AlterDatabaseSetStmt",
        "AlterDefaultPrivilegesStmt",
        "CreateRoleStmt",
        "AlterRoleStmt",
        "AlterRoleSetStmt",
        "DropRoleStmt",
        "GrantRoleStmt",
        "TransactionStmt",
        "SelectStmt",
        "InsertStmt",
        "CopyStmt",
        "UpdateStmt",
        "DeleteStmt",
        "VacuumStmt",
        "ExplainStmt",
        "CheckPointStmt",
        "LockStmt",
        "NotifyStmt",
        "ListenStmt",
        "UnlistenStmt",
        "DiscardStmt",
        "VariableShowStmt",
        "DeallocateStmt",
        "PrepareStmt",
        "ExecuteStmt",
        "ReindexStmt",
        "ClusterStmt",
        "TruncateStmt",
        "AlterSystemStmt",
        "CreateTableSpaceStmt",
        "SecLabelStmt",
        "AlterCollationStmt",
        "CreatePublicationStmt",
        "CreateSubscriptionStmt",
        "AlterPublicationStmt",
        "AlterSubscriptionStmt",
    }
)

_FK_ACTIONS = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
_FK_MATCH = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}
_ALL_PRIVILEGES = {
    "OBJECT_TABLE": ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"),
    "OBJECT_SEQUENCE": ("USAGE", "SELECT", "UPDATE"),
    "OBJECT_SCHEMA": ("USAGE", "CREATE"),
    "OBJECT_FUNCTION": ("EXECUTE",),
    "OBJECT_PROCEDURE": ("EXECUTE",),
    "OBJECT_ROUTINE": ("EXECUTE",),
    "OBJECT_TYPE": ("USAGE",),
    "OBJECT_DOMAIN": ("USAGE",),
}


def _kind(node: Any) -> str:
    kind: str = next(iter(node))
    return kind


def _int_value(node: Tree) -> int | str | None:
    """Value of a DefElem argument or A_Const: Integer, Float (big numbers) or String."""
    if "A_Const" in node:  # {"A_Const": {"ival": {...}}} holds the same values, keyed by kind
        c = node["A_Const"]
        kinds = {"ival": "Integer", "fval": "Float", "sval": "String"}
        node = next(({kinds[k]: c[k]} for k in kinds if k in c), {})
    if "Integer" in node:
        return int(node["Integer"].get("ival", 0))
    if "Float" in node:
        return int(node["Float"]["fval"])
    if "String" in node:
        return str(node["String"]["sval"])
    if "TypeName" in node:
        return deparse(node)
    return None


# ----------------------------------------------------------------------------------- builder


@dataclasses.dataclass
class _TableB:
    schema: str
    name: str
    columns: list[Column] = dataclasses.field(default_factory=list)
    primary_key: PrimaryKey | None = None
    foreign_keys: dict[str, ForeignKey] = dataclasses.field(default_factory=dict)
    uniques: dict[str, Unique] = dataclasses.field(default_factory=dict)
    checks: dict[str, Check] = dataclasses.field(default_factory=dict)
    exclusions: dict[str, Exclusion] = dataclasses.field(default_factory=dict)
    partition_by: PartitionBy | None = None
    partition_of: str | None = None
    partition_bound: Expr | None = None
    inherits: tuple[str, ...] = ()
    unlogged: bool = False
    rls_enabled: bool = False
    rls_forced: bool = False
    options: tuple[str, ...] = ()
    grants: set[Grant] = dataclasses.field(default_factory=set)
    comment: str | None = None
    origin: Origin | None = None
    toasted: bool = False  # has a TOAST table (keeps toast.* storage parameters)
    # FKs written without a column list reference the target's primary key: resolved at the end.
    pending_fk_refs: dict[str, str] = dataclasses.field(default_factory=dict)

    def constraint_maps(self) -> list[dict[str, Any]]:
        """The named constraints, one map per kind (names are unique across them)."""
        return [self.foreign_keys, self.uniques, self.checks, self.exclusions]

    def col_index(self, column: str) -> int:
        for i, c in enumerate(self.columns):
            if c.name == column:
                return i
        raise KeyError(column)

    def set_col(self, column: str, **changes: Any) -> None:
        i = self.col_index(column)
        self.columns[i] = dataclasses.replace(self.columns[i], **changes)

    def freeze(self) -> Table:
        return Table(
            schema=self.schema,
            name=self.name,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            foreign_keys=FrozenMap(self.foreign_keys),
            uniques=FrozenMap(self.uniques),
            checks=FrozenMap(self.checks),
            exclusions=FrozenMap(self.exclusions),
            partition_by=self.partition_by,
            partition_of=self.partition_of,
            partition_bound=self.partition_bound,
            inherits=self.inherits,
            unlogged=self.unlogged,
            rls_enabled=self.rls_enabled,
            rls_forced=self.rls_forced,
            options=self.options,
            grants=frozenset(self.grants) if self.grants else _NO_GRANTS,
            comment=self.comment,
            origin=self.origin,
        )


_NO_GRANTS: frozenset[Grant] = frozenset()


class PostgresDdlReader:
    """Apply PostgreSQL DDL statements to a schema under construction."""

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
        self.tables: dict[str, _TableB] = {}
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
        self.database: Database | None = None  # the first CREATE DATABASE
        # Names taken per schema: relations (tables, indexes, sequences ...) and constraints.
        self.rel_names: dict[str, set[str]] = {}
        self.con_names: dict[str, set[str]] = {}
        # Functions named without a schema: if the file does not define them, they are built-in.
        self.unqualified_calls: set[tuple[str, str]] = set()
        self.file: str | None = None
        self.lines: Lines | None = None
        self.stmt_offset = 0
        self.base = 0  # byte offset of the chunk being parsed in the file's text

    # ------------------------------------------------------------------ entry points
    def feed(
        self, text: str, file: str | None = None, progress: Callable[[int], None] | None = None
    ) -> None:
        """Read one file's text (statements apply in order, on top of what was read before).

        A large text is parsed a chunk of statements at a time, so the parse tree of a 50 MB
        dump is never held whole; ``progress`` is called with the characters read so far."""
        self.file = file
        cleaned = blank_non_schema(text)
        self.lines = Lines(text)
        base_bytes = 0
        for start, chunk in chunks(cleaned):
            self.base = base_bytes
            try:
                stmts = json.loads(parser.parse_sql_json(chunk)).get("stmts", [])
            except PglastParseError as e:
                raise self._parse_error(e, cleaned, start) from None
            self._apply(stmts)
            del stmts
            base_bytes += len(chunk.encode()) if not chunk.isascii() else len(chunk)
            if progress is not None:
                progress(start + len(chunk))

    def _apply(self, stmts: list[Tree]) -> None:
        for raw in stmts:
            self.stmt_offset = raw.get("stmt_location", 0) + self.base
            stmt = raw.get("stmt")
            if not stmt:
                continue
            kind = _kind(stmt)
            handler = getattr(self, f"_on_{kind}", None)
            if handler is not None:
                try:
                    handler(stmt[kind])
                except (KeyError, ValueError, IndexError, TypeError) as e:
                    self._warn(f"could not apply {kind}: {type(e).__name__}: {e}")
            elif kind not in _SILENT_STMTS:
                self._warn(f"statement {kind} is not part of the schema model; skipped")

    def result(self, source: str | None = None) -> Schema:
        self._drop_owner_grants()
        defined = {(f.schema, f.name) for f in self.functions.values()}
        for key, trig in list(self.triggers.items()):
            fschema, _, fname = trig.function.partition(".")
            if (fschema, fname) in self.unqualified_calls and (fschema, fname) not in defined:
                self.triggers[key] = dataclasses.replace(trig, function=f"pg_catalog.{fname}")
        for t in self.tables.values():
            for name, ref in t.pending_fk_refs.items():
                target = self.tables.get(ref)
                fk = t.foreign_keys.get(name)
                if fk is not None and target is not None and target.primary_key is not None:
                    t.foreign_keys[name] = dataclasses.replace(
                        fk, ref_columns=target.primary_key.columns
                    )
        return Schema(
            dialect="postgres",
            namespaces=FrozenMap(self.namespaces),
            extensions=FrozenMap(self.extensions),
            collations=FrozenMap(self.collations),
            tables=FrozenMap((k, t.freeze()) for k, t in self.tables.items()),
            views=FrozenMap(self.views),
            indexes=FrozenMap(self.indexes),
            sequences=FrozenMap(self.sequences),
            enums=FrozenMap(self.enums),
            domains=FrozenMap(self.domains),
            composite_types=FrozenMap(self.composites),
            functions=FrozenMap(self.functions),
            triggers=FrozenMap(self.triggers),
            rules=FrozenMap(self.rules),
            policies=FrozenMap(self.policies),
            database=self.database,
            source=source,
        )

    # ------------------------------------------------------------------ owners
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
        role = _role(spec)
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
            if isinstance(item, _TableB):
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

    def _on_AlterOwnerStmt(self, s: Tree) -> None:
        kind = s.get("objectType")
        obj = s.get("object") or {}
        if kind in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE", "OBJECT_AGGREGATE"):
            self._change_owner("fn:" + self._function_key(obj["ObjectWithArgs"]), s["newowner"])
        elif kind == "OBJECT_SCHEMA":
            self._change_owner("ns:" + obj["String"]["sval"], s["newowner"])

    # ------------------------------------------------------------------ helpers
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

    def _parse_error(self, e: PglastParseError, text: str, start: int = 0) -> ParseError:
        # pglast reports the 0-based character offset of the offending token in args[1].
        pos = int(e.args[1]) if len(e.args) > 1 and isinstance(e.args[1], int) else 0
        pos += start
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        msg = str(e.args[0]) if e.args else str(e)
        return ParseError(msg, file=self.file or "<input>", line=line, col=col)

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
        key = json.dumps((kind, _without_locations(tree)), separators=(",", ":"), sort_keys=True)
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
            _arg_type(self._type(a["TypeName"])[0])
            for a in owa.get("objargs") or ()
            if "TypeName" in a
        ]
        return f"{schema}.{name}({', '.join(argtypes)})"

    def _table(self, rv: Tree) -> _TableB:
        key = "{}.{}".format(*self._qual(rv))
        try:
            return self.tables[key]
        except KeyError:
            raise KeyError(f"table {key} is not defined") from None

    # ------------------------------------------------------------------ statements
    def _on_VariableSetStmt(self, s: Tree) -> None:
        if s.get("name") in ("role", "session_authorization"):
            args = [str(_int_value(a)) for a in s.get("args") or ()]
            role = args[0] if s.get("kind") == "VAR_SET_VALUE" and args else None
            self.session_owner = None if role in (None, "none") else role
            return
        if s.get("name") == "search_path" and s.get("kind") == "VAR_SET_VALUE":
            vals = [str(_int_value(a)) for a in s.get("args", [])]
            first = next((v for v in vals if v and v != "$user"), None)
            self.search_path = first or "public"
            self.catalog_first = (
                "pg_catalog" not in vals
                or first is None
                or vals.index("pg_catalog") < vals.index(first)
            )
        elif s.get("name") == "search_path" and s.get("kind") in ("VAR_SET_DEFAULT", "VAR_RESET"):
            self.search_path = "public"
            self.catalog_first = True

    def _on_CreatedbStmt(self, s: Tree) -> None:
        """CREATE DATABASE (pg_dump --create writes one): the database's name and encoding.

        ``SET client_encoding`` is not the database's encoding (it is the session's, and
        pg_dump -E chooses it), so only ``ENCODING`` here sets it; without one the encoding
        comes from the template and is unknown. A file that creates several databases is
        described by the first (a warning names the others).
        """
        encoding: str | None = None
        for opt in s.get("options") or ():
            d = opt.get("DefElem", {})
            if d.get("defname") == "encoding" and d.get("arg") is not None:
                value = _int_value(d["arg"])
                if value is not None:
                    encoding = canonical_encoding(value)
        name = s["dbname"]
        if self.database is None:
            self.database = Database(name=name, encoding=encoding, origin=self._origin())
        elif name != self.database.name:
            self._warn(
                f"the file creates several databases; the model describes the first, "
                f"{self.database.name}, not {name}"
            )

    def _on_CreateSchemaStmt(self, s: Tree) -> None:
        name = s.get("schemaname") or (s.get("authrole") or {}).get("rolename")
        if name and name not in self.namespaces:
            self.namespaces[name] = Namespace(name=name, origin=self._origin())
            self._created(f"ns:{name}")
            if s.get("authrole"):
                owner = self._role_name(s["authrole"])
                if owner is not None:
                    self.owners[f"ns:{name}"] = owner
        for elt in s.get("schemaElts") or ():
            k = _kind(elt)
            saved = self.search_path
            self.search_path = name or saved
            getattr(self, f"_on_{k}", lambda _s: None)(elt[k])
            self.search_path = saved

    def _on_CreateExtensionStmt(self, s: Tree) -> None:
        if s["extname"] in BUILTIN_EXTENSIONS:
            return
        schema = None
        version = None
        for o in s.get("options") or ():
            d = o["DefElem"]
            if d["defname"] == "schema":
                schema = str(_int_value(d["arg"]))
            elif d["defname"] == "new_version":
                version = str(_int_value(d["arg"]))
        self.extensions[s["extname"]] = Extension(
            name=s["extname"],
            schema=schema or self.search_path,
            version=version,
            origin=self._origin(),
        )

    def _on_CreateEnumStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        self._once("type", self.enums, f"{schema}.{name}")
        self.enums[f"{schema}.{name}"] = EnumType(
            schema=schema, name=name, values=tuple(_names(s.get("vals"))), origin=self._origin()
        )

    def _on_AlterEnumStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        e = self.enums[f"{schema}.{name}"]
        values = list(e.values)
        if s.get("oldVal"):
            values[values.index(s["oldVal"])] = s["newVal"]
        elif s["newVal"] not in values:
            neighbour = s.get("newValNeighbor")
            if neighbour:
                i = values.index(neighbour) + (1 if s.get("newValIsAfter") else 0)
                values.insert(i, s["newVal"])
            else:
                values.append(s["newVal"])
        self.enums[e.key] = dataclasses.replace(e, values=tuple(values))

    def _on_CreateDomainStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["domainname"]))
        self._once("domain", self.domains, f"{schema}.{name}")
        dtype, _ = self._type(s["typeName"])
        nullable, default, checks = True, None, {}
        taken = self.con_names.setdefault(schema, set())
        for c in s.get("constraints") or ():
            con = c["Constraint"]
            ct = con["contype"]
            if ct == "CONSTR_NOTNULL":
                nullable = False
            elif ct == "CONSTR_DEFAULT":
                default = self._expr(con["raw_expr"])
            elif ct == "CONSTR_CHECK":
                cname = con.get("conname") or choose_name(name, None, "check", taken)
                taken.add(cname)
                checks[cname] = Check(
                    name=cname,
                    expr=self._expr(con["raw_expr"]),
                    validated=not con.get("skip_validation", False),
                )
        collation = self._collation(s["collClause"]["collname"]) if s.get("collClause") else None
        self.domains[f"{schema}.{name}"] = Domain(
            schema=schema,
            name=name,
            type=dtype,
            nullable=nullable,
            default=default,
            collation=collation,
            checks=FrozenMap(checks),
            origin=self._origin(),
        )

    def _on_AlterDomainStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        d = self.domains[f"{schema}.{name}"]
        kind = s.get("subtype")
        checks = dict(d.checks)
        if kind == "C":  # ADD CONSTRAINT
            con = s["def"]["Constraint"]
            if con["contype"] == "CONSTR_NOTNULL":
                self.domains[d.key] = dataclasses.replace(d, nullable=False)
                return
            taken = self.con_names.setdefault(schema, set())
            cname = con.get("conname") or choose_name(name, None, "check", taken)
            taken.add(cname)
            checks[cname] = Check(
                name=cname,
                expr=self._expr(con["raw_expr"]),
                validated=not con.get("skip_validation", False),
            )
        elif kind == "X":  # DROP CONSTRAINT
            checks.pop(s.get("name", ""), None)
        elif kind == "V":  # VALIDATE CONSTRAINT
            if s.get("name") in checks:
                checks[s["name"]] = dataclasses.replace(checks[s["name"]], validated=True)
        elif kind == "T":  # SET/DROP DEFAULT
            default = self._expr(s["def"]) if s.get("def") else None
            self.domains[d.key] = dataclasses.replace(d, default=default)
            return
        elif kind in ("N", "O"):  # DROP / SET NOT NULL
            self.domains[d.key] = dataclasses.replace(d, nullable=kind == "N")
            return
        self.domains[d.key] = dataclasses.replace(d, checks=FrozenMap(checks))

    def _on_CreateRangeStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["typeName"]))
        self._warn(
            f"range type {schema}.{name} is not modelled (nor its multirange type and "
            "constructor functions); skipped"
        )

    def _on_CompositeTypeStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["typevar"])
        attrs = tuple(
            (c["ColumnDef"]["colname"], self._type(c["ColumnDef"]["typeName"])[0])
            for c in s.get("coldeflist") or ()
        )
        self._once("type", self.composites, f"{schema}.{name}")
        self.composites[f"{schema}.{name}"] = CompositeType(
            schema=schema, name=name, attributes=attrs, origin=self._origin()
        )

    def _seq_options(self, opts: Iterable[Tree], base: dict[str, Any]) -> dict[str, Any]:
        for o in opts:
            d = o["DefElem"]
            n = d["defname"]
            arg = d.get("arg")
            if n == "as":
                base["type"] = self._type(arg["TypeName"])[0]
            elif n in ("start", "increment", "cache"):
                base[n] = _int_value(arg)
            elif n == "minvalue":
                base["min_value"] = _int_value(arg) if arg else None
            elif n == "maxvalue":
                base["max_value"] = _int_value(arg) if arg else None
            elif n == "cycle":
                base["cycle"] = _bool(arg)
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

    def _on_CreateSeqStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["sequence"])
        if f"{schema}.{name}" in self.sequences and s.get("if_not_exists"):
            return
        self._once("sequence", self.sequences, f"{schema}.{name}")
        fields = self._seq_defaults(self._seq_options(s.get("options") or (), {}))
        self.sequences[f"{schema}.{name}"] = Sequence(
            schema=schema, name=name, origin=self._origin(), **fields
        )
        self._take_rel(schema, name)
        self._created(f"rel:{schema}.{name}")

    def _on_AlterSeqStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["sequence"])
        key = f"{schema}.{name}"
        seq = self.sequences[key]
        current = {
            f.name: getattr(seq, f.name)
            for f in dataclasses.fields(seq)
            if f.name not in ("schema", "name", "origin", "grants", "comment")
        }
        fields = self._seq_defaults(self._seq_options(s.get("options") or (), current))
        self.sequences[key] = dataclasses.replace(seq, **fields)

    # ---- tables
    def _on_CreateStmt(self, s: Tree) -> None:
        rv = s["relation"]
        schema, name = self._qual(rv)
        key = f"{schema}.{name}"
        if key in self.tables and s.get("if_not_exists"):
            return
        self._once("table", self.tables, key)
        t = _TableB(
            schema=schema,
            name=name,
            origin=self._origin(rv.get("location")),
            unlogged=rv.get("relpersistence") == "u",
        )
        self.tables[key] = t
        self._take_rel(schema, name)
        self._created(f"rel:{key}")
        parents = [self._table(p["RangeVar"]) for p in s.get("inhRelations") or ()]
        if s.get("partbound"):
            parent = parents[0]
            t.partition_of = f"{parent.schema}.{parent.name}"
            t.partition_bound = self._bound(s["partbound"])
            # Before PostgreSQL 17 a partition does not carry its parent's identity.
            t.columns = [dataclasses.replace(c, origin=None, identity=None) for c in parent.columns]
        elif parents:
            t.inherits = tuple(f"{p.schema}.{p.name}" for p in parents)
            for p in parents:
                for c in p.columns:
                    if not any(x.name == c.name for x in t.columns):
                        t.columns.append(dataclasses.replace(c, identity=None))
        options = self._reloptions(s.get("options"))
        constraints: list[tuple[Tree, str | None]] = []
        for elt in s.get("tableElts") or ():
            k = _kind(elt)
            if k == "ColumnDef":
                constraints.extend(self._add_column(t, elt["ColumnDef"]))
            elif k == "Constraint":
                constraints.append((elt["Constraint"], None))
            elif k == "TableLikeClause":
                src = self._table(elt["TableLikeClause"]["relation"])
                for c in src.columns:
                    t.columns.append(
                        dataclasses.replace(
                            c, default=None, identity=None, generated=None, comment=None
                        )
                    )
        if s.get("partspec"):
            t.partition_by = self._partspec(s["partspec"], t.columns)
        self._note_toast(t)
        t.options = tuple(sorted(self._toast_kept(t, options)))
        for con, col in constraints:
            # NOT VALID in CREATE TABLE is accepted and ignored: the table is empty, so the
            # server marks the constraint validated.
            self._add_constraint(t, {**con, "skip_validation": False}, col)

    def _toastable(self, dtype: DataType) -> bool:
        """Whether a column of this type may be stored out of line (gives its table a TOAST
        table): arrays and variable-length types; a domain as its base type."""
        if dtype.array_dims:
            return True
        if dtype.name in self.domains:
            return self._toastable(self.domains[dtype.name].type)
        return dtype.name not in UNTOASTED_TYPES and dtype.name not in self.enums

    def _note_toast(self, t: _TableB) -> None:
        """A (non-partitioned) table has a TOAST table once it has had a toastable column."""
        if not t.toasted and t.partition_by is None:
            t.toasted = any(self._toastable(c.type) for c in t.columns)

    @staticmethod
    def _toast_kept(t: _TableB, options: Iterable[str]) -> list[str]:
        """The options the server keeps: ``toast.*`` ones only on a table with a TOAST table
        (elsewhere they are accepted and dropped)."""
        return [o for o in options if t.toasted or not o.startswith("toast.")]

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
                val = str(_int_value(arg))
            prefix = f"{d['defnamespace']}." if d.get("defnamespace") else ""
            option = canonical_reloption(f"{prefix}{d['defname']}={val}")
            if option != "oids=false":
                out.append(option)
        return out

    def _bound(self, b: Tree) -> Expr:
        return self._expr(b, "PartitionBoundSpec")

    def _partspec(self, ps: Tree, columns: Iterable[Column]) -> PartitionBy:
        strategy = ps["strategy"].removeprefix("PARTITION_STRATEGY_")
        elems = tuple(
            self._index_elem(p["PartitionElem"], partition=True, columns=columns)
            for p in ps.get("partParams") or ()
        )
        return PartitionBy(strategy=strategy, elements=elems)

    def _add_column(self, t: _TableB, cd: Tree) -> list[tuple[Tree, str | None]]:
        name = sys.intern(cd["colname"])  # one string for every "id" of a large schema
        dtype, serial = self._type(cd["typeName"])
        nullable = True
        default: Expr | None = None
        identity: Identity | None = None
        generated: Generated | None = None
        deferred: list[tuple[Tree, str | None]] = []
        for c in cd.get("constraints") or ():
            con = c["Constraint"]
            ct = con["contype"]
            if ct == "CONSTR_NOTNULL":
                nullable = False
            elif ct == "CONSTR_NULL":
                nullable = True
            elif ct == "CONSTR_DEFAULT":
                default = self._default(con["raw_expr"], dtype)
            elif ct == "CONSTR_IDENTITY":
                opts = self._seq_defaults(
                    self._seq_options(con.get("options") or (), {"type": dtype})
                )
                identity = _identity(opts, con.get("generated_when") == "a")
                nullable = False
            elif ct == "CONSTR_GENERATED":
                generated = Generated(
                    expr=self._expr(con["raw_expr"]), stored=con.get("generated_kind", "s") != "v"
                )
            elif ct.startswith("CONSTR_ATTR_"):
                # DEFERRABLE / INITIALLY DEFERRED after a column constraint belong to it
                if deferred:
                    prev, of_column = deferred[-1]
                    attr = {
                        "CONSTR_ATTR_DEFERRABLE": {"deferrable": True},
                        "CONSTR_ATTR_NOT_DEFERRABLE": {"deferrable": False},
                        "CONSTR_ATTR_DEFERRED": {"initdeferred": True},
                        "CONSTR_ATTR_IMMEDIATE": {"initdeferred": False},
                    }.get(ct, {})
                    deferred[-1] = ({**prev, **attr}, of_column)
            else:
                if ct == "CONSTR_PRIMARY":
                    nullable = False
                deferred.append((con, name))
        if serial:
            seqname = choose_name(t.name, name, "seq", self.rel_names.setdefault(t.schema, set()))
            self._take_rel(t.schema, seqname)
            self.sequences[f"{t.schema}.{seqname}"] = Sequence(
                schema=t.schema,
                name=seqname,
                type=DataType(name=dtype.name),
                owned_by=f"{t.schema}.{t.name}.{name}",
                origin=self._origin(cd.get("location")),
            )
            default = Expr(
                f"nextval({regclass_literal(t.schema, seqname)})", "postgres", self.search_path
            )
            nullable = False
        collation = self._collation(cd["collClause"]["collname"]) if cd.get("collClause") else None
        col = Column(
            name=name,
            type=dtype,
            nullable=nullable,
            default=default,
            identity=identity,
            generated=generated,
            collation=collation,
            origin=self._origin(cd.get("location")),
        )
        existing = next((i for i, c in enumerate(t.columns) if c.name == name), None)
        if existing is None:
            t.columns.append(col)
        else:  # merged with an inherited column
            old = t.columns[existing]
            t.columns[existing] = dataclasses.replace(
                old, nullable=old.nullable and nullable, default=default or old.default
            )
        return deferred

    def _add_constraint(self, t: _TableB, con: Tree, column: str | None) -> None:
        ct = con["contype"]
        schema = t.schema
        cname: str | None = con.get("conname")
        origin = self._origin(con.get("location"))
        deferrable = bool(con.get("deferrable"))
        initdeferred = bool(con.get("initdeferred"))
        con_taken = self.con_names.setdefault(schema, set())
        rel_taken = self.rel_names.setdefault(schema, set())
        if ct == "CONSTR_PRIMARY":
            cols = tuple(_names(con.get("keys"))) or ((column,) if column else ())
            cname = cname or choose_name(t.name, None, "pkey", rel_taken)
            t.primary_key = PrimaryKey(
                name=cname,
                columns=cols,
                include=tuple(_names(con.get("including"))),
                deferrable=deferrable,
                initially_deferred=initdeferred,
                origin=origin,
            )
            for c in cols:
                t.set_col(c, nullable=False)
            rel_taken.add(cname)
            self.key_indexes[f"{schema}.{cname}"] = _key(t)
        elif ct == "CONSTR_UNIQUE":
            cols = tuple(_names(con.get("keys"))) or ((column,) if column else ())
            include = _names(con.get("including"))
            cname = cname or choose_name(
                t.name, _name_addition([*cols, *include]), "key", rel_taken
            )
            t.uniques[cname] = Unique(
                name=cname,
                columns=cols,
                include=tuple(_names(con.get("including"))),
                nulls_not_distinct=bool(con.get("nulls_not_distinct")),
                deferrable=deferrable,
                initially_deferred=initdeferred,
                origin=origin,
            )
            rel_taken.add(cname)
            self.key_indexes[f"{schema}.{cname}"] = _key(t)
        elif ct == "CONSTR_CHECK":
            expr = self._expr(self._domain_casts(con["raw_expr"], t))
            if not cname:
                refs = _column_refs(con["raw_expr"])
                cname = choose_name(t.name, refs[0] if len(refs) == 1 else None, "check", con_taken)
            t.checks[cname] = Check(
                name=cname,
                expr=expr,
                validated=not con.get("skip_validation", False),
                no_inherit=bool(con.get("is_no_inherit")),
                origin=origin,
            )
        elif ct == "CONSTR_FOREIGN":
            cols = tuple(_names(con.get("fk_attrs"))) or ((column,) if column else ())
            rschema, rname = self._qual(con["pktable"])
            ref_cols = tuple(_names(con.get("pk_attrs")))
            cname = cname or choose_name(t.name, _name_addition(list(cols)), "fkey", con_taken)
            if not ref_cols:
                target = self.tables.get(f"{rschema}.{rname}")
                if target is not None and target.primary_key is not None:
                    ref_cols = target.primary_key.columns
                else:
                    t.pending_fk_refs[cname] = f"{rschema}.{rname}"
            t.foreign_keys[cname] = ForeignKey(
                name=cname,
                columns=cols,
                ref_table=f"{rschema}.{rname}",
                ref_columns=ref_cols,
                on_delete=_FK_ACTIONS[con.get("fk_del_action", "a")],  # type: ignore[arg-type]
                on_update=_FK_ACTIONS[con.get("fk_upd_action", "a")],  # type: ignore[arg-type]
                match=_FK_MATCH[con.get("fk_matchtype", "s")],  # type: ignore[arg-type]
                deferrable=deferrable,
                initially_deferred=initdeferred,
                validated=not con.get("skip_validation", False),
                origin=origin,
            )
        elif ct == "CONSTR_EXCLUSION":
            elems = []
            colnames = []
            for pair in con.get("exclusions") or ():
                items = pair["List"]["items"] if "List" in pair else pair
                elem = self._index_elem(items[0]["IndexElem"], columns=t.columns)
                op = ".".join(_names(items[1]["List"]["items"] if "List" in items[1] else items[1]))
                elems.append(ExclusionElement(element=elem, operator=op))
                colnames.append(elem.column or _expr_colname(items[0]["IndexElem"]))
            cname = cname or choose_name(t.name, _name_addition(colnames), "excl", rel_taken)
            rel_taken.add(cname)
            self.key_indexes[f"{schema}.{cname}"] = _key(t)
            t.exclusions[cname] = Exclusion(
                name=cname,
                method=con.get("access_method") or "gist",
                elements=tuple(elems),
                include=tuple(_names(con.get("including"))),
                where=self._expr(con["where_clause"]) if con.get("where_clause") else None,
                deferrable=deferrable,
                initially_deferred=initdeferred,
                origin=origin,
            )
        else:
            self._warn(f"constraint kind {ct} is not modelled; skipped", con.get("location"))
            return
        con_taken.add(cname)

    def _on_AlterTableStmt(self, s: Tree) -> None:
        objtype = s.get("objtype", "OBJECT_TABLE")
        rv = s["relation"]
        for c in s.get("cmds") or ():
            cmd = c["AlterTableCmd"]
            sub = cmd["subtype"]
            if sub == "AT_ChangeOwner" and objtype != "OBJECT_INDEX":
                # (a sequence the table owns follows it, unless given an owner of its own)
                self._change_owner("rel:{}.{}".format(*self._qual(rv)), cmd["newowner"])
                continue
            if sub in (
                "AT_ChangeOwner",
                "AT_ClusterOn",
                "AT_ReplicaIdentity",
                "AT_SetStatistics",
                "AT_SetStorage",
                "AT_SetCompression",
            ):
                continue
            if objtype == "OBJECT_INDEX":
                self._alter_index(rv, sub, cmd)
                continue
            if objtype == "OBJECT_SEQUENCE":
                continue  # ALTER SEQUENCE via ALTER TABLE: owner and the like
            key = "{}.{}".format(*self._qual(rv))
            if key not in self.tables:
                if s.get("missing_ok"):
                    return
                if key in self.views:
                    if sub in ("AT_SetRelOptions", "AT_ResetRelOptions"):
                        self._alter_view_options(self.views[key], sub, cmd.get("def"))
                    continue  # ALTER VIEW ... owner, defaults: not modelled
                raise KeyError(f"table {key} is not defined")
            self._alter_table(self.tables[key], sub, cmd, only=not rv.get("inh"))

    def _alter_view_options(self, v: View, sub: str, d: Tree | None) -> None:
        """ALTER VIEW ... SET/RESET (...): options, check_option among them."""
        opts = {o.partition("=")[0]: o for o in v.options}
        if v.check_option is not None:
            opts["check_option"] = f"check_option={v.check_option.lower()}"
        for o in self._reloptions(d):
            key = o.partition("=")[0]
            if sub == "AT_SetRelOptions":
                opts[key] = o
            else:
                opts.pop(key, None)
        check = opts.pop("check_option", None)
        self.views[v.key] = dataclasses.replace(
            v,
            options=tuple(sorted(opts.values())),
            check_option=check.partition("=")[2].upper() if check else None,  # type: ignore[arg-type]
        )

    def _alter_index(self, rv: Tree, sub: str, cmd: Tree) -> None:
        if sub == "AT_AttachPartition":
            child = cmd["def"]["PartitionCmd"]["name"]
            schema, name = self._qual(child)
            self.indexes.pop(f"{schema}.{name}", None)
            # the index of a partition's key (pg_dump attaches them so): the key is inherited
            t = self.tables.get(self.key_indexes.get(f"{schema}.{name}", ""))
            if t is not None and t.partition_of is not None:
                if t.primary_key is not None and t.primary_key.name == name:
                    t.primary_key = None
                t.uniques.pop(name, None)
                t.exclusions.pop(name, None)

    def _attach_keys(self, parent: _TableB, child: _TableB) -> None:
        """The server attaches a partition's own keys, foreign keys and indexes that match its
        parent's (at ATTACH PARTITION, or when the partitioned table gains one); from then on
        they are the parent's, cloned, and the catalog reader leaves them out of the partition.
        Recurses into a partition that is itself partitioned."""
        pk, own = parent.primary_key, child.primary_key
        if (
            pk is not None
            and own is not None
            and (own.columns, own.include)
            == (
                pk.columns,
                pk.include,
            )
        ):
            child.primary_key = None
        pairs: list[tuple[dict[str, Any], Mapping[str, Any]]] = [
            (child.uniques, parent.uniques),
            (child.exclusions, parent.exclusions),
            (child.foreign_keys, parent.foreign_keys),
        ]
        for coll, parent_coll in pairs:
            for cname, con in list(coll.items()):
                if any(_same_but_name(con, p) for p in parent_coll.values()):
                    del coll[cname]
        if _key(parent) in self.indexed_parents:  # (a scan of every index: only if need be)
            parent_indexes = [i for i in self.indexes.values() if i.table_key == _key(parent)]
            for ikey, ix in list(self.indexes.items()):
                if ix.table_key == _key(child) and any(
                    _same_but_name(dataclasses.replace(ix, table=p.table), p)
                    for p in parent_indexes
                ):
                    del self.indexes[ikey]
        if child.partition_by is not None:
            for grandchild in self._partitions(child):
                self._attach_keys(child, grandchild)

    def _partitions(self, parent: _TableB) -> list[_TableB]:
        key = _key(parent)
        return [t for t in self.tables.values() if t.partition_of == key]

    def _alter_table(self, t: _TableB, sub: str, cmd: Tree, only: bool = False) -> None:
        name: str = cmd.get("name") or ""
        d: Any = cmd.get("def")
        if sub == "AT_AddConstraint":
            self._add_constraint(t, d["Constraint"], None)
            if not only and t.partition_by is not None:
                for child in self._partitions(t):
                    self._attach_keys(t, child)
        elif sub == "AT_ColumnDefault":
            dtype = next((c.type for c in t.columns if c.name == name), None)
            t.set_col(name, default=self._default(d, dtype) if d else None)
        elif sub == "AT_AddColumn":
            for con, col in self._add_column(t, d["ColumnDef"]):
                self._add_constraint(t, con, col)
            self._note_toast(t)
        elif sub == "AT_DropColumn":
            t.columns = [c for c in t.columns if c.name != name]
        elif sub == "AT_SetNotNull":
            t.set_col(name, nullable=False)
        elif sub == "AT_DropNotNull":
            t.set_col(name, nullable=True)
        elif sub == "AT_AlterColumnType":
            t.set_col(name, type=self._type(d["ColumnDef"]["typeName"])[0])
            self._note_toast(t)
        elif sub == "AT_AttachPartition":
            pc = d["PartitionCmd"]
            child = self._table(pc["name"])
            child.partition_of = f"{t.schema}.{t.name}"
            child.partition_bound = self._bound(pc["bound"])
            self._attach_keys(t, child)
        elif sub == "AT_DetachPartition":
            child = self._table(d["PartitionCmd"]["name"])
            child.partition_of = None
            child.partition_bound = None
        elif sub == "AT_EnableRowSecurity":
            t.rls_enabled = True
        elif sub == "AT_DisableRowSecurity":
            t.rls_enabled = False
        elif sub == "AT_ForceRowSecurity":
            t.rls_forced = True
        elif sub == "AT_NoForceRowSecurity":
            t.rls_forced = False
        elif sub == "AT_DropConstraint":
            for coll in t.constraint_maps():
                coll.pop(name, None)
            if t.primary_key is not None and t.primary_key.name == name:
                t.primary_key = None
        elif sub == "AT_ValidateConstraint":
            validatable: list[dict[str, Any]] = [t.foreign_keys, t.checks]
            for coll in validatable:
                if name in coll:
                    coll[name] = dataclasses.replace(coll[name], validated=True)
        elif sub == "AT_AddIdentity":
            con = d["Constraint"]
            column = t.columns[t.col_index(name)]
            opts = self._seq_defaults(
                self._seq_options(con.get("options") or (), {"type": column.type})
            )
            t.set_col(
                name, identity=_identity(opts, con.get("generated_when") == "a"), nullable=False
            )
        elif sub == "AT_DropIdentity":
            t.set_col(name, identity=None)
        elif sub == "AT_SetRelOptions":
            reloptions = dict(o.partition("=")[::2] for o in t.options)
            reloptions.update(
                o.partition("=")[::2] for o in self._toast_kept(t, self._reloptions(d))
            )
            t.options = tuple(sorted(f"{k}={v}" for k, v in reloptions.items()))
        elif sub == "AT_ResetRelOptions":
            drop = {o.split("=", 1)[0] for o in self._reloptions(d)}
            t.options = tuple(o for o in t.options if o.split("=", 1)[0] not in drop)
        elif sub == "AT_AddInherit":
            parent = self._table(d["RangeVar"])
            t.inherits = (*t.inherits, f"{parent.schema}.{parent.name}")
        elif sub in (
            "AT_EnableTrig",
            "AT_DisableTrig",
            "AT_EnableAlwaysTrig",
            "AT_EnableReplicaTrig",
        ):
            key = f"{t.schema}.{t.name}.{name}"
            state = {
                "AT_EnableTrig": "O",
                "AT_DisableTrig": "D",
                "AT_EnableAlwaysTrig": "A",
                "AT_EnableReplicaTrig": "R",
            }[sub]
            if key in self.triggers:
                self.triggers[key] = dataclasses.replace(self.triggers[key], enabled=state)
        else:
            self._warn(f"ALTER TABLE {sub.removeprefix('AT_')} is not modelled; skipped")

    # ---- indexes
    def _index_elem(
        self, e: Tree, partition: bool = False, columns: Iterable[Column] = ()
    ) -> IndexElement:
        expr = e.get("expr")
        ordering = e.get("ordering", "SORTBY_DEFAULT")
        nulls = e.get("nulls_ordering", "SORTBY_NULLS_DEFAULT")
        names = _names(e.get("opclass"))
        opclass = ".".join(names) or None
        if opclass:
            opclass = opclass.removeprefix("pg_catalog.")
            if len(names) == 1 and opclass not in BUILTIN_OPCLASSES:
                opclass = f"{self.search_path}.{opclass}"  # an extension's, as the server resolves
        collation = self._collation(e.get("collation"))
        col = next((c for c in columns if c.name == e.get("name")), None)
        if col is not None:
            # the catalog shows an element's collation only where it is not the column's own
            domain = None if col.type.array_dims else self.domains.get(col.type.name)
            own = col.collation or (domain.collation if domain else None)
            if collation is None and _names(e.get("collation")):  # COLLATE "default"
                collation = "default" if own is not None else None
            elif collation is not None and collation == own:
                collation = None
        return IndexElement(
            column=e.get("name"),
            expr=self._expr(expr) if expr is not None else None,
            opclass=opclass,
            collation=collation,
            descending=ordering == "SORTBY_DESC",
            nulls_first=None if nulls == "SORTBY_NULLS_DEFAULT" else nulls == "SORTBY_NULLS_FIRST",
        )

    def _on_IndexStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["relation"])
        target = self.tables.get(f"{schema}.{table}")
        elems = [
            self._index_elem(p["IndexElem"], columns=target.columns if target else ())
            for p in s.get("indexParams") or ()
        ]
        name = s.get("idxname")
        if not name:
            cols = [
                p["IndexElem"].get("name") or _expr_colname(p["IndexElem"])
                for p in (s.get("indexParams") or []) + (s.get("indexIncludingParams") or [])
            ]
            name = choose_name(
                table, _name_addition(cols), "idx", self.rel_names.setdefault(schema, set())
            )
        key = f"{schema}.{name}"
        if key in self.indexes and s.get("if_not_exists"):
            return
        self._once("index", self.indexes, key)
        self._take_rel(schema, name)
        self.indexes[key] = Index(
            name=name,
            schema=schema,
            table=table,
            elements=tuple(elems),
            include=tuple(p["IndexElem"]["name"] for p in s.get("indexIncludingParams") or ()),
            method=s.get("accessMethod", "btree"),
            unique=bool(s.get("unique")),
            nulls_not_distinct=bool(s.get("nulls_not_distinct")),
            where=(
                self._expr(
                    self._domain_casts(s["whereClause"], self.tables.get(f"{schema}.{table}"))
                )
                if s.get("whereClause")
                else None
            ),
            origin=self._origin(),
        )
        if target is not None and target.partition_by is not None:
            self.indexed_parents.add(f"{schema}.{table}")
            if s["relation"].get("inh"):  # not ON ONLY
                for child in self._partitions(target):
                    self._attach_keys(target, child)

    def _domain_casts(self, tree: Tree, table: _TableB | None) -> Tree:
        """An expression on one table (CHECK, index predicate), coerced as the server would."""
        if table is None:
            return tree
        out: Tree = _Coercer(self).expr(tree, [{"": table.columns, table.name: table.columns}])
        return out

    def _query(self, tree: Tree) -> Tree:
        """A view's query, coerced as the server would store it."""
        out: Tree = _Coercer(self).expr(tree, [])
        return out

    # ---- views
    def _on_ViewStmt(self, s: Tree) -> None:
        schema, name = self._qual(s["view"])
        opts = self._reloptions(s.get("options"))
        check = s.get("withCheckOption", "NO_CHECK_OPTION")
        check_option = {"LOCAL_CHECK_OPTION": "LOCAL", "CASCADED_CHECK_OPTION": "CASCADED"}.get(
            check
        )
        for o in list(opts):
            if o.startswith("check_option="):
                check_option = o.split("=", 1)[1].upper()
                opts.remove(o)
        if not s.get("replace"):
            self._once("view", self.views, f"{schema}.{name}")
        old = self.views.get(f"{schema}.{name}")
        view = View(
            schema=schema,
            name=name,
            query=self._expr(self._query(_name_targets(s["query"], _names(s.get("aliases"))))),
            check_option=check_option,  # type: ignore[arg-type]
            options=tuple(sorted(opts)),
            origin=self._origin(),
        )
        if old is not None:  # OR REPLACE: the same view keeps its owner, grants and comments
            view = dataclasses.replace(
                view, grants=old.grants, comment=old.comment, column_comments=old.column_comments
            )
        self.views[view.key] = view
        self._take_rel(schema, name)
        if old is None:
            self._created(f"rel:{schema}.{name}")

    def _on_CreateTableAsStmt(self, s: Tree) -> None:
        if s.get("objtype") != "OBJECT_MATVIEW":
            self._warn("CREATE TABLE AS: the resulting table's columns are not known; skipped")
            return
        into = s["into"]
        schema, name = self._qual(into["rel"])
        self.views[f"{schema}.{name}"] = View(
            schema=schema,
            name=name,
            materialized=True,
            query=self._expr(self._query(_name_targets(s["query"], _names(into.get("colNames"))))),
            options=tuple(sorted(self._reloptions(into.get("options")))),
            origin=self._origin(),
        )
        self._take_rel(schema, name)
        self._created(f"rel:{schema}.{name}")

    def _on_RefreshMatViewStmt(self, s: Tree) -> None:
        pass

    # ---- functions
    def _arg(self, p: Tree) -> Argument:
        mode = {
            "FUNC_PARAM_IN": "IN",
            "FUNC_PARAM_OUT": "OUT",
            "FUNC_PARAM_INOUT": "INOUT",
            "FUNC_PARAM_VARIADIC": "VARIADIC",
            "FUNC_PARAM_TABLE": "TABLE",
            "FUNC_PARAM_DEFAULT": "IN",
        }.get(p.get("mode", "FUNC_PARAM_IN"), "IN")
        dtype, _ = self._type(p["argType"])
        return Argument(
            name=p.get("name"),
            type=_arg_type(dtype),
            mode=mode,  # type: ignore[arg-type]
            default=self._expr(p["defexpr"]) if p.get("defexpr") else None,
        )

    def _on_CreateFunctionStmt(self, s: Tree) -> None:
        schema, name = self._qual_names(_names(s["funcname"]))
        args = tuple(self._arg(p["FunctionParameter"]) for p in s.get("parameters") or ())
        fields: dict[str, Any] = {"language": "sql", "body": ""}
        config = []
        for o in s.get("options") or ():
            d = o["DefElem"]
            n, arg = d["defname"], d.get("arg")
            if n == "as":
                parts = _names(arg["List"]["items"] if "List" in arg else arg)
                fields["body"] = parts[0] if len(parts) == 1 else ", ".join(parts)
            elif n == "language":
                fields["language"] = str(_int_value(arg)).lower()
            elif n == "volatility":
                fields["volatility"] = str(_int_value(arg)).upper()
            elif n == "strict":
                fields["strict"] = bool(_bool(arg))
            elif n == "security":
                fields["security_definer"] = bool(_bool(arg))
            elif n == "leakproof":
                fields["leakproof"] = bool(_bool(arg))
            elif n == "parallel":
                fields["parallel"] = str(_int_value(arg)).upper()
            elif n == "set":
                v = arg["VariableSetStmt"]
                vals = ", ".join(str(_int_value(a)) for a in v.get("args") or ())
                config.append(f"{v['name']}={vals}")
        if s.get("sql_body"):  # SQL-standard body: BEGIN ATOMIC ... END or RETURN expr
            full = deparse(s, "CreateFunctionStmt")
            m = re.search(r"\b(BEGIN ATOMIC|RETURN)\b", full)
            fields["body"] = full[m.start() :] if m else full
        returns: str | None = None
        table_args = [a for a in args if a.mode == "TABLE"]
        if table_args:
            returns = "TABLE(" + ", ".join(f"{a.name} {a.type}" for a in table_args) + ")"
        elif s.get("returnType"):
            rt, _ = self._type(s["returnType"])
            returns = ("SETOF " if s["returnType"].get("setof") else "") + _arg_type(rt)
        elif not s.get("is_procedure"):
            outs = [a for a in args if a.mode in ("OUT", "INOUT")]
            returns = outs[0].type if len(outs) == 1 else "record"
        f = Function(
            schema=schema,
            name=name,
            arguments=args,
            returns=returns,
            kind="procedure" if s.get("is_procedure") else "function",
            config=tuple(config),
            origin=self._origin(),
            **fields,
        )
        self._define_function(f)

    def _define_function(self, f: Function) -> None:
        """A new function, or OR REPLACE of one: that keeps its owner, grants and comment."""
        old = self.functions.get(f.key)
        if old is not None:
            f = dataclasses.replace(f, grants=old.grants, comment=old.comment)
        self.functions[f.key] = f
        if old is None:
            self._created(f"fn:{f.key}")

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

    def _on_DefineStmt(self, s: Tree) -> None:
        if s.get("kind") == "OBJECT_COLLATION":
            schema, name = self._qual_names(_names(s["defnames"]))
            if f"{schema}.{name}" in self.collations and s.get("if_not_exists"):
                return
            coll = collation_from_define(s, schema, name, self.collations, self._collation_key)
            self.collations[coll.key] = dataclasses.replace(coll, origin=self._origin())
            return
        if s.get("kind") != "OBJECT_AGGREGATE":
            self._warn(
                f"CREATE {s.get('kind', '').removeprefix('OBJECT_')} is not modelled; skipped"
            )
            return
        schema, name = self._qual_names(_names(s["defnames"]))
        arglist = s.get("args") or []
        params = arglist[0]["List"]["items"] if arglist and "List" in arglist[0] else []
        args = tuple(self._arg(p["FunctionParameter"]) for p in params)
        opts: dict[str, str] = {}
        for o in s.get("definition") or ():
            d = o["DefElem"]
            key, arg = d["defname"].lower(), d.get("arg")
            if arg is None:
                opts[key] = ""
            elif key in _AGG_FUNCS:
                names = (
                    _names(arg["TypeName"]["names"])
                    if "TypeName" in arg
                    else _names(arg["List"]["items"] if "List" in arg else [arg])
                )
                fschema, fname = self._qual_names(names)
                builtin = len(names) == 1 and not any(
                    f.schema == fschema and f.name == fname for f in self.functions.values()
                )
                opts[key] = fname if fschema == "pg_catalog" or builtin else f"{fschema}.{fname}"
            elif key in ("stype", "mstype"):
                opts[key] = _arg_type(self._type(arg["TypeName"])[0])
            elif key in ("initcond", "minitcond"):
                opts[key] = "'" + str(_int_value(arg)).replace("'", "''") + "'"
            elif key == "sortop":
                opts[key] = _names(arg["List"]["items"] if "List" in arg else [arg])[-1]
            else:
                opts[key] = str(_int_value(arg))
        body = ", ".join(
            f"{k.upper()} = {opts[k]}" if opts[k] else k.upper() for k in _AGG_ORDER if k in opts
        )
        returns = opts.get("stype")
        if "finalfunc" in opts:
            final = next(
                (f for f in self.functions.values() if f"{f.schema}.{f.name}" == opts["finalfunc"]),
                None,
            )
            returns = final.returns if final else None
        f = Function(
            schema=schema,
            name=name,
            arguments=args,
            kind="aggregate",
            language="internal",
            returns=returns,
            body=body,
            volatility="IMMUTABLE",
            parallel=opts.get("parallel", "unsafe").upper(),  # type: ignore[arg-type]
            origin=self._origin(),
        )
        self._define_function(f)

    # ---- triggers, rules, policies
    def _on_CreateTrigStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["relation"])
        timing = s.get("timing", 0)
        events_mask = s.get("events", 0)
        events = tuple(
            sorted(
                n
                for bit, n in ((4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE"))
                if events_mask & bit
            )
        )
        fnames = _names(s["funcname"])
        fschema, fname = self._qual_names(fnames)
        if len(fnames) == 1:
            self.unqualified_calls.add((fschema, fname))
        trig = Trigger(
            schema=schema,
            table=table,
            name=s["trigname"],
            timing="INSTEAD OF" if timing & 64 else "BEFORE" if timing & 2 else "AFTER",
            events=events,
            level="ROW" if s.get("row") else "STATEMENT",
            function=f"{fschema}.{fname}",
            arguments=tuple(_names(s.get("args"))),
            columns=tuple(_names(s.get("columns"))),
            when=self._expr(s["whenClause"]) if s.get("whenClause") else None,
            constraint=bool(s.get("isconstraint")),
            deferrable=bool(s.get("deferrable")),
            initially_deferred=bool(s.get("initdeferred")),
            origin=self._origin(),
        )
        self.triggers[trig.key] = trig

    def _on_RuleStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["relation"])
        event = s.get("event", "CMD_SELECT").removeprefix("CMD_")
        rule = Rule(
            schema=schema,
            table=table,
            name=s["rulename"],
            event=event,
            definition=self._expr(s, "RuleStmt"),
            origin=self._origin(),
        )
        self.rules[rule.key] = rule

    def _on_CreatePolicyStmt(self, s: Tree) -> None:
        schema, table = self._qual(s["table"])
        roles = tuple(_role(r["RoleSpec"]) for r in s.get("roles") or ()) or ("PUBLIC",)
        pol = Policy(
            schema=schema,
            table=table,
            name=s["policy_name"],
            command=s.get("cmd_name", "all").upper(),
            permissive=bool(s.get("permissive", False)),
            roles=tuple(sorted(roles)),
            using=self._expr(s["qual"]) if s.get("qual") else None,
            with_check=self._expr(s["with_check"]) if s.get("with_check") else None,
            origin=self._origin(),
        )
        self.policies[pol.key] = pol

    # ---- comments, grants, drops, renames
    def _on_CommentStmt(self, s: Tree) -> None:
        objtype = s["objtype"]
        obj: Any = s.get("object")
        comment: str | None = s.get("comment")
        if objtype in ("OBJECT_SCHEMA", "OBJECT_EXTENSION"):
            name = obj["String"]["sval"]
            if objtype == "OBJECT_SCHEMA" and name in self.namespaces:
                self.namespaces[name] = dataclasses.replace(self.namespaces[name], comment=comment)
            elif objtype == "OBJECT_EXTENSION" and name in self.extensions:
                self.extensions[name] = dataclasses.replace(self.extensions[name], comment=comment)
            return
        if objtype in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_AGGREGATE", "OBJECT_ROUTINE"):
            key = self._function_key(obj["ObjectWithArgs"])
            if key in self.functions:
                self.functions[key] = dataclasses.replace(self.functions[key], comment=comment)
            return
        names = _names(
            obj["List"]["items"]
            if "List" in obj
            else obj.get("TypeName", {}).get("names")
            if "TypeName" in obj
            else [obj]
        )
        if objtype == "OBJECT_COLUMN":
            *rel, col = names
            schema, table = self._qual_names(rel)
            key = f"{schema}.{table}"
            if key in self.tables:
                self.tables[key].set_col(col, comment=comment)
            elif key in self.views:
                v = self.views[key]
                cc = dict(v.column_comments)
                if comment is None:
                    cc.pop(col, None)
                else:
                    cc[col] = comment
                self.views[key] = dataclasses.replace(v, column_comments=FrozenMap(cc))
            return
        if objtype == "OBJECT_DOMCONSTRAINT":  # object: [TypeName, String]
            type_node, con_node = obj["List"]["items"]
            key = "{}.{}".format(*self._qual_names(_names(type_node["TypeName"]["names"])))
            cname = con_node["String"]["sval"]
            if key in self.domains and cname in self.domains[key].checks:
                d = self.domains[key]
                checks = dict(d.checks)
                checks[cname] = dataclasses.replace(checks[cname], comment=comment)
                self.domains[key] = dataclasses.replace(d, checks=FrozenMap(checks))
            return
        if objtype in ("OBJECT_TABCONSTRAINT", "OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"):
            *rel, oname = names
            schema, table = self._qual_names(rel)
            key = f"{schema}.{table}"
            if objtype == "OBJECT_TABCONSTRAINT" and key in self.tables:
                t = self.tables[key]
                if t.primary_key is not None and t.primary_key.name == oname:
                    t.primary_key = dataclasses.replace(t.primary_key, comment=comment)
                for coll in t.constraint_maps():
                    if oname in coll:
                        coll[oname] = dataclasses.replace(coll[oname], comment=comment)
            else:
                store = self._named_stores().get(objtype, {})
                k = f"{key}.{oname}"
                if k in store:
                    store[k] = dataclasses.replace(store[k], comment=comment)
            return
        schema, name = self._qual_names(names)
        key = f"{schema}.{name}"
        stores: dict[str, dict[str, Any]] = {
            "OBJECT_TABLE": self.tables,
            "OBJECT_VIEW": self.views,
            "OBJECT_MATVIEW": self.views,
            "OBJECT_INDEX": self.indexes,
            "OBJECT_SEQUENCE": self.sequences,
            "OBJECT_TYPE": {**self.enums, **self.composites},
            "OBJECT_DOMAIN": self.domains,
            "OBJECT_COLLATION": self.collations,
        }
        if objtype == "OBJECT_TABLE" and key in self.tables:
            self.tables[key].comment = comment
        elif objtype == "OBJECT_TYPE":
            for store in (self.enums, self.composites, self.domains):
                if key in store:
                    store[key] = dataclasses.replace(store[key], comment=comment)  # type: ignore
        elif objtype in stores and key in stores[objtype]:
            store = stores[objtype]
            store[key] = dataclasses.replace(store[key], comment=comment)
        else:
            self._warn(f"COMMENT ON {objtype.removeprefix('OBJECT_')} {key}: object not found")

    def _on_GrantStmt(self, s: Tree) -> None:
        objtype = s.get("objtype", "OBJECT_TABLE")
        if s.get("targtype", "ACL_TARGET_OBJECT") != "ACL_TARGET_OBJECT":
            self._warn("GRANT ... ON ALL ... IN SCHEMA is not modelled; skipped")
            return
        privs = []
        for p in s.get("privileges") or ():
            ap = p["AccessPriv"]
            if ap.get("cols"):
                self._warn(
                    f"column-level privilege {ap['priv_name'].upper()} is not modelled; skipped"
                )
                continue
            privs.append(ap["priv_name"].upper())
        if s.get("privileges") and not privs:
            return
        grantees = [
            self._role_name(g["RoleSpec"]) or "CURRENT_USER" for g in s.get("grantees") or ()
        ]
        option = bool(s.get("grant_option"))
        for obj in s.get("objects") or ():
            target = self._grant_target(objtype, obj)
            if target is None:
                continue
            store, key, kind = target
            all_privs = privs or list(_ALL_PRIVILEGES.get(kind, ()))
            item = store[key]
            grants = set(item.grants)
            prefix = {"OBJECT_SCHEMA": "ns:", "OBJECT_TABLE": "rel:", "OBJECT_SEQUENCE": "rel:"}
            owner = self._owner(prefix.get(kind, "fn:") + key)
            if not s.get("is_grant") and owner in grantees:
                self._warn(
                    f"REVOKE ... FROM {owner} on {key}: the owner's own privileges are not "
                    "modelled (the owner holds them all); skipped for the owner"
                )
            for g in grantees:
                for p in all_privs:
                    if s.get("is_grant"):
                        grants.discard(Grant(grantee=g, privilege=p, grantable=not option))
                        grants.add(Grant(grantee=g, privilege=p, grantable=option))
                    else:
                        grants.discard(Grant(grantee=g, privilege=p, grantable=True))
                        if not option:
                            grants.discard(Grant(grantee=g, privilege=p, grantable=False))
                        else:
                            grants.add(Grant(grantee=g, privilege=p, grantable=False))
            if isinstance(item, _TableB):
                item.grants = grants
            else:
                # an object the file never creates (schema public) is placed at its GRANT
                origin = item.origin if item.origin is not None else self._origin()
                store[key] = dataclasses.replace(item, grants=frozenset(grants), origin=origin)

    def _grant_target(self, objtype: str, obj: Tree) -> tuple[dict[str, Any], str, str] | None:
        if objtype == "OBJECT_SCHEMA":
            name = obj["String"]["sval"]
            return (self.namespaces, name, objtype) if name in self.namespaces else None
        if objtype in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_ROUTINE"):
            key = self._function_key(obj["ObjectWithArgs"])
            return (self.functions, key, objtype) if key in self.functions else None
        if "RangeVar" in obj:
            schema, name = self._qual(obj["RangeVar"])
            key = f"{schema}.{name}"
            if key in self.tables:
                return self.tables, key, "OBJECT_TABLE"
            if key in self.views:
                return self.views, key, "OBJECT_TABLE"
            if key in self.sequences:
                return self.sequences, key, "OBJECT_SEQUENCE"
        self._warn(f"GRANT on {objtype.removeprefix('OBJECT_')}: object not modelled; skipped")
        return None

    def _on_DropStmt(self, s: Tree) -> None:
        rtype = s.get("removeType")
        for obj in s.get("objects") or ():
            if rtype in ("OBJECT_SCHEMA", "OBJECT_EXTENSION"):
                name = obj["String"]["sval"]
                (self.namespaces if rtype == "OBJECT_SCHEMA" else self.extensions).pop(name, None)
                continue
            if rtype in ("OBJECT_FUNCTION", "OBJECT_PROCEDURE", "OBJECT_AGGREGATE"):
                owa = obj["ObjectWithArgs"]
                schema, name = self._qual_names(_names(owa["objname"]))
                for k in [
                    k for k, f in self.functions.items() if f.schema == schema and f.name == name
                ]:
                    del self.functions[k]
                continue
            if rtype in ("OBJECT_TYPE", "OBJECT_DOMAIN"):
                names = (
                    _names(obj["TypeName"]["names"])
                    if "TypeName" in obj
                    else _names(obj["List"]["items"])
                )
            else:
                names = _names(obj["List"]["items"] if "List" in obj else [obj])
            if rtype == "OBJECT_COLLATION":
                self.collations.pop("{}.{}".format(*self._qual_names(names)), None)
                continue
            if rtype in ("OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"):
                *rel, oname = names
                schema, table = self._qual_names(rel)
                store = self._named_stores()[rtype]
                store.pop(f"{schema}.{table}.{oname}", None)
                continue
            schema, name = self._qual_names(names)
            key = f"{schema}.{name}"
            if rtype == "OBJECT_TABLE":
                self.tables.pop(key, None)
                for ik in [k for k, i in self.indexes.items() if i.table_key == key]:
                    del self.indexes[ik]
                for store in self._named_stores().values():
                    for k in [k for k in store if k.startswith(key + ".")]:
                        del store[k]
                for sk in [
                    k
                    for k, q in self.sequences.items()
                    if q.owned_by and q.owned_by.startswith(key + ".")
                ]:
                    del self.sequences[sk]
            else:
                for store in self._relation_stores():
                    store.pop(key, None)

    def _on_RenameStmt(self, s: Tree) -> None:
        rtype = s.get("renameType")
        new = s["newname"]
        if rtype == "OBJECT_COLUMN":
            self._rename_column(self._table(s["relation"]), s["subname"], new)
        elif rtype in ("OBJECT_TABLE",) and s.get("relation"):
            t = self._table(s["relation"])
            old = f"{t.schema}.{t.name}"
            del self.tables[old]
            t.name = new
            newkey = f"{t.schema}.{new}"
            self.tables[newkey] = t
            for k, i in list(self.indexes.items()):
                if i.table_key == old:
                    self.indexes[k] = dataclasses.replace(i, table=new)
            for other in self.tables.values():
                for n, f in list(other.foreign_keys.items()):
                    if f.ref_table == old:
                        other.foreign_keys[n] = dataclasses.replace(f, ref_table=newkey)
                if other.partition_of == old:
                    other.partition_of = newkey
                other.inherits = tuple(newkey if p == old else p for p in other.inherits)
            for store in self._named_stores().values():
                for k in [k for k in store if k.startswith(old + ".")]:
                    item = dataclasses.replace(store.pop(k), table=new)
                    store[item.key] = item
            for k, q in list(self.sequences.items()):
                if q.owned_by and q.owned_by.startswith(old + "."):
                    self.sequences[k] = dataclasses.replace(
                        q, owned_by=newkey + q.owned_by[len(old) :]
                    )
        elif rtype == "OBJECT_INDEX":
            schema, name = self._qual(s["relation"])
            i = self.indexes.pop(f"{schema}.{name}")
            self.indexes[f"{schema}.{new}"] = dataclasses.replace(i, name=new)
        elif rtype == "OBJECT_TABCONSTRAINT":
            t = self._table(s["relation"])
            for coll in t.constraint_maps():
                if s["subname"] in coll:
                    coll[new] = dataclasses.replace(coll.pop(s["subname"]), name=new)
        else:
            self._warn(
                f"ALTER ... RENAME of {str(rtype).removeprefix('OBJECT_')} is not modelled; skipped"
            )

    def _rename_column(self, t: _TableB, old: str, new: str) -> None:
        """Rename a column everywhere the server follows it: keys, indexes, expressions."""
        key = f"{t.schema}.{t.name}"
        r = ColumnRename(old, new)
        t.columns = [r.column(c) for c in t.columns]
        if t.primary_key is not None:
            t.primary_key = r.primary_key(t.primary_key)
        t.uniques = {n: r.unique(u) for n, u in t.uniques.items()}
        t.checks = {n: r.check(c) for n, c in t.checks.items()}
        t.foreign_keys = {n: r.foreign_key(f) for n, f in t.foreign_keys.items()}
        for other in self.tables.values():  # foreign keys that point at the column
            for n, f in list(other.foreign_keys.items()):
                if f.ref_table == key:
                    other.foreign_keys[n] = r.referencing(f)
        for k, ix in list(self.indexes.items()):
            if ix.table_key == key:
                self.indexes[k] = r.index(ix)

    def _named_stores(self) -> dict[str, dict[str, Any]]:
        """Objects keyed ``schema.table.name``, by their object type."""
        return {
            "OBJECT_TRIGGER": self.triggers,
            "OBJECT_POLICY": self.policies,
            "OBJECT_RULE": self.rules,
        }

    def _relation_stores(self) -> list[dict[str, Any]]:
        """Objects keyed ``schema.name`` other than tables."""
        return [self.views, self.indexes, self.sequences, self.enums, self.domains, self.composites]

    def _on_DoStmt(self, s: Tree) -> None:
        self._warn("DO blocks are not interpreted; anything they create is not in the model")


# CREATE AGGREGATE options, in the order the catalog reader prints them.
_AGG_ORDER = (
    "sfunc",
    "stype",
    "sspace",
    "finalfunc",
    "finalfunc_extra",
    "combinefunc",
    "serialfunc",
    "deserialfunc",
    "initcond",
    "msfunc",
    "minvfunc",
    "mstype",
    "mfinalfunc",
    "minitcond",
    "sortop",
    "hypothetical",
)
_AGG_FUNCS = frozenset(
    {
        "sfunc",
        "finalfunc",
        "combinefunc",
        "serialfunc",
        "deserialfunc",
        "msfunc",
        "minvfunc",
        "mfinalfunc",
    }
)


def _identity(opts: dict[str, Any], always: bool) -> Identity:
    start = opts.get("start")
    inc = int(opts.get("increment") or 1)
    default_start = opts.get("min_value") or (1 if inc > 0 else -1)
    return Identity(
        always=always,
        start=None if start in (None, default_start) else int(start),
        increment=None if inc == 1 else inc,
        min_value=opts.get("min_value"),
        max_value=opts.get("max_value"),
        cache=None if int(opts.get("cache") or 1) == 1 else int(opts["cache"]),
        cycle=bool(opts.get("cycle")),
    )


def _key(t: _TableB) -> str:
    return f"{t.schema}.{t.name}"


_NAMELESS = {"name": "", "comment": None, "origin": None}


def _same_but_name(a: Any, b: Any) -> bool:
    """Two constraints or indexes alike but for their names (and comments)."""
    return type(a) is type(b) and bool(
        dataclasses.replace(a, **_NAMELESS) == dataclasses.replace(b, **_NAMELESS)
    )


def _arg_type(t: DataType) -> str:
    return str(DataType(name=t.name, array_dims=t.array_dims))


def _bool(arg: Tree | None) -> bool:
    if arg is None:
        return True
    if "Boolean" in arg:
        return bool(arg["Boolean"].get("boolval", False))
    v = _int_value(arg)
    return bool(v) and v not in ("false", "off", "0")


def _role(r: Tree) -> str:
    rt = r.get("roletype")
    if rt == "ROLESPEC_PUBLIC":
        return "PUBLIC"
    if rt == "ROLESPEC_CSTRING":
        return str(r["rolename"])
    return str(rt).removeprefix("ROLESPEC_")


def _name_addition(cols: list[str]) -> str:
    """PostgreSQL's ChooseIndexNameAddition: names joined by '_', stopped past 63 bytes."""
    buf = ""
    for c in cols:
        if buf:
            buf += "_"
        buf += c
        if len(buf.encode()) >= 64:
            break
    return buf


def _expr_colname(e: Tree) -> str:
    expr = e.get("expr") or {}
    if "FuncCall" in expr:
        return _names(expr["FuncCall"]["funcname"])[-1]
    return "expr"


def _name_targets(query: Tree, names: list[str]) -> Tree:
    """Fold a view's column list into its query's output names, as the server stores it."""
    if not names or "SelectStmt" not in query:
        return query
    body = dict(query["SelectStmt"])
    if body.get("op", "SETOP_NONE") != "SETOP_NONE":
        body["larg"] = _name_targets({"SelectStmt": body["larg"]}, names)["SelectStmt"]
        return {"SelectStmt": body}
    targets = []
    for i, t in enumerate(body.get("targetList") or []):
        rt = dict(t["ResTarget"])
        if i < len(names):
            rt["name"] = names[i]
        targets.append({"ResTarget": rt})
    body["targetList"] = targets
    return {"SelectStmt": body}


def _column_refs(tree: Any) -> list[str]:
    """Distinct column names an expression refers to, in order of appearance."""
    out: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            if "ColumnRef" in n and len(n) == 1:
                names = _names(n["ColumnRef"].get("fields"))
                if names and names[-1] not in out:
                    out.append(names[-1])
                return
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(tree)
    return out


def _without_locations(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _without_locations(v) for k, v in tree.items() if k != "location"}
    if isinstance(tree, list):
        return [_without_locations(v) for v in tree]
    return tree


def _deparse_key(key: str) -> str:
    kind, tree = json.loads(key)
    return deparse(tree, kind)


# --------------------------------------------------------------------------------- public API


def read_ddl(
    text: str,
    *,
    file: str | None = None,
    warn: Warn | None = None,
    owner: str | None = DEFAULT_OWNER,
) -> Schema:
    """Read PostgreSQL DDL text into a Schema. Raises ParseError on a syntax error.

    ``owner``: the role the text would be loaded as (it owns what the text creates without
    saying who owns it; grants to an object's owner are left out, as the catalog shows them)."""
    r = PostgresDdlReader(warn, owner)
    r.feed(text, file)
    return r.result(source=file)


def read_path(
    path: str | Path,
    *,
    warn: Warn | None = None,
    progress: Callable[[int, int], None] | None = None,
    owner: str | None = DEFAULT_OWNER,
) -> Schema:
    """Read a .sql file, or every .sql file of a folder in name order, as one schema.
    ``progress(done, total)`` is told the bytes read so far, as the reading goes on; ``owner``
    as for :func:`read_ddl`."""
    p = Path(path)
    files = sorted(p.glob("*.sql")) if p.is_dir() else [p]
    r = PostgresDdlReader(warn, owner)
    dumps: list[str] = []
    total = sum(f.stat().st_size for f in files) if progress is not None else 0
    done = 0
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except OSError as e:
            raise ParseError(f"cannot read: {e.strerror}", file=str(f)) from None
        except UnicodeDecodeError as e:
            raise ParseError(
                f"not UTF-8 text ({e.reason} at byte {e.start})", file=str(f)
            ) from None
        if _PG_DUMP.search(text, 0, 8192):
            dumps.append(f.name)
            if len(dumps) > 1:
                raise ParseError(
                    f"the folder holds more than one database dump ({', '.join(dumps)}): a "
                    "folder is read as one schema built file after file (migrations); read "
                    "each dump on its own",
                    file=str(p),
                )
        if progress is None:
            r.feed(text, str(f))
        else:
            size = f.stat().st_size
            step = size / max(1, len(text))  # characters -> bytes, near enough for a bar
            r.feed(text, str(f), functools.partial(_report, progress, done, step, total))
            done += size
            progress(done, total)
    return r.result(source=str(p))


def _report(
    progress: Callable[[int, int], None], before: int, step: float, total: int, n: int
) -> None:
    progress(before + int(n * step), total)


# pg_dump's first lines (Rails' structure.sql keeps only the second): a file that has them is one
# whole database, not a migration step.
_PG_DUMP = re.compile(
    r"^-- PostgreSQL database dump$|^SELECT pg_catalog\.set_config\('search_path', '', false\);",
    re.M,
)
