"""The history table ``dbdesign_migrations`` and what the folder and the history say together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
        v, n, c, at, d, by, st, done, det, done_sum = t
        return cls(str(v), n, c, str(at), int(d), by, st, int(done), det, done_sum)

    @property
    def partial(self) -> bool:
        """A no-transaction file that stopped part-way ('running' or 'failed')."""
        return self.state in ("running", "failed")

    @property
    def direction(self) -> str:
        """Which file of a partial row ran: every detail the runner writes for one starts with
        ``up:`` or ``down:``."""
        return "down" if (self.detail or "").startswith("down:") else "up"


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
    done = [version_key(r.version) for r in rows if r.state in ("applied", "baseline")]
    highest = max(done, default=-1)
    entries = []
    for v in sorted(set(files) | set(hist), key=version_key):
        m, r = files.get(v), hist.get(v)
        if r is None:
            assert m is not None
            status: Status = "out_of_order" if m.key < highest else "pending"
            detail = f"older than the latest applied version {highest}" if m.key < highest else None
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
