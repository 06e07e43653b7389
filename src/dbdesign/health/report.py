"""What a health review gives back: findings (values, never exceptions), notes about checks
that could not run, and the text and JSON forms of the report."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from dbdesign.lint.findings import Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthFinding:
    """One problem one check found on one object of a live database."""

    check: str  # the check's id: "unused-index"
    severity: Severity
    object: str  # the object's qualified name
    value: str  # what was measured: "0 scans, 24 MB"
    threshold: str  # what it was measured against: "0 scans and >= 10 MB"
    why: str  # why it matters
    fix: str  # the fix, as SQL
    caveat: str = ""  # what to weigh before applying the fix

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthReport:
    """A health review: the database (its URL without the password), the server, when its
    statistics were reset, the checks that ran, their findings and notes (a check refused
    for lack of privilege, or cancelled by the statement timeout)."""

    database: str
    server: str
    stats_reset: datetime | None
    stats_days: float | None
    checks: tuple[str, ...]
    findings: tuple[HealthFinding, ...]
    notes: tuple[str, ...] = ()

    def failing(self, fail_on: Severity) -> bool:
        """Is there a finding at or above ``fail_on``?"""
        return any(f.severity.rank >= fail_on.rank for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "server": self.server,
            "stats_reset": self.stats_reset.isoformat() if self.stats_reset else None,
            "stats_age_days": round(self.stats_days, 1) if self.stats_days is not None else None,
            "checks": list(self.checks),
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_text(self) -> str:
        lines = [f"health of {self.database} ({self.server})"]
        if self.stats_days is not None and self.stats_reset is not None:
            lines.append(
                f"statistics since {self.stats_reset:%Y-%m-%d %H:%M} ({self.stats_days:.0f} days)"
            )
        lines.append(f"checks: {', '.join(self.checks)}")
        for f in self.findings:
            lines += [
                "",
                f"{f.severity.value} {f.check}: {f.object}",
                f"  measured: {f.value} (threshold: {f.threshold})",
                f"  why: {f.why}",
                *(f"  caveat: {f.caveat}" for _ in [0] if f.caveat),
                "  fix:",
                *(f"    {line}" for line in f.fix.splitlines()),
            ]
        lines.append("")
        lines += [f"note: {n}" for n in self.notes]
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        lines.append(f"findings: {summary or 'none'}")
        return "\n".join(lines) + "\n"
