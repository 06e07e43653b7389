"""What migration rules share about a statement is kept in the file's session, not in module
state: worked out once per statement, again for the next one, never seen by another session."""

from __future__ import annotations

import threading
from pathlib import Path

from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.migration.context import (
    LintedStatement,
    ServerVersion,
    Session,
    StatementContext,
)
from dbdesign.lint.migration.sources import MigrationFile
from dbdesign.lint.rules import migrations_pg_common

FILE = MigrationFile("0001_a.up.sql", "SELECT 1;\nSELECT 2;\n", "dbdesign", True)
PG16 = ServerVersion("postgres", (16,))


def _ctx(session: Session, stmt: LintedStatement) -> StatementContext:
    return StatementContext(stmt=stmt, server=PG16, session=session, state=None)


def test_shared_answers_are_per_statement_and_per_session() -> None:
    one = LintedStatement(FILE, "SELECT 1", 1, 1, "SelectStmt")
    two = LintedStatement(FILE, "SELECT 2", 2, 1, "SelectStmt")
    calls: list[str] = []

    def work_out(ctx: StatementContext) -> str:
        calls.append(ctx.stmt.text)
        return ctx.stmt.text.lower()

    session = Session()
    assert _ctx(session, one).shared("x", work_out) == "select 1"
    assert _ctx(session, one).shared("x", work_out) == "select 1"  # a second rule asks
    assert calls == ["SELECT 1"]
    assert _ctx(session, one).shared("y", lambda c: 42) == 42  # another name, its own answer
    assert _ctx(session, two).shared("x", work_out) == "select 2"
    assert calls == ["SELECT 1", "SELECT 2"]
    other = Session()
    assert _ctx(other, two).shared("x", work_out) == "select 2"
    assert calls == ["SELECT 1", "SELECT 2", "SELECT 2"]  # another file's run works it out


def test_no_module_keeps_a_statement_after_a_lint(tmp_path: Path) -> None:
    (tmp_path / "0001_t.up.sql").write_text("CREATE TABLE t (id int, a int);\n")
    (tmp_path / "0002_a.up.sql").write_text("ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n")
    report = lint_migrations([str(tmp_path)], MigrationLintOptions(server_version="16"))
    assert [f.code for f in report.findings if f.code != "MIG020"] == ["MIG005"]
    held = [
        name
        for name, value in vars(migrations_pg_common).items()
        if isinstance(value, list | dict) and any(isinstance(v, LintedStatement) for v in value)
    ]
    assert held == []


def test_runs_in_threads_give_the_serial_findings(tmp_path: Path) -> None:
    # ALTER TABLE statements on different tables in parallel runs: each rule must see its
    # own statement's subcommands
    for i in range(8):
        (tmp_path / f"{i + 1:04d}_a.up.sql").write_text(
            f"ALTER TABLE t{i} ALTER COLUMN a SET NOT NULL;\n"
            f"ALTER TABLE t{i} ADD CONSTRAINT c{i} CHECK (a > 0);\n"
            f"ALTER TABLE t{i} ALTER COLUMN b TYPE bigint;\n"
        )
    options = MigrationLintOptions(server_version="16")

    def run() -> list[tuple[str, str | None, int | None]]:
        findings = lint_migrations([str(tmp_path)], options).findings
        return [(f.code, f.object, f.origin.line if f.origin else None) for f in findings]

    serial = run()
    assert {c for c, _, _ in serial} >= {"MIG003", "MIG005", "MIG010"}
    results: list[list[tuple[str, str | None, int | None]]] = []
    threads = [threading.Thread(target=lambda: results.append(run())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [serial] * 4
