"""``dbdesign lint --migrations``: run the migration-safety rules over migration files.

The dialect's walker (:func:`walker`) reads the schema the migrations apply to and hands every
statement, in run order, to the selected rules; inline ``-- dbdesign: ignore CODE`` comments and
the unused-suppression check apply as for schemas (standard input included).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from dbdesign import dialects
from dbdesign.errors import ConfigError
from dbdesign.lint import engine
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding
from dbdesign.lint.migration.context import ServerVersion, StatementContext
from dbdesign.lint.migration.sources import (
    MigrationFile,
    assured_blocks,
    changed_since,
    collect,
    for_dialect,
)
from dbdesign.lint.registry import MIGRATIONS, LintRule
from dbdesign.lint.sources import LintReport


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationLintOptions:
    """How migrations are read: what they apply to and where they run.

    ``schema``: a DDL file or folder, or a database URL (read-only), holding the schema before
    the first migration (else the migrations start from nothing). ``server_version``: the
    target server (else the live database's, the configuration's, or the dialect's newest).
    ``assume_in_transaction``: True/False overrides every file's runner convention.
    ``changed_since``: report only files added or changed since this git revision.
    ``report_only``: report only these files (``migrate up``: the pending ones).
    ``stdin``: the text of a ``-`` path (else the process's standard input is read)."""

    dialect: str | None = None
    schema: str | None = None
    server_version: str | None = None
    assume_in_transaction: bool | None = None
    changed_since: str | None = None
    report_only: frozenset[str] | None = None
    stdin: str | None = None


def walker(dialect: dialects.Dialect) -> ModuleType:
    """The dialect's walker: the module ``walk_<dialect>`` of this package, with
    ``DEFAULT_SERVER`` and ``walk(files, *, schema_text, schema_file, server,
    lock_timeout_files)`` (see :func:`dbdesign.lint.migration.walk_postgres.walk`)."""
    try:
        return importlib.import_module(f"dbdesign.lint.migration.walk_{dialect.name}")
    except ModuleNotFoundError:
        raise ConfigError(
            f"lint --migrations: {dialect.title} migrations are not linted yet"
        ) from None


def _schema_text(
    source: str, dialect: dialects.Dialect
) -> tuple[str, str | None, ServerVersion | None]:
    """The schema at ``source`` as DDL text of ``dialect``, the file it came from, and the
    live server's version (None for files)."""
    from dbdesign import databases, readers

    if readers.is_database(source):
        from dbdesign.emit import emit_schema

        db = databases.get(source)
        with db.rolled_back(source) as conn:
            # "PostgreSQL 16.4 (Debian ...)", "MariaDB 10.11.6"
            name = " ".join(db.version(conn).split()[:2])
        version = ServerVersion.parse(name, dialect.name)
        schema = readers.read(source)
        return emit_schema(schema, dialect.name), None, version
    p = Path(source)
    if p.is_dir():
        files = sorted(p.glob("*.sql"))
        return "\n".join(f.read_text(encoding="utf-8") for f in files), None, None
    if not p.is_file():
        raise ConfigError(f"--schema: no such file, folder or database: {source}")
    return p.read_text(encoding="utf-8"), str(p), None


def _lock_timeout_files(files: Iterable[MigrationFile], configured: bool) -> frozenset[str]:
    """dbdesign's runner sets ``lock_timeout`` from a file's header or the configuration."""
    out = set()
    for f in files:
        if not f.runner.startswith("dbdesign"):
            continue
        if configured or "lock_timeout=" in f.text.split("\n\n", 1)[0]:
            out.add(f.path)
    return frozenset(out)


def contexts(
    files: list[MigrationFile],
    options: MigrationLintOptions,
    config: LintConfig,
    *,
    runner_lock_timeout: bool = False,
    new_files: frozenset[str] = frozenset(),
) -> tuple[dialects.Dialect, ServerVersion, list[MigrationFile], Iterator[StatementContext]]:
    """The dialect, the server, the files that run on it (an Ory popx folder's for the
    dialect) and every statement's context, in run order."""
    dialect = dialects.get(options.dialect or "postgres")
    text = file = live = None
    if options.schema:
        text, file, live = _schema_text(options.schema, dialect)
        if options.dialect is None and live is not None:
            dialect = dialects.get(options.schema)
    module = walker(dialect)
    files = for_dialect(files, dialect.name)
    default: ServerVersion = module.DEFAULT_SERVER
    # --server-version, else the live database's, else the configuration's, else the newest
    wanted = options.server_version or (None if live else config.server_version)
    server = ServerVersion.parse(wanted, default.flavor) if wanted else live or default
    if options.assume_in_transaction is not None:
        files = [replace(f, wrapped=options.assume_in_transaction) for f in files]
    it: Iterator[StatementContext] = module.walk(
        files,
        schema_text=text,
        schema_file=file,
        server=server,
        lock_timeout_files=_lock_timeout_files(files, runner_lock_timeout),
        new_files=new_files,
    )
    return dialect, server, files, it


class _Dispatch:
    """The selected rules for each statement kind, in selection order (a rule that declares
    ``kinds`` is shown only those), with each rule's severity worked out once."""

    def __init__(self, rules: list[LintRule], config: LintConfig) -> None:
        self.rules = rules
        self.severity = {r.code: engine._severity(r, config) for r in rules}
        self._by_kind: dict[str, list[LintRule]] = {}

    def for_kind(self, kind: str) -> list[LintRule]:
        got = self._by_kind.get(kind)
        if got is None:
            got = [r for r in self.rules if r.kinds is None or kind in r.kinds]
            self._by_kind[kind] = got
        return got


def _run(dispatch: _Dispatch, ctx: StatementContext) -> Iterator[Finding]:
    for r in dispatch.for_kind(ctx.stmt.kind):
        for h in r.check(ctx):
            yield Finding(
                code=r.code,
                severity=dispatch.severity[r.code],
                message=h.message,
                object=h.object,
                origin=h.origin or ctx.stmt.origin,
                fix_hint=h.fix or r.fix,
                rule=r.name,
                statement=ctx.stmt.short,
            )


def _not_assured(findings: list[Finding], texts: dict[str, str]) -> list[Finding]:
    """The findings outside diesel-guard's safety-assured blocks (a person checked those
    statements: asking again would only teach them to ignore the linter)."""
    spans = {name: blocks for name, text in texts.items() if (blocks := assured_blocks(text))}
    if not spans:
        return findings

    def inside(f: Finding) -> bool:
        o = f.origin
        blocks = spans.get(o.file or "") if o is not None else None
        line = o.line if o is not None else None
        return bool(blocks and line and any(a < line < b for a, b in blocks))

    return [f for f in findings if not inside(f)]


def lint_migrations(
    paths: list[str],
    options: MigrationLintOptions | None = None,
    config: LintConfig | None = None,
    *,
    runner_lock_timeout: bool = False,
) -> LintReport:
    """Lint migration files (see :mod:`dbdesign.lint.migration.sources` for what a path may
    be): findings after inline suppressions, the rules that ran, and whether one fails."""
    opts = options or MigrationLintOptions()
    cfg = config or LintConfig()
    files = collect(paths, opts.stdin)
    reported = {f.path for f in files}
    # the new migrations, which deploy together: migrate up's pending ones, or those added
    # since the revision (a changed old one is deployed already)
    new: frozenset[str] = frozenset()
    if opts.changed_since:
        reported, added = changed_since(opts.changed_since, files)
        new = frozenset(added)
    if opts.report_only is not None:
        reported &= opts.report_only
        new = opts.report_only
    dialect, _, files, its = contexts(
        files, opts, cfg, runner_lock_timeout=runner_lock_timeout, new_files=new
    )
    chosen = engine.select_rules(cfg, MIGRATIONS, dialect.name)
    rules = [r for r in chosen if dialect.name in r.dialects]
    dispatch = _Dispatch(rules, cfg)
    findings: list[Finding] = []
    for ctx in its:
        if ctx.stmt.file.path in reported:
            findings.extend(_run(dispatch, ctx))
    # suppressions from the text as linted (standard input cannot be read twice; a dbmate
    # file's down section is blank there)
    texts = {f.display: f.whole or f.text for f in files if f.path in reported}
    findings = engine.apply_suppressions(findings, cfg, texts, MIGRATIONS, dialect.name, texts)
    findings = _not_assured(findings, texts)
    # In run order: file by file as the runner applies them, then by position.
    run_order = {f.display: n for n, f in enumerate(files)}

    def order(f: Finding) -> tuple[int, tuple[str, int, int, str, str]]:
        return (run_order.get(f.origin.file or "", -1) if f.origin else -1, engine.sort_key(f))

    findings.sort(key=order)
    return LintReport(
        findings=tuple(findings),
        rules=tuple(rules),
        failing=engine.failing(findings, cfg.fail_on),
    )
