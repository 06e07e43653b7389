"""Diff fidelity (issue 14): migra's 26 test fixtures, dbdesign and migra side by side.

For each fixture folder (a.sql, b.sql) on a live PostgreSQL: load a.sql into a scratch database A
and b.sql into B; then, for each tool and each direction (A -> B, B -> A), copy the source into a
third scratch database, diff it against the pristine target, apply the printed SQL with psql and
ask whether the copy now has the target's schema. Tools:

- `dbdesign diff --allow-destructive FROM_URL TO_URL` (this checkout, `python -m dbdesign`);
- with --migra PATH: `migra --unsafe --with-privileges FROM_URL TO_URL` (the privileges flag as
  migra's own test suite runs most fixtures; pg_dump shows grants, so without it every fixture
  with a GRANT would differ).

Both tools diff whole databases: migra's own tests run singleschema, singleschema_ext and
excludeschema with --schema / --create-extensions-only / --exclude_schema, which diff a part on
purpose; here the question is "does the plan take A to B", so no filter is used for either tool.
The fixtures' additions.sql / expected*.sql test migra's API and its exact output: not used.

"Same schema" means equal normalised `pg_dump --schema-only` output plus equal extension versions
(pg_dump writes CREATE EXTENSION without a version). Normalised: the preamble (SET lines,
set_config) is dropped, the dump is cut into pg_dump's own objects at its `-- Name: ...; Type:
...` headers, and the objects are compared as a set keyed by that header rather than as one text:
pg_dump breaks ties in its order by OID and dependency sorting, so the same schema built in
another order prints the same objects in another order. Nothing inside an object is changed:
column order, constraint names, grants and owners count.

A fixture whose files do not load here (an extension or feature the server lacks) is reported as
"cannot run here", not as a failure of either tool. The role migra's test suite creates for the
rls fixtures (schemainspect_test_role) is created when missing and dropped at the end if this
script made it. Scratch databases are dropped at the end, also on failure or Ctrl-C.

The fixtures are migra's (not copied into this project); extract them from its repository first:

    git clone --depth 1 https://github.com/djrobstep/migra /tmp/migra-src
    python3 -m venv /tmp/migra-venv
    /tmp/migra-venv/bin/pip install migra psycopg2-binary "sqlalchemy<2"
    python bench/bench_diff_fixtures.py --fixtures /tmp/migra-src/tests/FIXTURES \\
        [--migra /tmp/migra-venv/bin/migra] [--db URL] [--only NAME ...] [--details]

psql and pg_dump (of the server's major version or newer) must be on PATH.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dbdesign
from bench_diff import DEFAULT_DB, drop, with_db
from dbdesign.engine import connect
from dbdesign.redact import redact_url

ROLES = ("schemainspect_test_role",)  # migra's tests create it before loading rls/rls2
DIRECTIONS = ("a->b", "b->a")
# tool name -> (its diff command without the two URLs, the exit codes of a successful diff)
Tools = dict[str, tuple[list[str], tuple[int, ...]]]
TIMEOUT = 600  # seconds for any one command: a hung lock wait must not hang the bench
_LAYOUT = re.compile(r"\s*$|--$|SET \w+ = .*;$|SELECT pg_catalog\.set_config\(")
_HEADER = re.compile(r"^-- (?:Data for )?Name: (.*?); Type: (.*?); Schema: (.*?);", re.M)


@dataclasses.dataclass
class Cell:
    """One tool, one direction of one fixture."""

    outcome: str  # converged | differs | error
    reason: str = ""
    seconds: float | None = None  # wall time of the diff command alone
    detail: str = ""
    order_only: bool = False  # differs in the column order of tables and nothing else

    def text(self) -> str:
        return self.outcome + (f": {self.reason}" if self.reason else "")


@dataclasses.dataclass
class Fixture:
    name: str
    skipped: str = ""  # why it cannot run on this server
    cells: dict[tuple[str, str], Cell] = dataclasses.field(default_factory=dict)


def run(cmd: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT)


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def psql(url: str, script: Path | None = None, stdin: str | None = None) -> str:
    """Run a script with psql, stopping at the first error; returns that error ('' when none)."""
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url]
    r = run([*cmd, "-f", str(script)] if script else cmd, stdin)
    if r.returncode == 0:
        return ""
    # psql prints "psql:<file>:<line>: ERROR: ..." then DETAIL/HINT lines: keep the ERROR line
    errors = [ln for ln in r.stderr.splitlines() if "ERROR" in ln or "FATAL" in ln]
    return (errors[0] if errors else last_line(r.stderr)).split("ERROR:  ")[-1]


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C and kill back until the block is done. A CREATE DATABASE cut off while the
    server runs it still completes after this script has dropped the scratch databases."""
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


def create(server: str, name: str, template: str | None = None) -> str:
    stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with uninterrupted():
        drop(server, name)
        with connect(server, autocommit=True) as conn:
            conn.execute(stmt)
    return with_db(server, name)


def schema_of(url: str) -> dict[str, list[str]]:
    """The normalised schema of a database: pg_dump's objects keyed by their header."""
    r = run(["pg_dump", "--schema-only", "-d", url])
    if r.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {last_line(r.stderr)}")
    # the tail: a closing comment and \unrestrict with a random key (pg_dump 15.14 and later)
    dump = r.stdout.split("\n-- PostgreSQL database dump complete")[0]
    objects: dict[str, list[str]] = {}
    heads = list(_HEADER.finditer(dump))  # the preamble before the first header is dropped
    for head, nxt in zip(heads, [*heads[1:], None], strict=True):
        body = dump[head.end() : nxt.start() if nxt else len(dump)]
        # layout, not schema: the header's own comment lines, blank lines, and the SET lines
        # pg_dump puts before the first table (they land in whichever object precedes it)
        text = "\n".join(ln for ln in body.splitlines()[1:] if not _LAYOUT.match(ln))
        name, kind, schema = head.groups()
        objects.setdefault(f"{kind} {'' if schema == '-' else schema + '.'}{name}", []).append(text)
    with connect(url, autocommit=True) as conn:
        for ext, version in conn.execute("SELECT extname, extversion FROM pg_extension"):
            objects[f"EXTENSION VERSION {ext}"] = [version]
    return {key: sorted(texts) for key, texts in objects.items()}


def compare(got: dict[str, list[str]], want: dict[str, list[str]]) -> Cell:
    """Converged, or differs with a short reason and the differing objects in full."""
    keys = sorted(k for k in got.keys() | want.keys() if got.get(k) != want.get(k))
    if not keys:
        return Cell("converged")

    def state(key: str) -> str:
        if key not in got or key not in want:
            return "missing" if key in want else "extra"
        # the same lines in another order: for a table, only its column order differs (which
        # ALTER TABLE ADD COLUMN cannot reach; worth telling apart from a wrong column)
        same = [sorted(ln.rstrip(",") for ln in t.splitlines()) for t in got[key]] == [
            sorted(ln.rstrip(",") for ln in t.splitlines()) for t in want[key]
        ]
        return "column order" if same and key.startswith("TABLE ") else "changed"

    states = {k: state(k) for k in keys}
    reason = ", ".join(f"{k} ({states[k]})" for k in keys[:2])
    reason += f" +{len(keys) - 2} more" if len(keys) > 2 else ""
    detail = "\n".join(
        f"  {k}: got {got.get(k, ['<none>'])!r}\n  {' ' * len(k)}  want {want.get(k, ['<none>'])!r}"
        for k in keys
    )
    order_only = all(v == "column order" for v in states.values())
    return Cell("differs", reason, detail=detail, order_only=order_only)


def tool_cell(cmd: list[str], ok: tuple[int, ...], server: str, prefix: str, d: str) -> Cell:
    """Copy the direction's source, diff it against the pristine target, apply, compare."""
    src, dst = d.split("->")
    # a template copy is the source byte for byte; the pristine databases stay untouched
    work = create(server, f"{prefix}_work", template=f"{prefix}_{src}")
    target = with_db(server, f"{prefix}_{dst}")
    t = time.perf_counter()
    r = run([*cmd, work, target])
    seconds = time.perf_counter() - t
    if r.returncode not in ok:
        return Cell(
            "error", f"diff exited {r.returncode}: {last_line(r.stderr or r.stdout)}", seconds
        )
    error = psql(work, stdin=r.stdout)
    if error:
        return Cell("error", f"applying the plan: {error}", seconds, r.stdout)
    return dataclasses.replace(compare(schema_of(work), schema_of(target)), seconds=seconds)


def run_fixture(folder: Path, server: str, tools: Tools) -> Fixture:
    fixture = Fixture(folder.name)
    prefix = f"bench_fx_{os.getpid()}"
    names = [f"{prefix}_{side}" for side in ("a", "b", "work")]
    try:
        for side in ("a", "b"):
            error = psql(create(server, f"{prefix}_{side}"), folder / f"{side}.sql")
            if error:
                fixture.skipped = f"{side}.sql does not load: {error}"
                return fixture
        for tool, (cmd, ok) in tools.items():
            for d in DIRECTIONS:
                fixture.cells[tool, d] = tool_cell(cmd, ok, server, prefix, d)
        return fixture
    finally:
        with uninterrupted():
            for name in names:
                drop(server, name)


def make_roles(server: str) -> list[str]:
    made = []
    with connect(server, autocommit=True) as conn:
        for role in ROLES:
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))
                made.append(role)
    return made


def drop_roles(server: str, roles: list[str]) -> None:
    with connect(server, autocommit=True) as conn:
        for role in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def fixture_dirs(root: Path, only: list[str]) -> list[Path]:
    if (root / "tests" / "FIXTURES").is_dir():  # the extraction root was given
        root = root / "tests" / "FIXTURES"
    found = sorted(p for p in root.iterdir() if (p / "a.sql").is_file() and (p / "b.sql").is_file())
    if only:
        found = [p for p in found if p.name in only]
    if not found:
        sys.exit(f"no fixture folders (with a.sql and b.sql) under {root}")
    return found


def short(cell: Cell | None, width: int = 70) -> str:
    if cell is None:
        return "-"
    text = cell.text().replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def report(fixtures: list[Fixture], tools: list[str]) -> None:
    head = ["fixture"] + [f"{t} {d}" for t in tools for d in DIRECTIONS] + [f"{t} s" for t in tools]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * (1 + 2 * len(tools)) + "---:|" * len(tools))
    for fx in fixtures:
        if fx.skipped:
            print(f"| {fx.name} | cannot run here: {fx.skipped} |" + " |" * (3 * len(tools) - 1))
            continue
        cols = [short(fx.cells.get((t, d))) for t in tools for d in DIRECTIONS]
        secs = [" / ".join(f"{fx.cells[t, d].seconds or 0:.2f}" for d in DIRECTIONS) for t in tools]
        print(f"| {fx.name} | " + " | ".join(cols + secs) + " |")
    ran = [fx for fx in fixtures if not fx.skipped]
    print(f"\n{len(ran)} of {len(fixtures)} fixtures run here", end="")
    print(
        f" ({', '.join(fx.name for fx in fixtures if fx.skipped)} cannot)"
        if len(ran) < len(fixtures)
        else ""
    )
    totals = {}
    for t in tools:
        counts = Counter((d, fx.cells[t, d].outcome) for fx in ran for d in DIRECTIONS)
        orders = Counter(d for fx in ran for d in DIRECTIONS if fx.cells[t, d].order_only)
        totals[t] = sum(fx.cells[t, d].seconds or 0 for fx in ran for d in DIRECTIONS)
        each = ", ".join(
            f"{d}: {counts[d, 'converged']} converged, {counts[d, 'differs']} differ "
            f"({orders[d]} in column order only), {counts[d, 'error']} errors"
            for d in DIRECTIONS
        )
        n = 2 * len(ran)
        print(f"{t}: {each}; {totals[t]:.1f} s for {n} diffs ({totals[t] / max(n, 1):.2f} s each)")
    if len(tools) == 2 and totals[tools[1]]:
        print(f"time ratio {tools[0]}/{tools[1]}: {totals[tools[0]] / totals[tools[1]]:.2f}x")


def details(fixtures: list[Fixture]) -> None:
    for fx in fixtures:
        for (tool, d), cell in fx.cells.items():
            if cell.outcome != "converged":
                print(f"\n## {fx.name} {tool} {d}: {cell.text()}\n{cell.detail}")


def checkout() -> str:
    """Which dbdesign is measured: the commit of its git checkout, and whether its src/ had
    changes not committed (other work in progress), or the folder it was imported from."""
    package = Path(dbdesign.__file__).resolve().parent
    head = run(["git", "-C", str(package), "rev-parse", "--short", "HEAD"]).stdout.strip()
    if not head:  # an export (git archive) on PYTHONPATH, say
        return f"from {package}"
    dirty = run(["git", "-C", str(package), "status", "--porcelain", "--", "."]).stdout.strip()
    return f"at {head}" + (" with uncommitted changes in src/" if dirty else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", type=Path, required=True, help="migra's tests/FIXTURES folder")
    ap.add_argument("--db", default=os.environ.get("DBDESIGN_TEST_PG_URL", DEFAULT_DB))
    ap.add_argument("--migra", help="migra's console script (its own virtualenv)")
    ap.add_argument("--only", action="append", default=[], help="run only this fixture")
    ap.add_argument("--details", action="store_true", help="print the differing objects / plans")
    args = ap.parse_args()
    for binary in ("psql", "pg_dump"):
        if not shutil.which(binary):
            sys.exit(f"{binary} is not on PATH")
    tools: Tools = {
        "dbdesign": ([sys.executable, "-m", "dbdesign", "diff", "--allow-destructive"], (0, 1))
    }
    if args.migra:
        tools["migra"] = ([args.migra, "--unsafe", "--with-privileges"], (0, 2))
    with connect(args.db, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; dbdesign {checkout()}; server {redact_url(args.db)} "
        f"(PostgreSQL {version[0] if version else '?'}); time = wall time of one diff command "
        "(new process)\n"
    )
    # a plain kill (SIGTERM) unwinds like Ctrl-C, so the finally blocks drop what was made
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    made = make_roles(args.db)
    fixtures = []
    try:
        for folder in fixture_dirs(args.fixtures, args.only):
            fixtures.append(run_fixture(folder, args.db, tools))
            print(f"{folder.name}: done", file=sys.stderr)
    finally:
        drop_roles(args.db, made)
    report(fixtures, list(tools))
    if args.details:
        details(fixtures)


if __name__ == "__main__":
    try:
        main()
    except psycopg.Error as e:
        sys.exit(f"database error: {e}")
