"""A text attribute's pattern: its errors at the YAML path, its GLOB form for SQLite (or the
reason it has none), and the CHECK each dialect writes."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.design.value_formats import glob_of
from dbdesign.readers import spec as S

SPEC = """\
version: 1
project: {name: codes}
entities:
  part:
    attributes:
      sku: {type: identifier, required: true, pattern: "[A-Z]{3}-[0-9]{4}"}
"""


@pytest.mark.parametrize(
    "pattern,glob",
    [
        ("[A-Z]{3}-[0-9]{4}", "[A-Z][A-Z][A-Z]-[0-9][0-9][0-9][0-9]"),
        ("ISBN.*", "ISBN*"),
        ("a.c", "a?c"),
        (r"x\.y", "x.y"),
        (r"a\*", "a[*]"),
        ("[^0-9]x", "[^0-9]x"),
        ("R[0-9]+", None),
        ("(a|b)", None),
        ("a{1,3}", None),
        ("a?", None),
    ],
)
def test_glob_of(pattern: str, glob: str | None) -> None:
    assert glob_of(pattern) == glob


BAD = [
    ('"[A-Z]{3}-[0-9]{4}"', '"[A-Z"', "not a regular expression"),
    ('"[A-Z]{3}-[0-9]{4}"', '"^[A-Z]+$"', "leave out ^ and $"),
    ('"[A-Z]{3}-[0-9]{4}"', r'"\\d+"', "is not read alike by every server"),
    ("type: identifier", "type: integer", "pattern: applies to text and identifier"),
]


@pytest.mark.parametrize("old,new,message", BAD, ids=[b[2][:25] for b in BAD])
def test_bad_patterns_name_their_path(old: str, new: str, message: str) -> None:
    with pytest.raises(S.SpecError) as e:
        S.loads(SPEC.replace(old, new, 1), "p.yaml")
    text = str(e.value)
    assert ": entities.part.attributes.sku.pattern: " in text and message in text, text


@pytest.mark.parametrize(
    "dialect,sql",
    [
        ("postgres", "sku ~ '^([A-Z]{3}-[0-9]{4})$'"),
        ("mysql", "regexp '(?-i)^([A-Z]{3}-[0-9]{4})$'"),
        ("sqlite", "GLOB '[A-Z][A-Z][A-Z]-[0-9][0-9][0-9][0-9]'"),
    ],
)
def test_each_dialect_checks_the_pattern(dialect: str, sql: str) -> None:
    d = design(S.loads(SPEC), dialect)
    (r,) = d.rules
    assert (r.kind, r.name, r.enforced) == ("pattern", "chk_parts_sku_pattern", True)
    check = next(iter(t for t in d.schema.tables.values())).checks["chk_parts_sku_pattern"]
    assert sql in check.expr.text


def test_sqlite_leaves_a_pattern_without_glob_to_the_application() -> None:
    d = design(S.loads(SPEC.replace("[A-Z]{3}-[0-9]{4}", "R[0-9]+")), "sqlite")
    (r,) = d.rules
    assert not r.enforced and "no REGEXP" in r.reason
    assert "chk_parts_sku_pattern" not in next(iter(d.schema.tables.values())).checks
