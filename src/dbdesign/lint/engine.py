"""Run the selected rules over a schema; apply inline suppressions and a baseline."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from dbdesign.errors import ConfigError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.context import Context
from dbdesign.lint.findings import Finding, Severity
from dbdesign.lint.registry import GROUPS, Rule, all_rules
from dbdesign.model import Origin, Schema

_GROUP_PREFIX = {v: k for k, v in GROUPS.items()}


def _matches(rule: Rule, selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.lower() in _GROUP_PREFIX:
        return rule.code.startswith(_GROUP_PREFIX[s.lower()])
    return rule.code.startswith(s.upper())


def select_rules(config: LintConfig) -> list[Rule]:
    """The rules ``select`` picks and ``ignore`` does not; unknown selectors are errors."""
    rules = all_rules()
    for s in (*config.select, *config.ignore, *config.severity):
        if not any(_matches(r, s) for r in rules.values()):
            raise ConfigError(f"lint: {s!r} matches no rule code or group (see `dbdesign rules`)")
    return [
        r
        for r in rules.values()
        if any(_matches(r, s) for s in config.select)
        and not any(_matches(r, s) for s in config.ignore)
    ]


def lint(schema: Schema, config: LintConfig | None = None) -> list[Finding]:
    """All findings of the selected rules on ``schema`` (no suppressions applied), sorted."""
    cfg = config or LintConfig()
    ctx = Context(schema, cfg)
    out: list[Finding] = []
    fallback = _source_origin(schema.source)
    for r in select_rules(cfg):
        if schema.dialect not in r.dialects:
            continue
        sev = r.severity
        for sel, s in cfg.severity.items():
            if _matches(r, sel):
                sev = s
        fix = r.fix
        for h in r.check(ctx):
            out.append(
                Finding(
                    code=r.code,
                    severity=sev,
                    message=h.message,
                    object=h.object,
                    origin=h.origin or fallback,
                    fix_hint=h.fix or fix,
                    rule=r.name,
                )
            )
    out.sort(key=sort_key)
    return out


def _source_origin(source: str | None) -> Origin | None:
    """Where objects without an origin of their own are reported: the source itself."""
    if source is None:
        return None
    if "://" in source:
        return Origin(catalog=source)
    return Origin(file=source)


def sort_key(f: Finding) -> tuple[str, int, int, str, str]:
    o = f.origin
    return ((o.file or "") if o else "", (o.line or 0) if o else 0, (o.col or 0) if o else 0,
            f.code, f.object)  # fmt: skip


# ---------------------------------------------------------------- inline suppression

_IGNORE = re.compile(r"--\s*dbdesign:\s*ignore\b([^\n]*)", re.I)


class SourceLines:
    """File text by line, read once per file (for suppression comments)."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def lines(self, file: str) -> list[str] | None:
        if file not in self._files:
            try:
                text = Path(file).read_text(encoding="utf-8", errors="replace")
                self._files[file] = text.splitlines() if "dbdesign:" in text else []
            except OSError:
                self._files[file] = None
        return self._files[file]


def _codes(spec: str) -> set[str]:
    return {c.upper() for c in re.split(r"[\s,]+", spec.strip()) if c and c != "--"}


def suppressed_by(f: Finding, src: SourceLines) -> bool:
    """Whether a ``-- dbdesign: ignore [CODE ...]`` comment covers ``f``.

    The comment counts on the finding's own line (a trailing comment) or in the run of
    comment-only lines directly above it. Without codes it silences every rule; codes may be
    rule codes, prefixes (``NAM``) or group names (``naming``).
    """
    o = f.origin
    if o is None or o.file is None or o.line is None:
        return False
    lines = src.lines(o.file)
    if not lines or o.line > len(lines):
        return False
    candidates = [lines[o.line - 1]]
    i = o.line - 2
    while i >= 0 and lines[i].lstrip().startswith("--"):
        candidates.append(lines[i])
        i -= 1
    for line in candidates:
        m = _IGNORE.search(line)
        if m is None:
            continue
        codes = _codes(m.group(1))
        if not codes:
            return True
        for c in codes:
            if f.code.startswith(c) or _GROUP_PREFIX.get(c.lower(), "\0") == f.code[:3]:
                return True
    return False


def apply_suppressions(findings: Iterable[Finding]) -> list[Finding]:
    src = SourceLines()
    return [f for f in findings if not suppressed_by(f, src)]


# ---------------------------------------------------------------- baseline


def _fingerprint(f: Finding) -> tuple[str, str, str]:
    # No line numbers: editing other parts of a file must not revive baselined findings.
    return (f.code, f.object, f.message)


def write_baseline(findings: Iterable[Finding], path: Path) -> int:
    items = [
        {"code": c, "object": o, "message": m}
        for c, o, m in sorted(_fingerprint(f) for f in findings)
    ]
    path.write_text(json.dumps({"version": 1, "findings": items}, indent=2) + "\n")
    return len(items)


def read_baseline(path: Path) -> Counter[tuple[str, str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Counter((i["code"], i["object"], i["message"]) for i in data["findings"])
    except OSError as e:
        raise ConfigError(f"cannot read baseline: {e.strerror}", file=str(path)) from None
    except (ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"not a dbdesign lint baseline: {e}", file=str(path)) from None


def apply_baseline(
    findings: Iterable[Finding], base: Counter[tuple[str, str, str]]
) -> list[Finding]:
    """Findings not in the baseline (each baseline entry absorbs one equal finding)."""
    left = Counter(base)
    out = []
    for f in findings:
        k = _fingerprint(f)
        if left[k] > 0:
            left[k] -= 1
        else:
            out.append(f)
    return out


def failing(findings: Iterable[Finding], fail_on: Severity) -> bool:
    return any(f.severity.rank >= fail_on.rank for f in findings)
