"""The workload of ``dbdesign advise`` on MySQL/MariaDB: a ``.sql`` file (or standard input) of
queries, split as the ``mysql`` client splits a script (the dialect's splitter: quotes,
comments, ``DELIMITER``, version comments).

A ``-- calls: N`` or ``-- weight: N`` comment right before a query weighs it (1 without one).
SELECT (and WITH ... SELECT), INSERT, UPDATE and DELETE are kept; any other statement is left
out with a note naming ``file:line``. The same query written twice (other spacing or comments)
is one query with the weights summed; queries that differ in their literals stay apart (their
plans may differ too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dbdesign.errors import ConfigError, ParseError

_KEPT = frozenset({"SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "("})
_WEIGHT = re.compile(r"--[ \t]*(?:weight|calls)[ \t]*:[ \t]*([^\s]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MySQLWorkloadQuery:
    sql: str
    calls: float
    label: str  # file:line of its first text


@dataclass(frozen=True, slots=True)
class MySQLWorkload:
    queries: tuple[MySQLWorkloadQuery, ...]
    notes: tuple[str, ...] = ()


def read_mysql_workload(source: str, *, text: str | None = None) -> MySQLWorkload:
    """The queries of the file ``source`` (``text``: its text given, from standard input)."""
    if text is None:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(
                f"{source}: no such file (a MySQL workload is a .sql file of queries)"
            )
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise ParseError(f"cannot read the workload: {e}", file=source) from None
    return parse_mysql_workload(text, file=source)


def parse_mysql_workload(text: str, *, file: str = "<stdin>") -> MySQLWorkload:
    from dbdesign.dialects.mysql_lexer import split_script, tokenize

    src, statements = split_script(text.replace("\r\n", "\n"), file)
    order: list[str] = []
    found: dict[str, tuple[str, float, str]] = {}
    notes: list[str] = []
    previous = 0
    for st in statements:
        toks = tokenize(src, st.start, st.end)
        if not toks:
            continue
        between = src.text[previous : toks[0].start]
        previous = st.end
        line, _ = src.position(toks[0].start)
        where = f"{file}:{line}"
        first = toks[0].upper or toks[0].text
        if first not in _KEPT:
            notes.append(f"{where}: {first} left out (advice reads SELECT, INSERT, UPDATE, DELETE)")
            continue
        calls = _weight(between, where)
        key = " ".join(t.upper or t.text for t in toks)
        sql = src.text[toks[0].start : toks[-1].end]
        if key in found:
            s, c, label = found[key]
            found[key] = (s, c + calls, label)
        else:
            order.append(key)
            found[key] = (sql, calls, where)
    queries = tuple(MySQLWorkloadQuery(*found[k]) for k in order)
    if not queries:
        notes.append(f"{file}: no queries (SELECT, INSERT, UPDATE, DELETE) found")
    return MySQLWorkload(queries, tuple(notes))


def _weight(comments: str, where: str) -> float:
    """The weight a ``-- calls: N`` comment right before a query gives it (1 without one)."""
    found = _WEIGHT.findall(comments)
    if not found:
        return 1.0
    try:
        value = float(found[-1])
    except ValueError:
        raise ConfigError(f"{where}: the weight {found[-1]!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{where}: the weight {found[-1]!r} must be a positive number")
    return value
