"""Schema review: rules over the model, findings as values, several output formats.

>>> from dbdesign import api
>>> from dbdesign.lint import lint, LintConfig
>>> findings = lint(api.read("schema.sql"), LintConfig(ignore=("naming",)))
"""

from dbdesign.lint.config import LintConfig, parse_config
from dbdesign.lint.engine import apply_baseline, apply_suppressions, lint, select_rules
from dbdesign.lint.findings import Finding, Hit, Severity
from dbdesign.lint.registry import LintRule, all_rules

__all__ = [
    "Finding",
    "Hit",
    "LintConfig",
    "LintRule",
    "Severity",
    "all_rules",
    "apply_baseline",
    "apply_suppressions",
    "lint",
    "parse_config",
    "select_rules",
]
