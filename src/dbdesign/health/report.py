"""What a health review gives back: findings (values, never exceptions), notes about checks
that could not run, and the text and JSON forms of the report. A report saved as JSON
(``--save``) can be read back and compared with a later one (``--compare``): which findings
are new, which are gone, which values moved."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from dbdesign.errors import ConfigError
from dbdesign.lint.findings import Severity

FORMAT = "dbdesign-health"  # the "format" key of a saved report


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

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the finding across reviews: the check and the object."""
        return (self.check, self.object)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "severity": self.severity.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HealthFinding:
        return cls(**{**data, "severity": Severity(data["severity"])})


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """A review against an earlier one (a report saved with ``--save``)."""

    baseline: str  # the saved report's file
    taken_at: datetime | None  # when the saved review ran
    new: frozenset[tuple[str, str]]  # keys of findings the saved report did not have
    resolved: tuple[HealthFinding, ...]  # the saved report's findings no longer found
    was: dict[tuple[str, str], str]  # the saved value of a finding whose value changed

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "baseline_taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "new": [{"check": c, "object": o} for c, o in sorted(self.new)],
            "resolved": [f.to_dict() for f in self.resolved],
            "changed": [
                {"check": c, "object": o, "was": v} for (c, o), v in sorted(self.was.items())
            ],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthReport:
    """A health review: the database (its URL without the password), the server, when it ran
    and when its statistics were reset, the checks that ran, their findings and notes (a check
    refused for lack of privilege, or cancelled by the statement timeout), and, after
    :meth:`compared`, what changed since a saved review."""

    database: str
    server: str
    stats_reset: datetime | None
    stats_days: float | None
    checks: tuple[str, ...]
    findings: tuple[HealthFinding, ...]
    notes: tuple[str, ...] = ()
    taken_at: datetime | None = None
    comparison: Comparison | None = field(default=None, compare=False)

    def failing(self, fail_on: Severity) -> bool:
        """Is there a finding at or above ``fail_on``? After :meth:`compared`, only a new one
        counts: what the saved review already had does not fail the run again."""
        new = self.comparison.new if self.comparison else None
        return any(
            f.severity.rank >= fail_on.rank and (new is None or f.key in new) for f in self.findings
        )

    def compared(self, baseline: HealthReport, file: str) -> HealthReport:
        """This report with what changed since ``baseline`` (read from ``file``)."""
        before = {f.key: f for f in baseline.findings}
        now = {f.key: f for f in self.findings}
        comparison = Comparison(
            baseline=file,
            taken_at=baseline.taken_at,
            new=frozenset(now.keys() - before.keys()),
            resolved=tuple(f for k, f in before.items() if k not in now),
            was={
                k: before[k].value
                for k, f in now.items()
                if k in before and before[k].value != f.value
            },
        )
        return replace(self, comparison=comparison)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "format": FORMAT,
            "version": 1,
            "database": self.database,
            "server": self.server,
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "stats_reset": self.stats_reset.isoformat() if self.stats_reset else None,
            "stats_age_days": round(self.stats_days, 1) if self.stats_days is not None else None,
            "checks": list(self.checks),
            "findings": [f.to_dict() for f in self.findings],
            "notes": list(self.notes),
        }
        if self.comparison is not None:
            out["comparison"] = self.comparison.to_dict()
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def load(cls, path: Path) -> HealthReport:
        """A report saved with ``--save`` (its JSON); a file that is not one is an error
        naming the file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(
                f"cannot read saved health report: {e.strerror}", file=str(path)
            ) from None
        except ValueError as e:
            raise ConfigError(f"not a saved health report: {e}", file=str(path)) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError(
                "not a saved health report (save one with dbdesign health URL --save FILE)",
                file=str(path),
            )
        try:
            return cls(
                database=data["database"],
                server=data["server"],
                stats_reset=_when(data.get("stats_reset")),
                stats_days=data.get("stats_age_days"),
                checks=tuple(data["checks"]),
                findings=tuple(HealthFinding.from_dict(f) for f in data["findings"]),
                notes=tuple(data.get("notes", ())),
                taken_at=_when(data.get("taken_at")),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ConfigError(f"not a saved health report: {e!r}", file=str(path)) from None

    def to_text(self) -> str:
        lines = [f"health of {self.database} ({self.server})"]
        if self.stats_days is not None and self.stats_reset is not None:
            lines.append(
                f"statistics since {self.stats_reset:%Y-%m-%d %H:%M} ({self.stats_days:.0f} days)"
            )
        lines.append(f"checks: {', '.join(self.checks)}")
        cmp = self.comparison
        for f in self.findings:
            mark = " (new)" if cmp and f.key in cmp.new else ""
            was = f", was: {cmp.was[f.key]}" if cmp and f.key in cmp.was else ""
            lines += [
                "",
                f"{f.severity.value} {f.check}: {f.object}{mark}",
                f"  measured: {f.value} (threshold: {f.threshold}{was})",
                f"  why: {f.why}",
                *(f"  caveat: {f.caveat}" for _ in [0] if f.caveat),
                "  fix:",
                *(f"    {line}" for line in f.fix.splitlines()),
            ]
        lines.append("")
        lines += [f"note: {n}" for n in self.notes]
        if cmp is not None:
            when = f" ({cmp.taken_at:%Y-%m-%d %H:%M})" if cmp.taken_at else ""
            lines.append(
                f"since {cmp.baseline}{when}: {len(cmp.new)} new, {len(cmp.resolved)} resolved"
            )
            lines += [f"  resolved: {f.check} {f.object}" for f in cmp.resolved]
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        lines.append(f"findings: {summary or 'none'}")
        return "\n".join(lines) + "\n"


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
