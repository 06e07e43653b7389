"""Transaction framing of diff plans: a view the plan drops and creates again is never missing
between two transactions, or its DROP VIEW says so (no database: the plans' convergence is in
test_diff_plans.py, their lint in tests/integration/test_diff_lint_safety.py)."""

from __future__ import annotations

from pathlib import Path

from dbdesign.diff import diff_schemas
from dbdesign.diff import operations as op
from dbdesign.diff.framing import TransactionUnit, frame
from dbdesign.diff.statement import Statement
from dbdesign.readers.ddl.postgres import read_ddl, read_path

PAIRS = Path(__file__).resolve().parents[1] / "diff_pairs"


def _unit_of(units: tuple[TransactionUnit, ...], kind: type[op.Operation], key: str) -> int:
    return next(
        i
        for i, u in enumerate(units)
        for st in u.statements
        if isinstance(st.operation, kind) and st.operation.view.key == key  # type: ignore[attr-defined]
    )


def test_view_over_a_replaced_enum_is_dropped_and_made_in_one_transaction() -> None:
    # the view depends on the enum column; the plan also drops an index CONCURRENTLY (a run of
    # its own) and validates a CHECK (a boundary): neither may fall between the drop and the
    # re-creation
    for a, b in (("a", "b"), ("b", "a")):
        plan = diff_schemas(
            read_path(PAIRS / f"enum_in_use.{a}.sql"), read_path(PAIRS / f"enum_in_use.{b}.sql")
        )
        for server in (16, 11):
            units = plan.transactions(server)
            assert len(units) > 2  # the boundaries are there
            dropped = _unit_of(units, op.DropView, "public.open_orders")
            made = _unit_of(units, op.CreateView, "public.open_orders")
            assert dropped == made and units[made].in_transaction
            drop = next(s for s in units[dropped].statements if s.sql.startswith("DROP VIEW"))
            assert not drop.hazards


def _statements(transactional_middle: bool) -> list[Statement]:
    schema = read_ddl(
        "CREATE TABLE t (a integer); CREATE VIEW v AS SELECT a FROM t; CREATE INDEX t_a ON t (a);"
    )
    view = schema.views["public.v"]
    index = schema.indexes["public.t_a"]
    return [
        Statement("DROP VIEW public.v", True, (), op.DropView(view=view)),
        Statement(
            "CREATE INDEX CONCURRENTLY t_a ON public.t (a)",
            transactional_middle,
            (),
            op.CreateIndex(index=index, concurrently=True),
        ),
        Statement("CREATE VIEW public.v AS SELECT a FROM t", True, (), op.CreateView(view=view)),
    ]


def test_a_boundary_between_drop_and_re_creation_is_stated_on_the_drop() -> None:
    units = frame(_statements(transactional_middle=False))
    assert [u.in_transaction for u in units] == [True, False, True]
    (drop,) = units[0].statements
    codes = [h.code for h in drop.hazards]
    assert codes == ["breaking_change"]
    assert "missing" in drop.hazards[0].message and "2 unit(s) later" in drop.hazards[0].message
    assert all(not s.hazards for u in units[1:] for s in u.statements)


def test_no_hazard_when_drop_and_re_creation_share_the_transaction() -> None:
    units = frame(_statements(transactional_middle=True))
    assert len(units) == 1
    assert all(not s.hazards for s in units[0].statements)
