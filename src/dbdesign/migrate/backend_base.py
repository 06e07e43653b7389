"""What every migration backend shares (PostgreSQL, SQLite, and MySQL / MariaDB in
:mod:`dbdesign.migrate.mysql`): the lock-wait error, who applied a migration, and the messages
of a failed statement and of a no-transaction file left part-way."""

from __future__ import annotations

import getpass
import os
import socket
from functools import cache

from dbdesign.errors import MigrationError
from dbdesign.migrate.files import Migration, MigrationStatement, Script
from dbdesign.migrate.history import TABLE


class LockTimeout(MigrationError):
    """Another runner held the lock for longer than the configured wait."""


@cache
def applied_by() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}@{socket.gethostname()}"


def _first_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def outside_account(
    migration: Migration, script: Script, done: int, total: int, left: str | None = None
) -> str:
    """What a failure in a no-transaction file leaves, and the choices `repair` offers."""
    rest = f"statement {total}" if done + 1 == total else f"statements {done + 1}-{total}"
    choices = (
        "Run `dbdesign migrate repair` to see the account, then choose: `--resume` (after fixing "
        f"the cause: runs {rest} of the file), `--mark-applied` (you "
        "finished the work by hand) or `--forget` (the whole file runs again)."
    )
    litter = f" {left}" if left else ""
    if done:
        return (
            f"{script.label} runs outside a transaction: statements 1-{done} of {total} took "
            f"effect and this one did not; {TABLE} marks {migration.version} 'failed' with "
            f"{done} completed.{litter} {choices}"
        )
    return (
        f"{script.label} runs outside a transaction; nothing of it took effect. {TABLE} marks "
        f"{migration.version} 'failed'.{litter} {choices}"
    )


def statement_failed(
    script: Script, stmt: MigrationStatement, error: str, position: int | None, *, account: str
) -> MigrationError:
    line = stmt.line
    if position is not None and 0 < position <= len(stmt.text):
        line += stmt.text.count("\n", 0, position - 1)
    return MigrationError(
        f"{error}\n  statement: {_first_line(stmt.text)}\n  {account}",
        file=str(script.path),
        line=line,
    )
