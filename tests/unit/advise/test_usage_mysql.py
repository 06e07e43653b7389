"""MySQL queries read into the advisor's usage shape (sqlglot), the MySQL workload file, and
the pieces of costing that need no server: MySQL 8's query_cost, a plan's shape, key parts."""

from __future__ import annotations

from typing import Any

import pytest

from dbdesign.advise.build_mysql import ColumnType, _shape, add_index_sql, key_sql, query_cost
from dbdesign.advise.candidates import Candidate
from dbdesign.advise.usage_mysql import mysql_usage, parse_mysql, tables_named
from dbdesign.advise.workload_mysql import parse_mysql_workload
from dbdesign.errors import ConfigError, DbdesignError, ParseError, UnsupportedError

COLUMNS = {
    "orders": ["id", "customer_id", "status", "placed_at", "note", "amount"],
    "customers": ["id", "name", "email", "region"],
}


def use(sql: str, expressions: bool = False) -> dict[str, dict[str, Any]]:
    u = mysql_usage(parse_mysql(sql), COLUMNS, expressions=expressions)
    keys = ("eq", "range", "join", "sort", "group", "read", "star", "expressions", "writes",
            "written", "fixed")  # fmt: skip
    return {
        t: {k: getattr(v, k) for k in keys if getattr(v, k)} for t, v in sorted(u.tables.items())
    }


CASES = [
    (
        "SELECT o.id, c.name FROM `orders` o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.status = 'paid' AND placed_at >= '2024-01-01' ORDER BY placed_at DESC LIMIT 10",
        {
            "customers": {"join": ["id"], "read": ["name", "id"]},
            "orders": {
                "eq": ["status"],
                "range": ["placed_at"],
                "join": ["customer_id"],
                "sort": ["placed_at"],
                "read": ["id", "customer_id", "status", "placed_at"],
            },
        },
    ),
    (
        "SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE email LIKE "
        "'ab%') AND note LIKE '%x'",
        {
            "customers": {"range": ["email"], "read": ["id", "email"]},
            "orders": {"join": ["customer_id"], "read": ["customer_id", "note"], "star": True},
        },
    ),
    (
        "SELECT region, count(*) FROM customers WHERE region BETWEEN 1 AND 3 GROUP BY region",
        {"customers": {"range": ["region"], "group": ["region"], "read": ["region"]}},
    ),
    (  # a correlated reference is a value inside the subquery
        "SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id = "
        "o.customer_id AND c.region = 3)",
        {
            "customers": {"eq": ["id", "region"], "read": ["id", "region"]},
            "orders": {"read": ["customer_id"], "star": True},
        },
    ),
    (  # each arm of an OR may use an index of its own; IS NULL is an equality
        "SELECT id FROM orders WHERE (customer_id = 1 OR amount = 5) AND note IS NULL",
        {
            "orders": {
                "eq": ["customer_id", "amount", "note"],
                "read": ["id", "customer_id", "amount", "note"],
            }
        },
    ),
    (
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.status = 'x' "
        "WHERE c.email = 'a@b'",
        {
            "customers": {"eq": ["email"], "join": ["id"], "read": ["id", "email"]},
            "orders": {
                "join": ["customer_id"],
                "read": ["customer_id", "status"],
                "writes": "update",
                "written": ["status"],
            },
        },
    ),
    (
        "DELETE FROM orders WHERE placed_at < '2020-01-01' ORDER BY placed_at LIMIT 100",
        {
            "orders": {
                "range": ["placed_at"],
                "sort": ["placed_at"],
                "read": ["placed_at"],
                "star": True,
                "writes": "delete",
            }
        },
    ),
    (
        "INSERT INTO orders (id, status) SELECT id, 'x' FROM customers WHERE region = 2",
        {"customers": {"eq": ["region"], "read": ["id", "region"]}, "orders": {"writes": "insert"}},
    ),
    (  # a column compared with another of the same table is no value predicate
        "SELECT id FROM orders WHERE amount > customer_id",
        {"orders": {"read": ["id", "amount", "customer_id"]}},
    ),
]


@pytest.mark.parametrize(("sql", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_usage(sql: str, expected: dict[str, Any]) -> None:
    assert use(sql) == expected


def test_an_expression_is_recorded_only_where_the_server_has_functional_key_parts() -> None:
    sql = "SELECT id FROM customers WHERE lower(email) = 'a@b'"
    assert use(sql) == {"customers": {"read": ["id", "email"]}}
    assert use(sql, expressions=True)["customers"]["expressions"] == [("LOWER(email)", "eq")]


def test_a_table_of_another_database_is_refused_and_ctes_are_not_tables() -> None:
    with pytest.raises(UnsupportedError, match=r"shop\.orders"):
        tables_named(parse_mysql("SELECT * FROM shop.orders"))
    tree = parse_mysql("WITH r AS (SELECT id FROM orders) SELECT * FROM r JOIN customers c")
    assert tables_named(tree) == {"orders", "customers"}
    with pytest.raises(ParseError, match="cannot parse the query as MySQL"):
        parse_mysql("SELECT FROM WHERE (")


def test_the_workload_file_weights_and_groups_queries() -> None:
    wl = parse_mysql_workload(
        "-- calls: 5\nSELECT * FROM `t` WHERE a = 1;\nSET @x = 1;\n/* x */ -- weight: 2\n"
        "select  *  from `t` where a = 1;\nDELIMITER //\nUPDATE t SET a = 2 WHERE b = 1//\n",
        file="w.sql",
    )
    assert [(q.sql, q.calls, q.label) for q in wl.queries] == [
        ("SELECT * FROM `t` WHERE a = 1", 7.0, "w.sql:2"),
        ("UPDATE t SET a = 2 WHERE b = 1", 1.0, "w.sql:7"),
    ]
    assert wl.notes == ("w.sql:3: SET left out (advice reads SELECT, INSERT, UPDATE, DELETE)",)
    with pytest.raises(ConfigError, match=r"w\.sql:2: the weight 'many' is not a number"):
        parse_mysql_workload("-- calls: many\nSELECT 1;", file="w.sql")
    assert parse_mysql_workload("CREATE TABLE t (a int);", file="d.sql").notes[-1] == (
        "d.sql: no queries (SELECT, INSERT, UPDATE, DELETE) found"
    )


# MySQL 8's EXPLAIN FORMAT=JSON, written from the documented format (no MySQL 8 server here).
MYSQL8_SELECT = {
    "query_block": {
        "select_id": 1,
        "cost_info": {"query_cost": "1234.50"},
        "table": {
            "table_name": "orders",
            "access_type": "ref",
            "key": "orders_customer_id_idx",
            "rows_examined_per_scan": 50,
            "cost_info": {"read_cost": "5.00", "eval_cost": "5.00", "prefix_cost": "10.00"},
        },
    }
}
MYSQL8_UNION = {
    "query_block": {
        "union_result": {
            "using_temporary_table": True,
            "query_specifications": [
                {"query_block": {"select_id": 1, "cost_info": {"query_cost": "10.25"}}},
                {"query_block": {"select_id": 2, "cost_info": {"query_cost": "4.75"}}},
            ],
        }
    }
}


def test_mysql_8_query_cost_of_a_select_and_of_a_union() -> None:
    assert query_cost(MYSQL8_SELECT) == 1234.5
    assert query_cost(MYSQL8_UNION) == 15.0
    with pytest.raises(DbdesignError, match="gives no cost"):
        query_cost({"query_block": {"select_id": 1, "table": {"table_name": "t"}}})


def test_a_plans_shape_leaves_out_estimates_and_measurements() -> None:
    mariadb = {
        "query_block": {
            "select_id": 1,
            "r_total_time_ms": 3.2,
            "nested_loop": [
                {
                    "table": {
                        "table_name": "t",
                        "access_type": "ref",
                        "possible_keys": ["a", "b"],
                        "key": "a",
                        "rows": 100,
                        "filtered": 50,
                        "r_rows": 97,
                    }
                }
            ],
        }
    }
    other = {"query_block": {**mariadb["query_block"], "r_total_time_ms": 9.9}}
    assert _shape(mariadb) == _shape(other)
    assert _shape(mariadb) == {
        "query_block": {
            "select_id": 1,
            "nested_loop": [{"table": {"table_name": "t", "access_type": "ref", "key": "a"}}],
        }
    }


def test_key_parts_get_the_prefixes_mysql_needs() -> None:
    types = {
        "body": ColumnType("text", 65535, False),
        "data": ColumnType("blob", 65535, True),
        "wide": ColumnType("varchar", 4000, False),
        "name": ColumnType("varchar", 400, False),
        "n": ColumnType("int", None, True),
    }
    c = Candidate("t", ("n", "name", "body", "data", "wide"))
    assert key_sql(c, types) == "`n`, `name`, `body`(191), `data`(767), `wide`(191)"
    assert key_sql(Candidate("t", ("(lower(name))",)), types) == "(lower(name))"
    assert add_index_sql("order", [("i1", "`n`"), ("i2", "`name`")]) == (
        "ALTER TABLE `order` ADD INDEX `i1` (`n`), ADD INDEX `i2` (`name`), "
        "ALGORITHM=INPLACE, LOCK=NONE"
    )
    assert not ColumnType("json", None, False).indexable


def test_times_a_measurement_cannot_tell_apart_are_one_level() -> None:
    from dbdesign.advise.build_mysql import ScratchIndexes

    wi = ScratchIndexes(None, [], [], {}, measured=True)
    assert wi._level(0, 10.0) == 10.0
    assert wi._level(0, 9.3) == 10.0  # within 10 %: the same
    assert wi._level(0, 8.5) == 8.5  # a plan that is faster
    assert wi._level(0, 8.6) == 8.5
    assert wi._level(0, 0.19) == 0.19
    assert wi._level(0, 0.205) == 0.19  # within 0.02 ms
    assert wi._level(0, 0.25) == 0.25
    assert wi._level(1, 10.0) == 10.0  # each query its own levels
