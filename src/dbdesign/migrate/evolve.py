"""The next migration of a changed design: from the previous design's schema to the new one.

:func:`next_migration` is ``dbdesign design``'s half of a design made against the previous one
(:mod:`dbdesign.design.evolve` is the other): the diff's safe plan (``diff_schemas(previous,
new)``, column order left as ALTER leaves it) split where its transaction framing puts a
boundary, as ``migrate new --from-diff`` splits it (:func:`dbdesign.migrate.fromdiff.
file_groups`): one migration per transaction, one ``no-transaction`` migration per run of
statements that cannot run in a transaction block (CREATE INDEX CONCURRENTLY ...), numbered
after the folder's migrations, which are never rewritten.

All of it happens in a temporary copy of the folder and a scratch database on the server given:

1. the earlier migrations are replayed; they must build the previous schema (else a
   :class:`MigrationError`: nothing is written);
2. each new up file is applied by the runner and the schema read back; its down file is the
   diff from there back to the state before it, in plain forms (a down is for going back
   quickly), so every down undoes exactly its up (a dropped column it adds again is put back
   in its place by rebuilding the table: ``dbdesign migrate test`` compares column order);
3. after the last up the database must read back as the new schema (no difference at all);
   the downs, applied in reverse, must each return to the state before their up;
4. the new up files are linted as ``migrate up`` lints them (the earlier migrations as the
   schema, the server's version). An error on a statement whose own hazard states it, when the
   user accepted that hazard (``data_loss`` with ``allow_destructive``, ``breaking_change`` of
   a rename hint), or on a relation the migration created, gets ``-- dbdesign: ignore CODE --
   <the hazard>`` above the statement, as ``migrate new --from-diff`` writes it; every other
   finding is returned, and an error fails ``dbdesign design``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbdesign import dialects
from dbdesign.diff import Plan, Statement, diff_schemas
from dbdesign.diff.plan import op_table, render_statements
from dbdesign.errors import DestructiveChangeError, MigrationError, UnsupportedError
from dbdesign.lint.findings import Finding, Severity
from dbdesign.migrate.compare import schema_differences
from dbdesign.migrate.files import FILE_RE, discover, new_migration
from dbdesign.migrate.fromdiff import EXPLAINED_BY, explain, file_groups, statement_lines, up_text
from dbdesign.migrate.runner import Settings, migrate
from dbdesign.migrate.sources import postgres, replay, without_history
from dbdesign.model import Schema

__all__ = ["HEAD", "NextMigration", "next_migration", "require_diffable"]

HEAD = "-- written by `dbdesign design` from the change to the previous design: review it"
_PENDING = "-- the down file is written once its up has been applied\n"


@dataclass(frozen=True, slots=True)
class NextMigration:
    """The new migration files (none when the schema did not change) and what was found."""

    plan: Plan | None  # None: the schema is the same (not diffed)
    earlier: tuple[str, ...] = ()  # the folder's migrations before, in order ("0001_initial")
    files: tuple[tuple[str, str], ...] = ()  # (file name, text): up and down of each, in order
    findings: tuple[Finding, ...] = ()  # the lint's, on the new up files
    checked_on: str = ""  # the server it was applied on ("PostgreSQL 16.4")
    problems: tuple[str, ...] = ()  # where the database did not reach what was designed
    notes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The new migrations (``0002_add_column_members_phone``)."""
        return tuple(n.removesuffix(".up.sql") for n, _ in self.files if n.endswith(".up.sql"))

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.error)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors


def require_diffable(dialect: str) -> None:
    """Refuse a dialect the diff does not compare (it compares PostgreSQL schemas)."""
    d = dialects.get(dialect)
    if d is not dialects.get(postgres().dialect):
        raise UnsupportedError(
            f"the next migration is written by the schema diff, which compares PostgreSQL "
            f"schemas: a changed {d.title} design cannot be migrated from the previous one "
            "yet. Design it into another folder and write the migration by hand "
            "(`dbdesign migrate test` checks that its down undoes its up)"
        )


_NAMING = frozenset(
    "create_table drop_table rename_table add_column drop_column rename_column "
    "alter_column_type create_index add_constraint".split()
)


def default_name(plan: Plan) -> str:
    """A migration name from the plan's first change to a table or column, else its first
    operation (``add_column_members_phone``), and ``_and_more`` when it changes other tables
    too."""
    ops = plan.operations
    first = next((o for o in ops if o.kind in _NAMING), ops[0] if ops else None)
    said = first.describe() if first is not None else "change"
    words = re.sub(r"[^A-Za-z0-9]+", "_", said.replace("public.", "")).strip("_").lower()
    name = words[:48].rstrip("_") or "change"
    tables = {op_table(o) for o in ops} - {None}
    return name + "_and_more" if len(tables) > 1 else name


def earlier_migrations(folder: Path) -> tuple[str, ...]:
    """The labels of the folder's migrations (``0001_initial``), in order; none without one."""
    if not folder.is_dir():
        return ()
    return tuple(f"{m.version}_{m.name}" for m in discover(folder))


def next_migration(
    folder: Path,
    previous: Schema,
    target: Schema,
    *,
    name: str | None,
    server: str,
    allow_destructive: bool = False,
    renames: Mapping[str, str] | None = None,
    shown_as: str | None = None,
) -> NextMigration:
    """The migration(s) from ``previous`` (what the migrations of ``folder`` built) to
    ``target``, checked on a scratch database of the PostgreSQL server ``server``. Nothing is
    written to ``folder``: the files come back as texts. ``name``: the migration's (default:
    from its first operation); ``shown_as``: how findings name the folder (default: its
    path)."""
    plan = diff_schemas(previous, target, renames=renames, safe=True)
    earlier = earlier_migrations(folder)
    if plan.is_empty:
        return NextMigration(plan, earlier, notes=plan.notes)
    if plan.destructive and not allow_destructive:
        names = "; ".join(o.describe() for o in plan.destructive_operations)
        raise DestructiveChangeError(
            f"the spec's change deletes data ({names}); review it and pass --allow-destructive "
            "(a renamed attribute or entity is a drop and an add unless --rename says so)"
        )
    accepted = {"data_loss"} if allow_destructive else set()
    if renames:
        accepted.add("breaking_change")
    with tempfile.TemporaryDirectory(prefix="dbdesign-next-") as tmp:
        work = Path(tmp) / "migrations"
        work.mkdir()
        for p in sorted(folder.glob("*.sql")) if folder.is_dir() else ():
            if FILE_RE.match(p.name):
                shutil.copyfile(p, work / p.name)
        run = _Run(plan, work, previous, target)
        pg = postgres()
        with pg.scratch(server) as url:
            run.replay(url)
            ups = run.write_ups(name or default_name(plan))
            run.apply(url, ups)
        findings = run.lint(ups, frozenset(accepted), shown_as or str(folder))
        files = tuple(
            (p.name, p.read_text(encoding="utf-8")) for up in ups for p in (up, _down_path(up))
        )
    return NextMigration(
        plan, earlier, files, findings, run.version, tuple(run.problems), plan.notes
    )


class _Run:
    """One next migration in the making: its files in ``work``, checked on a scratch db."""

    def __init__(self, plan: Plan, work: Path, previous: Schema, target: Schema) -> None:
        self.plan, self.work, self.previous, self.target = plan, work, previous, target
        self.groups = file_groups(plan)
        self.version = ""
        self.states: list[Schema] = []
        self.problems: list[str] = []

    def write_ups(self, name: str) -> list[Path]:
        ups = []
        for i, g in enumerate(self.groups):
            text = up_text(self.plan, g, first=i == 0)
            text = HEAD + "\n" + text.split("\n", 1)[1]  # the first line says who wrote it
            up, _ = new_migration(
                self.work, name if i == 0 else f"{name}_{i + 1}", up_text=text, down_text=_PENDING
            )
            ups.append(up)
        return ups

    def replay(self, url: str) -> None:
        """Apply the earlier migrations (the only ones in the folder yet) and require the
        previous design's schema."""
        pg = postgres()
        with pg.connect(url) as conn:
            self.version = " ".join(pg.version(conn).split()[:2])
        self.states = [replay(self.work, url)]
        diffs = [str(x) for x in schema_differences(self.previous, self.states[0])]
        if diffs:
            raise MigrationError(
                "the folder's migrations do not build the previous design (its design.json; "
                "expected -> got): " + "; ".join(diffs[:10]) + ". Was one edited by hand? Make "
                "them agree, or design into another folder"
            )

    def apply(self, url: str, ups: Sequence[Path]) -> None:
        """Apply each up (then write its down from the state it left), compare with the
        target, and apply the downs back, each compared with the state before its up."""
        pg = postgres()
        settings = Settings(dir=self.work, unsafe_ok=True)
        states = self.states
        for up in ups:
            migrate(url, settings, direction="up", to=up.name.split("_", 1)[0])
            states.append(without_history(pg.read_catalog(url)))
            down = diff_schemas(states[-1], states[-2], safe=False, column_order=True)
            _down_path(up).write_text(_down_text(down), encoding="utf-8")
        self._differ("the new migrations do not build this design", states[-1], self.target)
        for i in range(len(ups), 0, -1):
            migrate(url, settings, direction="down", steps=1)
            back = without_history(pg.read_catalog(url))
            self._differ(f"{_down_path(ups[i - 1]).name} does not undo its up", back, states[i - 1])

    def _differ(self, problem: str, got: Schema, want: Schema | None = None) -> None:
        diffs = [str(x) for x in schema_differences(want or self.previous, got)]
        if diffs:
            self.problems.append(f"{problem} (expected -> got): " + "; ".join(diffs[:10]))

    def lint(
        self, ups: Sequence[Path], accepted: frozenset[str], shown_as: str
    ) -> tuple[Finding, ...]:
        """Lint the new up files as ``migrate up`` will; write the ignore lines the accepted
        hazards and fresh relations explain; the findings that remain, named under
        ``shown_as``."""
        import dataclasses

        from dbdesign.lint.migration import MigrationLintOptions, lint_migrations

        options = MigrationLintOptions(
            dialect="postgres",
            server_version=self.version or None,
            report_only=frozenset(str(p) for p in ups),
        )
        fresh = self.plan.fresh_relations
        report = lint_migrations([str(self.work)], options)
        for path, g in zip(ups, self.groups, strict=True):
            text = path.read_text(encoding="utf-8")
            at = statement_lines(text, g.statements)
            mine = [
                f
                for f in report.findings
                if f.origin and f.origin.file == str(path) and _explained(f, at, fresh, accepted)
            ]
            if mine:
                path.write_text(explain(text, g.statements, mine, fresh), encoding="utf-8")
        final = lint_migrations([str(self.work)], options).findings
        out = []
        for f in final:
            if f.origin is not None and f.origin.file:
                where = f"{shown_as}/{Path(f.origin.file).name}"
                f = dataclasses.replace(f, origin=dataclasses.replace(f.origin, file=where))
            out.append(f)
        return tuple(out)


def _explained(
    f: Finding, at: Mapping[int, Statement], fresh: frozenset[str], ok: frozenset[str]
) -> bool:
    """Whether an error finding is on a relation the migration made, or stated by a hazard of
    its statement that the user accepted."""
    st = at.get(f.origin.line or 0) if f.origin else None
    if f.severity is not Severity.error or st is None:
        return False
    if op_table(st.operation) in fresh:
        return True
    return any(h.code in ok and h.code in EXPLAINED_BY.get(f.code, ()) for h in st.hazards)


def _down_path(up: Path) -> Path:
    return up.with_name(up.name.replace(".up.sql", ".down.sql"))


def _down_text(down: Plan) -> str:
    statements = down.statements()
    head = [HEAD]
    if any(not s.transactional for s in statements):
        head.append("-- dbdesign: no-transaction")
    body = render_statements(statements) if statements else "-- nothing to undo\n"
    return "\n".join(head) + "\n\n" + body
