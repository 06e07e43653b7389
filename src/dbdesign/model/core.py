"""The immutable schema model.

Every reader produces a :class:`Schema`; every consumer reads one. Values are frozen dataclasses;
collections are tuples (where order matters) or :class:`FrozenMap` (keyed by name, where it does
not). Provenance (:class:`Origin`) never takes part in equality: two schemas are equal when a
database would behave the same.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

K = TypeVar("K")
V = TypeVar("V")


_EMPTY: dict[Any, Any] = {}


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """An immutable, hashable mapping. Iterates in key order, so output is deterministic."""

    __slots__ = ("_d", "_h")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        d = dict(items)
        # Empty maps share one dict (never written to): a large schema has hundreds of
        # thousands of tables with no checks, no exclusions ...
        self._d: dict[K, V] = (
            {k: d[k] for k in sorted(d)} if d else _EMPTY  # type: ignore[type-var]
        )
        self._h: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._d[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        if self._h is None:
            self._h = hash(tuple(self._d.items()))
        return self._h

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._d == other._d
        if isinstance(other, Mapping):
            return self._d == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value came from: a file position or a catalog object. Never part of equality."""

    file: str | None = None
    line: int | None = None
    col: int | None = None
    catalog: str | None = None  # e.g. "pg_class:16384" or a database URL (redacted)

    def __str__(self) -> str:
        if self.file is not None:
            return ":".join(str(p) for p in (self.file, self.line, self.col) if p is not None)
        return self.catalog or "?"


# An expression normaliser takes (text, dialect, default schema) and returns the canonical form.
Normaliser = Callable[[str, str, str | None], str]
_NORMALISERS: dict[str, Normaliser] = {}


def register_normaliser(dialect: str, fn: Normaliser) -> None:
    """Dialect modules register how their expressions normalise (the model parses nothing)."""
    _NORMALISERS[dialect] = fn


class Expr:
    """An SQL expression (default, check, predicate, view query ...) kept as text.

    Two expressions are equal when their *normalised* forms are equal. The normalised form is
    computed on first use by the dialect's registered normaliser (PostgreSQL: pglast parse, a few
    canonicalising rewrites, deparse), so readers that never compare pay nothing for it.
    ``schema`` is the schema unqualified names resolve to where the expression was written.

    ``tree`` (optional, from a reader that defers the text): the parse tree the text is printed
    from. Two expressions with equal trees (positions aside), dialect and schema are equal
    without printing either; a diff of two large files compares thousands of expressions.
    """

    __slots__ = ("_norm", "_text", "_thunk", "_tree", "dialect", "schema")
    _norm: str | None
    _text: str | None
    _thunk: Callable[[], str] | None
    _tree: Any
    dialect: str
    schema: str | None

    def __init__(
        self,
        text: str | None = None,
        dialect: str = "postgres",
        schema: str | None = None,
        normalized: str | None = None,
        *,
        thunk: Callable[[], str] | None = None,
        tree: Any = None,
    ) -> None:
        if text is None and thunk is None:
            raise ValueError("Expr needs text or a thunk that produces it")
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_thunk", thunk)
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "dialect", dialect)
        object.__setattr__(self, "schema", schema)
        object.__setattr__(self, "_norm", normalized)

    @property
    def text(self) -> str:
        """The expression's SQL text. Readers may defer producing it (``thunk``) until asked."""
        if self._text is None:
            assert self._thunk is not None
            object.__setattr__(self, "_text", self._thunk())
            object.__setattr__(self, "_thunk", None)
        assert self._text is not None
        return self._text

    @property
    def normalized(self) -> str:
        if self._norm is None:
            fn = _NORMALISERS.get(self.dialect)
            if fn is None:
                # Normalisers parse, so they live outside the model: the module named after
                # the dialect registers its own when imported (dbdesign.normalize).
                with contextlib.suppress(ModuleNotFoundError):
                    importlib.import_module(f"dbdesign.normalize.{self.dialect}")
                fn = _NORMALISERS.get(self.dialect)
            norm = fn(self.text, self.dialect, self.schema) if fn else " ".join(self.text.split())
            object.__setattr__(self, "_norm", norm)
            return norm
        return self._norm

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expr):
            return NotImplemented
        if (
            self._tree is not None
            and other._tree is not None
            and (self.dialect, self.schema) == (other.dialect, other.schema)
            and (self._tree == other._tree or _same_tree(self._tree, other._tree))
        ):
            return True
        return self.text == other.text or self.normalized == other.normalized

    def __hash__(self) -> int:
        return hash(self.normalized)

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __str__(self) -> str:
        return self.text

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expr is immutable")


def _same_tree(a: Any, b: Any) -> bool:
    """Parse trees equal but for their ``location`` (source offset) entries."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        for k, v in a.items():
            if k != "location" and (k not in b or not _same_tree(v, b[k])):
                return False
        return True
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same_tree(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@dataclass(frozen=True, slots=True, kw_only=True)
class DataType:
    """A column type in canonical form.

    ``name`` is canonical (``integer``, ``character varying``, ``timestamp with time zone``, or a
    qualified user type such as ``public.mpaa_rating``); ``args`` are its modifiers ((10,) or
    (10, 2)); ``array_dims`` counts ``[]``. ``raw`` is the spelling the source used.
    """

    name: str
    args: tuple[int | str, ...] = ()
    array_dims: int = 0
    raw: str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        base = self.name
        if self.args:
            inner = ",".join(str(a) for a in self.args)
            # PostgreSQL writes timestamp(3) with time zone with the modifier in the middle,
            # MySQL decimal(10,2) unsigned.
            if (base.startswith(("timestamp ", "time ")) and " with" in base) or base.endswith(
                (" unsigned", " unsigned zerofill")
            ):
                head, _, tail = base.partition(" ")
                base = f"{head}({inner}) {tail}"
            else:
                base = f"{base}({inner})"
        return base + "[]" * self.array_dims


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """GENERATED ALWAYS|BY DEFAULT AS IDENTITY with its sequence options (None = default)."""

    always: bool = True
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Generated:
    """A generated column: GENERATED ALWAYS AS (expr) STORED (or VIRTUAL on PostgreSQL 18)."""

    expr: Expr
    stored: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    name: str
    type: DataType
    nullable: bool = True
    default: Expr | None = None
    identity: Identity | None = None
    generated: Generated | None = None
    collation: str | None = None
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class PrimaryKey:
    name: str
    columns: tuple[str, ...]
    include: tuple[str, ...] = ()
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)


ReferentialAction = Literal["NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str  # qualified: "schema.table" (SQLite: "main.table")
    # As written; empty for SQLite's REFERENCES t without columns (its primary key, resolved
    # when used: Schema.ref_columns).
    ref_columns: tuple[str, ...]
    on_delete: ReferentialAction = "NO ACTION"
    # ON DELETE SET NULL / SET DEFAULT (cols): only these columns change (PostgreSQL 15+);
    # empty: every column of the key.
    on_delete_columns: tuple[str, ...] = ()
    on_update: ReferentialAction = "NO ACTION"
    match: Literal["SIMPLE", "FULL", "PARTIAL"] = "SIMPLE"
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = True
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def delete_action(self) -> str:
        """What ON DELETE does, as SQL writes it: ``SET NULL (col)`` when only some columns."""
        if not self.on_delete_columns:
            return self.on_delete
        return f"{self.on_delete} ({', '.join(self.on_delete_columns)})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unique:
    name: str
    columns: tuple[str, ...]
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    name: str
    expr: Expr
    validated: bool = True
    no_inherit: bool = False
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusionElement:
    element: IndexElement
    operator: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Exclusion:
    name: str
    method: str
    elements: tuple[ExclusionElement, ...]
    include: tuple[str, ...] = ()
    where: Expr | None = None
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexElement:
    """One key of an index: a column or an expression, with opclass, collation and ordering."""

    column: str | None = None
    expr: Expr | None = None
    opclass: str | None = None
    collation: str | None = None
    descending: bool = False
    nulls_first: bool | None = None  # None: the default for the direction
    length: int | None = None  # MySQL key prefix: KEY (title(10)) indexes 10 characters

    @property
    def label(self) -> str:
        if self.column is None:
            return f"({self.expr})"
        return self.column if self.length is None else f"{self.column}({self.length})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    name: str
    schema: str
    table: str  # unqualified; the table is in ``schema``
    elements: tuple[IndexElement, ...]
    include: tuple[str, ...] = ()
    method: str = "btree"
    unique: bool = False
    nulls_not_distinct: bool = False
    where: Expr | None = None
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def table_key(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PartitionBy:
    strategy: Literal["RANGE", "LIST", "HASH"]
    elements: tuple[IndexElement, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Grant:
    """One privilege held by one grantee on the object the grant is attached to."""

    grantee: str  # role name or "PUBLIC"
    privilege: str  # SELECT, INSERT, USAGE, EXECUTE ...
    grantable: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    foreign_keys: FrozenMap[str, ForeignKey] = field(default_factory=FrozenMap)
    uniques: FrozenMap[str, Unique] = field(default_factory=FrozenMap)
    checks: FrozenMap[str, Check] = field(default_factory=FrozenMap)
    exclusions: FrozenMap[str, Exclusion] = field(default_factory=FrozenMap)
    partition_by: PartitionBy | None = None
    partition_of: str | None = None  # qualified parent
    partition_bound: Expr | None = None  # "FOR VALUES ..." / "DEFAULT"
    inherits: tuple[str, ...] = ()  # qualified parents
    unlogged: bool = False
    rls_enabled: bool = False
    rls_forced: bool = False
    options: tuple[str, ...] = ()  # storage parameters, "fillfactor=70"
    grants: frozenset[Grant] = frozenset()
    comment: str | None = None
    # Dialect details that have no PostgreSQL equivalent (SQLite: without_rowid, strict,
    # autoincrement; MySQL: engine, charset).
    dialect_options: FrozenMap[str, str] = field(default_factory=FrozenMap)
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    schema: str
    name: str
    query: Expr
    materialized: bool = False
    check_option: Literal["LOCAL", "CASCADED"] | None = None
    options: tuple[str, ...] = ()  # security_barrier=true ...
    column_names: tuple[str, ...] = ()  # explicit column list, if given
    grants: frozenset[Grant] = frozenset()
    comment: str | None = None
    column_comments: FrozenMap[str, str] = field(default_factory=FrozenMap)
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualTable:
    """SQLite's ``CREATE VIRTUAL TABLE name USING module(arguments)``: a table a module keeps
    (FTS5 full-text search ...). Its columns and options are the module's ``arguments`` (as
    written, tokens joined by single spaces, none around ``=``: ``name``, ``content='t'``); it
    has no keys, indexes or triggers, no ALTER but RENAME (a change is a drop and a create),
    and the tables the module keeps its data in (FTS5: ``<name>_data`` ...) are its own."""

    schema: str
    name: str
    module: str  # lower case: "fts5"
    arguments: tuple[str, ...] = ()
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The arguments that declare columns (not ``key=value`` options), by name."""
        return tuple(a.split(" ", 1)[0].strip("\"'`[]") for a in self.arguments if "=" not in a)

    def option(self, key: str) -> str | None:
        """The value of option ``key=value`` (quotes removed), None when not given."""
        for a in self.arguments:
            k, eq, v = a.partition("=")
            if eq and k.lower() == key.lower():
                return v[1:-1] if v[:1] in ("'", '"') and v[-1:] == v[:1] else v
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumType:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Domain:
    schema: str
    name: str
    type: DataType
    nullable: bool = True
    default: Expr | None = None
    collation: str | None = None
    checks: FrozenMap[str, Check] = field(default_factory=FrozenMap)
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class CompositeType:
    schema: str
    name: str
    attributes: tuple[tuple[str, DataType], ...]
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sequence:
    schema: str
    name: str
    type: DataType = DataType(name="bigint")
    start: int = 1
    increment: int = 1
    min_value: int | None = None  # None: the type's default
    max_value: int | None = None
    cache: int = 1
    cycle: bool = False
    owned_by: str | None = None  # "schema.table.column"
    grants: frozenset[Grant] = frozenset()
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    name: str | None
    type: str  # as the catalog prints it (format_type), canonicalised by the reader
    mode: Literal["IN", "OUT", "INOUT", "VARIADIC", "TABLE"] = "IN"
    default: Expr | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Function:
    """A function, procedure or aggregate. The body is kept as text, compared whitespace-trimmed."""

    schema: str
    name: str
    arguments: tuple[Argument, ...] = ()
    returns: str | None = None  # None for procedures
    kind: Literal["function", "procedure", "aggregate"] = "function"
    language: str = "sql"
    body: str = ""
    volatility: Literal["VOLATILE", "STABLE", "IMMUTABLE"] = "VOLATILE"
    strict: bool = False
    security_definer: bool = False
    leakproof: bool = False
    parallel: Literal["UNSAFE", "RESTRICTED", "SAFE"] = "UNSAFE"
    config: tuple[str, ...] = ()  # "search_path=pg_catalog, public"
    # Grants beyond the server's default; PUBLIC's EXECUTE is the default, kept apart:
    public_execute: bool = True  # False after REVOKE EXECUTE ... FROM PUBLIC
    grants: frozenset[Grant] = frozenset()
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def privileges(self) -> frozenset[Grant]:
        """Every grant that holds: :attr:`grants` and PUBLIC's EXECUTE where it has it."""
        public = Grant(grantee="PUBLIC", privilege="EXECUTE")
        return self.grants | {public} if self.public_execute else self.grants

    @property
    def signature(self) -> str:
        ins = [a.type for a in self.arguments if a.mode in ("IN", "INOUT", "VARIADIC")]
        return f"{self.schema}.{self.name}({', '.join(ins)})"

    @property
    def key(self) -> str:
        return self.signature


@dataclass(frozen=True, slots=True, kw_only=True)
class Trigger:
    schema: str
    table: str
    name: str
    timing: Literal["BEFORE", "AFTER", "INSTEAD OF"]
    events: tuple[str, ...]  # INSERT, UPDATE, DELETE, TRUNCATE (sorted)
    level: Literal["ROW", "STATEMENT"] = "STATEMENT"
    function: str = ""  # qualified function name
    arguments: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # UPDATE OF ...
    when: Expr | None = None
    body: Expr | None = None  # SQLite: the statements between BEGIN and END (no function)
    constraint: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    enabled: str = "O"  # O origin, D disabled, R replica, A always
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    schema: str
    table: str
    name: str
    event: Literal["SELECT", "INSERT", "UPDATE", "DELETE"]
    definition: Expr  # the whole CREATE RULE statement
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    schema: str
    table: str
    name: str
    command: Literal["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"] = "ALL"
    permissive: bool = True
    roles: tuple[str, ...] = ("PUBLIC",)
    using: Expr | None = None
    with_check: Expr | None = None
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Extension:
    name: str
    schema: str | None = None
    # The version installed and the comment come from the extension's own script: they describe
    # the server, not the schema, so they never take part in equality.
    version: str | None = field(default=None, compare=False)
    comment: str | None = field(default=None, compare=False)
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Collation:
    """A collation made with CREATE COLLATION (PostgreSQL). Columns, domains and index elements
    name it ``schema.name``; the server's own (``pg_catalog``) collations are not modelled.

    A libc collation has ``lc_collate`` and ``lc_ctype`` (``LOCALE = x`` sets both); an ICU or
    builtin one has ``locale`` (and, ICU on PostgreSQL 16+, ``rules``).
    """

    schema: str
    name: str
    provider: Literal["libc", "icu", "builtin"] = "libc"
    locale: str | None = None
    lc_collate: str | None = None
    lc_ctype: str | None = None
    deterministic: bool = True
    rules: str | None = None
    # The provider's version recorded when the collation was made: the server's, not the schema's.
    version: str | None = field(default=None, compare=False)
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Namespace:
    """A PostgreSQL schema (namespace). SQLite has one, ``main``."""

    name: str
    grants: frozenset[Grant] = frozenset()
    comment: str | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return self.name


Dialect = Literal["postgres", "sqlite", "mysql"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseInfo:
    """The database a schema lives in, as far as the source tells (PostgreSQL: ``pg_database``
    for the current database, or a file's ``CREATE DATABASE``).

    Its properties are fixed when the database is created (no ALTER changes the encoding), so
    they describe the environment, not the schema: :attr:`Schema.database` never takes part in
    equality and a diff does not plan a change to it (it notes a difference).
    """

    name: str
    encoding: str | None = None  # canonical server spelling ("UTF8", "SQL_ASCII"); None: unstated
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Schema:
    """A whole database schema: everything a database would need to behave the same."""

    dialect: Dialect = "postgres"
    namespaces: FrozenMap[str, Namespace] = field(default_factory=FrozenMap)
    extensions: FrozenMap[str, Extension] = field(default_factory=FrozenMap)
    collations: FrozenMap[str, Collation] = field(default_factory=FrozenMap)
    tables: FrozenMap[str, Table] = field(default_factory=FrozenMap)
    views: FrozenMap[str, View] = field(default_factory=FrozenMap)
    # SQLite: CREATE VIRTUAL TABLE (FTS5); the other dialects have none.
    virtual_tables: FrozenMap[str, VirtualTable] = field(default_factory=FrozenMap)
    indexes: FrozenMap[str, Index] = field(default_factory=FrozenMap)
    sequences: FrozenMap[str, Sequence] = field(default_factory=FrozenMap)
    enums: FrozenMap[str, EnumType] = field(default_factory=FrozenMap)
    domains: FrozenMap[str, Domain] = field(default_factory=FrozenMap)
    composite_types: FrozenMap[str, CompositeType] = field(default_factory=FrozenMap)
    functions: FrozenMap[str, Function] = field(default_factory=FrozenMap)
    triggers: FrozenMap[str, Trigger] = field(default_factory=FrozenMap)
    rules: FrozenMap[str, Rule] = field(default_factory=FrozenMap)
    policies: FrozenMap[str, Policy] = field(default_factory=FrozenMap)
    # The database itself (name, encoding) where the source tells; never part of equality.
    database: DatabaseInfo | None = field(default=None, compare=False)
    # Where the schema was read from; never part of equality.
    source: str | None = field(default=None, compare=False)

    def indexes_on(self, table_key: str) -> list[Index]:
        return [i for i in self.indexes.values() if i.table_key == table_key]

    def triggers_on(self, table_key: str) -> list[Trigger]:
        return [t for t in self.triggers.values() if f"{t.schema}.{t.table}" == table_key]

    def policies_on(self, table_key: str) -> list[Policy]:
        return [p for p in self.policies.values() if f"{p.schema}.{p.table}" == table_key]

    def ref_columns(self, fk: ForeignKey) -> tuple[str, ...]:
        """The columns ``fk`` references: as written, else (SQLite's ``REFERENCES t``
        without columns) the referenced table's primary key; empty if that is unknown."""
        if fk.ref_columns:
            return fk.ref_columns
        parent = self.tables.get(fk.ref_table)
        return parent.primary_key.columns if parent and parent.primary_key else ()

    def referencing(self, table_key: str) -> list[tuple[Table, ForeignKey]]:
        """Foreign keys in other tables (or this one) that point at ``table_key``."""
        return [
            (t, fk)
            for t in self.tables.values()
            for fk in t.foreign_keys.values()
            if fk.ref_table == table_key
        ]
