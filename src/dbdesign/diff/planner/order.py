"""Ordering: the resources operations provide, remove and need, and the order they give.

Every planned operation is a :class:`PlanStep` stating which *resources* (an object, a column, a
constraint, a relation name: ``(kind, key)`` pairs, :data:`Res`) it provides, removes, needs in
the new state and needs in the old state. :func:`order` adds an edge for each of the rules

- an operation needing ``r`` in the new state runs after the operations providing ``r``;
- an operation needing ``r`` in the old state runs before the operations removing ``r``;
- an operation providing ``r`` runs after the operations removing ``r`` (drop, then re-create);
- an operation with ``r`` in ``after_removal`` runs after the operations removing ``r``;

plus the planner's explicit edges, and :func:`dbdesign.graph.topological_order` orders the
result (ties by the phase of the operation's kind, :data:`PHASE`, then by subject, so the same
pair of schemas always gives the same text).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from dbdesign.diff import operations as op
from dbdesign.diff.operations import Operation
from dbdesign.diff.postgres_sql import runs_outside_transaction
from dbdesign.errors import DbdesignError
from dbdesign.graph import CycleError, topological_order

Res = tuple[str, str]  # (kind, key): a thing an operation provides, removes or needs

# Tie-break among operations whose dependencies are met: lower phase first.
PHASE: dict[type[Operation], int] = {
    op.RenameTable: 0,
    op.RenameType: 0,
    op.RenameColumn: 1,
    op.ProvePartitionBound: 1,
    op.DetachPartition: 2,
    op.DropInherit: 2,
    op.DropTrigger: 3,
    op.DropPolicy: 3,
    op.DropRule: 3,
    op.DropView: 4,
    op.DropConstraint: 5,
    op.DropIndex: 6,
    op.DropFunction: 7,
    op.DropTable: 8,
    op.DropVirtualTable: 8,
    op.DropColumn: 9,
    op.DropSequence: 10,
    op.DropType: 11,
    op.DropCollation: 12,
    op.DropExtension: 12,
    op.DropSchema: 13,
    op.CreateSchema: 20,
    op.CreateExtension: 21,
    op.CreateCollation: 21,
    op.CreateType: 22,
    op.AddEnumValue: 22,
    op.ReplaceType: 23,
    op.CreateSequence: 24,
    op.AlterSequence: 24,
    op.CreateFunction: 25,
    op.ReplaceFunction: 25,
    op.CreateTable: 30,
    op.CreateVirtualTable: 30,
    op.SetTableAside: 8,
    op.RestoreTable: 30,
    op.RebuildTable: 30,
    op.AddColumn: 31,
    op.SetSequenceOwner: 35,
    op.AddConstraint: 40,
    op.CreateIndex: 41,
    op.AttachPartition: 45,
    op.AddInherit: 45,
    op.CreateView: 50,
    op.ReplaceView: 50,
    op.CreateTrigger: 55,
    op.CreatePolicy: 55,
    op.CreateRule: 55,
    op.SetComment: 60,
    op.GrantPrivilege: 61,
    op.RevokePrivilege: 61,
}


@dataclass
class PlanStep:
    op: Operation
    phase: int
    provides: set[Res] = field(default_factory=set)
    removes: set[Res] = field(default_factory=set)
    uses_new: set[Res] = field(default_factory=set)
    uses_old: set[Res] = field(default_factory=set)
    after_removal: set[Res] = field(default_factory=set)  # run after whatever removes these


def order(steps: list[PlanStep], edges: list[tuple[int, int]]) -> tuple[Operation, ...]:
    """The operations of ``steps`` in an order that runs: a topological order of the graph the
    resources and the explicit ``edges`` (first, then) make, ties broken by phase, then by
    subject; statements that cannot run in a transaction are kept together."""
    providers: dict[Res, list[int]] = defaultdict(list)
    removers: dict[Res, list[int]] = defaultdict(list)
    for i, st in enumerate(steps):
        for r in st.provides:
            providers[r].append(i)
        for r in st.removes:
            removers[r].append(i)
    graph: dict[int, set[int]] = {i: set() for i in range(len(steps))}
    for i, st in enumerate(steps):
        for r in st.uses_new:
            graph[i].update(p for p in providers.get(r, ()) if p != i)
        for r in st.after_removal:
            graph[i].update(m for m in removers.get(r, ()) if m != i)
        for r in st.uses_old:
            for m in removers.get(r, ()):
                if m != i:
                    graph[m].add(i)
        for r in st.provides:
            graph[i].update(m for m in removers.get(r, ()) if m != i)
    for first, then in edges:
        graph[then].add(first)
    rank = _ranks(steps)
    try:
        ordered = topological_order(
            graph,
            key=lambda n: (rank[n], steps[n].phase, steps[n].op.subject, n),
            group=lambda n: max(rank[n], _PLAIN),
        )
    except CycleError as exc:
        cycle = " -> ".join(steps[n].op.describe() for n in exc.nodes)
        raise DbdesignError(f"cannot order the changes: dependency cycle: {cycle}") from None
    return tuple(steps[n].op for n in ordered)


# Ranks: the first part of a step's ordering key; _EARLY and _PLAIN steps make one group, each
# other rank its own (the steps of a group stay together while one of them is ready).
_EARLY, _PLAIN, _OUTSIDE, _LATE = -1, 0, 1, 2


def _ranks(steps: list[PlanStep]) -> list[int]:
    """Each step's rank.

    - Statements that cannot run in a transaction wait until nothing else is ready, so that
      they come in few runs (each run is a no-transaction migration of its own): ``_OUTSIDE``.
    - A view the plan drops and creates again must not be missing between two transactions
      (running code that reads it would fail there): its drop waits until nothing else, not
      even a no-transaction run, is ready (``_LATE``: the runs that can go before it do), and
      its re-creation, with whatever else in a transaction needs it (comments, grants,
      dependent views), comes as soon as it can (``_EARLY``: before a VALIDATE or a
      no-transaction run cuts the transaction). :func:`dbdesign.diff.framing.frame` states the
      hazard where a boundary still falls between the two.
    """
    dropped = {st.op.view.key for st in steps if isinstance(st.op, op.DropView)}
    again = {
        res
        for st in steps
        if isinstance(st.op, op.CreateView) and st.op.view.key in dropped
        for res in st.provides
    }
    out = []
    for st in steps:
        if runs_outside_transaction(st.op):
            out.append(_OUTSIDE)
        elif isinstance(st.op, op.DropView) and st.removes & again:
            out.append(_LATE)
        elif st.provides & again or st.uses_new & again:
            out.append(_EARLY)
        else:
            out.append(_PLAIN)
    return out
