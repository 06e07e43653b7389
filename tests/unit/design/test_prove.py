"""The proof's parts that need no server: rows per table, parameter placeholders, and reading
MariaDB's and MySQL's JSON plans."""

from __future__ import annotations

import pytest

from dbdesign.design import design
from dbdesign.design.prove import PROOF_MAX_ROWS, PROOF_MIN_ROWS, proof_rows
from dbdesign.design.prove_mysql import _my_keys, _my_placeholders, _my_plan_text
from dbdesign.design.prove_server import percentile_index
from dbdesign.readers import spec as S
from tests.paths import ROOT


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_proof_rows_keep_the_fan_out(dialect: str) -> None:
    d = design(S.load(ROOT / "examples" / "issue_tracker.yaml"), dialect)
    rows = proof_rows(d)
    spec = {t.key.split(".")[1]: t.proof_rows for t in d.tables}
    got = {k.split(".")[1]: v for k, v in rows.items()}
    assert max(got.values()) == PROOF_MAX_ROWS
    assert all(min(spec[t], PROOF_MIN_ROWS) <= n <= PROOF_MAX_ROWS for t, n in got.items())
    # a parent keeps at least as many children per row as the spec says: 50 issues a project
    # (not one, as capping every table at the same size would give), 3 comments an issue
    assert got["issues"] / got["projects"] >= 0.4 * spec["issues"] / spec["projects"]
    assert got["comments"] / got["issues"] >= spec["comments"] / spec["issues"] - 0.01


def test_small_designs_are_generated_whole() -> None:
    d = design(S.load(ROOT / "examples" / "ecommerce.yaml"))
    rows = proof_rows(d)
    assert rows["public.categories"] == 300  # below the floor: all its rows


def test_percentile_index_matches_percentile_disc() -> None:
    # percentile_disc(0.95): the first value whose cumulative share reaches 95 %
    assert [percentile_index(n) for n in (1, 2, 19, 20, 21, 100)] == [0, 1, 18, 18, 19, 94]


def test_placeholders_leave_quoted_text_alone() -> None:
    sql = "SELECT a FROM t WHERE b = ? AND c = 'what?' AND `d?` LIKE 'x%' AND e = ?"
    assert _my_placeholders(sql) == (
        "SELECT a FROM t WHERE b = %s AND c = 'what?' AND `d?` LIKE 'x%%' AND e = %s"
    )


MARIADB = {
    "query_block": {
        "select_id": 1,
        "r_loops": 1,
        "read_sorted_file": {
            "r_rows": 3,
            "filesort": {
                "sort_key": "orders.placed_at desc",
                "table": {
                    "table_name": "orders",
                    "access_type": "ref",
                    "possible_keys": ["fk_orders_customer_id"],
                    "key": "fk_orders_customer_id",
                    "used_key_parts": ["customer_id"],
                    "rows": 3,
                    "r_rows": 3,
                    "r_total_time_ms": 0.04,
                    "attached_condition": "orders.customer_id <=> 7",
                },
            },
        },
    }
}
# MySQL 8's EXPLAIN FORMAT=JSON for an ordered, indexed lookup, written by hand (no MySQL 8 server
# can be installed here; the MySQL tests run on MariaDB): the keys and nesting follow the
# "EXPLAIN Output Format" / "Obtaining Execution Plan Information" chapters of the MySQL 8.0
# reference manual (query_block > ordering_operation > table, cost_info, used_key_parts,
# rows_examined_per_scan, backward_index_scan). Keep it to keys the manual documents.
MYSQL = {
    "query_block": {
        "select_id": 1,
        "cost_info": {"query_cost": "1.10"},
        "ordering_operation": {
            "using_filesort": False,
            "table": {
                "table_name": "orders",
                "access_type": "ref",
                "possible_keys": ["idx_orders_customer_id_placed_at"],
                "key": "idx_orders_customer_id_placed_at",
                "used_key_parts": ["customer_id"],
                "rows_examined_per_scan": 3,
                "backward_index_scan": True,
            },
        },
    }
}
MERGE = {
    "query_block": {
        "table": {
            "table_name": "t",
            "access_type": "index_merge",
            "key": "intersect(a,b)",
            "index_merge": {
                "intersect": [
                    {"range": {"key": "a", "used_key_parts": ["x"]}},
                    {"range": {"key": "b", "used_key_parts": ["y"]}},
                ]
            },
        }
    }
}


def test_mariadb_plan() -> None:
    assert list(_my_keys(MARIADB)) == ["fk_orders_customer_id"]
    lines: list[str] = []
    _my_plan_text(MARIADB, 0, lines)
    assert lines[0] == "read sorted file"
    assert "filesort by orders.placed_at desc" in lines[1]
    assert (
        "ref on orders using fk_orders_customer_id  (rows=3 actual rows=3 time=0.040 ms)"
        in (lines[2])
    )
    assert any("attached_condition: orders.customer_id <=> 7" in x for x in lines)


def test_mysql_plan() -> None:
    assert list(_my_keys(MYSQL)) == ["idx_orders_customer_id_placed_at"]
    lines: list[str] = []
    _my_plan_text(MYSQL, 0, lines)
    assert lines[0] == "ordering operation"
    assert "ref on orders using idx_orders_customer_id_placed_at  (rows=3)" in lines[1]


def test_index_merge_names_every_index() -> None:
    assert set(_my_keys(MERGE)) >= {"a", "b"}
