"""How the diff attaches a partition (issue 16): in the safe forms a live table is proven to fit
its bound first (CHECK ... NOT VALID, VALIDATE), so the ATTACH scans nothing, and the check is
dropped after it; where the bound has no CHECK form, or the table is new, partitioned or gets
its key column from the plan, the single ATTACH stays with its scan stated. Run on servers:
tests/integration/test_diff_partition_attach.py."""

from __future__ import annotations

from dbdesign.diff import Plan, diff_schemas
from dbdesign.readers.ddl.postgres import read_ddl


def plan(a: str, b: str, *, safe: bool = True) -> Plan:
    return diff_schemas(read_ddl(a), read_ddl(b), safe=safe)


def sql_lines(p: Plan) -> list[str]:
    return [s.sql for s in p.statements()]


PARENT = "CREATE TABLE p (id int, d date, r text) PARTITION BY RANGE (d);"
CHILD = "CREATE TABLE c (id int, d date, r text);"
ATTACHED = "CREATE TABLE c PARTITION OF p FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"


def test_a_live_table_is_proven_then_attached() -> None:
    p = plan(PARENT + CHILD, PARENT + ATTACHED)
    assert sql_lines(p) == [
        "ALTER TABLE public.c ADD CONSTRAINT c_dbdesign_bound CHECK (d IS NOT NULL AND "
        "d >= '2024-01-01' AND d < '2025-01-01') NOT VALID",
        "ALTER TABLE public.c VALIDATE CONSTRAINT c_dbdesign_bound",
        "ALTER TABLE public.p ATTACH PARTITION public.c FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01')",
        "ALTER TABLE public.c DROP CONSTRAINT c_dbdesign_bound",
    ]
    add, validate, attach, drop = p.statements()
    assert [h.code for h in add.hazards] == ["access_exclusive_lock"]
    assert "briefly" in add.hazards[0].message
    assert [h.code for h in validate.hazards] == ["table_scan", "may_fail"]
    assert "SHARE UPDATE EXCLUSIVE" in validate.hazards[0].message
    assert "nothing is attached" in validate.hazards[1].message
    assert [h.code for h in attach.hazards] == ["access_exclusive_lock"]
    assert "no scan" in attach.hazards[0].message
    assert [h.code for h in drop.hazards] == ["access_exclusive_lock"]
    # the VALIDATE runs after the NOT VALID's commit, in the ATTACH's transaction
    units = p.transactions()
    assert [[s.sql.split(" ")[3] for s in u.statements] for u in units] == [
        ["ADD"],
        ["VALIDATE", "ATTACH", "DROP"],
    ]
    assert [o.kind for o in p.operations] == ["prove_partition_bound", "attach_partition"]


def test_no_safe_keeps_the_single_attach() -> None:
    p = plan(PARENT + CHILD, PARENT + ATTACHED, safe=False)
    assert sql_lines(p) == [
        "ALTER TABLE public.p ATTACH PARTITION public.c FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01')"
    ]
    assert {h.code for h in p.statements()[0].hazards} == {
        "access_exclusive_lock",
        "table_scan",
        "may_fail",
    }


def test_the_check_name_fits_63_bytes() -> None:
    long = "c" * 63
    p = plan(
        PARENT + CHILD.replace(" c ", f" {long} "),
        PARENT + ATTACHED.replace(" c ", f" {long} "),
    )
    name = "c" * 48 + "_dbdesign_bound"
    assert len(name) == 63
    assert sql_lines(p)[1] == f"ALTER TABLE public.{long} VALIDATE CONSTRAINT {name}"
    assert sql_lines(p)[-1] == f"ALTER TABLE public.{long} DROP CONSTRAINT {name}"


def _single_attach(a: str, b: str) -> None:
    lines = sql_lines(plan(a, b))
    assert not any("dbdesign_bound" in x for x in lines), lines
    assert sum("ATTACH PARTITION" in x for x in lines) == 1, lines


def test_bounds_without_a_check_form_keep_the_scan() -> None:
    hashed = "CREATE TABLE p (id int, d date) PARTITION BY HASH (id);"
    _single_attach(
        hashed + "CREATE TABLE c (id int, d date);",
        hashed + "CREATE TABLE c PARTITION OF p FOR VALUES WITH (MODULUS 2, REMAINDER 0);",
    )
    _single_attach(PARENT + CHILD, PARENT + "CREATE TABLE c PARTITION OF p DEFAULT;")
    expr = "CREATE TABLE p (id int, d date, r text) PARTITION BY RANGE (lower(r));"
    _single_attach(
        expr + CHILD, expr + "CREATE TABLE c PARTITION OF p FOR VALUES FROM ('a') TO ('m');"
    )


def test_new_partitioned_or_reshaped_tables_keep_the_single_attach() -> None:
    # a table the plan creates is empty: CREATE TABLE ... PARTITION OF, nothing to prove
    assert not any("dbdesign_bound" in x for x in sql_lines(plan(PARENT, PARENT + ATTACHED)))
    # a partitioned table
    sub = "CREATE TABLE c (id int, d date, r text) PARTITION BY LIST (r);"
    _single_attach(
        PARENT + sub,
        PARENT + sub.replace(";", "") + ";"
        "ALTER TABLE p ATTACH PARTITION c FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    )
    # the key column's type changes with the attach
    _single_attach(PARENT + "CREATE TABLE c (id int, d timestamp, r text);", PARENT + ATTACHED)


def test_a_bound_change_is_proven_before_the_detach() -> None:
    narrower = ATTACHED.replace("2025-01-01", "2024-07-01")
    p = plan(PARENT + ATTACHED, PARENT + narrower)
    lines = sql_lines(p)
    assert lines[0].startswith("ALTER TABLE public.c ADD CONSTRAINT c_dbdesign_bound CHECK")
    assert lines[1:] == [
        "ALTER TABLE public.c VALIDATE CONSTRAINT c_dbdesign_bound",
        "ALTER TABLE public.p DETACH PARTITION public.c",
        "ALTER TABLE public.p ATTACH PARTITION public.c FOR VALUES FROM ('2024-01-01') TO "
        "('2024-07-01')",
        "ALTER TABLE public.c DROP CONSTRAINT c_dbdesign_bound",
    ]
    # detached and attached again in one transaction
    assert [len(u.statements) for u in p.transactions()] == [1, 4]
    back = p.reverse()
    assert "VALIDATE CONSTRAINT c_dbdesign_bound" in back.sql()


def test_a_default_partition_beside_it_is_scanned() -> None:
    default = "CREATE TABLE p_rest PARTITION OF p DEFAULT;"
    p = plan(PARENT + default + CHILD, PARENT + default + ATTACHED)
    attach = next(s for s in p.statements() if "ATTACH" in s.sql)
    assert [h.code for h in attach.hazards] == ["access_exclusive_lock", "table_scan", "may_fail"]
    assert "default partition public.p_rest" in attach.hazards[1].message
