"""Lint sources: read each file, folder or database, run the rules, apply the inline
suppressions and a baseline. What ``dbdesign lint`` does, as :func:`dbdesign.api.lint`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbdesign import readers
from dbdesign.errors import ConfigError
from dbdesign.lint import engine
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Finding
from dbdesign.lint.registry import LintRule
from dbdesign.model import Schema


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]  # after suppressions and the baseline
    rules: tuple[LintRule, ...]  # the rules that ran
    failing: bool  # a finding at or above the configuration's fail_on


def lint_sources(
    sources: Sequence[str],
    *,
    config: LintConfig | None = None,
    dialect: str | None = None,
    baseline: Path | None = None,
    on_read: Callable[[str], None] | None = None,
) -> LintReport:
    """Lint every source (a .sql file, a folder of them, a database URL or file).

    A file or folder that defines nothing is a :class:`ConfigError` (a wrong path, an unsaved
    file); an empty database is not (its database-level settings are still reviewed).
    ``baseline``: a file written by :func:`write_baseline`, whose findings are left out.
    """
    cfg = config or LintConfig()
    findings: list[Finding] = []
    files: set[str] = set()
    for source in sources:
        if on_read is not None:
            on_read(source)
        schema = readers.read(source, dialect=dialect)
        if nothing_to_lint(schema) and not readers.is_database(source):
            raise ConfigError(f"{source}: {_empty_reason(source)}")
        findings.extend(engine.lint(schema, cfg))
        files |= engine.source_files(schema)
    findings = engine.apply_suppressions(findings, cfg, files)
    if baseline is not None:
        findings = engine.apply_baseline(findings, engine.read_baseline(baseline))
    return LintReport(
        findings=tuple(findings),
        rules=tuple(engine.select_rules(cfg)),
        failing=engine.failing(findings, cfg.fail_on),
    )


def write_baseline(findings: Sequence[Finding], path: Path) -> int:
    """Record ``findings`` in ``path`` (a later run leaves them out); how many were written."""
    if not path.parent.is_dir():
        raise ConfigError(
            f"cannot write the baseline: folder {path.parent} does not exist", file=str(path)
        )
    if path.is_dir():
        raise ConfigError("cannot write the baseline: it is a folder", file=str(path))
    try:
        return engine.write_baseline(findings, path)
    except OSError as e:
        raise ConfigError(f"cannot write the baseline: {e.strerror}", file=str(path)) from None


def nothing_to_lint(schema: Schema) -> bool:
    """True when ``schema`` holds nothing a rule could look at: no table, view, index, type,
    function ... and no schema (namespace) of its own with grants or a comment (the default
    ``public`` / ``main`` do not count)."""
    objects = (
        schema.extensions,
        schema.tables,
        schema.views,
        schema.indexes,
        schema.sequences,
        schema.enums,
        schema.domains,
        schema.composite_types,
        schema.functions,
        schema.triggers,
        schema.rules,
        schema.policies,
    )
    if any(objects):
        return False
    return not any(
        (n.grants or n.comment) and n.name not in ("public", "main")
        for n in schema.namespaces.values()
    )


def _empty_reason(source: str) -> str:
    p = Path(source)
    if p.is_dir():
        if not any(p.glob("*.sql")):
            return "no .sql files in this folder: nothing to lint"
        return "the .sql files in this folder define no tables, views or other objects"
    if p.is_file() and not p.read_bytes().strip():
        return "the file is empty: nothing to lint"
    return "the file defines no tables, views or other objects: nothing to lint"
