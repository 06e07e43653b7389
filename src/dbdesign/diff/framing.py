"""Transaction framing: a plan's statements grouped into the fewest safe transactions.

A plan runs as a sequence of *units*: a transaction (``BEGIN`` ... ``COMMIT``), or statements
that cannot run inside a transaction block, each committing on its own. A unit ends only where
it must, and each boundary has its reason:

- a statement that cannot run in a transaction block (``CREATE``/``DROP INDEX CONCURRENTLY``,
  and ``ALTER TYPE ... ADD VALUE`` before PostgreSQL 12) runs outside one;
- ``VALIDATE CONSTRAINT`` starts a new transaction when the ``NOT VALID`` constraint it
  validates was added in the current one: after that commit the scan holds only a SHARE UPDATE
  EXCLUSIVE lock (reads and writes go on) instead of running under the ADD's ACCESS EXCLUSIVE
  lock;
- on PostgreSQL 12+ ``ALTER TYPE ... ADD VALUE`` stays in the transaction, but a later
  statement that may use the new value (its literal appears in it) starts a new transaction:
  a value added in a transaction cannot be used before that transaction commits.

Session settings (``SET search_path``, ``SET lock_timeout``, ``SET check_function_bodies``) are
not transactional boundaries: a plain ``SET`` lasts for the session.

A view the plan drops and creates again should not be missing between two transactions: the
ordering (:mod:`dbdesign.diff.planner.order`) puts its drop after the no-transaction runs it
can and its re-creation before the next boundary. Where a boundary still falls between the two,
the ``DROP VIEW`` carries a ``breaking_change`` hazard saying until which transaction the view
is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dbdesign.diff import operations as op
from dbdesign.diff.operations import Hazard
from dbdesign.diff.statement import Statement
from dbdesign.emit.pg_text import quote_literal

__all__ = ["ENUM_IN_TRANSACTION_SINCE", "TransactionUnit", "frame"]

# ALTER TYPE ... ADD VALUE may run inside a transaction block from this major version on.
ENUM_IN_TRANSACTION_SINCE = 12


@dataclass(frozen=True, slots=True)
class TransactionUnit:
    """Consecutive statements run as one transaction (``in_transaction``) or, outside a
    transaction, each on its own; ``reason``: why a new unit starts here."""

    statements: tuple[Statement, ...]
    in_transaction: bool
    reason: str


def _outside(st: Statement, server: int) -> bool:
    """Whether the statement must run outside a transaction block on ``server``."""
    if st.transactional:
        return False
    return not (isinstance(st.operation, op.AddEnumValue) and server >= ENUM_IN_TRANSACTION_SINCE)


def _words(sql: str, n: int = 4) -> str:
    return " ".join(sql.split()[:n])


@dataclass
class _Open:
    """The unit being filled."""

    statements: list[Statement]
    in_transaction: bool
    reason: str
    not_valid: set[str]
    new_values: list[str]  # literals of enum values added in this transaction

    def uses_new_value(self, st: Statement) -> str | None:
        if isinstance(st.operation, op.AddEnumValue):
            return None  # naming a neighbour (BEFORE/AFTER 'v') is not a use
        return next((v for v in self.new_values if v in st.sql), None)


def _boundary(unit: _Open, st: Statement, server: int) -> str | None:
    """Why ``st`` cannot join ``unit`` (None: it can)."""
    outside = _outside(st, server)
    if outside:
        return (
            None
            if not unit.in_transaction and unit.statements
            else f"{_words(st.sql)} cannot run inside a transaction block"
        )
    if not unit.in_transaction:
        return "back in a transaction"
    if st.validates is not None and st.validates in unit.not_valid:
        return (
            f"{_words(st.sql, 7)} after the commit of its NOT VALID: the scan then holds a "
            "SHARE UPDATE EXCLUSIVE lock (reads and writes go on), not the ADD's ACCESS "
            "EXCLUSIVE lock"
        )
    value = unit.uses_new_value(st)
    if value is not None:
        return (
            f"after the commit of ALTER TYPE ... ADD VALUE {value}: a value added in a "
            "transaction cannot be used before it commits, and the next statement names it"
        )
    return None


def frame(
    statements: Sequence[Statement], *, server: int = ENUM_IN_TRANSACTION_SINCE
) -> tuple[TransactionUnit, ...]:
    """The statements in units, for a server of major version ``server``."""
    units: list[TransactionUnit] = []
    cur = _Open([], True, "the migration starts", set(), [])
    for st in statements:
        if st.sql.startswith("SET "):
            cur.statements.append(st)
            continue
        reason = _boundary(cur, st, server)
        started = any(not s.sql.startswith("SET ") for s in cur.statements)
        if reason is not None and started:
            units.append(TransactionUnit(tuple(cur.statements), cur.in_transaction, cur.reason))
            cur = _Open([], True, reason, set(), [])
        elif reason is not None:  # only SET statements so far: the unit starts with st
            cur.reason = reason
        cur.in_transaction = not _outside(st, server)
        cur.statements.append(st)
        if st.not_valid is not None:
            cur.not_valid.add(st.not_valid)
        if isinstance(st.operation, op.AddEnumValue) and cur.in_transaction:
            cur.new_values.append(quote_literal(st.operation.value))
    if cur.statements:
        units.append(TransactionUnit(tuple(cur.statements), cur.in_transaction, cur.reason))
    return _view_gaps(units)


def _view_gaps(units: list[TransactionUnit]) -> tuple[TransactionUnit, ...]:
    """The units, each ``DROP VIEW`` whose view is created again in a later unit with a hazard
    saying so."""
    made = {
        st.operation.view.key: i
        for i, u in enumerate(units)
        for st in u.statements
        if isinstance(st.operation, op.CreateView)
    }
    return tuple(
        replace(u, statements=tuple(_missing_until(st, i, made) for st in u.statements))
        for i, u in enumerate(units)
    )


def _missing_until(st: Statement, unit: int, made: dict[str, int]) -> Statement:
    if not isinstance(st.operation, op.DropView) or made.get(st.operation.view.key, unit) <= unit:
        return st
    later = made[st.operation.view.key] - unit
    gap = Hazard(
        "breaking_change",
        f"the view is missing from this commit until it is created again {later} unit(s) "
        "later (a boundary the order could not avoid falls between): running code that reads "
        "it fails ('relation does not exist') in between",
    )
    return replace(st, hazards=(*st.hazards, gap))
