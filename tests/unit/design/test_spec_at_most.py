"""Bounded children in the spec (a relationship's ``at_most``): read, errors at their YAML path,
and the triggers each dialect keeps them with."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.readers import spec as S
from dbdesign.readers.spec_rules import AtMostRule

SPEC = """\
version: 1
project: {name: lending}
entities:
  member:
    attributes:
      name: {type: text, required: true}
  loan:
    attributes:
      returned_at: timestamp
relationships:
  - type: one-to-many
    parent: member
    child: loan
    at_most: {count: 2, where: returned_at is null}
"""


def test_at_most_is_read_in_both_forms() -> None:
    (r,) = S.loads(SPEC).relationships
    assert r.at_most == AtMostRule(count=2, where="returned_at is null")
    (r,) = S.loads(SPEC.replace("{count: 2, where: returned_at is null}", "3")).relationships
    assert r.at_most == 3


BAD = [
    ("count: 2", "count: 0", "relationships[0].at_most", "greater than 0"),
    (
        "returned_at is null}",
        "returnd_at is null}",
        "relationships[0].at_most.where",
        "returnd_at",
    ),
    (
        "type: one-to-many",
        "type: one-to-one",
        "relationships[0].at_most",
        "at_most bounds the children of a one-to-many relationship",
    ),
]


@pytest.mark.parametrize("old,new,path,message", BAD, ids=[b[3][:30] for b in BAD])
def test_bad_at_most_names_its_path(old: str, new: str, path: str, message: str) -> None:
    assert old in SPEC
    with pytest.raises(S.SpecError) as e:
        S.loads(SPEC.replace(old, new, 1), "l.yaml")
    text = str(e.value)
    assert f": {path}" in text and message in text, text


@pytest.mark.parametrize(
    "dialect,triggers",
    [
        ("postgres", ["trg_loans_member_id_at_most"]),
        ("sqlite", ["trg_loans_member_id_at_most_insert", "trg_loans_member_id_at_most_update"]),
        ("mysql", ["trg_loans_member_id_at_most_insert", "trg_loans_member_id_at_most_update"]),
    ],
)
def test_each_dialect_bounds_children_by_trigger(dialect: str, triggers: list[str]) -> None:
    d = design(S.loads(SPEC), dialect)
    (r,) = d.rules
    assert (r.kind, r.limit, r.enforced, r.condition) == ("at_most", 2, True, "returned_at is null")
    assert list(r.objects) == triggers
    names = {t.name for t in d.schema.triggers.values()}
    assert set(triggers) <= names
    if dialect != "sqlite":  # PostgreSQL and MySQL lock the parent row first
        body = "".join(
            (t.body.text if t.body else "") for t in d.schema.triggers.values()
        ) + "".join(f.body for f in d.schema.functions.values())
        assert "FOR UPDATE" in body
