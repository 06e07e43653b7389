"""Parsing a MySQL column definition: names, strings and expressions, the type, the column
attributes (one method each), defaults, and a foreign key's REFERENCES clause. The table around
it: mysql_parse_table.

Every expression (DEFAULT (...), CHECK, generated columns) is checked with sqlglot (dialect
``mysql``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from dbdesign.dialects.mysql import (
    RawType,
    TypeSyntaxError,
    canonical_charset,
    canonical_collation,
    parse_type_tokens,
    unquote_ident,
    unquote_string,
)
from dbdesign.dialects.tokens import Source, Tok, TokenCursor, check_sqlglot
from dbdesign.model.core import ReferentialAction
from dbdesign.readers.ddl.mysql_defs import (
    CheckDef,
    DefaultDef,
    FkDef,
    KeyDef,
    KeyPart,
    MySQLColumnDef,
    now_text,
)

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


@dataclass(slots=True)
class _ColumnParts:
    """A column definition being read: the column, and what its attributes add to the table."""

    col: MySQLColumnDef
    fk: FkDef | None = None
    check: CheckDef | None = None
    primary_at: int | None = None  # where PRIMARY KEY (or KEY) was written first
    unique_at: int | None = None  # where UNIQUE [KEY] was written first


class ColumnParser(TokenCursor):
    """The tokens of one statement; warnings for what is read without effect go to
    ``notes`` (the reader reports them with the statement's file and line)."""

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

    # ---- column definitions ---------------------------------------------------------------

    def column_def(self) -> tuple[MySQLColumnDef, list[KeyDef], FkDef | None, CheckDef | None]:
        at = self.offset()
        name = self.name("a column name")
        type_at = self.offset()
        raw = self.data_type()
        c = _ColumnParts(MySQLColumnDef(name=name, raw=raw, origin=self.origin(at)))
        if raw.base == "serial":
            c.col.serial = c.col.notnull = True
        while not self.at_end() and not self.is_op(",") and not self.is_op(")"):
            if self.word() in ("FIRST", "AFTER"):  # ALTER TABLE ... ADD col ... AFTER x
                break
            self.column_attribute(c)
        if c.col.serial:
            c.col.auto_increment = True
            c.unique_at = c.unique_at if c.unique_at is not None else type_at
        # The attributes are flags (sql_yacc.yy, field_spec): a primary key, else one unique
        # key, however often they are written (``PRIMARY KEY UNIQUE`` is the primary key).
        keys: list[KeyDef] = []
        if c.primary_at is not None:
            keys.append(
                KeyDef("primary", "PRIMARY", [KeyPart(name)], origin=self.origin(c.primary_at))
            )
        elif c.unique_at is not None:
            keys.append(KeyDef("unique", None, [KeyPart(name)], origin=self.origin(c.unique_at)))
        return c.col, keys, c.fk, c.check

    def column_attribute(self, c: _ColumnParts) -> None:
        """One attribute of a column (its words: :data:`_COLUMN_ATTRIBUTES`)."""
        at = self.offset()
        entry = _COLUMN_ATTRIBUTES.get(self.word())
        if entry is None or not self.accept(*entry[0]):
            raise self.unexpected("a column attribute")
        entry[1](self, c, at)

    # ---- column attributes: the rest after their words (``at``: where they start) ---------

    def not_null(self, c: _ColumnParts, at: int) -> None:
        c.col.notnull = True

    def null(self, c: _ColumnParts, at: int) -> None:
        c.col.notnull = False

    def default(self, c: _ColumnParts, at: int) -> None:
        c.col.default = self.default_value()

    def auto_increment(self, c: _ColumnParts, at: int) -> None:
        c.col.auto_increment = c.col.notnull = True  # NOT NULL, unless a NULL follows

    def serial_default_value(self, c: _ColumnParts, at: int) -> None:
        c.col.serial = c.col.notnull = True

    def unique(self, c: _ColumnParts, at: int) -> None:
        self.accept("KEY")
        c.unique_at = c.unique_at if c.unique_at is not None else at

    def primary_key(self, c: _ColumnParts, at: int) -> None:
        c.primary_at = c.primary_at if c.primary_at is not None else at

    def comment(self, c: _ColumnParts, at: int) -> None:
        c.col.comment = self.string("a comment")

    def collate(self, c: _ColumnParts, at: int) -> None:
        self.equals()
        c.col.explicit_collation = canonical_collation(self.name_or_string("a collation"))

    def character_set(self, c: _ColumnParts, at: int) -> None:
        self.equals()
        cs = canonical_charset(self.name_or_string("a character set"))
        c.col.raw = replace(c.col.raw, charset=cs)

    def on_update(self, c: _ColumnParts, at: int) -> None:
        c.col.on_update = self.now_function()

    def generated_always(self, c: _ColumnParts, at: int) -> None:
        self.expect("ALWAYS")
        self.expect("AS")
        self.generated_as(c, at)

    def generated_as(self, c: _ColumnParts, at: int) -> None:
        """(GENERATED ALWAYS) AS (expr) [VIRTUAL | STORED | PERSISTENT]."""
        if self.is_op("("):
            c.col.generated = self.paren_expr("generated column expression")
        else:
            raise self.unexpected("'('")
        if self.word() in ("VIRTUAL", "STORED", "PERSISTENT"):
            c.col.stored = self.word() != "VIRTUAL"
            self.i += 1

    def virtual(self, c: _ColumnParts, at: int) -> None:
        c.col.stored = False

    def stored(self, c: _ColumnParts, at: int) -> None:
        c.col.stored = True

    def constraint_check(self, c: _ColumnParts, at: int) -> None:
        """(CONSTRAINT) [name] CHECK (expr)."""
        cname = None if self.word() == "CHECK" else self.name("a constraint name")
        self.expect("CHECK")
        c.check = CheckDef(cname, self.paren_expr("CHECK expression"), c.col.name, self.origin(at))
        self.enforced()

    def check(self, c: _ColumnParts, at: int) -> None:
        c.check = CheckDef(None, self.paren_expr("CHECK expression"), c.col.name, self.origin(at))
        self.enforced()

    def column_references(self, c: _ColumnParts, at: int) -> None:
        c.fk = FkDef(None, [c.col.name], None, "", [], origin=self.origin(at))
        self.references(c.fk)

    def column_format(self, c: _ColumnParts, at: int) -> None:
        """(COLUMN_FORMAT | STORAGE) FIXED | DYNAMIC | DEFAULT | DISK | MEMORY: not modelled."""
        if self.word() not in ("FIXED", "DYNAMIC", "DEFAULT", "DISK", "MEMORY"):
            raise self.unexpected("FIXED, DYNAMIC, DEFAULT, DISK or MEMORY")
        self.i += 1

    def ignored(self, c: _ColumnParts, at: int) -> None:
        """An attribute without effect on the model (written in its words alone)."""

    def compressed(self, c: _ColumnParts, at: int) -> None:
        if self.accept_op("="):
            self.name("a compression method")

    def srid(self, c: _ColumnParts, at: int) -> None:
        self.equals()
        self.integer()

    def engine_attribute(self, c: _ColumnParts, at: int) -> None:
        self.equals()
        self.string()

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
        return now_text(precision)

    # ---- defaults -------------------------------------------------------------------------

    def default_value(self) -> DefaultDef:
        t = self.peek()
        if t is None:
            raise self.unexpected("a default value")
        if t.kind == "op" and t.text == "(":
            return self.default_expression()
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
            return self.default_word(t.upper)
        raise self.unexpected("a default value")

    def default_expression(self) -> DefaultDef:
        """``(expr)``; ``(NOW())`` and the like are DEFAULT CURRENT_TIMESTAMP."""
        text = self.paren_expr("DEFAULT expression")
        m = _NOW_CALL.match(text)
        if m:
            precision = int(m.group(1) or m.group(2) or 0)
            return DefaultDef("now", now_text(precision))
        return DefaultDef("expr", text)

    def default_word(self, u: str) -> DefaultDef:
        """A default starting with a word: NULL, TRUE, FALSE, a string with a character set
        introducer, CURRENT_TIMESTAMP and the like, a function call."""
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

    # ---- REFERENCES -----------------------------------------------------------------------

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


_Attribute = Callable[[ColumnParser, _ColumnParts, int], None]

# The attributes of a column by their first word: all their words, and the parser's method
# that reads the rest (``at``: where the attribute starts).
_COLUMN_ATTRIBUTES: dict[str, tuple[tuple[str, ...], _Attribute]] = {
    "NOT": (("NOT", "NULL"), ColumnParser.not_null),
    "NULL": (("NULL",), ColumnParser.null),
    "DEFAULT": (("DEFAULT",), ColumnParser.default),
    "AUTO_INCREMENT": (("AUTO_INCREMENT",), ColumnParser.auto_increment),
    "SERIAL": (("SERIAL", "DEFAULT", "VALUE"), ColumnParser.serial_default_value),
    "UNIQUE": (("UNIQUE",), ColumnParser.unique),
    "PRIMARY": (("PRIMARY", "KEY"), ColumnParser.primary_key),
    "KEY": (("KEY",), ColumnParser.primary_key),
    "COMMENT": (("COMMENT",), ColumnParser.comment),
    "COLLATE": (("COLLATE",), ColumnParser.collate),
    "CHARACTER": (("CHARACTER", "SET"), ColumnParser.character_set),
    "CHARSET": (("CHARSET",), ColumnParser.character_set),
    "ON": (("ON", "UPDATE"), ColumnParser.on_update),
    "GENERATED": (("GENERATED",), ColumnParser.generated_always),
    "AS": (("AS",), ColumnParser.generated_as),
    "VIRTUAL": (("VIRTUAL",), ColumnParser.virtual),
    "STORED": (("STORED",), ColumnParser.stored),
    "PERSISTENT": (("PERSISTENT",), ColumnParser.stored),
    "CONSTRAINT": (("CONSTRAINT",), ColumnParser.constraint_check),
    "CHECK": (("CHECK",), ColumnParser.check),
    "REFERENCES": (("REFERENCES",), ColumnParser.column_references),
    "COLUMN_FORMAT": (("COLUMN_FORMAT",), ColumnParser.column_format),
    "STORAGE": (("STORAGE",), ColumnParser.column_format),
    "VISIBLE": (("VISIBLE",), ColumnParser.ignored),
    "INVISIBLE": (("INVISIBLE",), ColumnParser.ignored),
    "COMPRESSED": (("COMPRESSED",), ColumnParser.compressed),
    "WITH": (("WITH", "SYSTEM", "VERSIONING"), ColumnParser.ignored),
    "WITHOUT": (("WITHOUT", "SYSTEM", "VERSIONING"), ColumnParser.ignored),
    "SRID": (("SRID",), ColumnParser.srid),
    "REF_SYSTEM_ID": (("REF_SYSTEM_ID",), ColumnParser.srid),
    "ENGINE_ATTRIBUTE": (("ENGINE_ATTRIBUTE",), ColumnParser.engine_attribute),
    "SECONDARY_ENGINE_ATTRIBUTE": (("SECONDARY_ENGINE_ATTRIBUTE",), ColumnParser.engine_attribute),
}
