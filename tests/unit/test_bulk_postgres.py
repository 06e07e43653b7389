"""The PostgreSQL bulk writer (dbdesign.databases.bulk_postgres) on each test server."""

from __future__ import annotations

from dbdesign import databases
from dbdesign.databases import bulk_postgres


def test_copy_update_and_analyze(pg_scratch: str) -> None:
    conn = databases.get(pg_scratch).connect(pg_scratch)
    try:
        assert bulk_postgres.is_connection(conn) and not bulk_postgres.is_connection(object())
        assert bulk_postgres.label(conn).startswith("postgresql://")
        assert ":" not in bulk_postgres.label(conn).split("@")[0].removeprefix("postgresql://")
        with conn.transaction():
            conn.execute('CREATE TABLE public."T t" (id int PRIMARY KEY, "N" text)')
            with bulk_postgres.copy_rows(conn, "public", "T t", ("id", "N")) as write:
                write([["1", "2"], ["a\\tb", "\\N"]], 2)
                write([["3"], ["c"]], 1)
            bulk_postgres.update_rows(conn, "public", "T t", ("N",), ("id",), [("z", 2)])
        rows = conn.execute('SELECT id, "N" FROM public."T t" ORDER BY id').fetchall()
        assert rows == [(1, "a\tb"), (2, "z"), (3, "c")]
        bulk_postgres.analyze(conn, [("public", "T t")])
        analyzed = conn.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"
        ).fetchone()
        assert analyzed == (1,)
    finally:
        conn.close()
