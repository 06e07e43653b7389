"""The MySQL / MariaDB bulk writer (dbdesign.databases.bulk_mysql) on the tests' server."""

from __future__ import annotations

from dbdesign import databases
from dbdesign.databases import bulk_mysql
from tests.mysqlload import mysql_server_url


def test_literals() -> None:
    assert [bulk_mysql.literal(v) for v in (None, True, 3, 1.5, b"\x00\xff")] == [
        "NULL",
        "1",
        "3",
        "1.5",
        "X'00ff'",
    ]
    assert bulk_mysql.literal("it's\\\n\0\x1a") == "'it\\'s\\\\\\n\\0\\Z'"


def test_insert_update_check_and_analyze() -> None:
    server = mysql_server_url()
    db = databases.get(server)
    with db.scratch(server) as url:
        conn = db.connect(url)
        try:
            assert bulk_mysql.is_connection(conn) and not bulk_mysql.is_connection(object())
            assert bulk_mysql.label(conn).startswith("mysql://")
            with conn.cursor() as cur:
                cur.execute("SELECT @@SESSION.sql_mode")
                (mode,) = cur.fetchone()
                cur.execute("CREATE TABLE p (id INT PRIMARY KEY, name TEXT)")
                cur.execute("CREATE TABLE c (id INT PRIMARY KEY, p INT REFERENCES p (id))")
                cur.execute("CREATE TABLE d (id INT AUTO_INCREMENT PRIMARY KEY)")
            with bulk_mysql.strict_session(conn) as limit, conn.cursor() as cur:
                assert 64 << 10 <= limit <= bulk_mysql.STATEMENT_BYTES
                ids = [str(i) for i in range(1, 201)]
                names = [bulk_mysql.literal(f"n{i}'") for i in range(1, 201)]
                bulk_mysql.insert_rows(cur, "p", ("id", "name"), [ids, names], 200, 100)
                bulk_mysql.insert_rows(cur, "d", (), [], 3, limit)
                with bulk_mysql.foreign_keys_unchecked(cur):
                    bulk_mysql.insert_rows(
                        cur, "c", ("id", "p"), [["1", "2"], ["1", "999"]], 2, 100
                    )
                assert bulk_mysql.orphans(conn, "c", ("p",), "p", ("id",)) == 1
                bulk_mysql.update_rows(cur, "c", ("id",), ("p",), [["2"], ["5"]], 100)
                assert bulk_mysql.orphans(conn, "c", ("p",), "p", ("id",)) == 0
                bulk_mysql.update_rows(cur, "p", ("id",), ("name",), [ids, ["'x'"] * 200], 100)
                conn.commit()
                cur.execute("SELECT count(*), count(DISTINCT name), max(name) FROM p")
                assert cur.fetchone() == (200, 1, "x")
                cur.execute("SELECT count(*) FROM d")
                assert cur.fetchone() == (3,)
            with conn.cursor() as cur:
                cur.execute("SELECT @@SESSION.sql_mode")
                assert cur.fetchone() == (mode,)  # the old session, back
            bulk_mysql.analyze(conn, ["p", "c"])
        finally:
            conn.close()
