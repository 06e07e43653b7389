"""How a design keeps each business rule, per dialect, and what is left to the application
with its reason (the servers themselves: tests/integration/test_design_rules.py)."""

from __future__ import annotations

from dbdesign.design import RulePlan, design
from dbdesign.design.prove_result import RuleResult
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
      ends_at: timestamp
      status: {type: enum, values: [held, cancelled], required: true}
      seats: {type: integer, min: 0}
    no_overlap:
      - {range: [starts_at, ends_at], per: [room], where: "status <> 'cancelled'", name: room_free}
    checks:
      - {check: ends_at > starts_at, name: ends_after_start}
  loan:
    attributes:
      returned_at: timestamp
    unique:
      - {columns: [room], where: returned_at is null, name: one_open}
relationships:
  - {type: one-to-many, parent: room, child: booking}
  - {type: one-to-many, parent: room, child: loan}
"""


def rules_of(dialect: str, spec: str = SPEC) -> dict[str, RulePlan]:
    return {r.name: r for r in design(S.loads(spec), dialect).rules}


def test_postgresql_exclusion_needs_no_extension() -> None:
    d = design(S.loads(SPEC))
    ex = d.schema.tables["public.bookings"].exclusions["ex_bookings_room_free"]
    assert ex.method == "gist"
    assert [(str(e.element.expr), e.operator) for e in ex.elements] == [
        ("int8range(room_id, room_id, '[]'::text)", "&&"),
        ("tstzrange(starts_at, ends_at)", "&&"),
    ]
    assert ex.where is not None and ex.where.text == "status <> 'cancelled'"
    assert not d.schema.extensions
    plan = next(r for r in d.rules if r.name == "ex_bookings_room_free")
    assert plan.how.startswith("EXCLUDE USING gist") and plan.enforced
    ix = d.schema.indexes["public.uq_loans_one_open"]
    assert ix.unique and ix.where is not None and ix.where.text == "returned_at is null"


def test_sqlite_triggers_and_partial_index() -> None:
    d = design(S.loads(SPEC), "sqlite")
    names = {tr.name for tr in d.schema.triggers.values()}
    assert {"trg_bookings_room_free_insert", "trg_bookings_room_free_update"} <= names
    tr = d.schema.triggers["main.bookings.trg_bookings_room_free_update"]
    assert tr.when is not None and "o.rowid <> OLD.rowid" in tr.when.text
    # a NULL end is open-ended: it overlaps every later range
    assert "(o.ends_at IS NULL OR NEW.starts_at < o.ends_at)" in tr.when.text
    assert tr.body is not None and "RAISE(ABORT, 'ex_bookings_room_free:" in tr.body.text
    assert d.schema.indexes["main.uq_loans_one_open"].where is not None


def test_mysql_generated_key_and_locking_triggers() -> None:
    d = design(S.loads(SPEC), "mysql")
    loans = d.schema.tables["main.loans"]
    gen = next(c for c in loans.columns if c.name == "room_id_when")
    assert gen.generated is not None
    assert gen.generated.expr.text == "if(returned_at is null,room_id,NULL)"
    assert loans.uniques["uq_loans_one_open"].columns == ("room_id_when",)
    body = d.schema.triggers["main.bookings.trg_bookings_room_free_insert"].body
    assert body is not None
    assert "SELECT 1 INTO held FROM rooms WHERE id = NEW.room_id FOR UPDATE;" in body.text
    assert "SIGNAL SQLSTATE '45000'" in body.text


def test_what_mysql_cannot_keep_is_said() -> None:
    on_id = SPEC.replace(
        "      - {check: ends_at > starts_at, name: ends_after_start}",
        "      - {check: id <> room, name: on_id}",
    )
    r = rules_of("mysql", on_id)["chk_bookings_on_id"]
    assert not r.enforced and "AUTO_INCREMENT" in r.reason
    assert rules_of("postgres", on_id)["chk_bookings_on_id"].enforced
    cascade = on_id.replace(
        "{type: one-to-many, parent: room, child: booking}",
        "{type: one-to-many, parent: room, child: booking, on_delete: cascade}",
    ).replace("{check: id <> room, name: on_id}", "{check: seats > 0 or room <> room, name: x}")
    r = rules_of("mysql", cascade)["chk_bookings_x"]
    assert r.enforced and "error 3823" in r.reason
    assert r.how.startswith("BEFORE INSERT / UPDATE triggers")
    assert (
        "chk_bookings_x"
        not in design(S.loads(cascade), "mysql").schema.tables["main.bookings"].checks
    )


def test_the_design_document_lists_every_rule() -> None:
    from dbdesign.design.output import render

    md = render(design(S.loads(SPEC), "sqlite"))["DESIGN.md"]
    section = md.split("## Business Rules", 1)[1].split("## Data Integrity Rules", 1)[0]
    for name in ("ex_bookings_room_free", "chk_bookings_ends_after_start", "uq_loans_one_open"):
        assert f"| {name} |" in section
    assert "not proved" in section


def test_rule_results() -> None:
    ok = RuleResult("r", "a > b", write="UPDATE t", refused=True, error="23514 r", by_rule=True)
    assert ok.ok and ok.verdict == "REJECTED" and ok.problem() is None
    accepted = RuleResult("r", "a > b", write="UPDATE t")
    assert not accepted.ok and "accepted a write that breaks it" in (accepted.problem() or "")
    other = RuleResult("r", "a > b", write="UPDATE t", refused=True, error="23505 uq")
    assert not other.ok and "not by the rule (23505 uq)" in (other.problem() or "")
    untried = RuleResult("r", "a > b", note="no rows")
    assert untried.ok and untried.verdict == "NOT TRIED"
