"""The dialects dbdesign knows, as registered objects.

A :class:`Dialect` is one object per SQL dialect holding what the project knows about it: its
names and URL schemes, how it quotes, how it writes a type, how long a name may be, and what it
can do (:class:`Capabilities`). Code that needs a dialect asks :func:`get` with a name, an alias
or a database URL, and then asks the object — never compares dialect names itself.

The built-in dialects live in ``dialects/postgres.py``, ``mysql.py`` (MariaDB is its variant)
and ``sqlite.py``; each ends with its ``register(...)``. Adding a dialect is one module with a
:class:`Dialect` subclass and its registration (see docs/architecture.md).

    >>> from dbdesign import dialects
    >>> dialects.get("postgresql").name
    'postgres'
    >>> dialects.get("mysql://root@localhost/app").title
    'MySQL / MariaDB'
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from dbdesign.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from dbdesign.dialects.operations import Operations
    from dbdesign.model import DataType

# The built-in dialects: name -> the module that registers it, imported on first use of the
# registry (listing the names imports nothing: the CLI's start-up lists them).
_BUILTIN = {
    "postgres": "dbdesign.dialects.postgres",
    "sqlite": "dbdesign.dialects.sqlite",
    "mysql": "dbdesign.dialects.mysql",
}
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9.-]*)(?:\+[\w-]+)?://")


@dataclass(frozen=True)
class Capabilities:
    """What a dialect can express. Consumers ask these instead of comparing names."""

    transactional_ddl: bool = False  # DDL rolls back with the transaction
    schemas: bool = False  # namespaces inside a database (CREATE SCHEMA)
    comments: bool = False  # comments on tables and columns
    identity: bool = False  # GENERATED ... AS IDENTITY columns
    auto_increment: bool = False  # a column attribute numbers the rows (AUTO_INCREMENT)
    domains: bool = False  # CREATE DOMAIN
    enum_types: bool = False  # named enum types (CREATE TYPE ... AS ENUM)
    inline_enums: bool = False  # ENUM('a','b') written on the column
    row_level_security: bool = False
    sequences: bool = False  # CREATE SEQUENCE (MariaDB has them; its model does not read them)
    check_constraints: bool = True  # enforced CHECK (MariaDB 10.2+, MySQL 8.0.16+)
    expression_defaults: bool = True  # DEFAULT (expression)
    partial_indexes: bool = False  # CREATE INDEX ... WHERE
    expression_indexes: bool = False  # an index on an expression (MySQL 8.0.13+, not MariaDB)
    descending_indexes: bool = True  # DESC index keys honoured (MariaDB 10.8+, MySQL 8.0)
    include_columns: bool = False  # CREATE INDEX ... INCLUDE
    concurrent_indexes: bool = False  # CREATE INDEX CONCURRENTLY
    exclusion_constraints: bool = False
    not_valid: bool = False  # constraints added without checking the rows there
    deferrable: bool = False  # DEFERRABLE foreign keys
    foreign_keys_need_index: bool = False  # the server adds an index leading with the columns
    alter_column: bool = False  # a column's type or NULL changes in place (else: rebuild)
    # A column changes by restating all of it (MODIFY), and not while a foreign key uses it.
    modify_column: bool = False
    alter_constraints: bool = False  # ALTER TABLE ADD/DROP CONSTRAINT (else: rebuild)
    nullable_primary_keys: bool = False  # a primary key column may hold NULL (SQLite)
    nulls_not_distinct: bool = False  # UNIQUE NULLS NOT DISTINCT (PostgreSQL 15+)
    set_null_columns: bool = False  # ON DELETE SET NULL (some of the key's columns) (15+)
    virtual_tables: bool = False  # CREATE VIRTUAL TABLE ... USING a module (SQLite: FTS5)
    # Where an index name must be unique: in the schema, in the table, or in the database.
    index_name_scope: Literal["schema", "table", "database"] = "schema"
    # A BEFORE row trigger may change the row being written (NEW.col := ...); SQLite's may not.
    before_triggers_set_row: bool = False
    # An exact decimal type: keeping every digit undeclared (PostgreSQL's numeric), holding the
    # scale it declares (DECIMAL(p, s)), or none (SQLite: NUMERIC is an affinity).
    exact_decimal: Literal["unbounded", "declared", "none"] = "declared"
    # A foreign key column must have the referenced column's type (InnoDB: size and sign).
    foreign_keys_same_type: bool = False
    # Typing is dynamic: a column keeps each value's own type, its declared type giving only
    # an affinity that converts some values on the way in (SQLite); keys match as stored.
    dynamic_typing: bool = False
    # A lone INTEGER PRIMARY KEY column is the rowid, numbered when a row gives it none (SQLite;
    # not in a WITHOUT ROWID table).
    rowid_alias: bool = False
    # A foreign key finds its parent key with column names in any case, and a unique index is
    # one only where each column keeps its own collation (SQLite).
    parent_key_collation: bool = False
    # A DEFERRABLE key waits for COMMIT only when declared INITIALLY DEFERRED: no SET
    # CONSTRAINTS defers it later (SQLite).
    deferred_only_initially: bool = False


class Dialect:
    """One SQL dialect. Subclasses set the class attributes and implement the methods."""

    name: ClassVar[str]  # the canonical name: postgres, mysql, sqlite
    title: ClassVar[str]  # as a person writes it: PostgreSQL
    aliases: ClassVar[tuple[str, ...]] = ()  # other names users type: postgresql, mariadb
    url_schemes: ClassVar[tuple[str, ...]] = ()  # postgresql://, mysql+pymysql:// ...
    capabilities: ClassVar[Capabilities] = Capabilities()
    # The model's namespace for a dialect without schemas (MySQL's database, SQLite's main).
    namespace: ClassVar[str] = "public"
    identifier_limit: ClassVar[int | None] = None  # longest name, None: no limit
    identifier_unit: ClassVar[Literal["bytes", "characters"]] = "characters"
    case_insensitive_names: ClassVar[bool] = False  # index and key names compare folded
    primary_key_name: ClassVar[str | None] = None  # the name every primary key has (PRIMARY)
    identifier_quote: ClassVar[str] = '"'
    boolean_literals: ClassVar[tuple[str, str]] = ("0", "1")  # false, true
    # Tokens that give a DDL file in this dialect away (outside strings and comments).
    text_signals: ClassVar[re.Pattern[str] | None] = None
    file_magic: ClassVar[bytes | None] = None  # how a database file begins (file databases)
    file_suffixes: ClassVar[tuple[str, ...]] = ()  # a path ending so names a database file

    def quote_ident(self, name: str) -> str:
        """``name`` as an identifier, quoted only when it has to be."""
        return '"' + name.replace('"', '""') + '"'

    def quote_string(self, value: str) -> str:
        """``value`` as a string literal."""
        return "'" + value.replace("'", "''") + "'"

    def type_sql(self, t: DataType) -> str:
        """A model type as this dialect's DDL writes it."""
        return str(t)

    def type_kind(self, t: DataType) -> str:
        """A type's category (text, int, float, numeric, bool, timestamp, json ... other)."""
        return "other"

    def affinity(self, type_name: str) -> str | None:
        """Where a declared type only gives a column an affinity (SQLite), that affinity
        (INTEGER, TEXT, BLOB, REAL, NUMERIC): what values compare by. None where the declared
        type is enforced."""
        return None

    def binary_coercible(self, a: DataType, b: DataType) -> bool:
        """Whether values of two differently named types compare without a cast."""
        return a.name == b.name

    def qualified(self, *parts: str) -> str:
        """A (qualified) name quoted part by part. Without schemas the model's namespace is
        the database the statement runs in, left out when it qualifies a name."""
        if not self.capabilities.schemas and len(parts) > 1 and parts[0] == self.namespace:
            parts = parts[1:]
        return ".".join(self.quote_ident(p) for p in parts)

    def cut_name(self, name: str, limit: int | None = None) -> str:
        """``name`` within ``limit`` (default: the dialect's) in the dialect's unit."""
        limit = self.identifier_limit if limit is None else limit
        if limit is None:
            return name
        if self.identifier_unit == "bytes":
            return name.encode()[:limit].decode(errors="ignore")
        return name[:limit]

    def accepts_url(self, url: str) -> bool:
        """Whether ``url`` is one of this dialect's (``scheme://`` or ``scheme+driver://``)."""
        m = _URL_SCHEME.match(url)
        return m is not None and m[1].lower() in self.url_schemes

    def url_path(self, url: str) -> str:
        """The file of a file database's URL (file databases only)."""
        raise NotImplementedError(f"{self.title} databases are not files")

    def script_lines(self, statement: str) -> list[str]:
        """``statement`` as the lines of a script the dialect's command-line client runs:
        ended by ``;``."""
        return [statement.rstrip(";") + ";"]

    def split_statements(self, text: str) -> list[str]:
        """The statements of a script as the dialect's command-line client sends them, each
        stripped (where the dialect has a splitter of its own)."""
        raise NotImplementedError(f"{self.title}: scripts are not split into statements")

    def __repr__(self) -> str:
        return f"<dialect {self.name}>"

    # -- names, servers and the single statements fixes need (fix hints, the design document)

    # Unquoted names are folded to lower case (PostgreSQL): a name with upper case exists only
    # quoted.
    folds_unquoted_names: ClassVar[bool] = False

    @property
    def reserved_words(self) -> frozenset[str]:
        """Key words that are names only when quoted; lower case."""
        return frozenset()

    # dbdesign makes a database of this dialect itself when given none (PostgreSQL's embedded
    # server, a SQLite file); others need a URL from the user (a design's proof on MySQL).
    embedded: ClassVar[bool] = False
    example_url: ClassVar[str | None] = None  # a URL as messages show one
    operations: ClassVar[Operations | None] = None  # running a server: the design document's

    @property
    def short_title(self) -> str:
        """The dialect as running text names it: the title's first name (MySQL / MariaDB is
        MySQL in "MySQL checks every existing row")."""
        return self.title.split(" / ")[0]

    def is_default_key_name(self, name: str, columns: Sequence[str]) -> bool:
        """Whether the server names an index or unique key over ``columns`` declared without
        a name ``name`` (the names that follow the table, ``orders_pkey``, are the linter's)."""
        return False

    def rename_sql(self, kind: str, schema: str, table: str, name: str, new: str) -> str | None:
        """The statement renaming the ``kind`` (index, primary_key, foreign_key, unique,
        check) ``name`` of table ``schema.table`` to ``new``; None where the dialect has none."""
        if kind == "index":
            return f"ALTER INDEX {self.qualified(schema, name)} RENAME TO {self.quote_ident(new)};"
        if not self.capabilities.alter_constraints:
            return None
        return (
            f"ALTER TABLE {self.qualified(schema, table)} RENAME CONSTRAINT "
            f"{self.quote_ident(name)} TO {self.quote_ident(new)};"
        )

    def drop_constraint_sql(self, kind: str, schema: str, table: str, name: str) -> str | None:
        """The statement dropping the ``kind`` (primary_key, foreign_key, unique, check)
        constraint ``name`` of ``schema.table``; None where a constraint is dropped only by
        rebuilding the table."""
        if not self.capabilities.alter_constraints:
            return None
        table_sql = self.qualified(schema, table)
        return f"ALTER TABLE {table_sql} DROP CONSTRAINT {self.quote_ident(name)};"

    def comment_sql(
        self, text: str, schema: str, table: str, column: str | None = None
    ) -> str | None:
        """The statement setting the comment of table ``schema.table`` (or of its ``column``)
        to ``text``; None where no statement of its own does."""
        if not self.capabilities.comments:
            return None
        if column is None:
            target = f"TABLE {self.qualified(schema, table)}"
        else:
            target = f"COLUMN {self.qualified(schema, table, column)}"
        return f"COMMENT ON {target} IS {self.quote_string(text)};"


_REGISTRY: dict[str, Dialect] = {}  # canonical name -> dialect, in registration order
_BY_ALIAS: dict[str, Dialect] = {}  # every name and alias, lower case
_loaded = False


def register(dialect: Dialect) -> Dialect:
    """Make ``dialect`` known to :func:`get`, the CLI's ``--dialect`` and its messages."""
    names = [dialect.name, *dialect.aliases]
    for n in names:
        other = _BY_ALIAS.get(n.lower())
        if other is not None and other.name != dialect.name:
            raise ValueError(f"dialect name {n!r} is taken by {other.name}")
    _REGISTRY[dialect.name] = dialect
    _BY_ALIAS.update({n.lower(): dialect for n in names})
    return dialect


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name, module in _BUILTIN.items():
            importlib.import_module(module)
            if name not in _REGISTRY:
                raise RuntimeError(f"{module} does not register the dialect {name!r}")


def known() -> tuple[Dialect, ...]:
    """Every registered dialect: the built-in ones in the order of ``_BUILTIN`` (whatever
    order they were imported in), then the others in the order they were registered."""
    _load_builtins()
    return tuple(_REGISTRY[n] for n in names())


def names() -> tuple[str, ...]:
    """The canonical names of the registered dialects, as :func:`known` orders them
    (without importing the built-in ones)."""
    return (*_BUILTIN, *(n for n in _REGISTRY if n not in _BUILTIN))


def for_url(url: str) -> Dialect | None:
    """The dialect whose URL scheme ``url`` has, or None (not a URL, or an unknown scheme)."""
    return next((d for d in known() if d.accepts_url(url)), None)


def database_file(target: str) -> str | None:
    """The file of a file database given as a URL (``sqlite:///app.db``) or as a path with a
    database file's suffix (``app.db``); None for anything else."""
    d = for_url(target)
    if d is not None:
        return d.url_path(target) if d.file_magic else None
    return target if for_file(target) is not None else None


def for_file(path: str) -> Dialect | None:
    """The dialect of a database file named by a path (no URL) with its suffix, or None."""
    if "://" in path:
        return None
    low = path.lower()
    return next((d for d in known() if d.file_suffixes and low.endswith(d.file_suffixes)), None)


def get(name_or_url: str) -> Dialect:
    """The dialect called ``name_or_url`` (a name or alias, any case) or serving that URL.
    Anything else is a :class:`ConfigError` that lists the known dialects."""
    _load_builtins()
    found = _BY_ALIAS.get(name_or_url.lower()) or for_url(name_or_url)
    if found is None:
        from dbdesign.redact import redact_url

        raise ConfigError(
            f"unknown dialect {redact_url(name_or_url)!r}; choose one of {', '.join(names())}"
        )
    return found


__all__ = [
    "Capabilities",
    "Dialect",
    "database_file",
    "for_file",
    "for_url",
    "get",
    "known",
    "names",
    "register",
]
