"""The history table ``dbdesign_migrations`` and what the folder and the history say together."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from dbdesign.errors import MigrationError
from dbdesign.migrate.files import Migration, version_key

TABLE = "dbdesign_migrations"

PG_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    duration_ms integer NOT NULL DEFAULT 0,
    applied_by text NOT NULL,
    state text NOT NULL CHECK (state IN ('applied', 'baseline', 'running', 'failed')),
    statements_done integer NOT NULL DEFAULT 0,
    detail text,
    done_checksum text
)"""

SQLITE_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    version TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    duration_ms INTEGER NOT NULL DEFAULT 0,
    applied_by TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('applied', 'baseline', 'running', 'failed')),
    statements_done INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    done_checksum TEXT
)"""

# applied_at is UTC: the runner's session sets time_zone = '+00:00'. utf8mb4_bin: versions
# and checksums compare as written.
MYSQL_DDL = f"""CREATE TABLE IF NOT EXISTS `{TABLE}` (
    version varchar(64) NOT NULL PRIMARY KEY,
    name varchar(255) NOT NULL,
    checksum varchar(64) NOT NULL,
    applied_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    duration_ms int NOT NULL DEFAULT 0,
    applied_by varchar(255) NOT NULL,
    state varchar(16) NOT NULL CHECK (state IN ('applied', 'baseline', 'running', 'failed')),
    statements_done int NOT NULL DEFAULT 0,
    detail text,
    done_checksum varchar(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"""

# Added after the first release: a history table made before it gets the column on the next
# `up` (ensure_history), and is read with NULL for it until then.
UPGRADE_COLUMNS = {"done_checksum": "text"}
BASE_COLUMNS = (
    "version, name, checksum, applied_at, duration_ms, applied_by, state, statements_done, detail"
)
COLUMNS = BASE_COLUMNS + ", done_checksum"

State = Literal["applied", "baseline", "running", "failed"]
Status = Literal[
    "applied", "baseline", "pending", "out_of_order", "changed", "missing", "running", "failed"
]
DRIFT: frozenset[str] = frozenset({"changed", "missing", "running", "failed"})


@dataclass(frozen=True, slots=True)
class Row:
    version: str
    name: str
    checksum: str
    applied_at: str
    duration_ms: int
    applied_by: str
    state: State
    statements_done: int = 0
    detail: str | None = None
    # sha256 of the statements a stopped no-transaction file had completed (files.py
    # statements_checksum); None for other rows and for rows written before the column existed
    done_checksum: str | None = None

    @classmethod
    def from_tuple(cls, t: tuple[Any, ...]) -> Row:
        """A row as the history table returns it; a row dbdesign could not have written (a
        version that is not digits, an unknown state, a count that is not a number: another
        tool or a hand wrote it) raises :class:`MalformedHistoryRow` naming what is wrong."""
        v, n, c, at, d, by, st, done, det, done_sum = t
        if v is None or not _VERSION.match(str(v)):
            shown = "NULL" if v is None else _literal(str(v))
            raise MalformedHistoryRow(
                v,
                f"its version {shown} is not a migration version (digits, like the 0001 of "
                "0001_name.up.sql), so dbdesign did not write it",
                _delete(v, first=True),
            )
        version = str(v)
        row = f"the row of version {_literal(version)}"
        where = f"WHERE version = {_literal(version)}"
        if st not in _STATES:
            shown = "NULL" if st is None else _literal(str(st))
            raise MalformedHistoryRow(
                v,
                f"{row} has the state {shown}, not one of {', '.join(_STATES)}",
                f"Correct it (UPDATE {TABLE} SET state = 'applied' {where}, if that migration "
                f"ran), or {_delete(v)} if dbdesign did not write it",
            )
        for column, value in (("name", n), ("checksum", c), ("applied_by", by)):
            if value is None:
                raise MalformedHistoryRow(
                    v,
                    f"{row} has no {column} (NULL)",
                    f"Correct it (UPDATE {TABLE} SET {column} = '...' {where}), or "
                    f"{_delete(v)} if dbdesign did not write it",
                )
        counts = []
        for column, value in (("duration_ms", d), ("statements_done", done)):
            number = _whole(value)
            if number is None:
                shown = "NULL" if value is None else _literal(str(value))
                raise MalformedHistoryRow(
                    v,
                    f"{row} has the {column} {shown}, not a whole number",
                    f"Correct it (UPDATE {TABLE} SET {column} = 0 {where}), or {_delete(v)} "
                    "if dbdesign did not write it",
                )
            counts.append(number)
        return cls(
            version, str(n), str(c), str(at), counts[0], str(by), st, counts[1], det, done_sum
        )

    @property
    def partial(self) -> bool:
        """A no-transaction file that stopped part-way ('running' or 'failed')."""
        return self.state in ("running", "failed")

    @property
    def direction(self) -> str:
        """Which file of a partial row ran: every detail the runner writes for one starts with
        ``up:`` or ``down:``."""
        return "down" if (self.detail or "").startswith("down:") else "up"


_VERSION = re.compile(r"^[0-9]+$")
_STATES: tuple[str, ...] = get_args(State)


class MalformedHistoryRow(MigrationError):
    """A row of the history table that dbdesign cannot read (another tool or a hand wrote it).
    The message is one line: the table, the row's version, what is wrong, how to put it right."""

    def __init__(self, version: object, problem: str, fix: str) -> None:
        super().__init__(
            f"{TABLE} has a row dbdesign cannot read: {problem}. {fix}, then run the command again"
        )
        self.version = version


def _literal(text: str, limit: int = 80) -> str:
    """``text`` as a SQL string literal for a one-line message (control characters escaped,
    long text cut)."""
    cut = text if len(text) <= limit else text[:limit] + "..."
    shown = cut.encode("unicode_escape").decode("ascii") if not cut.isprintable() else cut
    return "'" + shown.replace("'", "''") + "'"


def _delete(version: object, *, first: bool = False) -> str:
    """How to delete the row of ``version``, as a clause (``first``: capitalised)."""
    text = None if version is None else str(version)
    if text is None:
        how = f"delete the row (DELETE FROM {TABLE} WHERE version IS NULL)"
    elif text.isprintable() and len(text) <= 80:
        how = f"delete the row (DELETE FROM {TABLE} WHERE version = {_literal(text)})"
    else:
        how = f"delete the row from {TABLE}"
    return "D" + how[1:] if first else how


def _whole(value: object) -> int | None:
    """An integer column's value as int; None when it is not a whole number (SQLite keeps
    whatever text was inserted into an INTEGER column)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def progress_detail(direction: str, label: str, done: int, total: int, line: int | None) -> str:
    """The detail of a 'running' row: what completed and which statement runs now."""
    head = f"{direction}: {done} of {total} statements of {label} completed"
    return head if line is None else f"{head}; statement {done + 1} (line {line}) started"


def failed_detail(direction: str, label: str, done: int, total: int, line: int, error: str) -> str:
    return (
        f"{direction}: {done} of {total} statements of {label} completed; "
        f"statement {done + 1} (line {line}) failed: {error}"
    )


@dataclass(frozen=True, slots=True)
class Entry:
    version: str
    name: str
    status: Status
    applied_at: str | None = None
    detail: str | None = None
    # a no-transaction file that stopped part-way: how far it got, what it left behind
    progress: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": self.version,
            "name": self.name,
            "status": self.status,
            "applied_at": self.applied_at,
            "detail": self.detail,
        }
        if self.progress is not None:
            out["progress"] = self.progress
        return out


@dataclass(frozen=True, slots=True)
class Report:
    entries: tuple[Entry, ...] = field(default_factory=tuple)

    def by_status(self, *statuses: str) -> list[Entry]:
        return [e for e in self.entries if e.status in statuses]

    @property
    def drift(self) -> list[Entry]:
        return [e for e in self.entries if e.status in DRIFT]

    @property
    def pending(self) -> list[Entry]:
        return self.by_status("pending", "out_of_order")


def compare(migrations: list[Migration], rows: list[Row]) -> Report:
    """Status of every version in the folder or the history."""
    files = {m.version: m for m in migrations}
    hist = {r.version: r for r in rows}
    done = [r.version for r in rows if r.state in ("applied", "baseline")]
    latest = max(done, key=version_key, default=None)  # as written: 0003, not 3
    highest = -1 if latest is None else version_key(latest)
    entries = []
    for v in sorted(set(files) | set(hist), key=version_key):
        m, r = files.get(v), hist.get(v)
        if r is None:
            assert m is not None
            status: Status = "out_of_order" if m.key < highest else "pending"
            detail = f"older than the latest applied version {latest}" if m.key < highest else None
            entries.append(Entry(v, m.name, status, detail=detail))
            continue
        if r.state in ("running", "failed"):
            entries.append(Entry(v, r.name, r.state, r.applied_at, r.detail))
        elif m is None:
            entries.append(Entry(v, r.name, "missing", r.applied_at, "in the history, no file"))
        elif m.checksum != r.checksum:
            entries.append(
                Entry(
                    v,
                    r.name,
                    "changed",
                    r.applied_at,
                    f"{m.up.label} changed since it was applied "
                    f"(sha256 {r.checksum[:12]}… in history, {m.checksum[:12]}… on disk)",
                )
            )
        else:
            entries.append(Entry(v, r.name, r.state, r.applied_at))
    return Report(tuple(entries))
