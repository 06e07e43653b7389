"""Parsing the parts of a MySQL table: names, strings, expressions, column definitions
(type and attributes), keys, foreign keys, checks and table options; CREATE TABLE.

A recursive-descent parser that follows the server's grammar (sql_yacc.yy); every expression
(DEFAULT (...), CHECK, generated columns) is checked with sqlglot (dialect ``mysql``)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from dbdesign.dialects.mysql import (
    RawType,
    TypeSyntaxError,
    canonical_charset,
    canonical_collation,
    canonical_engine,
    parse_type_tokens,
    unquote_ident,
    unquote_string,
)
from dbdesign.dialects.mysql_options import CREATE_OPTIONS
from dbdesign.dialects.tokens import Source, Tok, TokenCursor, check_sqlglot
from dbdesign.model.core import ReferentialAction
from dbdesign.readers.ddl.mysql_defs import (
    CheckDef,
    DefaultDef,
    FkDef,
    KeyDef,
    KeyPart,
    MySQLColumnDef,
    MySQLSkip,
    MySQLTableDef,
    TableOptions,
    fk_key,
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


class TableParser(TokenCursor):
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

    # ---- CREATE TABLE ---------------------------------------------------------------------

    def create_table(self, start: int, or_replace: bool) -> MySQLTableDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a table name")
        t = MySQLTableDef(
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
            raise MySQLSkip(
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
            raise MySQLSkip(
                f"CREATE TABLE {name} ... SELECT is not modelled (its rows and maybe columns "
                "come from the query); skipped",
                start,
            )
        self.expect_end()
        return t

    def create_definition(self, t: MySQLTableDef) -> None:
        at = self.offset()
        if self.at_constraint():
            c = self.table_constraint(t.name)
            if isinstance(c, KeyDef):
                t.keys.append(c)
            elif isinstance(c, FkDef):
                t.fks.append(c)
                t.keys.append(fk_key(c))
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
            t.keys.append(fk_key(fk))
        if check is not None:
            t.checks.append(check)

    def at_constraint(self) -> bool:
        """Whether a key, foreign key, check (or period) starts here, not a column: these
        words are reserved (a column so named is quoted), except PERIOD."""
        w = self.word()
        return w in _COLUMN_STOP and (w != "PERIOD" or self.word(1) == "FOR")

    def column_def(self) -> tuple[MySQLColumnDef, list[KeyDef], FkDef | None, CheckDef | None]:
        at = self.offset()
        name = self.name("a column name")
        type_at = self.offset()
        raw = self.data_type()
        col = MySQLColumnDef(name=name, raw=raw, origin=self.origin(at))
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
        return now_text(precision)

    def default_value(self) -> DefaultDef:
        t = self.peek()
        if t is None:
            raise self.unexpected("a default value")
        if t.kind == "op" and t.text == "(":
            text = self.paren_expr("DEFAULT expression")
            m = _NOW_CALL.match(text)
            if m:  # DEFAULT (NOW()) is DEFAULT CURRENT_TIMESTAMP
                precision = int(m.group(1) or m.group(2) or 0)
                return DefaultDef("now", now_text(precision))
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
