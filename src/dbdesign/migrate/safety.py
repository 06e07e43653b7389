"""``migrate up`` lints the pending migrations before it runs them (docs/migration-lint.md).

Findings at or above ``[tool.dbdesign.migrate] safety`` (default ``error``; ``off`` turns the
check off) stop the run before anything is applied, listing each finding; ``--unsafe-ok``
applies them anyway. Every migration of the folder is read, so a pending one is judged with the
tables the earlier ones made; the target is the connected server's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dbdesign import dialects
from dbdesign.errors import ConfigError, DestructiveChangeError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Severity
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.migrate.backend_base import Backend
from dbdesign.migrate.files import Migration

_SHOWN = 20


def check_pending(
    backend: Backend,
    migrations: Sequence[Migration],
    pending: Sequence[Migration],
    *,
    level: str,
    lock_timeout: bool,
) -> None:
    """Raise :class:`DestructiveChangeError` when the migration linter finds something at or
    above ``level`` in a ``pending`` migration (a dialect without a linter passes)."""
    if level == "off" or not pending:
        return
    dialect = dialects.get(backend.db.dialect)
    version = " ".join(backend.db.version(backend.conn).split()[:2])
    options = MigrationLintOptions(
        dialect=dialect.name,
        server_version=version,
        report_only=frozenset(str(m.up.path) for m in pending),
    )
    config = replace(LintConfig(), fail_on=Severity(level))
    try:
        report = lint_migrations(
            [str(m.up.path) for m in migrations], options, config, runner_lock_timeout=lock_timeout
        )
    except ConfigError as e:
        if "not linted yet" in str(e):
            return
        raise
    bad = [f for f in report.findings if f.severity.rank >= Severity(level).rank]
    if not bad:
        return
    lines = [f"  {f.where}: {f.severity.value} {f.code} {f.message}" for f in bad[:_SHOWN]]
    if len(bad) > _SHOWN:
        lines.append(f"  ... and {len(bad) - _SHOWN} more (dbdesign lint --migrations)")
    raise DestructiveChangeError(
        f"{len(bad)} migration-safety finding(s) at or above {level} in pending migrations; "
        "nothing was applied. Fix them (each finding's safe rewrite: dbdesign lint "
        "--migrations), silence one with `-- dbdesign: ignore CODE -- reason`, or apply anyway "
        "with --unsafe-ok:\n" + "\n".join(lines)
    )
