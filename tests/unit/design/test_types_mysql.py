"""The MySQL type mapper: every semantic type has a MySQL type the emitter accepts, a reason and
checks written for the column; a design that uses every type (and uuid keys, soft delete, a
per-row currency) emits DDL that reads back as the designed model."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.design.types import MAPPERS, mysql
from dbdesign.dialects.mysql import type_problem
from dbdesign.emit.mysql import emit_schema
from dbdesign.migrate.compare import schema_differences
from dbdesign.model import DataType
from dbdesign.readers import spec as S
from dbdesign.readers.ddl.mysql import read_ddl
from dbdesign.readers.spec import SEMANTIC_TYPES, Attribute

EXTRA: dict[str, dict[str, object]] = {
    "enum": {"values": ["a", "bb"]},
    "vector": {"dim": 3},
    "decimal": {"precision": 10, "scale": 3},
}

EVERY_TYPE_SPEC = (
    """
version: 1
project:
  name: every
  conventions: {keys: uuid}
  features: {soft_delete: true, optimistic_locking: true}
entities:
  thing:
    attributes:
"""
    + "".join(
        f"      a_{t}: {{type: {t}"
        + "".join(f", {k}: {v}" for k, v in EXTRA.get(t, {}).items())
        + (", currency: per_row" if t == "money" else "")
        + (", unique: true" if t in ("identifier", "email") else "")
        + "}\n"
        for t in SEMANTIC_TYPES
    )
    + """
  part:
    attributes:
      label: {type: text, max_length: 40, required: true}
relationships:
  - {type: one-to-many, parent: thing, child: part, on_delete: cascade}
"""
)


def test_mysql_is_a_dialect() -> None:
    assert MAPPERS["mysql"] is mysql


@pytest.mark.parametrize("t", sorted(SEMANTIC_TYPES))
def test_every_semantic_type_has_a_mysql_type(t: str) -> None:
    phys = mysql(Attribute(type=t, **EXTRA.get(t, {})))  # type: ignore[arg-type]
    assert type_problem(phys.type) is None, phys.type
    assert phys.reason
    assert all("{c}" in c for c in phys.checks)


@pytest.mark.parametrize(
    ("lo", "hi", "name"),
    [(0, 4, "tinyint"), (-128, 127, "tinyint"), (1, 1000, "smallint"), (None, None, "int")],
)
def test_integer_sizes(lo: int | None, hi: int | None, name: str) -> None:
    assert mysql(Attribute(type="integer", min=lo, max=hi)).type == DataType(name=name)
    assert mysql(Attribute(type="integer", min=0, max=2**40)).type == DataType(name="bigint")


def test_text_lengths() -> None:
    short = mysql(Attribute(type="text", max_length=80, required=True))
    assert short.type == DataType(name="varchar", args=(80,))
    assert short.checks == ("char_length({c}) >= 1",)  # varchar(80) holds the maximum
    long = mysql(Attribute(type="text", max_length=5000))
    assert long.type == DataType(name="text") and "char_length({c}) <= 5000" in long.checks
    assert mysql(Attribute(type="long_text")).type == DataType(name="text")
    huge = mysql(Attribute(type="long_text", max_length=100_000))
    assert huge.type == DataType(name="mediumtext")


def test_optional_ip_accepts_null() -> None:
    assert mysql(Attribute(type="ip_address")).checks[0].startswith("{c} is null or ")
    assert mysql(Attribute(type="ip_address", required=True)).checks == (
        "is_ipv4({c}) or is_ipv6({c})",
    )


def test_every_type_design_emits_and_reads_back() -> None:
    d = design(S.loads(EVERY_TYPE_SPEC), "mysql")
    things = d.schema.tables["main.things"]
    cols = {c.name: c for c in things.columns}
    assert cols["id"].type == DataType(name="binary", args=(16,)) and cols["id"].default
    assert cols["a_money_currency"].type == DataType(name="char", args=(3,))
    assert cols["not_deleted"].generated is not None
    assert things.uniques["uq_things_a_email"].columns == ("a_email", "not_deleted")
    parts = d.schema.tables["main.parts"]
    assert parts.columns[1].type == DataType(name="binary", args=(16,))  # the reference
    sql = emit_schema(d.schema)
    assert [str(x) for x in schema_differences(d.schema, read_ddl(sql))] == []
