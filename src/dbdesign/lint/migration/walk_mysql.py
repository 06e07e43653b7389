"""MySQL / MariaDB migrations, statement by statement, over the MySQL DDL reader's state.

The schema the migrations apply to is read first (``--schema``: DDL, or a live database's
catalog emitted as DDL) by the MySQL DDL reader; then every file is split as the ``mysql``
client does (:func:`~dbdesign.dialects.mysql_lexer.split_script`: DELIMITER, version comments)
and each statement is parsed by the reader's parser, shown to the rules, and only then applied
to the reader's state, so a rule sees the tables as they are just before the statement runs
(``ctx.state.tables[name]``: the reader's :class:`~dbdesign.readers.ddl.mysql_defs.MySQLTableDef`).

``ctx.stmt.node`` is a :class:`MySQLNode`: the reader's parse (``parsed``) and what the reader
leaves out but migration safety needs: the ALGORITHM= and LOCK= clauses, ALTER ONLINE, WAIT /
NOWAIT, FORCE and ALTER INDEX, foreign_key_checks at that point, and whether the statement
commits an open transaction implicitly (every DDL statement does on MySQL and MariaDB: a file is
never atomic for DDL). A statement the reader cannot parse keeps ``parsed = None``; a table the
state does not know (no ``--schema``) is assumed to exist and be in use.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dbdesign.dialects.mysql import unquote_ident
from dbdesign.dialects.mysql_lexer import split_script, tokenize
from dbdesign.dialects.tokens import Source, Tok
from dbdesign.errors import DbdesignError
from dbdesign.lint.migration.context import (
    LintedStatement,
    Run,
    ServerVersion,
    Session,
    StatementContext,
    Transaction,
)
from dbdesign.lint.migration.sources import MigrationFile
from dbdesign.readers.ddl.mysql import _Builder, _read_into
from dbdesign.readers.ddl.mysql_defs import (
    AlterStmt,
    DropStmt,
    Ignore,
    IndexStmt,
    MySQLSkip,
    MySQLTableDef,
    MySQLTriggerDef,
    RenameStmt,
)
from dbdesign.readers.ddl.mysql_parser import MySQLParser

# The server most MySQL-family users run: MySQL 8.0 at a patch level every cloud provider
# still offers (past 8.0.29: INSTANT ADD COLUMN at any position and INSTANT DROP COLUMN).
DEFAULT_SERVER = ServerVersion("mysql", (8, 0, 36))

# Statements that commit an open transaction implicitly (the MySQL manual, "Statements That
# Cause an Implicit Commit"): data definition, and LOCK TABLES.
DDL_WORDS = frozenset(("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"))
DML_WORDS = frozenset(("INSERT", "REPLACE", "UPDATE", "DELETE", "LOAD"))
_BEGIN = frozenset(("BEGIN", "START TRANSACTION"))
_END = frozenset(("COMMIT", "ROLLBACK"))
# Statements that wait for a metadata lock on a table in use (and queue every later query on
# it while they wait).
MDL_KINDS = frozenset(
    (
        "ALTER TABLE",
        "CREATE INDEX",
        "DROP INDEX",
        "DROP TABLE",
        "RENAME TABLE",
        "TRUNCATE TABLE",
        "CREATE TRIGGER",
        "DROP TRIGGER",
        "OPTIMIZE TABLE",
    )
)


def server_of(server: ServerVersion) -> ServerVersion:
    """``mysql 10.11`` is MariaDB (MySQL never had a version 10): a bare ``--server-version
    10.11`` means MariaDB."""
    if not server.mariadb and server.parts and server.parts[0] >= 10:
        return ServerVersion("mariadb", server.parts)
    return server


def is_mariadb(server: ServerVersion) -> bool:
    return server.mariadb


@dataclass(slots=True)
class MySQLNode:
    """One statement as the MySQL rules see it.

    ``parsed``: the DDL reader's parse (AlterStmt, IndexStmt, DropStmt, RenameStmt,
    MySQLTableDef ...) or None. ``table``: the table an ALTER TABLE / CREATE INDEX / DROP INDEX
    / TRUNCATE / trigger works on; ``tables``: every table it names (DROP TABLE a, b; RENAME).
    ``in_use``: those of ``tables`` not made earlier in the same file. ``algorithm``/``lock``:
    the clauses as written (upper-case); ``online``: ALTER ONLINE (MariaDB: LOCK=NONE);
    ``wait``: WAIT n / NOWAIT or SET STATEMENT lock_wait_timeout=... FOR (a lock timeout for
    this statement). ``extra``: ALTER actions the reader does not keep (FORCE, ORDER BY,
    ALTER INDEX, PARTITION). ``clauses``: the ALTER's text after the table name (what
    gh-ost / pt-online-schema-change take as --alter). ``implicit_commit``: an open
    transaction was committed by this statement. ``variable``: (name, value) of a SET.
    ``rerunnable``: IF [NOT] EXISTS on every action (running it again does no harm)."""

    parsed: Any = None
    table: str | None = None
    tables: tuple[str, ...] = ()
    in_use: tuple[str, ...] = ()
    algorithm: str | None = None
    lock: str | None = None
    online: bool = False
    wait: bool = False
    extra: tuple[str, ...] = ()
    clauses: str = ""
    foreign_key_checks: bool = True
    implicit_commit: str = ""  # "BEGIN" or "runner": whose open transaction it committed
    variable: tuple[str, str] | None = None
    rerunnable: bool = False
    ddl: bool = False
    dml: bool = False
    words: tuple[str, ...] = field(default_factory=tuple)


def _name(t: Tok) -> str:
    return unquote_ident(t.text) if t.kind == "qident" else t.text


def _kind(words: list[str]) -> str:
    """``ALTER TABLE``, ``CREATE INDEX``, ``CREATE UNIQUE INDEX`` -> CREATE INDEX, ``SET``,
    ``START TRANSACTION``, ``INSERT`` ..."""
    if not words:
        return ""
    first = words[0]
    if first in ("CREATE", "ALTER", "DROP"):
        rest = [
            w
            for w in words[1:6]
            if w not in ("OR", "REPLACE", "ONLINE", "IGNORE", "TEMPORARY", "DEFINER", "")
        ]
        for w in rest:
            if w in ("UNIQUE", "FULLTEXT", "SPATIAL", "INDEX", "KEY"):
                return f"{first} INDEX"
            if w in ("TABLE", "TABLES"):
                return f"{first} TABLE"
            if w in ("VIEW", "TRIGGER", "PROCEDURE", "FUNCTION", "DATABASE", "SCHEMA", "EVENT"):
                return f"{first} {w}"
        return first
    if first in ("RENAME", "TRUNCATE", "OPTIMIZE"):
        return f"{first} TABLE"
    if first == "START" and words[1:2] == ["TRANSACTION"]:
        return "START TRANSACTION"
    return first


def _top_level(toks: list[Tok]) -> list[int]:
    """Indexes of the tokens outside parentheses."""
    out = []
    depth = 0
    for i, t in enumerate(toks):
        if t.kind == "op" and t.text == "(":
            depth += 1
        elif t.kind == "op" and t.text == ")":
            depth -= 1
        elif depth == 0:
            out.append(i)
    return out


def _value_after(toks: list[Tok], i: int) -> tuple[str | None, int]:
    """The word after ``NAME [=]`` at ``i`` (the NAME), and the index after it."""
    j = i + 1
    if j < len(toks) and toks[j].kind == "op" and toks[j].text == "=":
        j += 1
    if j < len(toks) and toks[j].kind in ("word", "string"):
        return toks[j].text.strip("'\"").upper(), j + 1
    return None, j


def _table_after(toks: list[Tok], i: int) -> tuple[str | None, int]:
    """A possibly qualified table name at ``i``: its name and the index after it."""
    if i >= len(toks) or toks[i].kind not in ("word", "qident"):
        return None, i
    name = _name(toks[i])
    j = i + 1
    if j + 1 < len(toks) and toks[j].kind == "op" and toks[j].text == ".":
        name = _name(toks[j + 1])
        j += 2
    return name, j


def _scan(node: MySQLNode, kind: str, src: Source, toks: list[Tok], end: int) -> None:
    """What the reader's parse leaves out: clauses, the table, the ALTER's text."""
    words = [t.upper for t in toks]
    top = _top_level(toks)
    _scan_clauses(node, kind, toks, words, top)
    if kind == "ALTER TABLE":
        _scan_alter(node, src, toks, words, top, end)
    elif (kind == "CREATE INDEX" and "ON" in words) or (kind == "DROP INDEX" and "ON" in words):
        node.table, _ = _table_after(toks, words.index("ON") + 1)
    elif kind == "TRUNCATE TABLE":
        i = 2 if words[1:2] == ["TABLE"] else 1
        node.table, _ = _table_after(toks, i)
    elif kind == "OPTIMIZE TABLE":
        i = 2 if words[1:2] in (["TABLE"], ["TABLES"]) else 1
        node.table, _ = _table_after(toks, i)
    elif kind == "SET":
        _scan_set(node, toks, words)


def _scan_clauses(
    node: MySQLNode, kind: str, toks: list[Tok], words: list[str], top: list[int]
) -> None:
    """ALGORITHM=, LOCK=, WAIT / NOWAIT outside parentheses."""
    for i in top:
        w = words[i]
        if w == "ALGORITHM" and kind != "CREATE VIEW":
            node.algorithm, _ = _value_after(toks, i)
        elif w == "LOCK" and kind in ("ALTER TABLE", "CREATE INDEX", "DROP INDEX"):
            node.lock, _ = _value_after(toks, i)
        elif w in ("WAIT", "NOWAIT"):
            node.wait = True


def _scan_alter(
    node: MySQLNode, src: Source, toks: list[Tok], words: list[str], top: list[int], end: int
) -> None:
    """ALTER [ONLINE] TABLE: the table, the text after it, the actions the reader drops."""
    node.online = "ONLINE" in words[1:3]
    i = words.index("TABLE") + 1
    if words[i : i + 2] == ["IF", "EXISTS"]:
        i += 2
    node.table, j = _table_after(toks, i)
    while j < len(toks) and words[j] in ("WAIT", "NOWAIT"):
        j += 2 if words[j] == "WAIT" else 1
    if j < len(toks):
        node.clauses = src.text[toks[j].start : end].strip().rstrip(";").strip()
    node.extra = _alter_extra(toks, words, [k for k in top if k >= j])


def _alter_extra(toks: list[Tok], words: list[str], top: list[int]) -> tuple[str, ...]:
    """FORCE, ORDER BY, ALTER INDEX and partitioning among an ALTER's top-level words."""
    extra = []
    prev = ","
    for i in top:
        w = words[i]
        if prev == "," and w == "FORCE":
            extra.append("FORCE")
        elif prev == "," and w == "ORDER":
            extra.append("ORDER BY")
        elif prev == "," and w == "ALTER" and words[i + 1 : i + 2] in (["INDEX"], ["KEY"]):
            extra.append("ALTER INDEX")
        elif w in ("PARTITION", "PARTITIONS") or (
            prev == "," and w in ("REMOVE", "COALESCE", "REORGANIZE", "EXCHANGE")
        ):
            extra.append("PARTITION")
        prev = toks[i].text if toks[i].kind == "op" else w
    return tuple(dict.fromkeys(extra))


def _scan_set(node: MySQLNode, toks: list[Tok], words: list[str]) -> None:
    """SET [SESSION | LOCAL | GLOBAL] name = value: the variable and its value."""
    i = 2 if words[1:2] in (["SESSION"], ["LOCAL"], ["GLOBAL"]) else 1
    if i < len(toks):
        name = toks[i].text.lower()
        name = name.removeprefix("@@session.").removeprefix("@@local.").removeprefix("@@")
        value, _ = _value_after(toks, i)
        if value is None and i + 2 < len(toks):
            value = toks[i + 2].text
        node.variable = (name, (value or "").lower())


def _tables(node: MySQLNode) -> tuple[str, ...]:
    p = node.parsed
    if isinstance(p, AlterStmt | IndexStmt):
        return (p.table[1],)
    if isinstance(p, DropStmt):
        if p.kind == "TABLE":
            return tuple(n for _, n in p.names)
        if p.kind == "INDEX" and p.table is not None:
            return (p.table[1],)
        return ()
    if isinstance(p, RenameStmt):
        return tuple(old for (_, old), _ in p.pairs)
    if isinstance(p, MySQLTriggerDef):
        return (p.table[1],)
    return (node.table,) if node.table else ()


def _rerunnable(node: MySQLNode, words: list[str]) -> bool:
    p = node.parsed
    if isinstance(p, MySQLTableDef):
        return p.if_not_exists or p.or_replace
    if isinstance(p, DropStmt):
        return p.if_exists
    if isinstance(p, IndexStmt):
        return p.if_not_exists
    if isinstance(p, AlterStmt):
        return bool(p.actions) and all(a.if_exists for a in p.actions)
    return "EXISTS" in words[:6] or words[1:3] == ["OR", "REPLACE"]


def _parse(src: Source, toks: list[Tok], first: str) -> Any:
    if first not in ("CREATE", "ALTER", "DROP", "RENAME", "USE"):
        return None
    parser = MySQLParser(src, toks)
    try:
        return parser.statement(first)
    except (MySQLSkip, Ignore, DbdesignError, RecursionError, IndexError, ValueError):
        return None


def reader_for(schema_text: str | None, file: str | None) -> _Builder:
    """The MySQL DDL reader's state holding the schema the migrations apply to."""
    builder = _Builder(None)
    if schema_text:
        _read_into(builder, schema_text, file)
    return builder


def _statement_of_set(words: list[str]) -> int | None:
    """MariaDB ``SET STATEMENT var=value [, ...] FOR statement``: where the statement starts."""
    if words[:2] != ["SET", "STATEMENT"] or "FOR" not in words:
        return None
    return words.index("FOR") + 1


def walk(
    files: list[MigrationFile],
    *,
    schema_text: str | None = None,
    schema_file: str | None = None,
    server: ServerVersion = DEFAULT_SERVER,
    lock_timeout_files: frozenset[str] = frozenset(),
    new_files: frozenset[str] = frozenset(),
) -> Iterator[StatementContext]:
    """Each statement of ``files`` in run order, with the reader's state just before it (the
    statement is applied once the consumer asks for the next one).

    ``lock_timeout_files``: files whose runner sets a lock timeout itself (dbdesign's runner
    sets lock_wait_timeout from the file's ``lock_timeout`` header or the configuration)."""
    server = server_of(server)
    state = reader_for(schema_text, schema_file)
    run = Run(new_files)
    for f in files:
        src, statements = split_script(f.text, f.display)
        session = Session.of(f, lock_timeout_files, run=run)
        fk_checks = True
        for st in statements:
            toks = tokenize(src, st.start, st.end)
            if not toks:
                continue
            words = [t.upper for t in toks]
            wait = False
            at = _statement_of_set(words)
            if at is not None and at < len(toks):
                wait = "LOCK_WAIT_TIMEOUT" in words[:at] or "MAX_STATEMENT_TIME" in words[:at]
                toks, words = toks[at:], words[at:]
            first = words[0]
            kind = _kind(words)
            node = MySQLNode(words=tuple(words[:8]), foreign_key_checks=fk_checks)
            node.parsed = _parse(src, toks, first)
            _scan(node, kind, src, toks, st.end)
            node.wait = node.wait or wait
            node.tables = _tables(node)
            node.in_use = tuple(t for t in node.tables if not session.made(t))
            node.ddl = first in DDL_WORDS and kind not in (
                "CREATE DATABASE",
                "CREATE SCHEMA",
            )
            node.dml = first in DML_WORDS
            if node.dml:
                session.written.update(node.tables)
            node.rerunnable = node.ddl and _rerunnable(node, words)
            text = src.text[toks[0].start : st.end].strip()
            line, col = src.position(toks[0].start)
            stmt = LintedStatement(f, text, line, col, kind, node)
            tx = session.transaction
            if (node.ddl or kind == "LOCK") and tx is not None:
                node.implicit_commit = "runner" if tx.implicit else "BEGIN"
                session.transaction = None
            yield StatementContext(stmt, server, session, state)
            _track(session, stmt, node)
            if node.variable is not None and node.variable[0] == "foreign_key_checks":
                fk_checks = node.variable[1] not in ("0", "off", "false")
            session.statements.append(stmt)
            if node.parsed is not None:
                with contextlib.suppress(DbdesignError, KeyError, ValueError, AssertionError):
                    state.apply(node.parsed)
        run.done(f, session)


def _track(session: Session, stmt: LintedStatement, node: MySQLNode) -> None:
    """Transactions, the lock timeout, the tables the file made."""
    _track_created(session, node.parsed)
    if stmt.kind in _BEGIN:
        session.transaction = Transaction(implicit=False)
        return
    if stmt.kind in _END:
        session.transaction = None
        return
    if session.transaction is not None:
        session.transaction.statements.append(stmt)
    if node.variable is not None:
        name, value = node.variable
        on = value not in ("0", "default", "")
        if name == "lock_wait_timeout":
            session.lock_timeout = on and _small(value)
        elif name in ("max_statement_time", "max_execution_time"):
            session.statement_timeout = on


def _track_created(session: Session, p: Any) -> None:
    """The tables the file made, under their names after a rename."""
    if isinstance(p, MySQLTableDef):
        session.created.add(p.name)
    elif isinstance(p, RenameStmt):
        for (_, old), (_, new) in p.pairs:
            if old in session.created:
                session.created.add(new)
    elif isinstance(p, AlterStmt):
        for a in p.actions:
            if a.kind == "rename_table" and p.table[1] in session.created:
                session.created.add(a.new)


def _small(value: str) -> bool:
    """A lock_wait_timeout short enough to matter (under an hour)."""
    try:
        return float(value) < 3600
    except ValueError:
        return True
