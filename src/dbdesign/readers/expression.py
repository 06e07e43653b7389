"""The spec's portable expressions: business rules such as ``ends_at > starts_at`` or
``discount <= price``, read by a small parser of their own (never ``eval``), checked against
an entity's fields, rendered in each dialect's SQL and evaluated in Python with SQL's logic.

The grammar (keywords in any case; names are an entity's fields)::

    condition  := conjunct ("or" conjunct)*
    conjunct   := negation ("and" negation)*
    negation   := "not" negation | predicate
    predicate  := sum [ compare | null_test | in_list | between ]
    compare    := ("=" | "<>" | "!=" | "<" | "<=" | ">" | ">=") sum
    null_test  := "is" ["not"] "null"
    in_list    := ["not"] "in" "(" literal ("," literal)* ")"
    between    := ["not"] "between" sum "and" sum
    sum        := product (("+" | "-") product)*
    product    := factor (("*" | "/") factor)*
    factor     := "-" factor | atom
    atom       := number | string | "true" | "false" | name | "(" condition ")"

Strings are in single quotes (``''`` is a quote inside one); numbers are decimal (``10``,
``0.5``); ``/`` divides exactly (``7 / 2`` is 3.5 on every server). A name is an attribute, a
relationship's name on the entity (its reference: ``room``), ``id``, ``created_at`` /
``updated_at`` and the other fields the designer adds. As in SQL, a comparison with a NULL is
unknown, and a rule that is unknown holds: ``ends_at > starts_at`` holds while ``ends_at`` is
NULL (add ``required: true``, or ``ends_at is not null and ...``, to require it).

:func:`parse` reads the text; :func:`check` checks it against the kinds of an entity's fields
(unknown names with a suggestion, comparisons of different kinds, an enum compared with a value
it does not have, ``and`` over something that is not a condition); :func:`render` writes it in
a dialect's SQL; :func:`evaluate` computes it over one row's Python values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from dbdesign.errors import DbdesignError


class ExpressionError(DbdesignError):
    """An expression that cannot be read or does not fit its entity; ``pos`` is the 0-based
    offset in the text of the part that is wrong."""

    def __init__(self, message: str, pos: int = 0) -> None:
        super().__init__(message)
        self.pos = pos


# ---- the tree --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    pos: int


@dataclass(frozen=True, slots=True)
class Name(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: int | Decimal | str | bool


@dataclass(frozen=True, slots=True)
class Negative(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    op: str  # + - * /
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # = <> < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class IsNull(Node):
    operand: Node
    negated: bool  # IS NOT NULL


@dataclass(frozen=True, slots=True)
class InList(Node):
    operand: Node
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class Between(Node):
    operand: Node
    low: Node
    high: Node
    negated: bool


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Logical(Node):
    op: str  # and | or
    operands: tuple[Node, ...]


# ---- reading ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?|\.\d+)"
    r"|(?P<string>'(?:[^']|'')*')"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><>|!=|<=|>=|[=<>+\-*/(),])"
    r"|(?P<bad>\S))"
)
_KEYWORDS = frozenset({"and", "or", "not", "is", "null", "in", "between", "true", "false"})
_COMPARE = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # number string name keyword op end
    text: str
    pos: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:  # only blanks left
            break
        kind, value = m.lastgroup, m.group(m.lastgroup)
        start = m.start(kind)
        if kind == "bad":
            if value == "'":
                raise ExpressionError(
                    "a string is not closed (strings are in 'single quotes')", start
                )
            hint = " (strings are in 'single quotes')" if value == '"' else ""
            raise ExpressionError(f"unexpected character {value!r}{hint}", start)
        if kind == "name" and value.lower() in _KEYWORDS:
            kind, value = "keyword", value.lower()
        out.append(_Tok(kind, value, start))
        pos = m.end()
    out.append(_Tok("end", "", len(text.rstrip())))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def at(self, kind: str, *texts: str) -> bool:
        t = self.tok
        return t.kind == kind and (not texts or t.text in texts)

    def expect(self, kind: str, text: str, what: str) -> _Tok:
        if not self.at(kind, text):
            raise self.error(f"expected {what}")
        return self.take()

    def error(self, message: str) -> ExpressionError:
        t = self.tok
        found = "the end" if t.kind == "end" else repr(t.text)
        return ExpressionError(f"{message}, found {found}", t.pos)

    def parse(self) -> Node:
        if self.at("end"):
            raise ExpressionError("the expression is empty", 0)
        node = self.condition()
        if not self.at("end"):
            raise self.error("expected an operator or the end of the expression")
        return node

    def condition(self) -> Node:
        return self._logical("or", self.conjunct)

    def conjunct(self) -> Node:
        return self._logical("and", self.negation)

    def _logical(self, op: str, part: Callable[[], Node]) -> Node:
        first = part()
        operands = [first]
        while self.at("keyword", op):
            self.take()
            operands.append(part())
        if len(operands) == 1:
            return first
        # (a and b) and c is a and b and c: one flat list, as the server prints it
        flat: list[Node] = []
        for x in operands:
            flat += x.operands if isinstance(x, Logical) and x.op == op else [x]
        return Logical(first.pos, op, tuple(flat))

    def negation(self) -> Node:
        if self.at("keyword", "not"):
            pos = self.take().pos
            return Not(pos, self.negation())
        return self.predicate()

    def predicate(self) -> Node:
        left = self.sum()
        t = self.tok
        if t.kind == "op" and t.text in _COMPARE:
            self.take()
            return Compare(left.pos, _COMPARE[t.text], left, self.sum())
        if self.at("keyword", "is"):
            self.take()
            negated = self.at("keyword", "not")
            if negated:
                self.take()
            self.expect("keyword", "null", "null after 'is' (is null, is not null)")
            return IsNull(left.pos, left, negated)
        negated = self.at("keyword", "not")
        if negated:
            self.take()
            if not self.at("keyword", "in", "between"):
                raise self.error("expected 'in' or 'between' after 'not'")
        if self.at("keyword", "in"):
            self.take()
            return InList(left.pos, left, self._literals(), negated)
        if self.at("keyword", "between"):
            self.take()
            low = self.sum()
            self.expect("keyword", "and", "'and' in 'between ... and ...'")
            return Between(left.pos, left, low, self.sum(), negated)
        return left

    def _literals(self) -> tuple[Literal, ...]:
        self.expect("op", "(", "'(' after 'in'")
        values = [self._literal()]
        while self.at("op", ","):
            self.take()
            values.append(self._literal())
        self.expect("op", ")", "',' or ')' in the list")
        return tuple(values)

    def _literal(self) -> Literal:
        sign = ""
        if self.at("op", "-"):
            self.take()
            sign = "-"
        node = self.atom()
        if not isinstance(node, Literal) or (sign and isinstance(node.value, str | bool)):
            raise ExpressionError("an 'in' list holds constants (numbers, 'strings')", node.pos)
        if sign:
            assert isinstance(node.value, int | Decimal)
            return Literal(node.pos, -node.value)
        return node

    def sum(self) -> Node:
        node = self.product()
        while self.at("op", "+", "-"):
            t = self.take()
            node = Arithmetic(node.pos, t.text, node, self.product())
        return node

    def product(self) -> Node:
        node = self.factor()
        while self.at("op", "*", "/"):
            t = self.take()
            node = Arithmetic(node.pos, t.text, node, self.factor())
        return node

    def factor(self) -> Node:
        if self.at("op", "-"):
            pos = self.take().pos
            operand = self.factor()
            if isinstance(operand, Literal) and isinstance(operand.value, int | Decimal):
                return Literal(pos, -operand.value)
            return Negative(pos, operand)
        return self.atom()

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "number":
            self.take()
            return Literal(t.pos, Decimal(t.text) if "." in t.text else int(t.text))
        if t.kind == "string":
            self.take()
            return Literal(t.pos, t.text[1:-1].replace("''", "'"))
        if t.kind == "keyword" and t.text in ("true", "false"):
            self.take()
            return Literal(t.pos, t.text == "true")
        if t.kind == "name":
            self.take()
            if self.at("op", "("):
                raise ExpressionError(
                    f"no functions in rules ({t.text}(...)): comparisons, arithmetic, and/or/"
                    "not, is null, in and between only",
                    t.pos,
                )
            return Name(t.pos, t.text)
        if self.at("op", "("):
            self.take()
            node = self.condition()
            self.expect("op", ")", "')'")
            return node
        if t.kind == "keyword" and t.text == "null":
            raise ExpressionError(
                "compare with null by 'is null' or 'is not null' (= null is never true)", t.pos
            )
        raise self.error("expected a field name, a number or a 'string'")


def parse(text: str) -> Node:
    """The tree of an expression; an :class:`ExpressionError` says what is wrong and where."""
    return _Parser(text).parse()


def fields(node: Node) -> tuple[str, ...]:
    """The field names an expression reads, in order of first use."""
    out: dict[str, None] = {}

    def walk(n: Node) -> None:
        if isinstance(n, Name):
            out[n.name] = None
        for child in _children(n):
            walk(child)

    walk(node)
    return tuple(out)


def literals(node: Node) -> tuple[Literal, ...]:
    """Every constant in an expression (for the values the proof tries)."""
    out: list[Literal] = []

    def walk(n: Node) -> None:
        if isinstance(n, Literal):
            out.append(n)
        for child in _children(n):
            walk(child)

    walk(node)
    return tuple(out)


def _children(n: Node) -> tuple[Node, ...]:
    if isinstance(n, Negative | Not | IsNull):
        return (n.operand,)
    if isinstance(n, Arithmetic | Compare):
        return (n.left, n.right)
    if isinstance(n, InList):
        return (n.operand, *n.values)
    if isinstance(n, Between):
        return (n.operand, n.low, n.high)
    if isinstance(n, Logical):
        return n.operands
    return ()


# ---- checking against an entity --------------------------------------------------------------

# What a field holds, for the checks: number, text, enum, timestamp, date, time, duration,
# boolean, uuid, reference (a key: = and <> only), and "other" (json, vectors: not in rules).
ORDERED = frozenset({"number", "text", "enum", "timestamp", "date", "time", "duration"})


@dataclass(frozen=True, slots=True)
class FieldKind:
    kind: str
    values: tuple[str, ...] = ()  # enum


def check(node: Node, kinds: Mapping[str, FieldKind]) -> None:
    """Raise :class:`ExpressionError` unless ``node`` is a condition over ``kinds``' fields."""
    k = _kind(node, kinds)
    if k != "boolean":
        raise ExpressionError(
            f"a rule is a condition (a comparison, is null, in, between, and/or/not), not a "
            f"{_said(k)}",
            node.pos,
        )


def check_value(node: Node, kinds: Mapping[str, FieldKind], want: str) -> None:
    """Raise :class:`ExpressionError` unless ``node`` is a value of kind ``want`` ("number",
    "text" ...) over ``kinds``' fields (a generated attribute's expression)."""
    k = _kind(node, kinds)
    if k not in (want, "literal"):
        raise ExpressionError(f"the attribute holds a {_said(want)}, not a {_said(k)}", node.pos)


def _said(k: str) -> str:
    return {"literal": "constant", "reference": "reference"}.get(k, f"{k} value")


def _kind(n: Node, kinds: Mapping[str, FieldKind]) -> str:
    if isinstance(n, Name):
        return _name_kind(n, kinds)
    if isinstance(n, Literal):
        v = n.value
        return "boolean" if isinstance(v, bool) else "text" if isinstance(v, str) else "number"
    if isinstance(n, Negative | Arithmetic):
        for part in _children(n):
            k = _kind(part, kinds)
            if k != "number":
                raise ExpressionError(f"arithmetic works on numbers, not on a {_said(k)}", part.pos)
        return "number"
    if isinstance(n, Compare | IsNull | InList | Between):
        _predicate_kinds(n, kinds)
        return "boolean"
    assert isinstance(n, Not | Logical)
    for part in _children(n):
        k = _kind(part, kinds)
        if k != "boolean":
            raise ExpressionError(f"'{_keyword(n)}' joins conditions, not a {_said(k)}", part.pos)
    return "boolean"


def _name_kind(n: Name, kinds: Mapping[str, FieldKind]) -> str:
    if n.name not in kinds:
        close = difflib.get_close_matches(n.name, list(kinds), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ExpressionError(f"no field {n.name!r}{hint}", n.pos)
    k = kinds[n.name].kind
    if k == "other":
        raise ExpressionError(f"{n.name} cannot be compared in a rule", n.pos)
    return k


def _predicate_kinds(
    n: Compare | IsNull | InList | Between, kinds: Mapping[str, FieldKind]
) -> None:
    """A predicate's sides compare like with like."""
    if isinstance(n, Compare):
        _comparable(n.left, n.right, n.op, kinds)
    elif isinstance(n, IsNull):
        _kind(n.operand, kinds)
    elif isinstance(n, InList):
        for v in n.values:
            _comparable(n.operand, v, "=", kinds)
    else:
        _comparable(n.operand, n.low, "<=", kinds)
        _comparable(n.operand, n.high, "<=", kinds)


def _keyword(n: Node) -> str:
    return "not" if isinstance(n, Not) else n.op if isinstance(n, Logical) else "?"


def _comparable(a: Node, b: Node, op: str, kinds: Mapping[str, FieldKind]) -> None:
    """Whether ``a op b`` compares like with like (a string constant reads as the other side's
    kind: a date, a timestamp, an enum's value)."""
    ka, kb = _kind(a, kinds), _kind(b, kinds)
    if isinstance(b, Literal) and isinstance(b.value, str):
        _string_as(b, a, ka, kinds)
        return
    if isinstance(a, Literal) and isinstance(a.value, str):
        _string_as(a, b, kb, kinds)
        return
    same = {ka, kb} <= {"text", "enum"} or ka == kb
    if not same:
        raise ExpressionError(f"cannot compare a {_said(ka)} with a {_said(kb)}", b.pos)
    if op not in ("=", "<>") and ka not in ORDERED:
        raise ExpressionError(f"a {_said(ka)} is compared with = or <> only", b.pos)


_STRING_FORMS: dict[str, tuple[Callable[[str], object], str]] = {
    "timestamp": (
        lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")),
        "2024-05-01T12:00:00Z",
    ),
    "date": (date.fromisoformat, "2024-05-01"),
    "time": (time.fromisoformat, "12:30:00"),
}


def _string_as(lit: Literal, other: Node, k: str, kinds: Mapping[str, FieldKind]) -> None:
    """A string constant compared with a field of kind ``k``: a valid value of it."""
    value = str(lit.value)
    if k in ("text",):
        return
    if k == "enum":
        assert isinstance(other, Name)
        allowed = kinds[other.name].values
        if value not in allowed:
            close = difflib.get_close_matches(value, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" ({', '.join(allowed)})"
            raise ExpressionError(f"{value!r} is not a value of {other.name}{hint}", lit.pos)
        return
    if k in _STRING_FORMS:
        read, example = _STRING_FORMS[k]
        try:
            read(value)
        except ValueError:
            raise ExpressionError(
                f"{value!r} is not a {k} (write it in ISO 8601: '{example}')", lit.pos
            ) from None
        return
    raise ExpressionError(f"cannot compare a {_said(k)} with a string", lit.pos)


# ---- SQL --------------------------------------------------------------------------------------

# Binding strength: a part that binds less tightly than where it stands is parenthesised.
_OR, _AND, _NOT, _PREDICATE, _SUM, _PRODUCT, _UNARY, _ATOM = range(8)


@dataclass(frozen=True, slots=True)
class Style:
    """How a dialect writes an expression's parts."""

    column: Callable[[str], str]  # a field name -> its column in SQL (NEW.x in a trigger)
    string: Callable[[str], str]  # a string constant
    booleans: tuple[str, str]  # false, true
    divide: Callable[[str, str], str] = lambda a, b: f"{a} / {b}"  # exact division
    # a boolean field standing as a condition (MariaDB stores ``flag`` as ``flag <> 0``)
    truth: Callable[[str], str] = lambda column: column


def render(node: Node, style: Style) -> str:
    """``node`` in SQL (lower-case keywords, parentheses only where they are needed)."""
    return _condition(node, style)[0]


def _condition(n: Node, s: Style) -> tuple[str, int]:
    """A part that stands as a condition: a bare boolean field is written as the style's
    truth test."""
    if isinstance(n, Name):
        text = s.truth(s.column(n.name))
        return text, _ATOM if text == s.column(n.name) else _PREDICATE
    return _render(n, s)


def _wrap(part: tuple[str, int], at: int) -> str:
    text, strength = part
    return f"({text})" if strength < at else text


def _render(n: Node, s: Style) -> tuple[str, int]:
    if isinstance(n, Name):
        return s.column(n.name), _ATOM
    if isinstance(n, Literal):
        return _literal(n.value, s), _ATOM
    if isinstance(n, Negative):
        inner = _render(n.operand, s)
        text = _wrap(inner, _UNARY)
        return "-" + (f"({text})" if text.startswith("-") else text), _UNARY
    if isinstance(n, Arithmetic):
        at = _SUM if n.op in "+-" else _PRODUCT
        left = _wrap(_render(n.left, s), at)
        right = _wrap(_render(n.right, s), at + 1)  # a - (b - c) keeps its parentheses
        if n.op == "/":
            return s.divide(left, right), _PRODUCT
        return f"{left} {n.op} {right}", at
    if isinstance(n, Compare):
        left, right = (_wrap(_render(x, s), _SUM) for x in (n.left, n.right))
        return f"{left} {n.op} {right}", _PREDICATE
    if isinstance(n, IsNull):
        return (
            f"{_wrap(_render(n.operand, s), _SUM)} is {'not ' if n.negated else ''}null",
            _PREDICATE,
        )
    if isinstance(n, InList):
        values = ", ".join(_literal(v.value, s) for v in n.values)
        neg = "not " if n.negated else ""
        return f"{_wrap(_render(n.operand, s), _SUM)} {neg}in ({values})", _PREDICATE
    if isinstance(n, Between):
        a, lo, hi = (_wrap(_render(x, s), _SUM) for x in (n.operand, n.low, n.high))
        return f"{a} {'not ' if n.negated else ''}between {lo} and {hi}", _PREDICATE
    if isinstance(n, Not):
        return "not " + _wrap(_condition(n.operand, s), _NOT), _NOT
    assert isinstance(n, Logical)
    at = _OR if n.op == "or" else _AND
    return f" {n.op} ".join(_wrap(_condition(x, s), at + 1) for x in n.operands), at


def _literal(v: object, s: Style) -> str:
    if isinstance(v, bool):
        return s.booleans[v]
    if isinstance(v, int | Decimal):
        return str(v)
    return s.string(str(v))


# ---- evaluating ------------------------------------------------------------------------------


def evaluate(node: Node, row: Mapping[str, Any]) -> Any:
    """``node`` over one row (field -> Python value), as SQL computes it: NULL (None) in,
    NULL out; ``and``/``or`` in three-valued logic; a string constant compared with a date or
    time read as one. Division by zero raises :class:`ZeroDivisionError` (PostgreSQL refuses
    the row, SQLite makes it NULL: either way no row should rely on it)."""
    return _eval(node, row)


def _eval(n: Node, row: Mapping[str, Any]) -> Any:
    if isinstance(n, Name):
        return row[n.name]
    if isinstance(n, Literal):
        return n.value
    if isinstance(n, Negative):
        v = _eval(n.operand, row)
        return None if v is None else -v
    if isinstance(n, Arithmetic):
        return _arithmetic(n.op, _number(_eval(n.left, row)), _number(_eval(n.right, row)))
    if isinstance(n, Compare):
        return _compare(n.op, _eval(n.left, row), _eval(n.right, row))
    if isinstance(n, IsNull):
        return (_eval(n.operand, row) is None) != n.negated
    if isinstance(n, InList | Between):
        return _membership(n, row)
    if isinstance(n, Not):
        v = _eval(n.operand, row)
        return None if v is None else not v
    assert isinstance(n, Logical)
    values = [_eval(x, row) for x in n.operands]
    return _and(values) if n.op == "and" else _or(values)


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        raise ZeroDivisionError("division by zero")
    return Decimal(a) / Decimal(b)


def _membership(n: InList | Between, row: Mapping[str, Any]) -> Any:
    v = _eval(n.operand, row)
    if isinstance(n, InList):
        if v is None:
            return None
        return any(_compare("=", v, x.value) for x in n.values) != n.negated
    both = _and([_compare(">=", v, _eval(n.low, row)), _compare("<=", v, _eval(n.high, row))])
    return None if both is None else both != n.negated


def _and(values: list[Any]) -> Any:
    if any(v is not None and not v for v in values):
        return False
    return None if any(v is None for v in values) else True


def _or(values: list[Any]) -> Any:
    if any(v is not None and v for v in values):
        return True
    return None if any(v is None for v in values) else False


def _number(v: Any) -> Any:
    if isinstance(v, float):
        return Decimal(repr(v))
    if isinstance(v, bool):
        return int(v)
    return v


def _compare(op: str, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    a, b = _alike(a, b)
    if op == "=":
        return bool(a == b)
    if op == "<>":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def _alike(a: Any, b: Any) -> tuple[Any, Any]:
    """Two values made comparable: a string read as the other side's date or time, numbers
    of any kind as Decimals, an aware and a naive time both in UTC."""
    if isinstance(a, str) and not isinstance(b, str):
        b2, a2 = _alike(b, a)
        return a2, b2
    if isinstance(b, str) and isinstance(a, datetime | date | time):
        b = _read_like(a, b)
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        try:
            return _number(a), _number(b)
        except InvalidOperation:
            return a, b
    if (
        isinstance(a, datetime)
        and isinstance(b, datetime)
        and (a.tzinfo is None) != (b.tzinfo is None)
    ):
        from datetime import UTC

        a = a if a.tzinfo is None else a.astimezone(UTC).replace(tzinfo=None)
        b = b if b.tzinfo is None else b.astimezone(UTC).replace(tzinfo=None)
    return a, b


def _naive_utc(v: datetime) -> datetime:
    return v if v.tzinfo is None else v.astimezone(UTC).replace(tzinfo=None)


def _read_like(sample: Any, text: str) -> Any:
    if isinstance(sample, datetime):
        v = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return v
    if isinstance(sample, date):
        return date.fromisoformat(text[:10])
    return time.fromisoformat(text)
