"""Lint speed: the engine on a 100,000-line schema, `dbdesign lint` wall time, and sqlfluff.

Builds the 100,000-line schema (bench/make_big_schema.py) and a ~5,000-line file (the same
construction cut at a statement boundary), then measures (best of N runs):

- dbdesign's reader and the lint engine in-process on the 100k file,
- `dbdesign lint FILE` as a user runs it (new process, interpreter start-up included) on the
  5k file, the 100k file and the corpus files,
- the interpreter alone and `dbdesign --version` (the start-up floor),
- `sqlfluff lint --dialect postgres` on the same 5k file and pagila (if sqlfluff is installed;
  `--sqlfluff-big` also runs it on the 100k file, which takes minutes).

    python bench/bench_lint.py [--runs 3] [--sqlfluff-big]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dbdesign import api
from dbdesign.lint import apply_suppressions, lint
from make_big_schema import CORPUS, build


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def wall(cmd: list[str], runs: int) -> float:
    # lint exits 1 when it finds problems: that is not a failure here.
    return best(lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False), runs)


def lint_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "dbdesign", "lint", str(path), "-f", "json"]


def cut(text: str, lines: int) -> str:
    """The first statements of ``text`` that make at least ``lines`` lines."""
    out = text.split("\n")
    i = lines
    while i < len(out) and out[i - 1].strip() != "":
        i += 1
    return "\n".join(out[:i]) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sqlfluff-big", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    big = tmp / "osm-100k.sql"
    big.write_text(build(100_000))
    small = tmp / "osm-5k.sql"
    small.write_text(cut(build(5_000), 5_000))
    pagila = CORPUS / "pagila.sql"
    n = {p: p.read_text().count("\n") for p in (big, small, pagila)}

    rows: list[tuple[str, int | str, float, str]] = []
    schema = api.read(str(big))
    t_read = best(lambda: api.read(str(big)), args.runs)
    t_lint = best(lambda: apply_suppressions(lint(schema)), args.runs)
    findings = len(apply_suppressions(lint(schema)))
    rows.append(("read (DDL reader, in-process)", n[big], t_read, ""))
    rows.append(("lint engine (in-process, all rules)", n[big], t_lint, f"{findings} findings"))
    rows.append(("read + lint (in-process)", n[big], t_read + t_lint, "target < 2 s"))
    rows.append(("python -c pass", "", wall([sys.executable, "-c", "pass"], args.runs), ""))
    ver = [sys.executable, "-m", "dbdesign", "--version"]
    rows.append(("dbdesign --version (wall)", "", wall(ver, args.runs), ""))
    t_small = wall(lint_cmd(small), args.runs)
    rows.append(("dbdesign lint 5k file (wall)", n[small], t_small, "target < 0.5 s"))
    t_big = wall(lint_cmd(big), args.runs)
    rows.append(("dbdesign lint 100k file (wall)", n[big], t_big, "target < 2 s"))
    t_pagila = wall(lint_cmd(pagila), args.runs)
    rows.append(("dbdesign lint pagila.sql (wall)", n[pagila], t_pagila, ""))
    fluff = shutil.which("sqlfluff")
    # sqlfluff skips files over 20,000 bytes unless told not to: lint them for real.
    fluff_cfg = tmp / ".sqlfluff"
    fluff_cfg.write_text("[sqlfluff]\nlarge_file_skip_byte_limit = 0\n")
    if fluff:
        for path, ours, label in ((small, t_small, "5k file"), (pagila, t_pagila, "pagila.sql")):
            cmd = [fluff, "lint", "--dialect", "postgres", "--nocolor", "--config", str(fluff_cfg)]
            cmd.append(str(path))
            t = wall(cmd, 1)
            rows.append((f"sqlfluff lint {label} (wall)", n[path], t, f"{t / ours:.0f}x dbdesign"))
        if args.sqlfluff_big:
            cmd = [fluff, "lint", "--dialect", "postgres", "--nocolor", "--config", str(fluff_cfg)]
            cmd.append(str(big))
            t = wall(cmd, 1)
            rows.append(("sqlfluff lint 100k file (wall)", n[big], t, f"{t / t_big:.0f}x dbdesign"))
    else:
        rows.append(("sqlfluff", "", float("nan"), "not installed (pip install sqlfluff)"))

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.1f}; best of {args.runs}"
    )
    print()
    print("| measurement | lines | seconds | note |")
    print("|---|---:|---:|---|")
    for name, lines, secs, note in rows:
        shown = f"{lines:,}" if isinstance(lines, int) else lines
        print(f"| {name} | {shown} | {secs:.3f} | {note} |")


if __name__ == "__main__":
    main()
