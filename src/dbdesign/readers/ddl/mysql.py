"""MySQL / MariaDB DDL text -> :class:`Schema`.

The script is split as the ``mysql`` client does: ``DELIMITER`` lines change the
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

The reader in modules, each importing only those above it (the lexer, splitting the script
into statements and a statement into tokens, is :mod:`dbdesign.dialects.mysql_lexer`):

- ``mysql_defs``: the statements as parsed (mutable definitions);
- ``mysql_parse_column``, ``mysql_parse_table``, ``mysql_parse_alter``, ``mysql_parser``: the
  parser (columns; keys and CREATE TABLE; CREATE INDEX and ALTER TABLE; views, triggers,
  routines, DROP, RENAME);
- ``mysql_server``: what the server decides about a table (keys, prefixes, collations ...);
- ``mysql_values``, ``mysql_model``: defaults as printed, the model of a table, view, routine;
- ``mysql_state``, ``mysql_alter``: the statements applied in order (ALTER TABLE apart);
- this module: read_ddl and read_path, and the names other modules import from here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from dbdesign.dialects.mysql import NAMESPACE
from dbdesign.dialects.mysql_lexer import split_script, tokenize
from dbdesign.dialects.tokens import short
from dbdesign.errors import ParseError
from dbdesign.model import Expr, Function, Index, Origin, Schema, Table, Trigger, View
from dbdesign.readers.ddl.mysql_alter import AlterTables
from dbdesign.readers.ddl.mysql_defs import (
    AlterStmt,
    DropStmt,
    Ignore,
    IndexStmt,
    KeyDef,
    KeyPart,
    MySQLSkip,
    MySQLTableDef,
    MySQLTriggerDef,
    MySQLViewDef,
    Parsed,
    RoutineDef,
    UseStmt,
)
from dbdesign.readers.ddl.mysql_model import (
    dialect_options,
    fold_json,
    index_key,
    make_schema,
    mergeable,
    parse_create_options,
    routine_config,
    routine_model,
    table_model,
    view_options,
    view_query,
)
from dbdesign.readers.ddl.mysql_parser import MySQLParser
from dbdesign.readers.ddl.mysql_server import is_unique_constraint
from dbdesign.readers.ddl.mysql_state import Warn

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


class _Located(Protocol):
    origin: Origin | None


_Statement = TypeVar("_Statement", bound=_Located)


class _Builder(AlterTables):
    """Applies the statements of a script in order, and makes the schema of what they left."""

    def apply(self, st: Parsed) -> None:
        if isinstance(st, UseStmt):
            self.use(st)
        elif isinstance(st, MySQLTableDef):
            self.if_ours(st.schema, f"table {st.name}", st, self.create_table)
        elif isinstance(st, IndexStmt):
            self.if_ours(st.table[0], f"index {st.key.name}", st, self.create_index)
        elif isinstance(st, AlterStmt):
            self.if_ours(st.table[0], f"table {st.table[1]}", st, self.alter)
        elif isinstance(st, MySQLViewDef):
            self.if_ours(st.schema, f"view {st.name}", st, self.create_view)
        elif isinstance(st, MySQLTriggerDef):
            self.if_ours(st.schema or st.table[0], f"trigger {st.name}", st, self.create_trigger)
        elif isinstance(st, RoutineDef):
            self.if_ours(st.schema, f"{st.kind} {st.name}", st, self.create_routine)
        elif isinstance(st, DropStmt):
            self.drop(st)
        else:
            self.rename(st)

    def if_ours(
        self, schema: str | None, what: str, st: _Statement, apply: Callable[[_Statement], None]
    ) -> None:
        """Apply a statement about one object if the object is in the database the script
        works in (else say that it is skipped)."""
        if self.ours(schema, what, st.origin):
            apply(st)

    def use(self, st: UseStmt) -> None:
        """USE: the first database used is the one modelled; objects of others are skipped."""
        self.current = st.database
        if self.home is None:
            self.home = st.database
        elif st.database != self.home:
            self.diagnostic(
                f"USE {st.database}: only database {self.home!r} is modelled; objects of "
                "other databases are skipped",
                st.origin,
            )

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
        parser = MySQLParser(src, toks)
        try:
            parsed = parser.statement(st.first)
        except MySQLSkip as s:
            builder.diagnostic(s.message, src.origin(s.offset))
            continue
        except Ignore:
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
    "KeyDef",
    "KeyPart",
    "dialect_options",
    "fold_json",
    "index_key",
    "is_unique_constraint",
    "make_schema",
    "parse_create_options",
    "read_ddl",
    "read_path",
    "routine_config",
    "split_script",
    "tokenize",
    "view_options",
]
