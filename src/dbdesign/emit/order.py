"""Statement order for the emitters that write a whole schema at once (SQLite, MySQL, the
design's down migration): dependencies first, deterministic, and never stuck on a cycle."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter

import sqlglot
from sqlglot import exp


def dependency_order(deps: dict[str, set[str]]) -> list[str]:
    """Keys of ``deps`` with each one's dependencies first (unknown names are ignored); ties
    in name order; a cycle is broken by a depth-first walk."""
    graph = {n: sorted(d & deps.keys() - {n}) for n, d in sorted(deps.items())}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError:
        out: list[str] = []
        seen: set[str] = set()

        def visit(n: str) -> None:
            if n in seen:
                return
            seen.add(n)
            for d in graph[n]:
                visit(d)
            out.append(n)

        for n in graph:
            visit(n)
        return out


def query_relations(query: str, dialect: str) -> set[str]:
    """Names of the tables and views a query reads (empty when sqlglot cannot parse it: the
    object then keeps its place in name order)."""
    try:
        tree = sqlglot.parse_one(query, read=dialect)
    except Exception:
        return set()
    return {t.name for t in tree.find_all(exp.Table)}
