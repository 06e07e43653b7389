"""Business rules in the spec (``unique`` with ``where``, ``no_overlap``, ``checks``): each
error names the file, line, column and YAML path of the rule, and what is wrong in it."""

from __future__ import annotations

import pytest

from dbdesign.readers import spec as S
from dbdesign.readers.spec_rules import CheckRule, NoOverlapRule, UniqueRule

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
      status: {type: enum, values: [held, confirmed, cancelled], required: true}
      price: {type: money, currency: EUR}
      discount: {type: money, currency: EUR}
      cancelled_at: timestamp
    unique:
      - {columns: [room, starts_at], where: "status <> 'cancelled'", name: one_start}
    no_overlap:
      - {range: [starts_at, ends_at], per: [room]}
    checks:
      - ends_at > starts_at
      - {check: "discount <= price", description: A discount never exceeds the price.}
relationships:
  - {type: one-to-many, parent: room, child: booking}
"""


def test_rules_are_read() -> None:
    e = S.loads(SPEC).entities["booking"]
    assert e.unique == (
        UniqueRule(columns=("room", "starts_at"), where="status <> 'cancelled'", name="one_start"),
    )
    assert e.no_overlap == (NoOverlapRule(range=("starts_at", "ends_at"), per=("room",)),)
    assert e.checks == (
        "ends_at > starts_at",
        CheckRule(check="discount <= price", description="A discount never exceeds the price."),
    )


# (what to change, file:line:col, YAML path, message)
BAD = [
    (
        ("ends_at > starts_at", "ends_at > strats_at"),
        "s.yaml:20:9",
        "entities.booking.checks[0]",
        "no field 'strats_at' (did you mean 'starts_at'?) (at character 11 of "
        "'ends_at > strats_at')",
    ),
    (
        ("ends_at > starts_at", "ends_at > starts_at and"),
        "s.yaml:20:9",
        "entities.booking.checks[0]",
        "found the end (at character 24",
    ),
    (
        ('"discount <= price"', '"discount <= starts_at"'),
        "s.yaml:21:17",
        "entities.booking.checks[1].check",
        "cannot compare a number value with a timestamp value",
    ),
    (
        ("{check: ", "{chek: "),
        "s.yaml:21:10",
        "entities.booking.checks[1].chek",
        "unknown key 'chek' (did you mean 'check'?)",
    ),
    (
        ("where: \"status <> 'cancelled'\"", "where: \"status <> 'canceled'\""),
        "s.yaml:16:45",
        "entities.booking.unique[0].where",
        "'canceled' is not a value of status (did you mean 'cancelled'?)",
    ),
    (
        ("columns: [room, starts_at]", "columns: [rooms, starts_at]"),
        "s.yaml:16:20",
        "entities.booking.unique[0].columns[0]",
        "no field 'rooms' (did you mean 'room'?)",
    ),
    (
        ("columns: [room, starts_at]", "columns: []"),
        "s.yaml:16:19",
        "entities.booking.unique[0].columns",
        "at least 1 item",
    ),
    (
        ("per: [room]", "per: [rom]"),
        "s.yaml:18:45",
        "entities.booking.no_overlap[0].per[0]",
        "no field 'rom' (did you mean 'room'?)",
    ),
    (
        ("range: [starts_at, ends_at]", "range: [starts_at, status]"),
        "s.yaml:18:17",
        "entities.booking.no_overlap[0].range",
        "a range is two timestamps, two dates or two numbers, not timestamp and enum",
    ),
    (
        ("range: [starts_at, ends_at]", "range: [starts_at]"),
        "s.yaml:18:17",
        "entities.booking.no_overlap[0].range[1]",
        "a range is two fields: [start, end]",
    ),
    (
        ("range: [starts_at, ends_at]", "range: [starts_at, starts_at]"),
        "s.yaml:18:17",
        "entities.booking.no_overlap[0].range",
        "a range needs two fields, its start and its end",
    ),
    (
        ("per: [room]", "per: [room, starts_at]"),
        "s.yaml:18:44",
        "entities.booking.no_overlap[0].per",
        "the range's own fields cannot be in per",
    ),
    (
        ("per: [room]}", "per: [room], where: \"status = 'gone'\"}"),
        "s.yaml:18:59",
        "entities.booking.no_overlap[0].where",
        "'gone' is not a value of status (held, confirmed, cancelled)",
    ),
    (
        ("name: one_start", "name: One-Start"),
        "s.yaml:16:76",
        "entities.booking.unique[0].name",
        "a name is lower snake_case, not 'One-Start'",
    ),
    (
        ("per: [room]}", "per: [room], name: one_start}"),
        "s.yaml:18:58",
        "entities.booking.no_overlap[0].name",
        "another rule of this entity is named 'one_start'",
    ),
]


@pytest.mark.parametrize("change,where,path,message", BAD, ids=[b[3][:40] for b in BAD])
def test_bad_rules_name_file_line_and_path(
    change: tuple[str, str], where: str, path: str, message: str
) -> None:
    old, new = change
    assert old in SPEC
    with pytest.raises(S.SpecError) as e:
        S.loads(SPEC.replace(old, new, 1), "s.yaml")
    text = str(e.value)
    assert text.startswith(f"{where}: {path}: "), text
    assert message in text, text


def test_the_json_schema_describes_the_rules() -> None:
    defs = S.json_schema()["$defs"]
    entity = defs["Entity"]["properties"]
    assert {"unique", "no_overlap", "checks"} <= set(entity)
    assert set(defs["NoOverlapRule"]["properties"]) == {
        "range",
        "per",
        "where",
        "name",
        "description",
    }
    assert defs["UniqueRule"]["required"] == ["columns"]
