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

Layout: this module applies the statements in order (:func:`read_ddl`); the pieces are
the lexer :mod:`dbdesign.dialects.sqlite_lexer` (tokens, statement boundaries), sqlite_statements
(the parsed definitions), sqlite_parser (the statement parser) and sqlite_models (table
resolution and model values, shared with the catalog reader). Their public names are importable
from here as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dbdesign.dialects.sqlite import NAMESPACE
from dbdesign.dialects.sqlite_lexer import statement_spans, tokenize
from dbdesign.dialects.tokens import Source, error_at, short
from dbdesign.errors import Diagnostic, ParseError
from dbdesign.model import Index, Origin, Schema, Table, Trigger
from dbdesign.readers.ddl.sqlite_models import (
    ResolvedTable,
    build_table,
    default_expr,
    effective_collation,
    fk_model,
    index_model,
    make_schema,
    resolve_column,
    resolve_references,
    resolve_table,
    table_options,
    trigger_model,
    view_model,
    virtual_model,
)
from dbdesign.readers.ddl.sqlite_parser import SQLiteParser, parse_create
from dbdesign.readers.ddl.sqlite_statements import (
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

Warn = Callable[[Diagnostic], None]


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


class _Builder:
    def __init__(self, src: Source, warn: Warn | None) -> None:
        self.src = src
        self.warn = warn
        self.tables: dict[str, SQLiteTableDef] = {}
        self.indexes: dict[str, IndexDef] = {}
        self.views: dict[str, SQLiteViewDef] = {}
        self.triggers: dict[str, SQLiteTriggerDef] = {}
        self.virtual: dict[str, SQLiteVirtualDef] = {}

    def fail(self, message: str, origin: Origin | None) -> ParseError:
        return error_at(message, origin)

    def diagnostic(self, message: str, offset: int) -> None:
        if self.warn is not None:
            line, col = self.src.position(offset)
            self.warn(Diagnostic(message, file=self.src.file, line=line, col=col))

    def _taken(self, name: str) -> str | None:
        low = name.lower()
        # a virtual table, and the tables its module keeps, are tables to SQLite
        if low in self.tables or low in self.virtual or low in self._shadows():
            return "table"
        if low in self.views:
            return "view"
        if low in self.indexes:
            return "index"
        return None

    def _shadows(self) -> set[str]:
        return {n.lower() for v in self.virtual.values() for n in v.shadow_tables()}

    def apply(self, st: Statement) -> None:
        if isinstance(st, SQLiteTableDef):
            self.create_object(st, self.tables, "table")
        elif isinstance(st, SQLiteVirtualDef):
            self.create_object(st, self.virtual, "table")
        elif isinstance(st, SQLiteViewDef):
            self.create_object(st, self.views, "view")
        elif isinstance(st, IndexDef):
            self.create_index(st)
        elif isinstance(st, SQLiteTriggerDef):
            self.create_trigger(st)
        elif isinstance(st, AlterDef):
            self.alter(st)
        else:
            self.drop(st)

    def create_index(self, st: IndexDef) -> None:
        if st.table.lower() in self.virtual:
            raise self.fail("virtual tables may not be indexed", st.origin)
        table = self.tables.get(st.table.lower())
        if table is None:
            raise self.fail(f"no such table: main.{st.table}", st.origin)
        for e in st.elements:
            if e.column is not None:
                e.column = resolve_column(table, e.column, st.origin, self.fail)
        st.table = table.name
        self.create_object(st, self.indexes, "index")

    def create_trigger(self, st: SQLiteTriggerDef) -> None:
        low = st.name.lower()
        if low in self.triggers:
            if st.if_not_exists:
                return
            raise self.fail(f"trigger {st.name} already exists", st.origin)
        if st.table.lower() in self.virtual:
            raise self.fail("cannot create triggers on virtual tables", st.origin)
        target = self.tables.get(st.table.lower()) or self.views.get(st.table.lower())
        if target is None:
            raise self.fail(f"no such table: main.{st.table}", st.origin)
        is_view = isinstance(target, SQLiteViewDef)
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

    def create_object(
        self,
        st: SQLiteTableDef | SQLiteVirtualDef | SQLiteViewDef | IndexDef,
        into: dict[str, SQLiteTableDef]
        | dict[str, SQLiteVirtualDef]
        | dict[str, SQLiteViewDef]
        | dict[str, IndexDef],
        what: str,
    ) -> None:
        existing = self._taken(st.name)
        if existing is not None:
            if st.if_not_exists and existing == what:
                return
            raise self.fail(f"{existing} {st.name} already exists", st.origin)
        if st.name.lower().startswith("sqlite_"):
            raise self.fail(f"object name reserved for internal use: {st.name}", st.origin)
        if isinstance(st, SQLiteTableDef):
            resolve_table(st, self.fail)  # report errors at the CREATE statement
        into[st.name.lower()] = st  # type: ignore[assignment]

    def alter(self, st: AlterDef) -> None:
        t = self.tables.get(st.table.lower())
        v = self.virtual.get(st.table.lower())
        if v is not None:
            self.alter_virtual(v, st)
            return
        if t is None:
            raise self.fail(f"no such table: {st.table}", st.origin)
        _ALTER_ACTIONS[st.action](self, t, st)

    def alter_virtual(self, v: SQLiteVirtualDef, st: AlterDef) -> None:
        """A virtual table is only renamed (the module renames the tables it keeps)."""
        if st.action != "rename":
            raise self.fail("virtual tables may not be altered", st.origin)
        if self._taken(st.new) is not None and st.new.lower() != v.name.lower():
            raise self.fail(
                f"there is already another table or index with this name: {st.new}", st.origin
            )
        del self.virtual[v.name.lower()]
        v.name = st.new
        self.virtual[st.new.lower()] = v

    def rename_table(self, t: SQLiteTableDef, st: AlterDef) -> None:
        if self._taken(st.new) is not None and st.new.lower() != t.name.lower():
            raise self.fail(
                f"there is already another table or index with this name: {st.new}", st.origin
            )
        old = t.name.lower()
        del self.tables[old]
        t.name = st.new
        self.tables[st.new.lower()] = t
        for i in self.indexes.values():
            if i.table.lower() == old:
                i.table = st.new
        for tr in self.triggers.values():
            if tr.table.lower() == old:
                tr.table = st.new
        for c in self._foreign_keys_to(old):
            c.ref_table = st.new

    def rename_column(self, t: SQLiteTableDef, st: AlterDef) -> None:
        col = t.column(st.old)
        if col is None:
            raise self.fail(f'no such column: "{st.old}"', st.origin)
        if t.column(st.new) is not None:
            raise self.fail(f"duplicate column name: {st.new}", st.origin)
        old = col.name.lower()
        col.name = st.new
        table = t.name.lower()
        for c in t.constraints:
            c.columns = _renamed(c.columns, old, st.new)
            if c.column is not None and c.column.lower() == old:
                c.column = st.new
        for e in self._index_elements_on(table):
            if e.column is not None and e.column.lower() == old:
                e.column = st.new
        for tr in self.triggers.values():
            if tr.table.lower() == table:
                tr.columns = _renamed(tr.columns, old, st.new)
        for c in self._foreign_keys_to(table):
            c.ref_columns = _renamed(c.ref_columns, old, st.new)

    def add_column(self, t: SQLiteTableDef, st: AlterDef) -> None:
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

    def drop_column(self, t: SQLiteTableDef, st: AlterDef) -> None:
        col = t.column(st.old)
        if col is None:
            raise self.fail(f'no such column: "{st.old}"', st.origin)
        low = col.name.lower()
        if self._keys_or_indexes(t, low):
            raise self.fail(
                f'cannot drop column "{col.name}": it is used in a PRIMARY '
                "KEY, a UNIQUE constraint or an index",
                st.origin,
            )
        # the column's own REFERENCES clause goes with it (SQLite 3.35+ accepts that);
        # a table-level FOREIGN KEY naming it is refused
        others = [c for c in t.constraints if c.column is None or c.column.lower() != low]
        if any(c.kind == "fk" and low in (n.lower() for n in c.columns) for c in others):
            raise self.fail(
                f"error in table {t.name} after drop column: column is used in a foreign key",
                st.origin,
            )
        if len(t.columns) == 1:
            raise self.fail(f'cannot drop column "{col.name}": no other columns exist', st.origin)
        t.columns.remove(col)
        t.constraints = others

    def _keys_or_indexes(self, t: SQLiteTableDef, low: str) -> bool:
        """Whether a PRIMARY KEY, a UNIQUE constraint or an index of ``t`` uses column ``low``."""
        if any(
            c.kind in ("pk", "unique") and low in (n.lower() for n in c.columns)
            for c in t.constraints
        ):
            return True
        return any(
            e.column is not None and e.column.lower() == low
            for e in self._index_elements_on(t.name.lower())
        )

    def _index_elements_on(self, table: str) -> Iterator[ElementDef]:
        """The elements of every index on ``table`` (lower-cased name)."""
        for i in self.indexes.values():
            if i.table.lower() == table:
                yield from i.elements

    def _foreign_keys_to(self, table: str) -> Iterator[ConstraintDef]:
        """Every table's foreign keys that reference ``table`` (lower-cased name)."""
        for other in self.tables.values():
            for c in other.constraints:
                if c.kind == "fk" and c.ref_table.lower() == table:
                    yield c

    def drop(self, st: DropDef) -> None:
        low = st.name.lower()
        stores: dict[
            str,
            dict[str, SQLiteTableDef]
            | dict[str, IndexDef]
            | dict[str, SQLiteViewDef]
            | dict[str, SQLiteTriggerDef],
        ] = {
            "TABLE": self.tables,
            "INDEX": self.indexes,
            "VIEW": self.views,
            "TRIGGER": self.triggers,
        }
        store = stores[st.kind]
        if st.kind == "TABLE" and low in self.virtual:
            del self.virtual[low]  # the tables its module keeps go with it
            return
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
        virtual = {f"{NAMESPACE}.{v.name}": virtual_model(v) for v in self.virtual.values()}
        return make_schema(tables, views, indexes, triggers, self.src.file, virtual)


_ALTER_ACTIONS: dict[str, Callable[[_Builder, SQLiteTableDef, AlterDef], None]] = {
    "rename": _Builder.rename_table,
    "rename_column": _Builder.rename_column,
    "add_column": _Builder.add_column,
    "drop_column": _Builder.drop_column,
}


def _renamed(names: list[str], old: str, new: str) -> list[str]:
    """``names`` with column ``old`` (lower-cased) spelled ``new``."""
    return [new if n.lower() == old else n for n in names]


def read_ddl(text: str, *, file: str | None = None, warn: Warn | None = None) -> Schema:
    """Read an SQLite script into a :class:`Schema` (dialect ``sqlite``, namespace ``main``).

    Statements that change no schema (INSERT, UPDATE, PRAGMA, transactions ...) are skipped;
    statement kinds outside the model (virtual tables of modules other than FTS5, TEMP objects,
    CREATE TABLE ... AS) are
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
            st = SQLiteParser(src, toks).statement()
        except SQLiteSkip as s:
            builder.diagnostic(s.message, s.offset)
            continue
        except RecursionError:
            raise src.error("statement too deeply nested", toks[0].start) from None
        if st is None:
            raise src.error(f"near {toks[0].text!r}: syntax error", toks[0].start)
        builder.apply(st)
    return builder.schema()


# The names other modules import from here (the catalog reader, the emitter, tests).
__all__ = [
    "AlterDef",
    "ConstraintDef",
    "DropDef",
    "ElementDef",
    "IndexDef",
    "ResolvedTable",
    "SQLiteColumnDef",
    "SQLiteTableDef",
    "SQLiteTriggerDef",
    "SQLiteViewDef",
    "SQLiteVirtualDef",
    "Statement",
    "build_table",
    "default_expr",
    "effective_collation",
    "fk_model",
    "index_model",
    "make_schema",
    "parse_create",
    "read_ddl",
    "resolve_references",
    "resolve_table",
    "statement_spans",
    "table_options",
    "tokenize",
    "trigger_model",
    "view_model",
    "virtual_model",
]
