"""MySQL / MariaDB in the generator: the server's types and ranges, checks in MySQL syntax, and
the SQL literals the loader writes."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from dbdesign.datagen import checks
from dbdesign.datagen.checks import Atom, Const
from dbdesign.datagen.load import mysql_literals
from dbdesign.datagen.plan import build
from dbdesign.datagen.types import resolve
from dbdesign.datagen.values import Cons, make_gen
from dbdesign.errors import UnsupportedError
from dbdesign.readers.ddl.mysql import read_ddl

DAY = 86_400


def info(ddl_type: str):  # type: ignore[no-untyped-def]
    s = read_ddl(f"CREATE TABLE t (c {ddl_type});")
    return resolve(s.tables["main.t"].columns[0].type, s)


@pytest.mark.parametrize(
    ("ddl_type", "kind", "limits"),
    [
        ("tinyint", "int", (-128, 127)),
        ("tinyint unsigned", "int", (0, 255)),
        ("mediumint", "int", (-(2**23), 2**23 - 1)),
        ("int unsigned", "int", (0, 2**32 - 1)),
        ("bigint", "int", (-(2**63), 2**63 - 1)),
        ("year", "int", (1901, 2155)),
        ("decimal(5,2) unsigned", "numeric", (0, 99_999)),
        ("date", "date", ((date(1000, 1, 1) - date(1970, 1, 1)).days, 2_932_896)),
        (
            "timestamp",
            "timestamp",
            (DAY, (datetime(2038, 1, 18) - datetime(1970, 1, 1)).days * DAY),
        ),
    ],
)
def test_integer_and_temporal_ranges(ddl_type: str, kind: str, limits: tuple[int, int]) -> None:
    i = info(ddl_type)
    assert (i.kind, i.limits) == (kind, limits)


@pytest.mark.parametrize(
    ("ddl_type", "kind", "max_len", "fixed"),
    [
        ("tinyint(1)", "bool", None, False),
        ("boolean", "bool", None, False),
        ("varchar(40)", "text", 40, False),
        ("char(2)", "text", 2, True),
        ("tinytext", "text", 255, False),
        ("text", "text", None, False),
        ("datetime(6)", "timestamp", None, False),
        ("time", "time", None, False),
        ("json", "json", None, False),
        ("binary(16)", "bytea", 16, True),
        ("varbinary(4)", "bytea", 4, False),
        ("blob", "bytea", None, False),
        ("bit(4)", "bit", 4, True),
        ("double", "float", None, False),
        ("geometry", "unknown", None, False),
    ],
)
def test_type_kinds(ddl_type: str, kind: str, max_len: int | None, fixed: bool) -> None:
    i = info(ddl_type)
    assert (i.kind, i.max_len, i.fixed) == (kind, max_len, fixed)


def test_enum_and_set_labels_are_unquoted() -> None:
    assert info("enum('a', 'it''s', 'b\\\\c')").labels == ("a", "it's", "b\\c")
    assert info("set('x','y')").kind == "enum"


MYSQL_CASES = [
    ("char_length(`key`) >= 1", [Atom("len", "key", ">=", 1)]),
    ("country regexp '(?-i)^[A-Z]{2}$'", [Atom("match", "country", value="^[A-Z]{2}$")]),
    ("code rlike '(?i)^ab'", [Atom("match", "code", value="^ab", icase=True)]),
    ("status in ('a', 'b')", [Atom("in", "status", value=("a", "b"))]),
    ("q between 1 and 5", [Atom("cmp", "q", ">=", Const(1)), Atom("cmp", "q", "<=", Const(5))]),
    ("sku like 'SKU-%'", [Atom("match", "sku", value="SKU-%", like=True)]),
]


@pytest.mark.parametrize(("text", "want"), MYSQL_CASES, ids=[c[0] for c in MYSQL_CASES])
def test_mysql_checks(text: str, want: list[Atom]) -> None:
    assert checks.atoms(text, "mysql") == want


def test_address_tests_become_regexes_that_draw_valid_addresses() -> None:
    (atom,) = checks.atoms("ip is null or is_ipv4(ip) or is_ipv6(ip)", "mysql")
    assert atom.kind == "match" and atom.column == "ip"
    import ipaddress

    from dbdesign.datagen.xeger import Xeger, compile_pattern

    draw = Xeger(compile_pattern(atom.value))
    rng = random.Random(1)
    for _ in range(200):
        ipaddress.IPv4Address(draw(rng))  # raises on an invalid address
    (v6,) = checks.atoms("is_ipv6(a)", "mysql")
    ipaddress.IPv6Address(Xeger(compile_pattern(v6.value))(rng))


def test_live_marker_is_left_out_of_a_unique_key() -> None:
    # MySQL's soft-delete unique key ends with a generated column whose values repeat: the
    # other columns are made unique instead (which keeps the whole key unique).
    s = read_ddl(
        "CREATE TABLE t (id int PRIMARY KEY, slug varchar(20) NOT NULL, d datetime NULL,"
        " live tinyint GENERATED ALWAYS AS (if(d is null, 1, null)) STORED,"
        " UNIQUE KEY u (slug, live));"
    )
    tp = build(s, {"*": 500}, seed=1).tables["main.t"]
    slugs = [v for _s, b in tp.batches(500) for v in b["slug"]]
    assert len(set(slugs)) == 500
    only = read_ddl(
        "CREATE TABLE t (id int PRIMARY KEY, d datetime NULL,"
        " live tinyint GENERATED ALWAYS AS (if(d is null, 1, null)) STORED, UNIQUE KEY u (live));"
    )
    with pytest.raises(UnsupportedError, match="generated column live"):
        build(only, {"*": 5})


def literals(ddl_type: str, values: list[object]) -> list[str]:
    i = info(ddl_type)
    return mysql_literals(i, make_gen(i, Cons(), "c", skew=None), values)


def test_literals() -> None:
    assert literals("int", [1, None, -3]) == ["1", "NULL", "-3"]
    assert literals("boolean", [True, False, None]) == ["1", "0", "NULL"]
    assert literals("decimal(10,2)", [12345, -5, None]) == ["123.45", "-0.05", "NULL"]
    assert literals("date", [0, None]) == ["'1970-01-01'", "NULL"]
    assert literals("datetime(6)", [DAY + 61]) == ["'1970-01-02 00:01:01'"]
    assert literals("time", [3661]) == ["'01:01:01'"]
    assert literals("varchar(20)", ["it's", "a\\b", "x\ny", None]) == [
        "'it\\'s'",
        "'a\\\\b'",
        "'x\\ny'",
        "NULL",
    ]
    assert literals("binary(2)", [b"\x00\xff"]) == ["X'00ff'"]
    assert literals("bit(4)", ["1010"]) == ["b'1010'"]
    assert literals("json", [{"a": 1}]) == ["'{\"a\": 1}'"]
