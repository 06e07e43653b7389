"""Unique keys of one table that share columns none of which can be made unique alone (small
enums, booleans): every generated row keeps every key at once (NULLS NOT DISTINCT: a NULL
counts as a value), or the plan is refused with a capacity error naming the key that allows
fewest rows, and asking for that many then works.

The generator made the first such key unique and took the next for kept as soon as its
columns were among those already combined: ``PRIMARY KEY (e, flag)`` and ``UNIQUE (flag, f)``
got rows repeating ``(flag, f)`` (found by tests/integration/test_datagen.py::
test_random_schemas_load on CI; the load on PostgreSQL is
tests/integration/test_datagen_overlapping_keys.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dbdesign import datagen
from dbdesign.datagen import CapacityError
from dbdesign.datagen.generate import table_batches
from dbdesign.datagen.joint import JointKeys
from dbdesign.model import Schema
from dbdesign.readers.ddl.postgres import read_ddl

ENUMS = """
CREATE TYPE e2 AS ENUM ('p', 'q');
CREATE TYPE e3 AS ENUM ('x', 'y', 'z');
CREATE TYPE e4 AS ENUM ('it''s', 'a', 'a0', 'A');
"""

Key = tuple[tuple[str, ...], bool]  # columns, NULLS NOT DISTINCT


def keys_of(schema: Schema, key: str) -> list[Key]:
    t = schema.tables[key]
    keys: list[Key] = [(t.primary_key.columns, True)] if t.primary_key else []
    keys += [(u.columns, u.nulls_not_distinct) for u in t.uniques.values()]
    for ix in schema.indexes_on(key):
        if ix.unique and all(e.column is not None for e in ix.elements):
            keys.append((tuple(e.column for e in ix.elements), ix.nulls_not_distinct))  # type: ignore[misc]
    return keys


def rows_of(schema: Schema, rows: dict[str, int], seed: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in schema.tables}
    for b in datagen.generate(schema, rows, seed=seed):
        out[b.table].extend(dict(zip(b.columns, r, strict=True)) for r in b.rows)
    return out


def assert_keys_hold(schema: Schema, data: dict[str, list[dict[str, Any]]]) -> None:
    """As the server checks them: a key with a NULL repeats only under NULLS NOT DISTINCT."""
    for key, rows in data.items():
        for cols, nnd in keys_of(schema, key):
            vals = [tuple(r.get(c) for c in cols) for r in rows]
            if not nnd:
                vals = [v for v in vals if None not in v]
            assert len(vals) == len(set(vals)), f"{key} ({', '.join(cols)}) repeats"


def load_what_fits(schema: Schema, rows: dict[str, int], seed: int) -> dict[str, int]:
    """Generate ``rows``, lowering a table to what its keys allow when told (as the random
    PostgreSQL test does); the keys then hold."""
    for _ in range(len(rows) + 1):
        try:
            data = rows_of(schema, rows, seed)
        except CapacityError as e:
            assert e.limit < rows[e.table], str(e)
            rows[e.table] = e.limit
            continue
        assert {k: len(v) for k, v in data.items()} == {k: rows.get(k, 0) for k in schema.tables}
        assert_keys_hold(schema, data)
        return rows
    raise AssertionError(f"capacity errors did not settle: {rows}")


# --------------------------------------------------------------------------- shapes

# (name, table body, rows every key allows together, the key that allows fewest)
SHAPES = [
    (
        "the CI failure: keys sharing a boolean, NULLS NOT DISTINCT",
        '"Ncg5 2" e4 NOT NULL, "1st" boolean NOT NULL, sfaz e3, '
        'CONSTRAINT t_pkey PRIMARY KEY ("Ncg5 2", "1st"), '
        'CONSTRAINT t_u1 UNIQUE NULLS NOT DISTINCT ("1st", sfaz) DEFERRABLE, '
        'CONSTRAINT t_u2 UNIQUE ("1st", "Ncg5 2")',
        6,
        "t_u1",
    ),
    (
        "two keys sharing an enum",
        "a e4 NOT NULL, b e3 NOT NULL, c e2 NOT NULL, "
        "CONSTRAINT t_pkey PRIMARY KEY (a, b), CONSTRAINT t_bc UNIQUE (b, c)",
        6,
        "t_bc",
    ),
    (
        "a Latin square: three keys over three columns",
        "a e3 NOT NULL, b e3 NOT NULL, c e3 NOT NULL, "
        "CONSTRAINT t_pkey PRIMARY KEY (a, b), CONSTRAINT t_ac UNIQUE (a, c), "
        "CONSTRAINT t_bc UNIQUE (b, c)",
        9,
        "t_pkey",
    ),
    (
        "a chain of keys: (a, b), (b, c), (c, d)",
        "a e4 NOT NULL, b e2 NOT NULL, c e4 NOT NULL, d e3 NOT NULL, "
        "CONSTRAINT t_ab UNIQUE (a, b), CONSTRAINT t_bc UNIQUE (b, c), "
        "CONSTRAINT t_cd UNIQUE (c, d)",
        8,
        "t_ab",
    ),
    (
        "a unique index of three columns over two keys' columns",
        "a e2 NOT NULL, b e3 NOT NULL, c boolean NOT NULL, d e4 NOT NULL, "
        "CONSTRAINT t_pkey PRIMARY KEY (a, c), CONSTRAINT t_bd UNIQUE (b, d)"
        "); CREATE UNIQUE INDEX t_abd ON t (a, b, d",
        4,
        "t_pkey",
    ),
]


@pytest.mark.parametrize(("name", "body", "fits", "tightest"), SHAPES, ids=[s[0] for s in SHAPES])
def test_shapes_keep_every_key(name: str, body: str, fits: int, tightest: str) -> None:
    schema = read_ddl(f"{ENUMS}CREATE TABLE t ({body});")
    with pytest.raises(CapacityError) as e:
        rows_of(schema, {"public.t": fits + 1}, seed=3)
    assert (e.value.table, e.value.limit) == ("public.t", fits)
    assert f"{tightest} (" in str(e.value) and f"allows only {fits} " in str(e.value)
    for seed in range(20):
        for n in (1, fits // 2, fits):
            data = rows_of(schema, {"public.t": n}, seed)
            assert len(data["public.t"]) == n
            assert_keys_hold(schema, data)


def test_same_seed_same_rows_and_fewer_rows_are_the_first() -> None:
    schema = read_ddl(f"{ENUMS}CREATE TABLE t ({SHAPES[2][1]});")
    nine = rows_of(schema, {"public.t": 9}, seed=8)["public.t"]
    assert rows_of(schema, {"public.t": 9}, seed=8)["public.t"] == nine
    assert rows_of(schema, {"public.t": 5}, seed=8)["public.t"] == nine[:5]


def test_keys_that_cannot_all_hold_are_refused_with_what_was_found() -> None:
    """Four columns of six labels, every pair a key: two orthogonal Latin squares of order 6,
    which do not exist; the count the error gives is then generated."""
    six = "CREATE TYPE e6 AS ENUM ('1', '2', '3', '4', '5', '6');"
    pairs = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    body = "a e6 NOT NULL, b e6 NOT NULL, c e6 NOT NULL, d e6 NOT NULL, " + ", ".join(
        f"CONSTRAINT t_{x}{y} UNIQUE ({x}, {y})" for x, y in pairs
    )
    schema = read_ddl(f"{six}CREATE TABLE t ({body});")
    with pytest.raises(CapacityError) as e:
        rows_of(schema, {"public.t": 36}, seed=1)
    assert "together allow only" in str(e.value)
    assert "t_ab (a, b) alone allows 36" in str(e.value)
    assert 20 < e.value.limit < 36
    data = rows_of(schema, {"public.t": e.value.limit}, seed=1)
    assert len(data["public.t"]) == e.value.limit
    assert_keys_hold(schema, data)


def test_a_foreign_key_in_keys_that_share_a_column() -> None:
    schema = read_ddl(
        f"{ENUMS}CREATE TABLE p (id integer PRIMARY KEY);\n"
        "CREATE TABLE t (p_id integer NOT NULL REFERENCES p, flag boolean NOT NULL, k e3 NOT NULL,"
        " PRIMARY KEY (p_id, flag), UNIQUE (flag, k));"
    )
    load_what_fits(schema, {"public.p": 2, "public.t": 4}, seed=2)
    with pytest.raises(CapacityError, match=r"t_flag_k_key \(flag, k\) allows only 6"):
        rows_of(schema, {"public.p": 5, "public.t": 7}, seed=2)
    assert load_what_fits(schema, {"public.p": 5, "public.t": 10}, seed=2)["public.t"] == 6


def test_keys_already_in_the_table_are_avoided() -> None:
    class Have:  # one row in the table: ('a', true, 'x')
        def count(self, table: str) -> int:
            return 1 if table == "public.t" else 0

        def max(self, table: str, column: str) -> int | None:
            return None

        def keys(self, table: str, columns: tuple[str, ...]) -> list[Any]:
            row = {"Ncg5 2": "a", "1st": True, "sfaz": "x"}
            vals = tuple(row[c] for c in columns)
            return [vals[0] if len(vals) == 1 else vals]

    schema = read_ddl(f"{ENUMS}CREATE TABLE t ({SHAPES[0][1]});")
    plan = datagen.plan(schema, {"public.t": 5}, seed=1, existing=Have())
    rows = [r for b in table_batches(plan.tables["public.t"], 100) for r in b.rows]
    assert len(rows) == 5
    taken = {("a", True), (True, "x")}
    for name, one, sfaz in rows:
        assert (name, one) not in taken and (one, sfaz) not in taken
    with pytest.raises(CapacityError, match="allows only 5 more"):
        datagen.plan(schema, {"public.t": 6}, seed=1, existing=Have())


def test_joint_keys_directly() -> None:
    """Two keys sharing a column are filled to the smaller one's bound by any order."""
    members: list[tuple[tuple[str, ...], list[Any]]] = [
        (("a",), list("abcd")),
        (("f",), [False, True]),
        (("s",), list("xyz")),
    ]
    jk = JointKeys(members, [("a", "f"), ("f", "s")])
    assert jk.bounds() == [8, 6]
    for seed in range(30):
        got = jk.choose(10, random.Random(seed))
        assert len(got) == 6
        proj = [jk.project(d) for d in got]
        assert len({p[0] for p in proj}) == len({p[1] for p in proj}) == 6


# --------------------------------------------------------------------------- random shapes

# The random PostgreSQL test's strategy (tests/strategies.py) rarely draws such a table: a
# thousand of its schemas formed no two keys sharing small-domain columns. These tables are
# nothing but that: a few booleans and enums (one to four labels, nullable or not), a text
# column now and then (a key over it is kept by it), a reference to a table of three rows, and
# one to four keys over one to three of them.

_TYPES = ["boolean", "e1", "e2", "e3", "e4", "e4", "text"]


def _random_table(rng: random.Random) -> str:
    cols = [f"c{i}" for i in range(rng.randint(2, 5))]
    types = {c: rng.choice(_TYPES) for c in cols}
    if rng.random() < 0.25:
        types[cols[0]] = "integer REFERENCES p"
    keys: list[str] = []
    pk: list[str] = []
    if rng.random() < 0.7:
        pk = rng.sample(cols, rng.randint(1, min(2, len(cols))))
        keys.append(f"PRIMARY KEY ({', '.join(pk)})")
    for _ in range(rng.randint(1, 3)):
        k = rng.sample(cols, rng.randint(1, min(3, len(cols))))
        nnd = " NULLS NOT DISTINCT" if rng.random() < 0.5 else ""
        keys.append(f"UNIQUE{nnd} ({', '.join(k)})")
    body = [
        f"{c} {types[c]}" + (" NOT NULL" if c in pk or rng.random() < 0.5 else "") for c in cols
    ]
    return (
        "CREATE TYPE e1 AS ENUM ('only');\n"
        f"{ENUMS}CREATE TABLE p (id integer PRIMARY KEY);\n"
        f"CREATE TABLE t ({', '.join(body + keys)});"
    )


@pytest.mark.parametrize("block", range(4))
def test_random_small_domain_keys(block: int) -> None:
    """Many seeds of random tables: the keys hold in every row, and a capacity error's count is
    generated when asked for."""
    for seed in range(block * 100, block * 100 + 100):
        ddl = _random_table(random.Random(seed))
        schema = read_ddl(ddl)
        try:
            load_what_fits(schema, {"public.p": 3, "public.t": 30}, seed=seed)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}: {ddl}: {e}") from None
