"""The runner: plan, lock, apply; status, validate, baseline, repair.

Every command reads the folder first and checks every file it is about to run (syntax, the
no-transaction header, transaction control) before the first statement reaches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dbdesign import dialects
from dbdesign.errors import ConfigError, MigrationError
from dbdesign.migrate.backend import Backend, applied_by, open_backend
from dbdesign.migrate.files import (
    Migration,
    MigrationStatement,
    Script,
    Versioning,
    discover,
    transactional,
)
from dbdesign.migrate.history import TABLE, Entry, Report, Row, compare
from dbdesign.migrate.partial import Partial, inspect, refusal, span

_DURATION = re.compile(r"^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$")
Echo = Callable[[str], None]
SAFETY_LEVELS = ("off", "info", "warning", "error")  # [tool.dbdesign.migrate] safety


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """``[tool.dbdesign.migrate]``: dir, versioning, lock_wait, lock_timeout, statement_timeout,
    out_of_order, safety (the lint severity that stops ``migrate up``, or ``off``).
    ``unsafe_ok``: apply pending migrations whatever their safety findings."""

    dir: Path = Path("migrations")
    versioning: Versioning = "sequential"
    lock_wait: float = 60.0  # seconds to wait for another runner
    lock_timeout: str | None = None  # per migration, PostgreSQL duration ('5s')
    statement_timeout: str | None = None
    out_of_order: bool = False
    safety: str = "error"
    unsafe_ok: bool = False

    @classmethod
    def from_config(cls, section: dict[str, Any], root: Path) -> Settings:
        known = {"dir", "versioning", "lock_wait", "lock_timeout", "statement_timeout"}
        known |= {"out_of_order", "safety"}
        for key in section:
            if key not in known:
                raise ConfigError(
                    f"[tool.dbdesign.migrate] unknown key {key!r} (known: {sorted(known)})"
                )
        versioning = section.get("versioning", "sequential")
        if versioning not in ("sequential", "timestamp"):
            raise ConfigError("[tool.dbdesign.migrate] versioning must be sequential or timestamp")
        try:
            lock_wait = float(section.get("lock_wait", 60.0))
        except (TypeError, ValueError):
            raise ConfigError("[tool.dbdesign.migrate] lock_wait must be seconds") from None
        safety = str(section.get("safety", "error")).lower()
        if safety not in SAFETY_LEVELS:
            raise ConfigError(
                f"[tool.dbdesign.migrate] safety must be one of {', '.join(SAFETY_LEVELS)}"
            )
        timeouts = {}
        for key in ("lock_timeout", "statement_timeout"):
            value = section.get(key)
            if value is not None and not _DURATION.match(str(value)):
                raise ConfigError(
                    f"[tool.dbdesign.migrate] {key} must be a duration like '5s' or '2min'"
                )
            timeouts[key] = None if value is None else str(value)
        return cls(
            dir=root / str(section.get("dir", "migrations")),
            versioning=versioning,
            lock_wait=lock_wait,
            lock_timeout=timeouts["lock_timeout"],
            statement_timeout=timeouts["statement_timeout"],
            out_of_order=bool(section.get("out_of_order", False)),
            safety=safety,
        )


@dataclass(frozen=True, slots=True)
class Step:
    migration: Migration
    direction: str
    script: Script
    statements: tuple[MigrationStatement, ...]
    ms: int = 0  # -1 when another runner did it first
    dialect: str = "postgres"


@contextmanager
def session(url: str, *, must_exist: str | None = None) -> Iterator[Backend]:
    """The database at ``url``. ``must_exist``: the command (``migrate status`` ...) that reads
    or changes a database that is there already; a SQLite file that is not there is refused
    rather than created (a typo in ``--db`` left an empty database behind, and read as one with
    no migrations applied). Only ``migrate up`` and ``migrate test``'s scratch file create one."""
    if must_exist is not None:
        missing = _missing_sqlite_file(url)
        if missing is not None:
            raise MigrationError(
                f"{missing}: no such SQLite database ({must_exist} does not create one; "
                "migrate up does)"
            )
    backend = open_backend(url)
    try:
        yield backend
    finally:
        backend.close()


def _missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL or path (:func:`dialects.database_file`) when it does not
    exist; None for a file that does and for any other database."""
    name = dialects.database_file(url)
    if name is None:
        return None
    # an empty path or :memory: is a database SQLite makes in memory, never a file
    path = Path(name)
    return None if str(path) in ("", ".", ":memory:") or path.exists() else path


def _check_drift(report: Report) -> None:
    drift = report.drift
    if drift:
        lines = "; ".join(f"{e.version} {e.status}: {e.detail or ''}".strip() for e in drift[:5])
        hint = (
            "run `dbdesign migrate repair`"
            if any(e.status in ("running", "failed") for e in drift)
            else "run `dbdesign migrate validate` for details"
        )
        raise MigrationError(f"the history does not match the migrations folder ({lines}); {hint}")


def _timeouts(settings: Settings, script: Script) -> dict[str, str | None]:
    return {
        "lock_timeout": script.lock_timeout or settings.lock_timeout,
        "statement_timeout": script.statement_timeout or settings.statement_timeout,
    }


def plan_up(
    migrations: list[Migration], rows: list[Row], *, to: str | None, out_of_order: bool
) -> list[Migration]:
    report = compare(migrations, rows)
    _check_drift(report)
    late = report.by_status("out_of_order")
    if late and not out_of_order:
        raise MigrationError(
            f"pending migration {late[0].version}_{late[0].name} is older than the latest "
            "applied one; rename it to a newer version, or allow it with --out-of-order "
            "(out_of_order = true)"
        )
    pending = {e.version for e in report.pending}
    todo = [m for m in migrations if m.version in pending]
    if to is not None:
        _known(migrations, to)
        todo = [m for m in todo if m.key <= int(to)]
    return todo


def _known(migrations: list[Migration], version: str) -> Migration:
    for m in migrations:
        if m.key == int(version):
            return m
    raise ConfigError(f"no migration with version {version}")


def plan_down(
    migrations: list[Migration], rows: list[Row], *, steps: int | None, to: str | None
) -> list[Migration]:
    report = compare(migrations, rows)
    _check_drift(report)
    files = {m.version: m for m in migrations}
    applied = [files[e.version] for e in report.by_status("applied")]
    applied.sort(key=lambda m: m.key, reverse=True)
    if to is not None:
        target = int(to)
        todo = [m for m in applied if m.key > target]
    else:
        todo = applied[: 1 if steps is None else steps]
    for m in todo:
        if m.down is None:
            raise MigrationError(f"{m.label} has no down file", file=str(m.up.path))
    return todo


def prepare(backend: Backend, todo: list[Migration], direction: str) -> list[Step]:
    """Check every file before anything runs."""
    steps = []
    for m in todo:
        script = m.up if direction == "up" else m.down
        assert script is not None
        backend.check_script(script)
        statements = tuple(backend.split(script))
        steps.append(Step(m, direction, script, statements, dialect=backend.dialect))
    return steps


def render(steps: list[Step]) -> str:
    """The SQL ``--dry-run`` prints."""
    out = []
    for s in steps:
        tx = transactional(s.script, s.statements)
        why = ""
        if not tx and not s.script.no_transaction:  # MySQL: a statement commits implicitly
            why = ": " + next(st.outside for st in s.statements if st.outside)
        out.append(f"-- {s.script.label}" + ("" if tx else f" (no transaction{why})"))
        if tx:
            out.append("BEGIN;")
        d = dialects.get(s.dialect)
        for st in s.statements:
            out += d.script_lines(st.text)
        if s.direction == "up":
            out.append(
                f"INSERT INTO {TABLE} (version, name, checksum, ...) VALUES "
                f"('{s.migration.version}', '{s.migration.name}', '{s.migration.checksum}', ...);"
            )
        else:
            out.append(f"DELETE FROM {TABLE} WHERE version = '{s.migration.version}';")
        if tx:
            out.append("COMMIT;")
        out.append("")
    return "\n".join(out)


def migrate(
    url: str,
    settings: Settings,
    *,
    direction: str = "up",
    to: str | None = None,
    steps: int | None = None,
    dry_run: bool = False,
    echo: Echo | None = None,
    on_wait: Echo | None = None,
) -> list[Step]:
    """Apply pending migrations (``up``) or revert applied ones (``down``) under the lock."""
    migrations = discover(settings.dir)
    command = f"migrate {direction}" + (" --dry-run" if dry_run else "")
    with session(url, must_exist=None if command == "migrate up" else command) as backend:
        if dry_run:
            return _plan(backend, migrations, direction, to, steps, settings, dry_run=True)
        with backend.lock(settings.lock_wait, on_wait):
            backend.ensure_history()
            # plan under the lock: the history is final now
            plan = _plan(backend, migrations, direction, to, steps, settings)
            if direction == "up" and not settings.unsafe_ok:
                from dbdesign.migrate.safety import check_pending  # the linter: only here

                check_pending(
                    backend,
                    migrations,
                    [s.migration for s in plan],
                    level=settings.safety,
                    lock_timeout=bool(settings.lock_timeout),
                )
            done: list[Step] = []
            verb = "applied" if direction == "up" else "reverted"
            i = 0
            while i < len(plan):
                batch = _batch(backend, plan, i, settings)
                if len(batch) > 1:
                    n = backend.run_batch(
                        [(b.migration, list(b.statements)) for b in batch], direction=direction
                    )
                    for b in batch[:n]:
                        done.append(b)
                        if echo is not None:
                            echo(f"{verb} {b.script.label}")
                    i += n
                    if n == len(batch):
                        continue
                s = plan[i]  # alone: precise errors (file:line, statement) if it fails
                ms = backend.run(
                    s.migration,
                    s.script,
                    list(s.statements),
                    direction=direction,
                    **_timeouts(settings, s.script),
                )
                done.append(replace(s, ms=ms))
                if echo is not None and ms >= 0:
                    echo(f"{verb} {s.script.label} ({ms} ms)")
                i += 1
            return done


BATCH_MIGRATIONS = 100
BATCH_BYTES = 1 << 20


def _batch(backend: Backend, plan: list[Step], start: int, settings: Settings) -> list[Step]:
    """Consecutive transactional PostgreSQL migrations without timeouts, from ``start``, that
    can travel in one query string (each still in its own transaction with its history row)."""
    if not backend.batches or settings.lock_timeout or (settings.statement_timeout):
        return []
    out: list[Step] = []
    size = 0
    for s in plan[start : start + BATCH_MIGRATIONS]:
        sc = s.script
        if sc.no_transaction or sc.lock_timeout or sc.statement_timeout:
            break
        size += len(sc.text)
        if out and size > BATCH_BYTES:
            break
        out.append(s)
    return out


def _partials(
    backend: Backend, migrations: list[Migration], rows: list[Row], *, locked: bool
) -> list[Partial]:
    by_version = {m.version: m for m in migrations}
    partial = sorted((r for r in rows if r.partial), key=lambda r: int(r.version))
    return [inspect(backend, by_version, r, locked=locked) for r in partial]


def _plan(
    backend: Backend,
    migrations: list[Migration],
    direction: str,
    to: str | None,
    steps: int | None,
    settings: Settings,
    *,
    dry_run: bool = False,
) -> list[Step]:
    rows = backend.history()
    stopped = _partials(backend, migrations, rows, locked=not dry_run)
    if stopped:
        raise refusal(stopped, f"migrate {direction}")
    if direction == "up":
        todo = plan_up(migrations, rows, to=to, out_of_order=settings.out_of_order)
    else:
        todo = plan_down(migrations, rows, steps=steps, to=to)
    return prepare(backend, todo, direction)


def status(url: str, settings: Settings, *, command: str = "migrate status") -> Report:
    """What the folder and the history say together; a no-transaction file that stopped
    part-way is described in full (what completed, what stopped, what it left behind).
    ``command``: the one asking, for a message (``migrate validate`` reads the same)."""
    migrations = discover(settings.dir)
    with session(url, must_exist=command) as backend:
        rows = backend.history()
        report = compare(migrations, rows)
        stopped = {p.version: p for p in _partials(backend, migrations, rows, locked=False)}
    if not stopped:
        return report
    entries = []
    for e in report.entries:
        p = stopped.get(e.version)
        if p is not None:
            e = Entry(e.version, e.name, e.status, e.applied_at, p.account(), p.progress())
        entries.append(e)
    return Report(tuple(entries))


def baseline(url: str, settings: Settings, version: str) -> list[Row]:
    """Adopt an existing database: record every migration up to ``version`` as 'baseline'."""
    migrations = discover(settings.dir)
    _known(migrations, version)
    with session(url, must_exist="migrate baseline") as backend, backend.lock(settings.lock_wait):
        if backend.history():
            raise MigrationError(f"{TABLE} is not empty: baseline is for a database without one")
        backend.ensure_history()
        rows = [
            Row(m.version, m.name, m.checksum, "", 0, applied_by(), "baseline")
            for m in migrations
            if m.key <= int(version)
        ]
        backend.write_rows(rows)
        return rows


@dataclass(frozen=True, slots=True)
class RepairAction:
    version: str
    action: str  # "resumed" | "marked applied" | "forgotten" | "checksum updated"
    account: str


def repair(
    url: str,
    settings: Settings,
    *,
    resume: bool = False,
    mark_applied: bool = False,
    forget: bool = False,
    accept_checksums: bool = False,
    echo: Echo | None = None,
) -> list[RepairAction]:
    """Settle no-transaction migrations that stopped part-way ('running'/'failed' rows), with
    one explicit choice: ``resume`` (run the statements after the completed ones, when those
    still read the same), ``mark_applied`` (the work was finished by hand) or ``forget``
    (remove the record: the whole file runs again). Without a choice, a stopped migration is
    refused with its account and the choices (MigrationError): nothing is guessed. On
    PostgreSQL an INVALID index left by an interrupted CREATE INDEX CONCURRENTLY is dropped
    (DROP INDEX CONCURRENTLY) by ``resume`` and ``forget``, and refused by ``mark_applied``.
    ``accept_checksums`` records changed files' new checksums."""
    chosen = [
        flag
        for flag, on in (
            ("--resume", resume),
            ("--mark-applied", mark_applied),
            ("--forget", forget),
        )
        if on
    ]
    if len(chosen) > 1:
        raise ConfigError(
            f"choose one of --resume, --mark-applied, --forget (not {' and '.join(chosen)})"
        )
    migrations = discover(settings.dir)
    actions: list[RepairAction] = []
    with session(url, must_exist="migrate repair") as backend, backend.lock(settings.lock_wait):
        rows = backend.history()
        stopped = _partials(backend, migrations, rows, locked=True)
        if stopped and not chosen:
            raise refusal(stopped, "migrate repair")
        for p in stopped:  # refuse before anything changes
            _check_choice(p, resume=resume, mark_applied=mark_applied)
        for p in stopped:
            if resume:
                actions.append(_resume(backend, p, settings, echo))
            elif mark_applied:
                actions.append(_mark_applied(backend, p))
            else:
                actions.append(_forget(backend, p))
        if accept_checksums:
            files = {m.version: m for m in migrations}
            for r in rows:
                m = files.get(r.version)
                if r.partial or m is None or m.checksum == r.checksum:
                    continue
                backend.write_rows([replace(r, checksum=m.checksum)])
                actions.append(
                    RepairAction(r.version, "checksum updated", f"{m.up.label} accepted as changed")
                )
    return actions


def _check_choice(p: Partial, *, resume: bool, mark_applied: bool) -> None:
    who = f"{p.version}_{p.row.name}"
    if p.unnamed_invalid:
        names = ", ".join(p.unnamed_invalid)
        raise MigrationError(
            f"{who}: statement {p.done + 1} of {p.label} builds an index without a name, and "
            f"its table has the INVALID index(es) {names}: which one it left cannot be told. "
            "Drop the leftover by hand (DROP INDEX CONCURRENTLY ...), then run repair again"
        )
    if resume and p.blocker:
        raise MigrationError(
            f"{who}: cannot resume: {p.blocker}. Nothing was changed; choose --mark-applied or "
            "--forget instead"
        )
    if mark_applied and p.invalid:
        names = ", ".join(p.invalid_names())
        raise MigrationError(
            f"{who}: the index {names} is INVALID: statement {p.done + 1} of {p.label} did not "
            "finish, so the file cannot be recorded as applied. Choose --resume (drops it and "
            "builds it again), or drop and build it by hand first. Nothing was changed"
        )


def _drop_invalid(backend: Backend, p: Partial) -> list[str]:
    notes = []
    for schema, name in p.invalid:
        stmt = backend.drop_index(schema, name)
        notes.append(
            f"dropped the INVALID index {schema}.{name} left by statement {p.done + 1} ({stmt})"
        )
    return notes


def _resume(backend: Backend, p: Partial, settings: Settings, echo: Echo | None) -> RepairAction:
    assert p.migration is not None and p.script is not None
    notes = _drop_invalid(backend, p)
    if p.finished_next:
        notes.append(f"statement {p.done + 1} counted as completed: {p.finished_next}")
    start, total = p.start, len(p.statements)
    for note in notes:
        if echo is not None:
            echo(f"{p.version}: {note}")
    ms = backend.run_outside(
        p.migration,
        p.script,
        list(p.statements),
        direction=p.direction,
        start=start,
        resume=True,
        **_timeouts(settings, p.script),
    )
    ran = f"ran {span(start + 1, total)}" if start < total else "no statement was left to run"
    verb = "applied" if p.direction == "up" else "reverted"
    return RepairAction(
        p.version,
        f"resumed: {ran} of {p.script.label}; {verb} ({ms} ms)",
        "; ".join([f"It had stopped: {p.account()}", *([] if echo else notes)]),
    )


def _mark_applied(backend: Backend, p: Partial) -> RepairAction:
    r = p.row
    if p.direction == "down":
        backend.delete_row(r.version)
        return RepairAction(
            r.version, "marked done (down file): removed from the history", p.account()
        )
    checksum = p.migration.checksum if p.migration else r.checksum
    total = len(p.statements) if p.statements else r.statements_done
    backend.write_rows(
        [
            replace(
                r,
                state="applied",
                checksum=checksum,
                detail=None,
                statements_done=total,
                done_checksum=None,
            )
        ]
    )
    return RepairAction(
        r.version, "marked applied", f"{p.account()}; {r.statements_done} statement(s) took effect"
    )


def _forget(backend: Backend, p: Partial) -> RepairAction:
    r = p.row
    notes = _drop_invalid(backend, p)
    took = f"{r.statements_done} statement(s) took effect and stay in effect"
    if p.direction == "up":
        backend.delete_row(r.version)
        action = "forgotten: removed from the history, `up` runs the whole file again"
    else:
        up = p.migration.up if p.migration else None
        try:
            done = len(backend.split(up)) if up is not None else 0
        except MigrationError:
            done = 0
        backend.write_rows(
            [replace(r, state="applied", detail=None, statements_done=done, done_checksum=None)]
        )
        action = "forgotten: recorded as applied again, `down` runs the whole down file again"
    return RepairAction(r.version, action, "; ".join([p.account(), took, *notes]))
