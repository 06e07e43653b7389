"""Sums per parent in the spec (an entity's ``sums``): read, errors at their YAML path, and how
each dialect keeps them (PostgreSQL: a deferred constraint trigger; MySQL / MariaDB and SQLite:
the application, with the reason)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dbdesign.design import design
from dbdesign.design.rule_sums import spec_rule, total_of
from dbdesign.readers import spec as S
from dbdesign.readers.spec_rules import SumRule

SPEC = """\
version: 1
project: {name: books}
entities:
  entry:
    attributes:
      memo: {type: text, required: true}
  posting:
    attributes:
      amount: {type: money, required: true}
      units: {type: integer, required: true}
      note: text
      void: {type: boolean, required: true, default: false}
    sums:
      - {field: amount, per: entry, equals: 0, where: void = false, name: balanced}
relationships:
  - {type: one-to-many, parent: entry, child: posting}
"""


def test_sums_are_read() -> None:
    (s,) = S.loads(SPEC).entities["posting"].sums
    assert s == SumRule(
        field="amount", per="entry", equals=0, where="void = false", name="balanced"
    )
    (s,) = S.loads(SPEC.replace("equals: 0, ", "")).entities["posting"].sums
    assert s.equals == 0
    (s,) = S.loads(SPEC.replace("equals: 0", "equals: 0.1")).entities["posting"].sums
    assert total_of(s) == Decimal("0.1")  # exactly, not the float nearest


# (what to change, YAML path, message)
BAD = [
    (
        ("field: amount", "field: amont"),
        "sums[0].field",
        "no field 'amont' (did you mean 'amount'?)",
    ),
    (("field: amount", "field: note"), "sums[0].field", "note is text: a sum adds a number"),
    (("field: amount", "field: entry"), "sums[0].field", "entry is not an attribute"),
    (
        ("amount: {type: money, required: true}", "amount: money"),
        "sums[0].field",
        "amount is not required: a sum adds a required field",
    ),
    (("per: entry", "per: entri"), "sums[0].per", "no field 'entri' (did you mean 'entry'?)"),
    (("per: entry", "per: units"), "sums[0].per", "units is no reference: per names the parent"),
    (("per: entry", "per: id"), "sums[0].per", "id is no reference"),
    (
        ("field: amount, per: entry, equals: 0", "field: units, per: entry, equals: 0.5"),
        "sums[0].equals",
        "units is an integer: its rows cannot sum to 0.5",
    ),
    (("equals: 0", "equals: .inf"), "sums[0].equals", "a sum equals a finite number"),
    (("equals: 0", "equals: zero"), "sums[0].equals", "valid"),
    (("where: void = false", "where: voyd = false"), "sums[0].where", "no field 'voyd'"),
    (
        ("where: void = false", "where: amount > 0"),
        "sums[0].where",
        "the condition reads amount, the field summed",
    ),
    (("name: balanced", "name: Balanced"), "sums[0].name", "a name is lower snake_case"),
    (("name: balanced}", "name: balanced, per_row: 1}"), "sums[0].per_row", "unknown key"),
]


@pytest.mark.parametrize("change,path,message", BAD, ids=[b[2][:40] for b in BAD])
def test_bad_sum_names_its_path(change: tuple[str, str], path: str, message: str) -> None:
    old, new = change
    assert old in SPEC
    with pytest.raises(S.SpecError) as e:
        S.loads(SPEC.replace(old, new, 1), "b.yaml")
    text = str(e.value)
    assert f": entities.posting.{path}" in text and message in text, text


def test_a_sum_shares_the_names_of_the_entitys_rules() -> None:
    spec = SPEC.replace(
        "    sums:", "    checks:\n      - {check: units > 0, name: balanced}\n    sums:"
    )
    with pytest.raises(S.SpecError, match=r"sums\[0\]\.name: another rule of this entity"):
        S.loads(spec, "b.yaml")


def test_postgres_keeps_a_sum_by_a_deferred_constraint_trigger() -> None:
    d = design(S.loads(SPEC))
    (r,) = d.rules
    assert (r.kind, r.enforced, r.objects, r.condition) == (
        "sum",
        True,
        ("trg_postings_balanced",),
        "void = false",
    )
    assert spec_rule(d.spec, r).field == "amount"
    tr = d.schema.triggers["public.postings.trg_postings_balanced"]
    assert tr.constraint and tr.deferrable and tr.initially_deferred and tr.timing == "AFTER"
    body = d.schema.functions["public.trg_postings_balanced_fn()"].body
    assert "coalesce(sum(o.amount), 0)" in body and "(o.void = false)" in body
    assert "OLD.entry_id IS DISTINCT FROM NEW.entry_id" in body  # a moved row: both parents
    # the check finds a parent's rows by an index on the reference (the foreign key's own)
    assert any(
        ix.table == "postings" and [e.column for e in ix.elements] == ["entry_id"]
        for ix in d.schema.indexes.values()
    )


def test_a_soft_deleted_entity_sums_its_live_rows() -> None:
    spec = SPEC.replace("  posting:\n", "  posting:\n    soft_delete: true\n")
    d = design(S.loads(spec))
    (r,) = d.rules
    assert r.condition == "(void = false) and deleted_at is null"
    body = d.schema.functions["public.trg_postings_balanced_fn()"].body
    assert "o.deleted_at is null" in body
    tr = d.schema.triggers["public.postings.trg_postings_balanced"]
    assert "deleted_at" in tr.columns  # deleting a row softly changes its parent's sum


@pytest.mark.parametrize("dialect,title", [("sqlite", "SQLite"), ("mysql", "MySQL / MariaDB")])
def test_without_deferred_triggers_the_application_keeps_it(dialect: str, title: str) -> None:
    d = design(S.loads(SPEC), dialect)
    (r,) = d.rules
    assert r.kind == "sum" and not r.enforced and r.objects == ()
    assert r.reason.startswith(f"{title} has no trigger or constraint that waits for COMMIT")
    assert "HAVING sum(amount) <> 0" in r.reason
    assert not d.schema.triggers or all("balanced" not in k for k in d.schema.triggers)


def test_a_nonzero_total_is_written_exactly() -> None:
    d = design(S.loads(SPEC.replace("equals: 0", "equals: 100.50")))
    (r,) = d.rules
    assert r.statement == "amount sums to 100.5 per entry where void = false"
    body = d.schema.functions["public.trg_postings_balanced_fn()"].body
    assert "_total <> 100.5 THEN" in body
