"""``dbdesign diff --rename`` for the objects other than tables and columns: views, materialized
views, indexes, sequences and types (enum, domain, composite). A hint turns a drop and a create
into one ALTER ... RENAME (and --down into the rename back); applied on both PostgreSQL servers
it keeps the object itself (the same oid: nothing rebuilt, no data lost) and a second diff
against the target is empty. Hints that cannot hold (the new name is taken, also by another kind
of object in the same namespace, the old one is unknown, two hints for one new name) are one
line and exit 2, with no SQL printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign.engine import connect

A = """\
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN posint AS integer CONSTRAINT posint_positive CHECK (VALUE > 0);
CREATE TYPE pair AS (x integer, y integer);
CREATE SEQUENCE counter;
CREATE TABLE t (id integer PRIMARY KEY, m mood, p posint, xy pair);
CREATE INDEX t_m ON t (m);
CREATE VIEW v AS SELECT id, m FROM t;
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
"""
ROWS = "INSERT INTO t VALUES (1, 'ok', 5, ROW(1, 2)), (2, 'sad', 7, ROW(3, 4));"

# (old name, new name, what ALTER says, where the oid is: pg_class or pg_type)
RENAMES = [
    ("v", "v2", "VIEW", "pg_class"),
    ("mv", "mv2", "MATERIALIZED VIEW", "pg_class"),
    ("t_m", "t_mood", "INDEX", "pg_class"),
    ("counter", "ticket", "SEQUENCE", "pg_class"),
    ("mood", "feeling", "TYPE", "pg_type"),
    ("posint", "positive", "TYPE", "pg_type"),
    ("pair", "point2", "TYPE", "pg_type"),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=300
    )


def body(sql: str) -> list[str]:
    """The statements of a printed migration, without the SET lines and comments."""
    return [ln for ln in sql.splitlines() if ln and not ln.startswith(("--", "SET "))]


def renamed(text: str, old: str, new: str) -> str:
    return re.sub(rf"\b{old}\b", new, text)


def oid(url: str, catalog: str, name: str) -> int | None:
    prefix = "rel" if catalog == "pg_class" else "typ"
    with connect(url) as conn:
        row = conn.execute(
            f"SELECT oid FROM {catalog} WHERE {prefix}name = %s "
            f"AND {prefix}namespace = 'public'::regnamespace",
            [name],
        ).fetchone()
    return None if row is None else int(row[0])


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "a.sql", tmp_path / "b.sql"


@pytest.mark.parametrize(("old", "new", "kind", "catalog"), RENAMES, ids=[r[0] for r in RENAMES])
def test_rename_hint_renames_in_place(
    pg_scratch: str, tmp_path: Path, old: str, new: str, kind: str, catalog: str
) -> None:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(A)
    b.write_text(renamed(A, old, new))
    hint = f"public.{old}={new}"
    r = run("diff", str(a), str(b), "--rename", hint)
    assert r.returncode == 1, r.stderr
    assert body(r.stdout) == [f"ALTER {kind} public.{old} RENAME TO {new};"], r.stdout
    down = run("diff", str(a), str(b), "--rename", hint, "--down")
    assert down.returncode == 1, down.stderr
    assert body(down.stdout) == [f"ALTER {kind} public.{new} RENAME TO {old};"], down.stdout
    unhinted = run("diff", str(a), str(b), "--allow-destructive")
    assert f"RENAME TO {new}" not in unhinted.stdout  # never guessed

    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(A)
        conn.execute(ROWS)
        conn.execute("REFRESH MATERIALIZED VIEW mv")
        conn.execute("SELECT setval('counter', 41)")
    before = oid(pg_scratch, catalog, old)
    assert before is not None
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(r.stdout.encode())
    assert oid(pg_scratch, catalog, new) == before and oid(pg_scratch, catalog, old) is None
    with connect(pg_scratch) as conn:  # the data is where it was
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)
        seq = new if old == "counter" else "counter"
        assert conn.execute(f"SELECT nextval('{seq}')").fetchone() == (42,)
        mv = new if old == "mv" else "mv"
        assert conn.execute(f"SELECT count(*) FROM {mv}").fetchone() == (2,)
    again = run("diff", pg_scratch, str(b))
    assert (again.returncode, again.stdout) == (0, ""), again.stdout + again.stderr


def test_renamed_sequence_in_a_default_is_only_renamed(files: tuple[Path, Path]) -> None:
    """nextval('counter') is nextval(oid) on the server: a rename changes nothing in the
    default, so the plan sets no default (an ACCESS EXCLUSIVE lock on the table for nothing)."""
    a, b = files
    a.write_text(
        "CREATE SEQUENCE counter;\nCREATE TABLE t (n integer DEFAULT nextval('counter'));\n"
    )
    b.write_text(renamed(a.read_text(), "counter", "ticket"))
    r = run("diff", str(a), str(b), "--rename", "public.counter=ticket")
    assert r.returncode == 1, r.stderr
    assert body(r.stdout) == ["ALTER SEQUENCE public.counter RENAME TO ticket;"]


# The renamed sequence is named in each way a default can name it (bare, qualified, quoted,
# cast, inside an expression, from another schema, in a domain's default); another schema's
# sequence of the same name is not it.
SEQUENCE_USES = """\
CREATE SCHEMA app;
CREATE SEQUENCE counter;
CREATE SEQUENCE app.counter;
CREATE DOMAIN ticketno AS bigint DEFAULT nextval('public.counter');
CREATE TABLE t (n integer DEFAULT nextval('counter'),
  m bigint DEFAULT nextval('"counter"'::regclass) + 100,
  o integer DEFAULT nextval('app.counter'), d ticketno);
CREATE TABLE app.u (n integer DEFAULT nextval('public.counter'),
  o integer DEFAULT nextval('counter'));
"""


def test_renamed_sequence_followed_into_every_default(pg_scratch: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(SEQUENCE_USES)
    b.write_text(
        SEQUENCE_USES.replace("SEQUENCE counter", "SEQUENCE ticket")
        .replace("'counter'", "'ticket'")
        .replace("'public.counter'", "'public.ticket'")
        .replace("""'"counter"'""", "'ticket'")
    )
    hint = ("--rename", "public.counter=ticket")
    r = run("diff", str(a), str(b), *hint)
    assert r.returncode == 1, r.stderr
    assert body(r.stdout) == ["ALTER SEQUENCE public.counter RENAME TO ticket;"], r.stdout
    down = run("diff", str(a), str(b), *hint, "--down")
    assert body(down.stdout) == ["ALTER SEQUENCE public.ticket RENAME TO counter;"], down.stdout

    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(SEQUENCE_USES)
        conn.execute(r.stdout.encode())
        # the defaults call the renamed sequence: 1, 2, 3 from it, 1 from app.counter
        row = conn.execute("INSERT INTO t DEFAULT VALUES RETURNING n, m, o, d").fetchone()
        assert row == (1, 102, 1, 3)
    again = run("diff", pg_scratch, str(b))
    assert (again.returncode, again.stdout) == (0, ""), again.stdout + again.stderr


def test_renamed_domain_renames_its_generated_check_name(pg_scratch: str, tmp_path: Path) -> None:
    """The domain keeps its check's generated name (posint_check) where the target has
    positive_check: ALTER DOMAIN ... RENAME CONSTRAINT, as for a renamed table's primary key,
    not a drop and an add (NOT VALID + VALIDATE, a scan of every column of the domain)."""
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("CREATE DOMAIN posint AS integer CHECK (VALUE > 0);\nCREATE TABLE t (p posint);\n")
    b.write_text(renamed(a.read_text(), "posint", "positive"))
    hint = ("--rename", "public.posint=positive")
    r = run("diff", str(a), str(b), *hint)
    assert r.returncode == 1, r.stderr
    assert body(r.stdout) == [
        "ALTER TYPE public.posint RENAME TO positive;",
        "ALTER DOMAIN public.positive RENAME CONSTRAINT posint_check TO positive_check;",
    ], r.stdout
    down = run("diff", str(a), str(b), *hint, "--down")
    assert body(down.stdout) == [
        "ALTER TYPE public.positive RENAME TO posint;",
        "ALTER DOMAIN public.posint RENAME CONSTRAINT positive_check TO posint_check;",
    ], down.stdout

    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(a.read_text())
        conn.execute("INSERT INTO t VALUES (1)")
        check = "SELECT oid FROM pg_constraint WHERE contypid <> 0"
        before = conn.execute(check).fetchall()
        conn.execute(r.stdout.encode())
        assert conn.execute(check).fetchall() == before  # the same constraint, renamed
    again = run("diff", pg_scratch, str(b))
    assert (again.returncode, again.stdout) == (0, ""), again.stdout + again.stderr
    with connect(pg_scratch, autocommit=True) as conn:
        conn.execute(down.stdout.encode())
    back = run("diff", pg_scratch, str(a))
    assert (back.returncode, back.stdout) == (0, ""), back.stdout + back.stderr


CONFLICTS = [
    ("view_to_a_table", ["public.v=t"], "--rename public.v=t: public.t already exists"),
    ("index_to_a_sequence", ["public.t_m=counter"],
     "--rename public.t_m=counter: public.counter already exists"),
    ("sequence_to_an_index", ["public.counter=t_m"],
     "--rename public.counter=t_m: public.t_m already exists"),
    ("type_to_a_table", ["public.mood=t"], "--rename public.mood=t: public.t already exists"),
    ("type_to_a_type", ["public.pair=mood"],
     "--rename public.pair=mood: public.mood already exists"),
    ("two_to_one_name", ["public.mood=x", "public.pair=x"],
     "--rename public.pair=x: public.x already exists"),
    ("a_swap", ["public.v=mv", "public.mv=v"], "--rename public.mv=v: public.v already exists"),
    ("unknown_object", ["public.nope=x"],
     "--rename public.nope=x: public.nope is not in the source schema"),
    ("column_to_a_column", ["public.t.m=id"],
     "--rename public.t.m=id: public.t already has a column id"),
    ("unknown_column", ["public.t.zz=y"], "--rename public.t.zz=y: no column zz in table public.t"),
    ("qualified_new_name", ["public.v=other.v2"],
     "--rename 'public.v=other.v2': the new name is a bare name, without a schema"),
]  # fmt: skip


@pytest.mark.parametrize(("hints", "message"), [c[1:] for c in CONFLICTS],
                         ids=[c[0] for c in CONFLICTS])  # fmt: skip
def test_rename_conflicts_exit_2(files: tuple[Path, Path], hints: list[str], message: str) -> None:
    a, b = files
    a.write_text(A)
    b.write_text(A.replace("CREATE VIEW v ", "CREATE VIEW w "))
    args = [x for h in hints for x in ("--rename", h)]
    r = run("diff", str(a), str(b), *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.strip().splitlines() == [f"dbdesign: error: {message}"]
    assert r.stdout == ""
