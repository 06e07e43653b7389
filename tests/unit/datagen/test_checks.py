"""Check expressions as the generator reads them, regex inversion, row specs and name hints."""

from __future__ import annotations

import random
import re

import pytest

from dbdesign.datagen import checks
from dbdesign.datagen.checks import Atom, CheckUnsupported, Const
from dbdesign.datagen.plan import resolve_rows
from dbdesign.datagen.values import text_hint
from dbdesign.datagen.xeger import Xeger, compile_pattern, like_to_regex, translate_regex
from dbdesign.errors import ConfigError
from dbdesign.readers.ddl.postgres import read_ddl

CASES = [
    ("a > 0", [Atom("cmp", "a", ">", Const(0))]),
    ("-5 < a", [Atom("cmp", "a", ">", Const(-5))]),
    ("a BETWEEN 1 AND 5", [Atom("cmp", "a", ">=", Const(1)), Atom("cmp", "a", "<=", Const(5))]),
    ("price > 0::numeric", [Atom("cmp", "price", ">", Const(0, "numeric"))]),
    ("status IN ('a', 'b')", [Atom("in", "status", value=("a", "b"))]),
    (
        "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
        [Atom("in", "status", value=("a", "b"))],
    ),
    ("s <> ALL (ARRAY['x'])", [Atom("notin", "s", value=("x",))]),
    ("length(name) <= 40", [Atom("len", "name", "<=", 40)]),
    ("char_length(btrim(name)) > 0", [Atom("len", "name", ">", 0)]),
    ("length(c) BETWEEN 2 AND 9", [Atom("len", "c", ">=", 2), Atom("len", "c", "<=", 9)]),
    ("cardinality(tags) <= 3", [Atom("card", "tags", "<=", 3)]),
    ("email ~* '^[a-z]+@x$'", [Atom("match", "email", value="^[a-z]+@x$", icase=True)]),
    ("code LIKE 'INV-%'", [Atom("match", "code", value="INV-%", like=True)]),
    ("lower(e) ~ '^a'", [Atom("match", "e", value="^a", fn="lower")]),
    ("a < b", [Atom("colcmp", "a", "<", other="b")]),
    ("x IS NULL OR x > 2", [Atom("cmp", "x", ">", Const(2))]),
    ("x IS NULL OR f(x)", [Atom("isnull", "x")]),
    ("NOT (a = 1)", [Atom("cmp", "a", "<>", Const(1))]),
    ("a IS NOT NULL AND a <> ''", [Atom("notnull", "a"), Atom("cmp", "a", "<>", Const(""))]),
    ("VALUE >= 1901", [Atom("cmp", "value", ">=", Const(1901))]),
    (
        "d >= '2007-01-01'::timestamp",
        [Atom("cmp", "d", ">=", Const("2007-01-01", "timestamp"))],
    ),
]


@pytest.mark.parametrize(("text", "want"), CASES, ids=[c[0] for c in CASES])
def test_atoms(text: str, want: list[Atom]) -> None:
    assert checks.atoms(text) == want


@pytest.mark.parametrize(
    "text",
    [
        "f(a) > 0",
        "a + b > 0",
        "upper(c) = c",
        "NOT (a > 0 AND b > 0)",
        "a NOT BETWEEN 1 AND 2",
        "x SIMILAR TO 'a%'",
        "coalesce(a, 0) > 1",
    ],
)
def test_unsupported_forms(text: str) -> None:
    with pytest.raises(CheckUnsupported):
        checks.atoms(text)


def test_sqlite_expressions_are_read_as_postgres() -> None:
    assert checks.atoms("rating in ('G','PG')", "sqlite") == [
        Atom("in", "rating", value=("G", "PG"))
    ]


def test_unique_expressions() -> None:
    assert checks.unique_refs("lower(email)") == {"email"}
    assert checks.unique_refs("(a || '-') || b") == {"a", "b"}
    with pytest.raises(CheckUnsupported, match="length"):
        checks.unique_refs("length(x)")


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{3}-\d{4}$",
        r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
        r"^(red|green|blue)(-[0-9]+)?$",
        r"^[^@\s]+@[^@\s]+$",
        r"ab+c",
        r"^[[:upper:]][[:digit:]]$",
    ],
)
def test_xeger_matches(pattern: str) -> None:
    rx = compile_pattern(translate_regex(pattern))
    x = Xeger(rx)
    rng = random.Random(1)
    for _ in range(200):
        s = x(rng)
        assert rx.search(s), (pattern, s)


def test_like_patterns() -> None:
    assert like_to_regex("INV-%") == "^INV\\-.*$"
    rx = compile_pattern(like_to_regex("a_c%"))
    assert rx.search("abcxyz") and not rx.search("ac")
    assert re.fullmatch(like_to_regex(r"50\%"), "50%")


def test_rows_specs() -> None:
    s = read_ddl(
        "CREATE SCHEMA app; CREATE TABLE a (x int); CREATE TABLE app.a (x int);"
        "CREATE TABLE app.b (x int); CREATE TABLE p (d date) PARTITION BY RANGE (d);"
        "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');"
    )
    assert resolve_rows(s, {"*": 5, "app.*": 7, "public.a": 1}) == {
        "public.a": 1,
        "app.a": 7,
        "app.b": 7,
        "public.p": 5,
    }
    assert resolve_rows(s, {"b": 3}) == {"app.b": 3}
    with pytest.raises(ConfigError, match="ambiguous"):
        resolve_rows(s, {"a": 3})
    with pytest.raises(ConfigError, match="no table"):
        resolve_rows(s, {"zzz": 3})
    with pytest.raises(ConfigError, match=">= 0"):
        resolve_rows(s, {"*": -1})


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("email", "email"),
        ("customerEmail", "email"),
        ("first_name", "first"),
        ("Phone", "phone"),
        ("website_url", "url"),
        ("country_code", "country2"),
        ("status", "status"),
        ("description", "sentence"),
        ("sku", "code"),
        ("foo", "words"),
        ("created_at", "datetime"),
        ("timestamp", "datetime"),
        ("birth_date", "date"),
        ("format", "words"),  # near miss: "at" only as a word of its own
        ("update_time", "words"),
    ],
)
def test_name_hints(name: str, hint: str) -> None:
    assert text_hint(name) == hint
