"""SQLite DDL text -> :class:`Schema`.

The script is split into statements here (quotes, comments and ``BEGIN ... END`` trigger bodies
respected); only CREATE, ALTER and DROP are parsed, everything else (INSERT, PRAGMA, BEGIN ...)
is skipped without being looked at further. The statement structure is parsed by a small
recursive-descent parser that follows SQLite's grammar (parse.y), because what SQLite records is
the *text* of parts of the statement (the declared type ``BLOB SUB_TYPE TEXT``, the text of a
DEFAULT) and sqlglot neither accepts every declared type nor keeps source spans. Every
expression (DEFAULT, CHECK, generated column, index key and predicate, view query, trigger WHEN)
is parsed with sqlglot (dialect ``sqlite``); a syntax error in it is a :class:`ParseError`.

The same statement parser reads the SQL stored in ``sqlite_master`` for the catalog reader
(:func:`parse_create`), and :func:`resolve_table` / :func:`build_table` are shared, so both readers
name unnamed constraints the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import dbdesign.normalize.sqlite  # noqa: F401  (registers the "sqlite" expression normaliser)
from dbdesign.dialects.sqlite import (
    FALLBACK_KEYWORDS,
    KEYWORDS,
    NAMESPACE,
    canonical_collation,
    choose_name,
    dequote,
    parse_type,
    strip_generated_always,
)
from dbdesign.errors import Diagnostic, ParseError
from dbdesign.model import (
    Check,
    Column,
    Expr,
    ForeignKey,
    FrozenMap,
    Generated,
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
from dbdesign.readers.ddl.tokens import Source, Tok, TokenCursor, check_sqlglot, error_at, short

Warn = Callable[[Diagnostic], None]

# --------------------------------------------------------------------------------------------
# Tokens and statements
# --------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
 (?P<ws>[\ \t\n\f\r]+)
|(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
|(?P<string>'(?:[^']|'')*')
|(?P<blob>[xX]'[0-9A-Fa-f]*')
|(?P<qident>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
|(?P<number>0[xX][0-9A-Fa-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
|(?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
|(?P<var>\?\d*|[:@$][A-Za-z0-9_$]+)
|(?P<op>\|\||->>|->|<<|>>|<=|>=|==|!=|<>|[-+*/%&|~<>=,;().])
|(?P<bad>.)
""",
    re.S | re.X,
)

# Kinds of statement that change no schema: skipped without a word.
_SKIPPED = frozenset(
    (
        "INSERT",
        "REPLACE",
        "UPDATE",
        "DELETE",
        "SELECT",
        "WITH",
        "VALUES",
        "PRAGMA",
        "BEGIN",
        "COMMIT",
        "END",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "ANALYZE",
        "VACUUM",
        "REINDEX",
        "ATTACH",
        "DETACH",
        "EXPLAIN",
    )
)


_BAD_QUOTE = {
    "'": "unterminated string literal",
    '"': "unterminated quoted identifier",
    "`": "unterminated quoted identifier",
    "[": "unterminated quoted identifier",
}


def tokenize(src: Source, start: int = 0, end: int | None = None) -> list[Tok]:
    """Significant tokens of ``src.text[start:end]`` (whitespace and comments dropped)."""
    toks: list[Tok] = []
    append = toks.append
    text = src.text
    for m in _TOKEN_RE.finditer(text, start, len(text) if end is None else end):
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        if kind == "bad":
            ch = m.group()
            raise src.error(_BAD_QUOTE.get(ch, f"unrecognized token {ch!r}"), m.start())
        append(Tok(kind or "op", m.start(), m.end(), m.group()))
    return toks


# The splitter only needs what can hide a ";" (quotes, comments) and the words that shape a
# trigger; everything else (numbers, punctuation, spaces) is stepped over by finditer, so the
# rows of a large INSERT cost almost nothing.
_COARSE_RE = re.compile(
    r"""(?P<c>--[^\n]*|/\*.*?(?:\*/|\Z))"""
    r"""|(?P<s>'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])"""
    r"""|(?P<w>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)"""
    r"""|(?P<semi>;)|(?P<bad>['"`\[])""",
    re.S,
)
_TEMP = frozenset(("TEMP", "TEMPORARY"))


def statement_spans(src: Source) -> list[tuple[int, int, str]]:
    """``(start, end, first word upper-cased)`` of each statement, without its ``;``.

    A ``CREATE [TEMP] TRIGGER`` ends at the ``;`` right after the ``END`` of its body;
    ``CASE ... END`` inside the trigger is counted so that it does not end the body.
    """
    text = src.text
    spans: list[tuple[int, int, str]] = []
    start = 0
    first: str | None = None
    head: list[str] = []
    trigger = False
    case_depth = 0
    body_end = False

    def close(end: int) -> None:
        if first is not None:
            spans.append((start, end, first))
        elif tokenize(src, start, end):  # only punctuation/numbers: not a statement we know
            spans.append((start, end, ""))

    for m in _COARSE_RE.finditer(text):
        kind = m.lastgroup
        if kind == "c":
            continue
        if kind == "semi":
            if trigger and not body_end:
                continue
            close(m.start())
            start, first, head, trigger, case_depth, body_end = m.end(), None, [], False, 0, False
            continue
        if kind == "bad":
            raise src.error(_BAD_QUOTE[m.group()], m.start())
        if kind == "s":
            if first is None:
                first = ""
            body_end = False
            continue
        u = m.group().upper()
        if first is None:
            first = u
        if len(head) < 3:
            head.append(u)
            if head[0] == "CREATE" and u == "TRIGGER" and all(h in _TEMP for h in head[1:-1]):
                trigger = True
                continue
        if trigger:
            if u == "CASE":
                case_depth += 1
                body_end = False
            elif u == "END":
                if case_depth > 0:
                    case_depth -= 1
                    body_end = False
                else:
                    body_end = True
            else:
                body_end = False
    close(len(text))
    return spans


# --------------------------------------------------------------------------------------------
# Parsed statements (mutable; the builder edits them for ALTER TABLE)
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ColumnDef:
    name: str
    type_text: str  # the declared type as SQLite stores it
    notnull: bool = False
    default: str | None = None  # the text PRAGMA table_xinfo reports as dflt_value
    collation: str | None = None
    generated: str | None = None
    stored: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class ConstraintDef:
    kind: Literal["pk", "unique", "check", "fk"]
    name: str | None
    columns: list[str] = field(default_factory=list)
    expr: str | None = None
    ref_table: str = ""
    ref_columns: list[str] = field(default_factory=list)
    on_delete: ReferentialAction = "NO ACTION"
    on_update: ReferentialAction = "NO ACTION"
    deferred: bool = False
    autoincrement: bool = False
    desc: bool = False
    column: str | None = None  # the column of a column constraint
    origin: Origin | None = None


@dataclass(slots=True)
class TableDef:
    name: str
    columns: list[ColumnDef] = field(default_factory=list)
    constraints: list[ConstraintDef] = field(default_factory=list)
    without_rowid: bool = False
    strict: bool = False
    if_not_exists: bool = False
    origin: Origin | None = None

    def column(self, name: str) -> ColumnDef | None:
        low = name.lower()
        for c in self.columns:
            if c.name.lower() == low:
                return c
        return None


@dataclass(slots=True)
class ElementDef:
    column: str | None
    expr: str | None
    collation: str | None
    desc: bool


@dataclass(slots=True)
class IndexDef:
    name: str
    table: str
    unique: bool
    elements: list[ElementDef]
    where: str | None
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class ViewDef:
    name: str
    columns: list[str]
    query: str
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class TriggerDef:
    name: str
    table: str
    timing: Literal["BEFORE", "AFTER", "INSTEAD OF"]
    event: str
    columns: list[str]
    when: str | None
    body: str
    if_not_exists: bool = False
    origin: Origin | None = None


@dataclass(slots=True)
class AlterDef:
    table: str
    action: Literal["rename", "rename_column", "add_column", "drop_column"]
    old: str = ""
    new: str = ""
    column: ColumnDef | None = None
    constraints: list[ConstraintDef] = field(default_factory=list)
    origin: Origin | None = None


_DropKind = Literal["TABLE", "INDEX", "VIEW", "TRIGGER"]
_DROP_KINDS: dict[str, _DropKind] = {
    "TABLE": "TABLE",
    "INDEX": "INDEX",
    "VIEW": "VIEW",
    "TRIGGER": "TRIGGER",
}


@dataclass(slots=True)
class DropDef:
    kind: _DropKind
    name: str
    if_exists: bool
    origin: Origin | None = None


Statement = TableDef | IndexDef | ViewDef | TriggerDef | AlterDef | DropDef


class _Skip(Exception):
    """A statement that is valid but outside the model (TEMP objects, virtual tables ...)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


# --------------------------------------------------------------------------------------------
# Statement parser
# --------------------------------------------------------------------------------------------

_TYPE_STOP = frozenset(KEYWORDS - FALLBACK_KEYWORDS)
_ACTIONS: dict[str, ReferentialAction] = {
    "CASCADE": "CASCADE",
    "RESTRICT": "RESTRICT",
    "SET NULL": "SET NULL",
    "SET DEFAULT": "SET DEFAULT",
    "NO ACTION": "NO ACTION",
}
_CONFLICT = frozenset(("ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"))
_TERM_KINDS = frozenset(("string", "number", "blob", "word", "qident"))


class _Parser(TokenCursor):
    def __init__(self, src: Source, toks: list[Tok], *, validate: bool = True) -> None:
        super().__init__(src, toks)
        self.validate = validate

    # -- helpers --------------------------------------------------------------------------

    def name(self, what: str = "a name") -> str:
        t = self.peek()
        if t is None or t.kind not in ("word", "qident", "string"):
            raise self.unexpected(what)
        if t.kind == "word" and t.upper in _TYPE_STOP:
            raise self.unexpected(what)
        self.i += 1
        return t.text if t.kind == "word" else dequote(t.text)

    def paren_expr(self, what: str, kind: str = "expr") -> str:
        """``( expr )``: the text inside the parentheses, checked with sqlglot."""
        self.expect_op("(")
        i, j = self.balanced()
        self.expect_op(")")
        if i == j:
            raise self.error(f"empty {what}", self.toks[i - 1].end)
        return self.checked(i, j, kind)

    def checked(self, i: int, j: int, kind: str = "expr") -> str:
        text = self.text(i, j)
        if self.validate:
            check_sqlglot(self.src, text, self.toks[i].start, kind, "sqlite")
        return text

    def conflict_clause(self) -> None:
        if self.accept("ON", "CONFLICT"):
            if self.word() not in _CONFLICT:
                raise self.unexpected("ROLLBACK, ABORT, FAIL, IGNORE or REPLACE")
            self.i += 1

    # -- statements ---------------------------------------------------------------------------

    def statement(self) -> Statement | None:
        first = self.peek()
        assert first is not None
        kw = first.upper
        if kw == "CREATE":
            self.i += 1
            return self.create(first.start)
        if kw == "ALTER":
            self.i += 1
            return self.alter(first.start)
        if kw == "DROP":
            self.i += 1
            return self.drop(first.start)
        return None

    def create(self, start: int) -> Statement:
        temp = self.accept("TEMP") or self.accept("TEMPORARY")
        unique = self.accept("UNIQUE")
        kw = self.word()
        if unique and kw != "INDEX":
            raise self.unexpected("INDEX")
        if kw == "VIRTUAL" and not temp:
            raise _Skip("CREATE VIRTUAL TABLE is not modelled; statement skipped", start)
        if kw not in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
            raise self.unexpected("TABLE, INDEX, VIEW or TRIGGER")
        if temp and kw == "INDEX":
            raise self.unexpected("TABLE, VIEW or TRIGGER")
        self.i += 1
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        name_at = self.offset()
        schema, name = self.qualified_name()
        if temp or (schema is not None and schema.lower() == "temp"):
            raise _Skip(
                f"temporary {kw.lower()} {name!r} is not part of the schema; skipped", start
            )
        if schema is not None and schema.lower() != NAMESPACE:
            raise _Skip(f"{kw.lower()} {schema}.{name} is in an attached database; skipped", start)
        if kw == "TABLE":
            return self.create_table(name, if_not_exists, name_at, start)
        if kw == "INDEX":
            return self.create_index(name, unique, if_not_exists, start)
        if kw == "VIEW":
            return self.create_view(name, if_not_exists, start)
        return self.create_trigger(name, if_not_exists, start)

    def create_table(self, name: str, if_not_exists: bool, name_at: int, start: int) -> TableDef:
        t = TableDef(name=name, if_not_exists=if_not_exists, origin=self.origin(start))
        if self.word() == "AS":
            raise _Skip(
                f"CREATE TABLE {name} AS SELECT is not modelled (its columns come from "
                "the query); skipped",
                start,
            )
        self.expect_op("(")
        while True:
            if self.word() in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
                break
            col, cons = self.column_def()
            if t.column(col.name) is not None:
                raise error_at(f"duplicate column name: {col.name}", col.origin)
            t.columns.append(col)
            t.constraints.extend(cons)
            if not self.accept_op(","):
                break
        if not self.is_op(")"):
            while True:
                t.constraints.append(self.table_constraint())
                if self.is_op(")"):
                    break
                self.accept_op(",")
        self.expect_op(")")
        while not self.at_end():
            if self.accept("WITHOUT"):
                if self.word() != "ROWID":
                    raise self.unexpected("ROWID")
                self.i += 1
                t.without_rowid = True
            elif self.word() == "STRICT":
                self.i += 1
                t.strict = True
            else:
                raise self.unexpected("WITHOUT ROWID or STRICT")
            if not self.at_end():
                self.expect_op(",")
                if self.at_end():
                    raise self.unexpected("a table option")
        return t

    def column_def(self) -> tuple[ColumnDef, list[ConstraintDef]]:
        at = self.offset()
        name = self.name("a column name")
        col = ColumnDef(name=name, type_text=self.declared_type(), origin=self.origin(at))
        cons: list[ConstraintDef] = []
        cname: str | None = None
        while not self.at_end() and not self.is_op(",") and not self.is_op(")"):
            c_at = self.offset()
            kw = self.word()
            if self.accept("CONSTRAINT"):
                cname = self.name("a constraint name")
                continue
            if self.accept("PRIMARY"):
                self.expect("KEY")
                desc = self.accept("DESC")
                if not desc:
                    self.accept("ASC")
                self.conflict_clause()
                auto = self.accept("AUTOINCREMENT")
                cons.append(
                    ConstraintDef(
                        "pk",
                        cname,
                        [name],
                        autoincrement=auto,
                        desc=desc,
                        column=name,
                        origin=self.origin(c_at),
                    )
                )
            elif self.accept("NOT"):
                self.expect("NULL")
                col.notnull = True
                self.conflict_clause()
            elif self.accept("NULL"):
                self.conflict_clause()
            elif self.accept("UNIQUE"):
                self.conflict_clause()
                cons.append(
                    ConstraintDef("unique", cname, [name], column=name, origin=self.origin(c_at))
                )
            elif self.accept("CHECK"):
                expr = self.paren_expr("CHECK expression")
                cons.append(
                    ConstraintDef(
                        "check", cname, [name], expr=expr, column=name, origin=self.origin(c_at)
                    )
                )
            elif self.accept("DEFAULT"):
                col.default = self.default_value()
            elif self.accept("COLLATE"):
                col.collation = self.name("a collation name")
            elif self.accept("REFERENCES"):
                fk = ConstraintDef("fk", cname, [name], column=name, origin=self.origin(c_at))
                self.references(fk)
                if len(fk.ref_columns) > 1:
                    raise self.src.error(
                        f"foreign key on {name} should reference only one "
                        f"column of table {fk.ref_table}",
                        c_at,
                    )
                cons.append(fk)
            elif kw in ("GENERATED", "AS"):
                if self.accept("GENERATED"):
                    self.expect("ALWAYS")
                self.expect("AS")
                col.generated = self.paren_expr("generated column expression")
                if self.word() in ("STORED", "VIRTUAL"):
                    col.stored = self.word() == "STORED"
                    self.i += 1
                elif self.word() and self.word() not in KEYWORDS:
                    raise self.unexpected("STORED or VIRTUAL")
            else:
                raise self.unexpected("a column constraint")
            cname = None
        return col, cons

    def declared_type(self) -> str:
        """The declared type span as SQLite stores it (``typetoken`` in parse.y)."""
        start = self.i
        while True:
            t = self.peek()
            if t is None:
                break
            if t.kind in ("string", "qident") or (t.kind == "word" and t.upper not in _TYPE_STOP):
                self.i += 1
                continue
            break
        if self.i == start:
            return ""
        if self.is_op("("):
            self.i += 1
            self.signed_number()
            if self.accept_op(","):
                self.signed_number()
            self.expect_op(")")
        raw = self.text(start, self.i)
        return dequote(strip_generated_always(raw))

    def signed_number(self) -> None:
        if self.is_op("+") or self.is_op("-"):
            self.i += 1
        t = self.peek()
        if t is None or t.kind != "number":
            raise self.unexpected("a number")
        self.i += 1

    def default_value(self) -> str:
        t = self.peek()
        if t is None:
            raise self.unexpected("a default value")
        if t.kind == "op" and t.text == "(":
            self.i += 1
            i, j = self.balanced()
            self.expect_op(")")
            if i == j:
                raise self.error("empty DEFAULT expression", self.toks[i - 1].end)
            return self.checked(i, j)
        if t.kind == "op" and t.text in "+-":
            self.i += 1
            n = self.peek()
            if n is None or n.kind != "number":
                raise self.unexpected("a number")
            self.i += 1
            return self.text(self.i - 2, self.i)
        if t.kind in _TERM_KINDS and not (
            t.kind == "word" and t.upper in _TYPE_STOP and t.upper != "NULL"
        ):
            self.i += 1
            return t.text
        raise self.unexpected("a default value")

    def references(self, fk: ConstraintDef) -> None:
        fk.ref_table = self.name("a table name")
        if self.accept_op("("):
            fk.ref_columns = self.name_list()
        while True:
            if self.accept("ON"):
                which = self.word()
                if which not in ("DELETE", "UPDATE", "INSERT"):
                    raise self.unexpected("DELETE or UPDATE")
                self.i += 1
                action = self.referential_action()
                if which == "DELETE":
                    fk.on_delete = action
                elif which == "UPDATE":
                    fk.on_update = action
            elif self.accept("MATCH"):
                self.name("a match type")
            else:
                break
        deferrable = None
        if self.accept("NOT", "DEFERRABLE"):
            deferrable = False
        elif self.accept("DEFERRABLE"):
            deferrable = True
        if deferrable is not None and self.accept("INITIALLY"):
            if self.accept("DEFERRED"):
                fk.deferred = deferrable
            elif not self.accept("IMMEDIATE"):
                raise self.unexpected("DEFERRED or IMMEDIATE")

    def referential_action(self) -> ReferentialAction:
        for words in (
            ("SET", "NULL"),
            ("SET", "DEFAULT"),
            ("NO", "ACTION"),
            ("CASCADE",),
            ("RESTRICT",),
        ):
            if self.accept(*words):
                return _ACTIONS[" ".join(words)]
        raise self.unexpected("a referential action")

    def name_list(self) -> list[str]:
        """``name, name ... )`` (the ``(`` already consumed)."""
        names = [self.name("a column name")]
        while self.accept_op(","):
            names.append(self.name("a column name"))
        self.expect_op(")")
        return names

    def sort_list(self) -> tuple[list[str], bool]:
        """Columns of a PRIMARY KEY/UNIQUE table constraint; returns (names, autoincrement)."""
        self.expect_op("(")
        names: list[str] = []
        auto = False
        while True:
            at = self.offset()
            names.append(self.name("a column name"))
            if self.accept("COLLATE"):
                self.name("a collation name")
            if not self.accept("ASC"):
                self.accept("DESC")
            if not self.is_op(",") and not self.is_op(")"):
                if self.accept("AUTOINCREMENT"):
                    auto = True
                else:
                    raise self.src.error(
                        "expressions prohibited in PRIMARY KEY and UNIQUE constraints", at
                    )
            if not self.accept_op(","):
                break
        self.expect_op(")")
        return names, auto

    def table_constraint(self) -> ConstraintDef:
        at = self.offset()
        cname = self.name("a constraint name") if self.accept("CONSTRAINT") else None
        if self.accept("PRIMARY", "KEY"):
            cols, auto = self.sort_list()
            self.conflict_clause()
            return ConstraintDef("pk", cname, cols, autoincrement=auto, origin=self.origin(at))
        if self.accept("UNIQUE"):
            cols, auto = self.sort_list()
            if auto:
                raise self.error("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY", at)
            self.conflict_clause()
            return ConstraintDef("unique", cname, cols, origin=self.origin(at))
        if self.accept("CHECK"):
            expr = self.paren_expr("CHECK expression")
            self.conflict_clause()
            return ConstraintDef("check", cname, expr=expr, origin=self.origin(at))
        if self.accept("FOREIGN", "KEY"):
            self.expect_op("(")
            cols = self.name_list()
            self.expect("REFERENCES")
            fk = ConstraintDef("fk", cname, cols, origin=self.origin(at))
            self.references(fk)
            if fk.ref_columns and len(fk.ref_columns) != len(cols):
                raise self.error(
                    f"number of columns in foreign key does not match the number "
                    f"of columns in the referenced table {fk.ref_table}",
                    at,
                )
            return fk
        raise self.unexpected("PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY")

    def create_index(self, name: str, unique: bool, if_not_exists: bool, start: int) -> IndexDef:
        self.expect("ON")
        table = self.name("a table name")
        self.expect_op("(")
        elements: list[ElementDef] = []
        while True:
            elements.append(self.index_element())
            if not self.accept_op(","):
                break
        self.expect_op(")")
        where = None
        if self.accept("WHERE"):
            if self.at_end():
                raise self.unexpected("an expression")
            where = self.checked(self.i, len(self.toks))
            self.i = len(self.toks)
        self.expect_end()
        return IndexDef(
            name=name,
            table=table,
            unique=unique,
            elements=elements,
            where=where,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    def index_element(self) -> ElementDef:
        i, j = self.balanced(stop_ops=frozenset((",",)))
        if i == j:
            raise self.unexpected("an index column")
        toks = self.toks
        desc = False
        if toks[j - 1].upper in ("ASC", "DESC"):
            desc = toks[j - 1].upper == "DESC"
            j -= 1
        collation = None
        if (
            j - i >= 3
            and toks[j - 2].upper == "COLLATE"
            and toks[j - 1].kind in ("word", "qident", "string")
        ):
            t = toks[j - 1]
            collation = t.text if t.kind == "word" else dequote(t.text)
            j -= 2
        # Redundant parentheses around the whole key: (x) is the column x.
        while j - i >= 3 and toks[i].text == "(" and toks[j - 1].text == ")" and _wraps(toks, i, j):
            i, j = i + 1, j - 1
        if i == j:
            raise self.error("missing index column", toks[i].start if i < len(toks) else 0)
        if (
            j - i == 1
            and toks[i].kind in ("word", "qident")
            and not (
                toks[i].kind == "word"
                and (toks[i].upper in _TYPE_STOP or toks[i].upper.startswith("CURRENT_"))
            )
        ):
            t = toks[i]
            return ElementDef(
                column=t.text if t.kind == "word" else dequote(t.text),
                expr=None,
                collation=collation,
                desc=desc,
            )
        return ElementDef(column=None, expr=self.checked(i, j), collation=collation, desc=desc)

    def create_view(self, name: str, if_not_exists: bool, start: int) -> ViewDef:
        columns: list[str] = []
        if self.accept_op("("):
            columns = self.name_list()
        self.expect("AS")
        if self.at_end():
            raise self.unexpected("a SELECT statement")
        query = self.checked(self.i, len(self.toks), kind="query")
        self.i = len(self.toks)
        return ViewDef(
            name=name,
            columns=columns,
            query=query,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    def create_trigger(self, name: str, if_not_exists: bool, start: int) -> TriggerDef:
        timing: Literal["BEFORE", "AFTER", "INSTEAD OF"] = "BEFORE"
        if self.accept("BEFORE"):
            timing = "BEFORE"
        elif self.accept("AFTER"):
            timing = "AFTER"
        elif self.accept("INSTEAD", "OF"):
            timing = "INSTEAD OF"
        event = self.word()
        if event not in ("INSERT", "UPDATE", "DELETE"):
            raise self.unexpected("INSERT, UPDATE or DELETE")
        self.i += 1
        columns: list[str] = []
        if event == "UPDATE" and self.accept("OF"):
            columns.append(self.name("a column name"))
            while self.accept_op(","):
                columns.append(self.name("a column name"))
        self.expect("ON")
        schema, table = self.qualified_name("a table name")
        if schema is not None and schema.lower() != NAMESPACE:
            raise self.error(
                "qualified table names are not allowed on INSERT, UPDATE, and "
                "DELETE statements within triggers"
            )
        if self.accept("FOR", "EACH") and not self.accept("ROW"):
            raise self.unexpected("ROW")
        when = None
        if self.accept("WHEN"):
            i, j = self.balanced(stop_words=frozenset(("BEGIN",)))
            if i == j:
                raise self.unexpected("an expression")
            when = self.checked(i, j)
        if not self.is_op("(") and self.word() != "BEGIN":
            raise self.unexpected("BEGIN")
        begin = self.toks[self.i]
        last = self.toks[-1]
        if len(self.toks) - self.i < 3 or last.upper != "END":
            raise self.error("incomplete trigger body: expected statements and END")
        body = self.src.text[begin.end : last.start].strip()
        self.i = len(self.toks)
        return TriggerDef(
            name=name,
            table=table,
            timing=timing,
            event=event,
            columns=columns,
            when=when,
            body=body,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    def alter(self, start: int) -> AlterDef:
        self.expect("TABLE")
        schema, table = self.qualified_name("a table name")
        if schema is not None and schema.lower() != NAMESPACE:
            raise _Skip(f"ALTER TABLE {schema}.{table} is outside the main schema; skipped", start)
        origin = self.origin(start)
        if self.accept("RENAME"):
            if self.accept("TO"):
                new = self.name("a table name")
                self.expect_end()
                return AlterDef(table=table, action="rename", new=new, origin=origin)
            self.accept("COLUMN")
            old = self.name("a column name")
            self.expect("TO")
            new = self.name("a column name")
            self.expect_end()
            return AlterDef(table=table, action="rename_column", old=old, new=new, origin=origin)
        if self.accept("ADD"):
            self.accept("COLUMN")
            col, cons = self.column_def()
            self.expect_end()
            return AlterDef(
                table=table, action="add_column", column=col, constraints=cons, origin=origin
            )
        if self.accept("DROP"):
            self.accept("COLUMN")
            old = self.name("a column name")
            self.expect_end()
            return AlterDef(table=table, action="drop_column", old=old, origin=origin)
        raise self.unexpected("RENAME, ADD or DROP")

    def drop(self, start: int) -> DropDef:
        word = self.word()
        if word not in _DROP_KINDS:
            raise self.unexpected("TABLE, INDEX, VIEW or TRIGGER")
        kind = _DROP_KINDS[word]
        self.i += 1
        if_exists = self.accept("IF", "EXISTS")
        schema, name = self.qualified_name()
        self.expect_end()
        if schema is not None and schema.lower() != NAMESPACE:
            raise _Skip(f"DROP {kind} {schema}.{name} is outside the main schema; skipped", start)
        return DropDef(
            kind=kind,
            name=name,
            if_exists=if_exists,
            origin=self.origin(start),
        )


def _wraps(toks: list[Tok], i: int, j: int) -> bool:
    """Whether toks[i] '(' is closed by toks[j-1] ')'."""
    depth = 0
    for k in range(i, j):
        t = toks[k]
        if t.kind != "op":
            continue
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
            if depth == 0:
                return k == j - 1
    return False


def parse_create(sql: str, *, validate: bool = False) -> Statement | None:
    """Parse one stored CREATE statement (``sqlite_master.sql``) without building a schema."""
    src = Source(sql, None)
    spans = statement_spans(src)
    if len(spans) != 1:
        return None
    toks = tokenize(src, spans[0][0], spans[0][1])
    try:
        return _Parser(src, toks, validate=validate).statement()
    except _Skip:
        return None


# --------------------------------------------------------------------------------------------
# Shared: constraint resolution, naming, model values
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ResolvedTable:
    """A table definition with constraint columns spelled as declared and every constraint
    named (synthetic names for unnamed ones)."""

    tdef: TableDef
    pk: tuple[str, ConstraintDef] | None
    uniques: list[tuple[str, ConstraintDef]]
    checks: list[tuple[str, ConstraintDef]]
    fks: list[tuple[str, ConstraintDef]]
    rowid_alias: str | None
    autoincrement: str | None


_STRICT_TYPES = frozenset(("INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"))


def _resolve_col(
    tdef: TableDef, name: str, where: Origin | None, fail: Callable[[str, Origin | None], Exception]
) -> str:
    col = tdef.column(name)
    if col is None:
        raise fail(f"table {tdef.name} has no column named {name}", where)
    return col.name


def resolve_table(tdef: TableDef, fail: Callable[[str, Origin | None], Exception]) -> ResolvedTable:
    """Resolve what SQLite decides when it builds a table: PK, rowid alias, duplicate UNIQUE
    constraints (SQLite makes one index for identical ones, and none for a UNIQUE that repeats
    a PRIMARY KEY with its own index), constraint names."""
    for c in tdef.constraints:
        if c.kind != "check":
            c.columns = [_resolve_col(tdef, n, c.origin, fail) for n in c.columns]
    pks = [c for c in tdef.constraints if c.kind == "pk"]
    if len(pks) > 1:
        raise fail(f'table "{tdef.name}" has more than one primary key', pks[1].origin)
    pk = pks[0] if pks else None
    if tdef.without_rowid and pk is None:
        raise fail(f"PRIMARY KEY missing on table {tdef.name}", tdef.origin)
    rowid_alias = None
    if (
        pk is not None
        and len(pk.columns) == 1
        and not tdef.without_rowid
        and not (pk.column is not None and pk.desc)
    ):
        col = tdef.column(pk.columns[0])
        if col is not None and col.type_text.upper() == "INTEGER":
            rowid_alias = col.name
    if tdef.strict:
        for col in tdef.columns:
            if not col.type_text:
                raise fail(f"missing datatype for {tdef.name}.{col.name}", col.origin)
            if col.type_text.upper() not in _STRICT_TYPES:
                raise fail(
                    f'unknown datatype for {tdef.name}.{col.name}: "{col.type_text}"', col.origin
                )
    autoincrement = None
    if pk is not None and pk.autoincrement:
        if rowid_alias is None:
            raise fail("AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY", pk.origin)
        autoincrement = rowid_alias
    uniques: list[ConstraintDef] = []
    seen: set[tuple[str, ...]] = set()
    if pk is not None and rowid_alias is None:
        seen.add(tuple(c.lower() for c in pk.columns))
    for c in tdef.constraints:
        if c.kind == "unique":
            key = tuple(n.lower() for n in c.columns)
            if key not in seen:
                seen.add(key)
                uniques.append(c)
    kept = [c for c in tdef.constraints if c.kind in ("pk", "check", "fk") or c in uniques]
    # Column constraints come first in SQLite's text (ALTER TABLE ADD COLUMN inserts there).
    kept.sort(key=lambda c: c.column is None)
    taken = {c.name for c in kept if c.name is not None}
    names: dict[int, str] = {}
    used: set[tuple[str, str]] = set()
    for c in kept:
        if c.name is not None and (c.kind, c.name.lower()) not in used:
            names[id(c)] = c.name
        elif c.name is not None:  # a repeated explicit name: keep both constraints
            names[id(c)] = choose_name(c.name, None, "dup", taken)
        else:
            label = {"pk": "pkey", "unique": "key", "fk": "fkey", "check": "check"}[c.kind]
            if c.kind == "pk":
                cols: tuple[str, ...] | None = None
            elif c.kind == "check":
                cols = (c.column,) if c.column is not None else None
            else:
                cols = tuple(c.columns)
            names[id(c)] = choose_name(tdef.name, cols, label, taken)
        taken.add(names[id(c)])
        used.add((c.kind, names[id(c)].lower()))
    named = [(names[id(c)], c) for c in kept]
    return ResolvedTable(
        tdef=tdef,
        pk=next(((n, c) for n, c in named if c.kind == "pk"), None),
        uniques=[(n, c) for n, c in named if c.kind == "unique"],
        checks=[(n, c) for n, c in named if c.kind == "check"],
        fks=[(n, c) for n, c in named if c.kind == "fk"],
        rowid_alias=rowid_alias,
        autoincrement=autoincrement,
    )


def default_expr(text: str | None) -> Expr | None:
    """A column default as the model keeps it: ``DEFAULT NULL`` is no default."""
    if text is None or text.strip().upper() == "NULL":
        return None
    return Expr(text, "sqlite")


def effective_collation(explicit: str | None, default: str | None) -> str | None:
    """The model keeps a collation only where it differs from what applies anyway."""
    coll = canonical_collation(explicit)
    base = canonical_collation(default) or "BINARY"
    return None if coll is None or coll == base else coll


def table_options(
    without_rowid: bool, strict: bool, autoincrement: str | None
) -> FrozenMap[str, str]:
    opts: dict[str, str] = {}
    if without_rowid:
        opts["without_rowid"] = "true"
    if strict:
        opts["strict"] = "true"
    if autoincrement is not None:
        opts["autoincrement"] = autoincrement
    return FrozenMap(opts)


def build_table(rt: ResolvedTable) -> Table:
    """The model of a table from its (resolved) definition alone: the DDL reader's view."""
    t = rt.tdef
    # SQLite makes primary-key columns NOT NULL in WITHOUT ROWID and STRICT tables (not the
    # rowid alias, which can never hold NULL anyway).
    implied = t.without_rowid or (t.strict and rt.rowid_alias is None)
    pk_cols = {c.lower() for c in rt.pk[1].columns} if rt.pk and implied else set()
    columns = tuple(
        Column(
            name=c.name,
            type=parse_type(c.type_text),
            nullable=not (c.notnull or c.name.lower() in pk_cols),
            default=default_expr(c.default),
            generated=Generated(expr=Expr(c.generated, "sqlite"), stored=c.stored)
            if c.generated is not None
            else None,
            collation=effective_collation(c.collation, None),
            origin=c.origin,
        )
        for c in t.columns
    )
    return Table(
        schema=NAMESPACE,
        name=t.name,
        columns=columns,
        primary_key=PrimaryKey(
            name=rt.pk[0], columns=tuple(rt.pk[1].columns), origin=rt.pk[1].origin
        )
        if rt.pk
        else None,
        foreign_keys=FrozenMap((n, fk_model(n, c)) for n, c in rt.fks),
        uniques=FrozenMap(
            (n, Unique(name=n, columns=tuple(c.columns), origin=c.origin)) for n, c in rt.uniques
        ),
        checks=FrozenMap(
            (n, Check(name=n, expr=Expr(c.expr or "", "sqlite"), origin=c.origin))
            for n, c in rt.checks
        ),
        dialect_options=table_options(t.without_rowid, t.strict, rt.autoincrement),
        origin=t.origin,
    )


def fk_model(name: str, c: ConstraintDef) -> ForeignKey:
    return ForeignKey(
        name=name,
        columns=tuple(c.columns),
        ref_table=f"{NAMESPACE}.{c.ref_table}",
        ref_columns=tuple(c.ref_columns),
        on_delete=c.on_delete,
        on_update=c.on_update,
        deferrable=c.deferred,
        initially_deferred=c.deferred,
        origin=c.origin,
    )


def resolve_references(tables: dict[str, Table]) -> dict[str, Table]:
    """Spell foreign-key targets as the referenced table and its columns are declared (SQLite
    compares names case-insensitively; the model compares them exactly)."""
    by_lower = {t.name.lower(): t for t in tables.values()}
    out: dict[str, Table] = {}
    for key, t in tables.items():
        fks: dict[str, ForeignKey] = {}
        changed = False
        for n, fk in t.foreign_keys.items():
            ref_name = fk.ref_table.split(".", 1)[1]
            parent = by_lower.get(ref_name.lower())
            new = fk
            if parent is not None:
                ref_cols = tuple(
                    (parent.column(c) or _column_ci(parent, c) or _named(c)).name
                    for c in fk.ref_columns
                )
                if parent.name != ref_name or ref_cols != fk.ref_columns:
                    new = _replace_fk(fk, f"{NAMESPACE}.{parent.name}", ref_cols)
            changed = changed or new is not fk
            fks[n] = new
        out[key] = _replace_table(t, foreign_keys=FrozenMap(fks)) if changed else t
    return out


@dataclass(frozen=True, slots=True)
class _named:
    name: str


def _column_ci(t: Table, name: str) -> Column | None:
    low = name.lower()
    return next((c for c in t.columns if c.name.lower() == low), None)


def _replace_fk(fk: ForeignKey, ref_table: str, ref_columns: tuple[str, ...]) -> ForeignKey:
    from dataclasses import replace

    return replace(fk, ref_table=ref_table, ref_columns=ref_columns)


def _replace_table(t: Table, **changes: object) -> Table:
    from dataclasses import replace

    return replace(t, **changes)  # type: ignore[arg-type]


def index_model(
    idef: IndexDef,
    table: Table,
    elements: list[ElementDef] | None = None,
    origin: Origin | None = None,
) -> Index:
    els: list[IndexElement] = []
    for e in elements if elements is not None else idef.elements:
        if e.column is not None:
            col = _column_ci(table, e.column)
            name = col.name if col is not None else e.column
            coll = effective_collation(e.collation, col.collation if col is not None else None)
            els.append(IndexElement(column=name, collation=coll, descending=e.desc))
        else:
            els.append(
                IndexElement(
                    expr=Expr(e.expr or "", "sqlite"),
                    collation=effective_collation(e.collation, None),
                    descending=e.desc,
                )
            )
    return Index(
        name=idef.name,
        schema=NAMESPACE,
        table=table.name,
        elements=tuple(els),
        unique=idef.unique,
        where=Expr(idef.where, "sqlite") if idef.where else None,
        origin=origin if origin is not None else idef.origin,
    )


def view_model(vdef: ViewDef, origin: Origin | None = None) -> View:
    return View(
        schema=NAMESPACE,
        name=vdef.name,
        query=Expr(vdef.query, "sqlite"),
        column_names=tuple(vdef.columns),
        origin=origin if origin is not None else vdef.origin,
    )


def trigger_model(tdef: TriggerDef, table: str, origin: Origin | None = None) -> Trigger:
    return Trigger(
        schema=NAMESPACE,
        table=table,
        name=tdef.name,
        timing=tdef.timing,
        events=(tdef.event,),
        level="ROW",
        columns=tuple(tdef.columns),
        when=Expr(tdef.when, "sqlite") if tdef.when else None,
        body=Expr(tdef.body, "sqlite"),
        origin=origin if origin is not None else tdef.origin,
    )


def make_schema(
    tables: dict[str, Table],
    views: dict[str, View],
    indexes: dict[str, Index],
    triggers: dict[str, Trigger],
    source: str | None,
) -> Schema:
    return Schema(
        dialect="sqlite",
        namespaces=FrozenMap({NAMESPACE: Namespace(name=NAMESPACE)}),
        tables=FrozenMap(resolve_references(tables)),
        views=FrozenMap(views),
        indexes=FrozenMap(indexes),
        triggers=FrozenMap(triggers),
        source=source,
    )


# --------------------------------------------------------------------------------------------
# The DDL reader: apply statements in order
# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, src: Source, warn: Warn | None) -> None:
        self.src = src
        self.warn = warn
        self.tables: dict[str, TableDef] = {}
        self.indexes: dict[str, IndexDef] = {}
        self.views: dict[str, ViewDef] = {}
        self.triggers: dict[str, TriggerDef] = {}

    def fail(self, message: str, origin: Origin | None) -> ParseError:
        return error_at(message, origin)

    def diagnostic(self, message: str, offset: int) -> None:
        if self.warn is not None:
            line, col = self.src.position(offset)
            self.warn(Diagnostic(message, file=self.src.file, line=line, col=col))

    def _taken(self, name: str) -> str | None:
        low = name.lower()
        if low in self.tables:
            return "table"
        if low in self.views:
            return "view"
        if low in self.indexes:
            return "index"
        return None

    def apply(self, st: Statement) -> None:
        if isinstance(st, TableDef):
            self.create_object(st, self.tables, "table")
        elif isinstance(st, ViewDef):
            self.create_object(st, self.views, "view")
        elif isinstance(st, IndexDef):
            table = self.tables.get(st.table.lower())
            if table is None:
                raise self.fail(f"no such table: main.{st.table}", st.origin)
            for e in st.elements:
                if e.column is not None:
                    e.column = _resolve_col(table, e.column, st.origin, self.fail)
            st.table = table.name
            self.create_object(st, self.indexes, "index")
        elif isinstance(st, TriggerDef):
            low = st.name.lower()
            if low in self.triggers:
                if st.if_not_exists:
                    return
                raise self.fail(f"trigger {st.name} already exists", st.origin)
            target = self.tables.get(st.table.lower()) or self.views.get(st.table.lower())
            if target is None:
                raise self.fail(f"no such table: main.{st.table}", st.origin)
            is_view = isinstance(target, ViewDef)
            if is_view and st.timing != "INSTEAD OF":
                raise self.fail(
                    f"cannot create {st.timing} trigger on view: main.{st.table}", st.origin
                )
            if not is_view and st.timing == "INSTEAD OF":
                raise self.fail(
                    f"cannot create INSTEAD OF trigger on table: main.{st.table}", st.origin
                )
            st.table = target.name
            self.triggers[low] = st
        elif isinstance(st, AlterDef):
            self.alter(st)
        else:
            self.drop(st)

    def create_object(
        self,
        st: TableDef | ViewDef | IndexDef,
        into: dict[str, TableDef] | dict[str, ViewDef] | dict[str, IndexDef],
        what: str,
    ) -> None:
        existing = self._taken(st.name)
        if existing is not None:
            if st.if_not_exists and existing == what:
                return
            raise self.fail(f"{existing} {st.name} already exists", st.origin)
        if st.name.lower().startswith("sqlite_"):
            raise self.fail(f"object name reserved for internal use: {st.name}", st.origin)
        if isinstance(st, TableDef):
            resolve_table(st, self.fail)  # report errors at the CREATE statement
        into[st.name.lower()] = st  # type: ignore[assignment]

    def alter(self, st: AlterDef) -> None:
        t = self.tables.get(st.table.lower())
        if t is None:
            raise self.fail(f"no such table: {st.table}", st.origin)
        if st.action == "rename":
            if self._taken(st.new) is not None and st.new.lower() != t.name.lower():
                raise self.fail(
                    f"there is already another table or index with this name: {st.new}", st.origin
                )
            old = t.name
            del self.tables[old.lower()]
            t.name = st.new
            self.tables[st.new.lower()] = t
            for i in self.indexes.values():
                if i.table.lower() == old.lower():
                    i.table = st.new
            for tr in self.triggers.values():
                if tr.table.lower() == old.lower():
                    tr.table = st.new
            for other in self.tables.values():
                for c in other.constraints:
                    if c.kind == "fk" and c.ref_table.lower() == old.lower():
                        c.ref_table = st.new
        elif st.action == "rename_column":
            col = t.column(st.old)
            if col is None:
                raise self.fail(f'no such column: "{st.old}"', st.origin)
            if t.column(st.new) is not None:
                raise self.fail(f"duplicate column name: {st.new}", st.origin)
            old = col.name
            col.name = st.new

            def ren(names: list[str]) -> list[str]:
                return [st.new if n.lower() == old.lower() else n for n in names]

            for c in t.constraints:
                c.columns = ren(c.columns)
                if c.column is not None and c.column.lower() == old.lower():
                    c.column = st.new
            for i in self.indexes.values():
                if i.table.lower() == t.name.lower():
                    for e in i.elements:
                        if e.column is not None and e.column.lower() == old.lower():
                            e.column = st.new
            for tr in self.triggers.values():
                if tr.table.lower() == t.name.lower():
                    tr.columns = ren(tr.columns)
            for other in self.tables.values():
                for c in other.constraints:
                    if c.kind == "fk" and c.ref_table.lower() == t.name.lower():
                        c.ref_columns = ren(c.ref_columns)
        elif st.action == "add_column":
            col = st.column
            assert col is not None
            if t.column(col.name) is not None:
                raise self.fail(f"duplicate column name: {col.name}", st.origin)
            for c in st.constraints:
                if c.kind in ("pk", "unique"):
                    raise self.fail(
                        f"Cannot add a {'PRIMARY KEY' if c.kind == 'pk' else 'UNIQUE'} column",
                        st.origin,
                    )
            if col.generated is not None and col.stored:
                raise self.fail("cannot add a STORED column", st.origin)
            if col.notnull and col.default is None and col.generated is None:
                raise self.fail("Cannot add a NOT NULL column with default value NULL", st.origin)
            t.columns.append(col)
            first_table_level = next(
                (k for k, c in enumerate(t.constraints) if c.column is None), len(t.constraints)
            )
            t.constraints[first_table_level:first_table_level] = st.constraints
        else:
            col = t.column(st.old)
            if col is None:
                raise self.fail(f'no such column: "{st.old}"', st.origin)
            low = col.name.lower()
            used = any(
                c.kind in ("pk", "unique") and low in (n.lower() for n in c.columns)
                for c in t.constraints
            )
            used = used or any(
                i.table.lower() == t.name.lower()
                and any(e.column is not None and e.column.lower() == low for e in i.elements)
                for i in self.indexes.values()
            )
            if used:
                raise self.fail(
                    f'cannot drop column "{col.name}": it is used in a PRIMARY '
                    "KEY, a UNIQUE constraint or an index",
                    st.origin,
                )
            if any(c.kind == "fk" and low in (n.lower() for n in c.columns) for c in t.constraints):
                raise self.fail(
                    f"error in table {t.name} after drop column: column is used in a foreign key",
                    st.origin,
                )
            if len(t.columns) == 1:
                raise self.fail(
                    f'cannot drop column "{col.name}": no other columns exist', st.origin
                )
            t.columns.remove(col)
            t.constraints = [
                c for c in t.constraints if not (c.column is not None and c.column.lower() == low)
            ]

    def drop(self, st: DropDef) -> None:
        low = st.name.lower()
        stores: dict[
            str,
            dict[str, TableDef] | dict[str, IndexDef] | dict[str, ViewDef] | dict[str, TriggerDef],
        ] = {
            "TABLE": self.tables,
            "INDEX": self.indexes,
            "VIEW": self.views,
            "TRIGGER": self.triggers,
        }
        store = stores[st.kind]
        if low not in store:
            if st.if_exists:
                return
            raise self.fail(f"no such {st.kind.lower()}: {st.name}", st.origin)
        del store[low]
        if st.kind in ("TABLE", "VIEW"):
            for k in [k for k, i in self.indexes.items() if i.table.lower() == low]:
                del self.indexes[k]
            for k in [k for k, tr in self.triggers.items() if tr.table.lower() == low]:
                del self.triggers[k]

    def schema(self) -> Schema:
        tables: dict[str, Table] = {}
        for t in self.tables.values():
            table = build_table(resolve_table(t, self.fail))
            tables[table.key] = table
        indexes: dict[str, Index] = {}
        for i in self.indexes.values():
            table = tables[f"{NAMESPACE}.{self.tables[i.table.lower()].name}"]
            idx = index_model(i, table)
            indexes[idx.key] = idx
        views = {f"{NAMESPACE}.{v.name}": view_model(v) for v in self.views.values()}
        triggers: dict[str, Trigger] = {}
        for tr in self.triggers.values():
            trig = trigger_model(tr, tr.table)
            triggers[trig.key] = trig
        return make_schema(tables, views, indexes, triggers, self.src.file)


def read_ddl(text: str, *, file: str | None = None, warn: Warn | None = None) -> Schema:
    """Read an SQLite script into a :class:`Schema` (dialect ``sqlite``, namespace ``main``).

    Statements that change no schema (INSERT, UPDATE, PRAGMA, transactions ...) are skipped;
    statement kinds outside the model (virtual tables, TEMP objects, CREATE TABLE ... AS) are
    reported through ``warn`` and skipped. A syntax error, or a statement SQLite would refuse
    (a duplicate table, an index on a missing table ...), raises :class:`ParseError` with the
    file, line and column.
    """
    src = Source(text, file)
    builder = _Builder(src, warn)
    for start, end, kw in statement_spans(src):
        if kw in _SKIPPED:
            continue
        toks = tokenize(src, start, end)
        if not toks:
            continue
        if kw not in ("CREATE", "ALTER", "DROP"):
            builder.diagnostic(
                f"unknown statement {short(src.text[toks[0].start : end])!r} skipped",
                toks[0].start,
            )
            continue
        try:
            st = _Parser(src, toks).statement()
        except _Skip as s:
            builder.diagnostic(s.message, s.offset)
            continue
        except RecursionError:
            raise src.error("statement too deeply nested", toks[0].start) from None
        if st is None:
            raise src.error(f"near {toks[0].text!r}: syntax error", toks[0].start)
        builder.apply(st)
    return builder.schema()


__all__ = ["parse_create", "read_ddl"]
