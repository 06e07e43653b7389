"""The rule registry: one rule = one small function with a code, registered by decorator.

A rule's documentation is its docstring, in this shape (the meta-test checks every section)::

    One-line summary.

    Rationale: why it matters (one paragraph).

    Bad:
        CREATE TABLE ...

    Good:
        CREATE TABLE ...

    Fix: how to fix it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbdesign.lint.findings import Hit, Severity

if TYPE_CHECKING:
    from dbdesign.lint.context import Context

Check = Callable[["Context"], Iterable[Hit]]
# A migration-safety rule looks at one statement: dbdesign.lint.migration.StatementContext.
StatementCheck = Callable[[Any], Iterable[Hit]]

GROUPS = {
    "KEY": "keys",
    "TYP": "types",
    "IDX": "indexes",
    "NAM": "naming",
    "NRM": "normalisation",
    "AUD": "audit",
    "SEC": "security",
    "SUP": "suppressions",
    "DOC": "documentation",
    "MIG": "migrations",
    "QRY": "queries",
    "PLN": "plans",
}
# What a rule reviews: a schema (``dbdesign lint FILE``), migrations, statement by statement
# (``dbdesign lint --migrations PATH``), application queries (``dbdesign lint --queries``,
# ``advise``) or the plans a server chose for them (``explain``, ``advise``).
SCHEMA, MIGRATIONS, QUERIES, PLANS = "schema", "migrations", "queries", "plans"


@dataclass(frozen=True, slots=True)
class LintRule:
    code: str
    name: str
    severity: Severity
    check: Callable[[Any], Iterable[Hit]] = field(repr=False)
    dialects: frozenset[str] = frozenset({"postgres", "sqlite", "mysql"})
    # Off by default: runs only when a selector names it (its code, a prefix or its group),
    # not under the default "ALL".
    default: bool = True
    summary: str = ""
    rationale: str = ""
    bad: str = ""
    good: str = ""
    fix: str = ""
    scopes: frozenset[str] = frozenset({SCHEMA})
    # A migration rule that only ever reports on statements of these kinds (PostgreSQL: the
    # pglast node kind, "AlterTableStmt"): the engine shows it no others. None: every statement.
    kinds: frozenset[str] | None = None

    @property
    def group(self) -> str:
        return GROUPS[self.code[:3]]

    def docs_markdown(self) -> str:
        d = ", ".join(sorted(self.dialects))
        off = "" if self.default else " (off by default: select it to run it)"
        return (
            f"### {self.code} {self.name}\n\n{self.summary}\n\n"
            f"- group: {self.group}; default severity: {self.severity.value}{off}; "
            f"dialects: {d}\n\n"
            f"**Rationale.** {self.rationale}\n\n"
            f"**Bad:**\n\n```sql\n{self.bad}\n```\n\n"
            f"**Good:**\n\n```sql\n{self.good}\n```\n\n"
            f"**Fix.** {self.fix}\n"
        )


RULES: dict[str, LintRule] = {}

_SECTION = re.compile(r"^(Rationale|Bad|Good|Fix):\s*(.*)$")


def parse_doc(doc: str) -> dict[str, str]:
    """Split a rule docstring into summary, rationale, bad, good and fix."""
    lines = inspect.cleandoc(doc).splitlines()
    out: dict[str, list[str]] = {"summary": []}
    cur = "summary"
    for line in lines:
        m = _SECTION.match(line)
        if m:
            cur = m.group(1).lower()
            out[cur] = [m.group(2)] if m.group(2) else []
        else:
            out.setdefault(cur, []).append(line)
    res = {}
    for k, v in out.items():
        text = inspect.cleandoc("\n".join(v)) if k in ("bad", "good") else " ".join(v).strip()
        res[k] = re.sub(r"[ \t]+", " ", text) if k not in ("bad", "good") else text
    return res


def rule(
    code: str,
    name: str,
    severity: str,
    *,
    dialects: Iterable[str] = ("postgres", "sqlite", "mysql"),
    default: bool = True,
    scopes: Iterable[str] = (SCHEMA,),
    kinds: Iterable[str] | None = None,
) -> Callable[[Check], Check]:
    """Register a rule. Codes are stable: never reuse or renumber one.

    ``default=False``: the rule runs only when selected by its code, a prefix or its group
    (a convention a team opts into; its findings on schemas that follow another are noise).
    ``scopes``: what it reviews (a migration-safety rule registers with :func:`migration_rule`).
    ``kinds``: see :func:`migration_rule`.
    """

    def deco(fn: Check) -> Check:
        if code in RULES:
            raise ValueError(f"duplicate rule code {code}")
        doc = parse_doc(fn.__doc__ or "")
        RULES[code] = LintRule(
            code=code,
            name=name,
            severity=Severity(severity),
            check=fn,
            dialects=frozenset(dialects),
            default=default,
            summary=doc.get("summary", ""),
            rationale=doc.get("rationale", ""),
            bad=doc.get("bad", ""),
            good=doc.get("good", ""),
            fix=doc.get("fix", ""),
            scopes=frozenset(scopes),
            kinds=None if kinds is None else frozenset(kinds),
        )
        return fn

    return deco


def migration_rule(
    code: str,
    name: str,
    severity: str,
    *,
    dialects: Iterable[str] = ("postgres",),
    default: bool = True,
    kinds: Iterable[str] | None = None,
) -> Callable[[StatementCheck], StatementCheck]:
    """Register a migration-safety rule: ``fn(ctx)`` gets each statement's
    :class:`~dbdesign.lint.migration.context.StatementContext` and yields hits on it (the
    origin defaults to the statement; ``Hit.fix`` is the safe rewrite as SQL).

    ``kinds``: the statement kinds (``ctx.stmt.kind``) the rule can report on; the engine
    calls it for those only (3,400 statements x 40 rules add up). Leave it out when the rule
    looks at every statement. A rule keeps its own kind checks: the declaration is a filter,
    not a promise."""
    return rule(
        code,
        name,
        severity,
        dialects=dialects,
        default=default,
        scopes=(MIGRATIONS,),
        kinds=kinds,
    )


def all_rules() -> dict[str, LintRule]:
    """Every rule, by code (importing every rule module on first use)."""
    return loaded_rules(True)


def loaded_rules(migrations: str | bool = False, scope: str = SCHEMA) -> dict[str, LintRule]:
    """The schema rules, the migration rules of ``migrations`` (a dialect's name, all with
    True, none with False), the rules of ``scope`` when it is queries or plans, and any other
    rule loaded before, by code."""
    from dbdesign.lint.rules import load

    load(migrations, (scope,))
    return dict(sorted(RULES.items()))
