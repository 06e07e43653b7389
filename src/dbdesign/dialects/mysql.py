"""MySQL / MariaDB knowledge: canonical types, character sets, quoting, reserved words, names.

Knowledge only: no I/O. The DDL reader, the catalog reader and the emitter all use these
functions, so ``INTEGER(11)`` in a file and ``int(11)`` from ``information_schema`` end up the
same :class:`DataType`.

Conventions (docs/model.md, "MySQL"):

- One namespace, :data:`NAMESPACE` (``main``): the current database. Qualifiers naming the
  current database are dropped; objects of other databases are not modelled.
- Types are lower-case MySQL names. Integer display widths are dropped (``int(11)`` -> ``int``)
  except with ZEROFILL; ``tinyint(1)``, ``BOOL`` and ``BOOLEAN`` are ``boolean``; ``unsigned``
  and ``zerofill`` are part of the name (``int unsigned``, ``decimal unsigned`` with args
  ``(10, 2)``); defaults the server fills in are explicit (``decimal`` -> ``decimal(10,0)``,
  ``char`` -> ``char(1)``, ``bit`` -> ``bit(1)``); aliases become the server's type
  (``integer`` -> ``int``, ``real`` -> ``double``, ``nvarchar(5)`` -> ``varchar(5)`` in
  ``utf8mb3``); ``enum``/``set`` keep their values as canonical quoted literals in ``args``
  (``("'G'", "'PG'")``); ``json`` is ``json`` also on MariaDB, where the server stores it as
  ``longtext`` with a ``json_valid`` check.
- Character sets and collations: a table keeps ``charset``/``collation`` in
  ``dialect_options`` only where they differ from the database default; a column keeps a
  ``collation`` only where it differs from its table's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from dbdesign.dialects import Capabilities, Dialect, mysql_sql, register
from dbdesign.dialects.mysql_charsets import (
    CHARSETS,
    DEFAULT_CHARSET,
    DEFAULT_COLLATION,
    DEFAULT_ENGINE,
    FK_ENGINES,
    bin_collation,
    canonical_charset,
    canonical_collation,
    canonical_engine,
    charset_of,
    default_collation,
    is_known_engine,
    max_bytes_per_char,
)
from dbdesign.dialects.mysql_quoting import (
    RESERVED_WORDS,
    quote_ident,
    quote_string,
    unquote_ident,
    unquote_string,
)
from dbdesign.dialects.operations import MYSQL as MYSQL_OPERATIONS
from dbdesign.model import DataType

NAMESPACE = "main"
MAX_IDENTIFIER = 64  # characters, for tables, columns, indexes, constraints, views, routines
MAX_KEY_LENGTH = 3072  # bytes of an InnoDB index key (DYNAMIC/COMPRESSED row format)
_RESERVED_LOWER = frozenset(w.lower() for w in RESERVED_WORDS)  # as Dialect.reserved_words

# --------------------------------------------------------------------------------------------
# Names the server chooses
# --------------------------------------------------------------------------------------------


def unique_key_name(base: str, taken: set[str]) -> str:
    """The name MariaDB gives an unnamed index: its first column, else ``col_2``, ``col_3`` ...
    (``taken`` holds lower-cased names; ``PRIMARY`` is never chosen)."""
    low = base.lower()
    if low not in taken and low != "primary":
        return base
    n = 2
    while f"{low}_{n}" in taken:
        n += 1
    return f"{base}_{n}"


def check_name(taken: set[str]) -> str:
    """The name MariaDB gives an unnamed table CHECK: the first free ``CONSTRAINT_n``."""
    n = 1
    while f"constraint_{n}" in taken:
        n += 1
    return f"CONSTRAINT_{n}"


_IBFK = re.compile(r"^(.*)_ibfk_(\d+)$", re.I)


def foreign_key_name(table: str, taken: Sequence[str]) -> str:
    """InnoDB's name for an unnamed foreign key: ``<table>_ibfk_<1 + highest number in use>``."""
    high = 0
    for name in taken:
        m = _IBFK.match(name)
        if m and m.group(1).lower() == table.lower():
            high = max(high, int(m.group(2)))
    return f"{table}_ibfk_{high + 1}"


# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------

INTEGER_TYPES = ("tinyint", "smallint", "mediumint", "int", "bigint")
# Display width MySQL gives ZEROFILL (always unsigned) columns without one.
_ZEROFILL_WIDTH = {"tinyint": 3, "smallint": 5, "mediumint": 8, "int": 10, "bigint": 20}
TEXT_TYPES = ("tinytext", "text", "mediumtext", "longtext")
BLOB_TYPES = ("tinyblob", "blob", "mediumblob", "longblob")
# A binary string type given the COLLATE of a character set becomes the text type (MariaDB:
# ``BLOB(300) COLLATE utf8mb4_bin`` is ``text``, ``VARBINARY(5) COLLATE latin1_bin`` is
# ``varchar(5)``).
TEXT_OF_BINARY = {
    "binary": "char",
    "varbinary": "varchar",
    **dict(zip(BLOB_TYPES, TEXT_TYPES, strict=True)),
}
BINARY_OF_TEXT = dict(zip(TEXT_TYPES, BLOB_TYPES, strict=True))  # CHARACTER SET binary
_SIZE_LIMITS = (255, 65535, 16777215)  # tiny, plain, medium (bytes); beyond: long
TEMPORAL_FSP = ("datetime", "timestamp", "time")
SPATIAL_TYPES = (
    "geometry",
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "geometrycollection",
)

# Spellings (lower-case words joined by one space) -> canonical base name.
TYPE_ALIASES: dict[str, str] = {
    "tinyint": "tinyint",
    "int1": "tinyint",
    "smallint": "smallint",
    "int2": "smallint",
    "mediumint": "mediumint",
    "int3": "mediumint",
    "middleint": "mediumint",
    "int": "int",
    "integer": "int",
    "int4": "int",
    "bigint": "bigint",
    "int8": "bigint",
    "bool": "boolean",
    "boolean": "boolean",
    "serial": "serial",
    "decimal": "decimal",
    "dec": "decimal",
    "numeric": "decimal",
    "fixed": "decimal",
    "float": "float",
    "float4": "float",
    "double": "double",
    "double precision": "double",
    "real": "double",
    "float8": "double",
    "bit": "bit",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "timestamp": "timestamp",
    "year": "year",
    "char": "char",
    "character": "char",
    "nchar": "nchar",
    "national char": "nchar",
    "national character": "nchar",
    "varchar": "varchar",
    "varcharacter": "varchar",
    "character varying": "varchar",
    "char varying": "varchar",
    "nvarchar": "nvarchar",
    "nchar varchar": "nvarchar",
    "nchar varying": "nvarchar",
    "national varchar": "nvarchar",
    "national char varying": "nvarchar",
    "national character varying": "nvarchar",
    "binary": "binary",
    "char byte": "binary",
    "varbinary": "varbinary",
    "tinytext": "tinytext",
    "text": "text",
    "mediumtext": "mediumtext",
    "longtext": "longtext",
    "long": "mediumtext",
    "long varchar": "mediumtext",
    "long char varying": "mediumtext",
    "tinyblob": "tinyblob",
    "blob": "blob",
    "mediumblob": "mediumblob",
    "longblob": "longblob",
    "long varbinary": "mediumblob",
    "enum": "enum",
    "set": "set",
    "json": "json",
    "uuid": "uuid",
    "inet4": "inet4",
    "inet6": "inet6",
    **{t: t for t in SPATIAL_TYPES},
    "geomcollection": "geometrycollection",
}
# First words of multi-word spellings, and the words that may follow them.
_TYPE_CONTINUATIONS: dict[str, tuple[str, ...]] = {
    "double": ("precision",),
    "character": ("varying",),
    "char": ("varying", "byte"),
    "national": ("char", "character", "varchar"),
    "nchar": ("varchar", "varying"),
    "long": ("varchar", "varbinary", "char"),
}

# Canonical base names of the types the emitter accepts (``unsigned``/``zerofill`` suffixes
# aside).
CANONICAL_TYPES = frozenset(
    (
        *INTEGER_TYPES,
        "boolean",
        "decimal",
        "float",
        "double",
        "bit",
        "date",
        "time",
        "datetime",
        "timestamp",
        "year",
        "char",
        "varchar",
        "binary",
        "varbinary",
        *TEXT_TYPES,
        *BLOB_TYPES,
        "enum",
        "set",
        "json",
        "uuid",
        "inet4",
        "inet6",
        *SPATIAL_TYPES,
    )
)
# Types with a character set and collation.
TEXTUAL_TYPES = frozenset(("char", "varchar", *TEXT_TYPES, "enum", "set"))
NUMERIC_TYPES = frozenset((*INTEGER_TYPES, "boolean", "decimal", "float", "double", "year"))

# Category of each canonical type, as lint rules see them (see dbdesign.lint.context).
TYPE_KIND: dict[str, str] = {
    **{t: "int" for t in INTEGER_TYPES},
    "boolean": "bool",
    "decimal": "numeric",
    "float": "float",
    "double": "float",
    "bit": "other",
    "date": "date",
    "datetime": "timestamp",
    "timestamp": "timestamptz",  # stored in UTC, shown in the session time zone
    "time": "other",
    "year": "int",
    "char": "text",
    "varchar": "text",
    **{t: "text" for t in TEXT_TYPES},
    "binary": "binary",
    "varbinary": "binary",
    **{t: "binary" for t in BLOB_TYPES},
    "json": "json",
    "uuid": "uuid",
    "enum": "text",
    "set": "text",
}


def base_name(t: DataType) -> str:
    """``int unsigned zerofill`` -> ``int``."""
    return t.name.split(" ", 1)[0]


def is_unsigned(t: DataType) -> bool:
    return t.name.endswith((" unsigned", " unsigned zerofill"))


@dataclass(frozen=True, slots=True)
class RawType:
    """A type as written: its base spelling, arguments and attributes."""

    base: str  # canonical base from TYPE_ALIASES (``nvarchar`` and ``serial`` still marked)
    args: tuple[str, ...] = ()  # numbers as written; enum/set values decoded
    unsigned: bool = False
    zerofill: bool = False
    binary: bool = False  # the BINARY attribute: the character set's _bin collation
    charset: str | None = None
    collation: str | None = None
    raw: str = ""

    @property
    def national(self) -> bool:
        return self.base in ("nchar", "nvarchar")


class TypeSyntaxError(ValueError):
    """A type that does not parse; ``index`` is the token where it went wrong."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


# A token as the type parser sees it: (kind, text) with kind word|string|qident|number|op.
Token = tuple[str, str]

_TYPE_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")"""
    r"""|(?P<qident>`(?:[^`]|``)*`)|(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"""
    r"""|(?P<word>[A-Za-z_$][A-Za-z0-9_$]*)|(?P<op>.)""",
    re.S,
)


def type_tokens(text: str) -> list[Token]:
    return [
        (m.lastgroup or "op", m.group()) for m in _TYPE_TOKEN.finditer(text) if m.lastgroup != "ws"
    ]


def _name_token(tok: Token | None) -> str | None:
    if tok is None:
        return None
    kind, text = tok
    if kind == "word":
        return text
    if kind == "qident":
        return unquote_ident(text)
    if kind == "string":
        return unquote_string(text)
    return None


# The attribute words after a type that need no name, as what they set.
_TYPE_FLAGS: dict[str, Callable[[RawType], RawType]] = {
    "unsigned": lambda r: replace(r, unsigned=True),
    "signed": lambda r: r,
    "zerofill": lambda r: replace(r, zerofill=True, unsigned=True),
    "binary": lambda r: replace(r, binary=True),
    "ascii": lambda r: replace(r, charset="latin1"),
    "unicode": lambda r: replace(r, charset="ucs2"),
    "byte": lambda r: replace(r, charset="binary"),
}


class _TypeReader:
    """A position in the tokens of a data type, and the parts of one (base, arguments,
    attributes) read from there."""

    def __init__(self, toks: Sequence[Token], start: int) -> None:
        self.toks = toks
        self.start = start
        self.i = start

    def word(self, k: int = 0) -> str:
        """The lower-cased word ``k`` tokens on ("" if that is no word)."""
        j = self.i + k
        return self.toks[j][1].lower() if j < len(self.toks) and self.toks[j][0] == "word" else ""

    def accept_op(self, op: str) -> bool:
        if self.i < len(self.toks) and self.toks[self.i] == ("op", op):
            self.i += 1
            return True
        return False

    def base(self) -> str:
        """The base spelling, one or more words (``double precision``, ``national char
        varying``), as its canonical base name."""
        first = self.word()
        if not first:
            raise TypeSyntaxError("expected a data type", self.i)
        words = [first]
        self.i += 1
        while (nxt := self.word()) and nxt in _TYPE_CONTINUATIONS.get(words[-1], ()):
            words.append(nxt)
            self.i += 1
        spelled = " ".join(words)
        base = TYPE_ALIASES.get(spelled)
        if base is None:
            raise TypeSyntaxError(f"unknown data type {spelled.upper()!r}", self.start)
        return base

    def arguments(self, base: str) -> tuple[str, ...]:
        """``(n, m ...)``, or the quoted values of an enum or set (decoded); () if none."""
        if not self.accept_op("("):
            return ()
        args: list[str] = []
        while True:
            args.append(self.argument(base))
            self.i += 1
            if self.accept_op(","):
                continue
            if self.accept_op(")"):
                return tuple(args)
            raise TypeSyntaxError("expected ',' or ')' in type arguments", self.i)

    def argument(self, base: str) -> str:
        if self.i >= len(self.toks):
            raise TypeSyntaxError("unterminated type arguments", self.i)
        kind, text = self.toks[self.i]
        if base in ("enum", "set"):
            if kind != "string":
                raise TypeSyntaxError(f"expected a quoted {base} value, not {text!r}", self.i)
            return unquote_string(text)
        if kind != "number":
            raise TypeSyntaxError(f"unexpected {text!r} in type arguments", self.i)
        return text

    def attributes(self, raw: RawType) -> RawType:
        """``raw`` with the attributes written next (UNSIGNED, SIGNED, ZEROFILL, BINARY,
        ASCII, UNICODE, BYTE, CHARACTER SET/CHARSET x, COLLATE x), up to the first word that
        is none of them."""
        while True:
            w = self.word()
            if w in _TYPE_FLAGS:
                raw = _TYPE_FLAGS[w](raw)
            elif w == "charset" or (w in ("character", "char") and self.word(1) == "set"):
                if w != "charset":
                    self.i += 1
                raw = replace(raw, charset=canonical_charset(self.name_after("a character set")))
            elif w == "collate":
                raw = replace(raw, collation=canonical_collation(self.name_after("a collation")))
            else:
                return raw
            self.i += 1

    def name_after(self, what: str) -> str:
        """The name (a word, quoted name or string) after the current token, moving onto it."""
        self.i += 1
        name = _name_token(self.toks[self.i] if self.i < len(self.toks) else None)
        if name is None:
            raise TypeSyntaxError(f"expected {what} name", self.i)
        return name


def parse_type_tokens(toks: Sequence[Token], start: int = 0) -> tuple[RawType, int]:
    """Parse a data type from ``toks[start:]``; return it and the index after it.

    Reads the base spelling (one or more words), ``(args)``, and the attributes UNSIGNED,
    SIGNED, ZEROFILL, BINARY, ASCII, UNICODE, BYTE, CHARACTER SET/CHARSET x and COLLATE x.
    """
    reader = _TypeReader(toks, start)
    base = reader.base()
    raw = reader.attributes(RawType(base=base, args=reader.arguments(base)))
    return replace(raw, raw=" ".join(t[1] for t in toks[start : reader.i])), reader.i


@lru_cache(maxsize=4096)
def parse_raw_type(text: str) -> RawType:
    """A type string (``information_schema.COLUMNS.COLUMN_TYPE``, ``DTD_IDENTIFIER``)."""
    toks = type_tokens(text)
    raw, end = parse_type_tokens(toks)
    if end != len(toks):
        raise TypeSyntaxError(f"unexpected {toks[end][1]!r} after the type", end)
    return raw


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return int(float(text))


def _by_size(family: tuple[str, str, str, str], nbytes: int) -> str:
    for name, limit in zip(family, _SIZE_LIMITS, strict=False):
        if nbytes <= limit:
            return name
    return family[3]


def text_capacity(base: str, charset: str) -> int:
    """How many characters of ``charset`` a text type holds (what CONVERT TO CHARACTER SET
    keeps: a latin1 ``text`` becomes a ``mediumtext`` in utf8mb4)."""
    limits = (*_SIZE_LIMITS, 2**32 - 1)
    return limits[TEXT_TYPES.index(base)] // max_bytes_per_char(charset)


def effective_charset(raw: RawType, table_collation: str) -> str:
    if raw.collation:
        return charset_of(raw.collation)
    if raw.charset:
        return raw.charset
    if raw.national:
        return "utf8mb3"
    return charset_of(table_collation)


# How the numbers written after a type make its canonical base and arguments, by base (after
# the aliases and CHARACTER SET binary): (base, numbers, written type, character set) -> both.
_Args = tuple[int | str, ...]


def _integer_args(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    """A display width only with ZEROFILL (the type's own if none is written)."""
    return base, ((n[0] if n else _ZEROFILL_WIDTH[base],) if raw.zerofill else ())


def _decimal_args(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    return base, (n[0] if n else 10, n[1] if len(n) > 1 else 0)


def _float_args(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    """FLOAT(p) is a float up to 24 bits of precision, else a double; FLOAT(m, d) keeps both."""
    if len(n) == 1:
        return ("double" if n[0] > 24 else "float"), ()
    return _double_args(base, n, raw, charset)


def _double_args(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    return base, ((n[0], n[1]) if len(n) >= 2 else ())


def _length_or_one(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    return base, (n[0] if n else 1,)


def _length_if_given(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    return base, ((n[0],) if n else ())


def _fsp_args(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    """Fractional seconds, none when 0."""
    return base, ((n[0],) if n and n[0] else ())


def _text_of_size(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    """TEXT(n) is the smallest text type that holds n characters."""
    return (_by_size(TEXT_TYPES, n[0] * max_bytes_per_char(charset)) if n else base), ()


def _blob_of_size(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    """BLOB(n) is the smallest blob type that holds n bytes."""
    return (_by_size(BLOB_TYPES, n[0]) if n else base), ()


def _quoted_values(base: str, n: list[int], raw: RawType, charset: str) -> tuple[str, _Args]:
    """The values of an enum or set, without trailing spaces, as the server quotes them."""
    return base, tuple(quote_string(v.rstrip(" ")) for v in raw.args)


_TYPE_ARGS: dict[str, Callable[[str, list[int], RawType, str], tuple[str, _Args]]] = {
    **{t: _integer_args for t in INTEGER_TYPES},
    "decimal": _decimal_args,
    "float": _float_args,
    "double": _double_args,
    **{t: _length_or_one for t in ("bit", "char", "binary")},
    **{t: _length_if_given for t in ("varchar", "varbinary")},
    **{t: _fsp_args for t in TEMPORAL_FSP},
    "text": _text_of_size,
    "blob": _blob_of_size,
    **{t: _quoted_values for t in ("enum", "set")},
}


def canonical_type(raw: RawType, table_collation: str = DEFAULT_COLLATION) -> DataType:
    """The canonical :class:`DataType` of a written type (``table_collation`` decides the
    character set of TEXT(n) and of ``CHARACTER SET binary`` columns)."""
    base = raw.base
    args: _Args = ()
    n = [_int(a) for a in raw.args] if base not in ("enum", "set") else []
    charset = effective_charset(raw, table_collation)
    if base == "serial":
        return DataType(name="bigint unsigned", raw=raw.raw)
    if base in ("nchar", "nvarchar"):
        base = base[1:]
    if base in ("char", "varchar", *TEXT_TYPES) and charset == "binary":
        base = {"char": "binary", "varchar": "varbinary", **BINARY_OF_TEXT}[base]
    if base == "boolean" or (
        base == "tinyint" and n == [1] and not raw.unsigned and not raw.zerofill
    ):
        return DataType(name="boolean", raw=raw.raw)
    if base in _TYPE_ARGS:
        base, args = _TYPE_ARGS[base](base, n, raw, charset)
    name = base
    if raw.unsigned and base in (*INTEGER_TYPES, "decimal", "float", "double"):
        name += " unsigned zerofill" if raw.zerofill else " unsigned"
    return DataType(name=name, args=args, raw=raw.raw)


def parse_type(text: str, table_collation: str = DEFAULT_COLLATION) -> DataType:
    """Canonical type of a type string (``int(10) unsigned`` -> ``int unsigned``)."""
    return canonical_type(parse_raw_type(text), table_collation)


def is_textual(t: DataType) -> bool:
    return base_name(t) in TEXTUAL_TYPES


def column_collation(raw: RawType, table_collation: str, extra: str | None = None) -> str | None:
    """The collation a column gets (``None`` for types without one); ``extra`` is a COLLATE
    written after the type among the column's attributes."""
    t = canonical_type(raw, table_collation)
    if base_name(t) == "json":
        return "utf8mb4_bin"
    if not is_textual(t):
        return None
    if extra:
        return canonical_collation(extra)
    if raw.collation:
        return raw.collation
    charset = effective_charset(raw, table_collation)
    if raw.binary:
        return bin_collation(charset)
    if raw.charset or raw.national:
        return default_collation(charset)
    return canonical_collation(table_collation)


def type_sql(t: DataType) -> str:
    """DDL text of a canonical type (``boolean`` -> ``tinyint(1)``; ``decimal unsigned`` with
    args (10, 2) -> ``decimal(10,2) unsigned``)."""
    base, _, attrs = t.name.partition(" ")
    if base == "boolean":
        return "tinyint(1)"
    text = base
    if t.args:
        text += "(" + ",".join(str(a) for a in t.args) + ")"
    return f"{text} {attrs}" if attrs else text


def type_problem(t: DataType) -> str | None:
    """Why MySQL cannot have a column of this (model) type, or None."""
    base, _, attrs = t.name.partition(" ")
    if t.array_dims:
        return "arrays"
    if base not in CANONICAL_TYPES:
        return f"unknown type {t.name!r} (canonical MySQL names: int, varchar, datetime ...)"
    if attrs and (attrs not in ("unsigned", "unsigned zerofill") or base not in NUMERIC_TYPES):
        return f"attributes {attrs!r} on {base}"
    if base in ("varchar", "varbinary") and len(t.args) != 1:
        return f"{base} needs a length"
    if base in ("enum", "set") and not t.args:
        return f"{base} needs values"
    return None


class MySQLDialect(Dialect):
    """MySQL and its MariaDB variant (what is proven here runs on MariaDB 10.11)."""

    name = "mysql"
    title = "MySQL / MariaDB"
    aliases = ("mariadb",)
    url_schemes = ("mysql", "mariadb")
    capabilities = Capabilities(
        comments=True,
        auto_increment=True,
        inline_enums=True,
        alter_column=True,
        modify_column=True,
        alter_constraints=True,
        foreign_keys_need_index=True,  # InnoDB adds one when none leads with the columns
        index_name_scope="table",  # two tables may both have an index `idx_a`
        before_triggers_set_row=True,
        foreign_keys_same_type=True,
    )
    namespace = NAMESPACE
    identifier_limit = MAX_IDENTIFIER
    identifier_unit = "characters"
    case_insensitive_names = True
    primary_key_name = "PRIMARY"
    identifier_quote = "`"
    text_signals = re.compile(
        r"(?=[eadcu`])(?:\bENGINE\s*=|\bAUTO_INCREMENT\b|`|\bDELIMITER\b|"
        r"\bUNSIGNED\b|\bCHARSET\b)",
        re.I,
    )

    quote_ident = staticmethod(quote_ident)
    quote_string = staticmethod(quote_string)
    type_sql = staticmethod(type_sql)

    def split_statements(self, text: str) -> list[str]:
        """The statements of a script as the ``mysql`` client sends them, each stripped (an
        open string or comment: :class:`ParseError`); see :mod:`~dbdesign.dialects.mysql_lexer`."""
        from dbdesign.dialects.mysql_lexer import split_script  # sqlglot only when splitting

        src, statements = split_script(text)
        return [s for s in (src.text[st.start : st.end].strip() for st in statements) if s]

    def type_kind(self, t: DataType) -> str:
        return TYPE_KIND.get(base_name(t), "other")

    def binary_coercible(self, a: DataType, b: DataType) -> bool:
        # char, varchar and the text types of one character set compare directly
        return a.name == b.name or self.type_kind(a) == self.type_kind(b) == "text"

    def script_lines(self, statement: str) -> list[str]:
        if ";" in statement:  # a trigger or routine body: the client reads it between DELIMITERs
            return ["DELIMITER $$", statement + "$$", "DELIMITER ;"]
        return super().script_lines(statement)

    @property
    def reserved_words(self) -> frozenset[str]:
        return _RESERVED_LOWER

    example_url = "mysql://user@host:3306/db"
    operations = MYSQL_OPERATIONS
    is_default_key_name = mysql_sql.is_default_key_name
    rename_sql = mysql_sql.rename_sql
    drop_constraint_sql = mysql_sql.drop_constraint_sql
    comment_sql = mysql_sql.comment_sql


MYSQL = register(MySQLDialect())


def is_mariadb(version: str) -> bool:
    """Whether a server's ``VERSION()`` (``10.11.6-MariaDB-1:10.11.6+maria~ubu2204``,
    ``8.0.36``) is MariaDB's, the variant, rather than MySQL's."""
    return "mariadb" in version.lower()


__all__ = [
    "CANONICAL_TYPES",
    "CHARSETS",
    "DEFAULT_CHARSET",
    "DEFAULT_COLLATION",
    "DEFAULT_ENGINE",
    "FK_ENGINES",
    "MAX_IDENTIFIER",
    "MAX_KEY_LENGTH",
    "MYSQL",
    "NAMESPACE",
    "RESERVED_WORDS",
    "TYPE_KIND",
    "RawType",
    "TypeSyntaxError",
    "base_name",
    "bin_collation",
    "canonical_charset",
    "canonical_collation",
    "canonical_engine",
    "canonical_type",
    "charset_of",
    "check_name",
    "column_collation",
    "default_collation",
    "foreign_key_name",
    "is_known_engine",
    "is_mariadb",
    "is_textual",
    "is_unsigned",
    "max_bytes_per_char",
    "parse_raw_type",
    "parse_type",
    "parse_type_tokens",
    "quote_ident",
    "quote_string",
    "type_problem",
    "type_sql",
    "unique_key_name",
    "unquote_ident",
    "unquote_string",
]
