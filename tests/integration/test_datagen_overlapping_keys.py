"""Unique keys of one table that share columns over small domains (booleans, enums), loaded on
PostgreSQL, which checks every key. Found by test_datagen.py::test_random_schemas_load on CI:
the generator made the primary key ("Ncg5 2", "1st") unique and took UNIQUE ("1st", sfaz) for
kept because its columns were among those already combined; the server refused a repeated
("1st", sfaz). Every row now satisfies all the keys at once, or the load is refused with a
capacity error naming the key that allows fewest rows."""

from __future__ import annotations

import pytest

from dbdesign import datagen
from dbdesign.datagen import CapacityError
from dbdesign.engine import connect
from dbdesign.readers.catalog.postgres import read_catalog
from tests.pgload import load_sql

# The schema of the CI failure: 8 rows fit every key (4 labels x 2 booleans; 2 booleans x 3
# labels of sfaz and, NULLS NOT DISTINCT, its NULL), 6 rows fit them without a NULL in sfaz.
CI_FAILURE = """
CREATE TYPE "e 4" AS ENUM ('it''s', 'a', 'a0', 'A');
CREATE TYPE e3 AS ENUM ('x', 'y', 'z');
CREATE TABLE t (
  "Ncg5 2" "e 4" NOT NULL,
  "1st" boolean NOT NULL,
  sfaz e3,
  CONSTRAINT t_pkey PRIMARY KEY ("Ncg5 2", "1st"),
  CONSTRAINT t_u1 UNIQUE NULLS NOT DISTINCT ("1st", sfaz) DEFERRABLE,
  CONSTRAINT t_u2 UNIQUE ("1st", "Ncg5 2")
);
"""

# Three keys over three columns of three labels: a Latin square (9 rows).
LATIN = """
CREATE TYPE e3 AS ENUM ('x', 'y', 'z');
CREATE TABLE t (
  a e3 NOT NULL, b e3 NOT NULL, c e3 NOT NULL, note text,
  CONSTRAINT t_pkey PRIMARY KEY (a, b),
  CONSTRAINT t_ac UNIQUE (a, c),
  CONSTRAINT t_bc UNIQUE (b, c)
);
"""


def _count(url: str) -> int:
    with connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM t").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("n", [1, 4, 6])
def test_keys_sharing_a_boolean_load(pg_scratch: str, n: int) -> None:
    load_sql(pg_scratch, CI_FAILURE)
    schema = read_catalog(pg_scratch)
    datagen.load(pg_scratch, schema, {"t": n}, seed=5)
    assert _count(pg_scratch) == n


def test_keys_sharing_a_boolean_refuse_what_they_cannot_hold(pg_scratch: str) -> None:
    load_sql(pg_scratch, CI_FAILURE)
    schema = read_catalog(pg_scratch)
    with pytest.raises(CapacityError, match=r"t_u1 \(1st, sfaz\) allows only 6") as e:
        datagen.load(pg_scratch, schema, {"t": 30}, seed=5)
    assert (e.value.table, e.value.limit) == ("public.t", 6)
    assert _count(pg_scratch) == 0
    datagen.load(pg_scratch, schema, {"t": e.value.limit}, seed=5)  # what it allows loads
    assert _count(pg_scratch) == 6


def test_three_keys_over_three_columns_load(pg_scratch: str) -> None:
    load_sql(pg_scratch, LATIN)
    schema = read_catalog(pg_scratch)
    with pytest.raises(CapacityError, match=r"t_pkey \(a, b\) allows only 9 distinct rows"):
        datagen.load(pg_scratch, schema, {"t": 10}, seed=1)
    datagen.load(pg_scratch, schema, {"t": 9}, seed=1)  # the whole square
    assert _count(pg_scratch) == 9


def test_appending_keeps_every_key(pg_scratch: str) -> None:
    load_sql(pg_scratch, CI_FAILURE)
    schema = read_catalog(pg_scratch)
    datagen.load(pg_scratch, schema, {"t": 3}, seed=1)
    datagen.load(pg_scratch, schema, {"t": 3}, seed=1)  # same seed: the keys already taken
    assert _count(pg_scratch) == 6
    with pytest.raises(CapacityError, match=r"allows only 0 more"):
        datagen.load(pg_scratch, schema, {"t": 1}, seed=1)
