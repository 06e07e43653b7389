"""The MCP server's sessions on a MySQL / MariaDB database ($DBDESIGN_TEST_MYSQL_URL): every
session opens in READ ONLY transaction mode with the server's lock timeouts (and MariaDB's
statement timeout), so a write or DDL is refused by the server itself, whatever dbdesign runs
in it; the tools still read (inspect, explain)."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from dbdesign import engine
from dbdesign.mcp import safety
from dbdesign.mcp.tools import DbdesignTools
from tests.mysqlload import load_mysql, mysql_server_url

DDL = "CREATE TABLE orders (id int PRIMARY KEY, amount decimal(10,2) NOT NULL);" + "".join(
    f"INSERT INTO orders VALUES ({i}, {i}.50);" for i in range(1, 51)
)


def _scalar(conn: Any, sql: str) -> Any:
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def test_a_named_mysql_database_is_read_only_with_timeouts() -> None:
    settings = safety.McpSettings(statement_timeout_s=7, lock_timeout_s=3)
    with engine.mysql_scratch_database(mysql_server_url()) as url:
        load_mysql(url, DDL)
        tools = DbdesignTools(safety.McpSettings(databases={"shop": url}))
        conn = engine.connect_mysql(safety.session_url(settings, url), autocommit=True)
        try:
            assert _scalar(conn, "SELECT @@session.tx_read_only") == 1
            assert _scalar(conn, "SELECT @@session.lock_wait_timeout") == 3
            assert _scalar(conn, "SELECT @@session.innodb_lock_wait_timeout") == 3
            if "MariaDB" in _scalar(conn, "SELECT version()"):
                assert _scalar(conn, "SELECT @@session.max_statement_time") == 7
            for sql in ("DELETE FROM orders", "DROP TABLE orders", "CREATE TABLE t (a int)"):
                with pytest.raises(pymysql.err.OperationalError, match="READ ONLY"):
                    _scalar(conn, sql)
        finally:
            conn.close()
        writer = engine.connect_mysql(url, autocommit=True)
        try:
            assert _scalar(writer, "SELECT count(*) FROM orders") == 50
        finally:
            writer.close()
        # the tools read through such sessions
        live = tools.inspect(database="shop")
        assert [t.name.split(".")[-1] for t in live.tables] == ["orders"]
        plan = tools.explain("SELECT * FROM orders WHERE id = 7", database="shop")
        assert plan.analyzed and plan.indexes_used == ["orders.PRIMARY"]
