"""``migrate new NAME --from-diff TARGET``: migration files written from a diff.

The migrations folder's head (every up file replayed into a scratch database) is compared with
TARGET (a .sql file, a folder of .sql files, a database URL or another migrations folder). The
plan's statements are split where its transaction framing (:mod:`dbdesign.diff.framing`) puts a
boundary: each transaction becomes one migration, and each run of statements that cannot run
inside a transaction block (CREATE INDEX CONCURRENTLY ...) a migration with the
``no-transaction`` header, numbered in order (``0007_name``, ``0008_name_2`` ...), each saying
why it starts there.

The new up files are linted as ``migrate up`` will lint them (``dbdesign lint --migrations``,
the folder's earlier migrations as the schema, the server's version). A finding at error level
on a statement whose own hazards state it (a type change that rewrites: ``table_rewrite``; a
dropped column: ``data_loss`` ..., :data:`EXPLAINED_BY`) has no safe form the diff could have
used: a ``-- dbdesign: ignore CODE -- <the hazard>`` line goes above the statement, so
``migrate up`` accepts what dbdesign wrote with the hazard stated. Any other finding stays.

Every up file is applied to the scratch database before anything is written; each down file is
the diff from the state after its up back to the state before it, in plain forms (a down is for
going back quickly: no CONCURRENTLY, no NOT VALID), so every down undoes exactly its up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbdesign.diff import Plan, Statement, diff_schemas
from dbdesign.diff.plan import op_table, render_statements
from dbdesign.errors import DestructiveChangeError, UnsupportedError
from dbdesign.lint.findings import Finding, Severity
from dbdesign.migrate.compare import Difference, schema_differences
from dbdesign.migrate.files import new_migration
from dbdesign.migrate.runner import Settings
from dbdesign.model import Schema

__all__ = [
    "EXPLAINED_BY",
    "FromDiff",
    "explain",
    "file_groups",
    "new_from_diff",
    "statement_lines",
    "up_text",
]

# Migration-lint rules whose finding a statement's own hazard states, when the diff has no
# safe form for it: the rule's code -> the hazard codes that say what happens.
EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    "MIG008": ("table_rewrite",),  # ADD COLUMN with a volatile default
    "MIG009": ("table_rewrite",),  # ADD COLUMN identity / stored generated
    "MIG010": ("table_rewrite",),  # ALTER COLUMN TYPE that is not binary coercible
    "MIG011": ("index_build",),  # ADD EXCLUDE: no NOT VALID form exists
    "MIG012": ("may_fail",),  # ADD COLUMN NOT NULL without a default
    "MIG030": ("data_loss", "breaking_change", "column_readded"),  # DROP COLUMN
    "MIG031": ("data_loss", "table_rebuild"),  # DROP TABLE the target lacks, a rebuild's copy
    "MIG032": ("breaking_change",),  # RENAME COLUMN asked for with a hint
    "MIG033": ("breaking_change", "table_rebuild"),  # RENAME TABLE: a hint, or a rebuild
    "MIG039": ("table_scan",),  # ATTACH PARTITION where no CHECK can prove the bound (hash ...)
    "MIG040": ("access_exclusive_lock",),  # DETACH PARTITION (no CONCURRENTLY before 14)
    "MIG043": ("table_rewrite",),  # SET LOGGED / UNLOGGED
    "MIG045": ("breaking_change",),  # DROP VIEW the target lacks
    "MIG044": ("trigger_disabled",),  # the target has the trigger disabled
}


@dataclass(frozen=True, slots=True)
class FromDiff:
    plan: Plan
    files: tuple[Path, ...] = ()
    residue: tuple[Difference, ...] = field(default_factory=tuple)  # target not reached


@dataclass(frozen=True, slots=True)
class _Group:
    statements: tuple[Statement, ...]
    transactional: bool
    reason: str = ""


def _setting(st: Statement) -> str | None:
    """The variable a session ``SET`` statement sets (None: not one)."""
    if not st.sql.startswith("SET "):
        return None
    return st.sql.split()[1]


def file_groups(plan: Plan) -> list[_Group]:
    """The plan's transaction units (:meth:`Plan.transactions`), one migration file each. A
    file that starts while a session setting other than the default is in force (a
    ``search_path`` expressions need, ``check_function_bodies``) begins with that SET again."""
    groups: list[_Group] = []
    settings: dict[str, Statement] = {}
    for unit in plan.transactions():
        lead = [s for s in settings.values() if s is not unit.statements[0]]
        for st in unit.statements:
            name = _setting(st)
            if name == "search_path" and st.sql.endswith("= public"):
                settings.pop(name, None)
            elif name is not None:
                settings[name] = st
        groups.append(_Group((*lead, *unit.statements), unit.in_transaction, unit.reason))
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
    statements: tuple[Statement, ...],
    *,
    no_transaction: bool,
    lock_timeout: str | None,
    reason: str = "",
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
    why = f"-- a migration of its own: {reason}\n" if reason else ""
    return "\n".join(head) + "\n\n" + why + body


def up_text(plan: Plan, group: _Group, *, first: bool) -> str:
    """The up file of one group (the first says nothing about why it starts)."""
    return _text(
        group.statements,
        no_transaction=not group.transactional,
        lock_timeout=plan.lock_timeout if plan.safe and group.transactional else None,
        reason="" if first else group.reason,
    )


def statement_lines(text: str, statements: Sequence[Statement]) -> dict[int, Statement]:
    """The line (1-based) each statement starts on in ``text``."""
    lines = text.splitlines()
    out: dict[int, Statement] = {}
    i = 0
    for st in statements:
        first = st.sql.strip().splitlines()[0]
        while i < len(lines) and not lines[i].startswith(first):
            i += 1
        if i < len(lines):
            out[i + 1] = st
            i += 1
    return out


def _ignore_line(f: Finding, st: Statement | None, fresh: frozenset[str]) -> str | None:
    """The ignore line for an error finding that a hazard of its statement states, or on a
    relation the plan created in an earlier file (empty, made by this migration)."""
    if st is None or f.severity is not Severity.error:
        return None
    table = op_table(st.operation)
    if table in fresh:
        return (
            f"-- dbdesign: ignore {f.code} -- {table} is created earlier by this migration: it "
            "holds only what the migration put in it"
        )
    hazard = next((h for h in st.hazards if h.code in EXPLAINED_BY.get(f.code, ())), None)
    if hazard is None:
        return None
    return f"-- dbdesign: ignore {f.code} -- {hazard.code}: {hazard.message}"


def explain(
    text: str,
    statements: Sequence[Statement],
    findings: Iterable[Finding],
    fresh: frozenset[str] = frozenset(),
) -> str:
    """``text`` with a ``-- dbdesign: ignore CODE -- <reason>`` line above each statement that
    has an error-level finding one of its own hazards states (:data:`EXPLAINED_BY`), or that
    changes a relation ``fresh`` (made by the plan in an earlier file)."""
    at = statement_lines(text, statements)
    notes: dict[int, list[str]] = {}
    for f in findings:
        line = f.origin.line if f.origin and f.origin.line else 0
        ignore = _ignore_line(f, at.get(line), fresh)
        if ignore and ignore not in notes.setdefault(line, []):
            notes[line].append(ignore)
    lines = text.splitlines()
    for line in sorted(notes, reverse=True):
        lines[line - 1 : line - 1] = notes[line]
    return "\n".join(lines) + "\n"


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
        groups = file_groups(plan)
        states = [head]
        with pg.connect(url, autocommit=True) as conn:
            version = pg.version(conn)
            for g in groups:
                _apply(conn, g)
                states.append(without_history(pg.read_catalog_of(conn)))
        residue = tuple(schema_differences(states[-1], goal))
        downs = [diff_schemas(states[i + 1], states[i], safe=False) for i in range(len(groups))]
    files: list[Path] = []
    for i, (g, down) in enumerate(zip(groups, downs, strict=True)):
        down_statements = down.statements()
        down_text = _text(
            down_statements,
            no_transaction=any(not s.transactional for s in down_statements),
            lock_timeout=None,
        )
        up, dn = new_migration(
            settings.dir,
            name if i == 0 else f"{name}_{i + 1}",
            versioning=settings.versioning,
            up_text=up_text(plan, g, first=i == 0),
            down_text=down_text,
        )
        files += [up, dn]
    _explain_files(settings.dir, files[::2], groups, version, plan.fresh_relations)
    return FromDiff(plan, tuple(files), residue)


def _explain_files(
    folder: Path,
    ups: Sequence[Path],
    groups: Sequence[_Group],
    version: str,
    fresh: frozenset[str],
) -> None:
    """Lint the new up files as ``migrate up`` will and write the ignore lines (:func:`explain`)
    into them."""
    from dbdesign.lint.migration import MigrationLintOptions, lint_migrations

    options = MigrationLintOptions(
        dialect="postgres",
        server_version=" ".join(version.split()[:2]),
        report_only=frozenset(str(p) for p in ups),
    )
    report = lint_migrations([str(folder)], options)
    for path, g in zip(ups, groups, strict=True):
        mine = [f for f in report.findings if f.origin and f.origin.file == str(path)]
        if mine:
            text = explain(path.read_text(), g.statements, mine, fresh)
            path.write_text(text, encoding="utf-8")
