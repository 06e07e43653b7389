"""Which user statements dbdesign will send to a MySQL or MariaDB server, decided by parsers.

The MySQL side of :mod:`dbdesign.advise.guard`, made true the same way, by construction:

1. the text is split the way the ``mysql`` client splits a script (the dialect's splitter:
   quotes, comments, and version comments ``/*! ... */`` read as the code they hold) and must
   hold exactly one statement; that statement is parsed (sqlglot, MySQL dialect) and must be a
   SELECT (UNION, WITH ... SELECT), INSERT, UPDATE or DELETE: transaction control, SET, CALL,
   DO, LOAD DATA, LOCK, DDL and every other statement are refused, whatever surrounds them;
   ``SELECT ... INTO OUTFILE/DUMPFILE`` (a file on the server) and calls whose effects a
   rollback does not undo (locks, sequences, server files) are refused too;
2. the text sent is the text checked (with the version-comment markers blanked, so what the
   splitter read as code is code), on a connection without multi-statement support, so the
   server refuses a second statement should the splitter ever disagree;
3. it runs inside a transaction that is always rolled back, ``READ ONLY`` unless a
   data-changing statement was asked to run (MariaDB's ``ANALYZE`` of a DELETE), with a
   statement and lock timeout (:mod:`dbdesign.advise.explain_mysql`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dbdesign.databases.plans_mysql import PlannedStatement
from dbdesign.errors import ParseError, UnsupportedError

# The first word of a statement that can be explained and a rollback undoes.
_FIRST_WORDS = frozenset({"SELECT", "WITH", "(", "INSERT", "UPDATE", "DELETE"})
# Functions whose effects escape a rollback or reach outside the database (lower case).
_REFUSED_FUNCTIONS = frozenset(
    {
        "get_lock",
        "release_lock",
        "release_all_locks",
        "load_file",
        "nextval",
        "setval",
        "lastval",
        "master_pos_wait",
        "master_gtid_wait",
        "source_pos_wait",
        "sys_exec",
        "sys_eval",
    }
)
_OPERATION = {"Insert": "Insert", "Update": "Update", "Delete": "Delete"}
# First words a refusal names with the word after them (CREATE TABLE, DROP INDEX ...).
_TWO_WORDS = frozenset({"CREATE", "DROP", "ALTER", "LOAD", "LOCK", "START", "XA"})


@dataclass(frozen=True, slots=True)
class CheckedMySQLStatement:
    """One statement that passed the guard: its text (as sent), its kind (``SELECT``,
    ``DELETE`` ...), whether running it changes data, the tables it names (``db.table`` in
    another database), the functions it calls that are not the server's own (stored
    functions, perhaps), and what its plan needs to know of it."""

    text: str
    kind: str
    writes: bool
    tables: tuple[str, ...]
    functions: tuple[str, ...]
    planned: PlannedStatement


def check_mysql_statement(sql: str) -> CheckedMySQLStatement:
    """``sql`` as a :class:`CheckedMySQLStatement`, or a :class:`ParseError` /
    :class:`UnsupportedError` saying why it will not be run."""
    from dbdesign.dialects.mysql_lexer import split_script, tokenize

    src, statements = split_script(sql)
    statements = [s for s in statements if src.text[s.start : s.end].strip()]
    if len(statements) != 1:
        raise UnsupportedError(
            f"expected exactly one statement, got {len(statements)}: dbdesign runs a single "
            "SELECT, INSERT, UPDATE or DELETE (no transaction control, no scripts)"
        )
    st = statements[0]
    text = src.text[st.start : st.end].strip()
    tokens = tokenize(src, st.start, st.end)
    first = tokens[0].upper or tokens[0].text if tokens else ""
    if first not in _FIRST_WORDS:
        spoken = first
        if first in _TWO_WORDS and len(tokens) > 1:
            spoken += f" {tokens[1].upper or tokens[1].text}"
        raise UnsupportedError(
            f"refusing {spoken or 'the statement'}: only a SELECT, INSERT, UPDATE or DELETE "
            "statement can be explained (a transaction that is rolled back undoes those)"
        )
    words = [t.upper for t in tokens]
    for a, b in itertools.pairwise(words):
        if a == "INTO" and b in ("OUTFILE", "DUMPFILE"):
            raise UnsupportedError(
                f"refusing SELECT ... INTO {b}: it writes a file on the server (use a plain SELECT)"
            )
    tree = _parse(text)
    return _checked(text, tree)


def _parse(text: str) -> Any:
    import sqlglot
    from sqlglot.errors import ParseError as SqlglotError

    try:
        trees = [t for t in sqlglot.parse(text, read="mysql") if t is not None]
    except SqlglotError as e:
        errors = getattr(e, "errors", None) or [{}]
        where = errors[0]
        line, col = where.get("line"), where.get("col")
        at = f" (line {line}, column {col})" if line else ""
        what = where.get("description") or "syntax error"
        raise ParseError(f"cannot parse the statement as MySQL: {what}{at}") from None
    if len(trees) != 1:
        raise UnsupportedError(f"expected exactly one statement, got {len(trees)}")
    return trees[0]


def _checked(text: str, tree: Any) -> CheckedMySQLStatement:
    from sqlglot import exp

    if isinstance(tree, exp.Subquery):
        tree = tree.unnest()
    name = type(tree).__name__
    if isinstance(tree, exp.Query):
        kind = "SELECT"
    elif name in _OPERATION:
        kind = name.upper()
    else:
        raise UnsupportedError(
            f"refusing {name.upper()}: only a SELECT, INSERT, UPDATE or DELETE statement can be "
            "explained (a transaction that is rolled back undoes those)"
        )
    if any(True for _ in tree.find_all(exp.Into)):
        raise UnsupportedError(
            "refusing SELECT ... INTO: it stores the result (use a plain SELECT)"
        )
    writes, functions = _effects(tree)
    writes = writes or kind != "SELECT"
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    aliases: dict[str, str | None] = {}
    tables: list[str] = []
    for table in _tables(tree):
        if not table.db and table.name in ctes:
            continue
        full = f"{table.db}.{table.name}" if table.db else table.name
        tables.append(full)
        key = table.alias_or_name
        aliases[key] = full if aliases.get(key, full) == full else None
    planned = PlannedStatement(
        tables=aliases,
        operation=_OPERATION.get(name),
        target=_target(tree, aliases),
        limit=_limit(tree) if kind == "SELECT" else None,
    )
    return CheckedMySQLStatement(
        text=text,
        kind=kind,
        writes=writes,
        tables=tuple(dict.fromkeys(tables)),
        functions=tuple(dict.fromkeys(functions)),
        planned=planned,
    )


def _effects(tree: Any) -> tuple[bool, list[str]]:
    """(whether the statement changes data or takes row locks, the functions it calls that
    are not the server's own); a call of a refused function is an :class:`UnsupportedError`."""
    from sqlglot import exp

    writes = False
    functions: list[str] = []
    for node in tree.walk():
        if isinstance(node, exp.Insert | exp.Update | exp.Delete | exp.Lock):
            writes = True  # a data-changing statement, FOR UPDATE / FOR SHARE (row locks)
        elif isinstance(node, exp.Func):
            fn = _function_name(node)
            if isinstance(node, exp.Anonymous):
                functions.append(fn)
            if fn in _REFUSED_FUNCTIONS:
                raise UnsupportedError(
                    f"refusing a call of {fn}(): its effects are not undone by rolling back "
                    "(or reach outside the database)"
                )
    return writes, functions


def _tables(tree: Any) -> Iterator[Any]:
    """The tables the statement reads or writes; DELETE's list of targets names aliases of
    its FROM clause, not tables."""
    from sqlglot import exp

    targets = (
        {id(t) for t in tree.args.get("tables") or ()} if isinstance(tree, exp.Delete) else set()
    )
    for t in tree.find_all(exp.Table):
        if id(t) not in targets and t.name:
            yield t


def _target(tree: Any, aliases: dict[str, str | None]) -> str | None:
    """The one table a data-changing statement writes, when it names one."""
    from sqlglot import exp

    if isinstance(tree, exp.Delete) and tree.args.get("tables"):
        targets = tree.args["tables"]
        return aliases.get(targets[0].name) if len(targets) == 1 else None
    this = tree.this if isinstance(tree, exp.Insert | exp.Update | exp.Delete) else None
    if isinstance(this, exp.Schema):
        this = this.this
    if not isinstance(this, exp.Table) or this.args.get("joins"):
        return None
    return f"{this.db}.{this.name}" if this.db else this.name


def _limit(tree: Any) -> float | None:
    """The outer query's LIMIT, when it is a number."""
    from sqlglot import exp

    limit = tree.args.get("limit")
    value = limit.expression if isinstance(limit, exp.Limit) else None
    if isinstance(value, exp.Literal) and value.is_int:
        return float(value.this)
    return None


def _function_name(node: Any) -> str:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return str(node.sql_name()).lower()
