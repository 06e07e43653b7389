"""The typed results of the MCP tools (each published as the tool's output schema)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class _Out(BaseModel):
    model_config = {"extra": "forbid"}


class ColumnSummary(_Out):
    name: str
    type: str
    nullable: bool
    default: str | None = None


class TableSummary(_Out):
    name: str = Field(description="schema.table")
    columns: list[ColumnSummary]
    primary_key: list[str] = Field(default_factory=list)
    foreign_keys: list[str] = Field(
        default_factory=list, description="(columns) -> schema.table(columns) ON DELETE ..."
    )
    uniques: list[str] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    indexes: list[str] = Field(default_factory=list)
    rows: int | None = Field(None, description="Rows (live databases: estimated).")


class InspectOutput(_Out):
    source: str = Field(description="What was read: 'sql', a path, or a database's name.")
    dialect: str
    counts: dict[str, int] = Field(description="Objects of each kind.")
    tables: list[TableSummary]
    views: list[str] = Field(default_factory=list)
    enums: dict[str, list[str]] = Field(default_factory=dict)
    model: dict[str, Any] | None = Field(
        None, description="The whole model as versioned JSON (full=true only)."
    )


class FindingOut(_Out):
    code: str
    rule: str
    severity: str
    message: str
    object: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    fix_hint: str = ""
    statement: str | None = None


class LintOutput(_Out):
    kind: str = Field(description="schema, migrations or queries")
    findings: list[FindingOut]
    summary: dict[str, int] = Field(description="Findings per severity.")
    failing: bool = Field(description="A finding at or above the configured fail_on.")
    rules_run: int


class RuleOut(_Out):
    code: str
    name: str
    group: str
    severity: str
    default: bool = Field(description="On by default.")
    dialects: list[str]
    summary: str
    rationale: str | None = None
    bad: str | None = None
    good: str | None = None
    fix: str | None = None


class RulesOutput(_Out):
    rules: list[RuleOut]


class DiffOutput(_Out):
    empty: bool = Field(description="The two schemas are the same.")
    sql: str = Field(description="The migration from FROM to TO (PostgreSQL).")
    operations: str = Field(description="The operations, with their locks and hazards.")
    destructive: list[str] = Field(
        default_factory=list, description="Operations that delete data: review before running."
    )
    notes: list[str] = Field(default_factory=list)


class DesignOutput(_Out):
    project: str
    dialect: str
    tables: list[str]
    proved: bool | None = Field(
        description="True: every check of the proof passed; False: one failed (see proof); "
        "None: not proved (see proof_note)."
    )
    proof: dict[str, Any] | None = Field(
        None,
        description="The proof on a scratch database: server, rows loaded, each access "
        "pattern's index and p95, each business rule's refused write, problems.",
    )
    proof_note: str | None = None
    design_md: str = Field(description="DESIGN.md: decisions, tables, ERD, proof.")
    migration_up: str = Field(description="migrations/0001_initial.up.sql")
    migration_down: str = Field(description="migrations/0001_initial.down.sql")
    erd_mermaid: str
    decisions: list[dict[str, Any]] = Field(default_factory=list)


class DocsOutput(_Out):
    files: dict[str, str] = Field(description="Relative path -> Markdown or Mermaid text.")
    notes: list[str] = Field(default_factory=list)


class ExplainOutput(_Out):
    database: str
    analyzed: bool = Field(description="The statement ran (EXPLAIN ANALYZE, rolled back).")
    plan: str = Field(description="The plan as text: nodes, costs, rows, times.")
    indexes_used: list[str]
    seq_scans: list[str]
    findings: list[dict[str, Any]] = Field(
        description="What the plan rules (PLN...) find: node, numbers, fix."
    )


class HealthOutput(_Out):
    database: str
    report: dict[str, Any] = Field(
        description="Server, checks run, findings (object, value, threshold, fix), notes."
    )


class AdviseOutput(_Out):
    database: str
    advice: dict[str, Any] = Field(
        description="The indexes advised (DDL, the queries each helps, their cost before and "
        "after, size), the indexes the workload never uses, and notes."
    )


class DatabaseOut(_Out):
    name: str
    dialect: str


class DatabasesOutput(_Out):
    databases: list[DatabaseOut]
    urls_allowed: bool = Field(description="Tools also take database URLs (--allow-urls).")
    analyze_writes_allowed: bool = Field(
        description="explain may run data-changing statements, rolled back."
    )
