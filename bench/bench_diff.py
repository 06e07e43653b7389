"""Diff speed (issue 6): `dbdesign diff` of two 100,000-line schemas, and migra on the same pair.

A is the 100,000-line schema of bench/make_big_schema.py (the OpenStreetMap structure replicated
into schemas osm_1 ... osm_N); B is A with edits appended to every other copy: a column added, a
column retyped, a default dropped, a NOT NULL dropped, an index created, an index dropped, a table
created (identity key, foreign key), a table dropped, an enum value added, a comment. Measured
(best of --runs, each a new process, start-up included):

- `dbdesign diff --allow-destructive a.sql b.sql` (model level, from files; target < 3 s wall;
  the edits drop a table, so the flag is needed);
- the same in process, split into reading the two files and diffing the models;
- both files loaded into two live databases on the server of --db (default: the machine's
  PostgreSQL 15, postgresql://postgres@127.0.0.1:5432/postgres, which has the postgis and
  btree_gist extensions the schema uses); then `dbdesign diff URL_A URL_B` and migra on them.

migra is deprecated and not a project dependency; install it in its own virtualenv:

    python3 -m venv /tmp/migra-venv
    /tmp/migra-venv/bin/pip install migra psycopg2-binary "sqlalchemy<2"
    python bench/bench_diff.py [--runs 3] [--migra /tmp/migra-venv/bin/migra] [--db URL]

Ratios are against `dbdesign diff` on the live databases (migra's row: how many times slower).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dbdesign.engine import connect
from dbdesign.readers.ddl.postgres import read_path
from dbdesign.redact import redact_url
from make_big_schema import build

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/postgres"


def edits(copy: int) -> str:
    """Statements that change one copy of the OpenStreetMap schema (osm_<copy>)."""
    s = f"osm_{copy}"
    return f"""
ALTER TABLE {s}.users ADD COLUMN bench_flag boolean DEFAULT false NOT NULL;
ALTER TABLE {s}.changesets ALTER COLUMN num_changes TYPE bigint;
ALTER TABLE {s}.notes ALTER COLUMN description DROP DEFAULT;
ALTER TABLE {s}.delayed_jobs ALTER COLUMN handler DROP NOT NULL;
CREATE INDEX bench_notes_open ON {s}.notes (user_id) WHERE closed_at IS NULL;
DROP INDEX {s}.acls_k_idx;
CREATE TABLE {s}.bench_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint REFERENCES {s}.users (id),
    at timestamp with time zone DEFAULT now() NOT NULL
);
DROP TABLE {s}.acls;
ALTER TYPE {s}.note_status_enum ADD VALUE 'archived';
COMMENT ON TABLE {s}.users IS 'edited by bench_diff';
"""


def make_pair(folder: Path) -> tuple[Path, Path, int]:
    # make_big_schema moves every public. name into the copy's schema, the PostGIS type too;
    # the extension lives in public, so put it back there for the live databases. The rows the
    # dump inserts into its unqualified schema_migrations table are data: left out.
    a_text = re.sub(r"\bosm_\d+\.geometry\b", "public.geometry", build(105_000))
    a_text = re.sub(r'^INSERT INTO "schema_migrations".*?;$', "", a_text, flags=re.M | re.S)
    copies = len(re.findall(r"^CREATE SCHEMA osm_\d+;$", a_text, flags=re.M))
    b_text = a_text + "".join(edits(n) for n in range(1, copies + 1, 2))
    a, b = folder / "a.sql", folder / "b.sql"
    a.write_text(a_text)
    b.write_text(b_text)
    return a, b, copies


def best(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run(cmd: list[str], ok: tuple[int, ...]) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode not in ok:
        sys.exit(f"{' '.join(cmd[:3])} ... exited {r.returncode}: {(r.stderr or r.stdout)[-2000:]}")
    return r


def with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def load(server: str, name: str, path: Path) -> str:
    with connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_db(server, name)
    text = "\n".join(ln for ln in path.read_text().splitlines() if not ln.startswith("\\"))
    # one transaction per copy: the whole file at once runs out of lock slots
    with connect(url, autocommit=True) as conn:
        for chunk in re.split(r"^(?=CREATE SCHEMA osm_)", text, flags=re.M):
            conn.execute(chunk.encode())
    return url


def drop(server: str, name: str) -> None:
    with connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def converged(url_a: str, url_b: str, plan: Any) -> str:
    """Not timed: apply the file-level plan to database A; does its catalog now equal B's?"""
    from dbdesign.migrate.compare import schema_differences
    from dbdesign.readers.catalog.postgres import read_catalog

    with connect(url_a, autocommit=True) as conn:
        for st in plan.statements():
            if st.transactional:
                with conn.transaction():
                    conn.execute(st.sql.encode())
            else:
                conn.execute(st.sql.encode())
    diffs = schema_differences(read_catalog(url_b), read_catalog(url_a))
    if not diffs:
        return "yes"
    return f"no, {len(diffs)} differences, first: {diffs[0]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--migra", default=os.environ.get("MIGRA", "/tmp/migra-venv/bin/migra"))
    ap.add_argument("--db", default=os.environ.get("DBDESIGN_TEST_PG_URL", DEFAULT_DB))
    ap.add_argument("--no-live", action="store_true", help="only the file-level measurements")
    args = ap.parse_args()
    from dbdesign.diff import diff_schemas

    dbdesign = [sys.executable, "-m", "dbdesign", "diff", "--allow-destructive"]
    rows: list[tuple[str, str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        a, b, copies = make_pair(Path(tmp))
        lines = a.read_text().count("\n"), b.read_text().count("\n")
        files = f"files, {lines[0]:,} / {lines[1]:,} lines"

        out = run([*dbdesign, str(a), str(b)], ok=(0, 1)).stdout
        n_sql = len([ln for ln in out.splitlines() if ln.strip() and not ln.startswith("--")])
        t_cli = best(lambda: run([*dbdesign, str(a), str(b)], ok=(0, 1)), args.runs)
        t_read = best(lambda: (read_path(a), read_path(b)), args.runs)
        ma, mb = read_path(a), read_path(b)
        t_diff = best(lambda: diff_schemas(ma, mb), args.runs)
        plan = diff_schemas(ma, mb)
        rows.append(("dbdesign diff (wall, new process)", files, t_cli, "target < 3 s"))
        rows.append(("  read both files (in process, GC on)", files, t_read, ""))
        rows.append(("  diff_schemas (in process)", "two models", t_diff, ""))

        live = None
        if not args.no_live:
            t0 = time.perf_counter()
            ua, ub = load(args.db, "bench_diff_a", a), load(args.db, "bench_diff_b", b)
            t_load = time.perf_counter() - t0
            try:
                dbs = "live databases (PostgreSQL 15)"
                t_live = best(lambda: run([*dbdesign, ua, ub], ok=(0, 1)), args.runs)
                migra_out = run([args.migra, "--unsafe", ua, ub], ok=(0, 2)).stdout
                t_migra = best(lambda: run([args.migra, "--unsafe", ua, ub], ok=(0, 2)), args.runs)
                live = (t_live, t_migra, t_load, migra_out.count(";"), converged(ua, ub, plan))
            finally:
                drop(args.db, "bench_diff_a")
                drop(args.db, "bench_diff_b")

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; best of {args.runs}; {copies} copies of the OSM schema, "
        f"{(copies + 1) // 2} edited; plan: {len(plan.operations)} operations, "
        f"{len(plan.statements())} statements ({n_sql} SQL lines printed)"
    )
    if live:
        t_live, t_migra, t_load, migra_n, conv = live
        rows.append(("dbdesign diff URL_A URL_B (wall)", dbs, t_live, "1.00x"))
        rows.append(("migra --unsafe URL_A URL_B (wall)", dbs, t_migra, f"{t_migra / t_live:.2f}x"))
        print(
            f"server {redact_url(args.db)}; loading both databases took {t_load:.1f} s; "
            f"migra printed {migra_n} statements; dbdesign's plan applied to A gives B: {conv}"
        )
    print("| tool | input | seconds | ratio |")
    print("|---|---|---:|---|")
    for tool, inp, secs, ratio in rows:
        print(f"| {tool} | {inp} | {secs:.3f} | {ratio} |")


if __name__ == "__main__":
    try:
        main()
    except psycopg.Error as e:
        sys.exit(f"database error: {e}")
