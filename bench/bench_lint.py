"""Lint speed: `dbdesign lint` wall time against the targets, side by side with sqlfluff.

Builds the 100,000-line schema (bench/make_big_schema.py) and a ~5,000-line file (the same
construction cut at a statement boundary), then measures the median of N runs of:

- `dbdesign lint FILE -f json` as a user runs it (the console script in a new process,
  interpreter start-up included) on the 5k file, the 100k file and two corpus files; the same
  with `-f sarif` on the 100k file;
- `sqlfluff lint --dialect postgres --processes 1` on the same files (one run: it is slow;
  `--sqlfluff-big` adds the 100k file, about 5 minutes), and the ratios of wall and CPU time;
- the start-up floor (`python -c pass`, `dbdesign --version`) and, in-process on the 100k file,
  the reader, the lint engine and the JSON rendering (with the cyclic garbage collector off,
  as `dbdesign lint` runs).

Subprocesses get a bytecode cache in a temporary directory (PYTHONPYCACHEPREFIX), as an
installed package has: a machine that sets PYTHONDONTWRITEBYTECODE would otherwise recompile
every module on every run (the "no bytecode cache" row shows what that costs).

    python bench/bench_lint.py [--runs 5] [--sqlfluff PATH] [--sqlfluff-big]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dbdesign import api
from dbdesign.lint import apply_suppressions, engine, lint
from dbdesign.lint.config import LintConfig
from dbdesign.lint.output import render
from make_big_schema import CORPUS, build


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def wall(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of ``cmd`` after one warm-up run (lint exits 1 on findings: fine)."""
    return wall_cpu(cmd, runs, env)[0]


def wall_cpu(
    cmd: list[str], runs: int, env: dict[str, str] | None = None, warm_up: bool = True
) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``cmd``, after a warm-up run.

    On a machine that other work keeps busy the CPU time is the steadier of the two.
    """
    walls, cpus = [], []
    for i in range(runs + 1 if warm_up else runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        elapsed = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i or not warm_up:  # the first run warms the caches
            walls.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def cut(text: str, lines: int) -> str:
    """The first statements of ``text`` that make at least ``lines`` lines."""
    out = text.split("\n")
    i = lines
    while i < len(out) and out[i - 1].strip() != "":
        i += 1
    return "\n".join(out[:i]) + "\n"


def dbdesign_cmd() -> list[str]:
    script = Path(sys.executable).parent / "dbdesign"
    return [str(script)] if script.exists() else [sys.executable, "-m", "dbdesign"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sqlfluff", help="the sqlfluff executable (default: on PATH)")
    ap.add_argument("--sqlfluff-big", action="store_true", help="also the 100k file (minutes)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    big = tmp / "osm-100k.sql"
    big.write_text(build(100_000))
    small = tmp / "osm-5k.sql"
    small.write_text(cut(build(5_000), 5_000))
    files = {
        "5k-line file": small,
        "100k-line file": big,
        "pagila.sql": CORPUS / "pagila.sql",
        "openstreetmap-structure.sql": CORPUS / "openstreetmap-structure.sql",
    }
    lines = {p: p.read_text().count("\n") for p in files.values()}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    dbd = dbdesign_cmd()
    runs = args.runs

    # ---- dbdesign vs sqlfluff, wall, new process
    fluff = args.sqlfluff or os.environ.get("SQLFLUFF") or shutil.which("sqlfluff")
    # sqlfluff skips files over 20 KB, and gives up on more than 100,000 parse nodes (the
    # 100k-line file), unless told not to: make it lint every file in full.
    fluff_cfg = tmp / ".sqlfluff"
    fluff_cfg.write_text("[sqlfluff]\nlarge_file_skip_byte_limit = 0\nmax_parse_nodes = 0\n")
    side: list[tuple[str, int, tuple[float, float], tuple[float, float] | None]] = []
    for label, path in files.items():
        ours = wall_cpu([*dbd, "lint", str(path), "-f", "json"], runs, env)
        theirs = None
        if fluff and (path is not big or args.sqlfluff_big):
            cmd = [fluff, "lint", "--dialect", "postgres", "--nocolor", "--config", str(fluff_cfg)]
            theirs = wall_cpu([*cmd, "--processes", "1", str(path)], 1, warm_up=False)
        side.append((label, lines[path], ours, theirs))

    # ---- start-up floor and the parts, for the record
    rows: list[tuple[str, str, float, str]] = []
    rows.append(("python -c pass", "", wall([sys.executable, "-c", "pass"], runs, env), ""))
    rows.append(("dbdesign --version", "", wall([*dbd, "--version"], runs, env), ""))
    t_sarif = wall([*dbd, "lint", str(big), "-f", "sarif"], runs, env)
    rows.append(("dbdesign lint 100k file -f sarif", f"{lines[big]:,}", t_sarif, "target < 2 s"))
    nocache = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    nocache["PYTHONDONTWRITEBYTECODE"] = "1"
    t_nc = wall([*dbd, "lint", str(small), "-f", "json"], runs, nocache)
    rows.append(("dbdesign lint 5k file, no bytecode cache", f"{lines[small]:,}", t_nc, ""))
    gc.disable()  # as `dbdesign lint` runs (src/dbdesign/cli/lint.py)
    schema = api.read(str(big))
    findings = apply_suppressions(lint(schema))
    rules = engine.select_rules(LintConfig())
    t_read = median(lambda: api.read(str(big)), runs)
    t_lint = median(lambda: apply_suppressions(lint(schema)), runs)
    t_json = median(lambda: render("json", findings, rules), runs)
    n = f"{lines[big]:,}"
    rows.append(("in-process: read (DDL reader)", n, t_read, ""))
    rows.append(("in-process: lint engine, all rules", n, t_lint, f"{len(findings):,} findings"))
    rows.append(("in-process: render json", n, t_json, ""))
    gc.enable()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}; "
        f"median of {runs} runs (sqlfluff: 1 run)"
    )
    print(f"dbdesign: {' '.join(Path(c).name for c in dbd)}; sqlfluff: {fluff or 'not found'}")
    print()
    print(
        "| file | lines | dbdesign wall (s) | dbdesign CPU (s) | sqlfluff wall (s) "
        "| sqlfluff CPU (s) | ratio wall | ratio CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, n_lines, (w, c), theirs in side:
        if theirs is None:
            print(f"| {label} | {n_lines:,} | {w:.3f} | {c:.3f} | - | - | - | - |")
            continue
        tw, tc = theirs
        print(
            f"| {label} | {n_lines:,} | {w:.3f} | {c:.3f} | {tw:.2f} | {tc:.2f} "
            f"| {tw / w:.0f}x | {tc / c:.0f}x |"
        )
    print()
    print("| measurement | lines | seconds | note |")
    print("|---|---:|---:|---|")
    for name, n_lines_s, secs, note in rows:
        print(f"| {name} | {n_lines_s} | {secs:.3f} | {note} |")


if __name__ == "__main__":
    main()
