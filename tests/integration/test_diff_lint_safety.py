"""dbdesign's diff obeys its own migration lint (issue 16, "dbdesign obeys its own rules").

For every pair in tests/diff_pairs/ and both directions, the safe plan (``dbdesign diff``'s
default) is written as ``migrate new --from-diff`` writes it (one file per transaction unit,
``no-transaction`` where a statement cannot run in one) and linted with
``dbdesign lint --migrations``, the pair's source side as ``--schema``, for PostgreSQL 16 and 15.

No error-level finding is allowed unless :data:`EXPLAINED` lists it: (pair, direction, rule)
-> (what states it, why the diff has no safe form). What states it is a hazard code (or one of
several, space-separated) that must appear in the ``-- hazards:`` comment right above the
flagged statement (the diff says the hazard itself), or ``FRESH``: the statement changes a
relation the plan created earlier. Every entry must still be produced (no stale entries).
Then the ignore lines that ``migrate new --from-diff`` writes
(:func:`dbdesign.migrate.fromdiff.explain`) must silence exactly those findings: linting the
annotated files gives no error and no unused suppression.

:data:`GAPS`: plans that do not pass yet, each with the failure it gives and why: a plan the
linter cannot read (the DDL reader under it does not model a statement the plan uses: a
ParseError), or a finding the plan does not state a hazard for (an AssertionError). Strict
xfail: closing the gap makes the test fail here, so the entry is removed and the plan linted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbdesign.diff import diff_schemas
from dbdesign.diff.plan import Plan, op_table
from dbdesign.lint.findings import Finding, Severity
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.migrate.fromdiff import explain, file_groups, statement_lines, up_text
from dbdesign.readers.ddl.postgres import read_path

PAIRS_DIR = Path(__file__).resolve().parents[1] / "diff_pairs"
PAIRS = sorted(p.name.removesuffix(".a.sql") for p in PAIRS_DIR.glob("*.a.sql"))
DIRECTIONS = {"a2b": ("a", "b"), "b2a": ("b", "a")}
SERVERS = ("16", "15")
FRESH = "fresh"

REWRITE = (
    "the target's column type is not binary coercible from the source's: PostgreSQL has no form"
    " that avoids rewriting the table (a new column, a backfill and a swap is an application "
    "change, not a diff)"
)
DROP_COLUMN = (
    "the target has no such column: dropping it is the change asked for (destructive: needs "
    "--allow-destructive)"
)
DROP_TABLE = (
    "the target has no such table: dropping it is the change asked for (destructive: needs "
    "--allow-destructive)"
)
GENERATED = (
    "a stored generated column is computed for every row when added: there is no form without "
    "the rewrite"
)
DROP_VIEW = "the target has no such view: dropping it is the change asked for"
HINT_RENAME = "the rename was asked for with a --rename hint"
REBUILD = (
    "the table is rebuilt (renamed aside, re-created under its name in the same transaction): "
    "clients never see the new name"
)
EXCLUDE = (
    "an exclusion constraint has no NOT VALID / USING INDEX form: the index is built under the lock"
)
VOLATILE = (
    "a serial column added to an existing table fills every row from its sequence: there is no "
    "form without the rewrite"
)
LOGGED = "SET LOGGED / UNLOGGED rewrites the table by definition"
TRIGGER = "the target has the trigger disabled"
REQUIRED = (
    "the target's column is NOT NULL without a default: on a table with rows there is no value "
    "to give it"
)
DETACH = (
    "the diff is written for every supported server: DETACH ... CONCURRENTLY needs PostgreSQL "
    "14+, no default partition, and leaves a CHECK behind; not used yet (a gap)"
)
READDED = (
    "a generated column whose expression changes is dropped and added again in one transaction "
    "(clients never see it missing); a plain column that becomes generated loses its stored "
    "values; one the target lacks is dropped as asked"
)
NEW_TABLE = (
    "the table is created by the plan's first transaction: the foreign key lands after a "
    "VALIDATE's transaction boundary"
)

_R, _D = "table_rewrite", "data_loss"
EXPLAINED: dict[tuple[str, str, str], tuple[str, str]] = {}


def _explain(pairs: str, code: str, hazard: str, reason: str) -> None:
    for item in pairs.split():
        pair, direction = item.rsplit("-", 1)
        EXPLAINED[(pair, direction, code)] = (hazard, reason)


_explain(
    "column_type_using-a2b column_type_using-b2a columns-a2b columns-b2a fk_onto_changed_pk-a2b "
    "fk_onto_changed_pk-b2a serial-a2b serial-b2a view_over_type_change-a2b "
    "view_over_type_change-b2a composite_in_use-a2b composite_in_use-b2a "
    "domain_type_change-a2b domain_type_change-b2a enum_add_values-b2a enum_in_use-a2b "
    "enum_in_use-b2a",
    "MIG010",
    _R,
    REWRITE,
)
_explain(
    "column_order_rebuild-a2b columns-a2b columns-b2a domains-b2a extension_vector-b2a "
    "extensions-a2b extensions-b2a fk_onto_changed_pk_columns-b2a generated-a2b generated-b2a "
    "inheritance_add_column-b2a inheritance_child_columns-b2a partition_add_column-b2a "
    "serial-a2b serial-b2a",
    "MIG030",
    _D,
    DROP_COLUMN,
)
_explain(
    "everything-b2a foreign_keys-a2b inheritance_drop_all-a2b inheritance_drop_parent-a2b "
    "namespaces-a2b namespaces-b2a partitions-a2b partitions-b2a "
    "table_becomes_partitioned-a2b table_becomes_partitioned-b2a tables-a2b tables-b2a",
    "MIG031",
    _D,
    DROP_TABLE,
)
_explain("generated-a2b generated-b2a", "MIG009", _R, GENERATED)
_explain(
    "generated-a2b generated-b2a", "MIG030", "column_readded breaking_change data_loss", READDED
)
_explain("inheritance_drop_parent-b2a", "MIG031", "table_rebuild", REBUILD)
_explain("serial-a2b serial-b2a", "MIG008", _R, VOLATILE)
_explain("exclusion-a2b exclusion-b2a", "MIG011", "index_build", EXCLUDE)
_explain("fk_onto_changed_pk_columns-a2b", "MIG012", "may_fail", REQUIRED)
_explain("renames-a2b renames-b2a", "MIG032", "breaking_change", HINT_RENAME)
_explain("renames-a2b renames-b2a", "MIG033", "breaking_change", HINT_RENAME)
_explain("inheritance_drop_parent-b2a", "MIG033", "table_rebuild", REBUILD)
_explain(
    "partition_keys_indexes-a2b partitions-a2b partitions-b2a table_into_partition-b2a",
    "MIG040",
    "access_exclusive_lock",
    DETACH,
)
_explain("tables-a2b tables-b2a", "MIG043", _R, LOGGED)
_explain(
    "everything-b2a materialized_views-a2b materialized_views-b2a views-a2b views-b2a",
    "MIG045",
    "breaking_change",
    DROP_VIEW,
)
_explain("triggers-a2b", "MIG044", "trigger_disabled", TRIGGER)
_explain("foreign_keys-b2a", "MIG003", FRESH, NEW_TABLE)


def _fixture(name: str, side: str) -> Path:
    return PAIRS_DIR / f"{name}.{side}.sql"


def _renames(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("--"):
            break
        m = re.match(r"^--\s*renames:\s*(.*)$", line)
        for item in m[1].split(",") if m else ():
            old, _, new = item.strip().partition("=")
            out[old] = new
    return out


def _plan(pair: str, direction: str) -> tuple[Path, Plan]:
    src, dst = (_fixture(pair, s) for s in DIRECTIONS[direction])
    return src, diff_schemas(read_path(src), read_path(dst), renames=_renames(src))


def _write(folder: Path, plan: Plan) -> list[tuple[Path, str, tuple]]:
    out = []
    for i, g in enumerate(file_groups(plan)):
        path = folder / f"{i + 1:04d}_from_diff.up.sql"
        text = up_text(plan, g, first=i == 0)
        path.write_text(text)
        out.append((path, text, g.statements))
    return out


def _lint(folder: Path, schema: Path, server: str) -> tuple[Finding, ...]:
    options = MigrationLintOptions(schema=str(schema), server_version=server)
    return lint_migrations([str(folder)], options).findings


def _hazards_above(text: str, line: int) -> set[str]:
    """The hazard codes in the ``-- hazards:`` comment right above a statement's line."""
    lines = text.splitlines()
    i = line - 2
    while i >= 0 and lines[i].startswith("--"):
        if lines[i].startswith("-- hazards: "):
            return set(lines[i].removeprefix("-- hazards: ").split(", "))
        i -= 1
    return set()


GAPS: dict[tuple[str, str], tuple[type[Exception], str]] = {}


def _gap(items: str, raises: type[Exception], reason: str) -> None:
    for item in items.split():
        pair, direction = item.rsplit("-", 1)
        before = GAPS.get((pair, direction))
        GAPS[(pair, direction)] = (raises, f"{before[1]}; {reason}" if before else reason)


def _cases() -> list[object]:
    out = []
    for pair in PAIRS:
        for direction in DIRECTIONS:
            gap = GAPS.get((pair, direction))
            marks = [pytest.mark.xfail(raises=gap[0], strict=True, reason=gap[1])] if gap else []
            for server in SERVERS:
                out.append(
                    pytest.param(
                        pair, direction, server, id=f"{pair}-{direction}-pg{server}", marks=marks
                    )
                )
    return out


def test_the_pairs_are_the_projects() -> None:
    assert len(PAIRS) >= 45
    for pair in PAIRS:
        assert _fixture(pair, "b").is_file(), pair
    for key in [*EXPLAINED, *((p, d, "") for p, d in GAPS)]:
        assert key[0] in PAIRS and key[1] in DIRECTIONS, key


@pytest.mark.parametrize(("pair", "direction", "server"), _cases())
def test_safe_plan_passes_the_migration_lint(
    pair: str, direction: str, server: str, tmp_path: Path
) -> None:
    src, plan = _plan(pair, direction)
    files = _write(tmp_path, plan)
    findings = _lint(tmp_path, src, server)
    errors = [f for f in findings if f.severity is Severity.error]
    problems = []
    used = set()
    for f in errors:
        key = (pair, direction, f.code)
        path, text, statements = next(x for x in files if str(x[0]) == f.origin.file)  # type: ignore[union-attr]
        st = statement_lines(text, statements).get(f.origin.line)  # type: ignore[union-attr, arg-type]
        where = f"{path.name}:{f.origin.line} {f.code} {f.statement}"  # type: ignore[union-attr]
        if key not in EXPLAINED:
            problems.append(f"unexplained: {where}\n    {f.message}")
            continue
        used.add(key)
        hazard, _ = EXPLAINED[key]
        stated = (
            st is not None and op_table(st.operation) in plan.fresh_relations
            if hazard == FRESH
            else bool(set(hazard.split()) & _hazards_above(text, f.origin.line))  # type: ignore[union-attr, arg-type]
        )
        if not stated:
            problems.append(f"the plan does not state {hazard!r} on {where}")
    stale = {k for k in EXPLAINED if k[:2] == (pair, direction)} - used
    problems += [f"stale EXPLAINED entry: {k}" for k in sorted(stale)]
    assert not problems, "\n".join(problems) + "\n--- the plan ---\n" + plan.sql()

    # what `migrate new --from-diff` writes: the explained findings silenced, with reasons
    for path, text, statements in files:
        mine = [f for f in findings if f.origin and f.origin.file == str(path)]
        path.write_text(explain(text, statements, mine, plan.fresh_relations))
    again = _lint(tmp_path, src, server)
    left = [
        f"{f.code} {f.where} {f.message}"
        for f in again
        if f.severity is Severity.error or f.code == "SUP001"
    ]
    assert not left, "\n".join(left)
