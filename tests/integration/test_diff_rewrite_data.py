"""Table rewrites state their data effects and are gated like every other destructive change.

The issue: a plain column that becomes ``GENERATED ... STORED`` while columns are also reordered
was migrated through a table rebuild that silently replaced the stored values (no ``data_loss``
hazard, no refusal), where the same change without a reorder was refused with exit 3. Every path
that rewrites a table (rebuild, type change, partitioning change) must say what it deletes, and
``dbdesign diff`` must refuse it (exit 3) without ``--allow-destructive``.

Each case loads A into a scratch database on the embedded PostgreSQL 16 and on PostgreSQL 15
(``pg_scratch``), inserts rows, diffs the live database against B, and applies the plan.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api
from dbdesign.diff import Plan, diff_schemas
from dbdesign.diff import operations as op
from dbdesign.engine import connect
from dbdesign.model import DataType
from dbdesign.readers.catalog.postgres import read_catalog
from tests.diffcheck import apply_plan, show_differences
from tests.pgload import load_sql

# the reproduction
GEN_A = "CREATE TABLE g (adding int, removing int GENERATED ALWAYS AS (1) STORED);\n"
GEN_B = "CREATE TABLE g (adding int GENERATED ALWAYS AS (1) STORED, removing int);\n"
# the same change without a reorder (DROP + ADD of the column)
LAST_A = "CREATE TABLE g (keep int, adding int);\n"
LAST_B = "CREATE TABLE g (keep int, adding int GENERATED ALWAYS AS (1) STORED);\n"
# a pure reorder with a new column in the middle: a rebuild that must keep every value
ORDER_A = """CREATE TABLE r (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    price numeric(10, 2),
    ok boolean DEFAULT true,
    twice numeric GENERATED ALWAYS AS (price * 2) STORED
);
"""
ORDER_B = """CREATE TABLE r (
    price numeric(10, 2),
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    added int DEFAULT 7,
    ok boolean DEFAULT true,
    name text NOT NULL,
    twice numeric GENERATED ALWAYS AS (price * 2) STORED
);
"""
# a rebuild in which no column carries over: the rows must still be copied
NONE_A = "CREATE TABLE t (a int, x int GENERATED ALWAYS AS (2) STORED);\n"
NONE_B = (
    "CREATE TABLE t (b int DEFAULT 7 NOT NULL, a int GENERATED ALWAYS AS (1) STORED,"
    " x int GENERATED ALWAYS AS (2) STORED);\n"
)
# a narrowing type change inside a rebuild
NARROW_A = "CREATE TABLE n (a int, b bigint);\n"
NARROW_B = "CREATE TABLE n (c int, a int, b int);\n"
# a table that becomes partitioned is dropped and created again
PART_A = "CREATE TABLE p (id int, at date);\n"
PART_B = "CREATE TABLE p (id int, at date) PARTITION BY RANGE (at);\n"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=300
    )


def write(tmp: Path, name: str, text: str) -> str:
    p = tmp / name
    p.write_text(text)
    return str(p)


def hazards(plan: Plan, code: str) -> list[tuple[str, str]]:
    """(operation description, hazard message) of every hazard with ``code``."""
    return [
        (st.operation.describe(), h.message)
        for st in plan.statements()
        for h in st.hazards
        if h.code == code
    ]


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with connect(url, autocommit=True) as conn:
        return [tuple(r) for r in conn.execute(sql.encode()).fetchall()]


def converge(url: str, plan: Plan, b_text: str, tmp: Path) -> None:
    apply_plan(url, plan, "A -> B")
    after, want = read_catalog(url), api.read(write(tmp, "want.sql", b_text))
    assert after == want, show_differences(after, want)


# --------------------------------------------------------------------------- the issue


def test_generated_with_reorder_states_data_loss(pg_scratch: str, tmp_path: Path) -> None:
    load_sql(pg_scratch, GEN_A + "INSERT INTO g (adding) VALUES (42), (NULL), (-5);\n")
    plan = diff_schemas(
        read_catalog(pg_scratch), api.read(write(tmp_path, "b.sql", GEN_B)), column_order=True
    )
    kinds = [o.kind for o in plan.operations]
    assert "rebuild_table" in kinds, plan.text()
    assert plan.destructive, plan.text()
    losses = hazards(plan, "data_loss")
    assert len(losses) == 1, plan.text()
    (described, message) = losses[0]
    assert "column adding" in message and "generated" in message, message
    assert "removing" not in message, message  # it keeps its values (generated -> plain)
    assert "column adding" in described

    # with --allow-destructive: the migration applies and did what the hazard said
    converge(pg_scratch, plan, GEN_B, tmp_path)
    assert sorted(rows(pg_scratch, "SELECT adding, removing FROM g")) == [(1, 1)] * 3


def test_cli_refuses_the_rebuild_with_exit_3_and_applies_with_the_flag(
    pg_scratch: str, tmp_path: Path
) -> None:
    load_sql(pg_scratch, GEN_A + "INSERT INTO g (adding) VALUES (42);\n")
    a, b = write(tmp_path, "a.sql", GEN_A), write(tmp_path, "b.sql", GEN_B)
    for source in (a, pg_scratch):
        r = run_cli("diff", source, b, "--column-order")
        assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
        assert r.stdout == ""  # no SQL
        assert "deletes data" in r.stderr and "column adding" in r.stderr, r.stderr
        assert "--allow-destructive" in r.stderr
    r = run_cli("diff", a, b, "--format", "text", "--column-order")
    assert r.returncode == 3, r.stderr
    assert "data_loss: deletes the stored values of column adding" in r.stdout, r.stdout

    r = run_cli("diff", pg_scratch, b, "--allow-destructive", "--column-order")
    assert r.returncode == 1, r.stderr
    assert "-- hazards: access_exclusive_lock, data_loss, table_rewrite" in r.stdout
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(r.stdout.encode())
    assert rows(pg_scratch, "SELECT adding, removing FROM g") == [(1, 1)]
    assert run_cli("diff", pg_scratch, b, "--column-order").returncode == 0


def test_same_change_without_reorder_still_refused(pg_scratch: str, tmp_path: Path) -> None:
    load_sql(pg_scratch, LAST_A + "INSERT INTO g VALUES (1, 42);\n")
    b = write(tmp_path, "b.sql", LAST_B)
    plan = diff_schemas(read_catalog(pg_scratch), api.read(b))
    assert "rebuild_table" not in [o.kind for o in plan.operations]
    assert plan.destructive
    assert any(d.endswith("g.adding") for d, _ in hazards(plan, "data_loss")), plan.text()
    r = run_cli("diff", pg_scratch, b)
    assert r.returncode == 3 and "deletes data" in r.stderr, (r.returncode, r.stderr)
    converge(pg_scratch, plan, LAST_B, tmp_path)
    assert rows(pg_scratch, "SELECT keep, adding FROM g") == [(1, 1)]


def test_pure_reorder_keeps_every_value(pg_scratch: str, tmp_path: Path) -> None:
    load_sql(
        pg_scratch,
        ORDER_A + "INSERT INTO r (name, price, ok) VALUES ('a', 1.50, false), ('b', NULL, NULL),"
        " ('c''s', -3.25, true);\n",
    )
    select = "SELECT id, name, price, ok, twice FROM r ORDER BY id"
    before = rows(pg_scratch, select)
    b = write(tmp_path, "b.sql", ORDER_B)
    plan = diff_schemas(read_catalog(pg_scratch), api.read(b), column_order=True)
    assert "rebuild_table" in [o.kind for o in plan.operations], plan.text()
    assert not plan.destructive and not hazards(plan, "data_loss"), plan.text()
    r = run_cli("diff", pg_scratch, b, "--column-order")
    assert r.returncode == 1, r.stderr  # a difference, not a refusal
    converge(pg_scratch, plan, ORDER_B, tmp_path)
    assert rows(pg_scratch, select) == before
    assert rows(pg_scratch, "SELECT DISTINCT added FROM r") == [(7,)]
    # the identity continues after the copied values
    load_sql(pg_scratch, "INSERT INTO r (name) VALUES ('d');\n")
    assert rows(pg_scratch, "SELECT max(id) FROM r") == [(4,)]


def test_rebuild_without_copied_columns_keeps_the_rows(pg_scratch: str, tmp_path: Path) -> None:
    load_sql(pg_scratch, NONE_A + "INSERT INTO t (a) VALUES (5), (6);\n")
    plan = diff_schemas(
        read_catalog(pg_scratch), api.read(write(tmp_path, "b.sql", NONE_B)), column_order=True
    )
    assert "rebuild_table" in [o.kind for o in plan.operations], plan.text()
    assert plan.destructive
    assert [m for _, m in hazards(plan, "data_loss") if "column a " in m], plan.text()
    converge(pg_scratch, plan, NONE_B, tmp_path)
    assert rows(pg_scratch, "SELECT b, a, x FROM t") == [(7, 1, 2), (7, 1, 2)]


def test_narrowing_inside_a_rebuild_is_destructive(pg_scratch: str, tmp_path: Path) -> None:
    load_sql(pg_scratch, NARROW_A + "INSERT INTO n VALUES (1, 2), (3, NULL);\n")
    b = write(tmp_path, "b.sql", NARROW_B)
    plan = diff_schemas(read_catalog(pg_scratch), api.read(b), column_order=True)
    assert "rebuild_table" in [o.kind for o in plan.operations], plan.text()
    assert plan.destructive
    assert [m for _, m in hazards(plan, "data_loss") if "column b (narrowing" in m], plan.text()
    assert [m for _, m in hazards(plan, "may_fail") if "column b does not convert" in m]
    assert run_cli("diff", pg_scratch, b, "--column-order").returncode == 3
    converge(pg_scratch, plan, NARROW_B, tmp_path)
    assert sorted(rows(pg_scratch, "SELECT c, a, b FROM n"), key=str) == [
        (None, 1, 2),
        (None, 3, None),
    ]
    # values that do not fit: the copy fails (as the may_fail hazard says) and nothing changes
    load_sql(pg_scratch, "DROP TABLE n;\n" + NARROW_A + "INSERT INTO n VALUES (1, 1e12);\n")
    with pytest.raises(BaseException, match="out of range"):
        apply_plan(pg_scratch, plan, "A -> B")
    assert rows(pg_scratch, "SELECT a, b FROM n") == [(1, 10**12)]


def test_partitioning_change_states_that_rows_go(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.sql", PART_A), write(tmp_path, "b.sql", PART_B)
    plan = diff_schemas(api.read(a), api.read(b))
    assert plan.destructive
    assert any("every row" in m for _, m in hazards(plan, "data_loss")), plan.text()
    r = run_cli("diff", a, b)
    assert r.returncode == 3, r.stderr
    assert "drop table public.p (it becomes partitioned; created again empty)" in r.stderr


# --------------------------------------------------------------------------- found by
# tests/property/test_diff_data_preserved.py


def test_integer_into_a_small_numeric_is_narrowing(pg_scratch: str, tmp_path: Path) -> None:
    """integer -> numeric(10,2) holds 8 integer digits, not 10: a narrowing conversion."""
    int_, bigint = DataType(name="integer"), DataType(name="bigint")
    assert not op.lossless(int_, DataType(name="numeric", args=(10, 2)))
    assert op.lossless(int_, DataType(name="numeric", args=(12, 2)))
    assert op.lossless(bigint, DataType(name="numeric", args=(19,)))
    assert not op.lossless(bigint, DataType(name="numeric", args=(20, 2)))
    assert op.lossless(int_, DataType(name="numeric"))
    load_sql(pg_scratch, "CREATE TABLE n (a int);\nINSERT INTO n VALUES (2147483647);\n")
    b_text = "CREATE TABLE n (a numeric(10, 2));\n"
    plan = diff_schemas(read_catalog(pg_scratch), api.read(write(tmp_path, "b.sql", b_text)))
    assert plan.destructive and hazards(plan, "may_fail"), plan.text()
    with pytest.raises(BaseException, match="numeric field overflow"):
        apply_plan(pg_scratch, plan, "A -> B")


def test_generated_to_plain_with_new_type_and_default(pg_scratch: str, tmp_path: Path) -> None:
    """DROP EXPRESSION comes before the type change and the default (a generated column takes
    no default): the stored values stay."""
    load_sql(
        pg_scratch,
        "CREATE TABLE t (rid int, a int GENERATED ALWAYS AS (rid * 2) STORED);\n"
        "INSERT INTO t (rid) VALUES (1), (2);\n",
    )
    b_text = "CREATE TABLE t (rid int, a bigint NOT NULL DEFAULT 1000);\n"
    plan = diff_schemas(read_catalog(pg_scratch), api.read(write(tmp_path, "b.sql", b_text)))
    kinds = [o.kind for o in plan.operations]
    assert kinds.index("drop_expression") < kinds.index("alter_column_type"), kinds
    assert not plan.destructive, plan.text()
    converge(pg_scratch, plan, b_text, tmp_path)
    assert rows(pg_scratch, "SELECT rid, a FROM t ORDER BY rid") == [(1, 2), (2, 4)]


def test_new_generated_column_states_that_it_may_fail(pg_scratch: str, tmp_path: Path) -> None:
    """Computing a new generated column for existing rows can fail (an overflow here), in a
    rebuild and in ADD COLUMN alike."""
    load_sql(pg_scratch, "CREATE TABLE t (a int, b int);\nINSERT INTO t VALUES (2147483647, 1);\n")
    for b_text, rebuild in (
        ("CREATE TABLE t (b int, a int, c int GENERATED ALWAYS AS (a + 1) STORED);\n", True),
        ("CREATE TABLE t (a int, b int, c int GENERATED ALWAYS AS (a + 1) STORED);\n", False),
    ):
        b_model = api.read(write(tmp_path, "b.sql", b_text))
        plan = diff_schemas(read_catalog(pg_scratch), b_model, column_order=rebuild)
        assert ("rebuild_table" in [o.kind for o in plan.operations]) is rebuild, plan.text()
        assert [m for _, m in hazards(plan, "may_fail") if "fails" in m], plan.text()
        with pytest.raises(BaseException, match="integer out of range"):
            apply_plan(pg_scratch, plan, "A -> B")
