"""PostgreSQL's table lock modes as pg_locks names them, weakest first (the PostgreSQL
documentation, "Explicit Locking": each conflicts with more of the others than the one before),
for the tests that check a migration rule's lock claims against the server."""

from __future__ import annotations

LOCK_ORDER = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
]


def strongest(modes: list[str]) -> str | None:
    """The strongest of the lock modes held, or None for none."""
    return max(modes, key=LOCK_ORDER.index) if modes else None
