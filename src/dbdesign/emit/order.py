"""Statement order for the emitters that write a whole schema at once (SQLite, MySQL, the
design's down migration): dependencies first, deterministic, and never stuck on a cycle."""

from __future__ import annotations

from dbdesign.graph import CycleError, depth_first_order, topological_order


def dependency_order(deps: dict[str, set[str]]) -> list[str]:
    """Keys of ``deps`` with each one's dependencies first (unknown names are ignored); ties
    in name order; a cycle is broken by a depth-first walk."""
    graph = {n: sorted(d) for n, d in sorted(deps.items())}
    try:
        return topological_order(graph)
    except CycleError:
        return depth_first_order(graph, break_cycles=True)


def query_relations(query: str, dialect: str) -> set[str]:
    """Names of the tables and views a query reads (empty when sqlglot cannot parse it: the
    object then keeps its place in name order). sqlglot is loaded on the first call."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read=dialect)
    except Exception:
        return set()
    return {t.name for t in tree.find_all(exp.Table)}
