"""Which user statements dbdesign will send to a PostgreSQL server, decided by the parser.

A command that runs a user's statement for analysis (``explain``, its ``--runs`` latency, and
whatever calls :func:`dbdesign.advise.explain`) must never change the database. That is made
true by construction, not by looking for dangerous words:

1. the text is parsed with PostgreSQL's own parser (pglast) and must hold exactly one
   statement, of a kind whose effects a rolled-back transaction undoes (SELECT, VALUES, TABLE,
   INSERT, UPDATE, DELETE, MERGE); transaction control, COPY, SET, DO, CALL, DDL and every other
   utility statement are refused, whatever surrounds them;
2. the statement is sent with the extended query protocol, which the server refuses to run with
   more than one command in it (a second line of defence should the parser ever disagree);
3. it runs inside a transaction that is always rolled back, ``READ ONLY`` unless a
   data-changing statement was explicitly asked to run (``EXPLAIN ANALYZE`` of a DELETE), with a
   statement and lock timeout.

Functions whose effects escape a rollback or reach outside the database (ending other sessions,
reading and writing server files, large objects, dblink, advisory locks, sequences, replication
slots ...) are refused too, because a rolled-back transaction cannot undo them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dbdesign.errors import ParseError, UnsupportedError

# Statement kinds a rolled-back transaction fully undoes (pglast node name -> what to call it).
_READS = {"SelectStmt": "SELECT"}
_WRITES = {
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "MergeStmt": "MERGE",
}
# Functions with effects a rollback does not undo, or that reach outside the database.
_REFUSED_FUNCTIONS = frozenset(
    {
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "pg_rotate_logfile",
        "pg_switch_wal",
        "pg_promote",
        "pg_log_backend_memory_contexts",
        "pg_import_system_collations",
        "set_config",  # set_config('role', ...) is SET ROLE
        "setval",
        "lowrite",  # large objects: lo_* below
        "pg_start_backup",
        "pg_stop_backup",
        "pg_backup_start",
        "pg_backup_stop",
        "query_to_xml",  # run a query given as text: the guard could not see it
        "query_to_xml_and_xmlschema",
        "query_to_xmlschema",
        "cursor_to_xml",
        "xpath_table",
    }
)
_REFUSED_PREFIXES = (
    "pg_stat_reset",
    "pg_advisory",
    "pg_try_advisory",
    "dblink",
    "pg_file_",
    "pg_read_",
    "pg_ls_",
    "pg_create_",
    "pg_drop_replication",
    "pg_replication_",
    "pg_logical_",
    "pg_wal_",
    "pg_write",
    "lo_",  # large objects: lo_import/lo_export read and write server files
)
_PLACEHOLDER = re.compile(r"%%|%(?:\((\w+)\))?[sbt]")


@dataclass(frozen=True, slots=True)
class CheckedStatement:
    """One statement that passed the guard: its text (no trailing semicolon), its kind
    (``SELECT``, ``DELETE`` ...), whether running it would change data (a data-changing
    statement, a data-changing WITH, or row locks taken with FOR UPDATE/SHARE), and the
    functions it calls by name (lower case, unqualified: ``nextval`` is not undone by a
    rollback, and a READ ONLY transaction only refuses it when nothing else writes)."""

    text: str
    kind: str
    writes: bool
    calls: frozenset[str] = frozenset()


def check_statement(sql: str, *, placeholders: bool = False) -> CheckedStatement:
    """``sql`` as a :class:`CheckedStatement`, or a :class:`ParseError` / :class:`UnsupportedError`
    saying why it will not be run. ``placeholders``: the text uses psycopg's ``%s`` /
    ``%(name)s`` placeholders (parameters are given), as the driver will send them."""
    import pglast
    from pglast import ast

    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    parse_text = _dollar_placeholders(text) if placeholders else text
    try:
        stmts = pglast.parse_sql(parse_text)
    except pglast.parser.ParseError as e:
        line, col = _line_col(parse_text, getattr(e, "location", None))
        raise ParseError(f"{e.args[0]} (line {line}, column {col})") from None
    if len(stmts) != 1:
        raise UnsupportedError(
            f"expected exactly one statement, got {len(stmts)}: dbdesign runs a single "
            "SELECT, INSERT, UPDATE, DELETE or MERGE (no transaction control, no scripts)"
        )
    node = stmts[0].stmt
    name = type(node).__name__
    if name not in _READS and name not in _WRITES:
        raise UnsupportedError(
            f"refusing {_describe(node)}: only a SELECT, VALUES, INSERT, UPDATE, DELETE or "
            "MERGE statement can be explained (a transaction that is rolled back undoes those)"
        )
    if isinstance(node, ast.SelectStmt) and node.intoClause is not None:
        raise UnsupportedError("refusing SELECT ... INTO: it creates a table (use a plain SELECT)")
    writes = name in _WRITES
    calls: set[str] = set()
    for sub in _walk(node):
        sub_name = type(sub).__name__
        if sub_name in _WRITES or isinstance(sub, ast.LockingClause):
            writes = True
        elif isinstance(sub, ast.FuncCall):
            fn = _function_name(sub)
            if fn in _REFUSED_FUNCTIONS or fn.startswith(_REFUSED_PREFIXES):
                raise UnsupportedError(
                    f"refusing a call of {fn}(): its effects are not undone by rolling back "
                    "(or reach outside the database)"
                )
            calls.add(fn)
    kind = _READS.get(name) or _WRITES[name]
    return CheckedStatement(text=text, kind=kind, writes=writes, calls=frozenset(calls))


def _dollar_placeholders(text: str) -> str:
    """psycopg's ``%s`` placeholders as the ``$n`` the server receives (``%%`` is ``%``)."""
    counter = iter(range(1, 100_000))
    named: dict[str, int] = {}

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "%%":
            return "%"
        key = m.group(1)
        if key is None:
            return f"${next(counter)}"
        if key not in named:
            named[key] = next(counter)
        return f"${named[key]}"

    return _PLACEHOLDER.sub(sub, text)


def _walk(node: Any) -> Iterator[Any]:
    from pglast import ast

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, tuple | list):
            stack.extend(n)
        elif isinstance(n, ast.Node):
            yield n
            stack.extend(getattr(n, f) for f in n.__slots__ if f != "location")  # type: ignore[attr-defined]


def _function_name(call: Any) -> str:
    parts = [getattr(p, "sval", "") for p in call.funcname or ()]
    return (parts[-1] if parts else "").lower()


_SPOKEN = {
    "VariableSetStmt": "SET",
    "VariableShowStmt": "SHOW",
    "ExplainStmt": "EXPLAIN (give the statement alone: dbdesign adds EXPLAIN)",
    "CreateStmt": "CREATE TABLE",
    "CreateTableAsStmt": "CREATE TABLE AS",
    "ExecuteStmt": "EXECUTE",
}


def _describe(node: Any) -> str:
    """A statement kind the way a user says it (``COMMIT``, ``COPY``, ``CREATE TABLE`` ...)."""
    name = type(node).__name__
    if name == "TransactionStmt":
        return f"transaction control ({node.kind.name.removeprefix('TRANS_STMT_')})"
    if name in _SPOKEN:
        return _SPOKEN[name]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Stmt")).upper()


def _line_col(text: str, location: int | None) -> tuple[int, int]:
    if location is None or location < 0:
        return 1, 1
    before = text[:location]
    return before.count("\n") + 1, location - (before.rfind("\n") + 1) + 1
