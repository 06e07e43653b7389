"""datagen writes PostgreSQL's binary COPY format (datagen/copy_binary.py) where it can: each
value must land exactly as its COPY text did. The same internal values go into one table by
COPY text (the generators' ``texts``, as the load wrote before) and into another by binary
COPY; the server must then hold the same rows. And a whole load holds exactly the rows that
``generate()`` yields for the same seed. On embedded PostgreSQL 16 and PostgreSQL 15."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg import sql

from dbdesign import datagen
from dbdesign.databases import bulk_postgres
from dbdesign.datagen.copy_binary import binary_table
from dbdesign.datagen.gen_base import Gen
from dbdesign.datagen.gen_number import BoolGen, FloatGen, IntGen, ScaledGen
from dbdesign.datagen.gen_special import UuidGen
from dbdesign.datagen.gen_time import DateGen, TimestampGen
from dbdesign.datagen.gen_wrap import IDENTITY_TEXT, ChoiceGen
from dbdesign.datagen.types import TypeInfo
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from tests.pgload import load_sql

DAY = 86_400
TEXTS = ["", "plain", "tab\there", "back\\slash", "new\nline\r", "ünïcödé", "日本語", "a,b;c"]

# (column, SQL type, TypeInfo, generator whose text() the load used, internal values)
KINDS: list[tuple[str, str, TypeInfo, Gen, list[Any]]] = [
    ("s", "smallint", TypeInfo("int", "smallint", bits=16), IntGen(-(2**15), 2**15 - 1, None),
     [0, 1, -1, 2**15 - 1, -(2**15), None, 7]),
    ("i", "integer", TypeInfo("int", "integer", bits=32), IntGen(-(2**31), 2**31 - 1, None),
     [2**31 - 1, -(2**31), 5, None, 0, 1, -7]),
    ("b", "bigint", TypeInfo("int", "bigint", bits=64), IntGen(-(2**63), 2**63 - 1, None),
     [2**63 - 1, -(2**63), 0, None, 12, 10**15, -1]),
    ("p", "posint", TypeInfo("int", "posint", bits=32), IntGen(1, 2**31 - 1, None),
     [1, 2, 3, 2**31 - 1, 9, None, 100]),
    ("flag", "boolean", TypeInfo("bool", "boolean"), BoolGen(0.5),
     [True, False, None, True, True, False, False]),
    ("r", "real", TypeInfo("float", "real"), FloatGen(-1e6, 1e6, None, real=True),
     [0.0, 1.5, -2.25, 0.1, 123.4567, None, 3.0e38]),
    ("d", "double precision", TypeInfo("float", "double precision"),
     FloatGen(-1e300, 1e300, None, real=False),
     [0.1, -1e300, 123.4567, None, 5e-324, 2.0**60, -0.0]),
    ("n", "numeric(12,2)", TypeInfo("numeric", "numeric(12,2)", precision=12, scale=2),
     ScaledGen(-(10**12) + 1, 10**12 - 1, None, 2),
     [0, 1, -1, 123456, 10**12 - 1, -(10**12) + 1, None]),
    ("n0", "numeric(10,0)", TypeInfo("numeric", "numeric(10,0)", precision=10, scale=0),
     ScaledGen(-(10**10) + 1, 10**10 - 1, None, 0),
     [0, 7, -9_999_999_999, None, 10_000, 9_999, 10**9]),
    ("n5", "numeric(18,5)", TypeInfo("numeric", "numeric(18,5)", precision=18, scale=5),
     ScaledGen(-(10**18) + 1, 10**18 - 1, None, 5),
     [1, 12_345_678_901_234, -(10**18) + 1, 100_000, None, -5, 99_999]),
    ("n9", "numeric(30,9)", TypeInfo("numeric", "numeric(30,9)", precision=30, scale=9),
     ScaledGen(-(10**30) + 1, 10**30 - 1, None, 9),
     [10**25, -(10**25) + 7, 1, None, 0, 10**29, 123_456_789]),
    ("nn", "numeric", TypeInfo("numeric", "numeric"), ScaledGen(-(10**40), 10**40, None, 2),
     [10**40, -3, None, 0, 250, 10**18, -(10**17)]),
    ("day", "date", TypeInfo("date", "date"), DateGen(-719_162, 2_932_896, None),
     [0, -719_162, 2_932_896, 19_000, None, 10_957, -1]),
    ("ts", "timestamp", TypeInfo("timestamp", "timestamp"),
     TimestampGen(-62_135_596_800, 253_402_300_799, None, tz=False),
     [0, 1_700_000_000, -62_135_596_800, 253_402_300_799, None, 946_684_800, -1]),
    ("tstz", "timestamptz", TypeInfo("timestamptz", "timestamptz"),
     TimestampGen(-62_135_596_800, 253_402_300_799, None, tz=True),
     [0, 1_700_000_000 + DAY - 1, -62_135_596_800, 253_402_300_799, None, 86_399, 1]),
    ("t", "text", TypeInfo("text", "text"), ChoiceGen(TEXTS, IDENTITY_TEXT),
     ["", "tab\there", "back\\slash", "new\nline\r", "ünïcödé", None, "日本語"]),
    ("v", "varchar(8)", TypeInfo("text", "varchar(8)", max_len=8), IDENTITY_TEXT,
     ["a\\b", "", None, "ü", "12345678", "x\ty", "é日"]),
    ("c", "char(3)", TypeInfo("text", "char(3)", max_len=3, fixed=True), IDENTITY_TEXT,
     ["abc", "a", None, "é", "", "xy", "z"]),
    ("m", "mood", TypeInfo("enum", "mood", labels=("sad", "ok", "so so")),
     ChoiceGen(["sad", "ok", "so so"], IDENTITY_TEXT),
     ["ok", "sad", None, "so so", "ok", "ok", "sad"]),
    ("u", "uuid", TypeInfo("uuid", "uuid"), UuidGen(),
     ["00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", None,
      "0123abcd-4567-89ef-0123-456789abcdef", "a0a0a0a0-b1b1-c2c2-d3d3-e4e4e4e4e4e4",
      "12345678-1234-1234-1234-123456789012", "deadbeef-0000-4000-8000-00000000cafe"]),
]  # fmt: skip

SCHEMA = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'so so');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE by_text (k integer, {columns});
CREATE TABLE by_binary (k integer, {columns});
"""


def _copy_text(conn: Any, columns: list[str], texts: list[list[str]]) -> None:
    with bulk_postgres.copy_rows(conn, "public", "by_text", columns) as write:
        write(texts, len(texts[0]))


def _rows(conn: Any, table: str) -> list[tuple[Any, ...]]:
    q = sql.SQL("SELECT * FROM {} ORDER BY k").format(sql.Identifier(table))
    return conn.execute(q).fetchall()  # type: ignore[no-any-return]


@pytest.mark.parametrize("nulls", ["some NULLs", "no NULL"])
def test_binary_copy_lands_as_copy_text_did(pg_scratch: str, nulls: str) -> None:
    """Every kind written in binary (numbers at their extremes, numerics beyond 64 bits,
    dates and timestamps at year 1 and 9999, text with tabs, backslashes, line breaks and
    multi-byte characters, enums, uuids, a domain) holds what COPY text wrote; with NULLs the
    fixed-width columns leave the numpy record, without them they stay in it."""
    columns = ", ".join(f"{name} {typ}" for name, typ, *_ in KINDS)
    load_sql(pg_scratch, SCHEMA.format(columns=columns))
    n = len(KINDS[0][4])
    values: dict[str, list[Any]] = {"k": list(range(n))}
    for name, _, _, _, vals in KINDS:
        assert len(vals) == n
        values[name] = vals if nulls == "some NULLs" else [v for v in vals if v is not None] * 2
    n = len(values["s"]) if nulls == "some NULLs" else min(len(v) for v in values.values())
    values = {c: v[:n] for c, v in values.items()}
    names = ["k", *(name for name, *_ in KINDS)]
    gens: dict[str, Gen] = {"k": IntGen(0, 100, None)}
    infos = {"k": TypeInfo("int", "integer", bits=32)}
    for name, _, info, gen, _ in KINDS:
        gens[name], infos[name] = gen, info
    form = binary_table([(c, infos[c], gens[c], c != "i") for c in names])
    assert form is not None
    assert sorted(form.columns) == sorted(names)
    with connect(pg_scratch) as conn:
        _copy_text(conn, names, [gens[c].texts(values[c]) for c in names])
        with bulk_postgres.copy_binary(conn, "public", "by_binary", form.columns) as write:
            write(form.rows(values, n))
        text_rows, binary_rows = _rows(conn, "by_text"), _rows(conn, "by_binary")
    assert len(text_rows) == n
    assert binary_rows == text_rows


def test_money_and_arrays_are_written_as_text() -> None:
    """money's binary form depends on the server's lc_monetary; arrays have none here: a table
    with either is written as COPY text."""
    text = TypeInfo("text", "text")
    assert binary_table([("a", text, IDENTITY_TEXT, True)]) is not None
    money = TypeInfo("money", "money")
    assert (
        binary_table([("a", text, IDENTITY_TEXT, True), ("m", money, IDENTITY_TEXT, True)]) is None
    )
    array = TypeInfo("array", "integer[]", element=TypeInfo("int", "integer", bits=32))
    assert binary_table([("x", array, IDENTITY_TEXT, True)]) is None


STORE = """
CREATE TYPE status AS ENUM ('new', 'paid', 'gone');
CREATE TABLE customer (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    born date,
    score double precision,
    vip boolean NOT NULL,
    token uuid NOT NULL
);
CREATE TABLE purchase (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint REFERENCES customer,
    status status NOT NULL,
    total numeric(12,2) NOT NULL CHECK (total >= 0),
    weight double precision,
    placed_at timestamptz NOT NULL,
    seen_at timestamp,
    qty smallint NOT NULL CHECK (qty BETWEEN 1 AND 99),
    note varchar(40)
);
"""


def test_a_load_holds_the_generated_rows(pg_scratch: str) -> None:
    """A load (binary COPY for these tables) holds exactly the rows ``generate()`` yields for
    the same seed, NULLs and all."""
    load_sql(pg_scratch, STORE)
    schema = read_catalog(pg_scratch)
    rows = {"public.customer": 3000, "public.purchase": 7000}
    datagen.load(pg_scratch, schema, rows, seed=11, analyze=False)
    with connect(pg_scratch) as conn:
        for table, columns, made in _generated(schema, rows, seed=11):
            q = sql.SQL("SELECT {} FROM {} ORDER BY id").format(
                sql.SQL(", ").join(map(sql.Identifier, columns)),
                sql.Identifier(*table.split(".")),
            )
            held = conn.execute(q).fetchall()
            assert len(held) == len(made)
            assert held == made, table


def _generated(schema: Any, rows: dict[str, int], seed: int) -> list[Any]:
    out: dict[str, tuple[tuple[str, ...], list[Any]]] = {}
    for b in datagen.generate(schema, rows, seed=seed):
        _, got = out.setdefault(b.table, (b.columns, []))
        got.extend(b.rows)
    return [
        (t, cols, sorted(got, key=lambda r: r[cols.index("id")])) for t, (cols, got) in out.items()
    ]
