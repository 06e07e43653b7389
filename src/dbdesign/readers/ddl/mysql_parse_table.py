"""Parsing the parts of a MySQL table: keys, foreign keys, checks and table options; CREATE
TABLE (the columns: mysql_parse_column).

A recursive-descent parser that follows the server's grammar (sql_yacc.yy); every expression
(DEFAULT (...), CHECK, generated columns) is checked with sqlglot (dialect ``mysql``)."""

from __future__ import annotations

from typing import Literal

from dbdesign.dialects.mysql import (
    canonical_charset,
    canonical_collation,
    canonical_engine,
    unquote_ident,
    unquote_string,
)
from dbdesign.dialects.mysql_options import CREATE_OPTIONS
from dbdesign.readers.ddl.mysql_defs import (
    CheckDef,
    FkDef,
    KeyDef,
    KeyPart,
    MySQLSkip,
    MySQLTableDef,
    TableOptions,
    fk_key,
)
from dbdesign.readers.ddl.mysql_parse_column import ColumnParser

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


class TableParser(ColumnParser):
    """CREATE TABLE, keys, foreign keys, checks and table options, on the column parts of
    :class:`ColumnParser`."""

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
            return self.foreign_key(cname, at)
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

    def foreign_key(self, cname: str | None, at: int) -> FkDef:
        """(FOREIGN KEY) [IF NOT EXISTS] [index] (columns) REFERENCES ..."""
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
