"""SQLite migrations, statement by statement, over the SQLite DDL reader's state.

The schema the migrations apply to is read first (``--schema``: DDL, or a live database's
catalog emitted as DDL) by the SQLite DDL reader; then every file is split with the reader's
splitter (:func:`~dbdesign.dialects.sqlite_lexer.statement_spans`: quotes, comments, trigger
bodies) and each statement is parsed by the reader's parser, shown to the rules, and only then
applied to the reader's state, so a rule sees the tables as they are just before the statement
runs (``ctx.state``: the reader's builder; ``ctx.state.tables[name.lower()]`` is a
:class:`~dbdesign.readers.ddl.sqlite_statements.SQLiteTableDef`, ``.indexes``, ``.views``,
``.triggers`` the other definitions, ``.schema()`` the model).

``ctx.stmt.node`` is a :class:`SQLiteNode`: the reader's parse (``parsed``) and what migration
safety needs besides: a light parse of every ALTER TABLE (:class:`SQLiteAlter`), including the
forms SQLite has no syntax for (ALTER COLUMN ... TYPE, ADD CONSTRAINT ...), which the reader
refuses; the PRAGMA and its value; whether ``PRAGMA foreign_keys`` is on at that point (a
runner's connection: dbdesign's turns it on, as most applications do, so it is assumed on at
the start of a file, and off in a dbdesign file whose header says ``-- dbdesign:
foreign-keys-off``, which the runner honours around the file's transaction; ``PRAGMA
foreign_keys`` inside a transaction changes nothing, as in SQLite); whether the statement's
table is empty (made in this file and not written to since); and the statements after it in
the same file and the next one (``later``), and the previous file's (``previous``): the
rebuild pattern and compatibility views are recognised by what follows, also when a rebuild is
split over files, one statement a file.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from dbdesign.dialects.sqlite import dequote
from dbdesign.dialects.sqlite_lexer import statement_spans, tokenize
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
from dbdesign.readers.ddl.sqlite import _SKIPPED, _Builder
from dbdesign.readers.ddl.sqlite_parser import SQLiteParser
from dbdesign.readers.ddl.sqlite_statements import (
    AlterDef,
    DropDef,
    IndexDef,
    SQLiteSkip,
    SQLiteTableDef,
    SQLiteTriggerDef,
    Statement,
)

# What Debian 12 and Python's sqlite3 on it ship (3.40.1): past DROP COLUMN (3.35) and the
# ADD COLUMN row checks (3.37), before ALTER ... ADD CONSTRAINT CHECK / SET NOT NULL (3.53).
DEFAULT_SERVER = ServerVersion("sqlite", (3, 40, 1))

_BEGIN = frozenset(("BEGIN",))
_END = frozenset(("COMMIT", "END", "ROLLBACK"))
DML_WORDS = frozenset(("INSERT", "REPLACE", "UPDATE", "DELETE"))
_CONSTRAINT_WORDS = frozenset(("CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "FOREIGN"))
_OFF = frozenset(("0", "off", "false", "no"))
_HEADER = re.compile(r"^\s*--\s*dbdesign:(?P<body>.*)$", re.I)


def foreign_keys_off_header(f: MigrationFile) -> bool:
    """Whether dbdesign's runner runs ``f`` with foreign keys off: its header (the comment
    lines before the first statement) says ``-- dbdesign: foreign-keys-off``."""
    if not f.runner.startswith("dbdesign"):
        return False
    for line in f.text.split("\n"):
        m = _HEADER.match(line)
        if m is not None and "foreign-keys-off" in m.group("body").lower().split():
            return True
        if line.strip() and not line.strip().startswith("--"):
            return False
    return False


@dataclass(slots=True)
class SQLiteAlter:
    """One ALTER TABLE as written, SQLite's forms and the ones it has no syntax for.

    ``kind``: rename, rename_column, add_column, drop_column (SQLite's), alter_column,
    add_constraint, drop_constraint, multiple (several actions separated by commas), other.
    ``column``: the column acted on; ``new``: the new name (renames); ``change``: for
    alter_column the sub-action (type, set_not_null, drop_not_null, set_default,
    drop_default, other); ``value``: the type or default text; ``constraint``: for
    add_constraint the kind (check, unique, pk, fk) and for drop_constraint the name;
    ``text``: the action's text; ``actions``: the texts of a ``multiple``."""

    kind: str
    column: str = ""
    new: str = ""
    change: str = ""
    value: str = ""
    constraint: str = ""
    text: str = ""
    actions: tuple[str, ...] = ()


@dataclass(slots=True)
class SQLiteNode:
    """One statement as the SQLite rules see it (see the module docstring)."""

    parsed: Statement | None = None
    table: str | None = None
    alter: SQLiteAlter | None = None
    pragma: tuple[str, str] | None = None
    foreign_keys: bool = True
    empty: bool = False
    later: tuple[LintedStatement, ...] = ()  # the rest of the file, then the next file's
    previous: tuple[LintedStatement, ...] = ()  # the previous file's statements
    words: tuple[str, ...] = field(default_factory=tuple)


def _name(t: Tok) -> str:
    return t.text if t.kind == "word" else dequote(t.text)


def _top_commas(toks: list[Tok], start: int) -> list[int]:
    """Indexes of the commas outside parentheses from ``start``."""
    out, depth = [], 0
    for i in range(start, len(toks)):
        t = toks[i]
        if t.kind != "op":
            continue
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif t.text == "," and depth == 0:
            out.append(i)
    return out


def _table_at(toks: list[Tok], i: int) -> tuple[str | None, int]:
    """A possibly qualified table name at ``i`` (``main.t``): its name and the index after."""
    if i >= len(toks) or toks[i].kind not in ("word", "qident", "string"):
        return None, i
    name, j = _name(toks[i]), i + 1
    if j + 1 < len(toks) and toks[j].kind == "op" and toks[j].text == ".":
        name, j = _name(toks[j + 1]), j + 2
    return name, j


def _alter_column(w: list[str], toks: list[Tok], text: str) -> SQLiteAlter:
    """``ALTER [COLUMN] c TYPE t | SET DATA TYPE t | SET/DROP NOT NULL | SET/DROP DEFAULT``."""
    i = 2 if w[1:2] == ["COLUMN"] else 1
    column = _name(toks[i]) if i < len(toks) else ""
    rest, tail = w[i + 1 : i + 4], toks[i + 1 :]

    def after(n: int) -> str:
        return text[tail[n].start - toks[0].start :].strip() if len(tail) > n else ""

    change, value = "other", ""
    if rest[:1] == ["TYPE"] or rest[:3] == ["SET", "DATA", "TYPE"]:
        change, value = "type", after(1 if rest[:1] == ["TYPE"] else 3)
        value = value.split(" USING ")[0].split(" using ")[0].strip()
    elif rest[:3] == ["SET", "NOT", "NULL"]:
        change = "set_not_null"
    elif rest[:3] == ["DROP", "NOT", "NULL"]:
        change = "drop_not_null"
    elif rest[:2] == ["SET", "DEFAULT"]:
        change, value = "set_default", after(2)
    elif rest[:2] == ["DROP", "DEFAULT"]:
        change = "drop_default"
    return SQLiteAlter("alter_column", column=column, change=change, value=value, text=text)


def _constraint_kind(w: list[str]) -> str:
    at = 2 if w[:1] == ["CONSTRAINT"] else 0
    word = w[at] if at < len(w) else ""
    return {"CHECK": "check", "UNIQUE": "unique", "PRIMARY": "pk", "FOREIGN": "fk"}.get(
        word, "other"
    )


def parse_action(toks: list[Tok], text: str) -> SQLiteAlter:
    """One ALTER TABLE action (the tokens after the table name)."""
    w = [t.upper for t in toks]
    first = w[0] if w else ""
    if first == "RENAME":
        if w[1:2] == ["TO"] and len(toks) > 2:
            return SQLiteAlter("rename", new=_name(toks[2]), text=text)
        i = 2 if w[1:2] == ["COLUMN"] else 1
        new = _name(toks[i + 2]) if len(toks) > i + 2 else ""
        column = _name(toks[i]) if len(toks) > i else ""
        return SQLiteAlter("rename_column", column=column, new=new, text=text)
    if first == "ADD":
        rest = w[2:] if w[1:2] == ["COLUMN"] else w[1:]
        if w[1:2] != ["COLUMN"] and rest[:1] and rest[0] in _CONSTRAINT_WORDS:
            return SQLiteAlter("add_constraint", constraint=_constraint_kind(rest), text=text)
        i = 2 if w[1:2] == ["COLUMN"] else 1
        return SQLiteAlter("add_column", column=_name(toks[i]) if len(toks) > i else "", text=text)
    if first == "DROP":
        if w[1:2] == ["CONSTRAINT"]:
            name = _name(toks[2]) if len(toks) > 2 else ""
            return SQLiteAlter("drop_constraint", constraint=name, text=text)
        if w[1:2] in (["PRIMARY"], ["FOREIGN"], ["INDEX"], ["KEY"], ["CHECK"]):
            return SQLiteAlter("other", text=text)
        i = 2 if w[1:2] == ["COLUMN"] else 1
        return SQLiteAlter("drop_column", column=_name(toks[i]) if len(toks) > i else "", text=text)
    if first == "ALTER":
        return _alter_column(w, toks, text)
    return SQLiteAlter("other", text=text)


def _alter(src: Source, toks: list[Tok], end: int) -> tuple[str | None, SQLiteAlter | None]:
    """The table and the action of an ALTER TABLE."""
    table, j = _table_at(toks, 2)
    if table is None or j >= len(toks):
        return table, None
    commas = _top_commas(toks, j)
    bounds = [j, *(c + 1 for c in commas)]
    ends = [*commas, len(toks)]
    pieces = [
        (toks[a:b], src.text[toks[a].start : toks[b - 1].end])
        for a, b in zip(bounds, ends, strict=True)
        if a < b
    ]
    if len(pieces) > 1:
        text = src.text[toks[j].start : end].strip()
        return table, SQLiteAlter("multiple", text=text, actions=tuple(p[1] for p in pieces))
    return table, parse_action(*pieces[0]) if pieces else None


def _pragma(toks: list[Tok]) -> tuple[str, str] | None:
    """``PRAGMA [schema.]name [= value | (value)]``: (name, value lower-cased)."""
    if len(toks) < 2:
        return None
    i = 3 if len(toks) > 3 and toks[2].text == "." else 1
    name = toks[i].text.lower() if i < len(toks) else ""
    value = ""
    for t in toks[i + 1 :]:
        if t.kind in ("word", "number", "string", "qident"):
            value = dequote(t.text).lower() if t.kind != "word" else t.text.lower()
            break
    return name, value


def _target(words: list[str], toks: list[Tok]) -> str | None:
    """The table a CREATE INDEX / DROP TABLE / INSERT ... works on (None when none)."""
    if words[:1] in (["INSERT"], ["REPLACE"]) and "INTO" in words:
        return _table_at(toks, words.index("INTO") + 1)[0]
    if words[:1] == ["UPDATE"]:
        i = 3 if words[1:2] == ["OR"] else 1
        return _table_at(toks, i)[0]
    if words[:2] == ["DELETE", "FROM"]:
        return _table_at(toks, 2)[0]
    return None


def _parse(src: Source, toks: list[Tok], first: str) -> Statement | None:
    if first not in ("CREATE", "ALTER", "DROP"):
        return None
    try:
        return SQLiteParser(src, toks).statement()
    except (SQLiteSkip, DbdesignError, RecursionError, IndexError, ValueError):
        return None


def _table_of(parsed: Statement | None) -> str | None:
    if isinstance(parsed, AlterDef | IndexDef | SQLiteTriggerDef):
        return parsed.table
    if isinstance(parsed, DropDef) and parsed.kind == "TABLE":
        return parsed.name
    if isinstance(parsed, SQLiteTableDef):
        return parsed.name
    return None


def _apply(state: _Builder, parsed: Statement) -> None:
    """Apply a statement to the reader's state; a statement SQLite refuses changes nothing."""
    with contextlib.suppress(DbdesignError, KeyError, ValueError, AssertionError):
        state.apply(parsed)


def reader_for(schema_text: str | None, file: str | None) -> _Builder:
    """The SQLite DDL reader's state holding the schema the migrations apply to."""
    src = Source(schema_text or "", file)
    state = _Builder(src, None)
    for start, end, kw in statement_spans(src):
        if kw in _SKIPPED:
            continue
        toks = tokenize(src, start, end)
        parsed = _parse(src, toks, kw) if toks else None
        if parsed is not None:
            _apply(state, parsed)
    return state


@dataclass(slots=True)
class _Raw:
    """A statement of a file before it is shown: its tokens and what the walker made of it."""

    stmt: LintedStatement
    node: SQLiteNode
    toks: list[Tok]


def _statements(f: MigrationFile) -> list[_Raw]:
    src = Source(f.text, f.display)
    out: list[_Raw] = []
    for start, end, _kw in statement_spans(src):
        toks = tokenize(src, start, end)
        if not toks:
            continue
        words = [t.upper for t in toks]
        node = SQLiteNode(words=tuple(words[:8]))
        node.parsed = _parse(src, toks, words[0])
        node.table = _table_of(node.parsed) or _target(words, toks)
        kind = _kind(words)
        if kind == "ALTER TABLE":
            node.table, node.alter = _alter(src, toks, end)
        elif kind == "PRAGMA":
            node.pragma = _pragma(toks)
        text = src.text[toks[0].start : end].strip()
        line, col = src.position(toks[0].start)
        out.append(_Raw(LintedStatement(f, text, line, col, kind, node), node, toks))
    stmts = tuple(r.stmt for r in out)
    for n, r in enumerate(out):
        r.node.later = stmts[n + 1 :]
    return out


def _kind(words: list[str]) -> str:
    """``ALTER TABLE``, ``CREATE TABLE``, ``CREATE INDEX`` (UNIQUE too), ``DROP TABLE``,
    ``PRAGMA``, ``BEGIN``, ``INSERT`` ..."""
    first = words[0]
    if first in ("CREATE", "DROP", "ALTER"):
        rest = [w for w in words[1:4] if w not in ("TEMP", "TEMPORARY", "UNIQUE", "VIRTUAL")]
        if rest and rest[0] in ("TABLE", "INDEX", "VIEW", "TRIGGER"):
            return f"{first} {rest[0]}"
    return first


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

    ``lock_timeout_files``: files whose runner sets a busy timeout itself (dbdesign's runner
    waits for the database's write lock with one)."""
    state = reader_for(schema_text, schema_file)
    run = Run(new_files)
    following = _statements(files[0]) if files else []
    previous: tuple[LintedStatement, ...] = ()
    for i, f in enumerate(files):
        # A rebuild split over files (one statement a file, as Ory's generated migrations
        # are) is recognised from the next file's statements and the previous file's.
        raws, following = following, _statements(files[i + 1]) if i + 1 < len(files) else []
        after = tuple(r.stmt for r in following)
        for raw in raws:
            raw.node.later += after
            raw.node.previous = previous
        previous = tuple(r.stmt for r in raws)
        session = Session.of(f, lock_timeout_files, run=run)
        fk = not foreign_keys_off_header(f)
        written = session.written
        for raw in raws:
            node, stmt = raw.node, raw.stmt
            node.foreign_keys = fk
            low = (node.table or "").lower()
            node.empty = low in session.created and low not in written
            yield StatementContext(stmt, server, session, state)
            if stmt.kind in DML_WORDS and node.table:
                written.add(low)
            fk = _foreign_keys(session, node, fk)
            _track(session, stmt, node)
            session.statements.append(stmt)
            if node.parsed is not None:
                _apply(state, node.parsed)
        run.done(f, session)


def _foreign_keys(session: Session, node: SQLiteNode, fk: bool) -> bool:
    """``PRAGMA foreign_keys`` after the statement: SQLite ignores it in a transaction."""
    if node.pragma is None or node.pragma[0] != "foreign_keys" or not node.pragma[1]:
        return fk
    if session.transaction is not None:
        return fk
    return node.pragma[1] not in _OFF


def _track(session: Session, stmt: LintedStatement, node: SQLiteNode) -> None:
    """Transactions and the tables the file made (a rename carries that along)."""
    p = node.parsed
    if isinstance(p, SQLiteTableDef):
        session.created.add(p.name.lower())
    elif isinstance(p, AlterDef) and p.action == "rename" and p.table.lower() in session.created:
        session.created.add(p.new.lower())
    if stmt.kind in _BEGIN:
        if session.transaction is None:
            session.transaction = Transaction(implicit=False)
        return
    if stmt.kind in _END and "TO" not in node.words[:3]:
        session.transaction = None
        return
    if session.transaction is not None:
        session.transaction.statements.append(stmt)
