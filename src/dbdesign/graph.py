"""Dependency order: the one place that sorts nodes topologically and finds the cycles that
stop it.

A graph is a mapping from each node to the nodes it depends on (they come before it), the
shape :class:`graphlib.TopologicalSorter` takes. Two rules hold for every function here:

- a dependency that is not itself a key of the mapping is ignored, and so is a node's
  dependency on itself: callers order a part of a larger whole (the tables being loaded, the
  statements being written), and an edge that leaves that part, or a table that references
  itself, constrains nothing in it;
- the result depends only on the order of the mapping and of each node's dependencies, so
  the same graph always gives the same answer (give lists or dicts, not sets of strings,
  whose order changes from run to run).

The orders match :mod:`graphlib`'s where both have one: without a key, :func:`topological_order`
is ``static_order()``, and :func:`find_cycle` returns the cycle ``CycleError`` names. The
module imports nothing else from dbdesign.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

N = TypeVar("N", bound=Hashable)

__all__ = ["CycleError", "depth_first_order", "find_cycle", "reaches", "topological_order"]


class CycleError(ValueError):
    """The graph has a cycle, so no order puts every node after its dependencies.

    ``nodes`` is the cycle, each node a dependency of the next and the first one repeated at
    the end (``a, b, a``: ``b`` depends on ``a``, ``a`` on ``b``)."""

    def __init__(self, nodes: Iterable[Any]) -> None:
        self.nodes: tuple[Any, ...] = tuple(nodes)
        super().__init__(f"dependency cycle: {' -> '.join(map(str, self.nodes))}")


def topological_order(
    graph: Mapping[N, Iterable[N]],
    key: Callable[[N], Any] | None = None,
    *,
    group: Callable[[N], Hashable] | None = None,
) -> list[N]:
    """Every node of ``graph``, each after its dependencies.

    Among the nodes whose dependencies have all come, the next is the one with the least
    ``key``; without a key (or on equal keys), the one that became ready first, the first
    being those without dependencies in the order they are first named (a node, then its
    dependencies). With ``group``, nodes of a group stay together: while a node of the
    previous node's group is ready, the next is the least of those (keys of different groups
    are compared too). Raises :class:`CycleError` naming a cycle when there is one."""
    deps = _dependencies(graph)
    dependants = _dependants(deps)
    waiting = {n: len(d) for n, d in deps.items()}
    ready: dict[Hashable, list[tuple[Any, int, N]]] = {}
    count = 0

    def push(n: N) -> None:
        nonlocal count
        entry = (None if key is None else key(n), count, n)
        heapq.heappush(ready.setdefault(None if group is None else group(n), []), entry)
        count += 1

    for n in dependants:  # graphlib's order: as first named
        if not deps[n]:
            push(n)
    out: list[N] = []
    heap: list[tuple[Any, int, N]] = []
    while True:
        if not heap:  # the previous node's group has none ready: the least of all
            heap = min((h for h in ready.values() if h), key=lambda h: h[0][:2], default=[])
            if not heap:
                break
        n = heapq.heappop(heap)[2]
        out.append(n)
        for m in dependants[n]:
            waiting[m] -= 1
            if not waiting[m]:
                push(m)
        if group is not None:
            heap = ready[group(n)]
    if len(out) < len(deps):
        cycle = _walk(dependants, stop_at_cycle=True)[1]
        assert cycle is not None  # the nodes left over wait on a cycle
        raise CycleError(cycle)
    return out


def find_cycle(graph: Mapping[N, Iterable[N]]) -> list[N] | None:
    """A cycle of ``graph`` (each node a dependency of the next, the first one repeated at the
    end), or None when it has none. It is the first one met by a depth-first walk from the
    nodes in the mapping's order through the nodes that depend on each."""
    return _walk(_dependants(_dependencies(graph)), stop_at_cycle=True)[1]


def depth_first_order(graph: Mapping[N, Iterable[N]], *, break_cycles: bool = False) -> list[N]:
    """Every node of ``graph``, each after its dependencies, as a depth-first walk from the
    nodes in the mapping's order, through each one's dependencies in their order, leaves them.

    A dependency that leads back to a node whose walk is under way closes a cycle: that
    raises :class:`CycleError` or, with ``break_cycles``, the dependency is skipped (the cycle
    is broken where the walk meets it)."""
    out, cycle = _walk(_dependencies(graph), stop_at_cycle=not break_cycles)
    if cycle is not None:
        raise CycleError(reversed(cycle))
    return out


def reaches(graph: Mapping[N, Iterable[N]], start: N, goal: N) -> bool:
    """Whether ``goal`` is ``start`` or one of its dependencies, direct or not (an edge that
    would make ``start`` depend on ``goal`` closes a cycle exactly when ``goal`` reaches
    ``start``)."""
    seen = {start}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for d in graph.get(node, ()):
            if d in graph and d not in seen:
                seen.add(d)
                stack.append(d)
    return False


def _dependencies(graph: Mapping[N, Iterable[N]]) -> dict[N, list[N]]:
    """Each node's dependencies in their order, once each, without itself and unknown ones."""
    return {n: [d for d in dict.fromkeys(ds) if d != n and d in graph] for n, ds in graph.items()}


def _dependants(deps: dict[N, list[N]]) -> dict[N, list[N]]:
    """Each node's dependants, nodes in the order they are first named (a node, then its
    dependencies) and dependants in the mapping's order: the order graphlib keeps."""
    out: dict[N, list[N]] = {}
    for n, ds in deps.items():
        out.setdefault(n, [])
        for d in ds:
            out.setdefault(d, []).append(n)
    return out


def _walk(edges: Mapping[N, list[N]], *, stop_at_cycle: bool) -> tuple[list[N], list[N] | None]:
    """A depth-first walk along ``edges`` from each node in the mapping's order: the nodes as
    it leaves them, and (with ``stop_at_cycle``, stopping there) the first cycle it meets:
    the path from the node reached again, back to that node. Without recursion, so a long
    chain does not reach Python's recursion limit."""
    out: list[N] = []
    seen: set[N] = set()
    for root in edges:
        if root in seen:
            continue
        seen.add(root)
        path = [root]
        on_path = {root: 0}
        todo: list[Iterator[N]] = [iter(edges[root])]
        while todo:
            try:
                nxt = next(todo[-1])
            except StopIteration:
                todo.pop()
                out.append(path.pop())
                del on_path[out[-1]]
                continue
            if nxt in on_path and stop_at_cycle:
                return out, [*path[on_path[nxt] :], nxt]
            if nxt not in seen:
                seen.add(nxt)
                on_path[nxt] = len(path)
                path.append(nxt)
                todo.append(iter(edges[nxt]))
    return out, None
