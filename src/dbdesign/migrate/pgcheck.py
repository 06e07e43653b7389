"""PostgreSQL scripts: split into statements with pglast and refuse, before anything runs, what
cannot work: a statement that must run outside a transaction block in a file without the
``-- dbdesign: no-transaction`` header, and transaction control (BEGIN/COMMIT ...) that would
break the runner's one-transaction-per-migration guarantee.
"""

from __future__ import annotations

import json

from pglast import parser

from dbdesign.dialects.postgres_tx import needs_no_transaction
from dbdesign.errors import MigrationError
from dbdesign.migrate.files import MigrationStatement, Script, _skip_blank, line_of

# pglast's JSON parse tree is several times faster to get than its Python AST objects, and a
# runner that applies a thousand files parses a thousand files.
_TX_CONTROL = {
    "TRANS_STMT_BEGIN",
    "TRANS_STMT_START",
    "TRANS_STMT_COMMIT",
    "TRANS_STMT_ROLLBACK",
    "TRANS_STMT_PREPARE",
    "TRANS_STMT_COMMIT_PREPARED",
    "TRANS_STMT_ROLLBACK_PREPARED",
}


def split_postgres(script: Script, server_version: int = 150000) -> list[MigrationStatement]:
    """The statements of ``script``; raises MigrationError (file:line) for a syntax error, for
    transaction control, and for a statement that needs the no-transaction header it lacks."""
    text = script.text
    file = str(script.path)
    try:
        tree = json.loads(parser.parse_sql_json(text))
    except parser.ParseError as e:
        index = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else None
        line = line_of(text, index) if index is not None else None
        raise MigrationError(f"syntax error: {e.args[0]}", file=file, line=line) from None
    raw = text.encode("utf-8")  # the tree's locations are byte offsets
    out: list[MigrationStatement] = []
    for rs in tree.get("stmts", ()):
        start = rs.get("stmt_location", 0)
        length = rs.get("stmt_len", 0)
        chunk = raw[start : start + length] if length else raw[start:]
        before = raw[:start].count(b"\n")
        piece = chunk.decode("utf-8")
        first = _skip_blank(piece, 0, len(piece))
        ((kind, node),) = rs["stmt"].items()
        why = needs_no_transaction(kind, node, server_version)
        stmt = MigrationStatement(piece[first:].strip(), before + line_of(piece, first), why)
        if kind == "TransactionStmt" and node.get("kind") in _TX_CONTROL:
            raise MigrationError(
                "transaction control statements are not allowed in migration files: the runner "
                "wraps each migration in one transaction (or none with "
                "`-- dbdesign: no-transaction`)",
                file=file,
                line=stmt.line,
            )
        if why and not script.no_transaction:
            raise MigrationError(
                f"{why} cannot run inside a transaction block: add the header line "
                "`-- dbdesign: no-transaction` to this file (and keep it the only statement "
                "of the file if you want a failure to be easy to recover from)",
                file=file,
                line=stmt.line,
            )
        out.append(stmt)
    return out


def concurrent_index(text: str) -> tuple[str | None, str, str | None] | None:
    """``(schema, table, index)`` that a ``CREATE INDEX CONCURRENTLY`` statement builds (schema
    and index None when the statement leaves them to the server), or None for any other
    statement. An interrupted or failed build leaves that index behind, INVALID."""
    try:
        tree = json.loads(parser.parse_sql_json(text))
    except parser.ParseError:
        return None
    stmts = tree.get("stmts", ())
    if len(stmts) != 1:
        return None
    node = stmts[0]["stmt"].get("IndexStmt")
    if node is None or not node.get("concurrent"):
        return None
    rel = node.get("relation", {})
    return rel.get("schemaname"), rel["relname"], node.get("idxname")
