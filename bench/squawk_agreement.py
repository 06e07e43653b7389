"""dbdesign's migration linter side by side with squawk on the project's own migration cases.

Every PostgreSQL case of tests/lint_cases/MIG*.yaml (failing and passing alike) is written as a
file named like the case's ``file`` (default ``0002_case.up.sql``) and linted twice:

- dbdesign: :func:`dbdesign.lint.migration.lint_migrations` with the case's ``schema``,
  ``server_version`` and ``in_transaction``, every migration rule that is on by default;
- squawk: ``squawk --reporter json --pg-version V FILE`` with the case's server version (else
  PostgreSQL 17, dbdesign's default), and ``--assume-in-transaction`` when the file's runner
  wraps it in a transaction (dbdesign's layout without the no-transaction header, Flyway, dbmate:
  :func:`dbdesign.lint.migration.sources.classify`). squawk gets the text dbdesign lints (a
  dbmate file's down section blanked); it knows nothing of the case's schema.

Inline ``-- dbdesign: ignore`` comments are removed from both files first: the question is what
each linter judges, not what a case chose to silence. The findings are turned into concepts
(:data:`DBDESIGN` and :data:`SQUAWK`, the explicit mapping) and compared statement by statement
(a finding belongs to the statement its position falls in); the timeout concepts, which both
tools report once per file, are compared per file. The output is a markdown table of counts per
concept and the list of disagreements.

    python bench/squawk_agreement.py [--squawk PATH] [--cases DIR] [--only MIG001 ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pglast
import yaml

from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.migration.sources import classify

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "lint_cases"
DEFAULT_PG = "17"  # walk_postgres.DEFAULT_SERVER

# dbdesign's PostgreSQL migration rules -> the concept each one checks.
DBDESIGN: dict[str, str] = {
    "MIG001": "index built without CONCURRENTLY",
    "MIG002": "statement that cannot run in a transaction",
    "MIG003": "constraint validated under a write-blocking lock",
    "MIG004": "constraint validated under a write-blocking lock",
    "MIG005": "SET NOT NULL scan",
    "MIG006": "unique / primary key index built under lock",
    "MIG007": "SET NOT NULL scan",
    "MIG008": "ADD COLUMN rewrites the table",
    "MIG009": "ADD COLUMN rewrites the table",
    "MIG010": "column type change rewrites the table",
    "MIG011": "exclusion constraint built under lock",
    "MIG012": "NOT NULL column added without a default",
    "MIG020": "lock_timeout missing",
    "MIG021": "backfill in the DDL's transaction",
    "MIG022": "enum ADD VALUE in a transaction (before 12)",
    "MIG023": "new enum value used in its transaction",
    "MIG024": "transaction nesting",
    "MIG025": "BEGIN without COMMIT",
    "MIG026": "transaction nesting",
    "MIG027": "identifier over 63 bytes",
    "MIG028": "32-bit integer",
    "MIG029": "statement that cannot run in a transaction",
    "MIG030": "DROP COLUMN breaks clients",
    "MIG031": "DROP TABLE breaks clients",
    "MIG032": "RENAME COLUMN breaks clients",
    "MIG033": "RENAME TABLE breaks clients",
    "MIG034": "type / enum value rename breaks clients",
    "MIG035": "DROP INDEX without CONCURRENTLY",
    "MIG036": "VACUUM FULL / CLUSTER rewrite under lock",
    "MIG037": "VACUUM FULL / CLUSTER rewrite under lock",
    "MIG038": "REINDEX without CONCURRENTLY",
    "MIG039": "ATTACH PARTITION scan",
    "MIG040": "DETACH PARTITION without CONCURRENTLY",
    "MIG041": "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
    "MIG042": "TRUNCATE",
    "MIG043": "SET LOGGED / UNLOGGED rewrite",
    "MIG044": "DISABLE TRIGGER",
    "MIG045": "DROP VIEW breaks clients",
    "MIG046": "DROP EXPRESSION breaks clients",
}
NOT_COMPARED = {"SUP001"}  # unused suppressions: a property of the case, not of the SQL

# squawk 2.70's rules -> the concepts they check (several when one squawk rule covers what
# dbdesign splits). Rules without a dbdesign counterpart keep a concept of their own, so they
# show up as "only squawk".
SQUAWK: dict[str, tuple[str, ...]] = {
    "require-concurrent-index-creation": ("index built without CONCURRENTLY",),
    "ban-concurrent-index-creation-in-transaction": ("statement that cannot run in a transaction",),
    "constraint-missing-not-valid": ("constraint validated under a write-blocking lock",),
    "adding-foreign-key-constraint": ("constraint validated under a write-blocking lock",),
    "adding-not-nullable-field": ("SET NOT NULL scan",),
    "disallowed-unique-constraint": ("unique / primary key index built under lock",),
    "adding-serial-primary-key-field": (
        "unique / primary key index built under lock",
        "ADD COLUMN rewrites the table",
    ),
    "adding-field-with-default": ("ADD COLUMN rewrites the table",),
    "changing-column-type": ("column type change rewrites the table",),
    "adding-required-field": ("NOT NULL column added without a default",),
    "require-lock-timeout": ("lock_timeout missing",),
    "require-timeout-settings": ("lock_timeout missing", "statement_timeout missing"),
    "require-statement-timeout": ("statement_timeout missing",),
    "transaction-nesting": ("transaction nesting",),
    "ban-uncommitted-transaction": ("BEGIN without COMMIT",),
    "identifier-too-long": ("identifier over 63 bytes",),
    "prefer-bigint-over-int": ("32-bit integer",),
    "prefer-bigint-over-smallint": ("32-bit integer",),
    "prefer-big-int": ("32-bit integer",),
    "ban-drop-column": ("DROP COLUMN breaks clients",),
    "ban-drop-table": ("DROP TABLE breaks clients",),
    "renaming-column": ("RENAME COLUMN breaks clients",),
    "renaming-table": ("RENAME TABLE breaks clients",),
    "renaming-object": ("type / enum value rename breaks clients",),
    "require-concurrent-index-deletion": ("DROP INDEX without CONCURRENTLY",),
    "prefer-repack": ("VACUUM FULL / CLUSTER rewrite under lock",),
    "require-concurrent-reindex": ("REINDEX without CONCURRENTLY",),
    "require-concurrent-partition-detach": ("DETACH PARTITION without CONCURRENTLY",),
    "ban-truncate-cascade": ("TRUNCATE",),
    "ban-disable-trigger": ("DISABLE TRIGGER",),
    "ban-add-enum-value": ("enum ADD VALUE (rollback compatibility)",),
    "require-enum-value-ordering": ("enum ADD VALUE without BEFORE / AFTER",),
    "prefer-robust-stmts": ("statement not idempotent (IF [NOT] EXISTS)",),
    "prefer-identity": ("serial instead of identity (schema style)",),
    "prefer-text-field": ("varchar(n) instead of text (schema style)",),
    "prefer-timestamp-tz": ("timestamp without time zone (schema style)",),
    "prefer-timestamptz": ("timestamp without time zone (schema style)",),
    "ban-char-field": ("char(n) (schema style)",),
    "ban-drop-database": ("DROP DATABASE",),
    "ban-drop-not-null": ("DROP NOT NULL breaks clients",),
    "ban-drop-constraint": ("DROP CONSTRAINT (rollback compatibility)",),
    "ban-drop-index": ("DROP INDEX (rollback compatibility)",),
    "ban-drop-function": ("DROP FUNCTION breaks clients",),
    "ban-drop-view": ("DROP VIEW breaks clients",),
    "ban-drop-type": ("DROP TYPE breaks clients",),
    "ban-drop-schema": ("DROP SCHEMA breaks clients",),
    "ban-drop-sequence": ("DROP SEQUENCE breaks clients",),
    "ban-set-schema": ("SET SCHEMA breaks clients",),
    "ban-create-domain-with-constraint": ("domain constraint",),
    "ban-alter-domain-with-add-constraint": ("domain constraint",),
    "ban-duplicate-column-assignments": ("duplicate column assignment",),
    "ban-alter-identity": ("identity change (rollback compatibility)",),
    "ban-drop-generated-expression": ("DROP EXPRESSION breaks clients",),
    "ban-alter-generated-expression": ("ADD COLUMN rewrites the table",),
    "ban-add-column": ("ADD COLUMN (rollback compatibility)",),
    "ban-new-write-restriction": ("new write restriction (rollback compatibility)",),
    "ban-add-composite-attribute": ("composite type change (rollback compatibility)",),
    "ban-set-default": ("SET DEFAULT (rollback compatibility)",),
    "ban-revoke": ("REVOKE breaks clients",),
    "ban-replica-identity": ("REPLICA IDENTITY change",),
    "ban-detach-inheritance": ("NO INHERIT breaks clients",),
    "ban-replace-view-function": ("view / function replaced (rollback compatibility)",),
}
# Reported once per file (where in the file is a matter of taste), so compared per file.
PER_FILE = {
    "lock_timeout missing",
    "statement_timeout missing",
    "transaction nesting",
    "BEGIN without COMMIT",
}
_IGNORE_LINE = re.compile(r"^[ \t]*--[ \t]*dbdesign:[ \t]*ignore\b[^\n]*$", re.M | re.I)


@dataclass
class Result:
    """One case: the concepts each tool reported, per statement (index) or per file (-1)."""

    case: str
    statements: list[str]
    ours: dict[int, set[str]] = field(default_factory=dict)
    theirs: dict[int, set[str]] = field(default_factory=dict)
    codes: dict[int, set[str]] = field(default_factory=dict)
    rules: dict[int, set[str]] = field(default_factory=dict)
    unmapped: set[str] = field(default_factory=set)


def cases(folder: Path, only: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(folder.glob("MIG*.yaml")):
        if only and path.stem not in only:
            continue
        data = yaml.safe_load(path.read_text()) or {}
        for kind in ("fail", "pass"):
            for n, case in enumerate(data.get(kind) or []):
                if case.get("dialect", "postgres") == "postgres" and "migration" in case:
                    yield f"{path.stem}-{kind}-{n}", case


def starts(text: str) -> list[int]:
    """Where each statement of ``text`` starts (pglast's scanner, as PostgreSQL splits)."""
    try:
        slices = pglast.split(text, with_parser=False, only_slices=True)
    except pglast.parser.ParseError:
        return [0]
    return [s.start for s in slices] or [0]


def offset(text: str, line: int, col: int) -> int:
    """The character offset of 0-based ``line`` and ``col``."""
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line]) + col


def statement_of(begins: list[int], at: int) -> int:
    n = 0
    for i, b in enumerate(begins):
        if b <= at:
            n = i
    return n


def run_dbdesign(path: Path, schema: Path | None, case: dict[str, Any]) -> list[tuple[str, int]]:
    """(code, offset) of each finding."""
    options = MigrationLintOptions(
        dialect="postgres",
        schema=str(schema) if schema else None,
        server_version=str(case["server_version"]) if "server_version" in case else None,
        assume_in_transaction=case.get("in_transaction"),
    )
    text = classify(path, path.read_text()).text
    out = []
    for f in lint_migrations([str(path)], options).findings:
        if f.code in NOT_COMPARED:
            continue
        line = f.origin.line if f.origin and f.origin.line else 1
        col = f.origin.col if f.origin and f.origin.col else 1
        out.append((f.code, offset(text, line - 1, col - 1)))
    return out


def run_squawk(squawk: str, path: Path, case: dict[str, Any]) -> list[tuple[str, int]]:
    """(rule, offset) of each squawk finding on the text dbdesign lints."""
    migration = classify(path, path.read_text())
    wrapped = case.get("in_transaction", migration.wrapped)
    target = path.with_name("squawk_" + path.name)
    target.write_text(migration.text)
    cmd = [
        squawk,
        "--reporter",
        "json",
        "--pg-version",
        str(case.get("server_version", DEFAULT_PG)),
    ]
    cmd += ["--assume-in-transaction"] if wrapped else ["--no-assume-in-transaction"]
    r = subprocess.run([*cmd, str(target)], capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 1) or not r.stdout.strip().startswith("["):
        raise SystemExit(f"squawk failed on {path.name}: {r.stderr.strip() or r.stdout}")
    return [
        (v["rule_name"], offset(migration.text, v["line"], v["column"]))
        for v in json.loads(r.stdout)
    ]


def compare(name: str, case: dict[str, Any], squawk: str) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / case.get("file", "0002_case.up.sql")
        path.write_text(_IGNORE_LINE.sub("", case["migration"]))
        schema = None
        if case.get("schema"):
            schema = Path(tmp) / "schema.sql"
            schema.write_text(case["schema"])
        text = classify(path, path.read_text()).text
        begins = starts(text)
        res = Result(name, [_one_line(text, b) for b in begins])
        for code, at in run_dbdesign(path, schema, case):
            concept = DBDESIGN.get(code, code)
            n = -1 if concept in PER_FILE else statement_of(begins, at)
            res.ours.setdefault(n, set()).add(concept)
            res.codes.setdefault(n, set()).add(code)
        for rule, at in run_squawk(squawk, path, case):
            concepts = SQUAWK.get(rule)
            if concepts is None:
                res.unmapped.add(rule)
                concepts = (f"squawk {rule}",)
            n = -1 if set(concepts) <= PER_FILE else statement_of(begins, at)
            res.theirs.setdefault(n, set()).update(concepts)
            res.rules.setdefault(n, set()).add(rule)
    return res


def _one_line(text: str, begin: int) -> str:
    stmt = text[begin:].split(";", 1)[0]
    stmt = re.sub(r"--[^\n]*", " ", stmt)
    return " ".join(stmt.split())[:100]


@dataclass
class Tally:
    same: Counter[str] = field(default_factory=Counter)
    only_squawk: Counter[str] = field(default_factory=Counter)
    only_dbdesign: Counter[str] = field(default_factory=Counter)
    # ("only squawk", rule) or ("only dbdesign", code) -> [(case, statement or "file")]
    disagreements: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)


def tally(results: list[Result]) -> Tally:
    t = Tally()
    for res in results:
        for n in sorted(set(res.ours) | set(res.theirs)):
            ours, theirs = res.ours.get(n, set()), res.theirs.get(n, set())
            sq_rules = res.rules.get(n, set())
            # A squawk rule agrees when one of its concepts is one dbdesign reported.
            unmatched = sorted(r for r in sq_rules if not set(SQUAWK.get(r, ())) & ours)
            agreed = ours & theirs
            t.same.update(agreed)
            only_ours = ours - theirs
            t.only_dbdesign.update(only_ours)
            t.only_squawk.update({SQUAWK.get(r, (f"squawk {r}",))[0] for r in unmatched} - agreed)
            where = "(file)" if n < 0 else res.statements[n]
            for code in sorted(
                c for c in res.codes.get(n, set()) if DBDESIGN.get(c, c) in only_ours
            ):
                t.disagreements.setdefault(("only dbdesign", code), []).append((res.case, where))
            for rule in unmatched:
                t.disagreements.setdefault(("only squawk", rule), []).append((res.case, where))
    return t


def disagreements(t: Tally, shown: int) -> Iterator[str]:
    """One paragraph per (side, rule): how often, and the cases with their statements."""
    for (side, name), hits in sorted(t.disagreements.items(), key=lambda kv: -len(kv[1])):
        concept = DBDESIGN.get(name) or SQUAWK.get(name, (name,))[0]
        yield f"- {side} **{name}** ({concept}): {len(hits)}"
        for case, where in hits[:shown]:
            yield f"  - {case}: `{where}`"
        if len(hits) > shown:
            yield f"  - ... and {len(hits) - shown} more"


def table(t: Tally) -> str:
    concepts = sorted(set(t.same) | set(t.only_squawk) | set(t.only_dbdesign))
    rows = ["| concept | same finding | only squawk | only dbdesign |", "|---|---:|---:|---:|"]
    for c in concepts:
        rows.append(f"| {c} | {t.same[c]} | {t.only_squawk[c]} | {t.only_dbdesign[c]} |")
    total = (sum(t.same.values()), sum(t.only_squawk.values()), sum(t.only_dbdesign.values()))
    rows.append(f"| **total** | **{total[0]}** | **{total[1]}** | **{total[2]}** |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--squawk", default=shutil.which("squawk"), help="the squawk binary")
    ap.add_argument("--cases", type=Path, default=CASES, help="folder of MIG*.yaml cases")
    ap.add_argument("--only", nargs="*", default=[], help="rule codes whose cases to run")
    ap.add_argument("--shown", type=int, default=6, help="cases listed per disagreement")
    args = ap.parse_args()
    if not args.squawk:
        sys.exit("squawk not found: pip install squawk-cli (or pass --squawk PATH)")
    version = subprocess.run([args.squawk, "--version"], capture_output=True, text=True).stdout
    results = [compare(name, case, args.squawk) for name, case in cases(args.cases, set(args.only))]
    t = tally(results)
    print(f"{len(results)} PostgreSQL cases; {version.strip()}; dbdesign's migration rules\n")
    print(table(t))
    unmapped = sorted(set().union(*(r.unmapped for r in results)))
    if unmapped:
        print(f"\nsquawk rules missing from the mapping: {', '.join(unmapped)}")
    print("\nDisagreements, by rule (the cases and statements where one tool reports it):\n")
    print("\n".join(disagreements(t, args.shown)))


if __name__ == "__main__":
    main()
