"""What a migration-safety rule sees: one statement, where it runs, and what came before it.

A walker (one per dialect: :mod:`~dbdesign.lint.migration.walk_postgres` ...) reads the schema
the migrations apply to, then goes through the migration files statement by statement, handing
each rule a :class:`StatementContext` and applying the statement to its state afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dbdesign.errors import ConfigError
from dbdesign.lint.migration.sources import MigrationFile
from dbdesign.model import Origin

_VERSION = re.compile(
    r"^(?:(?P<flavor>postgres(?:ql)?|pg|mysql|mariadb|sqlite)[-\s]?)?(?P<num>\d+(?:\.\d+)*)$"
)


T = TypeVar("T")

_FLAVORS = {"pg": "postgres", "postgresql": "postgres"}
_TITLES = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}


@dataclass(frozen=True, slots=True, order=True)
class ServerVersion:
    """A server's flavour and version: ``postgres 15``, ``mariadb 10.11``, ``mysql 8.0.29``.

    ``parts`` compare as numbers; ``at_least(12)`` is true for 12 and later."""

    flavor: str
    parts: tuple[int, ...]

    def at_least(self, *parts: int) -> bool:
        return self.parts >= parts

    @property
    def mariadb(self) -> bool:
        """MariaDB's, the MySQL dialect's variant, rather than MySQL's."""
        from dbdesign.dialects.mysql import is_mariadb

        return is_mariadb(self.flavor)

    def __str__(self) -> str:
        """``PostgreSQL 11``, ``MariaDB 10.11``."""
        return f"{_TITLES.get(self.flavor, self.flavor)} {'.'.join(map(str, self.parts))}"

    @classmethod
    def parse(cls, text: str, default_flavor: str) -> ServerVersion:
        """``15``, ``16.2``, ``pg15``, ``mariadb-10.11``, ``mysql 8.0.29``; PostgreSQL's
        ``server_version_num`` (150004) is read too."""
        m = _VERSION.match(text.strip().lower())
        if m is None:
            raise ConfigError(
                f"--server-version {text!r}: expected a version such as 15, 16.2, "
                "mariadb-10.11 or mysql-8.0.29"
            )
        flavor = m.group("flavor") or default_flavor
        flavor = _FLAVORS.get(flavor, flavor)
        nums = tuple(int(p) for p in m.group("num").split("."))
        if len(nums) == 1 and nums[0] >= 90000:  # server_version_num
            nums = (nums[0] // 10000, nums[0] % 100)
        return cls(flavor, nums)


@dataclass(frozen=True, slots=True)
class LintedStatement:
    """One statement of a migration file: its text (without leading comments), where it
    starts, and the dialect's parse of it (``kind`` and ``node``: PostgreSQL's node kind and
    pglast's JSON tree; a walker of another dialect puts its own there)."""

    file: MigrationFile
    text: str
    line: int
    col: int
    kind: str
    node: Any = None

    @property
    def origin(self) -> Origin:
        return Origin(file=self.file.display, line=self.line, col=self.col)

    @property
    def short(self) -> str:
        """The statement on one line, cut at 160 characters."""
        one = " ".join(self.text.split())
        return one if len(one) <= 160 else one[:157] + "..."


@dataclass(slots=True)
class Transaction:
    """The transaction block statements run in; ``implicit`` when the runner opened it."""

    implicit: bool
    statements: list[LintedStatement] = field(default_factory=list)
    lock_timeout: bool = False  # SET LOCAL lock_timeout seen inside it


@dataclass(slots=True)
class Run:
    """What a run carries from file to file.

    The run's new migrations (``new_files``: those added since ``--changed-since``'s
    revision, or ``migrate up``'s pending ones) deploy together, before any code uses what
    they make: a table one of them made, and none of them wrote rows into, is neither in use
    nor holding data in a later one (``made``, by key); so do the parts of one migration split
    into files (``group_made``). The parts of one file (Liquibase changesets) run on one
    connection: a session setting made in one holds in the next (``last``: the previous
    part's path and session)."""

    new_files: frozenset[str] = frozenset()
    made: set[str] = field(default_factory=set)
    last: tuple[str, Session] | None = None
    # The same for the parts of one migration split into files (MigrationFile.group): the
    # group of the last file and what its parts so far made and left empty.
    group: str | None = None
    group_made: set[str] = field(default_factory=set)

    def fresh(self, f: MigrationFile) -> frozenset[str]:
        """Tables made by what deploys together with ``f`` before it, and still empty."""
        out = self.made if f.path in self.new_files else set()
        if f.group is not None and f.group == self.group:
            out = out | self.group_made
        return frozenset(out)

    def done(self, f: MigrationFile, session: Session) -> None:
        """After ``f`` ran: keep the tables it made when it is one of the new migrations or
        a part of a split one."""
        if f.path in self.new_files:
            self.made = (self.made | session.created) - session.written
        if f.group is not None:
            kept = self.group_made if f.group == self.group else set()
            self.group_made = (kept | session.created) - session.written
        self.group = f.group
        self.last = (f.path, session)


@dataclass(slots=True)
class Session:
    """What one file's run has done so far (a runner uses one session per file)."""

    lock_timeout: bool = False  # SET lock_timeout (or the runner's own setting)
    statement_timeout: bool = False
    created: set[str] = field(default_factory=set)  # tables made by this file, by key
    written: set[str] = field(default_factory=set)  # tables this file wrote rows into
    # tables made by earlier new migrations of the run, which deploy with this one, and
    # empty (no rows written since)
    fresh: frozenset[str] = frozenset()
    statements: list[LintedStatement] = field(default_factory=list)  # run so far
    transaction: Transaction | None = None
    # Every statement of the file, for rules that look ahead (a COMMIT or a compatibility view
    # later in the file), and the codes of rules that report once per file.
    file_statements: tuple[LintedStatement, ...] = ()
    reported: set[str] = field(default_factory=set)
    # What rules worked out about one statement and share (StatementContext.shared): by name,
    # the statement it is about and the answer.
    answers: dict[str, tuple[LintedStatement, Any]] = field(default_factory=dict)

    def made(self, key: str) -> bool:
        """Whether table ``key`` was made by this file, or by an earlier new migration of the
        run and left empty (nothing uses it yet)."""
        return key in self.created or key in self.fresh

    @classmethod
    def of(
        cls,
        f: MigrationFile,
        lock_timeout_files: frozenset[str],
        statements: tuple[LintedStatement, ...] = (),
        run: Run | None = None,
    ) -> Session:
        """A new file's session: in the runner's transaction when it wraps the file (a file
        sent as one query: when it holds more than one statement), with the runner's lock
        timeout when it sets one, the tables earlier new migrations of the run made, and the
        timeouts the previous part of the same file set."""
        session = cls(lock_timeout=f.path in lock_timeout_files, file_statements=statements)
        if run is not None:
            session.fresh = run.fresh(f)
        if run is not None and run.last is not None and run.last[0] == f.path:
            session.lock_timeout |= run.last[1].lock_timeout
            session.statement_timeout = run.last[1].statement_timeout
        if f.wrapped and not (f.multi_statement and len(statements) < 2):
            session.transaction = Transaction(implicit=True)
        return session


@dataclass(frozen=True, slots=True)
class StatementContext:
    """What a rule is handed: the statement, the server, the session and the state before it.

    ``state`` is the walker's view of the schema just before the statement (PostgreSQL: the
    DDL reader's :class:`~dbdesign.readers.ddl.pgstate.ReaderState`)."""

    stmt: LintedStatement
    server: ServerVersion
    session: Session
    state: Any

    @property
    def in_transaction(self) -> bool:
        return self.session.transaction is not None

    @property
    def lock_timeout(self) -> bool:
        tx = self.session.transaction
        return self.session.lock_timeout or (tx is not None and tx.lock_timeout)

    def created_here(self, key: str) -> bool:
        """Whether table ``key`` was made earlier in the same file, or by an earlier new
        migration of the run (nothing uses it yet)."""
        return self.session.made(key)

    def later(self) -> tuple[LintedStatement, ...]:
        """The statements of the file after this one."""
        return self.session.file_statements[len(self.session.statements) + 1 :]

    def shared(self, name: str, work_out: Callable[[StatementContext], T]) -> T:
        """``work_out(self)``, worked out once for this statement however many rules ask
        under ``name`` (the session keeps the last answer per name; a rule must not change
        what it gets)."""
        seen = self.session.answers.get(name)
        if seen is not None and seen[0] is self.stmt:
            kept: T = seen[1]
            return kept
        value = work_out(self)
        self.session.answers[name] = (self.stmt, value)
        return value

    def earlier_in_transaction(self) -> list[LintedStatement]:
        tx = self.session.transaction
        return list(tx.statements) if tx is not None else []
