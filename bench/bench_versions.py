"""Two versions of dbdesign side by side: every command a user runs, as a whole process.

A restructuring must not make the product slower. This benchmark checks out a base revision
(``--base``, default: the last commit before the issue-15 restructuring) into a temporary git
worktree and times the same commands against it and against this checkout, interleaved run by
run (A, B, A, B ...) so that a busy machine slows both alike. Each command runs with the
interpreter of this checkout's environment and ``PYTHONPATH`` pointing at the version's
``src/``; the dependencies are the same.

The commands cover each area that has a benchmark of its own in ``bench/``: start-up, reading a
100,000-line schema (``inspect``, bench_read), linting it and a MySQL corpus file (bench_lint),
documenting a corpus schema (bench_docs), diffing corpus schemas (bench_diff), generating and
loading rows into SQLite (bench_datagen), applying and reverting a migrations folder on SQLite
(bench_migrate), designing the examples without and with the proof on the embedded PostgreSQL
(bench_design), and the peak memory of each (bench_memory).

    python bench/bench_versions.py [--base REV] [--runs 5] [--only NAME ...]

Prints one row per command: the median wall time of each version, the ratio new/base, whether
it is within 10 %, and each version's peak resident memory over its runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BASE = "c5f1770"  # the last commit before the restructuring of issue 15


@dataclass(frozen=True)
class Command:
    name: str
    args: Callable[[Path], list[str]]  # the dbdesign arguments, given a scratch directory
    ok: tuple[int, ...] = (0,)
    setup: Callable[[Path], None] | None = None  # run untimed before each timed run


def _migrations(scratch: Path) -> None:
    """200 SQLite migrations (a table, an index, a column each) and no database yet."""
    (scratch / "m.db").unlink(missing_ok=True)
    folder = scratch / "migrations"
    if folder.exists():
        return
    folder.mkdir()
    for i in range(1, 201):
        up = f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a TEXT NOT NULL);\n"
        up += f"CREATE INDEX t{i}_a ON t{i} (a);\nALTER TABLE t{i} ADD COLUMN b INTEGER;\n"
        (folder / f"{i:04d}_t{i}.up.sql").write_text(up)
        (folder / f"{i:04d}_t{i}.down.sql").write_text(f"DROP TABLE t{i};\n")


def commands(big: Path) -> list[Command]:
    pg = CORPUS / "postgres"
    mysql = sorted((CORPUS / "mysql").glob("*.sql"))
    empty = big.parent / "empty.sql"
    empty.write_text("")
    return [
        Command("--version (start-up)", lambda d: ["--version"]),
        Command("inspect 100k lines", lambda d: ["inspect", str(big), "--format", "json"]),
        Command("lint 100k lines", lambda d: ["lint", str(big), "-f", "json"], (0, 1)),
        Command(
            f"lint {mysql[0].name} (mysql)",
            lambda d: ["lint", str(mysql[0]), "--dialect", "mysql", "-f", "json"],
            (0, 1),
        ),
        Command(
            "docs pagila",
            lambda d: ["docs", str(pg / "pagila.sql"), "--out", str(d / "docs")],
            setup=lambda d: shutil.rmtree(d / "docs", ignore_errors=True),
        ),
        Command(
            "diff empty -> pagila",
            lambda d: ["diff", str(empty), str(pg / "pagila.sql")],
            (0, 1),
        ),
        Command(
            "diff pagila -> chinook",
            lambda d: [
                "diff",
                "--allow-destructive",
                str(pg / "pagila.sql"),
                str(pg / "chinook.sql"),
            ],
            (0, 1),
        ),
        Command(
            "datagen chinook -> sqlite",
            lambda d: [
                "datagen",
                str(CORPUS / "sqlite" / "chinook.sql"),
                "--dialect",
                "sqlite",
                "--create",
                "--db",
                f"sqlite:///{d / 'g.db'}",
                "--rows",
                "*=2000",
            ],
            setup=lambda d: (d / "g.db").unlink(missing_ok=True),
        ),
        Command(
            "migrate up (sqlite)",
            lambda d: [
                "migrate",
                "up",
                "--db",
                f"sqlite:///{d / 'm.db'}",
                "--dir",
                str(d / "migrations"),
            ],
            setup=_migrations,
        ),
        *[
            Command(
                f"design {spec.stem} {label}",
                lambda d, spec=spec, extra=extra: [
                    "design",
                    str(spec),
                    "--out",
                    str(d / "design"),
                    *extra,
                ],
                (0, 1),
                setup=lambda d: shutil.rmtree(d / "design", ignore_errors=True),
            )
            for spec in sorted((ROOT / "examples").glob("*.yaml"))
            for label, extra in (("--no-prove", ["--no-prove"]), ("(proof)", []))
        ],
    ]


def _run(src: Path, cmd: Command, scratch: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of ``cmd`` against the version at ``src``."""
    if cmd.setup is not None:
        cmd.setup(scratch)
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONPYCACHEPREFIX": str(scratch / "pyc")}
    err = scratch / "stderr"
    with open(os.devnull, "w") as out, err.open("w") as errors:
        t = time.perf_counter()
        p = subprocess.Popen(
            [sys.executable, "-m", "dbdesign", *cmd.args(scratch)],
            env=env,
            stdout=out,
            stderr=errors,
        )
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in cmd.ok:
        sys.exit(f"{cmd.name} ({src}): exit {code}\n{err.read_text()[-2000:]}")
    return wall, usage.ru_maxrss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--base", default=BASE, help=f"the revision to compare with ({BASE})")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="*", help="run the commands whose name contains one of these")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base = work / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base],
            check=True,
            capture_output=True,
        )
        try:
            big = work / "big.sql"
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "make_big_schema.py"), str(big)], check=True
            )
            versions = {"base": base / "src", "new": ROOT / "src"}
            # the embedded server's first start is not any command's cost
            subprocess.run(
                [sys.executable, "-c", "from dbdesign import engine; engine.embedded_url()"],
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
            print(f"base {args.base} vs new (this checkout); {args.runs} runs each, interleaved")
            print(
                f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
            )
            print(
                f"{'command':<34} {'base s':>8} {'new s':>8} {'new/base':>9}  within 10 %"
                "  peak MB base  new"
            )
            for cmd in commands(big):
                if args.only and not any(o in cmd.name for o in args.only):
                    continue
                times: dict[str, list[float]] = {v: [] for v in versions}
                peak: dict[str, int] = dict.fromkeys(versions, 0)
                for v, src in versions.items():  # untimed: bytecode caches, the OS's file cache
                    (work / v).mkdir(exist_ok=True)
                    _run(src, cmd, work / v)
                for _ in range(args.runs):
                    for v, src in versions.items():
                        wall, rss = _run(src, cmd, work / v)
                        times[v].append(wall)
                        peak[v] = max(peak[v], rss)
                b, n = (statistics.median(times[v]) for v in versions)
                mark = "yes" if n <= 1.10 * b else "NO"
                mb = "  ".join(f"{peak[v] / 1024:.0f}" for v in versions)
                print(
                    f"{cmd.name:<34} {b:>8.3f} {n:>8.3f} {n / b:>9.2f}  {mark:<11} {mb}",
                    flush=True,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                capture_output=True,
            )


if __name__ == "__main__":
    main()
