"""The public Python API. The CLI is a thin layer over these functions.

    >>> from dbdesign import api
    >>> schema = api.read("schema.sql")            # a file, a folder or a database URL
    >>> sql = api.emit(schema, "sqlite")           # DDL for a dialect
    >>> api.to_json(schema)                        # versioned JSON of the whole model

Imports are local to each function so that a command pays only for what it uses.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbdesign import dialects
from dbdesign.errors import ConfigError, Diagnostic, UnsupportedError
from dbdesign.model import Schema
from dbdesign.readers import detect_dialect as detect_dialect
from dbdesign.readers import detect_text_dialect as detect_text_dialect
from dbdesign.readers import is_database as is_database
from dbdesign.readers import is_database_url as is_database_url
from dbdesign.readers import read as read

if TYPE_CHECKING:
    from dbdesign.databases import Target
    from dbdesign.docs import DocsOptions, DocsResult
    from dbdesign.health import HealthConfig, HealthReport
    from dbdesign.lint.config import LintConfig
    from dbdesign.lint.findings import Finding
    from dbdesign.lint.migration import MigrationLintOptions
    from dbdesign.lint.sources import LintReport
    from dbdesign.migrate.fromdiff import FromDiff
    from dbdesign.migrate.history import Report, Row
    from dbdesign.migrate.runner import RepairAction
    from dbdesign.migrate.runner import Settings as MigrateSettings
    from dbdesign.migrate.runner import Step as MigrateStep
    from dbdesign.migrate.templates import TemplateArgs
    from dbdesign.migrate.testing import TestResult as MigrateTest

Warn = Callable[[Diagnostic], None]


def _redact(source: str) -> str:
    """``source`` as it may be shown: a URL's password (any scheme) replaced by ``***``."""
    from dbdesign.redact import redact_url

    return redact_url(source)


def _require_plans(url: str, command: str) -> None:
    """Refuse a database whose query plans advise does not read (PostgreSQL's, and MySQL's
    and MariaDB's through :data:`BUILT_ADVICE`)."""
    from dbdesign import databases

    adapter = databases.find(url)
    if adapter is None or not adapter.advise_plans:
        raise UnsupportedError(
            f"{command} needs a PostgreSQL or MySQL/MariaDB database "
            "(postgresql://..., mysql://...)"
        )


def emit(schema: Schema, dialect: str | None = None) -> str:
    """DDL that creates ``schema`` in an empty database of ``dialect`` (default: its own)."""
    from dbdesign.emit import emit_schema

    return emit_schema(schema, dialect)


def lint(
    sources: Sequence[str],
    *,
    config: LintConfig | None = None,
    dialect: str | None = None,
    baseline: Path | None = None,
    on_read: Callable[[str], None] | None = None,
) -> LintReport:
    """Lint files, folders or databases: the findings (inline suppressions applied, and those
    in ``baseline`` left out), the rules that ran, and whether a finding reaches
    ``config.fail_on``. ``on_read(source)`` hears each source as it is read."""
    from dbdesign.lint.sources import lint_sources

    return lint_sources(sources, config=config, dialect=dialect, baseline=baseline, on_read=on_read)


def lint_migrations(
    paths: Sequence[str],
    options: MigrationLintOptions | None = None,
    *,
    config: LintConfig | None = None,
    runner_lock_timeout: bool = False,
) -> LintReport:
    """Lint migration files, folders or ``-`` (``options.stdin``) for what would hurt a live
    database: locks, rewrites, breaking changes (docs/migration-lint.md).
    ``runner_lock_timeout``: dbdesign's runner sets a lock timeout (``[tool.dbdesign.migrate]
    lock_timeout``)."""
    from dbdesign.lint.migration import lint_migrations as run

    return run(list(paths), options, config, runner_lock_timeout=runner_lock_timeout)


def lint_queries(
    paths: Sequence[str],
    *,
    schema: str | Schema | None = None,
    config: LintConfig | None = None,
    baseline: Path | None = None,
    stdin: str | None = None,
) -> LintReport:
    """Lint application queries in .sql files (``-``: ``stdin``, else standard input) for
    anti-patterns (docs/lint-queries.md): ``schema`` (a model, DDL file or folder, or a
    database URL, read-only) gives the columns and indexes the rules compare with; findings
    in ``baseline`` are left out."""
    from dbdesign.lint.query import lint_query_files

    return lint_query_files(paths, config, schema=schema, baseline=baseline, stdin=stdin)


def write_lint_baseline(findings: Sequence[Finding], path: Path) -> int:
    """Record ``findings`` as the baseline file ``path``; how many were written."""
    from dbdesign.lint.sources import write_baseline

    return write_baseline(findings, path)


def docs(
    source: str,
    out: str | Path,
    formats: Sequence[str] | None = None,
    *,
    dialect: str | None = None,
    rows: bool = True,
    findings: str | Path | None = None,
    options: DocsOptions | None = None,
    warn: Warn | None = None,
) -> DocsResult:
    """Write the documentation of ``source`` into the folder ``out``: ``formats`` (default:
    all), row counts of a live database when ``rows``, lint findings from a JSON report at
    ``findings``. Nothing is half-written on an error."""
    from dbdesign.docs import FORMATS, check_out, generate, load_findings

    check_out(Path(out))
    found = load_findings(findings) if findings is not None else []
    schema = read(source, dialect=dialect, warn=warn)
    counts = row_counts(source) if rows and is_database(source) else None
    return generate(
        schema, out, formats or FORMATS, row_counts=counts, findings=found, options=options
    )


# -- migrations: a folder of NNNN_name.up.sql / .down.sql files and a database (docs/migrate.md)


def migrate_up(
    url: str,
    settings: MigrateSettings,
    *,
    to: str | None = None,
    steps: int | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[MigrateStep]:
    """Apply the pending migrations (all, up to version ``to``, or ``steps`` of them) under
    the migration lock; ``dry_run`` returns the steps without running them."""
    from dbdesign.migrate.runner import migrate

    return migrate(
        url,
        settings,
        direction="up",
        to=to,
        steps=steps,
        dry_run=dry_run,
        echo=echo,
        on_wait=on_wait,
    )


def migrate_down(
    url: str,
    settings: MigrateSettings,
    *,
    to: str | None = None,
    steps: int | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[MigrateStep]:
    """Revert applied migrations (one by default, ``steps``, or until ``to`` is the latest)."""
    from dbdesign.migrate.runner import migrate

    return migrate(
        url,
        settings,
        direction="down",
        to=to,
        steps=steps,
        dry_run=dry_run,
        echo=echo,
        on_wait=on_wait,
    )


def migrate_status(url: str, settings: MigrateSettings, *, validate: bool = False) -> Report:
    """What the folder and the database's history say together (read-only). ``validate``:
    word messages for ``migrate validate``."""
    from dbdesign.migrate.runner import status

    return status(url, settings, command="migrate validate" if validate else "migrate status")


def migrate_baseline(url: str, settings: MigrateSettings, version: str) -> list[Row]:
    """Adopt an existing database: record every migration up to ``version`` as applied."""
    from dbdesign.migrate.runner import baseline

    return baseline(url, settings, version)


def migrate_repair(
    url: str,
    settings: MigrateSettings,
    *,
    resume: bool = False,
    mark_applied: bool = False,
    forget: bool = False,
    accept_checksums: bool = False,
    echo: Callable[[str], None] | None = None,
) -> list[RepairAction]:
    """Settle migrations that stopped part-way (one explicit choice), or accept edited files'
    checksums."""
    from dbdesign.migrate.runner import repair

    return repair(
        url,
        settings,
        resume=resume,
        mark_applied=mark_applied,
        forget=forget,
        accept_checksums=accept_checksums,
        echo=echo,
    )


def migrate_test(
    url: str, settings: MigrateSettings, *, echo: Callable[[str], None] | None = None
) -> MigrateTest:
    """On a scratch database of the server of ``url``: up, down, compare, up again, for every
    migration of the folder."""
    from dbdesign.migrate.testing import run_test

    return run_test(url, settings, echo=echo)


def migrate_new(settings: MigrateSettings, name: str) -> tuple[Path, Path]:
    """Create an empty pair of migration files; their paths (up, down)."""
    from dbdesign.migrate.files import new_migration

    return new_migration(settings.dir, name, versioning=settings.versioning)


def migrate_new_from_template(
    settings: MigrateSettings, name: str, template: str, args: TemplateArgs
) -> list[Path]:
    """Write the migrations of a safe template (``add-index``, ``add-foreign-key`` ...:
    :data:`dbdesign.migrate.templates.TEMPLATES`) filled with ``args``; their paths, up and
    down of each in order."""
    from dbdesign.migrate.templates import write

    return write(settings.dir, name, template, args, settings.versioning)


def migrate_new_from_diff(
    settings: MigrateSettings,
    name: str,
    target: str | Schema,
    *,
    db: str | None = None,
    safe: bool = True,
    allow_destructive: bool = False,
    renames: dict[str, str] | None = None,
    warn: Warn | None = None,
) -> FromDiff:
    """Write the migration(s) from the folder's head to ``target`` (a file, folder, database
    or model); none when they agree."""
    from dbdesign.migrate.fromdiff import new_from_diff

    return new_from_diff(
        settings,
        name,
        target,
        db=db,
        safe=safe,
        allow_destructive=allow_destructive,
        renames=renames,
        warn=warn,
    )


def to_json(schema: Schema) -> dict[str, Any]:
    """The versioned JSON form of a schema (lossless; see dbdesign.model.serial)."""
    from dbdesign.model import to_dict

    return to_dict(schema)


def from_json(data: dict[str, Any] | str) -> Schema:
    from dbdesign.model import from_dict

    return from_dict(json.loads(data) if isinstance(data, str) else data)


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of a live database (estimates from statistics, exact when unknown);
    read-only."""
    from dbdesign import databases

    return databases.get(url).row_counts(url)


def load_spec(path: str | Path) -> Any:
    """Read and check a requirements spec (YAML); errors carry the YAML path and line."""
    from dbdesign.readers.spec import load

    return load(path)


def design(
    spec: str | Path | Any,
    *,
    dialect: str | None = None,
    out: str | Path | None = None,
    prove: bool = True,
    db: str | Target | None = None,
    progress: Callable[[str], None] | None = None,
    scale: float | None = None,
    growth: float | None = None,
    allow_destructive: bool = False,
    renames: dict[str, str] | None = None,
    migration_name: str | None = None,
) -> tuple[Any, Any]:
    """Design a schema from a spec (a path or a loaded Spec), prove it on a real server and write
    the outputs to ``out``. ``scale`` proves at that many times the stated volumes instead of
    the quick proof, and ``growth`` again at N times that
    (:func:`dbdesign.design.prove.prove`).

    A PostgreSQL design is proved on ``db``, else the configured or embedded server; a MySQL
    design on ``db``, else ``$DBDESIGN_DATABASE_URL``, when that is a MySQL / MariaDB URL
    (``mysql://...``), and not at all when no MySQL server is given; a SQLite design in a fresh
    temporary file, always (a ``db`` of ``sqlite:///path`` is not touched). Returns ``(design,
    proof)``; ``proof`` is None when not proved (``prove=False``, a MySQL design without a
    MySQL server). Nothing is written when the spec is invalid or an error occurs. When ``out``
    holds a previous design, the next migration is written (:func:`design_outputs`).
    """
    args = {k: v for k, v in locals().items() if k != "spec"}
    r = design_outputs(spec, **args)
    return r.design, r.proof


@dataclasses.dataclass(frozen=True, slots=True)
class DesignOutputs:
    """The design, its proof (None: not proved) and, when ``out`` held a design, the next
    migration (:class:`dbdesign.migrate.evolve.NextMigration`; no files: no schema change)."""

    design: Any
    proof: Any
    migration: Any = None
    redis_proof: Any = None  # a hybrid's Redis part (None: not proved)


def design_outputs(
    spec: str | Path | Any,
    *,
    dialect: str | None = None,
    out: str | Path | None = None,
    prove: bool = True,
    db: str | Target | None = None,
    progress: Callable[[str], None] | None = None,
    scale: float | None = None,
    growth: float | None = None,
    allow_destructive: bool = False,
    renames: dict[str, str] | None = None,
    migration_name: str | None = None,
    redis: str | None = None,
) -> DesignOutputs:
    """:func:`design`, and the next migration when ``out`` already holds a design (its
    ``design.json``): the new schema is diffed against the previous one
    (:mod:`dbdesign.migrate.evolve`), its columns kept in the order ALTER leaves them, and the
    migration files are written after the folder's migrations, which are never rewritten; they
    are checked on a scratch database of the proof's PostgreSQL server (also with ``prove=False``)
    and linted. A change that deletes data needs ``allow_destructive``
    (:class:`dbdesign.errors.DestructiveChangeError` otherwise, nothing written); ``renames``
    are the diff's rename hints (``{"public.t.old": "new"}``); ``migration_name`` names the
    migration (default: from its first change). A migration whose lint has errors, or that does
    not reach the design, is written all the same: ``.migration.ok`` is False.
    """
    from dbdesign.design import design as make
    from dbdesign.design.evolve import previous
    from dbdesign.design.output import render, schema_sql, write
    from dbdesign.design.prove import prove_part

    if dialect is not None:
        dialect = dialects.get(dialect).name  # an unknown one fails before anything is read
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise ConfigError(f"{out}: exists and is not a folder (the outputs go into a folder)")
    s = load_spec(spec) if isinstance(spec, str | Path) else spec
    d = make(s, dialect)
    if not d.relational:  # no schema, no migrations: Redis proved on Redis, MongoDB checked
        from dbdesign.design.prove import prove_store

        store_proof = prove_store(d, db, prove=prove, growth=growth, progress=progress)
        if out is not None:
            write(render(d, store_proof), out)
        return DesignOutputs(d, store_proof)
    prev = previous(out)
    nxt = evolution = None
    if prev is not None:
        assert out is not None
        d, nxt, evolution = _against(
            prev, d, Path(out), db, allow_destructive, renames, migration_name
        )
    proof = None
    where = proof_url(d.dialect, db) if prove else None
    if where is not None:
        from dbdesign.design.prove import prove as run_proof

        proof = run_proof(
            d, schema_sql(d.schema), where, progress=progress, scale=scale, growth=growth
        )
    # a hybrid's Redis part, on ``redis`` (:func:`dbdesign.design.prove.prove_part`)
    kv = prove_part(d, redis, growth=growth, progress=progress) if d.redis_part and prove else None
    if out is not None:
        new_only = [f"migrations/{n}" for n, _ in nxt.files] if nxt else []
        write(render(d, proof, evolution=evolution, redis_proof=kv), out, new_only=new_only)
    return DesignOutputs(d, proof, nxt, kv)


def _against(
    prev: Any,
    d: Any,
    out: Path,
    db: str | Target | None,
    allow_destructive: bool,
    renames: dict[str, str] | None,
    name: str | None,
) -> tuple[Any, Any, Any]:
    """The design ``d`` made against ``prev``, the design ``out`` held: shaped as a database
    migrated from it is (:func:`dbdesign.design.evolve.as_migrated`), its next migration, and
    what the outputs show of it."""
    from dbdesign.design import evolve
    from dbdesign.migrate import evolve as next_of

    evolve.check_dialect(prev, d)
    folder = out / "migrations"
    if prev.schema == d.schema:  # no change (whatever the dialect): nothing to diff
        nxt = next_of.NextMigration(None, next_of.earlier_migrations(folder))
    else:
        next_of.require_diffable(d.dialect)
        d = dataclasses.replace(d, schema=evolve.as_migrated(prev.schema, d.schema, renames))
        where = proof_url(d.dialect, db)
        assert where is not None  # PostgreSQL: the embedded server at least
        nxt = next_of.next_migration(
            folder,
            prev.schema,
            d.schema,
            name=name,
            server=where.url,
            allow_destructive=allow_destructive,
            renames=renames,
            shown_as=str(folder),
        )
    return d, nxt, evolve.evolution(nxt)


def proof_url(dialect: str, db: str | Target | None) -> Target | None:
    """The server a design of ``dialect`` is proved on, or None when there is none to use: the
    dialect's database adapter decides (:meth:`dbdesign.databases.Database.proof_url`).

    PostgreSQL: ``db``, else ``$DBDESIGN_DATABASE_URL``, else the embedded server. MySQL:
    ``db``, else ``$DBDESIGN_DATABASE_URL`` when it is a MySQL URL, else None. SQLite:
    ``sqlite://``, a fresh temporary file (a SQLite ``db`` is never proved in, and the
    environment's server is not used). A ``db`` of another kind is a :class:`ConfigError`.
    """
    from dbdesign import databases

    if dialect not in databases.ADAPTERS:
        return None
    return databases.for_dialect(dialect).proof_url(db)


def create_schema(target: str | Target, schema: Schema) -> None:
    """Create ``schema`` in the (empty) database at ``target``: a PostgreSQL URL, a SQLite URL /
    file, or a MySQL / MariaDB URL. The DDL is emitted for the target's dialect; it all happens
    or none of it does (see :func:`_creating`)."""
    with _creating(target, schema):
        pass


@contextmanager
def _creating(target: str | Target, schema: Schema) -> Iterator[Any]:
    """Create ``schema`` at ``target`` and yield what to load it through; all of it or none
    (:meth:`dbdesign.databases.Database.creating`)."""
    from dbdesign import databases

    where = databases.target(target)
    db = where.database
    ddl = emit(schema, db.dialect)  # a refusal comes before anything is made
    names = frozenset(
        o.name.lower()
        for objects in (schema.tables, schema.views, schema.functions, schema.triggers)
        for o in objects.values()
    )
    with db.creating(where.url, ddl, names) as into:
        yield into


def datagen(
    target: str,
    schema: Schema,
    rows: dict[str, int],
    *,
    seed: int = 0,
    skew: dict[str, float] | None = None,
    create: bool = False,
    analyze: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Any:
    """Fill the database at ``target`` with generated rows that satisfy ``schema`` (see
    dbdesign.datagen); ``create`` creates the schema there first. Returns a LoadReport."""
    from dbdesign import databases
    from dbdesign.datagen import load, plan

    if not create:
        return load(target, schema, rows, seed=seed, skew=skew, progress=progress, analyze=analyze)
    plan(schema, rows, seed=seed, skew=skew)  # refuse before creating anything
    where = databases.target(target)
    # create and load succeed or fail together: a failed load leaves no empty schema behind
    with _creating(where, schema) as into:
        report = load(into, schema, rows, seed=seed, skew=skew, progress=progress, analyze=analyze)
    # the load saw a connection; the report names the target as a load from the URL does
    return dataclasses.replace(report, target=str(where))


def explain(sql: str, db: str | None = None, params: list[Any] | None = None, *,
            analyze: bool = True, timeout_s: float = 60.0) -> Any:  # fmt: skip
    """The plan of ``sql`` on ``db`` (PostgreSQL, default: configured or embedded; or MySQL /
    MariaDB), as a dbdesign.advise.QueryPlan. ``sql`` must be one SELECT/VALUES/INSERT/UPDATE/
    DELETE/MERGE (MySQL: SELECT/INSERT/UPDATE/DELETE; anything else is refused unsent); it runs
    in a transaction that is rolled back, READ ONLY unless ``analyze`` of a data-changing
    statement (on MySQL, READ ONLY for reads), cancelled after ``timeout_s``. On MySQL the plan
    holds the optimizer's estimates; MariaDB's ANALYZE FORMAT=JSON runs it."""
    from dbdesign.advise import explain as run_explain
    from dbdesign.advise.explain import require_explainer
    from dbdesign.engine import resolve_url

    url = resolve_url(db)
    require_explainer(url)
    return run_explain(url, sql, params, analyze=analyze, timeout_s=timeout_s)


def explain_findings(
    plan: Any, db: str | None = None, config: LintConfig | None = None
) -> list[Finding]:
    """What the plan rules (PLN...) find in ``plan`` (a QueryPlan of :func:`explain` made on
    ``db``): each finding's object is its node (``#3 Seq Scan on public.orders``) or ``plan``.
    When one suggests an index, the catalog of its table's schema is read (read-only) so an
    index that exists is named instead."""
    from dbdesign.advise.explain import plan_findings
    from dbdesign.engine import resolve_url

    return plan_findings(resolve_url(db), plan, config)


# The dialect of a database adapter -> "module:function" that advises there by building indexes
# on a scratch copy (a server without hypothetical indexes); PostgreSQL's advice is HypoPG's.
BUILT_ADVICE: dict[str, str] = {"mysql": "dbdesign.advise.advisor_mysql:advise_mysql"}


def advise(
    workload: str,
    db: str | None = None,
    *,
    budget_bytes: int | None = None,
    max_columns: int = 5,
    min_gain: float = 0.005,
    timeout_s: float = 60.0,
    stdin: bool = False,
    hypopg_sizes: bool = False,
    verify: str | None = None,
    scratch: str | None = None,
    sample_rows: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Index advice for ``workload`` on ``db``, as ``dbdesign advise``.

    PostgreSQL: a dbdesign.advise.advisor.Advice. ``workload`` is a .sql file, a log file,
    ``"pg_stat_statements"``, or (``stdin``) the text of queries. Read-only: one READ ONLY
    transaction, rolled back; the indexes are HypoPG's hypothetical ones. ``verify``: the URL
    of a scratch copy of the database where the advised indexes are built for real, measured
    and dropped (never ``db`` itself).

    MySQL/MariaDB: a dbdesign.advise.advisor_mysql.MySQLAdvice. ``workload`` is a .sql file (or
    with ``stdin`` the text) of MySQL queries. Every candidate is built for real on a scratch
    copy: ``scratch`` (the URL of a copy you give; never ``db`` itself), else a database made
    on the same server holding the workload's tables and up to ``sample_rows`` rows of each
    (a sample beyond), dropped at the end. ``db`` is only read."""
    from dbdesign import databases
    from dbdesign.engine import resolve_url

    url = resolve_url(db)
    adapter = databases.find(url)
    built = BUILT_ADVICE.get(adapter.dialect) if adapter is not None else None
    if built is not None:
        return _advise_built(
            built, workload, url, stdin=stdin, hypopg_sizes=hypopg_sizes, verify=verify,
            scratch=scratch, sample_rows=sample_rows, budget_bytes=budget_bytes,
            max_columns=max_columns, min_gain=min_gain, timeout_s=timeout_s, progress=progress,
        )  # fmt: skip
    if scratch is not None or sample_rows is not None:
        flag = "--scratch" if scratch is not None else "--sample-rows"
        raise ConfigError(
            f"{flag} is for MySQL/MariaDB, where indexes are built on a scratch copy; on "
            "PostgreSQL advice uses hypothetical indexes (--verify URL builds on a copy)"
        )
    return _advise_pg(
        workload, url, budget_bytes=budget_bytes, max_columns=max_columns, min_gain=min_gain,
        timeout_s=timeout_s, stdin=stdin, hypopg_sizes=hypopg_sizes, verify=verify,
        progress=progress,
    )  # fmt: skip


def _advise_pg(
    workload: str,
    url: str,
    *,
    budget_bytes: int | None,
    max_columns: int,
    min_gain: float,
    timeout_s: float,
    stdin: bool,
    hypopg_sizes: bool,
    verify: str | None,
    progress: Callable[[str], None] | None,
) -> Any:
    from dbdesign.advise.advisor import Query, advise_connection
    from dbdesign.advise.verify import refuse_same, verify_on
    from dbdesign.advise.workload import parse_sql_workload, read_workload
    from dbdesign.engine import connect

    _require_plans(url, "advise")
    wl = parse_sql_workload(workload, file="<stdin>") if stdin else read_workload(workload, db=url)
    queries = [Query(q.sql, q.calls, str(q.origin) if q.origin else "", q.rows) for q in wl.queries]
    with connect(url) as conn, conn.transaction(force_rollback=True), conn.cursor() as cur:
        if verify is not None:
            with connect(verify) as copy, copy.cursor() as other:
                refuse_same(cur, other)
        advice = advise_connection(
            cur,
            queries,
            budget_bytes=budget_bytes,
            max_columns=max_columns,
            min_gain=min_gain,
            timeout_s=timeout_s,
            hypopg_sizes=hypopg_sizes,
            progress=progress,
        )
    if verify is not None:
        with connect(verify, autocommit=True) as copy:
            advice = dataclasses.replace(advice, verification=verify_on(copy, advice))
    return dataclasses.replace(advice, notes=(*wl.notes, *advice.notes))


def _advise_built(
    module: str,
    workload: str,
    url: str,
    *,
    stdin: bool,
    hypopg_sizes: bool,
    verify: str | None,
    scratch: str | None,
    sample_rows: int | None,
    budget_bytes: int | None,
    max_columns: int,
    min_gain: float,
    timeout_s: float,
    progress: Callable[[str], None] | None,
) -> Any:
    """Advice where every candidate is built on a scratch copy (MySQL/MariaDB)."""
    import importlib

    from dbdesign.advise.advisor import Query
    from dbdesign.advise.scratch_mysql import ROW_LIMIT
    from dbdesign.advise.workload import PG_STAT_STATEMENTS
    from dbdesign.advise.workload_mysql import read_mysql_workload

    if hypopg_sizes:
        raise ConfigError(
            "--hypopg-sizes is for PostgreSQL (HypoPG's size estimates); on MySQL/MariaDB the "
            "sizes are those of the indexes built on the scratch copy"
        )
    if verify is not None:
        raise ConfigError(
            "--verify is for PostgreSQL; on MySQL/MariaDB every index is already built on a "
            "scratch copy (--scratch URL names a copy of your own)"
        )
    if scratch is not None and sample_rows is not None:
        raise ConfigError(
            "--sample-rows is for the scratch database dbdesign makes; a copy given with "
            "--scratch is used as it is"
        )
    if not stdin and workload.lower() == PG_STAT_STATEMENTS:
        raise ConfigError(
            "pg_stat_statements is PostgreSQL's; on MySQL/MariaDB give a .sql file of queries "
            "('-- calls: N' before a query weighs it)"
        )
    wl = read_mysql_workload("<stdin>" if stdin else workload, text=workload if stdin else None)
    queries = [Query(q.sql, q.calls, q.label) for q in wl.queries]
    path, function = module.split(":")
    advice = getattr(importlib.import_module(path), function)(
        url, queries, scratch=scratch,
        row_limit=ROW_LIMIT if sample_rows is None else sample_rows,
        budget_bytes=budget_bytes, max_columns=max_columns, min_gain=min_gain,
        timeout_s=timeout_s, progress=progress,
    )  # fmt: skip
    return dataclasses.replace(advice, notes=(*wl.notes, *advice.notes))


def latency(sql: str, db: str | None = None, params: list[Any] | None = None, *,
            runs: int = 20, allow_writes: bool = True,
            timeout_s: float = 60.0) -> Any:  # fmt: skip
    """p50/p95/max milliseconds of ``sql`` over ``runs`` executions (rolled back each time; the
    same guard as :func:`explain`; a data-changing statement needs ``allow_writes``)."""
    from dbdesign.advise import latency as run_latency
    from dbdesign.advise.explain import require_explainer
    from dbdesign.engine import resolve_url

    url = resolve_url(db)
    require_explainer(url)
    return run_latency(url, sql, params, runs=runs, allow_writes=allow_writes, timeout_s=timeout_s)


def diff(
    source: str | Schema,
    target: str | Schema,
    *,
    renames: dict[str, str] | None = None,
    safe: bool = True,
    db: str | None = None,
    warn: Warn | None = None,
    column_order: bool = False,
) -> Any:
    """The migration plan from ``source`` to ``target`` (PostgreSQL), as ``dbdesign diff``.

    Each side is a model, a .sql file, a folder of .sql files, a database URL, or a migrations
    folder (replayed into a scratch database on ``db``). ``renames``: ``{"public.old": "new"}``,
    ``{"public.t.old": "new"}``. ``column_order``: rebuild tables whose column order ALTER
    cannot reach (``--column-order``; by default a note says the order is left). Returns a
    :class:`dbdesign.diff.Plan` (``.sql()``, ``.statements()``, ``.reverse()``, ``.as_json()``).
    """
    from dbdesign.diff import diff_schemas
    from dbdesign.migrate.sources import connected_user, read_side

    owner = connected_user((source, target))
    a = source if isinstance(source, Schema) else read_side(source, db=db, warn=warn, owner=owner)
    b = target if isinstance(target, Schema) else read_side(target, db=db, warn=warn, owner=owner)
    return diff_schemas(a, b, renames=renames, safe=safe, column_order=column_order)


def health_config(path: Path | None = None) -> HealthConfig:
    """The ``[tool.dbdesign.health]`` section of ``path`` (else the nearest dbdesign.toml or
    pyproject.toml), validated."""
    from dbdesign.config import load_config
    from dbdesign.health import parse_health_config

    found = load_config(explicit=path)
    return parse_health_config(
        found.section("health"), file=str(found.path) if found.path else None
    )


def health(
    url: str | Target,
    *,
    checks: Sequence[str] | None = None,
    config: HealthConfig | None = None,
) -> HealthReport:
    """A health review of the live database at ``url`` (PostgreSQL), as ``dbdesign health``:
    the checks named in ``checks`` (else the configuration's, else all) run in one read-only
    session with short timeouts; a check the role may not run is a note in the report. Returns
    a :class:`dbdesign.health.HealthReport` (``.findings``, ``.notes``, ``.to_text()``,
    ``.to_json()``, ``.failing(severity)``)."""
    from dbdesign.health import review

    return review(url, config=config, checks=checks)
