"""``dbdesign diff`` and ``dbdesign migrate new --from-diff`` as a user runs them: real processes,
real exit codes, real databases for live sides and migrations folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.engine import connect
from tests.conftest import PG_SERVERS, server_url
from tests.unit.diff_support import loaded

A = "create table t (id int primary key, v int);\n"
B = "create table t (id int primary key, v bigint, w text);\ncreate index t_w on t (w);\n"
DROPS = "create table t (id int primary key);\n"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name, text in (("a", A), ("b", B), ("drops", DROPS)):
        p = tmp_path / f"{name}.sql"
        p.write_text(text)
        out[name] = str(p)
    return out


def test_exit_0_when_equal_and_1_with_the_migration(files: dict[str, str]) -> None:
    r = run("diff", files["a"], files["a"])
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = run("diff", files["a"], files["b"])
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith("SET lock_timeout = '5s';\n")
    assert "ALTER TABLE public.t ALTER COLUMN v TYPE bigint;" in r.stdout
    assert "CREATE INDEX CONCURRENTLY t_w ON public.t (w);" in r.stdout
    assert "-- hazards: access_exclusive_lock, table_rewrite" in r.stdout


def test_column_order_is_a_note_unless_asked_for(tmp_path: Path) -> None:
    """A column in the middle: by default ADD COLUMN (appended) and a note on stderr, in the
    text and JSON forms and at the end of the SQL; --column-order rebuilds the table."""
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("create table t (a int, c int);\n")
    b.write_text("create table t (a int, b int, c int);\n")
    r = run("diff", str(a), str(b))
    assert r.returncode == 1, r.stderr
    assert "ALTER TABLE public.t ADD COLUMN b integer;" in r.stdout
    assert "RENAME" not in r.stdout and "INSERT" not in r.stdout
    note = "public.t: ALTER TABLE would leave the columns in the order (a, c, b), not (a, b, c)"
    assert f"-- note: {note}" in r.stdout
    assert f"dbdesign diff: note: {note}" in r.stderr
    assert "--column-order" in r.stderr
    r = run("diff", str(a), str(b), "--format", "json")
    assert json.loads(r.stdout)["notes"][0].startswith(note)
    r = run("diff", str(a), str(b), "--column-order")
    assert r.returncode == 1, r.stderr
    assert "ALTER TABLE public.t RENAME TO t__dbdesign_rebuild;" in r.stdout
    assert "INSERT INTO public.t (a, c) SELECT a, c FROM public.t__dbdesign_rebuild;" in r.stdout
    assert "note:" not in r.stdout + r.stderr
    r = run("diff", "--help", env={"COLUMNS": "1000"})
    assert "--column-order" in r.stdout and "ACCESS EXCLUSIVE lock" in r.stdout, r.stdout


def test_no_safe_and_text_and_json(files: dict[str, str]) -> None:
    r = run("diff", files["a"], files["b"], "--no-safe")
    assert r.returncode == 1
    assert "lock_timeout" not in r.stdout and "CREATE INDEX t_w ON public.t (w);" in r.stdout
    r = run("diff", files["a"], files["b"], "--format", "text")
    assert r.returncode == 1
    assert "alter column public.t.v type integer -> bigint" in r.stdout
    assert "table_rewrite: rewrites the whole table" in r.stdout
    r = run("diff", files["a"], files["b"], "--format", "json")
    data = json.loads(r.stdout)
    assert r.returncode == 1 and data["empty"] is False and data["destructive"] is False
    assert [o["kind"] for o in data["operations"]] == [
        "add_column",
        "alter_column_type",
        "create_index",
    ]


def test_destructive_plan_exits_3_and_prints_no_sql(files: dict[str, str]) -> None:
    r = run("diff", files["b"], files["drops"])
    assert r.returncode == 3
    assert r.stdout == ""
    assert "drop column public.t.v" in r.stderr and "drop column public.t.w" in r.stderr
    assert "--allow-destructive" in r.stderr
    r = run("diff", files["b"], files["drops"], "--format", "json")
    assert r.returncode == 3 and json.loads(r.stdout)["destructive"] is True
    r = run("diff", files["b"], files["drops"], "--allow-destructive")
    assert r.returncode == 1 and "ALTER TABLE public.t DROP COLUMN v;" in r.stdout


def test_down_prints_the_reverse(files: dict[str, str]) -> None:
    r = run("diff", files["a"], files["b"], "--down", "--allow-destructive")
    assert r.returncode == 1
    assert "ALTER TABLE public.t DROP COLUMN w;" in r.stdout
    assert "ALTER TABLE public.t ALTER COLUMN v TYPE integer;" in r.stdout
    r = run("diff", files["a"], files["b"], "--down")
    assert r.returncode == 3 and r.stdout == ""


def test_rename_hint(tmp_path: Path) -> None:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("create table old (id int, n text);")
    b.write_text("create table new (id int, name text);")
    r = run("diff", str(a), str(b), "--rename", "public.old=new", "--rename", "public.old.n=name")
    assert r.returncode == 1, r.stderr
    body = [ln for ln in r.stdout.splitlines() if ln and not ln.startswith(("--", "SET"))]
    assert body == [
        "ALTER TABLE public.old RENAME TO new;",
        "ALTER TABLE public.new RENAME COLUMN n TO name;",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.sql", "nope.sql"], "no such file"),
        (["--rename", "bad", "A", "A"], "expected schema.old=new"),
        (["--rename", "public.x=y", "A", "B"], "not in the source schema"),
        (["--rename", "t.v=w", "A", "B"], "(a column? write public.t.v=w)"),
        (["A", "sqlite:///x.db"], "PostgreSQL"),
    ],
)
def test_bad_input_exits_2(files: dict[str, str], args: list[str], message: str) -> None:
    args = [files["a"] if x == "A" else files["b"] if x == "B" else x for x in args]
    r = run("diff", *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_syntax_error_points_at_the_file(tmp_path: Path, files: dict[str, str]) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("create table t (\n  a int nonsense\n);\n")
    r = run("diff", files["a"], str(bad))
    assert r.returncode == 2
    assert r.stderr.startswith(f"dbdesign: error: {bad}:2:")


@pytest.mark.parametrize("server", PG_SERVERS)
def test_live_databases_and_migrations_folders(server: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_t.up.sql").write_text(A)
    (folder / "0001_t.down.sql").write_text("drop table t;")
    with loaded(server, A, B) as (ua, ub):
        r = run("diff", ua, ub)
        assert r.returncode == 1 and "ADD COLUMN w text" in r.stdout, r.stderr
        # the folder replays into a scratch database on --db: it equals A, not B
        r = run("diff", str(folder), ua, "--db", server_url(server))
        assert (r.returncode, r.stdout) == (0, ""), r.stderr
        r = run("diff", str(folder), ub, "--db", server_url(server), "--format", "json")
        assert r.returncode == 1 and json.loads(r.stdout)["operations"]
        # the API mirrors the command
        plan = api.diff(str(folder), ub, db=server_url(server))
        assert [o.kind for o in plan.operations] == [
            "add_column",
            "alter_column_type",
            "create_index",
        ]


@pytest.mark.parametrize("server", PG_SERVERS)
def test_migrate_new_from_diff_writes_files_that_apply_and_revert(
    server: str, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_t.up.sql").write_text("create type e as enum ('a', 'b');\n" + A)
    (folder / "0001_t.down.sql").write_text("drop table t; drop type e;")
    target = tmp_path / "target.sql"
    target.write_text("create type e as enum ('a', 'b', 'c');\n" + B.replace("w text", "w e"))
    db = server_url(server)
    r = run("migrate", "new", "grow", "--dir", str(folder), "--from-diff", str(target), "--db", db)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "0001_t.down.sql",
        "0001_t.up.sql",
        "0002_grow.down.sql",
        "0002_grow.up.sql",
        "0003_grow_2.down.sql",
        "0003_grow_2.up.sql",
    ]
    # the statements that cannot run in a transaction have a no-transaction migration
    no_tx = [p.name for p in folder.glob("*.up.sql") if "dbdesign: no-transaction" in p.read_text()]
    assert no_tx == ["0003_grow_2.up.sql"]
    third = (folder / "0003_grow_2.up.sql").read_text()
    # ADD VALUE runs in a transaction on PostgreSQL 12+ (its value is not used there)
    assert "ADD VALUE IF NOT EXISTS 'c'" in (folder / "0002_grow.up.sql").read_text()
    assert "ADD VALUE" not in third
    assert "CREATE INDEX CONCURRENTLY t_w ON public.t (w);" in third
    assert "-- dbdesign: lock_timeout=5s" in (folder / "0002_grow.up.sql").read_text()
    # every down undoes its up, and the folder now reaches the target
    r = run("migrate", "test", "--dir", str(folder), "--db", db)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("diff", str(folder), str(target), "--db", db)
    assert (r.returncode, r.stdout) == (0, ""), r.stdout + r.stderr
    # nothing more to write
    r = run("migrate", "new", "more", "--dir", str(folder), "--from-diff", str(target), "--db", db)
    assert r.returncode == 0 and "nothing written" in r.stdout
    # a destructive change is refused without the flag, and nothing is written
    before = sorted(p.name for p in folder.iterdir())
    shrink = tmp_path / "a.sql"
    shrink.write_text(A)
    r = run(
        "migrate", "new", "shrink", "--dir", str(folder), "--from-diff", str(shrink), "--db", db
    )
    assert r.returncode == 3, r.stdout + r.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.parametrize("server", ["pg15"])
def test_migrate_new_from_diff_refuses_destructive(server: str, tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_t.up.sql").write_text(B)
    (folder / "0001_t.down.sql").write_text("drop table t;")
    target = tmp_path / "t.sql"
    target.write_text(A)
    db = server_url(server)
    # this test's own scratch databases, told apart from any other test process's by name
    mine = {"DBDESIGN_SCRATCH_PREFIX": f"dbdesign_scratch_t{uuid.uuid4().hex[:8]}_"}
    shrink = ("migrate", "new", "shrink", "--dir", str(folder), "--from-diff", str(target))
    r = run(*shrink, "--db", db, env=mine)
    assert r.returncode == 3 and "drop column public.t.w" in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["0001_t.down.sql", "0001_t.up.sql"]
    r = run(*shrink, "--db", db, "--allow-destructive", env=mine)
    assert r.returncode == 0, r.stderr
    # the scratch databases the two runs replayed the folder into are gone
    with connect(db) as conn:
        left = conn.execute(
            "select count(*) from pg_database where starts_with(datname, %s)",
            [mine["DBDESIGN_SCRATCH_PREFIX"]],
        ).fetchone()
    assert left == (0,)


def test_scratch_databases_carry_the_prefix_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    from psycopg.conninfo import conninfo_to_dict

    from dbdesign.engine import scratch_database

    prefix = f"dbdesign_scratch_p{uuid.uuid4().hex[:8]}_"
    monkeypatch.setenv("DBDESIGN_SCRATCH_PREFIX", prefix)
    base = server_url("embedded")
    with scratch_database(base) as url, connect(base) as conn:
        assert str(conninfo_to_dict(url)["dbname"]).startswith(prefix)
        n = conn.execute(
            "select count(*) from pg_database where starts_with(datname, %s)", [prefix]
        ).fetchone()
        assert n == (1,)
