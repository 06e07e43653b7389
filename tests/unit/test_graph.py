"""The dependency-order helper: ties, cycles, unknown and self dependencies, determinism, and
agreement with graphlib (whose orders the emitters, the diff planner, the design and datagen
kept before they moved onto it, so their output does not change)."""

from __future__ import annotations

import graphlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbdesign.graph import (
    CycleError,
    depth_first_order,
    find_cycle,
    reaches,
    topological_order,
)

# orders -> customers, orders -> products; invoices -> orders
SHOP = {
    "orders": ["customers", "products"],
    "invoices": ["orders"],
    "products": [],
    "customers": [],
}


def test_each_node_comes_after_its_dependencies() -> None:
    order = topological_order(SHOP)
    assert sorted(order) == sorted(SHOP)
    for node, deps in SHOP.items():
        assert all(order.index(d) < order.index(node) for d in deps)


def test_ties_go_to_the_least_key() -> None:
    graph = {"a": [], "b": ["d"], "c": [], "d": []}
    assert topological_order(graph, key=lambda n: n) == ["a", "c", "d", "b"]
    rank = {"a": 2, "b": 0, "c": 1, "d": 0}
    assert topological_order(graph, key=lambda n: (rank[n], n)) == ["d", "b", "c", "a"]


def test_without_a_key_nodes_come_as_they_become_ready() -> None:
    # ready first: those without dependencies, in the order they are first named
    # (b names d before c is reached); then those their completion frees, in turn
    graph = {"a": [], "b": ["d"], "c": [], "d": []}
    assert topological_order(graph) == ["a", "d", "c", "b"]
    assert topological_order(graph) == list(graphlib.TopologicalSorter(graph).static_order())


def test_equal_keys_keep_the_order_they_became_ready() -> None:
    graph = {"x": [], "y": [], "z": ["x"]}
    assert topological_order(graph, key=lambda n: 0) == ["x", "y", "z"]


def test_a_group_stays_together_while_it_has_nodes_ready() -> None:
    # o1 and o2 run outside a transaction: once o1 runs, o2 follows before i1
    graph = {"o1": [], "i1": [], "o2": [], "i2": ["o2"]}
    outside = {"i1": False, "i2": False, "o1": True, "o2": True}
    key = {"o1": 0, "i1": 1, "o2": 2, "i2": 3}
    assert topological_order(graph, key=key.__getitem__) == ["o1", "i1", "o2", "i2"]
    grouped = topological_order(graph, key=key.__getitem__, group=outside.__getitem__)
    assert grouped == ["o1", "o2", "i1", "i2"]


def test_a_cycle_is_reported_with_its_nodes() -> None:
    graph = {"a": ["c"], "b": ["a"], "c": ["b"], "d": []}
    with pytest.raises(CycleError) as exc:
        topological_order(graph)
    # each node a dependency of the next, the first one repeated at the end
    assert exc.value.nodes == ("a", "b", "c", "a")
    assert "a -> b -> c -> a" in str(exc.value)
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle(SHOP) is None


def test_the_cycle_named_is_graphlibs() -> None:
    graph = {"a": ["b"], "b": ["c", "a"], "c": ["b"]}
    with pytest.raises(graphlib.CycleError) as exc:
        graphlib.TopologicalSorter(graph).prepare()
    assert find_cycle(graph) == exc.value.args[1]


def test_unknown_and_self_dependencies_are_ignored() -> None:
    # a table referencing itself, or one outside the tables being ordered, constrains nothing
    graph = {"b": ["b", "elsewhere", "a"], "a": ["a"]}
    assert topological_order(graph) == ["a", "b"]
    assert depth_first_order(graph) == ["a", "b"]
    assert find_cycle(graph) is None
    assert "elsewhere" not in topological_order(graph, key=str)


def test_depth_first_order_follows_the_walk() -> None:
    graph = {"a": ["c"], "b": [], "c": []}
    assert depth_first_order(graph) == ["c", "a", "b"]


def test_depth_first_order_refuses_or_breaks_a_cycle() -> None:
    graph = {"x": ["a"], "a": ["b"], "b": ["a"]}
    with pytest.raises(CycleError) as exc:
        depth_first_order(graph)
    assert exc.value.nodes == ("a", "b", "a")  # a is the node the walk reached again
    assert depth_first_order(graph, break_cycles=True) == ["b", "a", "x"]


def test_reaches() -> None:
    assert reaches(SHOP, "invoices", "customers")
    assert not reaches(SHOP, "customers", "invoices")
    assert reaches(SHOP, "orders", "orders")


def test_the_same_graph_gives_the_same_order() -> None:
    graph = {f"t{i:03}": [f"t{j:03}" for j in range(i % 7, i, 5)] for i in range(200)}
    first = topological_order(graph)
    assert all(topological_order(dict(graph)) == first for _ in range(3))
    assert topological_order(graph, key=str) == topological_order(graph, key=str)


def test_a_long_chain_needs_no_recursion() -> None:
    n = 10_000
    chain = {i: [i - 1] if i else [] for i in range(n)}
    assert topological_order(chain) == list(range(n))
    assert topological_order(chain, key=lambda i: -i) == list(range(n))
    assert depth_first_order(chain) == list(range(n))
    assert find_cycle(chain) is None
    chain[0] = [n - 1]
    assert find_cycle(chain) == [*range(n), 0]
    with pytest.raises(CycleError):
        depth_first_order(chain)
    assert len(depth_first_order(chain, break_cycles=True)) == n


graphs = st.integers(1, 9).flatmap(
    lambda n: st.dictionaries(
        st.integers(0, n - 1), st.lists(st.integers(0, n), max_size=4), min_size=1
    )
)


@given(graphs)
@settings(max_examples=300, deadline=None)
def test_it_agrees_with_graphlib(graph: dict[int, list[int]]) -> None:
    known = {n: [d for d in dict.fromkeys(ds) if d != n and d in graph] for n, ds in graph.items()}
    try:
        expected = list(graphlib.TopologicalSorter(known).static_order())
    except graphlib.CycleError as exc:
        assert find_cycle(graph) == exc.args[1]
        with pytest.raises(CycleError):
            topological_order(graph)
    else:
        assert topological_order(graph) == expected
        assert find_cycle(graph) is None
        by_key = topological_order(graph, key=lambda n: -n)
        assert sorted(by_key) == sorted(graph)
        assert all(by_key.index(d) < by_key.index(n) for n, ds in known.items() for d in ds)
