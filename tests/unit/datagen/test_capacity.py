"""A table whose unique keys allow fewer rows than asked: the error names the key that allows
fewest, so that asking for that many succeeds (it named the first key it met: asked 30, told
16 by ``UNIQUE (a, b)``, then 4 by the primary key on a four-label enum; found by
tests/integration/test_datagen.py::test_random_schemas_load)."""

from __future__ import annotations

import pytest

from dbdesign import datagen
from dbdesign.datagen import CapacityError
from dbdesign.readers.ddl.postgres import read_ddl

DDL = """
CREATE TYPE label AS ENUM ('it''s', 'a', 'a0', 'A');
CREATE TABLE t (
  a label NOT NULL, b label NOT NULL, c label NOT NULL PRIMARY KEY, n integer NOT NULL,
  CONSTRAINT t_ab UNIQUE (a, b), CONSTRAINT t_ab_again UNIQUE (a, b)
);
"""


def test_the_tightest_key_is_named() -> None:
    schema = read_ddl(DDL)
    with pytest.raises(CapacityError) as e:
        list(datagen.generate(schema, {"public.t": 30}, seed=5))
    assert (e.value.table, e.value.limit) == ("public.t", 4)
    assert "t_pkey (c) allows only 4 distinct rows; asked for 30" in str(e.value)
    batches = list(datagen.generate(schema, {"public.t": 4}, seed=5))
    assert sum(len(b.rows) for b in batches) == 4


def test_a_referenced_tables_capacity_is_its_own() -> None:
    """A referenced table that cannot have the rows asked is reported as such, also when a
    table referencing it twice is planned first (the second reference met the half-wired table
    and said the two depended on each other)."""
    schema = read_ddl(
        "CREATE TABLE b (x boolean PRIMARY KEY);\n"
        "CREATE TABLE a (id integer PRIMARY KEY, p boolean REFERENCES b, q boolean REFERENCES b);"
    )
    with pytest.raises(CapacityError) as e:
        list(datagen.generate(schema, {"public.a": 30, "public.b": 30}, seed=5))
    assert (e.value.table, e.value.limit) == ("public.b", 2)
