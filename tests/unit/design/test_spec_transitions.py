"""State transitions in the spec (``transitions:``): read, errors at their YAML path, and the
trigger each dialect keeps them with."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.readers import spec as S
from dbdesign.readers.spec_rules import TransitionRule

SPEC = """\
version: 1
project: {name: tickets}
entities:
  ticket:
    attributes:
      title: {type: text, required: true}
      status: {type: enum, values: [open, in_progress, done, closed], required: true}
      size: integer
    transitions:
      - field: status
        allowed: {open: [in_progress, closed], in_progress: [done, open], done: [closed]}
"""


def test_transitions_are_read() -> None:
    (tr,) = S.loads(SPEC).entities["ticket"].transitions
    assert tr == TransitionRule(
        field="status",
        allowed={
            "open": ("in_progress", "closed"),
            "in_progress": ("done", "open"),
            "done": ("closed",),
        },
    )
    assert tr.states() == ("open", "in_progress", "closed", "done")


BAD = [
    ("field: status", "field: stat", "entities.ticket.transitions[0].field", "no field 'stat'"),
    (
        "field: status",
        "field: size",
        "entities.ticket.transitions[0].field",
        "size is number: transitions move an enum or text field",
    ),
    (
        "done: [closed]",
        "done: [shut]",
        "entities.ticket.transitions[0].allowed.done[0]",
        "'shut' is not a value of status",
    ),
    (
        "done: [closed]",
        "gone: [closed]",
        "entities.ticket.transitions[0].allowed.gone",
        "'gone' is not a value of status",
    ),
    (
        "done: [closed]",
        "done: [done]",
        "entities.ticket.transitions[0].allowed.done[0]",
        "'done' moving to itself is no move",
    ),
]


@pytest.mark.parametrize("old,new,path,message", BAD, ids=[b[3][:30] for b in BAD])
def test_bad_transitions_name_their_path(old: str, new: str, path: str, message: str) -> None:
    assert old in SPEC
    with pytest.raises(S.SpecError) as e:
        S.loads(SPEC.replace(old, new, 1), "t.yaml")
    text = str(e.value)
    assert f": {path}: " in text and message in text, text


def test_the_json_schema_describes_transitions() -> None:
    defs = S.json_schema()["$defs"]
    assert "transitions" in defs["Entity"]["properties"]
    assert defs["TransitionRule"]["required"] == ["field", "allowed"]


@pytest.mark.parametrize(
    "dialect,how",
    [
        ("postgres", "function trg_tickets_status_moves_fn) that raises check_violation"),
        ("sqlite", "RAISE(ABORT)"),
        ("mysql", "SIGNALs SQLSTATE '45000'"),
    ],
)
def test_each_dialect_keeps_transitions_by_trigger(dialect: str, how: str) -> None:
    d = design(S.loads(SPEC), dialect)
    (r,) = d.rules
    assert (r.kind, r.name, r.enforced) == ("transition", "trg_tickets_status_moves", True)
    assert how in r.how
    assert r.moves is not None and r.moves["done"] == ("closed",)
    (tr,) = [t for t in d.schema.triggers.values() if t.name == "trg_tickets_status_moves"]
    assert (tr.timing, tr.events, tr.level) == ("BEFORE", ("UPDATE",), "ROW")
    assert ("public.trg_tickets_status_moves_fn()" in d.schema.functions) is (dialect == "postgres")
