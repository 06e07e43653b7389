"""What PostgreSQL's parser says about one statement of a workload, and its literals as ``$n``.

A workload (a ``.sql`` file, ``pg_stat_statements``, a server log) is a stream of statement
texts. For each, the advisor needs its fingerprint (:func:`pglast.parser.fingerprint`: the
same for texts that differ only in literal values, spacing and comments), its kind, whether it
is worth advising at all (a query, not DDL, a SET or the system catalogs), and a text with the
values that vary replaced by ``$n`` placeholders so that one generic plan stands for all of
them. Everything here asks pglast (PostgreSQL's own parser and scanner), never a regex over
SQL: a literal inside a string or a comment is not mistaken for one.

The parse tree comes from :func:`pglast.parser.parse_sql_json` (a tenth of the time of the
Python tree; its locations are byte offsets), tokens from :func:`pglast.parser.scan` (character
offsets, end inclusive).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pglast import parser

# Scanner tokens that are literal values (a minus sign before a number is a separate token).
LITERAL_TOKENS = frozenset(
    {"SCONST", "USCONST", "ICONST", "FCONST", "BCONST", "XCONST", "TRUE_P", "FALSE_P"}
)
# Parse-tree statement node -> workload kind.
KINDS = {
    "SelectStmt": "select",
    "InsertStmt": "insert",
    "UpdateStmt": "update",
    "DeleteStmt": "delete",
    "MergeStmt": "merge",
}
# Statements that wrap a query: the query inside is the workload (see :func:`inner_query`).
WRAPPERS = frozenset({"ExplainStmt", "DeclareCursorStmt"})
# Relations of the system catalogs: a query reading only these is the tools' own (dbdesign's
# catalog reads, monitoring), not the application's.
_CATALOG_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
# Functions of the tools that measure a workload (what-if indexes, statistics): their queries
# are not the application's.
_TOOL_FUNCTIONS = ("hypopg", "pg_stat_statements")
_SPOKEN = {
    "TransactionStmt": "transaction control",
    "VariableSetStmt": "SET",
    "VariableShowStmt": "SHOW",
    "ExplainStmt": "EXPLAIN",
    "CreateStmt": "CREATE TABLE",
    "CreateTableAsStmt": "CREATE TABLE AS",
    "IndexStmt": "CREATE INDEX",
    "ExecuteStmt": "EXECUTE",
}
_PARAM = re.compile(r"\$(\d+)")
# a relation in pglast's JSON parse tree (a regex over the parser's output, not over SQL): a
# RangeVar node of a FROM list, or the "relation" field of INSERT, UPDATE, DELETE and MERGE
_STRING = r'"((?:[^"\\]|\\.)*)"'
_RANGEVAR = re.compile(
    rf'"(?:RangeVar|relation)":\{{(?:"catalogname":{_STRING},)?(?:"schemaname":{_STRING},)?'
    rf'"relname":{_STRING}'
)

# What tells two statements apart: the fingerprint and the relations they name.
Identity = tuple[str, tuple[str, ...]]


class StatementError(ValueError):
    """The parser rejected a text: ``message`` and the character ``offset`` it points at."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Shape:
    """What one statement is: its workload ``kind`` (``select`` ...), or None and ``why`` it is
    left out of the workload (``CREATE TABLE is not a query`` ...)."""

    kind: str | None
    why: str | None = None


def parse_tree(text: str) -> list[dict[str, Any]]:
    """The statements of ``text`` as pglast's JSON parse tree (``[{"stmt": ..., ...}]``);
    :class:`StatementError` with the character offset of a syntax error."""
    try:
        tree = json.loads(parser.parse_sql_json(text))
    except parser.ParseError as e:
        raise _error(text, e) from None
    stmts: list[dict[str, Any]] = tree.get("stmts", [])
    return stmts


def _error(text: str, e: parser.ParseError) -> StatementError:
    """pglast's error as a :class:`StatementError` (its offset counts characters)."""
    offset = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else 0
    return StatementError(str(e.args[0]), max(0, min(offset, len(text))))


def fingerprint(text: str) -> str:
    """pglast's fingerprint of ``text``; :class:`StatementError` when it does not parse."""
    try:
        return str(parser.fingerprint(text))
    except parser.ParseError as e:
        raise _error(text, e) from None


def identity(text: str) -> Identity:
    """``(fingerprint, relations)`` of a statement: pglast's fingerprint does not see the
    schema of a relation nor the name of one that has an alias (``FROM orders_2023 o`` and
    ``FROM orders_2024 o`` fingerprint alike), so the relations named (in the parse tree's
    order) complete it. :class:`StatementError` when the text does not parse."""
    fp = fingerprint(text)
    try:
        tree = parser.parse_sql_json(text)
    except parser.ParseError as e:
        raise _error(text, e) from None
    relations = tuple(".".join(p for p in m if p) for m in _RANGEVAR.findall(tree))
    return fp, relations


def shape(text: str) -> Shape:
    """The kind of the one statement in ``text`` (parsed), or why it is not a workload query:
    utility statements, ``SELECT ... INTO``, queries of the system catalogs only, and queries
    calling the measuring tools' functions (HypoPG, pg_stat_statements)."""
    stmts = parse_tree(text)
    if len(stmts) != 1:
        return Shape(None, f"{len(stmts)} statements in one text")
    name, node = _node(stmts[0]["stmt"])
    kind = KINDS.get(name)
    if kind is None:
        return Shape(None, f"{spoken(name)} is not a query")
    if name == "SelectStmt" and "intoClause" in node:
        return Shape(None, "SELECT ... INTO creates a table")
    if _tool_query(node):
        return Shape(None, "a query of the system catalogs or of a measuring tool")
    return Shape(kind)


def statement_kind(stmt: dict[str, Any]) -> str:
    """The parse-tree node name of one statement of :func:`parse_tree` (``SelectStmt`` ...)."""
    return _node(stmt["stmt"])[0]


def _node(wrapped: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ((name, node),) = wrapped.items()
    return str(name), node


def spoken(name: str) -> str:
    """A statement node's kind the way a user says it (``CREATE TABLE``, ``SET`` ...)."""
    if name in _SPOKEN:
        return _SPOKEN[name]
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name.removesuffix("Stmt"))
    return words.upper()


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every ``(key, value)`` pair in a JSON parse tree, depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                yield key, value
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _tool_query(node: dict[str, Any]) -> bool:
    """Does the statement read only the system catalogs, or call a measuring tool?"""
    relations: list[bool] = []
    for key, value in _walk(node):
        if key == "RangeVar":
            relations.append(_catalog_relation(value))
        elif key == "FuncCall" and _function_name(value).startswith(_TOOL_FUNCTIONS):
            return True
    return bool(relations) and all(relations)


def _catalog_relation(rv: dict[str, Any]) -> bool:
    """A relation of the system catalogs, or a ``pg_`` view of an extension (in any schema:
    ``public.pg_stat_statements``)."""
    return rv.get("schemaname") in _CATALOG_SCHEMAS or str(rv.get("relname", "")).startswith("pg_")


def _function_name(call: dict[str, Any]) -> str:
    names = [n.get("String", {}).get("sval", "") for n in call.get("funcname", [])]
    return str(names[-1]).lower() if names else ""


# ------------------------------------------------------------------------------ literals


def literal_texts(text: str) -> tuple[str, ...]:
    """The literal tokens of ``text`` in order (strings, numbers, bit strings, booleans)."""
    return tuple(text[t.start : t.end + 1] for t in parser.scan(text) if t.name in LITERAL_TOKENS)


def parameter_count(text: str) -> int:
    """The highest ``$n`` placeholder of ``text`` (0: none), read from the scanner's tokens."""
    numbers = [int(text[t.start + 1 : t.end + 1]) for t in parser.scan(text) if t.name == "PARAM"]
    return max(numbers, default=0)


def parameterise(text: str, varying: frozenset[int]) -> str:
    """``text`` with the literals whose index (among :func:`literal_texts`) is in ``varying``
    replaced by ``$n`` placeholders numbered after the ones it has.

    A negative number becomes one placeholder (``-5``: ``$1``); a typed literal written before
    its value (``date '2024-01-01'``, ``interval '1' day``) becomes a cast of the placeholder
    (``$1::date``, ``$1::interval day``) so that the text still parses. The result must parse
    and keep the fingerprint; otherwise ``text`` is returned as it was.
    """
    if not varying:
        return text
    tokens = parser.scan(text)
    spans = _literal_spans(text, tokens, varying)
    out: list[str] = []
    pos = 0
    number = parameter_count(text)
    for start, end, cast in spans:
        number += 1
        out += [text[pos:start], f"${number}", f"::{cast}" if cast else ""]
        pos = end
    out.append(text[pos:])
    result = "".join(out)
    try:
        same = fingerprint(result) == fingerprint(text)
    except StatementError:
        return text
    return result if same else text


def _literal_spans(text: str, tokens: Any, varying: frozenset[int]) -> list[tuple[int, int, str]]:
    """``(start, end, cast)`` character spans of the varying literals to replace; ``cast`` is
    the type written before a typed literal (empty when there is none)."""
    constants, typed = _constants(text)
    spans: list[tuple[int, int, str]] = []
    index = -1
    previous: Any = None
    for token in tokens:
        if token.name in LITERAL_TOKENS:
            index += 1
            if index in varying:
                span = _span(text, token, previous, constants, typed)
                if span is not None and (not spans or span[0] >= spans[-1][1]):
                    spans.append(span)
        previous = token
    return spans


def _span(
    text: str, token: Any, previous: Any, constants: frozenset[int], typed: dict[int, int]
) -> tuple[int, int, str] | None:
    """The span one literal token's constant covers, or None when the parser does not see a
    constant there (a literal the grammar uses otherwise is left alone)."""
    start = token.start
    if start not in constants:
        if previous is None or previous.name != "ASCII_45" or previous.start not in constants:
            return None
        start = previous.start  # -5: the constant starts at the minus sign
    if start in typed:
        type_start = typed[start]
        return type_start, token.end + 1, text[type_start:start].strip()
    return start, token.end + 1, ""


def _constants(text: str) -> tuple[frozenset[int], dict[int, int]]:
    """Character offsets of the parse tree's constants (NULL and the column numbers of ``ORDER
    BY 2`` / ``GROUP BY 1`` excepted: a placeholder there would sort by a constant), and for
    typed literals written type first (``date '...'``) the constant's offset -> the type
    name's offset."""
    to_chars = _char_map(text)
    constants: set[int] = set()
    ordinals: set[int] = set()
    typed: dict[int, int] = {}
    for key, value in _walk(parse_tree(text)):
        if key == "A_Const" and not value.get("isnull") and value.get("location", -1) >= 0:
            constants.add(to_chars(value["location"]))
        elif key in ("SortBy", "groupClause"):
            ordinals.update(to_chars(at) for at in _ordinals(value))
        elif key == "TypeCast":
            pair = _prefix_cast(value)
            if pair is not None:
                typed[to_chars(pair[0])] = to_chars(pair[1])
    return frozenset(constants - ordinals), typed


def _ordinals(node: Any) -> list[int]:
    """Byte offsets of the constants a SortBy node or a GROUP BY list holds directly."""
    items = [node.get("node", {})] if isinstance(node, dict) else node
    return [int(i["A_Const"].get("location", -1)) for i in items if "A_Const" in i]


def _prefix_cast(cast: dict[str, Any]) -> tuple[int, int] | None:
    """``(constant, type name)`` byte offsets of a cast written ``type 'value'``, else None."""
    const = cast.get("arg", {}).get("A_Const")
    type_at = cast.get("typeName", {}).get("location", -1)
    if const is None or type_at < 0:
        return None
    at = int(const.get("location", -1))
    return (at, int(type_at)) if 0 <= type_at < at else None


def _char_map(text: str) -> Any:
    """A function from the parse tree's byte offsets to character offsets of ``text``."""
    if text.isascii():
        return lambda offset: offset
    data = text.encode()
    return lambda offset: len(data[:offset].decode(errors="ignore"))


def substitute(text: str, values: dict[int, str]) -> str:
    """``text`` with its ``$n`` placeholders replaced by ``values[n]`` (SQL literal texts, as
    a server log shows them); placeholders without a value stay."""
    out: list[str] = []
    pos = 0
    for token in parser.scan(text):
        if token.name == "PARAM":
            value = values.get(int(text[token.start + 1 : token.end + 1]))
            if value is not None:
                out += [text[pos : token.start], value]
                pos = token.end + 1
    out.append(text[pos:])
    return "".join(out)


def inner_query(text: str) -> str | None:
    """The query an ``EXPLAIN [ANALYZE ...]`` or ``DECLARE name CURSOR ... FOR`` statement
    wraps, as written (None: not found). ``PREPARE name [(types)] AS query`` too."""
    tokens = parser.scan(text)
    if not tokens:
        return None
    first = tokens[0].name
    if first == "EXPLAIN":
        i = _skip_group(tokens, 1) if len(tokens) > 1 and tokens[1].name == "ASCII_40" else 1
        while i < len(tokens) and tokens[i].name in ("ANALYZE", "ANALYSE", "VERBOSE"):
            i += 1
    else:
        keyword = {"DECLARE": "FOR", "PREPARE": "AS"}.get(first)
        i = next((k + 1 for k, t in enumerate(tokens) if t.name == keyword), len(tokens))
    return text[tokens[i].start :].strip() if i < len(tokens) else None


def _skip_group(tokens: Any, i: int) -> int:
    """The index after the parenthesised group that starts at ``tokens[i]``."""
    depth = 0
    for k in range(i, len(tokens)):
        name = tokens[k].name
        depth += (name == "ASCII_40") - (name == "ASCII_41")
        if depth == 0:
            return k + 1
    return len(tokens)


def placeholders_in(text: str) -> bool:
    """Does ``text`` hold a ``$n`` placeholder (cheap test: a ``$`` followed by a digit, then
    the scanner, so that ``'$1'`` in a string does not count)?"""
    return _PARAM.search(text) is not None and parameter_count(text) > 0
