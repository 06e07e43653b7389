"""``migrate test``: prove that every down migration undoes its up migration.

On a scratch database (a fresh database on the embedded PostgreSQL by default, or on the server
of ``--db``, PostgreSQL or MySQL/MariaDB; a temporary file for SQLite): for each migration in
order, read the schema, apply the up file, read the schema, apply the down file and require the
schema to equal the one before the up; then apply the up file again and require the schema to
equal the first up's. The first migration that fails is reported with a readable difference.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_base import Backend
from dbdesign.migrate.compare import Difference, schema_differences
from dbdesign.migrate.files import discover
from dbdesign.migrate.history import TABLE
from dbdesign.migrate.runner import Settings, Step, prepare, session
from dbdesign.model import Schema


@dataclass(frozen=True, slots=True)
class TestResult:
    checked: tuple[str, ...] = ()
    failed: str | None = None  # the label of the first failing migration
    problem: str | None = None
    differences: tuple[Difference, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": list(self.checked),
            "failed": self.failed,
            "problem": self.problem,
            "differences": [d.as_json() for d in self.differences],
        }


def scratch(url: str) -> AbstractContextManager[str]:
    """A throw-away database beside ``url`` (a temporary file for SQLite), dropped after."""
    from dbdesign import databases

    return databases.get(url).scratch(url)


def _reader(backend: Backend) -> Callable[[], Schema]:
    """The schema as the backend's session sees it, read by its database adapter."""
    db, conn = backend.db, backend.conn
    return lambda: db.read_catalog_of(conn)


def run_test(
    url: str, settings: Settings, *, echo: Callable[[str], None] | None = None
) -> TestResult:
    """Up, read, down, compare, up again, for every migration of the folder, on a scratch db."""
    migrations = discover(settings.dir)
    checked: list[str] = []
    with scratch(url) as scratch_url, session(scratch_url) as backend:
        backend.ensure_history()
        read = _reader(backend)
        ignore = (TABLE,)
        for m in migrations:
            if m.down is None:
                return TestResult(tuple(checked), m.label, "there is no down file")
            (up,) = prepare(backend, [m], "up")
            (down,) = prepare(backend, [m], "down")

            def apply(step: Step) -> None:
                backend.run(
                    step.migration,
                    step.script,
                    list(step.statements),
                    direction=step.direction,
                    lock_timeout=step.script.lock_timeout or settings.lock_timeout,
                    statement_timeout=step.script.statement_timeout or settings.statement_timeout,
                )

            try:
                before = read()
                apply(up)
                after_up = read()
                apply(down)
                after_down = read()
            except MigrationError as e:
                return TestResult(tuple(checked), m.label, str(e))
            diffs = schema_differences(before, after_down, ignore_tables=ignore)
            if diffs:
                return TestResult(
                    tuple(checked),
                    m.label,
                    f"{m.down.label} does not restore the schema from before {m.up.label} "
                    "(differences: before the up -> after the down)",
                    tuple(diffs),
                )
            try:
                apply(up)
            except MigrationError as e:
                return TestResult(tuple(checked), m.label, f"up again after down: {e}")
            again = read()
            diffs = schema_differences(after_up, again, ignore_tables=ignore)
            if diffs:
                return TestResult(
                    tuple(checked),
                    m.label,
                    f"applying {m.up.label} again after its down gives another schema "
                    "(differences: first up -> second up)",
                    tuple(diffs),
                )
            checked.append(m.label)
            if echo is not None:
                echo(f"ok {m.label}")
    return TestResult(tuple(checked))
