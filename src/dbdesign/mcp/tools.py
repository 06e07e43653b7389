"""The MCP tools: thin calls into :mod:`dbdesign.api` with typed inputs and outputs.

Each public method of :class:`DbdesignTools` is one tool; its docstring is the description a
model reads (what it does, when to use it, an example input). Databases are named, never
given as URLs (:mod:`dbdesign.mcp.safety`); schemas and specs are given as text or as paths.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field

from dbdesign import api
from dbdesign.errors import ConfigError, DbdesignError
from dbdesign.mcp import safety
from dbdesign.mcp.outputs import (
    AdviseOutput,
    ColumnSummary,
    DatabaseOut,
    DatabasesOutput,
    DesignOutput,
    DiffOutput,
    DocsOutput,
    ExplainOutput,
    FindingOut,
    HealthOutput,
    InspectOutput,
    LintOutput,
    RuleOut,
    RulesOutput,
    TableSummary,
)
from dbdesign.model import Schema

Sql = Annotated[str | None, Field(description="DDL text (CREATE TABLE ...).")]
FilePath = Annotated[
    str | None, Field(description="A .sql file or a folder of .sql files on this machine.")
]
DatabaseName = Annotated[
    str | None,
    Field(description="The name of a configured database (the databases tool lists them)."),
]
Dialect = Annotated[
    str | None,
    Field(description="postgres, mysql or sqlite (default: detected from the text)."),
]


@dataclass(frozen=True, slots=True)
class _Source:
    """A schema to read: what the api takes, what output may call it, and the temporary file
    that holds text given inline (None: none)."""

    source: str
    label: str
    text_file: str | None = None


@dataclass(slots=True)
class LastDesign:
    """The outputs of the last ``design`` call (the server's resources)."""

    design_md: str
    schema_json: dict[str, Any]


class DbdesignTools:
    """The tools of one server, with its settings and the last design it made."""

    def __init__(self, settings: safety.McpSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.last_design: LastDesign | None = None

    # ------------------------------------------------------------------ databases

    def databases(self) -> DatabasesOutput:
        """List the databases this server may read, by name (their URLs stay on the server).

        Use it first when a task needs a live database: every tool's `database` argument takes
        one of these names.

        Example input: {}"""
        out = []
        for name, url in sorted(self.settings.databases.items()):
            d = api.detect_dialect(url) if api.is_database_url(url) else "unknown"
            out.append(DatabaseOut(name=name, dialect=d))
        return DatabasesOutput(
            databases=out,
            urls_allowed=self.settings.allow_urls,
            analyze_writes_allowed=self.settings.allow_analyze_writes,
        )

    # ------------------------------------------------------------------ inspect

    def inspect(
        self,
        sql: Sql = None,
        path: FilePath = None,
        database: DatabaseName = None,
        dialect: Dialect = None,
        full: Annotated[
            bool, Field(description="Also return the whole model as versioned JSON (large).")
        ] = False,
    ) -> InspectOutput:
        """Read a schema and summarise it: every table with its columns, keys, foreign keys,
        checks and indexes (and rows, for a live database), views and enums.

        Use it to learn an existing schema before changing it, reviewing it or writing queries
        against it. Give exactly one of sql (DDL text), path (a .sql file or folder) or
        database (a configured name; read-only).

        Example input: {"sql": "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL);"}"""
        with self._source(sql, path, database) as src:
            schema = api.read(src.source, dialect=dialect)
            rows = api.row_counts(src.source) if database is not None else None
        out = _inspect_output(schema, src.label, rows, full)
        if src.text_file is None:
            return out
        # the model's origins name the temporary file of inline text: name it "sql"
        return InspectOutput.model_validate_json(_unlabel(out.model_dump_json(), src))

    # ------------------------------------------------------------------ lint

    def lint(
        self,
        sql: Annotated[
            str | None, Field(description="DDL, migration or query text (by kind).")
        ] = None,
        path: FilePath = None,
        database: Annotated[
            str | None,
            Field(
                description="kind=schema: the configured database to lint. kind=migrations "
                "or queries: the database they run against (its schema; read-only)."
            ),
        ] = None,
        kind: Annotated[
            Literal["schema", "migrations", "queries"],
            Field(
                description="schema: design rules; migrations: what would hurt a live "
                "database (locks, rewrites, breaking changes); queries: anti-patterns."
            ),
        ] = "schema",
        dialect: Dialect = None,
        select: Annotated[
            list[str] | None, Field(description="Only these rules: codes, prefixes, groups.")
        ] = None,
        ignore: Annotated[list[str] | None, Field(description="Skip these rules.")] = None,
        server_version: Annotated[
            str | None, Field(description="kind=migrations: the target server (16, 15.4).")
        ] = None,
    ) -> LintOutput:
        """Review a schema against the rule catalogue, migrations for what would hurt a live
        database (ACCESS EXCLUSIVE locks, table rewrites, breaking changes), or application
        queries for anti-patterns. Each finding has a rule code, the object, a message and a
        fix.

        Use it on every schema or migration you write before proposing it. The rules tool
        explains a code.

        Example input: {"kind": "migrations", "sql": "ALTER TABLE orders ADD COLUMN note text NOT NULL;"}
        """  # noqa: E501
        cfg = _lint_config(select, ignore)
        if kind == "schema":
            with self._source(sql, path, database) as src:
                report = api.lint([src.source], config=cfg, dialect=dialect)
                return _lint_output(kind, report, src)
        given = [x for x in (sql, path) if x is not None]
        if len(given) != 1:
            raise ConfigError(f"give the {kind} as exactly one of sql or path")
        against = safety.database(self.settings, database)[1] if database else None
        paths = ["-"] if sql is not None else [str(safety.local_path(path or "", "path"))]
        if kind == "queries":
            report = api.lint_queries(paths, schema=against, config=cfg, stdin=sql)
        else:
            from dbdesign.lint.migration import MigrationLintOptions

            opts = MigrationLintOptions(
                dialect=dialect, schema=against, server_version=server_version, stdin=sql
            )
            report = api.lint_migrations(paths, opts, config=cfg)
        return _lint_output(kind, report, _Source("-", "sql", "<stdin>") if sql else None)

    def rules(
        self,
        code: Annotated[
            str | None,
            Field(description="A rule code (KEY001), a prefix (NAM) or a group (naming)."),
        ] = None,
    ) -> RulesOutput:
        """The lint rule catalogue: every rule's code, name, group, default severity and
        summary; with a code, prefix or group, those rules' full documentation (rationale, a
        bad and a good example, the fix).

        Use it to understand a finding of lint, or to choose rules to select.

        Example input: {"code": "KEY001"}"""
        from dbdesign.lint.registry import all_rules

        rules = list(all_rules().values())
        if code:
            want = code.strip()
            rules = [
                r
                for r in rules
                if r.code.upper().startswith(want.upper()) or r.group == want.lower()
            ]
            if not rules:
                raise ConfigError(f"no rule or group {code!r} (call rules without a code)")
        full = bool(code)
        return RulesOutput(
            rules=[
                RuleOut(
                    code=r.code,
                    name=r.name,
                    group=r.group,
                    severity=r.severity.value,
                    default=r.default,
                    dialects=sorted(r.dialects),
                    summary=r.summary,
                    **(
                        {"rationale": r.rationale, "bad": r.bad, "good": r.good, "fix": r.fix}
                        if full
                        else {}
                    ),
                )
                for r in rules
            ]
        )

    # ------------------------------------------------------------------ diff

    def diff(
        self,
        from_sql: Annotated[str | None, Field(description="FROM as DDL text.")] = None,
        from_path: Annotated[
            str | None,
            Field(description="FROM as a .sql file, a folder, or a migrations folder."),
        ] = None,
        from_database: Annotated[
            str | None, Field(description="FROM as a configured database (read-only).")
        ] = None,
        to_sql: Annotated[str | None, Field(description="TO as DDL text.")] = None,
        to_path: Annotated[str | None, Field(description="TO as a file or folder.")] = None,
        to_database: Annotated[
            str | None, Field(description="TO as a configured database (read-only).")
        ] = None,
        renames: Annotated[
            dict[str, str] | None,
            Field(
                description='Renames, not drops and adds: {"public.old_table": "new_name", '
                '"public.table.old_column": "new_name"}.'
            ),
        ] = None,
        safe: Annotated[
            bool,
            Field(description="Safe forms: CONCURRENTLY, NOT VALID + VALIDATE, lock_timeout."),
        ] = True,
    ) -> DiffOutput:
        """Compare two PostgreSQL schemas and return the migration SQL from FROM to TO, the
        operations with their locks and hazards, and the operations that delete data.

        Use it to write a migration: FROM is what the database has (a configured database, its
        migrations folder or its DDL), TO is the schema you want. Nothing is run.

        Example input: {"from_sql": "CREATE TABLE t (id int);", "to_sql": "CREATE TABLE t (id int, name text);"}
        """  # noqa: E501
        with (
            self._source(from_sql, from_path, from_database, what="FROM") as a,
            self._source(to_sql, to_path, to_database, what="TO") as b,
        ):
            plan = api.diff(
                a.source, b.source, renames=renames, safe=safe, db=self.settings.scratch
            )
            sql, text = plan.sql(), plan.text()
        for s in (a, b):
            sql, text = _unlabel(sql, s), _unlabel(text, s)
        return DiffOutput(
            empty=plan.is_empty,
            sql=sql,
            operations=text,
            destructive=[o.describe() for o in plan.destructive_operations],
            notes=list(plan.notes),
        )

    # ------------------------------------------------------------------ design

    def spec_schema(self) -> dict[str, Any]:
        """The JSON Schema of dbdesign's requirements spec (the YAML the design tool reads):
        project, entities with attributes, relationships, access patterns with latency
        targets, volumes, business rules.

        Use it before writing a spec, to know every key and its allowed values.

        Example input: {}"""
        from dbdesign.readers.spec import json_schema

        return json_schema()

    def design(
        self,
        spec: Annotated[str | None, Field(description="The spec as YAML text.")] = None,
        spec_path: Annotated[
            str | None, Field(description="The spec as a YAML file on this machine.")
        ] = None,
        dialect: Annotated[
            str | None,
            Field(description="postgres, mysql or sqlite (default: the spec's, or best fit)."),
        ] = None,
        prove: Annotated[
            bool,
            Field(
                description="Prove it on a scratch database: apply, lint, load generated rows, "
                "EXPLAIN every access pattern, try to break every business rule."
            ),
        ] = True,
        progress: Callable[[str], None] | None = None,
    ) -> DesignOutput:
        """Design a database from a requirements spec (YAML) and prove it on a real server:
        returns DESIGN.md (decisions, tables, ERD, proof), the initial migration (up and
        down), a Mermaid ERD and the proof result. The proof runs in a scratch database that
        is dropped afterwards; no configured database is touched.

        Use it whenever a task needs a new schema: write the spec (spec_schema gives its
        format; the design-database prompt walks through it), design, read the proof, fix the
        spec and design again until it passes.

        Example input: {"spec": "project: {name: shop}\\nentities:\\n  customer:\\n    attributes:\\n      email: {type: email, unique: true}\\n"}
        """  # noqa: E501
        from dbdesign.readers.spec import loads

        if (spec is None) == (spec_path is None):
            raise ConfigError("give the spec as exactly one of spec (YAML text) or spec_path")
        loaded = (
            loads(spec, "spec.yaml")
            if spec is not None
            else api.load_spec(safety.local_path(spec_path or "", "spec_path"))
        )
        # the dialect the spec is designed for decides the server it is proved on
        first = api.design(loaded, dialect=dialect, prove=False)[0]
        if not first.relational:
            return _store_design(first)
        chosen = first.dialect
        with tempfile.TemporaryDirectory(prefix="dbdesign-mcp-") as tmp:
            out = Path(tmp) / "design"
            d, proof = api.design(
                loaded,
                dialect=chosen,
                out=out,
                prove=prove,
                db=self._scratch_for(chosen) if prove else None,
                progress=progress,
            )
            files = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*.*")}
        data = json.loads(files["design.json"])
        proof_json = data.get("proof")
        if isinstance(proof_json, dict):
            proof_json.pop("explain", None)  # every plan: DESIGN.md shows them
        with self._lock:
            self.last_design = LastDesign(files["DESIGN.md"], data["schema"])
        return DesignOutput(
            project=d.spec.project.name,
            dialect=d.dialect,
            tables=[t.key for t in d.tables],
            proved=None if proof is None else bool(proof.ok),
            proof=proof_json,
            proof_note=_proof_note(prove, proof, d.dialect),
            design_md=files["DESIGN.md"],
            migration_up=files["migrations/0001_initial.up.sql"],
            migration_down=files["migrations/0001_initial.down.sql"],
            erd_mermaid=files["erd.mmd"],
            decisions=list(data.get("decisions", [])),
        )

    def _scratch_for(self, dialect: str) -> str | None:
        """The configured scratch server when it speaks ``dialect`` (None: the default, the
        embedded PostgreSQL for a PostgreSQL design, a temporary file for SQLite)."""
        scratch = self.settings.scratch
        return scratch if scratch is not None and api.detect_dialect(scratch) == dialect else None

    # ------------------------------------------------------------------ docs

    def docs(
        self,
        sql: Sql = None,
        path: FilePath = None,
        database: DatabaseName = None,
        dialect: Dialect = None,
    ) -> DocsOutput:
        """Document a schema in Markdown: an index page and a page per table (columns, keys,
        references both ways, indexes, checks, comments), with Mermaid ER diagrams.

        Use it to explain a schema to people, or to write docs into a repository. Give exactly
        one of sql, path or database.

        Example input: {"database": "app"}"""
        with self._source(sql, path, database) as src, tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "docs"
            result = api.docs(
                src.source, out, ["markdown", "mermaid"], dialect=dialect, rows=database is not None
            )
            files = {
                p.relative_to(out).as_posix(): _unlabel(p.read_text(), src)
                for p in sorted(out.rglob("*"))
                if p.is_file() and not p.name.startswith(".")
            }
        return DocsOutput(files=files, notes=list(result.notes))

    # ------------------------------------------------------------------ live databases

    def explain(
        self,
        sql: Annotated[str, Field(description="One SELECT (or, plan only, a write).")],
        database: DatabaseName = None,
        analyze: Annotated[
            bool,
            Field(
                description="Run it for real rows and times (EXPLAIN ANALYZE, rolled back). "
                "Read-only queries only, unless the server allows analyzing writes."
            ),
        ] = True,
        params: Annotated[
            list[Any] | None, Field(description="Values for %s placeholders, in order.")
        ] = None,
    ) -> ExplainOutput:
        """Show a query's plan on a configured database (costs, rows, times, indexes used,
        tables read whole) and what is wrong with it: misestimates, filters that discard most
        rows, spills to disk, missing indexes (rules PLN...), each with a fix.

        Use it on a slow query. Only one SELECT (or VALUES) runs; scripts, DDL, SET, transaction
        control and functions with effects outside the transaction are refused before anything
        is sent; a data-changing statement gets its plan only (analyze=false). The session is
        read-only with a statement timeout.

        Example input: {"database": "app", "sql": "SELECT * FROM orders WHERE customer_id = %s", "params": [42]}
        """  # noqa: E501
        label, url = safety.database(self.settings, database)
        stmt = safety.check_explain(
            self.settings, sql, url, analyze=analyze, params=params is not None
        )
        if analyze:
            safety.check_functions(url, stmt)
        if analyze and stmt.writes:  # allowed: the transaction rolls back, not read-only
            url = safety.database(self.settings, database, read_only=False)[1]
        plan = api.explain(
            sql, url, params, analyze=analyze, timeout_s=self.settings.statement_timeout_s
        )
        found = api.explain_findings(plan, url)
        from dbdesign.lint.plan import finding_json

        return ExplainOutput(
            database=label,
            analyzed=plan.analyzed,
            plan=plan.text(),
            indexes_used=list(plan.indexes_used()),
            seq_scans=list(plan.seq_scans()),
            findings=[finding_json(f, plan) for f in found],
        )

    def health(
        self,
        database: DatabaseName = None,
        checks: Annotated[
            list[str] | None, Field(description="Only these checks (ids); default: all.")
        ] = None,
    ) -> HealthOutput:
        """A health review of a configured database: unused and duplicate indexes, bloat,
        vacuum and statistics, sequences near their end, security settings, slow statements
        (pg_stat_statements), each finding with its value, the threshold and the fix.

        Use it when asked why a database is slow or what to fix first. Read-only, short
        timeouts.

        Example input: {"database": "app"}"""
        label, url = safety.database(self.settings, database)
        report = api.health(url, checks=checks, config=api.health_config())
        data = report.to_dict()
        data["database"] = label
        return HealthOutput(database=label, report=data)

    def advise(
        self,
        queries: Annotated[
            str,
            Field(
                description="The workload: the application's queries separated by ';', each "
                "optionally weighted by a '-- calls: N' comment before it."
            ),
        ],
        database: DatabaseName = None,
        budget_mb: Annotated[
            float | None, Field(description="The most the advised indexes may take, in MB.")
        ] = None,
        max_columns: Annotated[int, Field(ge=1, le=8, description="Columns per index.")] = 5,
        progress: Callable[[str], None] | None = None,
    ) -> AdviseOutput:
        """Index advice for a workload on a configured PostgreSQL database: which indexes to
        create (CREATE INDEX CONCURRENTLY ...), the queries each one helps and by how much
        (planner cost with and without it), their size, and the existing indexes the workload
        never uses.

        Use it when several queries are slow, or before adding indexes by hand. The indexes
        are hypothetical (HypoPG, which the database must have: CREATE EXTENSION hypopg);
        nothing is created, the queries are planned, never run, in a read-only session.
        MySQL/MariaDB advice builds real indexes on a copy of the tables and is not offered
        here: run `dbdesign advise --scratch URL` from a shell.

        Example input: {"database": "app", "queries": "-- calls: 500\nSELECT * FROM orders WHERE customer_id = 42;\nSELECT * FROM orders WHERE amount > 100 ORDER BY amount"}
        """  # noqa: E501
        label, url = safety.database(self.settings, database)
        safety.check_workload(self.settings, queries, url)
        advice = api.advise(
            queries,
            url,
            stdin=True,
            budget_bytes=None if budget_mb is None else int(budget_mb * 1024 * 1024),
            max_columns=max_columns,
            timeout_s=self.settings.statement_timeout_s,
            progress=progress,
        )
        from dbdesign.advise.report import as_json

        return AdviseOutput(database=label, advice=as_json(advice))

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def _source(
        self, sql: str | None, path: str | None, database: str | None, *, what: str = "schema"
    ) -> Iterator[_Source]:
        """The schema given by exactly one of ``sql``, ``path`` and ``database``."""
        given = [x for x in (sql, path, database) if x is not None]
        if len(given) != 1:
            prefix = "" if what == "schema" else f"{what.lower()}_"
            names = ", ".join(f"{prefix}{n}" for n in ("sql", "path", "database"))
            raise ConfigError(f"give the {what} as exactly one of {names}")
        if database is not None:
            label, url = safety.database(self.settings, database)
            yield _Source(url, label)
        elif path is not None:
            yield _Source(str(safety.local_path(path, "path")), path)
        else:
            with tempfile.TemporaryDirectory(prefix="dbdesign-mcp-") as tmp:
                f = Path(tmp) / "schema.sql"
                f.write_text(sql or "", encoding="utf-8")
                src = _Source(str(f), "sql", str(f))
                try:
                    yield src
                except DbdesignError as e:
                    if e.file == src.text_file:
                        e.file = "sql"
                    e.message = _unlabel(e.message, src)
                    raise


def _unlabel(text: str, src: _Source) -> str:
    """``text`` naming inline text ``sql`` instead of its temporary file."""
    return text.replace(src.text_file, "sql") if src.text_file else text


def _lint_config(select: list[str] | None, ignore: list[str] | None) -> Any:
    """The ``[lint]`` configuration of the server's project, with ``select`` and ``ignore``."""
    from dataclasses import replace

    from dbdesign.config import load_config
    from dbdesign.lint.config import parse_config

    found = load_config()
    cfg = parse_config(found.section("lint"), file=str(found.path) if found.path else None)
    if select:
        cfg = replace(cfg, select=tuple(select))
    if ignore:
        cfg = replace(cfg, ignore=cfg.ignore + tuple(ignore))
    return cfg


def _lint_output(kind: str, report: Any, src: _Source | None) -> LintOutput:
    findings = []
    for f in report.findings:
        d = f.to_dict()
        d.pop("catalog", None)
        if src is not None and src.text_file and d.get("file") == src.text_file:
            d["file"] = "sql"
        findings.append(FindingOut(**{k: v for k, v in d.items() if v is not None}))
    summary: dict[str, int] = {}
    for f in findings:
        summary[f.severity] = summary.get(f.severity, 0) + 1
    return LintOutput(
        kind=kind,
        findings=findings,
        summary=summary,
        failing=report.failing,
        rules_run=len(report.rules),
    )


def _inspect_output(
    schema: Schema, label: str, rows: dict[str, int] | None, full: bool
) -> InspectOutput:
    kinds = ("tables", "views", "indexes", "sequences", "enums", "domains", "functions")
    counts = {k: len(getattr(schema, k)) for k in (*kinds, "triggers")}
    by_table: dict[str, list[str]] = {}
    for ix in schema.indexes.values():
        cols = ", ".join(e.label + (" DESC" if e.descending else "") for e in ix.elements)
        where = f" WHERE {ix.where.text}" if ix.where is not None else ""
        unique = "UNIQUE " if ix.unique else ""
        method = "" if ix.method == "btree" else f" USING {ix.method}"
        by_table.setdefault(ix.table_key, []).append(f"{unique}{ix.name}{method} ({cols}){where}")
    tables = []
    for key, t in sorted(schema.tables.items()):
        tables.append(
            TableSummary(
                name=key,
                columns=[
                    ColumnSummary(
                        name=c.name,
                        type=str(c.type),
                        nullable=c.nullable,
                        default=c.default.text if c.default is not None else None,
                    )
                    for c in t.columns
                ],
                primary_key=list(t.primary_key.columns) if t.primary_key else [],
                foreign_keys=[
                    f"({', '.join(fk.columns)}) -> {fk.ref_table}({', '.join(fk.ref_columns)})"
                    + (f" ON DELETE {fk.on_delete}" if fk.on_delete != "NO ACTION" else "")
                    for fk in t.foreign_keys.values()
                ],
                uniques=[f"{u.name} ({', '.join(u.columns)})" for u in t.uniques.values()],
                checks=[f"{c.name}: {c.expr.text}" for c in t.checks.values()],
                indexes=by_table.get(key, []),
                rows=rows.get(key) if rows is not None else None,
            )
        )
    return InspectOutput(
        source=label,
        dialect=schema.dialect,
        counts=counts,
        tables=tables,
        views=sorted(schema.views),
        enums={k: list(e.values) for k, e in sorted(schema.enums.items())},
        model=api.to_json(schema) if full else None,
    )


def _store_design(d: Any) -> DesignOutput:
    """A Redis or MongoDB design, not proved here: this server writes to no Redis and has no
    MongoDB (the files a migration or ERD would be in hold the store's own script)."""
    from dbdesign.design.output import render

    files = render(d)
    data = json.loads(files["design.json"])
    script = files.get("redis.conf") or files.get("mongosh.js", "")
    return DesignOutput(
        project=d.spec.project.name,
        dialect=d.dialect,
        tables=[],
        proved=None,
        proof=None,
        proof_note=(
            "not proved: the MCP server writes to no Redis and uses no MongoDB; prove a Redis "
            "design with `dbdesign design SPEC --db redis://...` (a MongoDB design is checked "
            "statically only: see DESIGN.md)"
        ),
        design_md=files["DESIGN.md"],
        migration_up=script,
        migration_down="",
        erd_mermaid="",
        decisions=list(data.get("decisions") or data.get("mongodb", {}).get("decisions", [])),
    )


def _proof_note(prove: bool, proof: Any, dialect: str) -> str | None:
    if proof is not None:
        return None
    if not prove:
        return "not proved: prove=false"
    from dbdesign import dialects

    d = dialects.get(dialect)
    return (
        f"not proved: this server has no {d.title} scratch server (start it with "
        f"DBDESIGN_MCP_SCRATCH_URL={d.example_url} or [tool.dbdesign.mcp] scratch)"
    )
