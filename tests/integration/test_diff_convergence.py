"""The diff converges (issue 6): for every pair in tests/diff_pairs/ and both directions, on the
embedded PostgreSQL 16 and the machine's PostgreSQL 15.

Load A into a scratch database and B into another; read both catalogs; apply
``diff_schemas(cat_A, cat_B)`` to A's database; its catalog must then equal B's and a second diff
must be empty; ``plan.reverse()`` must bring back A. Test ids: ``PAIR-a2b-SERVER``.

``test_pair_from_ddl`` does the same with the models the DDL reader makes of the two files (the
interface promises the same result as from the catalog), on the embedded server only: those
models do not depend on the server, and the catalog test covers both.

Each file's catalog model is read once per server (``_catalog``), so a test creates one database.

See tests/diff_pairs/README.md for the pair files and their header lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg
import pytest

from dbdesign import engine
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_path
from tests.conftest import PG_SERVERS, server_url
from tests.diffcheck import check_convergence, ensure_roles, show_differences
from tests.pgload import load_sql

PAIRS_DIR = Path(__file__).resolve().parents[1] / "diff_pairs"
PAIRS = sorted(p.name.removesuffix(".a.sql") for p in PAIRS_DIR.glob("*.a.sql"))
DIRECTIONS = {"a2b": ("a", "b"), "b2a": ("b", "a")}

_HEADER = re.compile(r"^--\s*([a-z-]+):\s*(.*)$")


@dataclass(frozen=True)
class Side:
    path: Path
    text: str
    renames: dict[str, str]  # hints for migrating FROM this side
    rows_kept: bool
    needs: tuple[str, ...]  # extensions the pair needs


def _side(pair: str, side: str) -> Side:
    path = PAIRS_DIR / f"{pair}.{side}.sql"
    text = path.read_text()
    renames: dict[str, str] = {}
    needs: list[str] = []
    rows_kept = False
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        if line.strip() == "-- rows-kept":
            rows_kept = True
        m = _HEADER.match(line)
        if m and m[1] == "renames":
            for item in m[2].split(","):
                old, _, new = item.strip().partition("=")
                renames[old] = new
        elif m and m[1] == "needs-extension":
            needs.append(m[2].strip())
    return Side(path, text, renames, rows_kept, tuple(needs))


def _sides(pair: str, direction: str) -> tuple[Side, Side]:
    src, dst = DIRECTIONS[direction]
    a = _side(pair, "a")
    s, d = _side(pair, src), _side(pair, dst)
    # extension needs are declared once, on the A file
    return (
        Side(s.path, s.text, s.renames, s.rows_kept, a.needs),
        Side(d.path, d.text, d.renames, d.rows_kept, a.needs),
    )


@cache
def _available_extensions(server: str) -> frozenset[str]:
    with engine.connect(server) as conn:
        return frozenset(r[0] for r in conn.execute("SELECT name FROM pg_available_extensions"))


def _cannot_load(server: str, src: Side, dst: Side) -> bool:
    """True when the server lacks an extension the pair needs; then the claim is checked: the
    side that creates the extension really fails to load."""
    missing = [e for e in src.needs if e not in _available_extensions(server)]
    if not missing:
        return False
    creating = next(s for s in (src, dst) if re.search(rf"CREATE EXTENSION {missing[0]}\b", s.text))
    with (
        engine.scratch_database(server) as url,
        pytest.raises(psycopg.Error, match="not available"),
    ):
        load_sql(url, creating.text)
    return True


@cache
def _catalog(server: str, path: Path) -> Schema:
    """The catalog model of one pair file on one server, read once per session."""
    with engine.scratch_database(server) as url:
        load_sql(url, path.read_text())
        return read_catalog(url)


CASES = [
    pytest.param(pair, direction, server, id=f"{pair}-{direction}-{server}")
    for pair in PAIRS
    for direction in DIRECTIONS
    for server in PG_SERVERS
]


def test_pair_set_covers_the_issue() -> None:
    """The hard chains issue 6 names each have a pair, and every pair has both files."""
    for name in (
        "view_over_type_change",
        "fk_onto_changed_pk",
        "enum_in_use",
        "table_into_partition",
        "identity",
        "inheritance_drop_parent",
        "serial",
        "generated",
    ):
        assert name in PAIRS
    for pair in PAIRS:
        assert (PAIRS_DIR / f"{pair}.b.sql").is_file(), pair


@pytest.mark.parametrize(("pair", "direction", "server"), CASES)
def test_pair_converges(pair: str, direction: str, server: str) -> None:
    base = server_url(server)
    ensure_roles(base)
    src, dst = _sides(pair, direction)
    if _cannot_load(base, src, dst):
        return
    cat_src, cat_dst = _catalog(base, src.path), _catalog(base, dst.path)
    assert cat_src != cat_dst, f"{pair}: both sides read the same"
    with engine.scratch_database(base) as src_url:
        load_sql(src_url, src.text)
        check_convergence(
            src_url,
            cat_src,
            cat_dst,
            renames=src.renames,
            rows_kept=src.rows_kept and dst.rows_kept,
        )


@pytest.mark.parametrize(
    ("pair", "direction", "server"), [c for c in CASES if c.values[2] == "embedded"]
)
def test_pair_from_ddl(pair: str, direction: str, server: str) -> None:
    """Diffing the DDL reader's models of the two files migrates A's database to B as well."""
    base = server_url(server)
    ensure_roles(base)
    src, dst = _sides(pair, direction)
    if _cannot_load(base, src, dst):
        return
    ddl_src, ddl_dst = read_path(src.path), read_path(dst.path)
    cat_src, cat_dst = _catalog(base, src.path), _catalog(base, dst.path)
    for ddl, cat, side in ((ddl_src, cat_src, src), (ddl_dst, cat_dst, dst)):
        # a precondition, so a failure here names the reader, not the diff
        assert ddl == cat, (
            f"the DDL reader's model of {side.path.name} differs from the catalog "
            f"(change: catalog -> DDL):\n  {show_differences(ddl, cat)}"
        )
    with engine.scratch_database(base) as src_url:
        load_sql(src_url, src.text)
        check_convergence(
            src_url,
            cat_src,
            cat_dst,
            renames=src.renames,
            reverse=False,
            plan_from=(ddl_src, ddl_dst),
        )
