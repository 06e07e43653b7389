"""Apply 1,000 small migrations on the embedded PostgreSQL with `dbdesign migrate up` and with
dbmate (npm package `dbmate`, installed into a temporary folder) on the same SQL; print one table.

    python bench/bench_migrate.py [--count 1000] [--rounds 3] [--dbmate PATH]

Both tools run as a fresh process against a fresh database, each migration in its own
transaction with its history row. Times are wall-clock, median of the rounds, process start-up
included.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from dbdesign.engine import connect, embedded_url, scratch_database


def statement(i: int) -> str:
    return f"create table t{i} (id integer primary key, v text not null default '');\n"


def write_files(root: Path, count: int) -> tuple[Path, Path]:
    ours, theirs = root / "dbdesign", root / "dbmate"
    ours.mkdir()
    theirs.mkdir()
    for i in range(1, count + 1):
        (ours / f"{i:06d}_m{i}.up.sql").write_text(statement(i))
        (ours / f"{i:06d}_m{i}.down.sql").write_text(f"drop table t{i};\n")
        (theirs / f"{i:06d}_m{i}.sql").write_text(
            f"-- migrate:up\n{statement(i)}\n-- migrate:down\ndrop table t{i};\n"
        )
    return ours, theirs


def install_dbmate(root: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to install dbmate (or pass --dbmate PATH)")
    subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(root), "dbmate"],
        check=True,
    )
    found = sorted(root.glob("node_modules/@dbmate/*/bin/dbmate"))
    if not found:
        sys.exit("the dbmate npm package did not bring its binary")
    return found[0]


def dbmate_url(url: str) -> str:
    """dbmate wants postgres://user@/db?socket=DIR for a unix socket."""
    u = urlparse(url)
    host = parse_qs(u.query).get("host", [""])[0]
    user = u.username or "postgres"
    if host.startswith("/"):
        return f"postgres://{user}@{u.path}?socket={host}&sslmode=disable"
    return url.replace("postgresql://", "postgres://") + (
        "&sslmode=disable" if "?" in url else "?sslmode=disable"
    )


def count_rows(url: str, table: str) -> int:
    with connect(url) as conn:
        row = conn.execute(f"select count(*) from {table}").fetchone()
        return int(row[0]) if row else 0


def run_ours(base: str, folder: Path) -> float:
    with scratch_database(base) as url:
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "dbdesign", "migrate", "up", "--db", url, "--dir", str(folder)],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f"dbdesign failed: {r.stderr}")
        assert count_rows(url, "dbdesign_migrations") == len(list(folder.glob("*.up.sql")))
        return elapsed


def run_dbmate(base: str, binary: Path, folder: Path) -> float:
    with scratch_database(base) as url:
        env = dict(os.environ, DATABASE_URL=dbmate_url(url))
        t0 = time.perf_counter()
        r = subprocess.run(
            [str(binary), "--migrations-dir", str(folder), "--no-dump-schema", "up"],
            capture_output=True,
            text=True,
            env=env,
        )
        elapsed = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f"dbmate failed: {r.stderr or r.stdout}")
        assert count_rows(url, "schema_migrations") == len(list(folder.glob("*.sql")))
        return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--dbmate", type=Path, help="a dbmate binary (default: npm install dbmate)")
    args = ap.parse_args()
    base = embedded_url()
    with tempfile.TemporaryDirectory(prefix="bench-migrate-") as tmp:
        root = Path(tmp)
        ours_dir, theirs_dir = write_files(root, args.count)
        binary = args.dbmate or install_dbmate(root / "npm")
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
        ours, theirs = [], []
        for i in range(args.rounds):  # pairs, each tool first in turn: both see the same load
            if i % 2:
                theirs.append(run_dbmate(base, binary, theirs_dir))
                ours.append(run_ours(base, ours_dir))
            else:
                ours.append(run_ours(base, ours_dir))
                theirs.append(run_dbmate(base, binary, theirs_dir))
    ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
    name = version.stdout.strip() or "dbmate"
    print(f"{args.count} migrations on the embedded PostgreSQL, {args.rounds} rounds")
    print("| tool | median s | best s | migrations/s (best) |")
    print("|---|---:|---:|---:|")
    for label, times in (("dbdesign migrate up", ours), (f"{name} up", theirs)):
        med, best = statistics.median(times), min(times)
        print(f"| {label} | {med:.2f} | {best:.2f} | {args.count / best:.0f} |")
    print(
        f"ratio dbdesign/dbmate: median of per-round ratios {statistics.median(ratios):.2f}, "
        f"best/best {min(ours) / min(theirs):.2f} (below 1: faster than dbmate)"
    )


if __name__ == "__main__":
    main()
