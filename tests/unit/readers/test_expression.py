"""The spec's portable rule expressions: parsed by their own parser, checked against an
entity's fields, rendered per dialect, evaluated with SQL's three-valued logic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from dbdesign.readers import expression as X
from dbdesign.readers.expression import FieldKind, Style

PLAIN = Style(
    column=lambda n: n, string=lambda v: "'" + v.replace("'", "''") + "'", booleans=("0", "1")
)

# (text, rendered: canonical spacing, parentheses only where needed)
ROUND_TRIPS = [
    ("ends_at > starts_at", "ends_at > starts_at"),
    ("discount<=price", "discount <= price"),
    ("a - (b - c) > 0", "a - (b - c) > 0"),
    ("(a - b) - c > 0", "a - b - c > 0"),
    ("a / (b * c) >= 1", "a / (b * c) >= 1"),
    ("NOT (a > 1 AND b < 2) OR c IS NOT NULL", "not (a > 1 and b < 2) or c is not null"),
    ("(a > 1 or b > 1) and c > 1", "(a > 1 or b > 1) and c > 1"),
    ("status in ('open', 'done')", "status in ('open', 'done')"),
    ("x between 1 and 2 and y not in (1, -2)", "x between 1 and 2 and y not in (1, -2)"),
    ("- -x > 1", "-(-x) > 1"),
    ("-(a + b) * 2 >= 3 / (4 - a)", "-(a + b) * 2 >= 3 / (4 - a)"),
    ("y = 'it''s' or flag = true", "y = 'it''s' or flag = 1"),
    ("x != 0.50", "x <> 0.50"),
]


@pytest.mark.parametrize("text,sql", ROUND_TRIPS)
def test_parse_and_render(text: str, sql: str) -> None:
    node = X.parse(text)
    assert X.render(node, PLAIN) == sql
    assert X.parse(sql) == X.parse(X.render(X.parse(sql), PLAIN))  # stable


# (text, message fragment, 0-based position of the wrong part)
BAD_SYNTAX = [
    ("", "the expression is empty", 0),
    ("   ", "the expression is empty", 0),
    ("a >", "expected a field name, a number or a 'string', found the end", 3),
    ("a > b c", "expected an operator or the end of the expression, found 'c'", 6),
    ("lower(x) = 'a'", "no functions in rules (lower(...))", 0),
    ("a = null", "compare with null by 'is null'", 4),
    ("x = 'abc", "a string is not closed", 4),
    ('a = "x"', "unexpected character '\"' (strings are in 'single quotes')", 4),
    ("a in (b)", "an 'in' list holds constants", 6),
    ("a in 1", "expected '(' after 'in'", 5),
    ("a > 1 and", "found the end", 9),
    ("(a > 1", "expected ')', found the end", 6),
    ("a # 1", "unexpected character '#'", 2),
    ("a is nul", "expected null after 'is'", 5),
    ("a not like 'x'", "expected 'in' or 'between' after 'not'", 6),
    ("a between 1 or 2", "'and' in 'between ... and ...'", 12),
]


@pytest.mark.parametrize("text,message,pos", BAD_SYNTAX, ids=[b[0] or "empty" for b in BAD_SYNTAX])
def test_bad_syntax_says_what_and_where(text: str, message: str, pos: int) -> None:
    with pytest.raises(X.ExpressionError) as e:
        X.parse(text)
    assert message in e.value.message
    assert e.value.pos == pos


KINDS = {
    "starts_at": FieldKind("timestamp"),
    "ends_at": FieldKind("timestamp"),
    "due_on": FieldKind("date"),
    "price": FieldKind("number"),
    "discount": FieldKind("number"),
    "status": FieldKind("enum", ("open", "done")),
    "title": FieldKind("text"),
    "room": FieldKind("reference"),
    "other_room": FieldKind("reference"),
    "paid": FieldKind("boolean"),
    "details": FieldKind("other"),
}

GOOD = [
    "ends_at > starts_at",
    "discount <= price * 0.5 and price - discount >= 0",
    "status = 'open' or ends_at is not null",
    "status in ('open', 'done')",
    "starts_at >= '2024-01-01T00:00:00Z'",
    "due_on between '2024-01-01' and '2030-12-31'",
    "room <> other_room",
    "paid or price = 0",
    "not paid",
    "title <> 'x' and title = status",
]


@pytest.mark.parametrize("text", GOOD)
def test_well_formed_rules_pass_the_check(text: str) -> None:
    X.check(X.parse(text), KINDS)


BAD_KINDS = [
    ("strats_at < ends_at", "no field 'strats_at' (did you mean 'starts_at'?)", 0),
    ("ends_at > price", "cannot compare a timestamp value with a number value", 10),
    ("status = 'opn'", "'opn' is not a value of status (did you mean 'open'?)", 9),
    ("status in ('open', 'closed')", "'closed' is not a value of status (open, done)", 19),
    ("starts_at > '2024-13-01'", "'2024-13-01' is not a timestamp (write it in ISO 8601", 12),
    ("due_on < 'soon'", "'soon' is not a date", 9),
    ("price + 1", "a rule is a condition", 0),
    ("price", "a rule is a condition", 0),
    ("room > other_room", "a reference is compared with = or <> only", 7),
    ("price and paid", "'and' joins conditions, not a number value", 0),
    ("not price", "'not' joins conditions", 4),
    ("title * 2 > 1", "arithmetic works on numbers, not on a text value", 0),
    ("details is null", "details cannot be compared in a rule", 0),
    ("room = 'a'", "cannot compare a reference with a string", 7),
]


@pytest.mark.parametrize("text,message,pos", BAD_KINDS, ids=[b[0] for b in BAD_KINDS])
def test_rules_that_do_not_fit_the_entity(text: str, message: str, pos: int) -> None:
    with pytest.raises(X.ExpressionError) as e:
        X.check(X.parse(text), KINDS)
    assert message in e.value.message
    assert e.value.pos == pos


def test_fields_and_literals() -> None:
    node = X.parse("a + b > c and a in (1, 'x')")
    assert X.fields(node) == ("a", "b", "c")
    assert [lit.value for lit in X.literals(node)] == [1, "x"]


def _ev(text: str, **row: object) -> object:
    return X.evaluate(X.parse(text), row)


def test_evaluation_follows_sql() -> None:
    t1, t2 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    assert _ev("ends_at > starts_at", ends_at=t2, starts_at=t1) is True
    assert _ev("ends_at > starts_at", ends_at=t1, starts_at=t1) is False
    assert _ev("ends_at > starts_at", ends_at=None, starts_at=t1) is None  # unknown: holds
    assert _ev("e > s or x = 1", e=None, s=t1, x=1) is True
    assert _ev("e > s and x = 1", e=None, s=t1, x=2) is False
    assert _ev("not (e > s)", e=None, s=t1) is None
    assert _ev("e is null", e=None) is True
    assert _ev("7 / 2 = 3.5") is True  # exact division everywhere
    assert _ev("p * 2 <= q", p=Decimal("1.25"), q=2.5) is True
    assert _ev("s >= '2024-01-01T00:00:00Z'", s=t1) is True
    assert _ev("s >= '2024-01-02'", s=date(2024, 1, 1)) is False
    assert _ev("n between 1 and 3", n=2) is True
    assert _ev("n not between 1 and 3", n=None) is None
    assert _ev("k in ('a', 'b')", k="b") is True
    assert _ev("k not in ('a', 'b')", k="c") is True
    with pytest.raises(ZeroDivisionError):
        _ev("a / b > 1", a=1, b=0)
