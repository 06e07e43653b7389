"""Migration lint speed: `dbdesign lint --migrations DIR` against `squawk DIR/*.sql` (issue 16).

Builds a realistic PostgreSQL migration folder of about 5,000 lines in a temporary directory
(dbdesign's layout, ``NNNN_name.up.sql``): tables created with keys, foreign keys and checks,
columns added, indexes built plainly and CONCURRENTLY (in no-transaction files), foreign keys
added NOT VALID then validated, SET NOT NULL, batched UPDATE backfills, comments, lock_timeout
settings; some files unsafe on purpose so both tools report. Then times both tools as whole
processes, as a user or CI runs them (interpreter start-up included), interleaved (dbdesign,
squawk, dbdesign, squawk ...) after a warm-up each, with dbdesign's start-up (the same command
on a folder of one statement) and a bare interpreter beside them, and prints the medians, the
CPU time (user + system) and the ratios; then, in-process, where dbdesign's time goes.

Subprocesses get a bytecode cache in a temporary directory (PYTHONPYCACHEPREFIX), as an
installed package has (bench/bench_lint.py does the same).

    python bench/bench_migration_lint.py [--lines 5000] [--runs 7] [--squawk PATH] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER_NO_TX = "-- dbdesign: no-transaction\n"


def create_table(n: int) -> str:
    parent = f"t{n - 1}" if n > 1 else None
    fk = f",\n    parent_id bigint REFERENCES {parent} (id)" if parent else ""
    return (
        f"CREATE TABLE t{n} (\n"
        "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "    name text NOT NULL,\n"
        "    status text NOT NULL DEFAULT 'new',\n"
        "    amount numeric(12, 2) CHECK (amount >= 0),\n"
        f"    created_at timestamptz NOT NULL DEFAULT now(){fk}\n"
        ");\n"
        f"COMMENT ON TABLE t{n} IS 'table {n} of the benchmark';\n"
        f"CREATE INDEX idx_t{n}_status ON t{n} (status);\n"
    )


def evolve(n: int, k: int) -> str:
    """A migration on the existing table ``t{k}`` (made by an earlier file); ``n`` picks the
    shape: mostly safe, some unsafe on purpose."""
    shape = n % 6
    if shape == 0:  # expand: a column, a backfill in batches, a comment
        return (
            "SET lock_timeout = '2s';\n"
            f"ALTER TABLE t{k} ADD COLUMN note_{n} text;\n"
            f"COMMENT ON COLUMN t{k}.note_{n} IS 'added by migration {n}';\n"
            f"UPDATE t{k} SET note_{n} = name\n"
            f"WHERE id IN (SELECT id FROM t{k} WHERE note_{n} IS NULL LIMIT 1000);\n"
        )
    if shape == 1:  # a foreign key NOT VALID, validated later
        return (
            "SET lock_timeout = '2s';\n"
            f"ALTER TABLE t{k} ADD COLUMN ref_{n} bigint;\n"
            f"ALTER TABLE t{k} ADD CONSTRAINT fk_t{k}_ref_{n}\n"
            f"    FOREIGN KEY (ref_{n}) REFERENCES t1 (id) NOT VALID;\n"
        )
    if shape == 2:  # the unsafe forms: plain index, CHECK without NOT VALID, SET NOT NULL
        return (
            f"CREATE INDEX idx_t{k}_created_{n} ON t{k} (created_at);\n"
            f"ALTER TABLE t{k} ADD CONSTRAINT chk_t{k}_amount_{n} CHECK (amount < 1000000);\n"
            f"ALTER TABLE t{k} ALTER COLUMN status SET NOT NULL;\n"
            f"ALTER TABLE t{k} ALTER COLUMN amount TYPE numeric(14, 2);\n"
        )
    if shape == 3:  # a default that is no rewrite, a type widening, now and then a rename
        rename = f"ALTER TABLE t{k} RENAME COLUMN flag_{n} TO enabled_{n};\n" if n % 5 == 3 else ""
        return (
            "SET lock_timeout = '2s';\n"
            f"ALTER TABLE t{k} ADD COLUMN flag_{n} boolean NOT NULL DEFAULT false;\n"
            f"ALTER TABLE t{k} ALTER COLUMN name TYPE text;\n" + rename
        )
    if shape == 4:  # validate an earlier NOT VALID constraint, then a data fix
        return (
            f"ALTER TABLE t{k} VALIDATE CONSTRAINT t{k}_amount_check;\n"
            f"UPDATE t{k}\n   SET status = 'done'\n WHERE status = 'closed';\n"
        )
    return (  # a concurrent build, outside a transaction
        HEADER_NO_TX
        + f"CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_t{k}_name_{n}\n"
        + f"    ON t{k} (lower(name)) WHERE status <> 'deleted';\n"
    )


def build_folder(folder: Path, lines: int, per_file: int = 20) -> tuple[int, int]:
    """Write migrations of about ``per_file`` lines each until ``lines`` lines: a new table in
    every fourth file, changes to earlier tables in the others (a concurrent build gets a file
    of its own, outside a transaction). Return (files, lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    total = n = tables = step = 0
    while total < lines:
        n += 1
        parts: list[str] = []
        if n % 4 == 1 or tables < 3:
            tables += 1
            parts.append(create_table(tables))
            name = f"create_t{tables}"
        else:
            name = f"change_{n}"
        while sum(p.count("\n") for p in parts) < per_file:
            step += 1
            part = evolve(step, 1 + (step * 7) % tables)
            if part.startswith(HEADER_NO_TX):
                if not parts:
                    parts.append(part)
                break
            parts.append(part)
        text = "".join(parts)
        (folder / f"{n:04d}_{name}.up.sql").write_text(text)
        total += text.count("\n")
    return n, total


def interleaved(cmds: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, dict]:
    """Each command run ``runs`` times (after one warm-up each), taking turns; the median wall
    and CPU seconds of each, and the wall ratio of each pair of turns."""
    walls: dict[str, list[float]] = {k: [] for k in cmds}
    cpus: dict[str, list[float]] = {k: [] for k in cmds}
    codes: dict[str, set[int]] = {k: set() for k in cmds}
    for turn in range(runs + 1):
        for label, cmd in cmds.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            elapsed = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            codes[label].add(r.returncode)
            if turn:  # the first turn warms the caches
                walls[label].append(elapsed)
                cpus[label].append(
                    after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                )
    return {
        k: {
            "wall": statistics.median(walls[k]),
            "cpu": statistics.median(cpus[k]),
            "walls": walls[k],
            "codes": codes[k],
        }
        for k in cmds
    }


def in_process(folder: Path) -> list[tuple[str, float, float]]:
    """Where dbdesign's time goes, in this process (wall and CPU seconds): imports as the CLI
    does them (measured in a fresh interpreter), collecting the files, and the walk with the
    rules (one lint_migrations call, the first in this process, as in a CLI run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = (
        "import time; t = time.perf_counter(); c = time.process_time(); import dbdesign.cli; "
        "from dbdesign.lint.migration import lint_migrations; "
        "from dbdesign.lint.registry import loaded_rules; loaded_rules('postgres'); "
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    imports = [float(x) for x in out.stdout.split()] or [float("nan")] * 2
    from dbdesign.lint.migration import lint_migrations
    from dbdesign.lint.migration.sources import collect

    t, c = time.perf_counter(), time.process_time()
    files = collect([str(folder)])
    read = (time.perf_counter() - t, time.process_time() - c)
    t, c = time.perf_counter(), time.process_time()
    report = lint_migrations([str(folder)])
    lint = (time.perf_counter() - t, time.process_time() - c)
    return [
        ("imports (CLI, linter, PostgreSQL rule modules; fresh interpreter)", *imports),
        (f"read and classify {len(files)} files", *read),
        (f"lint_migrations: walk + rules ({len(report.findings)} findings)", *lint),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--squawk", default=shutil.which("squawk"), help="the squawk binary")
    ap.add_argument("--keep", type=Path, help="write the folder here (and keep it)")
    args = ap.parse_args()
    if not args.squawk:
        sys.exit("squawk not found: pip install squawk-cli (or pass --squawk PATH)")
    tmp = Path(tempfile.mkdtemp())
    folder = args.keep or tmp / "migrations"
    nfiles, nlines = build_folder(folder, args.lines)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    script = Path(sys.executable).parent / "dbdesign"
    dbd = [str(script)] if script.exists() else [sys.executable, "-m", "dbdesign"]
    sql = [str(p) for p in sorted(folder.glob("*.sql"))]
    one = tmp / "one"  # start-up: the same command on a folder of one statement
    one.mkdir()
    (one / "0001_one.up.sql").write_text("SELECT 1;\n")
    cmds = {
        "dbdesign lint --migrations DIR": [*dbd, "lint", "--migrations", str(folder)],
        "squawk DIR/*.sql": [args.squawk, "--pg-version", "17", *sql],
        "dbdesign lint --migrations ONE (start-up)": [*dbd, "lint", "--migrations", str(one)],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    res = interleaved(cmds, args.runs, env)
    version = subprocess.run([args.squawk, "--version"], capture_output=True, text=True).stdout
    ours, theirs = res["dbdesign lint --migrations DIR"], res["squawk DIR/*.sql"]
    pairs = [a / b for a, b in zip(ours["walls"], theirs["walls"], strict=True)]
    print(
        f"{nfiles} files, {nlines:,} lines; {version.strip()}; Python "
        f"{sys.version.split()[0]}; median of {args.runs} interleaved runs after a warm-up\n"
    )
    print("| command | wall s | cpu s | exit |")
    print("|---|---:|---:|---|")
    for label, r in res.items():
        codes = ",".join(str(c) for c in sorted(r["codes"]))
        print(f"| `{label}` | {r['wall']:.3f} | {r['cpu']:.3f} | {codes} |")
    ratio = ours["wall"] / theirs["wall"]
    start = res["dbdesign lint --migrations ONE (start-up)"]
    print(
        f"\nratio dbdesign / squawk: wall {ratio:.1f}x (medians), pair by pair "
        f"{min(pairs):.1f}x-{max(pairs):.1f}x; CPU {ours['cpu'] / theirs['cpu']:.1f}x; "
        f"target 1.5x; dbdesign's start-up alone: {start['cpu'] / theirs['cpu']:.1f}x "
        f"squawk's whole run (CPU); the folder beyond start-up: "
        f"{ours['cpu'] - start['cpu']:.3f} s CPU\n"
    )
    print("| dbdesign, in process | wall s | cpu s |")
    print("|---|---:|---:|")
    for label, secs, cpu in in_process(folder):
        print(f"| {label} | {secs:.3f} | {cpu:.3f} |")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
