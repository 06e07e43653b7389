"""Generated rows keep a design's business rules (datagen.row_rules), checked here on the rows
themselves: no overlapping ranges per key, a key unique where a condition holds (with many
rows per key still), checks the generator cannot read kept by drawing again, and a clear
error for a rule no row can keep."""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import pytest

from dbdesign.datagen import generate
from dbdesign.design import design
from dbdesign.design.prove_rules import row_rules
from dbdesign.errors import UnsupportedError
from dbdesign.readers import expression as X
from dbdesign.readers import spec as S

SPEC = """\
version: 1
project: {name: rules}
entities:
  room:
    attributes:
      name: {type: text, required: true}
  booking:
    attributes:
      starts_at: {type: timestamp, required: true}
      ends_at: {type: timestamp, required: true}
      price: {type: money, currency: EUR, required: true, min: 0}
      discount: {type: money, currency: EUR}
    no_overlap:
      - {range: [starts_at, ends_at], per: [room], name: room_free}
    checks:
      - {check: ends_at > starts_at, name: ends_after_start}
      - {check: discount <= price / 2, name: half_price_at_most}
  loan:
    attributes:
      loaned_at: {type: timestamp, required: true}
      returned_at: timestamp
    unique:
      - {columns: [room], where: returned_at is null, name: one_open}
    checks:
      - {check: returned_at >= loaned_at, name: back_after_out}
relationships:
  - {type: one-to-many, parent: room, child: booking}
  - {type: one-to-many, parent: room, child: loan}
"""


def rows_of(dialect: str, spec: str = SPEC, n: int = 4000) -> dict[str, list[dict[str, Any]]]:
    d = design(S.loads(spec), dialect)
    keys = {t.name: t.key for t in d.tables}
    counts = {keys["rooms"]: 50, keys["bookings"]: n, keys["loans"]: n}
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for batch in generate(d.schema, counts, seed=3, rules=row_rules(d), batch_rows=700):
        name = batch.table.split(".", 1)[1]
        out[name] += [dict(zip(batch.columns, r, strict=True)) for r in batch.rows]
    return out


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
def test_ranges_of_one_key_never_overlap(dialect: str) -> None:
    by_room: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for b in rows_of(dialect)["bookings"]:
        assert b["ends_at"] > b["starts_at"]
        by_room[b["room_id"]].append((b["starts_at"], b["ends_at"]))
    assert len(by_room) > 10
    for ranges in by_room.values():
        ranges.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(ranges):
            assert e1 <= s2


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
def test_a_key_is_unique_only_where_its_condition_holds(dialect: str) -> None:
    loans = rows_of(dialect)["loans"]
    open_rooms = [x["room_id"] for x in loans if x["returned_at"] is None]
    assert open_rooms and len(open_rooms) == len(set(open_rooms))
    per_room = defaultdict(int)
    for x in loans:
        per_room[x["room_id"]] += 1
    assert max(per_room.values()) > 10  # many loans of a room, one open
    for x in loans:
        assert x["returned_at"] is None or x["returned_at"] >= x["loaned_at"]


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
def test_a_check_the_generator_cannot_read_is_kept(dialect: str) -> None:
    node = X.parse("discount <= price / 2")
    bookings = rows_of(dialect)["bookings"]
    assert any(b["discount"] is not None for b in bookings)
    for b in bookings:
        assert X.evaluate(node, b) is not False, b


def test_a_rule_no_row_can_keep_fails_naming_it() -> None:
    impossible = SPEC.replace(
        "      - {check: ends_at > starts_at, name: ends_after_start}",
        "      - {check: room <> room, name: never}",
    )
    with pytest.raises(UnsupportedError, match="chk_bookings_never"):
        rows_of("postgres", impossible, n=100)
