"""The diff's own migrations are safe on a live PostgreSQL (issue 16, "dbdesign obeys its own
rules"), on the embedded PostgreSQL 16 and the machine's PostgreSQL 15:

- the printed script is framed into the fewest safe transactions (NOT VALID commits before its
  VALIDATE, CONCURRENTLY outside a transaction, ADD VALUE in one until the value is used) and
  psql itself applies it, converging on the target;

- a column-order-only difference does not rebuild the table: nothing is emitted for the order,
  a note says so, and the table is not rewritten (its relfilenode stays); ``column_order=True``
  / ``--column-order`` asks for the rebuild (relfilenode changes);
- an index whose definition changes is built again before the old one is dropped (under a
  temporary name, then renamed), CONCURRENTLY or not: after every statement the table has a
  valid index of that definition or of the old one;
- a view that only gains columns at the end is replaced in place (CREATE OR REPLACE VIEW): the
  views over it are not dropped (their OIDs stay);
- identity changes and reordered identity columns are plain ALTERs, no rebuild; a changed
  trigger is DROP + CREATE TRIGGER;
- the lock levels the hazard texts name are the ones the server takes (pg_locks, read from a
  second session while the statement's transaction is open).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

from dbdesign import engine
from dbdesign.diff import Plan, diff_schemas
from dbdesign.engine import connect
from dbdesign.model import FrozenMap, Schema
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl
from tests.diffcheck import apply_plan, show_differences
from tests.pgload import load_sql


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=300
    )


def one(url: str, sql: str) -> Any:
    with connect(url, autocommit=True) as conn:
        return conn.execute(sql.encode()).fetchone()[0]  # type: ignore[index]


def relfilenode(url: str, rel: str) -> int:
    return int(one(url, f"SELECT pg_relation_filenode('{rel}')"))


def oid(url: str, rel: str) -> int:
    return int(one(url, f"SELECT '{rel}'::regclass::oid"))


def in_order(schema: Schema, table: str, names: tuple[str, ...]) -> Schema:
    t = schema.tables[table]
    by_name = {c.name: c for c in t.columns}
    t = dataclasses.replace(t, columns=tuple(by_name[n] for n in names))
    return dataclasses.replace(schema, tables=FrozenMap({**schema.tables, table: t}))


def converges(url: str, plan: Plan, want: Schema) -> None:
    apply_plan(url, plan, "A -> B")
    after = read_catalog(url)
    assert after == want, show_differences(after, want)
    assert diff_schemas(after, want).is_empty


def kinds(plan: Plan) -> list[str]:
    return [o.kind for o in plan.operations]


def sql_lines(plan: Plan) -> list[str]:
    return [s.sql for s in plan.statements()]


def locks(url: str, sql: str, setup: str = "") -> set[tuple[str, str]]:
    """(relation, lock mode) the statement's transaction holds, read from a second session."""
    with connect(url) as conn, connect(url, autocommit=True) as other:
        if setup:
            conn.execute(setup.encode())
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        conn.execute(sql.encode())
        got = other.execute(
            "SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND c.relnamespace = 'public'::regnamespace",
            (pid,),
        ).fetchall()
        conn.rollback()
    return {(r, m) for r, m in got}


# --------------------------------------------------------------------------- column order

ORDER_A = """
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE t (a int PRIMARY KEY, b text, c int REFERENCES p);
CREATE TABLE r (tid int REFERENCES t);
INSERT INTO p VALUES (1); INSERT INTO t VALUES (1, 'x', 1), (2, 'y', NULL);
INSERT INTO r VALUES (1);
"""
# c before b, and a new column in the middle: ALTER TABLE can only append
ORDER_B = """
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE t (a int PRIMARY KEY, n int, c int REFERENCES p, b text);
CREATE TABLE r (tid int REFERENCES t);
"""
ORDER_ONLY_B = ORDER_A.split("INSERT")[0].replace(
    "b text, c int REFERENCES p", "c int REFERENCES p, b text"
)


def test_column_order_does_not_rebuild_by_default(pg_scratch: str) -> None:
    load_sql(pg_scratch, ORDER_A)
    before = relfilenode(pg_scratch, "t")
    plan = diff_schemas(read_catalog(pg_scratch), read_ddl(ORDER_B))
    assert kinds(plan) == ["add_column"], plan.sql()
    assert not any("RENAME" in s or "INSERT" in s for s in sql_lines(plan)), plan.sql()
    assert dict(plan.order_left) == {"public.t": ("a", "b", "c", "n")}
    (note,) = plan.notes
    assert note.startswith(
        "public.t: ALTER TABLE would leave the columns in the order (a, b, c, n)"
    )
    assert "--column-order" in note and "ACCESS EXCLUSIVE" in note
    assert f"-- note: {note}" in plan.sql()
    assert f"note: {note}" in plan.text()
    assert plan.as_json()["notes"] == [note]
    want = in_order(read_catalog_of(ORDER_B, pg_scratch), "public.t", ("a", "b", "c", "n"))
    apply_plan(pg_scratch, plan, "A -> B")
    after = read_catalog(pg_scratch)
    assert after == want, show_differences(after, want)
    assert relfilenode(pg_scratch, "t") == before  # not rewritten
    assert one(pg_scratch, "SELECT count(*) FROM t") == 2
    # the second diff is empty: the order is the only difference left, and it is a note
    again = diff_schemas(after, read_ddl(ORDER_B))
    assert again.is_empty and again.notes, again.sql()


def read_catalog_of(ddl: str, server_db: str) -> Schema:
    """The catalog model of ``ddl`` loaded into a fresh database beside ``server_db``."""
    from dbdesign import engine

    with engine.scratch_database(server_db) as url:
        load_sql(url, ddl)
        return read_catalog(url)


def test_column_order_rebuilds_when_asked(pg_scratch: str) -> None:
    load_sql(pg_scratch, ORDER_A)
    before = relfilenode(pg_scratch, "t")
    want = read_catalog_of(ORDER_B, pg_scratch)
    plan = diff_schemas(read_catalog(pg_scratch), want, column_order=True)
    assert "rebuild_table" in kinds(plan) and not plan.notes and not plan.order_left
    rebuild = next(s for s in plan.statements() if s.sql.startswith("INSERT INTO"))
    assert {h.code for h in rebuild.hazards} >= {"access_exclusive_lock", "table_rewrite"}
    assert plan.reverse().column_order
    converges(pg_scratch, plan, want)
    assert relfilenode(pg_scratch, "t") != before  # a new table
    assert one(pg_scratch, "SELECT count(*) FROM t") == 2


def test_cli_column_order_flag(pg_scratch: str, tmp_path: Path) -> None:
    load_sql(pg_scratch, ORDER_A)
    b = tmp_path / "b.sql"
    b.write_text(ORDER_ONLY_B)
    r = run_cli("diff", pg_scratch, str(b))
    assert r.returncode == 0 and r.stdout == "", (r.returncode, r.stdout, r.stderr)
    assert "note: public.t: ALTER TABLE would leave the columns in the order (a, b, c)" in r.stderr
    r = run_cli("diff", pg_scratch, str(b), "--column-order")
    assert r.returncode == 1, r.stderr
    assert "ALTER TABLE public.t RENAME TO t__dbdesign_rebuild;" in r.stdout
    assert (
        "INSERT INTO public.t (a, c, b) SELECT a, c, b FROM public.t__dbdesign_rebuild;" in r.stdout
    )
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(r.stdout.encode())
    assert run_cli("diff", pg_scratch, str(b), "--column-order").returncode == 0
    assert (
        one(
            pg_scratch,
            "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
            "WHERE attrelid = 't'::regclass AND attnum > 0 AND NOT attisdropped",
        )
        == "a,c,b"
    )


# --------------------------------------------------------------------------- indexes

IX_A = """
CREATE TABLE t (a int, b int);
CREATE INDEX t_i ON t (a);
CREATE INDEX t_old ON t (b);
INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
"""
IX_B = """
CREATE TABLE t (a int, b int);
CREATE UNIQUE INDEX t_i ON t (a, b);
COMMENT ON INDEX t_i IS 'both';
CREATE INDEX t_new ON t (b, a);
"""


def _indexes(url: str) -> dict[str, str]:
    with connect(url, autocommit=True) as conn:
        return {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 't'::regclass "
                "AND i.indisvalid"
            ).fetchall()
        }


def _check_index_swap(url: str, safe: bool) -> None:
    load_sql(url, IX_A)
    want = read_catalog_of(IX_B, url)
    plan = diff_schemas(read_catalog(url), want, safe=safe)
    lines = sql_lines(plan)
    conc = " CONCURRENTLY" if safe else ""
    build = next(
        i
        for i, s in enumerate(lines)
        if s.startswith(f"CREATE UNIQUE INDEX{conc} t_i__dbdesign_new")
    )
    drop = lines.index(f"DROP INDEX{conc} public.t_i")
    rename = lines.index("ALTER INDEX public.t_i__dbdesign_new RENAME TO t_i")
    assert build < drop < rename, plan.sql()
    # a new index under another name is built before the one that goes is dropped
    assert next(i for i, s in enumerate(lines) if " t_new ON " in s) < lines.index(
        f"DROP INDEX{conc} public.t_old"
    ), plan.sql()
    # statement by statement: the table always has t_i's old or new definition, valid
    statements = plan.statements()
    with connect(url, autocommit=True) as conn:
        for st in statements:
            conn.execute(st.sql.encode())
            defs = _indexes(url).values()
            assert any("(a)" in d or "(a, b)" in d for d in defs), (st.sql, defs)
    after = read_catalog(url)
    assert after == want, show_differences(after, want)
    assert one(url, "SELECT obj_description('t_i'::regclass, 'pg_class')") == "both"


def test_changed_index_is_built_before_the_old_one_goes(pg_scratch: str) -> None:
    _check_index_swap(pg_scratch, safe=True)


def test_changed_index_is_built_first_without_concurrently(pg_scratch: str) -> None:
    _check_index_swap(pg_scratch, safe=False)


def test_index_swap_from_ddl_models() -> None:
    """The same order from the DDL reader's models (no database): build, then drop."""
    plan = diff_schemas(read_ddl(IX_A.split("INSERT")[0]), read_ddl(IX_B))
    lines = sql_lines(plan)
    assert lines.index("DROP INDEX CONCURRENTLY public.t_i") > next(
        i for i, s in enumerate(lines) if "t_i__dbdesign_new ON" in s
    )


# --------------------------------------------------------------------------- views

VIEW_A = """
CREATE TABLE t (a int, b text, c date);
CREATE VIEW v AS SELECT a, b FROM t;
CREATE VIEW w AS SELECT a FROM v;
CREATE VIEW named (x) AS SELECT a FROM t;
"""
VIEW_B = """
CREATE TABLE t (a int, b text, c date);
CREATE VIEW v AS SELECT a, b, c, a + 1 AS a1 FROM t;
CREATE VIEW w AS SELECT a FROM v;
CREATE VIEW named (x, y) AS SELECT a, b FROM t;
"""
# near miss: a column in the middle, not at the end: drop and create (with w)
VIEW_MIDDLE = VIEW_A.replace("SELECT a, b FROM t", "SELECT a, c, b FROM t")


def test_view_gaining_columns_at_the_end_is_replaced_in_place(pg_scratch: str) -> None:
    load_sql(pg_scratch, VIEW_A)
    w_oid, v_oid = oid(pg_scratch, "w"), oid(pg_scratch, "v")
    want = read_catalog_of(VIEW_B, pg_scratch)
    plan = diff_schemas(read_catalog(pg_scratch), want)
    assert sorted(kinds(plan)) == ["replace_view", "replace_view"], plan.sql()
    assert all(s.startswith("CREATE OR REPLACE VIEW") for s in sql_lines(plan)), plan.sql()
    converges(pg_scratch, plan, want)
    assert (oid(pg_scratch, "w"), oid(pg_scratch, "v")) == (w_oid, v_oid)


def test_view_changing_a_middle_column_is_still_recreated(pg_scratch: str) -> None:
    load_sql(pg_scratch, VIEW_A)
    want = read_catalog_of(VIEW_MIDDLE, pg_scratch)
    plan = diff_schemas(read_catalog(pg_scratch), want)
    assert {"drop_view", "create_view"} <= set(kinds(plan)), plan.sql()
    assert "replace_view" not in kinds(plan)
    converges(pg_scratch, plan, want)


# --------------------------------------------------------------------------- identity, triggers

# migra's identitycols fixture, the kept table: identities added, changed, dropped, and two
# identity columns swapped
IDENT_A = """
CREATE TABLE ident (
    c int DEFAULT 77,
    d int GENERATED ALWAYS AS IDENTITY,
    e int GENERATED BY DEFAULT AS IDENTITY,
    f int GENERATED ALWAYS AS IDENTITY
);
INSERT INTO ident (c) VALUES (5), (9);
"""
IDENT_B = """
CREATE TABLE ident (
    c int GENERATED BY DEFAULT AS IDENTITY,
    e int GENERATED ALWAYS AS IDENTITY,
    d int GENERATED BY DEFAULT AS IDENTITY,
    f int
);
"""


def test_identity_changes_are_alters_not_a_rebuild(pg_scratch: str) -> None:
    load_sql(pg_scratch, IDENT_A)
    before = relfilenode(pg_scratch, "ident")
    target = read_catalog_of(IDENT_B, pg_scratch)
    plan = diff_schemas(read_catalog(pg_scratch), target)
    assert "rebuild_table" not in kinds(plan), plan.sql()
    assert {"add_identity", "alter_identity", "drop_identity"} <= set(kinds(plan)), plan.sql()
    lines = sql_lines(plan)
    assert "ALTER TABLE public.ident ALTER COLUMN c ADD GENERATED BY DEFAULT AS IDENTITY" in lines
    assert "ALTER TABLE public.ident ALTER COLUMN f DROP IDENTITY" in lines
    assert dict(plan.order_left) == {"public.ident": ("c", "d", "e", "f")}
    converges(pg_scratch, plan, in_order(target, "public.ident", ("c", "d", "e", "f")))
    assert relfilenode(pg_scratch, "ident") == before
    # the identity on c continues after the stored values
    load_sql(pg_scratch, "INSERT INTO ident (d, e) VALUES (1, DEFAULT);")
    assert one(pg_scratch, "SELECT max(c) FROM ident") == 10


TRIG_A = """
CREATE TABLE emp (name text, salary int, stamp timestamp);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN NEW.stamp := now(); RETURN NEW; END$$;
CREATE TRIGGER emp_stamp BEFORE INSERT OR UPDATE ON emp FOR EACH ROW EXECUTE FUNCTION stamp();
"""
TRIG_B = TRIG_A.replace("BEFORE INSERT OR UPDATE", "BEFORE UPDATE")


def test_changed_trigger_is_drop_and_create_with_brief_locks(pg_scratch: str) -> None:
    load_sql(pg_scratch, TRIG_A)
    before = relfilenode(pg_scratch, "emp")
    target = read_catalog_of(TRIG_B, pg_scratch)
    plan = diff_schemas(read_catalog(pg_scratch), target)
    assert kinds(plan) == ["drop_trigger", "create_trigger"], plan.sql()
    drop, create = plan.statements()
    assert next(h.message for h in drop.hazards if h.code == "access_exclusive_lock").startswith(
        "takes an ACCESS EXCLUSIVE lock briefly (catalog change only)"
    )
    (h,) = create.hazards
    assert h.code == "share_row_exclusive_lock" and "reads continue" in h.message
    # the lock levels those texts name
    assert ("emp", "AccessExclusiveLock") in locks(pg_scratch, drop.sql)
    assert ("emp", "ShareRowExclusiveLock") in locks(pg_scratch, create.sql, setup=drop.sql)
    converges(pg_scratch, plan, target)
    assert relfilenode(pg_scratch, "emp") == before


def test_lock_levels_of_the_swap_and_the_view_replacement(pg_scratch: str) -> None:
    """ALTER INDEX ... RENAME: SHARE UPDATE EXCLUSIVE on the index, nothing stronger on the
    table (PostgreSQL 12+); CREATE OR REPLACE VIEW: ACCESS EXCLUSIVE on the view only."""
    load_sql(pg_scratch, IX_A + VIEW_A.replace("TABLE t ", "TABLE vt ").replace(" t;", " vt;"))
    got = locks(pg_scratch, "ALTER INDEX t_i RENAME TO t_i2")
    assert ("t_i", "ShareUpdateExclusiveLock") in got, got
    assert not {m for r, m in got if r == "t"} & {"AccessExclusiveLock", "ExclusiveLock"}, got
    got = locks(pg_scratch, "CREATE OR REPLACE VIEW v AS SELECT a, b, c FROM vt")
    assert ("v", "AccessExclusiveLock") in got, got
    assert ("vt", "AccessExclusiveLock") not in got, got


# --------------------------------------------------------------------------- transaction framing

PAIRS_DIR = Path(__file__).resolve().parents[1] / "diff_pairs"


def run_psql(url: str, script: str) -> None:
    """Apply a printed migration with psql itself, as its first comment says: a script framed
    with BEGIN ... COMMIT as it is (each statement outside them commits on its own), one
    that is a single transaction with ``--single-transaction``; stop at the first error."""
    single = ["--single-transaction"] if "\nBEGIN;\n" not in script else []
    r = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *single, "-d", url, "-f", "-"],
        input=script,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, f"psql failed:\n{r.stderr}\n--- the script ---\n{script}"


def framed_converges(url: str, a: str, b: str) -> Plan:
    """Load ``a`` into ``url``, apply the framed ``diff(a, b).sql()`` with psql, and require
    B's catalog (in the column order the plan announces) and an empty second diff."""
    load_sql(url, a)
    with engine.scratch_database(url) as other:
        load_sql(other, b)
        want = read_catalog(other)
    plan = diff_schemas(read_catalog(url), want)
    run_psql(url, plan.sql())
    got = read_catalog(url)
    for table, names in plan.order_left:
        want = in_order(want, table, names)
    assert got == want, show_differences(got, want) + "\n" + plan.sql()
    assert diff_schemas(got, want).is_empty
    return plan


def test_framing_commits_before_validate_and_runs_concurrently_alone(pg_scratch: str) -> None:
    """NOT VALID constraints commit before their VALIDATE (which starts the next transaction);
    CREATE INDEX CONCURRENTLY runs outside a transaction; everything else shares one; psql
    applies the script and it converges."""
    a = (PAIRS_DIR / "constraints.a.sql").read_text()
    b = (PAIRS_DIR / "constraints.b.sql").read_text()
    plan = framed_converges(pg_scratch, a, b)
    units = plan.transactions()
    for u in units:
        sqls = [s.sql for s in u.statements]
        for i, st in enumerate(u.statements):
            if st.validates is not None:
                # its NOT VALID is not in the same transaction
                assert all(s.not_valid != st.validates for s in u.statements[:i]), sqls
        conc = any("CONCURRENTLY" in s for s in sqls)
        assert conc == (not u.in_transaction), (u.reason, sqls)
    assert any("after the commit of its NOT VALID" in u.reason for u in units)
    assert any("cannot run inside a transaction block" in u.reason for u in units)
    # the fewest: two transactions never follow each other without a reason between them
    text = plan.sql()
    assert text.count("BEGIN;") == sum(u.in_transaction for u in units)
    assert text.count("COMMIT;") == text.count("BEGIN;")


def test_enum_value_added_in_the_transaction_until_it_is_used(pg_scratch: str) -> None:
    """On 12+ ALTER TYPE ... ADD VALUE stays in the transaction; a statement that uses the new
    value starts the next one (the server refuses an uncommitted enum value)."""
    a = "create type e as enum ('a', 'c'); create table t (v e default 'a'); insert into t select"
    b = "create type e as enum ('z', 'a', 'b', 'c', 'd'); create table t (v e default 'b');"
    plan = framed_converges(pg_scratch, a + " 'c'", b)
    units = plan.transactions()
    assert all(u.in_transaction for u in units), [u.reason for u in units]
    adds = [s for s in plan.statements() if "ADD VALUE" in s.sql]
    first = units[0].statements
    assert all(s in first for s in adds)
    default = next(s for s in plan.statements() if "SET DEFAULT" in s.sql)
    assert default not in first and "ADD VALUE 'b'" in units[1].reason
    # before 12 each ADD VALUE runs outside a transaction
    old = plan.transactions(server=11)
    assert any(not u.in_transaction and any(s in adds for s in u.statements) for u in old)


def test_a_plan_in_one_transaction_has_no_begin(pg_scratch: str) -> None:
    """A plan that needs no boundary is printed as before, with a comment saying to run it as
    one transaction; psql --single-transaction applies it."""
    plan = framed_converges(
        pg_scratch, "create table t (a int);", "create table t (a int, b text default 'x');"
    )
    assert len(plan.transactions()) == 1
    assert "BEGIN;" not in plan.sql() and "-- one transaction:" in plan.sql()
