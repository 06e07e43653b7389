"""PostgreSQL migrations, statement by statement, over the DDL reader's state.

The schema the migrations apply to is read first (``--schema``: DDL, or a live database's
catalog emitted as DDL); then every file is parsed once with pglast (libpg_query, the server's
own grammar) and each statement is shown to the rules before the reader applies it, so a rule
sees the tables, columns and constraints exactly as they are just before the statement runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pglast import parser

from dbdesign.errors import ParseError
from dbdesign.lint.migration.context import (
    LintedStatement,
    Run,
    ServerVersion,
    Session,
    StatementContext,
    Transaction,
)
from dbdesign.lint.migration.sources import MigrationFile
from dbdesign.readers.ddl.pgbuild import node_kind
from dbdesign.readers.ddl.pgsource import Lines, blank_meta_and_copy
from dbdesign.readers.ddl.postgres import PostgresDdlReader

DEFAULT_SERVER = ServerVersion("postgres", (17,))
_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE"}


def reader_for(schema_text: str | None, file: str | None) -> PostgresDdlReader:
    """A DDL reader holding the schema the migrations apply to."""
    reader = PostgresDdlReader(None, None)
    if schema_text:
        reader.feed(schema_text, file)
    return reader


def _parse(f: MigrationFile, text: str) -> list[dict[str, Any]]:
    try:
        stmts: list[dict[str, Any]] = json.loads(parser.parse_sql_json(text)).get("stmts", [])
        return stmts
    except parser.ParseError as e:
        pos = int(e.args[1]) if len(e.args) > 1 and isinstance(e.args[1], int) else 0
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise ParseError(str(e.args[0]), file=f.display, line=line, col=col) from None


def _statement(f: MigrationFile, data: bytes, lines: Lines, raw: dict[str, Any]) -> LintedStatement:
    start = raw.get("stmt_location", 0)
    length = raw.get("stmt_len", 0)
    piece = (data[start : start + length] if length else data[start:]).decode()
    lead = len(piece) - len(piece.lstrip())
    line, col = lines.at(start + len(piece[:lead].encode()))
    stmt = raw.get("stmt") or {}
    kind = node_kind(stmt) if stmt else ""
    return LintedStatement(f, piece.strip(), line, col, kind, stmt.get(kind) or {})


def _made(stmt: LintedStatement) -> dict[str, Any] | None:
    """The relation a CREATE TABLE, CREATE TABLE AS, CREATE [MATERIALIZED] VIEW makes (when
    it did not exist before the statement: see :func:`walk`)."""
    if stmt.kind == "CreateStmt":
        rel: dict[str, Any] = stmt.node["relation"]
        return rel
    if stmt.kind == "CreateTableAsStmt":
        into: dict[str, Any] = stmt.node["into"]["rel"]
        return into
    if stmt.kind == "ViewStmt":
        view: dict[str, Any] = stmt.node["view"]
        return view
    return None


_DML = frozenset(("InsertStmt", "UpdateStmt", "DeleteStmt", "CopyStmt", "MergeStmt"))
_RELATION_RENAMES = frozenset(("OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"))


def _filled(stmt: LintedStatement) -> dict[str, Any] | None:
    """The relation a statement writes rows into: DML, COPY FROM, CREATE TABLE AS."""
    if stmt.kind in _DML:
        rel: dict[str, Any] | None = (stmt.node or {}).get("relation")
        return rel
    if stmt.kind == "CreateTableAsStmt" and not stmt.node["into"].get("skipData"):
        return _made(stmt)
    return None


def _track(session: Session, stmt: LintedStatement) -> None:
    """What a statement changes in the session: transactions, timeouts, tables made here."""
    node = stmt.node or {}
    tx = session.transaction
    if stmt.kind == "TransactionStmt":
        if node.get("kind") in _BEGIN and tx is None:
            session.transaction = Transaction(implicit=False)
        elif node.get("kind") in _END:
            session.transaction = None
        return
    if tx is not None:
        tx.statements.append(stmt)
    if stmt.kind == "VariableSetStmt" and node.get("name") in ("lock_timeout", "statement_timeout"):
        on = node.get("kind") == "VAR_SET_VALUE" and not _zero(node.get("args"))
        if node["name"] == "statement_timeout":
            session.statement_timeout = on
        elif node.get("is_local"):
            if tx is not None:
                tx.lock_timeout = on
        else:
            session.lock_timeout = on


def _zero(args: Any) -> bool:
    """Whether a SET's value is 0 (the timeout switched off)."""
    for a in args or ():
        const = a.get("A_Const", {})
        value = const.get("ival", const.get("sval", {}))
        v = value.get("ival", value.get("sval", 0))
        return str(v).strip() in ("0", "")
    return False


def relation_key(state: PostgresDdlReader, rv: dict[str, Any]) -> str:
    """``schema.name`` of a RangeVar, resolved as the server would with the file's search path."""
    return "{}.{}".format(*state._qual(rv))


def walk(
    files: list[MigrationFile],
    *,
    schema_text: str | None = None,
    schema_file: str | None = None,
    server: ServerVersion = DEFAULT_SERVER,
    lock_timeout_files: frozenset[str] = frozenset(),
    new_files: frozenset[str] = frozenset(),
) -> Iterator[StatementContext]:
    """Each statement of ``files`` in run order, with the state just before it. The reader
    applies a statement once the consumer asks for the next one.

    ``lock_timeout_files``: files whose runner sets a lock timeout itself (dbdesign's
    ``lock_timeout`` header or configuration)."""
    reader = reader_for(schema_text, schema_file)
    run = Run(new_files)
    for f in files:
        text = blank_meta_and_copy(f.text)
        stmts = _parse(f, text)
        data = text.encode()
        lines = Lines(text)
        reader.begin(text, f.display)
        every = tuple(_statement(f, data, lines, raw) for raw in stmts)
        session = Session.of(f, lock_timeout_files, every, run)
        for raw, stmt in zip(stmts, every, strict=True):
            yield StatementContext(stmt, server, session, reader)
            made = _made(stmt)
            if made is not None:
                key = relation_key(reader, made)
                # (CREATE ... IF NOT EXISTS, CREATE OR REPLACE VIEW: made only if new)
                if key not in reader.tables and key not in reader.views:
                    session.created.add(key)
            filled = _filled(stmt)
            if filled is not None:
                session.written.add(relation_key(reader, filled))
            if stmt.kind == "RenameStmt" and stmt.node.get("renameType") in _RELATION_RENAMES:
                # a table made here keeps being new under its new name
                old = relation_key(reader, stmt.node["relation"])
                new = f"{old.rpartition('.')[0]}.{stmt.node['newname']}"
                for names in (session.created, session.written):
                    if old in names:
                        names.discard(old)
                        names.add(new)
            _track(session, stmt)
            session.statements.append(stmt)
            reader.apply(raw)
        run.done(f, session)
