"""The CHECK a partition bound is written as (:mod:`dbdesign.emit.pg_bounds`, used by the
migration lint's MIG039 fix and by the diff's safe ATTACH PARTITION) is right on real servers
(the embedded PostgreSQL 16 and $DBDESIGN_TEST_PG_URL):

- it admits exactly the rows the server's own partition constraint admits
  (``pg_get_partition_constraintdef`` after the attach), over a grid of values around the
  bound's edges, NULLs included;
- once validated, it proves the bound: ATTACH PARTITION does not scan the table (the server
  says "partition constraint for table ... is implied by existing constraints" at DEBUG1).
"""

from __future__ import annotations

import itertools

import psycopg
from psycopg import sql

from dbdesign.emit.pg_bounds import partition_bound_check
from dbdesign.model import Expr
from dbdesign.readers.ddl.postgres import read_ddl

# (columns, partition key, bound)
CASES = [
    ("a int", "RANGE (a)", "FROM (1) TO (10)"),
    ("a int", "RANGE (a)", "FROM (MINVALUE) TO (10)"),
    ("a bigint", "RANGE (a)", "FROM (-5) TO (MAXVALUE)"),
    ("a int, b int", "RANGE (a, b)", "FROM (1, 10) TO (2, 20)"),
    ("a int, b int", "RANGE (a, b)", "FROM (1, 10) TO (1, 20)"),
    ("a int, b int, c int", "RANGE (a, b, c)", "FROM (1, 2, 3) TO (1, 5, 1)"),
    ("a int, b int, c int", "RANGE (a, b, c)", "FROM (1, 2, 3) TO (3, 1, 2)"),
    ("a int, b int", "RANGE (a, b)", "FROM (1, MINVALUE) TO (2, MAXVALUE)"),
    ("a int, b int", "RANGE (a, b)", "FROM (1, MAXVALUE) TO (3, MINVALUE)"),
    ("a int, b int", "RANGE (a, b)", "FROM (MINVALUE, MINVALUE) TO (2, 5)"),
    ("a int, b bigint", "RANGE (a, b)", "FROM (0, 5) TO (MAXVALUE, MAXVALUE)"),
    ("a int, b int, c int", "RANGE (a, b, c)", "FROM (1, 2, MINVALUE) TO (2, MAXVALUE, MAXVALUE)"),
    ("a date, b text", "RANGE (a, b)", "FROM ('2024-01-01', 'm') TO ('2024-01-01', 't')"),
    ("a int", "LIST (a)", "IN (1, 2, 3)"),
    ("a int", "LIST (a)", "IN (NULL, 2)"),
    ("a int", "LIST (a)", "IN (NULL)"),
    ("a text", "LIST (a)", "IN ('x', 'y')"),
]
VALUES: dict[str, list[object]] = {
    "int": [None, -6, -5, 0, 1, 2, 3, 5, 9, 10, 11, 20, 21],
    "bigint": [None, -6, -5, 0, 1, 2, 4, 5, 6],
    "text": [None, "a", "m", "n", "t", "x", "y", "z"],
    "date": [None, "2023-12-31", "2024-01-01", "2024-01-02"],
}
IMPLIED = "is implied by existing constraints"


def test_bound_checks_admit_the_bounds_rows_and_spare_the_scan(pg_scratch: str) -> None:
    problems = []
    with psycopg.connect(pg_scratch, autocommit=True) as conn:
        notices: list[str] = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary or ""))
        for k, (cols, key, bound) in enumerate(CASES):
            ddl = f"CREATE TABLE p{k} ({cols}) PARTITION BY {key}; CREATE TABLE c{k} ({cols});"
            pby = read_ddl(ddl).tables[f"public.p{k}"].partition_by
            check = partition_bound_check(pby, Expr(text=f"FOR VALUES {bound}"))
            assert check is not None, (key, bound)
            conn.execute(ddl.encode())
            types = [c.split()[1] for c in cols.split(", ")]
            grid = list(itertools.product(*(VALUES[t] for t in types)))
            conn.execute(f"CREATE TEMP TABLE g{k} AS SELECT * FROM c{k} WITH NO DATA".encode())
            marks = sql.SQL(", ").join([sql.Placeholder()] * len(types))
            with conn.cursor() as cur:
                cur.executemany(
                    sql.SQL("INSERT INTO {} VALUES ({})").format(sql.Identifier(f"g{k}"), marks),
                    grid,
                )
            conn.execute(
                f"INSERT INTO c{k} SELECT * FROM g{k} WHERE ({check}) IS NOT FALSE".encode()
            )
            conn.execute(
                f"ALTER TABLE c{k} ADD CONSTRAINT c{k}_b CHECK ({check}) NOT VALID".encode()
            )
            conn.execute(f"ALTER TABLE c{k} VALIDATE CONSTRAINT c{k}_b".encode())
            notices.clear()
            conn.execute(b"SET client_min_messages = debug1")
            conn.execute(f"ALTER TABLE p{k} ATTACH PARTITION c{k} FOR VALUES {bound}".encode())
            conn.execute(b"RESET client_min_messages")
            row = conn.execute(
                f"SELECT pg_get_partition_constraintdef('c{k}'::regclass)".encode()
            ).fetchone()
            assert row is not None
            differ = conn.execute(
                f"SELECT count(*) FROM g{k} WHERE (({check}) IS NOT FALSE) "
                f"<> (({row[0]}) IS NOT FALSE)".encode()
            ).fetchone()
            if differ is None or differ[0]:
                problems.append(f"{key} {bound}: {check} differs from {row[0]} on {differ} rows")
            if not any(IMPLIED in n for n in notices):
                problems.append(f"{key} {bound}: ATTACH scanned ({notices}) despite {check}")
    assert not problems, "\n".join(problems)
