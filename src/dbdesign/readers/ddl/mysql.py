"""MySQL / MariaDB DDL text -> :class:`Schema`.

The script is split here, as the ``mysql`` client does: ``DELIMITER`` lines change the
statement terminator (mysqldump's ``DELIMITER ;;`` around triggers and routines), quotes and
comments (``--``, ``#``, ``/* */``) are respected, and version comments (``/*!40101 ... */``,
``/*M!100100 ... */``) are read as the code they hold. Statements that change no schema (INSERT,
SET, LOCK TABLES, transactions ...) are skipped unparsed; kinds the model does not cover
(events, sequences, users, grants ...) are a warning naming file and line.

The structure of CREATE TABLE, CREATE INDEX, ALTER TABLE, CREATE VIEW, CREATE TRIGGER and
CREATE PROCEDURE/FUNCTION is parsed by a recursive-descent parser that follows the server's
grammar; every expression (DEFAULT (...), CHECK, generated columns, view queries) is checked
with sqlglot (dialect ``mysql``). A syntax error is a :class:`ParseError` at its file, line and
column, and so is a statement the server would refuse (a duplicate table, an index on a
missing column ...).

What the server decides is simulated so that the model equals what ``information_schema`` shows
after loading the same file (docs/model.md, "MySQL"): names of unnamed keys (first column,
``_2``, ``_3``), foreign keys (``t_ibfk_1``) and checks (``CONSTRAINT_1``, or the column's name);
the index InnoDB adds for a foreign key without one, and drops again when a later index covers
it; NOT NULL on primary-key and AUTO_INCREMENT columns; literal defaults in the form the server
prints (``5`` on a decimal(5,2) column reads back ``5.00``); character sets and collations
resolved when a column is created; foreign keys dropped on engines without them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import sqlglot
from sqlglot import exp

import dbdesign.normalize.mysql  # noqa: F401  (registers the "mysql" expression normaliser)
from dbdesign.dialects.mysql import (
    BLOB_TYPES,
    DEFAULT_COLLATION,
    DEFAULT_ENGINE,
    FK_ENGINES,
    MAX_KEY_LENGTH,
    NAMESPACE,
    SPATIAL_TYPES,
    TEMPORAL_FSP,
    TEXT_OF_BINARY,
    TEXT_TYPES,
    RawType,
    TypeSyntaxError,
    base_name,
    canonical_charset,
    canonical_collation,
    canonical_engine,
    canonical_type,
    charset_of,
    check_name,
    column_collation,
    default_collation,
    foreign_key_name,
    is_known_engine,
    is_textual,
    max_bytes_per_char,
    parse_type_tokens,
    quote_string,
    text_capacity,
    unique_key_name,
    unquote_ident,
    unquote_string,
)
from dbdesign.errors import Diagnostic, ParseError
from dbdesign.model import (
    Argument,
    Check,
    Column,
    DataType,
    Expr,
    ForeignKey,
    FrozenMap,
    Function,
    Generated,
    Identity,
    Index,
    IndexElement,
    Namespace,
    Origin,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.model.core import ReferentialAction
from dbdesign.readers.ddl.mysql_values import default_literal, temporal_zero
from dbdesign.readers.ddl.tokens import Source, Tok, TokenCursor, check_sqlglot, error_at, short

Warn = Callable[[Diagnostic], None]

# --------------------------------------------------------------------------------------------
# Source text and statements
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a script: ``[start, end)`` in the source, without its delimiter."""

    start: int
    end: int
    first: str  # the first word, upper-cased ("" when the statement starts otherwise)
    source: Source

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]


_STRING = r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`"""
_COMMENT = r"""--(?=[ \t\r\n\f\v]|$)[^\n]*|\#[^\n]*"""
_WORD = r"""[A-Za-z_$\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*"""
_UNTERMINATED = {
    "'": "unterminated string literal",
    '"': "unterminated string literal",
    "`": "unterminated quoted identifier",
    "/*": "unterminated comment",
}


def _split_pattern(delimiter: str, words: bool) -> re.Pattern[str]:
    parts = [
        f"(?P<d>{re.escape(delimiter)})",
        f"(?P<c>{_COMMENT})",
        r"(?P<x>/\*(?P<xm>M?)!(?P<xv>\d{0,6}))",
        r"(?P<bc>/\*.*?\*/)",
        r"(?P<xc>\*/)",
        f"(?P<s>{_STRING})",
        r"(?P<bad>['\"`]|/\*)",
    ]
    if words:
        parts.append(f"(?P<w>{_WORD})")
        parts.append(r"(?P<o>[^\s])")
    return re.compile("|".join(parts), re.S | re.M)


_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def _pattern(delimiter: str, words: bool) -> re.Pattern[str]:
    key = (delimiter, words)
    p = _PATTERNS.get(key)
    if p is None:
        p = _PATTERNS[key] = _split_pattern(delimiter, words)
    return p


# The server version the reader takes the part of, for version comments: MariaDB 10.11.
SERVER_VERSION = 101100


def _executed(mariadb_only: str, version: str) -> bool:
    """Whether ``/*!NNNNN ... */`` (``/*M!NNNNNN`` for MariaDB only) runs on the server."""
    return not version or int(version) <= SERVER_VERSION


def split_script(text: str, file: str | None = None) -> tuple[Source, list[Statement]]:
    """Split a script into statements as the ``mysql`` client does.

    Returns the :class:`Source` (the text with version-comment markers blanked) and the
    statements in order. ``DELIMITER`` lines are consumed, not returned.
    """
    blanks: list[tuple[int, int]] = []
    spans: list[tuple[int, int, str]] = []
    delimiter = ";"
    pos = 0
    start = 0
    first: str | None = None  # first word of the current statement, "" if it starts otherwise
    in_version_comment = False
    n = len(text)
    while pos < n:
        m = _pattern(delimiter, first is None).search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        if kind == "d":
            if first is not None:
                spans.append((start, m.start(), first))
            pos = start = m.end()
            first = None
            continue
        pos = m.end()
        if kind in ("c", "bc"):
            continue
        if kind == "x":
            if _executed(m.group("xm"), m.group("xv")):
                blanks.append((m.start(), m.end()))
                in_version_comment = True
                continue
            close = text.find("*/", pos)  # for a later server: a comment
            if close == -1:
                raise Source(text, file).error(_UNTERMINATED["/*"], m.start())
            pos = close + 2
            continue
        if kind == "xc":
            if in_version_comment:
                blanks.append((m.start(), m.end()))
                in_version_comment = False
            elif first is None:
                first = ""
            continue
        if kind == "bad":
            src = Source(text, file)
            raise src.error(_UNTERMINATED[m.group()], m.start())
        if first is not None:
            continue
        if kind == "w" and m.group().upper() == "DELIMITER":
            eol = text.find("\n", pos)
            eol = n if eol == -1 else eol
            rest = text[pos:eol].split()
            if not rest:
                raise Source(text, file).error("DELIMITER needs a delimiter", m.start())
            delimiter = rest[0]
            pos = start = eol
            continue
        first = m.group().upper() if kind == "w" else ""
    if first is not None:
        spans.append((start, n, first))
    if blanks:
        out: list[str] = []
        last = 0
        for a, b in blanks:
            out.append(text[last:a])
            out.append(" " * (b - a))
            last = b
        out.append(text[last:])
        text = "".join(out)
    src = Source(text, file)
    return src, [Statement(a, b, f, src) for a, b, f in spans]


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
 (?P<ws>\s+)
|(?P<comment>--(?=[ \t\r\n\f\v]|$)[^\n]*|\#[^\n]*|/\*.*?\*/)
|(?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
|(?P<qident>`(?:[^`]|``)*`)
|(?P<hex>[xX]'[0-9A-Fa-f]*'|0x[0-9A-Fa-f]+\b)
|(?P<bits>[bB]'[01]*'|0b[01]+\b)
|(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z_$]))
|(?P<var>@@?(?:[A-Za-z0-9_$.]+|'(?:[^'\\]|\\.|'')*'|`(?:[^`]|``)*`|"(?:[^"\\]|\\.|"")*")?)
|(?P<word>[A-Za-z0-9_$\x80-\U0010ffff]+)
|(?P<op><=>|->>|->|:=|<<|>>|<=|>=|<>|!=|\|\||&&|[-+*/%&|^~!<>=,;().:{}?\[\]])
|(?P<bad>.)
""",
    re.S | re.X,
)


def tokenize(src: Source, start: int = 0, end: int | None = None) -> list[Tok]:
    toks: list[Tok] = []
    text = src.text
    for m in _TOKEN_RE.finditer(text, start, len(text) if end is None else end):
        kind = m.lastgroup or "op"
        if kind in ("ws", "comment"):
            continue
        if kind == "bad":
            raise src.error(f"unexpected character {m.group()!r}", m.start())
        toks.append(Tok(kind, m.start(), m.end(), m.group()))
    return toks


# Statements that change no schema: skipped without a word.
_SKIPPED = frozenset(
    (
        "INSERT",
        "REPLACE",
        "UPDATE",
        "DELETE",
        "SELECT",
        "WITH",
        "VALUES",
        "SET",
        "LOCK",
        "UNLOCK",
        "START",
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "FLUSH",
        "ANALYZE",
        "OPTIMIZE",
        "REPAIR",
        "CHECKSUM",
        "SHOW",
        "DESCRIBE",
        "DESC",
        "EXPLAIN",
        "LOAD",
        "CALL",
        "DO",
        "HANDLER",
        "TRUNCATE",
        "PREPARE",
        "EXECUTE",
        "DEALLOCATE",
        "XA",
        "CHECK",
        "SOURCE",
        "",
    )
)

# --------------------------------------------------------------------------------------------
# Parsed statements (mutable: ALTER TABLE edits them)
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DefaultDef:
    """A DEFAULT clause: ``kind`` null|number|string|bool|bits|hex|now|expr and its text
    (a string's decoded value; an expression's text without the outer parentheses)."""

    kind: str
    text: str


@dataclass(slots=True)
class ColumnDef:
    name: str
    raw: RawType
    type: DataType = field(default_factory=lambda: DataType(name=""))
    collation: str | None = None  # effective collation, resolved when the column is created
    explicit_collation: str | None = None  # COLLATE among the column attributes
    notnull: bool = False
    default: DefaultDef | None = None
    auto_increment: bool = False
    on_update: str | None = None
    generated: str | None = None
    stored: bool = False
    comment: str | None = None
    serial: bool = False  # SERIAL or SERIAL DEFAULT VALUE: NOT NULL AUTO_INCREMENT UNIQUE
    no_default: bool = False  # ALTER ... DROP DEFAULT: no default, not even the zero date
    json_check: bool = False  # JSON: the server adds CHECK (json_valid(col)) if none is given
    origin: Origin | None = None


@dataclass(slots=True)
class KeyPart:
    column: str | None
    length: int | None = None
    desc: bool = False
    expr: str | None = None


@dataclass(slots=True)
class KeyDef:
    kind: Literal["primary", "unique", "index", "fulltext", "spatial"]
    name: str | None
    parts: list[KeyPart]
    using: str | None = None  # btree, hash, rtree
    comment: str | None = None
    generated: bool = False  # added for a foreign key without an index
    origin: Origin | None = None

    def columns(self) -> list[str]:
        return [p.column or "" for p in self.parts]


@dataclass(slots=True)
class FkDef:
    name: str | None
    columns: list[str]
    ref_db: str | None
    ref_table: str
    ref_columns: list[str]
    # What the server records when no action is written (InnoDB treats NO ACTION the same).
    on_delete: ReferentialAction = "RESTRICT"
    on_update: ReferentialAction = "RESTRICT"
    index_name: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class CheckDef:
    name: str | None
    expr: str
    column: str | None = None  # a column-level check (named after the column)
    origin: Origin | None = None


@dataclass(slots=True)
class TableOptions:
    engine: str | None = None
    charset: str | None = None
    collation: str | None = None
    comment: str | None = None
    create_options: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class TableDef:
    name: str
    schema: str | None = None  # as written: CREATE TABLE db.t
    columns: list[ColumnDef] = field(default_factory=list)
    keys: list[KeyDef] = field(default_factory=list)
    fks: list[FkDef] = field(default_factory=list)
    checks: list[CheckDef] = field(default_factory=list)
    options: TableOptions = field(default_factory=TableOptions)
    engine: str = DEFAULT_ENGINE
    collation: str = DEFAULT_COLLATION
    if_not_exists: bool = False
    or_replace: bool = False
    like: tuple[str | None, str] | None = None
    origin: Origin | None = None

    def column(self, name: str) -> ColumnDef | None:
        low = name.lower()
        return next((c for c in self.columns if c.name.lower() == low), None)

    def key(self, name: str) -> KeyDef | None:
        low = name.lower()
        return next((k for k in self.keys if k.name is not None and k.name.lower() == low), None)


@dataclass(slots=True)
class IndexStmt:
    table: tuple[str | None, str]
    key: KeyDef
    if_not_exists: bool = False
    origin: Origin | None = None


AlterKind = Literal[
    "add_column",
    "add_key",
    "add_fk",
    "add_check",
    "drop_column",
    "drop_key",
    "drop_primary",
    "drop_fk",
    "drop_constraint",
    "modify",
    "rename_column",
    "set_default",
    "drop_default",
    "rename_key",
    "rename_table",
    "options",
    "convert",
]


@dataclass(slots=True)
class AlterAction:
    kind: AlterKind
    column: ColumnDef | None = None
    old: str = ""
    new: str = ""
    position: tuple[str, str] | None = None  # ("FIRST", "") or ("AFTER", column)
    keys: list[KeyDef] = field(default_factory=list)
    fk: FkDef | None = None
    check: CheckDef | None = None
    default: DefaultDef | None = None
    children: list[AlterAction] = field(default_factory=list)  # ADD (col, col ...)
    options: TableOptions | None = None
    if_exists: bool = False
    new_schema: str | None = None
    origin: Origin | None = None


@dataclass(slots=True)
class AlterStmt:
    table: tuple[str | None, str]
    actions: list[AlterAction]
    origin: Origin | None = None


@dataclass(slots=True)
class ViewDef:
    name: str
    schema: str | None
    query: str
    columns: list[str]
    algorithm: str | None = None
    security: str | None = None
    check_option: Literal["LOCAL", "CASCADED"] | None = None
    or_replace: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class TriggerDef:
    name: str
    schema: str | None
    table: tuple[str | None, str]
    timing: Literal["BEFORE", "AFTER"]
    event: str
    body: str
    or_replace: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class RoutineDef:
    kind: Literal["function", "procedure"]
    name: str
    schema: str | None
    params: list[tuple[str, str, str]]  # (mode, name, canonical type)
    returns: str | None
    body: str
    deterministic: bool = False
    data_access: str = "CONTAINS SQL"
    security_definer: bool = True
    comment: str | None = None
    or_replace: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class DropStmt:
    kind: Literal["TABLE", "VIEW", "INDEX", "TRIGGER", "PROCEDURE", "FUNCTION", "DATABASE"]
    names: list[tuple[str | None, str]]
    if_exists: bool = False
    table: tuple[str | None, str] | None = None  # DROP INDEX ... ON table
    origin: Origin | None = None


@dataclass(slots=True)
class RenameStmt:
    pairs: list[tuple[tuple[str | None, str], tuple[str | None, str]]]
    origin: Origin | None = None


@dataclass(slots=True)
class UseStmt:
    database: str
    origin: Origin | None = None


Parsed = (
    TableDef
    | IndexStmt
    | AlterStmt
    | ViewDef
    | TriggerDef
    | RoutineDef
    | DropStmt
    | RenameStmt
    | UseStmt
)


class _Skip(Exception):
    """A valid statement outside the model: reported as a warning and skipped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Ignore(Exception):
    """A valid statement with no effect on the model (CREATE DATABASE ...): skipped silently."""


# --------------------------------------------------------------------------------------------
# Statement parser
# --------------------------------------------------------------------------------------------

_ACTIONS: dict[str, ReferentialAction] = {
    "CASCADE": "CASCADE",
    "RESTRICT": "RESTRICT",
    "SET NULL": "SET NULL",
    "SET DEFAULT": "SET DEFAULT",
    "NO ACTION": "NO ACTION",
}
_NOW_WORDS = frozenset(("CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"))
_NOW_CALL = re.compile(
    r"^\s*(?:(?:current_timestamp|localtime|localtimestamp)(?:\s*\(\s*(\d*)\s*\))?"
    r"|now\s*\(\s*(\d*)\s*\))\s*$",
    re.I,
)
_NAME_KINDS = frozenset(("word", "qident", "string"))
_COLUMN_STOP = frozenset(
    (
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "KEY",
        "INDEX",
        "FULLTEXT",
        "SPATIAL",
        "FOREIGN",
        "CHECK",
        "PERIOD",
    )
)
# Table options the server lists in information_schema.TABLES.CREATE_OPTIONS when given.
CREATE_OPTIONS = frozenset(
    (
        "row_format",
        "key_block_size",
        "stats_persistent",
        "stats_auto_recalc",
        "stats_sample_pages",
        "checksum",
        "pack_keys",
        "max_rows",
        "min_rows",
        "delay_key_write",
        "page_checksum",
        "transactional",
        "page_compressed",
        "page_compression_level",
        "encrypted",
        "encryption_key_id",
        "avg_row_length",
    )
)
_IGNORED_TABLE_OPTIONS = frozenset(
    (
        "AUTO_INCREMENT",
        "DATA",
        "INDEX",
        "CONNECTION",
        "PASSWORD",
        "INSERT_METHOD",
        "UNION",
        "TABLESPACE",
        "STORAGE",
        "COMPRESSION",
        "ENCRYPTION",
        "ENGINE_ATTRIBUTE",
        "SECONDARY_ENGINE",
        "SECONDARY_ENGINE_ATTRIBUTE",
        "AUTOEXTEND_SIZE",
        "IETF_QUOTES",
        "SEQUENCE",
        "WITH",
    )
)


class _Parser(TokenCursor):
    def __init__(self, src: Source, toks: list[Tok]) -> None:
        super().__init__(src, toks)
        self.notes: list[tuple[str, int]] = []  # warnings: (message, offset)

    # -- helpers ----------------------------------------------------------------------------

    def name(self, what: str = "a name") -> str:
        t = self.peek()
        if t is None or t.kind not in ("word", "qident"):
            raise self.unexpected(what)
        self.i += 1
        return unquote_ident(t.text) if t.kind == "qident" else t.text

    def name_or_string(self, what: str) -> str:
        t = self.peek()
        if t is not None and t.kind == "string":
            self.i += 1
            return unquote_string(t.text)
        return self.name(what)

    def string(self, what: str = "a string") -> str:
        t = self.peek()
        if t is None or t.kind != "string":
            raise self.unexpected(what)
        self.i += 1
        value = unquote_string(t.text)
        while (n := self.peek()) is not None and n.kind == "string":  # 'a' 'b' is 'ab'
            value += unquote_string(n.text)
            self.i += 1
        return value

    def integer(self, what: str = "a number") -> int:
        t = self.peek()
        if t is None or t.kind != "number" or not t.text.isdigit():
            raise self.unexpected(what)
        self.i += 1
        return int(t.text)

    def paren_expr(self, what: str) -> str:
        """``( expr )``: the text inside the parentheses, checked with sqlglot."""
        self.expect_op("(")
        i, j = self.balanced()
        self.expect_op(")")
        if i == j:
            raise self.error(f"empty {what}", self.toks[i - 1].end)
        return self.checked(i, j)

    def checked(self, i: int, j: int, kind: str = "expr") -> str:
        text = self.text(i, j)
        check_sqlglot(self.src, text, self.toks[i].start, kind, "mysql")
        return text

    def equals(self) -> None:
        self.accept_op("=")

    def skip_definer(self) -> None:
        """``DEFINER = user@host | CURRENT_USER[()] | CURRENT_ROLE``: owners are not modelled."""
        self.equals()
        if self.accept("CURRENT_USER") or self.accept("CURRENT_ROLE"):
            if self.accept_op("("):
                self.expect_op(")")
            return
        t = self.peek()
        if t is None or t.kind not in ("word", "qident", "string"):
            raise self.unexpected("a user name")
        self.i += 1
        t = self.peek()
        if t is not None and t.kind == "var" and t.start == self.toks[self.i - 1].end:
            self.i += 1  # @host, @`host`, @'host' (glued to the user name)
        elif self.accept_op("@"):
            self.name_or_string("a host name")

    # -- statements -------------------------------------------------------------------------

    def statement(self, first: str) -> Parsed:
        start = self.offset()
        self.i += 1
        if first == "CREATE":
            return self.create(start)
        if first == "ALTER":
            return self.alter(start)
        if first == "DROP":
            return self.drop(start)
        if first == "RENAME":
            return self.rename(start)
        if first == "USE":
            db = self.name("a database name")
            self.accept_op(";")
            self.expect_end()
            return UseStmt(db, self.origin(start))
        raise self.error(f"unexpected statement {first}")

    def create(self, start: int) -> Parsed:
        or_replace = self.accept("OR", "REPLACE")
        algorithm: str | None = None
        security: str | None = None
        temporary = False
        while True:
            if self.accept("DEFINER"):
                self.skip_definer()
            elif self.accept("ALGORITHM"):
                self.equals()
                algorithm = self.word()
                if algorithm not in ("UNDEFINED", "MERGE", "TEMPTABLE"):
                    raise self.unexpected("UNDEFINED, MERGE or TEMPTABLE")
                self.i += 1
            elif self.accept("SQL", "SECURITY"):
                security = self.word()
                if security not in ("DEFINER", "INVOKER"):
                    raise self.unexpected("DEFINER or INVOKER")
                self.i += 1
            elif self.accept("TEMPORARY"):
                temporary = True
            else:
                break
        kw = self.word()
        if temporary:
            if kw == "TABLE":
                raise _Skip("CREATE TEMPORARY TABLE is not part of the schema; skipped", start)
            raise self.unexpected("TABLE")
        if kw in ("UNIQUE", "FULLTEXT", "SPATIAL", "INDEX"):
            return self.create_index(start, or_replace)
        self.i += 1
        if kw == "TABLE":
            return self.create_table(start, or_replace)
        if kw == "VIEW":
            return self.create_view(start, or_replace, algorithm, security)
        if kw == "TRIGGER":
            return self.create_trigger(start, or_replace)
        if kw in ("PROCEDURE", "FUNCTION"):
            return self.create_routine(start, kw, or_replace)
        if kw in ("DATABASE", "SCHEMA"):
            raise _Ignore()
        if kw == "AGGREGATE":
            raise _Skip("CREATE AGGREGATE FUNCTION is not modelled; skipped", start)
        if kw in ("EVENT", "SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE"):
            raise _Skip(f"CREATE {kw} is not modelled; skipped", start)
        self.i -= 1
        raise self.unexpected("TABLE, INDEX, VIEW, TRIGGER, PROCEDURE or FUNCTION")

    # ---- CREATE TABLE ---------------------------------------------------------------------

    def create_table(self, start: int, or_replace: bool) -> TableDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a table name")
        t = TableDef(
            name=name,
            schema=schema,
            if_not_exists=if_not_exists,
            or_replace=or_replace,
            origin=self.origin(start),
        )
        if self.accept("LIKE") or (self.is_op("(") and self.word(1) == "LIKE"):
            paren = self.toks[self.i - 1].text == "("
            if paren:
                self.i += 1
            t.like = self.qualified_name("a table name")
            if paren:
                self.expect_op(")")
            self.expect_end()
            return t
        if self.word() in ("AS", "SELECT", "WITH") or (
            self.is_op("(") and self.word(1) == "SELECT"
        ):
            raise _Skip(
                f"CREATE TABLE {name} ... SELECT is not modelled (its columns come from the "
                "query); skipped",
                start,
            )
        self.expect_op("(")
        while True:
            self.create_definition(t)
            if not self.accept_op(","):
                break
        self.expect_op(")")
        self.table_options(t.options, start)
        if self.word() in ("AS", "SELECT", "IGNORE", "REPLACE"):
            raise _Skip(
                f"CREATE TABLE {name} ... SELECT is not modelled (its rows and maybe columns "
                "come from the query); skipped",
                start,
            )
        self.expect_end()
        return t

    def create_definition(self, t: TableDef) -> None:
        at = self.offset()
        w = self.word()
        # These words are reserved (a column so named is quoted), except PERIOD.
        if w in _COLUMN_STOP and (w != "PERIOD" or self.word(1) == "FOR"):
            c = self.table_constraint(t.name)
            if isinstance(c, KeyDef):
                t.keys.append(c)
            elif isinstance(c, FkDef):
                t.fks.append(c)
                t.keys.append(self.fk_key(c))
            elif isinstance(c, CheckDef):
                t.checks.append(c)
            return
        col, keys, fk, check = self.column_def()
        if t.column(col.name) is not None:
            raise self.src.error(f"duplicate column name {col.name!r}", at)
        t.columns.append(col)
        t.keys.extend(keys)
        if fk is not None:
            t.fks.append(fk)
            t.keys.append(self.fk_key(fk))
        if check is not None:
            t.checks.append(check)

    def fk_key(self, fk: FkDef) -> KeyDef:
        return KeyDef(
            "index",
            fk.index_name or fk.name,
            [KeyPart(c) for c in fk.columns],
            generated=True,
            origin=fk.origin,
        )

    def column_def(self) -> tuple[ColumnDef, list[KeyDef], FkDef | None, CheckDef | None]:
        at = self.offset()
        name = self.name("a column name")
        type_at = self.offset()
        raw = self.data_type()
        col = ColumnDef(name=name, raw=raw, origin=self.origin(at))
        if raw.base == "serial":
            col.serial = col.notnull = True
        keys: list[KeyDef] = []
        fk: FkDef | None = None
        check: CheckDef | None = None
        primary_at: int | None = None  # where PRIMARY KEY (or KEY) was written
        unique_at: int | None = None  # where UNIQUE [KEY] was written
        while not self.at_end() and not self.is_op(",") and not self.is_op(")"):
            c_at = self.offset()
            if self.word() in ("FIRST", "AFTER"):  # ALTER TABLE ... ADD col ... AFTER x
                break
            if self.accept("NOT", "NULL"):
                col.notnull = True
            elif self.accept("NULL"):
                col.notnull = False
            elif self.accept("DEFAULT"):
                col.default = self.default_value()
            elif self.accept("AUTO_INCREMENT"):  # NOT NULL, unless a NULL follows
                col.auto_increment = col.notnull = True
            elif self.accept("SERIAL", "DEFAULT", "VALUE"):
                col.serial = col.notnull = True
            elif self.accept("UNIQUE"):
                self.accept("KEY")
                unique_at = unique_at if unique_at is not None else c_at
            elif self.accept("PRIMARY", "KEY") or self.accept("KEY"):
                primary_at = primary_at if primary_at is not None else c_at
            elif self.accept("COMMENT"):
                col.comment = self.string("a comment")
            elif self.accept("COLLATE"):
                self.equals()
                col.explicit_collation = canonical_collation(self.name_or_string("a collation"))
            elif self.accept("CHARACTER", "SET") or self.accept("CHARSET"):
                self.equals()
                cs = canonical_charset(self.name_or_string("a character set"))
                col.raw = replace(col.raw, charset=cs)
            elif self.accept("ON", "UPDATE"):
                col.on_update = self.now_function()
            elif self.word() in ("GENERATED", "AS"):
                if self.accept("GENERATED"):
                    self.expect("ALWAYS")
                self.expect("AS")
                if self.is_op("("):
                    col.generated = self.paren_expr("generated column expression")
                else:
                    raise self.unexpected("'('")
                if self.word() in ("VIRTUAL", "STORED", "PERSISTENT"):
                    col.stored = self.word() != "VIRTUAL"
                    self.i += 1
            elif self.word() in ("VIRTUAL", "STORED", "PERSISTENT"):
                col.stored = self.word() != "VIRTUAL"
                self.i += 1
            elif self.accept("CONSTRAINT"):
                cname = None if self.word() == "CHECK" else self.name("a constraint name")
                self.expect("CHECK")
                check = CheckDef(
                    cname, self.paren_expr("CHECK expression"), name, self.origin(c_at)
                )
                self.enforced()
            elif self.accept("CHECK"):
                check = CheckDef(None, self.paren_expr("CHECK expression"), name, self.origin(c_at))
                self.enforced()
            elif self.accept("REFERENCES"):
                fk = FkDef(None, [name], None, "", [], origin=self.origin(c_at))
                self.references(fk)
            elif self.accept("COLUMN_FORMAT") or self.accept("STORAGE"):
                if self.word() not in ("FIXED", "DYNAMIC", "DEFAULT", "DISK", "MEMORY"):
                    raise self.unexpected("FIXED, DYNAMIC, DEFAULT, DISK or MEMORY")
                self.i += 1
            elif self.word() in ("VISIBLE", "INVISIBLE"):
                self.i += 1
            elif self.accept("COMPRESSED"):
                if self.accept_op("="):
                    self.name("a compression method")
            elif self.accept("WITH", "SYSTEM", "VERSIONING") or self.accept(
                "WITHOUT", "SYSTEM", "VERSIONING"
            ):
                pass
            elif self.accept("SRID") or self.accept("REF_SYSTEM_ID"):
                self.equals()
                self.integer()
            elif self.accept("ENGINE_ATTRIBUTE") or self.accept("SECONDARY_ENGINE_ATTRIBUTE"):
                self.equals()
                self.string()
            else:
                raise self.unexpected("a column attribute")
        if col.serial:
            col.auto_increment = True
            unique_at = unique_at if unique_at is not None else type_at
        # The attributes are flags (sql_yacc.yy, field_spec): a primary key, else one unique
        # key, however often they are written (``PRIMARY KEY UNIQUE`` is the primary key).
        if primary_at is not None:
            keys.append(
                KeyDef("primary", "PRIMARY", [KeyPart(name)], origin=self.origin(primary_at))
            )
        elif unique_at is not None:
            keys.append(KeyDef("unique", None, [KeyPart(name)], origin=self.origin(unique_at)))
        return col, keys, fk, check

    def enforced(self) -> None:
        if self.accept("NOT", "ENFORCED"):
            raise self.error("CHECK ... NOT ENFORCED is not supported by MariaDB")
        self.accept("ENFORCED")

    def data_type(self) -> RawType:
        at = self.i
        toks = [
            (t.kind if t.kind in ("word", "string", "qident", "number", "op") else "op", t.text)
            for t in self.toks[self.i :]
        ]
        try:
            raw, n = parse_type_tokens(toks)
        except TypeSyntaxError as e:
            self.i = at + e.index
            if e.index == 0:
                raise self.unexpected("a data type") from None
            raise self.error(str(e)) from None
        self.i = at + n
        return raw

    def now_function(self) -> str:
        """CURRENT_TIMESTAMP[(n)], NOW([n]), LOCALTIME[(n)], LOCALTIMESTAMP[(n)]."""
        w = self.word()
        if w not in _NOW_WORDS:
            raise self.unexpected("CURRENT_TIMESTAMP")
        self.i += 1
        precision = 0
        if self.accept_op("("):
            if not self.is_op(")"):
                precision = self.integer("a precision")
            self.expect_op(")")
        elif w == "NOW":
            raise self.unexpected("'('")
        return f"current_timestamp({precision})" if precision else "current_timestamp()"

    def default_value(self) -> DefaultDef:
        t = self.peek()
        if t is None:
            raise self.unexpected("a default value")
        if t.kind == "op" and t.text == "(":
            text = self.paren_expr("DEFAULT expression")
            m = _NOW_CALL.match(text)
            if m:  # DEFAULT (NOW()) is DEFAULT CURRENT_TIMESTAMP
                precision = int(m.group(1) or m.group(2) or 0)
                return DefaultDef(
                    "now", f"current_timestamp({precision})" if precision else "current_timestamp()"
                )
            return DefaultDef("expr", text)
        if t.kind == "op" and t.text in "+-":
            self.i += 1
            n = self.peek()
            if n is None or n.kind != "number":
                raise self.unexpected("a number")
            self.i += 1
            return DefaultDef("number", ("-" if t.text == "-" else "") + n.text)
        if t.kind == "number":
            self.i += 1
            return DefaultDef("number", t.text)
        if t.kind == "string":
            return DefaultDef("string", self.string())
        if t.kind == "bits":
            self.i += 1
            digits = t.text[2:-1] if t.text[1] == "'" else t.text[2:]
            return DefaultDef("bits", digits)
        if t.kind == "hex":
            self.i += 1
            return DefaultDef("hex", t.text)
        if t.kind == "word":
            u = t.upper
            if u == "NULL":
                self.i += 1
                return DefaultDef("null", "NULL")
            if u in ("TRUE", "FALSE"):
                self.i += 1
                return DefaultDef("bool", "1" if u == "TRUE" else "0")
            nxt = self.peek(1)
            if (u.startswith("_") or u == "N") and nxt is not None and nxt.kind == "string":
                self.i += 1  # _utf8mb4'x', N'x'
                return DefaultDef("string", self.string())
            if u in _NOW_WORDS:
                return DefaultDef("now", self.now_function())
            if self.is_op("(", 1):  # a function call: uuid(), nextval(s) ...
                i = self.i
                self.i += 2
                self.balanced()
                self.expect_op(")")
                return DefaultDef("expr", self.checked(i, self.i))
        raise self.unexpected("a default value")

    def references(self, fk: FkDef) -> None:
        fk.ref_db, fk.ref_table = self.qualified_name("a table name")
        self.expect_op("(")
        fk.ref_columns = self.key_columns()
        if self.accept("MATCH"):
            if self.word() not in ("FULL", "PARTIAL", "SIMPLE"):
                raise self.unexpected("FULL, PARTIAL or SIMPLE")
            self.i += 1  # parsed and ignored by the server
        while self.accept("ON"):
            which = self.word()
            if which not in ("DELETE", "UPDATE"):
                raise self.unexpected("DELETE or UPDATE")
            self.i += 1
            action = self.referential_action()
            if which == "DELETE":
                fk.on_delete = action
            else:
                fk.on_update = action

    def referential_action(self) -> ReferentialAction:
        for words in (("SET", "NULL"), ("SET", "DEFAULT"), ("NO", "ACTION"), ("CASCADE",)):
            if self.accept(*words):
                return _ACTIONS[" ".join(words)]
        if self.accept("RESTRICT"):
            return "RESTRICT"
        raise self.unexpected("a referential action")

    def key_columns(self) -> list[str]:
        """``a, b ... )`` of a foreign key (``(`` consumed): plain column names."""
        names = [self.name("a column name")]
        while self.accept_op(","):
            names.append(self.name("a column name"))
        self.expect_op(")")
        return names

    def key_parts(self) -> list[KeyPart]:
        """``(col [(len)] [ASC|DESC], (expr) [ASC|DESC] ...)``."""
        self.expect_op("(")
        parts: list[KeyPart] = []
        while True:
            if self.is_op("("):
                part = KeyPart(None, expr=self.paren_expr("index expression"))
            else:
                part = KeyPart(self.name("a column name"))
                if self.accept_op("("):
                    part.length = self.integer("a prefix length")
                    self.expect_op(")")
            if self.accept("DESC"):
                part.desc = True
            else:
                self.accept("ASC")
            parts.append(part)
            if not self.accept_op(","):
                break
        self.expect_op(")")
        return parts

    def index_options(self, key: KeyDef) -> None:
        while True:
            if self.accept("USING") or self.accept("TYPE"):
                key.using = self.index_type()
            elif self.accept("COMMENT"):
                key.comment = self.string("a comment")
            elif self.accept("KEY_BLOCK_SIZE"):
                self.equals()
                self.integer()
            elif self.accept("WITH", "PARSER"):
                self.name("a parser name")
            elif self.word() in ("VISIBLE", "INVISIBLE", "IGNORED"):
                self.i += 1
            elif self.accept("NOT", "IGNORED"):
                pass
            elif self.accept("CLUSTERING"):
                self.equals()
                self.name()
            elif self.accept("ENGINE_ATTRIBUTE") or self.accept("SECONDARY_ENGINE_ATTRIBUTE"):
                self.equals()
                self.string()
            else:
                return

    def index_type(self) -> str:
        w = self.word()
        if w not in ("BTREE", "HASH", "RTREE"):
            raise self.unexpected("BTREE, HASH or RTREE")
        self.i += 1
        return w.lower()

    def key_body(
        self,
        kind: Literal["primary", "unique", "index", "fulltext", "spatial"],
        name: str | None,
        at: int,
    ) -> KeyDef:
        """``[name] [USING type] (parts) [options]`` of a key definition (a primary key's
        name is accepted and ignored, as the server does: it is always ``PRIMARY``)."""
        if not self.is_op("(") and self.word() not in ("USING", "TYPE"):
            written = self.name("an index name")
            if kind != "primary":
                name = written
        key = KeyDef(kind, name, [], origin=self.origin(at))
        if self.accept("USING") or self.accept("TYPE"):
            key.using = self.index_type()
        key.parts = self.key_parts()
        self.index_options(key)
        return key

    def table_constraint(self, table: str) -> KeyDef | FkDef | CheckDef:
        at = self.offset()
        cname: str | None = None
        if self.accept("CONSTRAINT") and self.word() not in (
            "PRIMARY",
            "UNIQUE",
            "FOREIGN",
            "CHECK",
        ):
            cname = self.name("a constraint name")
        if self.accept("PRIMARY", "KEY"):
            return self.key_body("primary", "PRIMARY", at)
        if self.accept("UNIQUE"):
            if not self.accept("KEY"):
                self.accept("INDEX")
            key = self.key_body("unique", None, at)
            if key.name is None:
                key.name = cname
            return key
        if self.accept("FOREIGN", "KEY"):
            self.accept("IF", "NOT", "EXISTS")
            index_name = None if self.is_op("(") else self.name("an index name")
            self.expect_op("(")
            cols = self.key_columns()
            self.expect("REFERENCES")
            # MariaDB names the constraint after the index when only that is given.
            fk = FkDef(
                cname or index_name,
                cols,
                None,
                "",
                [],
                index_name=index_name,
                origin=self.origin(at),
            )
            self.references(fk)
            if len(fk.ref_columns) != len(cols):
                raise self.error(
                    "the foreign key and the referenced key have different numbers of columns",
                    at,
                )
            return fk
        if self.accept("CHECK"):
            expr = self.paren_expr("CHECK expression")
            self.enforced()
            return CheckDef(cname, expr, origin=self.origin(at))
        if cname is not None:
            raise self.unexpected("PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK")
        if self.accept("FULLTEXT") or self.accept("SPATIAL"):
            kind: Literal["fulltext", "spatial"] = (
                "fulltext" if self.toks[self.i - 1].upper == "FULLTEXT" else "spatial"
            )
            if not self.accept("KEY"):
                self.accept("INDEX")
            return self.key_body(kind, None, at)
        if self.accept("KEY") or self.accept("INDEX"):
            self.accept("IF", "NOT", "EXISTS")
            return self.key_body("index", None, at)
        if self.accept("PERIOD"):
            raise self.error(
                "PERIOD FOR (system-versioned and application-time periods) is not supported"
            )
        raise self.unexpected("a column or a constraint")

    def table_options(self, opts: TableOptions, start: int) -> None:
        while not self.at_end():
            at = self.offset()
            if self.table_option(opts):
                pass
            elif self.word() == "PARTITION":
                self.notes.append(
                    ("PARTITION BY is not modelled; the table is read without it", at)
                )
                self.i = len(self.toks)
                return
            elif self.word() in ("AS", "SELECT", "IGNORE", "REPLACE"):
                return
            else:
                raise self.unexpected("a table option")
            self.accept_op(",")

    def table_option(self, opts: TableOptions) -> bool:
        """One table option (CREATE or ALTER TABLE) into ``opts``; False if none is here."""
        at = self.i
        self.accept("DEFAULT")
        if self.accept("ENGINE") or self.accept("TYPE"):
            self.equals()
            opts.engine = canonical_engine(self.name_or_string("an engine name"))
        elif (
            self.accept("CHARACTER", "SET") or self.accept("CHARSET") or self.accept("CHAR", "SET")
        ):
            self.equals()
            opts.charset = canonical_charset(self.name_or_string("a character set"))
        elif self.accept("COLLATE"):
            self.equals()
            opts.collation = canonical_collation(self.name_or_string("a collation"))
        elif self.accept("COMMENT"):
            self.equals()
            opts.comment = self.string("a comment")
        elif self.word().lower() in CREATE_OPTIONS:
            key = self.word().lower()
            self.i += 1
            self.equals()
            opts.create_options[key] = self.option_value(key)
        elif self.word() in _IGNORED_TABLE_OPTIONS:
            self.skip_option()
        else:
            self.i = at
            return False
        return True

    def option_value(self, key: str) -> str:
        t = self.peek()
        if t is None:
            raise self.unexpected("a value")
        self.i += 1
        if t.kind == "string":
            value = unquote_string(t.text)
        elif t.kind == "qident":
            value = unquote_ident(t.text)
        else:
            value = t.text
        if key == "row_format":
            return value.upper()
        if key == "encrypted":
            return value.upper()
        if value.upper() == "DEFAULT":
            return "DEFAULT"
        return value

    def skip_option(self) -> None:
        w = self.word()
        self.i += 1
        if w in ("DATA", "INDEX"):
            self.expect("DIRECTORY")
        if w == "STORAGE":
            self.i += 1
            return
        if w == "WITH":
            self.expect("SYSTEM", "VERSIONING")
            return
        self.equals()
        if self.accept_op("("):
            self.balanced()
            self.expect_op(")")
            return
        t = self.peek()
        if t is None:
            raise self.unexpected("a value")
        self.i += 1

    # ---- CREATE INDEX ---------------------------------------------------------------------

    def create_index(self, start: int, or_replace: bool) -> IndexStmt:
        kind: Literal["unique", "index", "fulltext", "spatial"] = "index"
        if self.accept("UNIQUE"):
            kind = "unique"
        elif self.accept("FULLTEXT"):
            kind = "fulltext"
        elif self.accept("SPATIAL"):
            kind = "spatial"
        self.expect("INDEX")
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        name = self.name("an index name")
        key = KeyDef(kind, name, [], origin=self.origin(start))
        if self.accept("USING") or self.accept("TYPE"):
            key.using = self.index_type()
        self.expect("ON")
        table = self.qualified_name("a table name")
        key.parts = self.key_parts()
        self.index_options(key)
        while self.word() in ("ALGORITHM", "LOCK", "WAIT", "NOWAIT"):
            w = self.word()
            self.i += 1
            if w == "NOWAIT":
                continue
            self.equals()
            self.i += 1
        self.expect_end()
        return IndexStmt(table, key, if_not_exists or or_replace, self.origin(start))

    # ---- ALTER TABLE ----------------------------------------------------------------------

    def alter(self, start: int) -> AlterStmt:
        self.accept("ONLINE")
        self.accept("IGNORE")
        if self.word() in ("DATABASE", "SCHEMA"):
            raise _Skip("ALTER DATABASE describes the environment; skipped", start)
        if self.word() in (
            "VIEW",
            "EVENT",
            "PROCEDURE",
            "FUNCTION",
            "SEQUENCE",
            "USER",
            "SERVER",
            "TABLESPACE",
            "LOGFILE",
            "INSTANCE",
        ):
            raise _Skip(f"ALTER {self.word()} is not modelled; skipped", start)
        self.expect("TABLE")
        self.accept("IF", "EXISTS")
        table = self.qualified_name("a table name")
        if self.accept("WAIT"):
            self.integer()
        self.accept("NOWAIT")
        actions: list[AlterAction] = []
        while not self.at_end():
            a_at = self.offset()
            action = self.alter_action()
            if action is not None:
                action.origin = self.origin(a_at)
                actions.append(action)
            if not self.accept_op(","):
                break
        if self.word() in ("PARTITION", "REMOVE"):
            self.notes.append(
                ("partitioning is not modelled; PARTITION clause ignored", self.offset())
            )
            self.i = len(self.toks)
        self.expect_end()
        return AlterStmt(table, actions, self.origin(start))

    def position(self) -> tuple[str, str] | None:
        if self.accept("FIRST"):
            return ("FIRST", "")
        if self.accept("AFTER"):
            return ("AFTER", self.name("a column name"))
        return None

    def alter_action(self) -> AlterAction | None:
        at = self.offset()
        if self.accept("ADD"):
            w = self.word()
            if w in _COLUMN_STOP and (w != "PERIOD" or self.word(1) == "FOR"):
                c = self.table_constraint("")
                if isinstance(c, KeyDef):
                    return AlterAction("add_key", keys=[c])
                if isinstance(c, FkDef):
                    return AlterAction("add_fk", fk=c)
                return AlterAction("add_check", check=c)
            if self.word() == "PARTITION":
                raise _Skip("partition changes are not modelled; skipped", at)
            self.accept("COLUMN")
            if_not_exists = self.accept("IF", "NOT", "EXISTS")
            if self.accept_op("("):
                cols: list[AlterAction] = []
                while True:
                    col, keys, fk, check = self.column_def()
                    cols.append(self._column_action(col, keys, fk, check))
                    if not self.accept_op(","):
                        break
                self.expect_op(")")
                return AlterAction("add_column", children=cols)
            col, keys, fk, check = self.column_def()
            action = self._column_action(col, keys, fk, check)
            action.position = self.position()
            action.if_exists = if_not_exists
            return action
        if self.accept("DROP"):
            if self.accept("PRIMARY", "KEY"):
                return AlterAction("drop_primary")
            if self.accept("FOREIGN", "KEY"):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction(
                    "drop_fk", old=self.name("a constraint name"), if_exists=if_exists
                )
            if self.accept("INDEX") or self.accept("KEY"):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction("drop_key", old=self.name("an index name"), if_exists=if_exists)
            if self.accept("CONSTRAINT") or self.accept("CHECK"):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction(
                    "drop_constraint", old=self.name("a constraint name"), if_exists=if_exists
                )
            if self.word() == "PARTITION":
                raise _Skip("partition changes are not modelled; skipped", at)
            self.accept("COLUMN")
            if_exists = self.accept("IF", "EXISTS")
            name = self.name("a column name")
            if not self.accept("RESTRICT"):
                self.accept("CASCADE")
            return AlterAction("drop_column", old=name, if_exists=if_exists)
        if self.accept("MODIFY"):
            self.accept("COLUMN")
            self.accept("IF", "EXISTS")
            col, keys, fk, check = self.column_def()
            action = self._column_action(col, keys, fk, check)
            action.kind = "modify"
            action.old = col.name
            action.position = self.position()
            return action
        if self.accept("CHANGE"):
            self.accept("COLUMN")
            self.accept("IF", "EXISTS")
            old = self.name("a column name")
            col, keys, fk, check = self.column_def()
            action = self._column_action(col, keys, fk, check)
            action.kind = "modify"
            action.old = old
            action.position = self.position()
            return action
        if self.accept("ALTER"):
            if self.accept("INDEX") or self.accept("KEY"):
                self.name("an index name")
                if self.word() not in ("VISIBLE", "INVISIBLE", "IGNORED") and not self.accept(
                    "NOT", "IGNORED"
                ):
                    raise self.unexpected("VISIBLE, INVISIBLE or IGNORED")
                if self.word() in ("VISIBLE", "INVISIBLE", "IGNORED"):
                    self.i += 1
                return None
            if self.accept("CHECK") or self.accept("CONSTRAINT"):
                raise self.error("ALTER CHECK ... [NOT] ENFORCED is not supported by MariaDB")
            self.accept("COLUMN")
            self.accept("IF", "EXISTS")
            name = self.name("a column name")
            if self.accept("SET", "DEFAULT"):
                return AlterAction("set_default", old=name, default=self.default_value())
            if self.accept("DROP", "DEFAULT"):
                return AlterAction("drop_default", old=name)
            if self.word() in ("SET",) and self.word(1) in ("VISIBLE", "INVISIBLE"):
                self.i += 2
                return None
            raise self.unexpected("SET DEFAULT or DROP DEFAULT")
        if self.accept("RENAME"):
            if self.accept("COLUMN"):
                old = self.name("a column name")
                self.expect("TO")
                return AlterAction("rename_column", old=old, new=self.name("a column name"))
            if self.accept("INDEX") or self.accept("KEY"):
                old = self.name("an index name")
                self.expect("TO")
                return AlterAction("rename_key", old=old, new=self.name("an index name"))
            if not self.accept("TO"):
                self.accept("AS")
            schema, name = self.qualified_name("a table name")
            return AlterAction("rename_table", new=name, new_schema=schema)
        if self.accept("CONVERT", "TO"):
            if not (self.accept("CHARACTER", "SET") or self.accept("CHARSET")):
                raise self.unexpected("CHARACTER SET")
            opts = TableOptions()
            opts.charset = canonical_charset(self.name_or_string("a character set"))
            if self.accept("COLLATE"):
                opts.collation = canonical_collation(self.name_or_string("a collation"))
            return AlterAction("convert", options=opts)
        if self.word() in ("ALGORITHM", "LOCK"):
            self.i += 1
            self.equals()
            self.i += 1
            return None
        if self.word() in ("FORCE", "VALIDATION", "WITHOUT", "WITH"):
            if self.accept("WITH", "VALIDATION") or self.accept("WITHOUT", "VALIDATION"):
                return None
            if self.accept("FORCE"):
                return None
        if self.accept("DISABLE", "KEYS") or self.accept("ENABLE", "KEYS"):
            return None
        if self.accept("ORDER", "BY"):
            self.balanced(stop_ops=frozenset((",",)))
            return None
        if self.word() in ("DISCARD", "IMPORT") and self.word(1) == "TABLESPACE":
            self.i += 2
            return None
        opts = TableOptions()
        before = self.i
        self._alter_options(opts)
        if self.i == before:
            raise self.unexpected("an ALTER TABLE action")
        return AlterAction("options", options=opts)

    def _alter_options(self, opts: TableOptions) -> None:
        """Table options inside ALTER TABLE (up to the next ``,``)."""
        while not self.at_end() and not self.is_op(",") and self.table_option(opts):
            pass

    def _column_action(
        self, col: ColumnDef, keys: list[KeyDef], fk: FkDef | None, check: CheckDef | None
    ) -> AlterAction:
        return AlterAction("add_column", column=col, keys=keys, fk=fk, check=check)

    # ---- CREATE VIEW ----------------------------------------------------------------------

    def create_view(
        self, start: int, or_replace: bool, algorithm: str | None, security: str | None
    ) -> ViewDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a view name")
        columns: list[str] = []
        if self.accept_op("("):
            columns = self.key_columns()
        self.expect("AS")
        i = self.i
        check_option: Literal["LOCAL", "CASCADED"] | None = None
        j = len(self.toks)
        # WITH [CASCADED | LOCAL] CHECK OPTION at the end
        if j - i >= 3 and self.toks[-1].upper == "OPTION" and self.toks[-2].upper == "CHECK":
            k = j - 3
            if self.toks[k].upper in ("CASCADED", "LOCAL"):
                check_option = "LOCAL" if self.toks[k].upper == "LOCAL" else "CASCADED"
                k -= 1
            else:
                check_option = "CASCADED"
            if self.toks[k].upper != "WITH":
                raise self.error("expected WITH ... CHECK OPTION", self.toks[k].start)
            j = k
        if i >= j:
            raise self.unexpected("a SELECT statement")
        query = self.checked(i, j, "query")
        self.i = len(self.toks)
        return ViewDef(
            name=name,
            schema=schema,
            query=query,
            columns=columns,
            algorithm=algorithm,
            security=security,
            check_option=check_option,
            or_replace=or_replace,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    # ---- CREATE TRIGGER -------------------------------------------------------------------

    def create_trigger(self, start: int, or_replace: bool) -> TriggerDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a trigger name")
        timing = self.word()
        if timing not in ("BEFORE", "AFTER"):
            raise self.unexpected("BEFORE or AFTER")
        self.i += 1
        event = self.word()
        if event not in ("INSERT", "UPDATE", "DELETE"):
            raise self.unexpected("INSERT, UPDATE or DELETE")
        self.i += 1
        self.expect("ON")
        table = self.qualified_name("a table name")
        self.expect("FOR", "EACH", "ROW")
        if self.word() in ("FOLLOWS", "PRECEDES"):
            self.i += 1
            self.name("a trigger name")
        if self.at_end():
            raise self.unexpected("a trigger body")
        body = self.src.text[self.toks[self.i].start : self.toks[-1].end].strip()
        self.i = len(self.toks)
        return TriggerDef(
            name=name,
            schema=schema,
            table=table,
            timing="BEFORE" if timing == "BEFORE" else "AFTER",
            event=event,
            body=body,
            or_replace=or_replace,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    # ---- CREATE PROCEDURE / FUNCTION ------------------------------------------------------

    def create_routine(self, start: int, kw: str, or_replace: bool) -> RoutineDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a routine name")
        self.expect_op("(")
        params: list[tuple[str, str, str]] = []
        if not self.is_op(")"):
            while True:
                mode = "IN"
                if kw == "PROCEDURE" and self.word() in ("IN", "OUT", "INOUT"):
                    mode = self.word()
                    self.i += 1
                pname = self.name("a parameter name")
                ptype = str(canonical_type(self.data_type()))
                params.append((mode, pname, ptype))
                if not self.accept_op(","):
                    break
        self.expect_op(")")
        returns: str | None = None
        if kw == "FUNCTION":
            if self.word() == "RETURNS":
                self.i += 1
                returns = str(canonical_type(self.data_type()))
            elif self.word() == "AGGREGATE" or self.word() == "SONAME":
                raise _Skip("loadable (UDF) functions are not modelled; skipped", start)
            else:
                raise self.unexpected("RETURNS")
        r = RoutineDef(
            kind="function" if kw == "FUNCTION" else "procedure",
            name=name,
            schema=schema,
            params=params,
            returns=returns,
            body="",
            or_replace=or_replace,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )
        while True:
            if self.accept("COMMENT"):
                r.comment = self.string("a comment")
            elif self.accept("LANGUAGE", "SQL"):
                pass
            elif self.accept("NOT", "DETERMINISTIC"):
                r.deterministic = False
            elif self.accept("DETERMINISTIC"):
                r.deterministic = True
            elif self.accept("CONTAINS", "SQL"):
                r.data_access = "CONTAINS SQL"
            elif self.accept("NO", "SQL"):
                r.data_access = "NO SQL"
            elif self.accept("READS", "SQL", "DATA"):
                r.data_access = "READS SQL DATA"
            elif self.accept("MODIFIES", "SQL", "DATA"):
                r.data_access = "MODIFIES SQL DATA"
            elif self.accept("SQL", "SECURITY"):
                if self.word() not in ("DEFINER", "INVOKER"):
                    raise self.unexpected("DEFINER or INVOKER")
                r.security_definer = self.word() == "DEFINER"
                self.i += 1
            else:
                break
        if self.at_end():
            raise self.unexpected("a routine body")
        r.body = self.src.text[self.toks[self.i].start : self.toks[-1].end].strip()
        self.i = len(self.toks)
        return r

    # ---- DROP / RENAME --------------------------------------------------------------------

    def drop(self, start: int) -> DropStmt:
        self.accept("TEMPORARY")
        kw = self.word()
        if kw == "SCHEMA":
            kw = "DATABASE"
        if kw not in (
            "TABLE",
            "TABLES",
            "VIEW",
            "INDEX",
            "TRIGGER",
            "PROCEDURE",
            "FUNCTION",
            "DATABASE",
        ):
            if kw in ("EVENT", "SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE"):
                raise _Skip(f"DROP {kw} is not modelled; skipped", start)
            raise self.unexpected("TABLE, VIEW, INDEX, TRIGGER, PROCEDURE or FUNCTION")
        self.i += 1
        if kw == "TABLES":
            kw = "TABLE"
        if_exists = self.accept("IF", "EXISTS")
        if kw == "INDEX":
            name = self.name("an index name")
            self.expect("ON")
            table = self.qualified_name("a table name")
            while self.word() in ("ALGORITHM", "LOCK"):
                self.i += 1
                self.equals()
                self.i += 1
            self.expect_end()
            return DropStmt("INDEX", [(None, name)], if_exists, table, self.origin(start))
        names = [self.qualified_name()]
        while self.accept_op(","):
            names.append(self.qualified_name())
        if not self.accept("RESTRICT"):
            self.accept("CASCADE")
        self.expect_end()
        return DropStmt(kw, names, if_exists, None, self.origin(start))  # type: ignore[arg-type]

    def rename(self, start: int) -> RenameStmt:
        if not self.accept("TABLE"):
            self.expect("TABLES")
        pairs = []
        while True:
            old = self.qualified_name("a table name")
            self.expect("TO")
            pairs.append((old, self.qualified_name("a table name")))
            if not self.accept_op(","):
                break
        self.expect_end()
        return RenameStmt(pairs, self.origin(start))


# --------------------------------------------------------------------------------------------
# What the server decides (shared with the catalog reader where it applies)
# --------------------------------------------------------------------------------------------


def _covered(a: KeyDef, b: KeyDef) -> bool:
    """MariaDB's foreign_key_prefix() == 0: one key is generated (for a foreign key) and its
    parts are a prefix of the other's (a key written USING HASH covers nothing)."""
    if "hash" in (a.using, b.using):
        return False
    if a.generated:
        if b.generated and len(a.parts) > len(b.parts):
            a, b = b, a
    else:
        if not b.generated:
            return False
        a, b = b, a
    if len(a.parts) > len(b.parts):
        return False
    for p, q in zip(a.parts, b.parts, strict=False):
        if p.column is None or q.column is None:
            return False
        if p.column.lower() != q.column.lower() or p.length != q.length:
            return False
    return True


def settle_keys(keys: list[KeyDef]) -> list[KeyDef]:
    """The keys a table ends up with (mysql_prepare_create_table): a key generated for a
    foreign key is dropped when another key leads with its columns, and unnamed keys are
    named after their first column (``a``, ``a_2`` ...)."""
    ignored: set[int] = set()
    for n, key in enumerate(keys):
        for key2 in keys[:n]:
            if id(key2) in ignored:
                continue
            if _covered(key, key2):
                if not key2.generated or (key.generated and len(key.parts) < len(key2.parts)):
                    ignored.add(id(key))
                else:
                    ignored.add(id(key2))
                break
    kept = [k for k in keys if id(k) not in ignored]
    taken: set[str] = set()
    for k in kept:
        if k.name is None:
            k.name = unique_key_name(k.parts[0].column or "expr", taken)
        taken.add(k.name.lower())
    return kept


def rebuilt(
    t: TableDef,
    engine: str,
    given: set[str] | frozenset[str] = frozenset(),
    *,
    index_statement: bool = False,
) -> None:
    """A table the server wrote again (ALTER TABLE, CREATE/DROP INDEX, CREATE TABLE ... LIKE),
    ``engine`` its engine before: Aria writes its page checksum down as if it were given
    (``page_checksum=1``, the server's default), other engines forget one given before; an
    option ``given`` in the ALTER itself stays. CREATE and DROP INDEX (not ALTER TABLE) write
    an Aria table's row format down as what it is: PAGE, unless DYNAMIC or FIXED."""
    opts = t.options.create_options
    if index_statement and engine == "Aria" and opts.get("row_format") not in (None, *_ARIA_ROWS):
        opts["row_format"] = "PAGE"
    for k in t.keys:  # USING HASH: no order kept; written down as what it became, unless
        if k.using == "hash":  # the table was MEMORY (its hash then carries over)
            for p in k.parts:
                p.desc = False
            if engine != "MEMORY":
                k.using = None
    if "page_checksum" in given:
        return
    if engine == "Aria":
        opts.setdefault("page_checksum", "1")
    else:
        opts.pop("page_checksum", None)


_CHAR_LIKE = ("char", "varchar", "binary", "varbinary")
_ARIA_ROWS = ("DYNAMIC", "FIXED")  # Aria's row formats besides PAGE


def fit_prefixes(t: TableDef, keys: list[KeyDef]) -> None:
    """Key prefixes as the server keeps them: none on a column that is not a string (any
    more), nor one as long as a char/binary column (the whole column is the key part); a
    part of a plain index longer than the engine takes is cut to what it takes (with a
    warning), and a geometry column is a prefix of the most it takes (25 bytes: a point)."""
    limit = _KEY_LIMITS.get(t.engine, MAX_KEY_LENGTH)
    for k in keys:
        for p in k.parts:
            col = t.column(p.column) if p.column is not None else None
            if col is None or k.kind in ("fulltext", "spatial"):
                continue
            base = base_name(col.type)
            if base in SPATIAL_TYPES:
                if k.kind == "index":
                    p.length = 25 if base == "point" else limit
                continue
            if p.length is None and base not in _CHAR_LIKE:
                continue
            if base in _CHAR_LIKE:
                if col.type.args and p.length is not None and p.length >= int(col.type.args[0]):
                    p.length = None
            elif base not in TEXT_TYPES and base not in BLOB_TYPES:
                p.length = None
                continue
            if k.kind == "index":
                per_char = max_bytes_per_char(charset_of(col.collation)) if col.collation else 1
                chars = p.length if p.length is not None else int(col.type.args[0])
                if chars * per_char > limit:
                    p.length = limit // per_char


def drop_orphan_checks(t: TableDef) -> None:
    """Dropping columns drops the table checks that name none of the columns left (a check
    naming no column at all, CHECK (1), too)."""
    names = {c.name.lower() for c in t.columns}
    kept = []
    for ch in t.checks:
        try:
            tree = sqlglot.parse_one(ch.expr, read="mysql")
        except sqlglot.errors.ParseError:
            kept.append(ch)
            continue
        if {c.name.lower() for c in tree.find_all(exp.Column)} & names:
            kept.append(ch)
    t.checks = kept


def _keep_foreign_keys(t: TableDef) -> None:
    """An engine without foreign keys drops them (their indexes stay), for good: they do not
    come back when the table moves to InnoDB."""
    if t.engine not in FK_ENGINES:
        t.fks = []


def table_collation(opts: TableOptions) -> str:
    if opts.collation:
        return opts.collation
    if opts.charset:
        return default_collation(opts.charset)
    return DEFAULT_COLLATION


def resolve_column(col: ColumnDef, collation: str) -> None:
    """Fix a column's type and collation as the server does when it creates the column."""
    if col.explicit_collation:  # a COLLATE among the attributes is the type's
        col.raw = replace(col.raw, collation=col.explicit_collation)
    written = col.raw.collation
    if col.raw.base in TEXT_OF_BINARY and written and charset_of(written) != "binary":
        col.raw = replace(col.raw, base=TEXT_OF_BINARY[col.raw.base])  # BLOB COLLATE x: text
    if col.raw.base == "json":  # longtext (utf8mb4_bin unless COLLATE says) + json_valid()
        col.raw = replace(col.raw, base="longtext", collation=written or "utf8mb4_bin")
        col.json_check = True
    col.type = canonical_type(col.raw, collation)
    col.collation = column_collation(col.raw, collation, col.explicit_collation)


# The longest key (and key part) each engine takes, in bytes.
_KEY_LIMITS = {"InnoDB": MAX_KEY_LENGTH, "MyISAM": 1000, "Aria": 2300}


def _part_bytes(part: KeyPart, col: ColumnDef | None) -> float:
    if col is None:
        return 8
    base = base_name(col.type)
    maxlen = max_bytes_per_char(charset_of(col.collation)) if col.collation else 1
    if base in TEXT_TYPES or base in BLOB_TYPES:
        if part.length is None:
            return float("inf")
        return part.length * (maxlen if base in TEXT_TYPES else 1)
    if base in ("char", "varchar", "binary", "varbinary"):
        n = part.length if part.length is not None else int(col.type.args[0])
        return n * (maxlen if base in ("char", "varchar") else 1)
    return 8


def key_method(key: KeyDef, engine: str, column: Callable[[str], ColumnDef | None]) -> str:
    """The index type information_schema.STATISTICS reports for a key."""
    if key.kind in ("fulltext", "spatial"):
        return key.kind
    if engine == "MEMORY":
        return "btree" if key.using == "btree" else "hash"
    if key.kind == "unique":
        if key.using == "hash":  # UNIQUE ... USING HASH: MariaDB's long unique, a hash
            return "hash"
        total = sum(_part_bytes(p, column(p.column) if p.column else None) for p in key.parts)
        if total > _KEY_LIMITS.get(engine, MAX_KEY_LENGTH):
            return "hash"  # MariaDB's long unique: a hidden hash column
    return "btree"


def is_unique_constraint(key: KeyDef, method: str) -> bool:
    """A UNIQUE key over whole columns in ascending order is a ``Unique``; any other unique
    key (prefixes, DESC, a hash) is an ``Index(unique=True)``."""
    return (
        key.kind == "unique"
        and method == "btree"
        and all(p.column is not None and p.length is None and not p.desc for p in key.parts)
    )


def fsp_of(t: DataType) -> int:
    """The fractional-seconds precision of a temporal type (0 for others)."""
    return int(t.args[0]) if base_name(t) in TEMPORAL_FSP and t.args else 0


def now_text(precision: int) -> str:
    return f"current_timestamp({precision})" if precision else "current_timestamp()"


def default_text(col: ColumnDef) -> str | None:
    """A column default as ``information_schema.COLUMNS.COLUMN_DEFAULT`` shows it."""
    d = col.default
    if d is None or d.kind == "null":
        return None
    if d.kind == "now":  # NOW() and NOW(0) mean the column's precision; more is cut to it
        written = int(re.sub(r"\D", "", d.text) or 0)
        fsp = fsp_of(col.type)
        return now_text(min(written, fsp) if written else fsp)
    if d.kind == "expr":
        return d.text
    lit = default_literal(col.type, d.kind, d.text)
    if lit is not None:
        return lit
    if d.kind == "string":
        return quote_string(d.text)
    if d.kind == "bits":
        return f"b'{d.text}'"
    return d.text


def fold_json(table: Table, database_collation: str = DEFAULT_COLLATION) -> Table:
    """MariaDB stores ``json`` as ``longtext`` in utf8mb4_bin with a check named after the
    column, ``json_valid(col)``: the model says ``json`` (both readers fold it the same way)."""
    eff_table = table.dialect_options.get("collation", database_collation)
    checks = dict(table.checks)
    columns = list(table.columns)
    changed = False
    for n, c in enumerate(columns):
        if c.type.name != "longtext" or (c.collation or eff_table) != "utf8mb4_bin":
            continue
        check = next((k for k in checks if k.lower() == c.name.lower()), None)
        if check is None:
            continue
        want = Expr(f"json_valid(`{c.name}`)", "mysql")
        if checks[check].expr.normalized != want.normalized:
            continue
        del checks[check]
        columns[n] = replace(c, type=DataType(name="json", raw=c.type.raw), collation=None)
        changed = True
    if not changed:
        return table
    return replace(table, columns=tuple(columns), checks=FrozenMap(checks))


def dialect_options(
    engine: str,
    collation: str,
    create_options: dict[str, str],
    on_update: dict[str, str],
    database_collation: str = DEFAULT_COLLATION,
) -> FrozenMap[str, str]:
    """Table details with no PostgreSQL equivalent: ``engine`` (not InnoDB), ``charset`` and
    ``collation`` (not the database's), explicit CREATE_OPTIONS, ``on_update:<column>``."""
    opts: dict[str, str] = {}
    if engine != DEFAULT_ENGINE:
        opts["engine"] = engine
    if collation != database_collation:
        opts["charset"] = charset_of(collation)
        opts["collation"] = collation
    for k, v in create_options.items():
        if v != "DEFAULT":
            opts[k] = v
    if engine == "Aria" and "transactional" not in opts:
        # Aria's default, which the server lists as if written: only PAGE rows have a log
        opts["transactional"] = "0" if opts.get("row_format") in ("DYNAMIC", "FIXED") else "1"
    for col, expr in on_update.items():
        opts[f"on_update:{col}"] = expr
    return FrozenMap(opts)


def parse_create_options(text: str) -> dict[str, str]:
    """``information_schema.TABLES.CREATE_OPTIONS`` (``row_format=COMPRESSED
    stats_persistent=0``) as the model keeps them; ``partitioned`` is not one."""
    out: dict[str, str] = {}
    for part in text.split():
        key, eq, value = part.partition("=")
        key = key.lower()
        if eq and key in CREATE_OPTIONS:
            value = value.strip("'\"`")
            out[key] = value.upper() if key in ("row_format", "encrypted") else value
    return out


def table_model(t: TableDef) -> tuple[Table, list[Index]]:
    """The model of a table as the server would have it (keys already settled)."""
    pk = next((k for k in t.keys if k.kind == "primary"), None)
    pk_cols = {p.column.lower() for p in pk.parts if p.column} if pk else set()
    columns: list[Column] = []
    on_update: dict[str, str] = {}
    for c in t.columns:
        generated = (
            Generated(expr=Expr(c.generated, "mysql"), stored=c.stored)
            if c.generated is not None
            else None
        )
        # ALTER ... SET DEFAULT on an AUTO_INCREMENT column runs but leaves no default
        text = default_text(c) if generated is None and not c.auto_increment else None
        nullable = not (c.notnull or c.name.lower() in pk_cols)
        if c.on_update is not None and text is None and not nullable and not c.no_default:
            # ON UPDATE without a DEFAULT on a NOT NULL column: the zero date is the default
            text = quote_string(temporal_zero(c.type))
        collation = c.collation if c.collation != t.collation else None
        if base_name(c.type) == "json":
            collation = None
        columns.append(
            Column(
                name=c.name,
                type=c.type,
                nullable=nullable,
                default=Expr(text, "mysql") if text is not None else None,
                identity=Identity(always=False) if c.auto_increment else None,
                generated=generated,
                collation=collation,
                comment=c.comment or None,
                origin=c.origin,
            )
        )
        if c.on_update is not None:  # always at the column's precision
            on_update[c.name] = now_text(fsp_of(c.type))
    primary_key = None
    uniques: dict[str, Unique] = {}
    indexes: list[Index] = []
    for k in t.keys:
        assert k.name is not None
        if k.kind == "primary":
            primary_key = PrimaryKey(
                name="PRIMARY", columns=tuple(p.column or "" for p in k.parts), origin=k.origin
            )
            continue
        method = key_method(k, t.engine, t.column)
        if is_unique_constraint(k, method):
            uniques[k.name] = Unique(
                name=k.name,
                columns=tuple(p.column or "" for p in k.parts),
                comment=k.comment or None,
                origin=k.origin,
            )
            continue
        elements = tuple(
            IndexElement(
                column=p.column,
                expr=Expr(p.expr, "mysql") if p.expr is not None else None,
                descending=p.desc and method == "btree" and k.using != "hash",  # hashes: no order
                length=p.length if k.kind != "spatial" else None,
            )
            for p in k.parts
        )
        indexes.append(
            Index(
                name=k.name,
                schema=NAMESPACE,
                table=t.name,
                elements=elements,
                method=method,
                unique=k.kind == "unique",
                comment=k.comment or None,
                origin=k.origin,
            )
        )
    fks: dict[str, ForeignKey] = {}
    if t.engine in FK_ENGINES:
        for f in t.fks:
            assert f.name is not None
            fks[f.name] = ForeignKey(
                name=f.name,
                columns=tuple(f.columns),
                ref_table=f"{f.ref_db or NAMESPACE}.{f.ref_table}",
                ref_columns=tuple(f.ref_columns),
                on_delete=f.on_delete,
                on_update=f.on_update,
                origin=f.origin,
            )
    checks = {
        ch.name: Check(name=ch.name, expr=Expr(ch.expr, "mysql"), origin=ch.origin)
        for ch in t.checks
        if ch.name is not None
    }
    table = Table(
        schema=NAMESPACE,
        name=t.name,
        columns=tuple(columns),
        primary_key=primary_key,
        foreign_keys=FrozenMap(fks),
        uniques=FrozenMap(uniques),
        checks=FrozenMap(checks),
        comment=t.options.comment or None,
        dialect_options=dialect_options(t.engine, t.collation, t.options.create_options, on_update),
        origin=t.origin,
    )
    return fold_json(table), indexes


def rename_in_expr(text: str, old: str, new: str) -> str:
    """``text`` with its references to column ``old`` naming ``new`` (unqualified, as the
    server writes them); unchanged when it has none or does not parse."""
    low = old.lower()
    if low not in text.lower():
        return text
    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except sqlglot.errors.ParseError:
        return text
    columns = [c for c in tree.find_all(exp.Column) if c.name.lower() == low]
    if not columns:
        return text
    for c in columns:
        c.replace(exp.column(exp.to_identifier(new, quoted=True)))
    return tree.sql(dialect="mysql")


def index_key(index: Index) -> str:
    """Index names are per table in MySQL: ``Schema.indexes`` is keyed ``main.table.index``."""
    return f"{index.schema}.{index.table}.{index.name}"


def view_query(query: str, columns: list[str]) -> str:
    """A view's query with its column list folded into the select items' aliases, as the
    server stores it."""
    if not columns:
        return query
    tree = sqlglot.parse_one(query, read="mysql")
    select = tree
    while not isinstance(select, exp.Select):
        if isinstance(select, exp.SetOperation | exp.Subquery | exp.Paren):
            select = select.this
        else:
            return query
    items = select.expressions
    for n, (item, name) in enumerate(zip(items, columns, strict=False)):
        inner = item.this if isinstance(item, exp.Alias) else item
        items[n] = exp.alias_(inner, name, quoted=True)
    select.set("expressions", items)
    return tree.sql(dialect="mysql")


def mergeable(query: str) -> bool:
    """Whether ALGORITHM=MERGE can apply; where it cannot (aggregates, DISTINCT, GROUP BY,
    HAVING, LIMIT, UNION, a subquery in the select list, no table) the server records
    UNDEFINED."""
    try:
        tree = sqlglot.parse_one(query, read="mysql")
    except Exception:
        return True
    if not isinstance(tree, exp.Select):
        return False
    if tree.args.get("distinct") or tree.args.get("group") or tree.args.get("having"):
        return False
    if tree.args.get("limit") or not (tree.args.get("from_") or tree.args.get("from")):
        return False
    for item in tree.expressions:
        if item.find(exp.AggFunc) is not None or item.find(exp.Subquery, exp.Select):
            return False
    return True


def view_options(algorithm: str | None, security: str | None) -> tuple[str, ...]:
    out = []
    if algorithm and algorithm != "UNDEFINED":
        out.append(f"algorithm={algorithm}")
    if security == "INVOKER":
        out.append("sql_security=INVOKER")
    return tuple(out)


def routine_config(data_access: str) -> tuple[str, ...]:
    return () if data_access == "CONTAINS SQL" else (f"sql_data_access={data_access}",)


# --------------------------------------------------------------------------------------------
# The DDL reader: apply statements in order
# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, warn: Warn | None) -> None:
        self.warn = warn
        self.tables: dict[str, TableDef] = {}
        self.views: dict[str, ViewDef] = {}
        self.triggers: dict[str, TriggerDef] = {}  # lower-cased name
        self.routines: dict[tuple[str, str], RoutineDef] = {}
        self.home: str | None = None  # the database the script works in
        self.current: str | None = None
        self._renames: list[tuple[str, str, Origin | None]] = []  # of the ALTER being applied

    def diagnostic(self, message: str, origin: Origin | None) -> None:
        if self.warn is not None:
            o = origin or Origin()
            self.warn(Diagnostic(message, file=o.file, line=o.line, col=o.col))

    # -- databases ---------------------------------------------------------------------------

    def ours(self, schema: str | None, what: str, origin: Origin | None) -> bool:
        """Whether a (possibly qualified) object is in the database the script works in."""
        db = schema if schema is not None else self.current
        if db is None or self.home is None:
            if db is not None:
                self.home = db
            return True
        if db == self.home:
            return True
        self.diagnostic(f"{what} is in database {db!r}, not {self.home!r}; skipped", origin)
        return False

    def table(self, ref: tuple[str | None, str], origin: Origin | None) -> TableDef:
        schema, name = ref
        t = self.tables.get(name)
        db = schema or self.current or self.home
        if t is None or (schema is not None and self.home is not None and schema != self.home):
            raise error_at(f"Table '{db + '.' if db else ''}{name}' doesn't exist", origin)
        return t

    # -- statements --------------------------------------------------------------------------

    def apply(self, st: Parsed) -> None:
        if isinstance(st, UseStmt):
            self.current = st.database
            if self.home is None:
                self.home = st.database
            elif st.database != self.home:
                self.diagnostic(
                    f"USE {st.database}: only database {self.home!r} is modelled; objects of "
                    "other databases are skipped",
                    st.origin,
                )
        elif isinstance(st, TableDef):
            if self.ours(st.schema, f"table {st.name}", st.origin):
                self.create_table(st)
        elif isinstance(st, IndexStmt):
            if self.ours(st.table[0], f"index {st.key.name}", st.origin):
                self.create_index(st)
        elif isinstance(st, AlterStmt):
            if self.ours(st.table[0], f"table {st.table[1]}", st.origin):
                self.alter(st)
        elif isinstance(st, ViewDef):
            if self.ours(st.schema, f"view {st.name}", st.origin):
                self.create_view(st)
        elif isinstance(st, TriggerDef):
            if self.ours(st.schema or st.table[0], f"trigger {st.name}", st.origin):
                self.create_trigger(st)
        elif isinstance(st, RoutineDef):
            if self.ours(st.schema, f"{st.kind} {st.name}", st.origin):
                self.create_routine(st)
        elif isinstance(st, DropStmt):
            self.drop(st)
        else:
            self.rename(st)

    def _exists(self, name: str) -> str | None:
        if name in self.tables:
            return "table"
        if name in self.views:
            return "view"
        return None

    def create_table(self, t: TableDef) -> None:
        existing = self._exists(t.name)
        if existing is not None:
            if t.if_not_exists:
                return
            if t.or_replace and existing == "table":
                self._drop_table(t.name)
            else:
                raise error_at(f"Table '{t.name}' already exists", t.origin)
        if t.like is not None:
            src = self.table(t.like, t.origin)
            copy = TableDef(
                name=t.name,
                columns=[replace(c) for c in src.columns],
                keys=[replace(k, parts=[replace(p) for p in k.parts]) for k in src.keys],
                checks=[replace(c) for c in src.checks],
                options=replace(src.options, create_options=dict(src.options.create_options)),
                engine=src.engine,
                collation=src.collation,
                origin=t.origin,
            )
            rebuilt(copy, src.engine)
            self.tables[t.name] = copy
            return
        if t.options.engine is not None and not self.known_engine(
            t.options.engine, t.origin, f"uses {DEFAULT_ENGINE}"
        ):
            t.options.engine = None  # substituted: the server's default engine
        t.engine = t.options.engine or DEFAULT_ENGINE
        t.collation = table_collation(t.options)
        for c in t.columns:
            resolve_column(c, t.collation)
        self._check_keys(t, t.keys)
        pks = [k for k in t.keys if k.kind == "primary"]
        if len(pks) > 1:
            raise error_at("Multiple primary key defined", pks[1].origin)
        for fk in t.fks:
            self._check_fk(t, fk)
        t.keys = settle_keys(t.keys)
        self._name_constraints(t)
        _keep_foreign_keys(t)
        self.tables[t.name] = t

    def known_engine(self, engine: str, origin: Origin | None, instead: str) -> bool:
        """Whether the server may have ``engine``; if not, warn what it does ``instead``
        without sql_mode NO_ENGINE_SUBSTITUTION (with it, the default, it refuses)."""
        if is_known_engine(engine):
            return True
        self.diagnostic(
            f"unknown storage engine {engine!r}: MariaDB refuses it, or without sql_mode "
            f"NO_ENGINE_SUBSTITUTION {instead}; read so",
            origin,
        )
        return False

    def _check_keys(self, t: TableDef, keys: list[KeyDef]) -> None:
        for k in keys:
            for p in k.parts:
                if p.column is None:
                    continue
                col = t.column(p.column)
                if col is None:
                    raise error_at(f"Key column '{p.column}' doesn't exist in table", k.origin)
                p.column = col.name
            names = [p.column.lower() for p in k.parts if p.column is not None]
            if len(set(names)) != len(names):
                raise error_at(f"Duplicate column name in key {k.name or ''}".rstrip(), k.origin)
        fit_prefixes(t, keys)

    def _check_fk(self, t: TableDef, fk: FkDef) -> None:
        for n, c in enumerate(fk.columns):
            col = t.column(c)
            if col is None:
                raise error_at(f"Key column '{c}' doesn't exist in table", fk.origin)
            fk.columns[n] = col.name
        parent = self.tables.get(fk.ref_table) if fk.ref_db in (None, self.home) else None
        if fk.ref_db == self.home:
            fk.ref_db = None
        if parent is not None:
            for n, c in enumerate(fk.ref_columns):
                col = parent.column(c)
                if col is not None:
                    fk.ref_columns[n] = col.name

    def _name_constraints(self, t: TableDef) -> None:
        for k in t.keys:  # the server makes primary-key columns NOT NULL for good
            if k.kind == "primary":
                for p in k.parts:
                    col = t.column(p.column or "")
                    if col is not None:
                        col.notnull = True
        taken = [f.name for f in t.fks if f.name is not None]
        for f in t.fks:
            if f.name is None:
                f.name = foreign_key_name(t.name, taken)
                taken.append(f.name)
        for c in t.columns:  # a JSON column without a CHECK of its own gets json_valid()
            if c.json_check:
                c.json_check = False
                low = c.name.lower()
                if not any((ch.column or "").lower() == low for ch in t.checks):
                    t.checks.append(CheckDef(None, f"json_valid(`{c.name}`)", c.name, c.origin))
        names = {c.name.lower() for c in t.checks if c.name is not None}
        for ch in t.checks:
            if ch.name is None:
                if ch.column is not None:
                    col = t.column(ch.column)
                    ch.name = col.name if col is not None else ch.column
                else:
                    ch.name = check_name(names)
                names.add(ch.name.lower())
        for c in t.columns:
            if c.auto_increment and not any(
                k.parts and k.parts[0].column and k.parts[0].column.lower() == c.name.lower()
                for k in t.keys
            ):
                raise error_at(
                    "Incorrect table definition; there can be only one auto column and it must "
                    "be defined as a key",
                    c.origin,
                )

    def create_index(self, st: IndexStmt) -> None:
        t = self.table(st.table, st.origin)
        name = st.key.name or ""
        if t.key(name) is not None:
            if st.if_not_exists:
                return
            raise error_at(f"Duplicate key name '{name}'", st.origin)
        self._check_keys(t, [st.key])
        t.keys = settle_keys([*t.keys, st.key])
        rebuilt(t, t.engine, index_statement=True)

    def create_view(self, v: ViewDef) -> None:
        existing = self._exists(v.name)
        if existing is not None:
            if v.if_not_exists:
                return
            if not (v.or_replace and existing == "view"):
                raise error_at(f"Table '{v.name}' already exists", v.origin)
        self.views[v.name] = v

    def create_trigger(self, tr: TriggerDef) -> None:
        low = tr.name.lower()
        if low in self.triggers:
            if tr.if_not_exists:
                return
            if not tr.or_replace:
                raise error_at("Trigger already exists", tr.origin)
        if tr.table[1] in self.views:
            raise error_at(f"'{tr.table[1]}' is not of type 'BASE TABLE'", tr.origin)
        t = self.table(tr.table, tr.origin)
        tr.table = (None, t.name)
        self.triggers[low] = tr

    def create_routine(self, r: RoutineDef) -> None:
        key = (r.kind, r.name.lower())
        if key in self.routines:
            if r.if_not_exists:
                return
            if not r.or_replace:
                raise error_at(f"{r.kind.upper()} {r.name} already exists", r.origin)
        self.routines[key] = r

    # -- ALTER TABLE ---------------------------------------------------------------------------

    def alter(self, st: AlterStmt) -> None:
        t = self.table(st.table, st.origin)
        engine = t.engine
        changes = [a for a in st.actions if a.kind != "rename_table"]
        # Only IF [NOT] EXISTS actions: the ALTER may do nothing (then nothing is rebuilt).
        before = deepcopy(t) if changes and all(a.if_exists for a in changes) else None
        new_keys: list[KeyDef] = []
        self._renames = []
        self._table_charset(t, changes)
        for a in st.actions:
            if a.kind == "rename_table":
                self._rename(t.name, a.new, a.origin)
                continue
            self._alter_action(t, a, new_keys)
        convert = next((a for a in changes if a.kind == "convert"), None)
        if convert is not None:  # (two that disagree the server refuses)
            self._convert(t, convert, changes)
        for temp, name, origin in self._renames:  # CHANGE a b, CHANGE b a: both old names
            if t.column(name) is not None:
                raise error_at(f"Duplicate column name '{name}'", origin)
            col = t.column(temp)
            assert col is not None
            col.name = name
            self._rename_column(t, temp, name)
        if changes and (before is None or before != t):
            given = {k for a in changes if a.options for k in a.options.create_options}
            rebuilt(t, engine, given)
        self._check_keys(t, new_keys)
        fit_prefixes(t, t.keys)  # columns may have changed under the keys
        if any(a.kind == "drop_column" for a in changes):
            drop_orphan_checks(t)
        if sum(1 for k in t.keys + new_keys if k.kind == "primary") > 1:
            raise error_at("Multiple primary key defined", st.origin)
        t.keys = settle_keys(t.keys + new_keys)
        self._name_constraints(t)
        _keep_foreign_keys(t)

    def _later(self, name: str, origin: Origin | None) -> str:
        """A stand-in for a column's new name while another column still has it (the
        actions of one ALTER TABLE refer to the columns as they were before it)."""
        temp = f"dbdesign_renamed_{len(self._renames)}"
        self._renames.append((temp, name, origin))
        return temp

    def _alter_action(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        getattr(self, f"_alter_{a.kind}")(t, a, new_keys)

    def _alter_add_column(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        for child in a.children:
            self._alter_action(t, child, new_keys)
        if a.column is None:
            return
        col = a.column
        if t.column(col.name) is not None:
            if a.if_exists:  # ADD COLUMN IF NOT EXISTS
                return
            col.name = self._later(col.name, a.origin)  # ADD a, DROP a: the old a goes
        resolve_column(col, t.collation)
        self._place(t, col, a.position, a.origin)
        self._column_constraints(t, a, new_keys)

    def _alter_modify(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.column is not None
        old = t.column(a.old)
        if old is None:
            raise error_at(f"Unknown column '{a.old}' in '{t.name}'", a.origin)
        col = a.column
        if col.name.lower() != old.name.lower() and t.column(col.name) is not None:
            col.name = self._later(col.name, a.origin)  # free only once the ALTER is done
        resolve_column(col, t.collation)
        t.columns[t.columns.index(old)] = col
        if a.position is not None:
            t.columns.remove(col)
            self._place(t, col, a.position, a.origin)
        if col.name != old.name:
            self._rename_column(t, old.name, col.name)
        # The new definition replaces the column's own CHECK too (a named one stays).
        low = col.name.lower()
        t.checks = [c for c in t.checks if (c.column or "").lower() != low]
        self._column_constraints(t, a, new_keys)

    def _alter_add_key(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        new_keys.extend(a.keys)

    def _alter_add_fk(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.fk is not None
        self._check_fk(t, a.fk)
        t.fks.append(a.fk)
        new_keys.append(_fk_key(a.fk))

    def _alter_add_check(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.check is not None
        t.checks.append(a.check)

    def _alter_drop_column(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        col = t.column(a.old)
        if col is None:
            if a.if_exists:
                return
            raise error_at(f"Can't DROP COLUMN `{a.old}`; check that it exists", a.origin)
        t.columns.remove(col)
        low = col.name.lower()
        for k in t.keys:  # the server drops the column from keys, and keys left empty
            k.parts = [p for p in k.parts if (p.column or "").lower() != low]
        t.keys = [k for k in t.keys if k.parts]
        t.checks = [c for c in t.checks if (c.column or "").lower() != low]

    def _alter_drop_key(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        key = t.key(a.old)
        if key is None:
            if a.if_exists:
                return
            raise error_at(f"Can't DROP INDEX `{a.old}`; check that it exists", a.origin)
        t.keys.remove(key)

    def _alter_drop_primary(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        a.old = "PRIMARY"
        self._alter_drop_key(t, a, new_keys)

    def _alter_drop_fk(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        fk = next((f for f in t.fks if (f.name or "").lower() == a.old.lower()), None)
        if fk is None:
            if a.if_exists:
                return
            raise error_at(f"Can't DROP FOREIGN KEY `{a.old}`; check that it exists", a.origin)
        t.fks.remove(fk)

    def _alter_drop_constraint(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        """DROP CONSTRAINT drops a check, a foreign key or a unique key of that name."""
        low = a.old.lower()
        ck = next((c for c in t.checks if (c.name or "").lower() == low), None)
        fk = next((f for f in t.fks if (f.name or "").lower() == low), None)
        key = t.key(a.old)
        if ck is not None:
            t.checks.remove(ck)
        elif fk is not None:
            t.fks.remove(fk)
        elif key is not None and key.kind == "unique":
            t.keys.remove(key)
        elif not a.if_exists:
            raise error_at(f"Can't DROP CONSTRAINT `{a.old}`; check that it exists", a.origin)

    def _alter_rename_column(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        col = t.column(a.old)
        if col is None:
            raise error_at(f"Unknown column '{a.old}' in '{t.name}'", a.origin)
        new = a.new
        if t.column(new) is not None and new.lower() != a.old.lower():
            new = self._later(new, a.origin)  # free only once the ALTER is done
        old = col.name
        col.name = new
        self._rename_column(t, old, new)

    def _alter_set_default(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        col = t.column(a.old)
        if col is None:
            raise error_at(f"Unknown column '{a.old}' in '{t.name}'", a.origin)
        col.default = a.default
        col.no_default = a.default is None  # DROP DEFAULT

    _alter_drop_default = _alter_set_default  # a.default is None

    def _alter_rename_key(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        key = t.key(a.old)
        if key is None:
            raise error_at(f"Key '{a.old}' doesn't exist in table '{t.name}'", a.origin)
        if t.key(a.new) is not None and a.new.lower() != a.old.lower():
            raise error_at(f"Duplicate key name '{a.new}'", a.origin)
        key.name = a.new

    def _table_charset(self, t: TableDef, changes: list[AlterAction]) -> None:
        """The table's default character set and collation after the ALTER, set before its
        columns are: new and changed columns take it wherever the option is written. The
        DEFAULT CHARSET and COLLATE options of the ALTER add up (the server refuses two that
        disagree) and win over CONVERT TO's, which then changes only the columns."""
        given = TableOptions()
        for a in changes:
            if a.kind == "options" and a.options is not None:
                given.charset = a.options.charset or given.charset
                given.collation = a.options.collation or given.collation
        convert = next((a.options for a in changes if a.kind == "convert"), None)
        for o in (convert, given):
            if o is not None and (o.charset or o.collation):
                t.options.charset, t.options.collation = o.charset, o.collation
                t.collation = table_collation(o)

    def _alter_options(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.options is not None
        o = a.options  # the character set and collation are set already (_table_charset)
        if o.engine and self.known_engine(o.engine, a.origin, "keeps the table's engine"):
            t.engine = o.engine
            t.options.engine = o.engine
        if o.comment is not None:
            t.options.comment = o.comment
        t.options.create_options.update(o.create_options)

    def _alter_convert(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        """CONVERT TO CHARACTER SET acts on the table as the ALTER leaves it (_convert)."""

    def _convert(self, t: TableDef, a: AlterAction, changes: list[AlterAction]) -> None:
        """CONVERT TO CHARACTER SET: every text column of the table after the ALTER gets the
        character set, those the ALTER adds or changes too, whatever they were given (JSON
        among them: longtext in that character set). Only a TEXT column the ALTER leaves
        alone keeps as many characters as before (a latin1 text becomes a utf8mb4
        mediumtext): a TEXT written in the ALTER is a TEXT."""
        assert a.options is not None
        collation = table_collation(a.options)
        written = {id(c.column) for b in changes for c in (b, *b.children) if c.column}
        for c in t.columns:
            if c.collation is not None and is_textual(c.type):
                c.raw = replace(c.raw, charset=None, collation=None, binary=False)
                if c.raw.national:  # NCHAR is utf8mb3 only until converted
                    c.raw = replace(c.raw, base=c.raw.base[1:])
                if c.type.name in TEXT_TYPES and id(c) not in written:
                    n = text_capacity(c.type.name, charset_of(c.collation))
                    c.raw = replace(c.raw, base="text", args=(str(n),))
                c.explicit_collation = None
                resolve_column(c, collation)

    def _column_constraints(self, t: TableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        new_keys.extend(a.keys)
        if a.fk is not None:
            self._check_fk(t, a.fk)
            t.fks.append(a.fk)
            new_keys.append(_fk_key(a.fk))
        if a.check is not None:  # the column's own checks are gone already (MODIFY)
            t.checks.append(a.check)

    def _place(
        self, t: TableDef, col: ColumnDef, position: tuple[str, str] | None, origin: Origin | None
    ) -> None:
        if position is None:
            t.columns.append(col)
        elif position[0] == "FIRST":
            t.columns.insert(0, col)
        else:
            after = t.column(position[1])
            if after is None:
                raise error_at(f"Unknown column '{position[1]}' in '{t.name}'", origin)
            t.columns.insert(t.columns.index(after) + 1, col)

    def _rename_column(self, t: TableDef, old: str, new: str) -> None:
        low = old.lower()
        for k in t.keys:
            for p in k.parts:
                if p.column is not None and p.column.lower() == low:
                    p.column = new
        for f in t.fks:
            f.columns = [new if c.lower() == low else c for c in f.columns]
        for c in t.checks:
            if c.column is not None and c.column.lower() == low:
                c.column = new
            c.expr = rename_in_expr(c.expr, old, new)  # the server rewrites the references
        for col in t.columns:
            if col.generated is not None:
                col.generated = rename_in_expr(col.generated, old, new)
            if col.default is not None and col.default.kind == "expr":
                col.default.text = rename_in_expr(col.default.text, old, new)
        for other in self.tables.values():
            for f in other.fks:
                if f.ref_db is None and f.ref_table == t.name:
                    f.ref_columns = [new if c.lower() == low else c for c in f.ref_columns]

    # -- DROP / RENAME -------------------------------------------------------------------------

    def _drop_table(self, name: str) -> None:
        del self.tables[name]
        for k in [k for k, tr in self.triggers.items() if tr.table[1] == name]:
            del self.triggers[k]

    def drop(self, st: DropStmt) -> None:
        if st.kind == "DATABASE":
            return
        if st.kind == "INDEX":
            assert st.table is not None
            if not self.ours(st.table[0], f"index {st.names[0][1]}", st.origin):
                return
            t = self.table(st.table, st.origin)
            key = t.key(st.names[0][1])
            if key is None:
                if st.if_exists:
                    return
                raise error_at(
                    f"Can't DROP INDEX `{st.names[0][1]}`; check that it exists", st.origin
                )
            t.keys.remove(key)
            rebuilt(t, t.engine, index_statement=True)
            return
        for schema, name in st.names:
            if not self.ours(schema, f"{st.kind.lower()} {name}", st.origin):
                continue
            if st.kind == "TABLE":
                if name not in self.tables:
                    if not st.if_exists:
                        raise error_at(f"Unknown table '{name}'", st.origin)
                    continue
                self._drop_table(name)
            elif st.kind == "VIEW":
                if name not in self.views:
                    if not st.if_exists:
                        raise error_at(f"Unknown VIEW: '{name}'", st.origin)
                    continue
                del self.views[name]
            elif st.kind == "TRIGGER":
                if name.lower() not in self.triggers:
                    if not st.if_exists:
                        raise error_at("Trigger does not exist", st.origin)
                    continue
                del self.triggers[name.lower()]
            else:
                routine = (st.kind.lower(), name.lower())
                if routine not in self.routines:
                    if not st.if_exists:
                        raise error_at(f"{st.kind} {name} does not exist", st.origin)
                    continue
                del self.routines[routine]

    def rename(self, st: RenameStmt) -> None:
        for (old_schema, old), (new_schema, new) in st.pairs:
            if not self.ours(old_schema, f"table {old}", st.origin):
                continue
            if new_schema is not None and new_schema != (self.home or new_schema):
                raise error_at(
                    f"RENAME TABLE {old} TO {new_schema}.{new}: moving a table to another "
                    "database is not modelled",
                    st.origin,
                )
            self._rename(old, new, st.origin)

    def _rename(self, old: str, new: str, origin: Origin | None) -> None:
        if self._exists(new) is not None and new != old:
            raise error_at(f"Table '{new}' already exists", origin)
        if old in self.views:
            v = self.views.pop(old)
            v.name = new
            self.views[new] = v
            return
        t = self.tables.pop(old, None)
        if t is None:
            raise error_at(f"Table '{old}' doesn't exist", origin)
        t.name = new
        self.tables[new] = t
        for f in t.fks:  # InnoDB renames the foreign keys it named: old_ibfk_1 -> new_ibfk_1
            if f.name is not None and f.name.lower().startswith(old.lower() + "_ibfk_"):
                f.name = new + f.name[len(old) :]
        for other in self.tables.values():
            for f in other.fks:
                if f.ref_db is None and f.ref_table == old:
                    f.ref_table = new
        for tr in self.triggers.values():
            if tr.table[1] == old:
                tr.table = (None, new)

    # -- the model -----------------------------------------------------------------------------

    def schema(self, source: str | None) -> Schema:
        tables: dict[str, Table] = {}
        indexes: dict[str, Index] = {}
        for t in self.tables.values():
            table, idx = table_model(t)
            tables[table.key] = table
            for i in idx:
                indexes[index_key(i)] = i
        views: dict[str, View] = {}
        for v in self.views.values():
            view = View(
                schema=NAMESPACE,
                name=v.name,
                query=Expr(view_query(v.query, v.columns), "mysql", self.home),
                check_option=v.check_option,
                options=view_options(
                    "UNDEFINED"
                    if v.algorithm == "MERGE" and not mergeable(v.query)
                    else v.algorithm,
                    v.security,
                ),
                origin=v.origin,
            )
            views[view.key] = view
        triggers: dict[str, Trigger] = {}
        for tr in self.triggers.values():
            trig = Trigger(
                schema=NAMESPACE,
                table=tr.table[1],
                name=tr.name,
                timing=tr.timing,
                events=(tr.event,),
                level="ROW",
                body=Expr(tr.body, "mysql", self.home),
                origin=tr.origin,
            )
            triggers[trig.key] = trig
        functions: dict[str, Function] = {}
        for r in self.routines.values():
            fn = routine_model(r)
            functions[fn.key] = fn
        return make_schema(tables, views, indexes, triggers, functions, source)


def _fk_key(fk: FkDef) -> KeyDef:
    return KeyDef(
        "index",
        fk.index_name or fk.name,
        [KeyPart(c) for c in fk.columns],
        generated=True,
        origin=fk.origin,
    )


def routine_model(r: RoutineDef, origin: Origin | None = None) -> Function:
    return Function(
        schema=NAMESPACE,
        name=r.name,
        arguments=tuple(Argument(name=n, type=t, mode=m) for m, n, t in r.params),  # type: ignore[arg-type]
        returns=r.returns,
        kind=r.kind,
        language="sql",
        body=r.body.strip(),
        volatility="IMMUTABLE" if r.deterministic else "VOLATILE",
        security_definer=r.security_definer,
        config=routine_config(r.data_access),
        comment=r.comment or None,
        origin=origin if origin is not None else r.origin,
    )


def make_schema(
    tables: dict[str, Table],
    views: dict[str, View],
    indexes: dict[str, Index],
    triggers: dict[str, Trigger],
    functions: dict[str, Function],
    source: str | None,
) -> Schema:
    return Schema(
        dialect="mysql",
        namespaces=FrozenMap({NAMESPACE: Namespace(name=NAMESPACE)}),
        tables=FrozenMap(tables),
        views=FrozenMap(views),
        indexes=FrozenMap(indexes),
        triggers=FrozenMap(triggers),
        functions=FrozenMap(functions),
        source=source,
    )


def _read_into(builder: _Builder, text: str, file: str | None) -> None:
    src, statements = split_script(text, file)
    for st in statements:
        if st.first in _SKIPPED:
            continue
        toks = tokenize(src, st.start, st.end)
        if not toks:
            continue
        if st.first not in ("CREATE", "ALTER", "DROP", "RENAME", "USE"):
            what = (
                "privileges are not modelled"
                if st.first in ("GRANT", "REVOKE")
                else "not a schema statement"
            )
            builder.diagnostic(
                f"{short(src.text[toks[0].start : st.end])!r}: {what}; skipped",
                src.origin(toks[0].start),
            )
            continue
        parser = _Parser(src, toks)
        try:
            parsed = parser.statement(st.first)
        except _Skip as s:
            builder.diagnostic(s.message, src.origin(s.offset))
            continue
        except _Ignore:
            continue
        except RecursionError:
            raise src.error("statement too deeply nested", toks[0].start) from None
        for message, offset in parser.notes:
            builder.diagnostic(message, src.origin(offset))
        builder.apply(parsed)


def read_ddl(text: str, *, file: str | None = None, warn: Warn | None = None) -> Schema:
    """Read a MySQL/MariaDB script into a :class:`Schema` (dialect ``mysql``, namespace
    ``main``: the database the script works in).

    Statements that change no schema are skipped; kinds outside the model are reported through
    ``warn`` and skipped. A syntax error, or a statement the server would refuse, raises
    :class:`ParseError` with file, line and column.
    """
    builder = _Builder(warn)
    _read_into(builder, text, file)
    return builder.schema(file)


def read_path(path: str | Path, *, warn: Warn | None = None) -> Schema:
    """A .sql file, or a folder of .sql files read in name order as one script."""
    p = Path(path)
    files = sorted(p.glob("*.sql")) if p.is_dir() else [p]
    builder = _Builder(warn)
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as e:
            raise ParseError(f"cannot read: {e.strerror}", file=str(f)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            # Dumps hold binary data in INSERTs: read on, the schema is rarely affected.
            line = data[: e.start].count(b"\n") + 1
            builder.diagnostic(
                "not UTF-8 text; undecodable bytes replaced",
                Origin(file=str(f), line=line),
            )
            text = data.decode("utf-8", errors="replace")
        _read_into(builder, text, str(f))
    return builder.schema(str(p))


__all__ = [
    "CREATE_OPTIONS",
    "KeyDef",
    "KeyPart",
    "Source",
    "Statement",
    "dialect_options",
    "fold_json",
    "index_key",
    "is_unique_constraint",
    "parse_create_options",
    "read_ddl",
    "read_path",
    "routine_config",
    "split_script",
    "tokenize",
    "view_options",
]
