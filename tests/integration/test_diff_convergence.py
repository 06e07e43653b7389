"""The diff converges (issue 6): for every pair in tests/diff_pairs/ and both directions, on the
embedded PostgreSQL 16 and the machine's PostgreSQL 15.

Load A into a scratch database and B into another; read both catalogs; apply
``diff_schemas(cat_A, cat_B)`` to A's database; its catalog must then equal B's and a second diff
must be empty; ``plan.reverse()`` must bring back A. Test ids: ``PAIR-a2b-SERVER``.

``test_pair_from_ddl`` does the same with the models the DDL reader makes of the two files (the
interface promises the same result as from the catalog), on the embedded server only: those
models do not depend on the server, and the catalog test covers both.

Each file's catalog model is read once per server (``_catalog``), so a test creates one database.

Column order: by default the diff does not rebuild a table only to reach the target's column
order (ADD COLUMN appends; a note names each such table and ``plan.order_left`` the order it is
left in). Where the default plan (or its reverse) leaves an order, the pair is checked twice:
the default plan must give exactly B with those tables in the announced order (nothing else
differs, a second diff is empty), and with ``column_order=True`` (the rebuild) the whole check
runs, reverse included, to B itself.

See tests/diff_pairs/README.md for the pair files and their header lines.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import psycopg
import pytest

import tests.diffcheck
from dbdesign import engine
from dbdesign.diff import diff_schemas
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_path
from tests.conftest import PG_SERVERS, server_url
from tests.corpus import available_extensions
from tests.diffcheck import check_convergence, ensure_roles, in_order, show_differences
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


def _route(server: str, src: Side, dst: Side) -> None:
    """Skip, with the reason, when this server lacks an extension the pair needs — after checking
    the claim (the side that creates it really fails to load here) and that another test server
    has it, so the pair is tested there. Fails when no test server can load the pair."""
    from tests.conftest import PG_SERVERS

    missing = [e for e in src.needs if e not in available_extensions(server)]
    if not missing:
        return
    able = [
        s for s in PG_SERVERS if all(e in available_extensions(server_url(s)) for e in src.needs)
    ]
    if not able:
        pytest.fail(f"no test server has the extension(s) {', '.join(src.needs)}", pytrace=False)
    creating = next(s for s in (src, dst) if re.search(rf"CREATE EXTENSION {missing[0]}\b", s.text))
    with (
        engine.scratch_database(server) as url,
        pytest.raises(psycopg.Error, match="not available"),
    ):
        load_sql(url, creating.text)
    pytest.skip(f"this server lacks {', '.join(missing)}; the pair runs on {', '.join(able)}")


def _ddl_server(pair: str) -> str:
    """Where the DDL-reader variant of a pair runs: the embedded server, or the machine's
    PostgreSQL 15 when only that one has the pair's extensions."""
    needs = _side(pair, "a").needs
    if all(e in available_extensions(server_url("embedded")) for e in needs):
        return "embedded"
    return "pg15"


@cache
def _catalog(server: str, path: Path) -> Schema:
    """The catalog model of one pair file on one server, read once per session."""
    with engine.scratch_database(server) as url:
        load_sql(url, path.read_text())
        return read_catalog(url)


def converge(
    base: str,
    src: Side,
    cat_src: Schema,
    cat_dst: Schema,
    *,
    rows_kept: bool = False,
    reverse: bool = True,
    plan_from: tuple[Schema, Schema] | None = None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The convergence check of one pair direction; where the default plan leaves a column
    order, checked as the module docstring says (default plan, then ``column_order=True``)."""
    a, b = plan_from or (cat_src, cat_dst)
    plan = diff_schemas(a, b, renames=src.renames)
    left = dict(plan.order_left)
    # the reverse plan (applied after the forward one) may be the one that leaves an order
    if left or (reverse and plan.reverse().order_left):
        with engine.scratch_database(base) as src_url:
            load_sql(src_url, src.text)
            check_convergence(
                src_url,
                cat_src,
                in_order(cat_dst, left),
                renames=src.renames,
                rows_kept=rows_kept,
                reverse=False,
                plan_from=(a, b),
            )
        rebuild = functools.partial(diff_schemas, column_order=True)
        monkeypatch.setattr(tests.diffcheck, "diff_schemas", rebuild)
    with engine.scratch_database(base) as src_url:
        load_sql(src_url, src.text)
        check_convergence(
            src_url,
            cat_src,
            cat_dst,
            renames=src.renames,
            rows_kept=rows_kept,
            reverse=reverse,
            plan_from=plan_from,
        )


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
def test_pair_converges(
    pair: str, direction: str, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = server_url(server)
    ensure_roles(base)
    src, dst = _sides(pair, direction)
    _route(base, src, dst)
    cat_src, cat_dst = _catalog(base, src.path), _catalog(base, dst.path)
    assert cat_src != cat_dst, f"{pair}: both sides read the same"
    converge(
        base,
        src,
        cat_src,
        cat_dst,
        rows_kept=src.rows_kept and dst.rows_kept,
        monkeypatch=monkeypatch,
    )


def test_column_order_pairs_leave_the_order_by_default() -> None:
    """The pairs that need a rebuild for their column order (tests/diff_pairs/README.md) do
    not get one by default, and say so: so ``converge`` really checks both ways on them."""
    for pair, direction, table in (
        ("column_order_rebuild", "b2a", "public.parent"),
        ("inheritance_child_columns", "a2b", "public.child"),
    ):
        src, dst = _sides(pair, direction)
        plan = diff_schemas(read_path(src.path), read_path(dst.path), renames=src.renames)
        left = dict(plan.order_left)
        assert left and (table is None or table in left), (pair, plan.notes)
        assert not any(type(o).__name__ == "RebuildTable" for o in plan.operations)
        assert all("column order" not in o.describe() for o in plan.operations)
        assert any("only a rebuild reaches it" in n for n in plan.notes)


@pytest.mark.parametrize(
    ("pair", "direction"),
    [pytest.param(p, d, id=f"{p}-{d}") for p in PAIRS for d in DIRECTIONS],
)
def test_pair_from_ddl(pair: str, direction: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Diffing the DDL reader's models of the two files migrates A's database to B as well (on
    the embedded server, or PostgreSQL 15 for a pair whose extensions only it has)."""
    base = server_url(_ddl_server(pair))
    ensure_roles(base)
    src, dst = _sides(pair, direction)
    _route(base, src, dst)
    ddl_src, ddl_dst = read_path(src.path), read_path(dst.path)
    cat_src, cat_dst = _catalog(base, src.path), _catalog(base, dst.path)
    for ddl, cat, side in ((ddl_src, cat_src, src), (ddl_dst, cat_dst, dst)):
        # a precondition, so a failure here names the reader, not the diff
        assert ddl == cat, (
            f"the DDL reader's model of {side.path.name} differs from the catalog "
            f"(change: catalog -> DDL):\n  {show_differences(ddl, cat)}"
        )
    converge(
        base,
        src,
        cat_src,
        cat_dst,
        reverse=False,
        plan_from=(ddl_src, ddl_dst),
        monkeypatch=monkeypatch,
    )
