"""The SQLite statement parser: a small recursive-descent parser that follows SQLite's grammar
(parse.y) for CREATE TABLE / VIRTUAL TABLE / INDEX / VIEW / TRIGGER, ALTER TABLE and DROP,
keeping the text SQLite records (the declared type, the text of a DEFAULT); every expression in
them is checked with sqlglot. :func:`parse_create` reads one stored statement for the catalog
reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from dbdesign.dialects.sqlite import (
    FALLBACK_KEYWORDS,
    KEYWORDS,
    NAMESPACE,
    dequote,
    strip_generated_always,
)
from dbdesign.dialects.sqlite_lexer import statement_spans, tokenize
from dbdesign.dialects.tokens import Source, Tok, TokenCursor, check_sqlglot, error_at
from dbdesign.model.core import ReferentialAction
from dbdesign.readers.ddl.sqlite_statements import (
    DROP_KINDS,
    MODULES,
    AlterDef,
    ConstraintDef,
    DropDef,
    ElementDef,
    IndexDef,
    SQLiteColumnDef,
    SQLiteSkip,
    SQLiteTableDef,
    SQLiteTriggerDef,
    SQLiteViewDef,
    SQLiteVirtualDef,
    Statement,
)

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


class SQLiteParser(TokenCursor):
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
            self.i += 1
            return self.create_virtual(start)
        if kw not in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
            raise self.unexpected("TABLE, INDEX, VIEW or TRIGGER")
        if temp and kw == "INDEX":
            raise self.unexpected("TABLE, VIEW or TRIGGER")
        self.i += 1
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        name_at = self.offset()
        schema, name = self.qualified_name()
        if temp or (schema is not None and schema.lower() == "temp"):
            raise SQLiteSkip(
                f"temporary {kw.lower()} {name!r} is not part of the schema; skipped", start
            )
        if schema is not None and schema.lower() != NAMESPACE:
            raise SQLiteSkip(
                f"{kw.lower()} {schema}.{name} is in an attached database; skipped", start
            )
        if kw == "TABLE":
            return self.create_table(name, if_not_exists, name_at, start)
        if kw == "INDEX":
            return self.create_index(name, unique, if_not_exists, start)
        if kw == "VIEW":
            return self.create_view(name, if_not_exists, start)
        return self.create_trigger(name, if_not_exists, start)

    def create_virtual(self, start: int) -> SQLiteVirtualDef:
        """``VIRTUAL TABLE [IF NOT EXISTS] name USING module[(arguments)]`` (``CREATE`` and
        ``VIRTUAL`` read). Arguments are any tokens, split at top-level commas; a module the
        model does not know (rtree ...) is skipped with a warning."""
        self.expect("TABLE")
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name()
        if schema is not None and schema.lower() != NAMESPACE:
            where = "temporary" if schema.lower() == "temp" else "in an attached database"
            raise SQLiteSkip(f"virtual table {schema}.{name} is {where}; skipped", start)
        self.expect("USING")
        module = self.name("a module name").lower()
        if module not in MODULES:
            raise SQLiteSkip(
                f"CREATE VIRTUAL TABLE {name} USING {module} is not modelled (only "
                f"{', '.join(sorted(MODULES))}); statement skipped",
                start,
            )
        arguments: list[str] = []
        if self.accept_op("("):
            while True:
                i, j = self.balanced(stop_ops=frozenset((",",)))
                if i == j:
                    raise self.unexpected("a module argument")
                arguments.append(self.joined(i, j))
                if not self.accept_op(","):
                    break
            self.expect_op(")")
        self.expect_end()
        return SQLiteVirtualDef(
            name=name,
            module=module,
            arguments=arguments,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    def joined(self, i: int, j: int) -> str:
        """Tokens [i, j) joined by one space where two non-operators meet: the spelling of a
        module argument that does not depend on the spaces written around ``=`` or ``(``."""
        out = ""
        for k in range(i, j):
            t = self.toks[k]
            if k > i and t.kind != "op" and self.toks[k - 1].kind != "op":
                out += " "
            out += t.text
        return out

    def create_table(
        self, name: str, if_not_exists: bool, name_at: int, start: int
    ) -> SQLiteTableDef:
        t = SQLiteTableDef(name=name, if_not_exists=if_not_exists, origin=self.origin(start))
        if self.word() == "AS":
            raise SQLiteSkip(
                f"CREATE TABLE {name} AS SELECT is not modelled (its columns come from "
                "the query); skipped",
                start,
            )
        self.expect_op("(")
        self.table_columns(t)
        if not self.is_op(")"):
            while True:
                t.constraints.append(self.table_constraint())
                if self.is_op(")"):
                    break
                self.accept_op(",")
        self.expect_op(")")
        self.table_options(t)
        return t

    def table_columns(self, t: SQLiteTableDef) -> None:
        """The column definitions, up to the first table constraint or the closing ``)``."""
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

    def table_options(self, t: SQLiteTableDef) -> None:
        """``WITHOUT ROWID`` and ``STRICT`` after the closing ``)``, comma-separated."""
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

    def column_def(self) -> tuple[SQLiteColumnDef, list[ConstraintDef]]:
        at = self.offset()
        name = self.name("a column name")
        col = SQLiteColumnDef(name=name, type_text=self.declared_type(), origin=self.origin(at))
        cons: list[ConstraintDef] = []
        cname: str | None = None
        while not self.at_end() and not self.is_op(",") and not self.is_op(")"):
            c_at = self.offset()
            kw = self.word()
            if self.accept("CONSTRAINT"):
                cname = self.name("a constraint name")
                continue
            constraint = _COLUMN_CONSTRAINTS.get(kw)
            attribute = _COLUMN_ATTRIBUTES.get(kw)
            if constraint is not None:
                self.i += 1
                cons.append(constraint(self, name, cname, c_at))
            elif attribute is not None:
                self.i += 1
                attribute(self, col)
            else:
                raise self.unexpected("a column constraint")
            cname = None
        return col, cons

    # -- column constraints: each called after its keyword, returns the constraint ------------

    def column_primary_key(self, column: str, cname: str | None, at: int) -> ConstraintDef:
        self.expect("KEY")
        desc = self.accept("DESC")
        if not desc:
            self.accept("ASC")
        self.conflict_clause()
        auto = self.accept("AUTOINCREMENT")
        return ConstraintDef(
            "pk",
            cname,
            [column],
            autoincrement=auto,
            desc=desc,
            column=column,
            origin=self.origin(at),
        )

    def column_unique(self, column: str, cname: str | None, at: int) -> ConstraintDef:
        self.conflict_clause()
        return ConstraintDef("unique", cname, [column], column=column, origin=self.origin(at))

    def column_check(self, column: str, cname: str | None, at: int) -> ConstraintDef:
        expr = self.paren_expr("CHECK expression")
        return ConstraintDef(
            "check", cname, [column], expr=expr, column=column, origin=self.origin(at)
        )

    def column_references(self, column: str, cname: str | None, at: int) -> ConstraintDef:
        fk = ConstraintDef("fk", cname, [column], column=column, origin=self.origin(at))
        self.references(fk)
        if len(fk.ref_columns) > 1:
            raise self.src.error(
                f"foreign key on {column} should reference only one column of table {fk.ref_table}",
                at,
            )
        return fk

    # -- column attributes: each called after its keyword, sets it on the column -------------

    def column_not_null(self, col: SQLiteColumnDef) -> None:
        self.expect("NULL")
        col.notnull = True
        self.conflict_clause()

    def column_null(self, col: SQLiteColumnDef) -> None:
        self.conflict_clause()

    def column_default(self, col: SQLiteColumnDef) -> None:
        col.default = self.default_value()

    def column_collate(self, col: SQLiteColumnDef) -> None:
        col.collation = self.name("a collation name")

    def column_generated(self, col: SQLiteColumnDef) -> None:
        """``GENERATED ALWAYS AS (expr) [STORED | VIRTUAL]``."""
        self.expect("ALWAYS")
        self.expect("AS")
        self.column_as(col)

    def column_as(self, col: SQLiteColumnDef) -> None:
        """``AS (expr) [STORED | VIRTUAL]``: a generated column."""
        col.generated = self.paren_expr("generated column expression")
        if self.word() in ("STORED", "VIRTUAL"):
            col.stored = self.word() == "STORED"
            self.i += 1
        elif self.word() and self.word() not in KEYWORDS:
            raise self.unexpected("STORED or VIRTUAL")

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
        self.reference_actions(fk)
        self.reference_deferrable(fk)

    def reference_actions(self, fk: ConstraintDef) -> None:
        """``ON DELETE|UPDATE|INSERT action`` and ``MATCH name`` clauses, in any order."""
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

    def reference_deferrable(self, fk: ConstraintDef) -> None:
        """``[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]``."""
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

    def create_view(self, name: str, if_not_exists: bool, start: int) -> SQLiteViewDef:
        columns: list[str] = []
        if self.accept_op("("):
            columns = self.name_list()
        self.expect("AS")
        if self.at_end():
            raise self.unexpected("a SELECT statement")
        query = self.checked(self.i, len(self.toks), kind="query")
        self.i = len(self.toks)
        return SQLiteViewDef(
            name=name,
            columns=columns,
            query=query,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    def create_trigger(self, name: str, if_not_exists: bool, start: int) -> SQLiteTriggerDef:
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
        return SQLiteTriggerDef(
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
            raise SQLiteSkip(
                f"ALTER TABLE {schema}.{table} is outside the main schema; skipped", start
            )
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
        if word not in DROP_KINDS:
            raise self.unexpected("TABLE, INDEX, VIEW or TRIGGER")
        kind = DROP_KINDS[word]
        self.i += 1
        if_exists = self.accept("IF", "EXISTS")
        schema, name = self.qualified_name()
        self.expect_end()
        if schema is not None and schema.lower() != NAMESPACE:
            raise SQLiteSkip(
                f"DROP {kind} {schema}.{name} is outside the main schema; skipped", start
            )
        return DropDef(
            kind=kind,
            name=name,
            if_exists=if_exists,
            origin=self.origin(start),
        )


# Column constraints and attributes by their first keyword (consumed before the call).
_COLUMN_CONSTRAINTS: dict[str, Callable[[SQLiteParser, str, str | None, int], ConstraintDef]] = {
    "PRIMARY": SQLiteParser.column_primary_key,
    "UNIQUE": SQLiteParser.column_unique,
    "CHECK": SQLiteParser.column_check,
    "REFERENCES": SQLiteParser.column_references,
}
_COLUMN_ATTRIBUTES: dict[str, Callable[[SQLiteParser, SQLiteColumnDef], None]] = {
    "NOT": SQLiteParser.column_not_null,
    "NULL": SQLiteParser.column_null,
    "DEFAULT": SQLiteParser.column_default,
    "COLLATE": SQLiteParser.column_collate,
    "GENERATED": SQLiteParser.column_generated,
    "AS": SQLiteParser.column_as,
}


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
        return SQLiteParser(src, toks, validate=validate).statement()
    except SQLiteSkip:
        return None
