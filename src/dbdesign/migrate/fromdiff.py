"""``migrate new NAME --from-diff TARGET``: migration files written from a diff.

The migrations folder's head (every up file replayed into a scratch database) is compared with
TARGET (a .sql file, a folder of .sql files, a database URL or another migrations folder). The
plan's statements are split where a statement cannot run inside a transaction block: each run of
transactional statements becomes one migration, and each such statement (CREATE INDEX
CONCURRENTLY, ALTER TYPE ... ADD VALUE) a migration of its own with the ``no-transaction``
header, numbered after it (``0007_name``, ``0008_name_2`` ...).

Every up file is applied to the scratch database before anything is written; each down file is
the diff from the state after its up back to the state before it, in plain forms (a down is for
going back quickly: no CONCURRENTLY, no NOT VALID), so every down undoes exactly its up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbdesign.diff import Plan, Statement, diff_schemas
from dbdesign.diff.plan import render_statements
from dbdesign.errors import DestructiveChangeError, UnsupportedError
from dbdesign.migrate.compare import Difference, schema_differences
from dbdesign.migrate.files import new_migration
from dbdesign.migrate.runner import Settings
from dbdesign.model import Schema

__all__ = ["FromDiff", "new_from_diff", "split_statements"]


@dataclass(frozen=True, slots=True)
class FromDiff:
    plan: Plan
    files: tuple[Path, ...] = ()
    residue: tuple[Difference, ...] = field(default_factory=tuple)  # target not reached


@dataclass(frozen=True, slots=True)
class _Group:
    statements: tuple[Statement, ...]
    transactional: bool


def split_statements(statements: tuple[Statement, ...]) -> list[_Group]:
    """Runs of transactional statements and runs of the others. A group that starts while
    expressions need another ``search_path`` begins with that SET again."""
    groups: list[_Group] = []
    current: list[Statement] = []
    tx = True
    path: Statement | None = None  # the SET search_path in force, if not public

    def close() -> None:
        if any(not s.sql.startswith("SET search_path") for s in current):
            groups.append(_Group(tuple(current), tx))
        current.clear()

    for st in statements:
        is_set = st.sql.startswith("SET search_path")
        if is_set:
            path = None if st.sql.endswith("= public") else st
        if not is_set and st.transactional != tx:
            close()
            tx = st.transactional
        if not current and path is not None and st is not path:
            current.append(path)
        current.append(st)
    close()
    return groups


def _apply(conn: Any, group: _Group) -> None:
    if group.transactional:
        with conn.transaction():
            for st in group.statements:
                conn.execute(st.sql)
    else:
        for st in group.statements:
            conn.execute(st.sql)


def _text(
    statements: tuple[Statement, ...], *, no_transaction: bool, lock_timeout: str | None
) -> str:
    head = ["-- written by `dbdesign migrate new --from-diff`: review it before applying"]
    options = []
    if no_transaction:
        options.append("no-transaction")
    if lock_timeout:
        options.append(f"lock_timeout={lock_timeout}")
    if options:
        head.append(f"-- dbdesign: {' '.join(options)}")
    body = render_statements(statements) if statements else "-- nothing to undo\n"
    return "\n".join(head) + "\n\n" + body


def new_from_diff(
    settings: Settings,
    name: str,
    target: str | Schema,
    *,
    db: str | None = None,
    safe: bool = True,
    allow_destructive: bool = False,
    renames: dict[str, str] | None = None,
    warn: Any = None,
) -> FromDiff:
    """Write the migration(s) from the folder's head to ``target``; nothing when they agree."""
    from dbdesign.engine import is_mysql_url, resolve_url
    from dbdesign.migrate.sources import (
        connected_user,
        postgres,
        read_side,
        replay,
        without_history,
    )

    server = resolve_url(db)
    if is_mysql_url(server) or (isinstance(target, str) and is_mysql_url(target)):
        raise UnsupportedError(
            "`migrate new --from-diff` is PostgreSQL only (the diff compares PostgreSQL "
            "schemas): for MySQL/MariaDB write the up and down files by hand, and check that "
            "each down undoes its up with `dbdesign migrate test --db mysql://...`"
        )
    owner = connected_user((server,))  # the role that replays the migrations owns them
    goal = (
        target
        if isinstance(target, Schema)
        else read_side(target, db=server, warn=warn, owner=owner)
    )
    pg = postgres()
    with pg.scratch(server) as url:
        head = replay(settings.dir, url) if settings.dir.is_dir() else pg.read_catalog(url)
        plan = diff_schemas(head, goal, renames=renames, safe=safe)
        if plan.is_empty:
            return FromDiff(plan)
        if plan.destructive and not allow_destructive:
            names = "; ".join(o.describe() for o in plan.destructive_operations)
            raise DestructiveChangeError(
                f"the migration deletes data ({names}); review it and pass --allow-destructive"
            )
        groups = split_statements(plan.statements())
        states = [head]
        with pg.connect(url, autocommit=True) as conn:
            for g in groups:
                _apply(conn, g)
                states.append(without_history(pg.read_catalog_of(conn)))
        residue = tuple(schema_differences(states[-1], goal))
        downs = [diff_schemas(states[i + 1], states[i], safe=False) for i in range(len(groups))]
    files: list[Path] = []
    for i, (g, down) in enumerate(zip(groups, downs, strict=True)):
        down_statements = down.statements()
        up_text = _text(
            g.statements,
            no_transaction=not g.transactional,
            lock_timeout=plan.lock_timeout if safe and g.transactional else None,
        )
        down_text = _text(
            down_statements,
            no_transaction=any(not s.transactional for s in down_statements),
            lock_timeout=None,
        )
        up, dn = new_migration(
            settings.dir,
            name if i == 0 else f"{name}_{i + 1}",
            versioning=settings.versioning,
            up_text=up_text,
            down_text=down_text,
        )
        files += [up, dn]
    return FromDiff(plan, tuple(files), residue)
