"""Generated rows keep a sum per parent (datagen.row_sums): every parent's counted rows sum to
the rule's value across batches of any size, with a parent's rows written together, the
field's checks and a bound on the parent's rows kept, rows the condition leaves out left alone,
and a clear error where the rule cannot be kept."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest

from dbdesign.datagen import generate
from dbdesign.design import design
from dbdesign.design.prove_rules import row_rules
from dbdesign.errors import UnsupportedError
from dbdesign.readers import spec as S

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
      void: {type: boolean, required: true, default: false}
    checks:
      - {check: amount <> 0, name: nonzero}
    sums:
      - {field: amount, per: entry, equals: 0, where: void = false, name: balanced}
relationships:
  - {type: one-to-many, parent: entry, child: posting, at_most: 7}
"""


def rows_of(
    dialect: str, spec: str = SPEC, entries: int = 300, n: int = 1001, batch: int = 97
) -> list[dict[str, Any]]:
    d = design(S.loads(spec), dialect)
    keys = {t.name: t.key for t in d.tables}
    counts = {keys["entries"]: entries, keys["postings"]: n}
    out: list[dict[str, Any]] = []
    for b in generate(d.schema, counts, seed=5, rules=row_rules(d), batch_rows=batch):
        if b.table == keys["postings"]:
            out += [dict(zip(b.columns, r, strict=True)) for r in b.rows]
    return out


def sums(rows: list[dict[str, Any]], void: bool = False) -> dict[Any, Decimal]:
    out: dict[Any, Decimal] = defaultdict(Decimal)
    for r in rows:
        if bool(r["void"]) == void:
            out[r["entry_id"]] += Decimal(str(r["amount"]))
    return out


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
@pytest.mark.parametrize("batch", [97, 1000, 2])
def test_every_parent_sums_to_the_value(dialect: str, batch: int) -> None:
    rows = rows_of(dialect, batch=batch)
    assert len(rows) == 1001
    assert all(Decimal(str(r["amount"])) != 0 for r in rows)  # the check kept
    totals = sums(rows)
    assert totals and all(v == 0 for v in totals.values()), {k: v for k, v in totals.items() if v}
    # the bound kept (at most 7 rows an entry), and most entries have lines
    per = Counter(r["entry_id"] for r in rows)
    assert max(per.values()) <= 7 and len(per) > 250
    # debits and credits both: some amounts are negative, some positive
    assert {Decimal(str(r["amount"])) > 0 for r in rows} == {True, False}


def test_a_parents_rows_are_written_together() -> None:
    """Runs: an entry's counted rows follow one another (the void ones between them aside)."""
    rows = [r for r in rows_of("postgres") if not r["void"]]
    changes = sum(1 for a, b in itertools.pairwise(rows) if a["entry_id"] != b["entry_id"])
    assert changes < len(rows) / 2  # every entry has two rows at least, in one run


def test_rows_the_condition_leaves_out_are_left_alone() -> None:
    rows = rows_of("postgres")
    void = [r for r in rows if r["void"]]
    assert void, "the generator drew no void posting"
    assert any(v != 0 for v in sums(rows, void=True).values())  # not balanced, not counted


def test_a_total_other_than_zero() -> None:
    rows = rows_of("postgres", SPEC.replace("equals: 0", "equals: 12.5"))
    totals = sums(rows)
    assert totals and all(v == Decimal("12.5") for v in totals.values())


def test_the_last_batch_closes_every_run() -> None:
    """Batches that end mid-run, and a table whose last batch holds one row."""
    for n in (1001, 98, 2, 3):
        totals = sums(rows_of("postgres", n=n, batch=97))
        assert all(v == 0 for v in totals.values()), (n, totals)


def test_a_sum_no_row_can_keep_fails_naming_it() -> None:
    # an amount that cannot be negative: lines of an entry never sum to 0
    spec = SPEC.replace(
        "amount: {type: money, required: true}", "amount: {type: money, required: true, min: 0}"
    )
    with pytest.raises(UnsupportedError, match="cannot keep rule trg_postings_balanced"):
        rows_of("postgres", spec)
    # more decimals than the column holds
    with pytest.raises(UnsupportedError, match="more decimals than the column holds"):
        rows_of("postgres", SPEC.replace("equals: 0", "equals: 0.001"))
