"""Statement groups (nodes) and the dependency order between them.

The order comes from :func:`dbdesign.graph.topological_order`, breaking ties by a fixed rank
per kind and then by key, so the same model always gives the same text. A *soft* dependency
(what a function body reads) is kept unless it closes a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbdesign.emit.pg_text import Stmt
from dbdesign.errors import DbdesignError
from dbdesign.graph import CycleError, reaches, topological_order

# Tie-break rank per node kind: among nodes whose dependencies are met, the lowest rank goes
# first, then the lowest key. This keeps related statements together and the output readable.
RANK = {
    "schema": 0,
    "extension": 1,
    "collation": 1,
    "type": 2,
    "sequence": 3,
    "function": 4,
    "aggregate": 5,
    "table": 6,
    "owned": 7,
    "index": 8,
    "fk": 9,
    "view": 10,
    "trigger": 11,
    "rule": 12,
    "policy": 13,
}


Node = tuple[int, str, str]  # (rank, key, kind)


@dataclass
class Graph:
    stmts: dict[Node, list[Stmt]] = field(default_factory=dict)
    deps: dict[Node, set[Node]] = field(default_factory=dict)
    soft: dict[Node, set[Node]] = field(default_factory=dict)  # dropped if they make a cycle

    def add(self, node: Node, stmts: list[Stmt]) -> None:
        self.stmts[node] = stmts
        self.deps.setdefault(node, set())

    def depend(self, node: Node, on: Node | None, *, soft: bool = False) -> None:
        if on is not None and on != node:
            (self.soft if soft else self.deps).setdefault(node, set()).add(on)

    def order(self) -> list[Node]:
        graph = {node: sorted(self.deps.get(node, ())) for node in self.stmts}
        # A soft edge is kept unless it closes a cycle through the edges kept so far.
        for node in sorted(self.soft):
            for on in sorted(self.soft[node]):
                if node in graph and on in graph and not reaches(graph, on, node):
                    graph[node].append(on)
        try:
            return topological_order(graph, key=lambda node: node)
        except CycleError as exc:
            cycle = " -> ".join(f"{n[2]} {n[1]}" for n in exc.nodes)
            raise DbdesignError(f"dependency cycle between objects: {cycle}") from None
