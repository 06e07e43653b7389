"""No-transaction files that stopped part-way: what the history, the file and the catalog say
together, and the account ``status``, ``up`` and ``repair`` give of it.

A 'running' or 'failed' row records how many statements completed (``statements_done``) and a
checksum of their text (``done_checksum``). ``repair --resume`` runs the rest of the file only
when the completed statements still read the same; anything else is refused with the reason,
never guessed. On PostgreSQL the statement that stopped is looked at too: an interrupted
``CREATE INDEX CONCURRENTLY`` leaves its index INVALID (dropped by ``--resume`` and ``--forget``,
named in the account), and a 'running' row whose next index exists and is valid means that
statement finished in the instant before its progress was written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_base import Backend
from dbdesign.migrate.files import Migration, MigrationStatement, Script, statements_checksum
from dbdesign.migrate.history import TABLE, Row


@dataclass(frozen=True, slots=True)
class Partial:
    row: Row
    migration: Migration | None
    script: Script | None
    statements: tuple[MigrationStatement, ...] = ()
    blocker: str | None = None  # why --resume cannot run the rest of the file
    runner: str = "stopped"  # "stopped" | "running" | "unknown"
    holder: int | None = None  # the server process (MySQL: connection) holding the lock
    holder_kind: str = "server process"
    invalid: tuple[tuple[str, str], ...] = ()  # (schema, index) INVALID, left by the statement
    unnamed_invalid: tuple[str, ...] = ()  # INVALID indexes on the table of an unnamed build
    finished_next: str | None = None  # evidence that the next statement completed

    @property
    def version(self) -> str:
        return self.row.version

    @property
    def direction(self) -> str:
        return self.row.direction

    @property
    def done(self) -> int:
        return self.row.statements_done

    @property
    def label(self) -> str:
        if self.script is not None:
            return self.script.label
        return f"{self.row.version}_{self.row.name}.{self.direction}.sql"

    @property
    def total(self) -> int | None:
        return len(self.statements) if self.script is not None and not self.blocker else None

    @property
    def start(self) -> int:
        """The 0-based statement --resume starts at."""
        return self.done + (1 if self.finished_next else 0)

    def invalid_names(self) -> list[str]:
        return [f"{s}.{n}" for s, n in self.invalid]

    def account(self) -> str:
        """What ran, what stopped, and what is left behind."""
        r = self.row
        text = (r.detail or f"{r.statements_done} statement(s) completed").split(": ", 1)[-1]
        if r.state == "running":
            text += {
                "stopped": "; no runner holds the migration lock: the runner stopped",
                "running": f"; a runner is still running it ({self.holder_kind} "
                f"{self.holder} holds the migration lock)",
                "unknown": "; its runner is still running, or stopped",
            }[self.runner]
        if self.finished_next:
            text += f"; {self.finished_next}"
        if self.invalid:
            names = ", ".join(self.invalid_names())
            text += f"; it left the INVALID index {names} (statement {self.done + 1})"
        if self.unnamed_invalid:
            text += (
                f"; statement {self.done + 1} builds an index without a name and the table has "
                f"INVALID index(es) {', '.join(self.unnamed_invalid)}"
            )
        if self.blocker:
            text += f"; cannot resume: {self.blocker}"
        return text

    def choices(self) -> str:
        total = self.total
        rest = (
            f"runs {span(self.start + 1, total)} of {self.label} as it reads now"
            if total is not None and self.start < total
            else f"records {self.label} as completed"
            if total is not None
            else "is not possible (see above)"
        )
        drops = (
            f", after dropping the INVALID index {', '.join(self.invalid_names())}"
            if self.invalid
            else ""
        )
        if self.direction == "up":
            mark = "records it as applied (you finished the work by hand)"
            forget = (
                f"removes the record, so `up` runs the whole file again ({span(1, self.done)} "
                "took effect and will run again)"
                if self.done
                else "removes the record, so `up` runs the whole file again"
            )
        else:
            mark = "records the down file as done: the migration leaves the history"
            forget = "records the migration as applied again, so `down` runs the whole down file"
        return (
            f"`dbdesign migrate repair --resume` {rest}{drops}; `--mark-applied` {mark}; "
            f"`--forget` {forget}{drops if self.invalid else ''}"
        )

    def progress(self) -> dict[str, Any]:
        return {
            "direction": self.direction,
            "statements_done": self.done,
            "statements": self.total,
            "runner": self.runner if self.row.state == "running" else "stopped",
            "invalid_indexes": self.invalid_names() + list(self.unnamed_invalid),
            "finished_next": self.finished_next,
            "resume_blocked": self.blocker,
        }


def inspect(
    backend: Backend, migrations: dict[str, Migration], row: Row, *, locked: bool
) -> Partial:
    """Look at a 'running'/'failed' row with its file and (PostgreSQL) the catalog. ``locked``:
    the caller holds the migration lock, so no runner can be running it."""
    runner, holder = _runner(backend, row, locked=locked)
    m = migrations.get(row.version)
    script = None if m is None else (m.up if row.direction == "up" else m.down)
    kind = backend.db.lock_session
    base = Partial(row, m, script, runner=runner, holder=holder, holder_kind=kind)
    if script is None:
        return _replace(base, blocker=f"the {row.direction} file is missing from the folder")
    try:
        statements = tuple(backend.split(script))
    except MigrationError as e:
        return _replace(base, blocker=f"{script.label} cannot be read: {e.message}")
    blocker = _resume_blocker(row, m, script, statements)
    base = _replace(base, statements=statements, blocker=blocker)
    if runner == "running" or row.statements_done >= len(statements):
        return base
    return _left_by_next(backend, base, statements)


def _runner(backend: Backend, row: Row, *, locked: bool) -> tuple[str, int | None]:
    """Whether a runner still runs a 'running' row ("running", "stopped", or "unknown" where
    the server has no named locks to ask), and the process holding the migration lock."""
    if row.state != "running" or locked:
        return "stopped", None
    if not backend.db.named_locks:
        return "unknown", None
    holder = backend.lock_holder()
    return ("running" if holder is not None else "stopped"), holder


def _resume_blocker(
    row: Row, m: Migration | None, script: Script, statements: tuple[MigrationStatement, ...]
) -> str | None:
    """Why the rest of the file cannot run: the completed statements no longer read as they
    did (or, for a record without their checksum, the file changed at all)."""
    done = row.statements_done
    if done > len(statements):
        return f"{script.label} now has {len(statements)} statement(s) and {done} had completed"
    if row.done_checksum is not None:
        if statements_checksum(statements[:done]) != row.done_checksum:
            return (
                f"{script.label} changed in {span(1, done)}, which already ran (restore the "
                "text that ran to resume; a change after it is fine)"
            )
        return None
    if done and (row.direction != "up" or m is None or m.checksum != row.checksum):
        return (
            f"{script.label} changed, and the record (from an older dbdesign) has no checksum of "
            f"the completed statements: {span(1, done)} cannot be checked"
        )
    return None


def _left_by_next(
    backend: Backend, base: Partial, statements: tuple[MigrationStatement, ...]
) -> Partial:
    """What the statement that stopped left, where it builds an index concurrently: INVALID
    indexes, or (a 'running' row) a valid one, so it finished before its progress was
    written."""
    done = base.row.statements_done
    found = backend.concurrent_index(statements[done])  # None where there is no such build
    if found is None:
        return base
    name, indexes = found
    if name is None:
        return _replace(base, unnamed_invalid=tuple(f"{s}.{n}" for s, n, _ in indexes))
    invalid = tuple((s, n) for s, n, valid in indexes if not valid)
    finished = None
    if base.row.state == "running" and any(valid for _, _, valid in indexes):
        where = next(f"{s}.{n}" for s, n, valid in indexes if valid)
        finished = (
            f"the index {where} that statement {done + 1} builds exists and is valid: the "
            "statement finished before its progress was written"
        )
    return _replace(base, invalid=invalid, finished_next=finished)


def _replace(p: Partial, **kw: Any) -> Partial:
    return replace(p, **kw)


def span(first: int, last: int) -> str:
    """'statement 3' or 'statements 2-3' (1-based)."""
    return f"statement {first}" if first == last else f"statements {first}-{last}"


def refusal(partials: list[Partial], command: str) -> MigrationError:
    """`up`/`down` (or a bare `repair`) with a stopped no-transaction file: the account and the
    choices; nothing is run or changed."""
    lines = [
        f"{command}: {TABLE} records a no-transaction migration that stopped part-way; "
        "nothing was run or changed. Choose what `dbdesign migrate repair` does with it:"
    ]
    for p in partials:
        lines.append(f"  {p.version}_{p.row.name} ({p.row.state}): {p.account()}")
        lines.append(f"  choices: {p.choices()}")
    return MigrationError("\n".join(lines))
