"""Run the selected rules over a schema; apply inline suppressions and a baseline."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dbdesign.errors import ConfigError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.context import Context
from dbdesign.lint.findings import Finding, Severity
from dbdesign.lint.registry import GROUPS, MIGRATIONS, SCHEMA, LintRule, all_rules, loaded_rules
from dbdesign.model import Origin, Schema

_GROUP_PREFIX = {v: k for k, v in GROUPS.items()}


def _matches(rule: LintRule, selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.lower() in _GROUP_PREFIX:
        return rule.code.startswith(_GROUP_PREFIX[s.lower()])
    return rule.code.startswith(s.upper())


def _selects(rule: LintRule, selector: str) -> bool:
    """Whether a ``select`` entry picks ``rule``: "ALL" picks the rules that are on by
    default; a code, prefix or group picks every rule it names."""
    if selector.strip().upper() == "ALL" and not rule.default:
        return False
    return _matches(rule, selector)


def select_rules(
    config: LintConfig, scope: str = SCHEMA, dialect: str | None = None
) -> list[LintRule]:
    """The rules of ``scope`` (schema, migrations, queries or plans; of ``dialect`` or all)
    that ``select`` picks and ``ignore`` does not; unknown selectors are errors."""
    rules = loaded_rules(dialect or True if scope == MIGRATIONS else False, scope)
    selectors = (*config.select, *config.ignore, *config.severity)
    if not all(any(_matches(r, s) for r in rules.values()) for s in selectors):
        rules = all_rules()  # a code of a rule not loaded yet (another dialect's ...)
    for s in selectors:
        if not any(_matches(r, s) for r in rules.values()):
            raise ConfigError(f"lint: {s!r} matches no rule code or group (see `dbdesign rules`)")
    return [
        r
        for r in rules.values()
        if scope in r.scopes
        and any(_selects(r, s) for s in config.select)
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
        sev = _severity(r, cfg)
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


def _severity(r: LintRule, cfg: LintConfig) -> Severity:
    """The rule's severity after the configuration's overrides (the last matching one wins)."""
    sev = r.severity
    for sel, s in cfg.severity.items():
        if _matches(r, sel):
            sev = s
    return sev


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
UNUSED_SUPPRESSION = "SUP001"


@dataclass(slots=True, eq=False)
class Directive:
    """One ``-- dbdesign: ignore [CODE ...]`` comment and the codes that silenced something."""

    file: str
    line: int
    col: int
    codes: tuple[str, ...]  # codes, prefixes or group names as written; () silences all
    used: set[str] = field(default_factory=set)  # codes that matched; "" for a bare ignore


class SourceLines:
    """File text by line and its suppression comments, read once per file. ``texts``: the
    text of files already read, by the name findings give them (``<stdin>``: standard input,
    which cannot be read again)."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._texts = texts or {}
        self._files: dict[str, list[str] | None] = {}
        self._directives: dict[str, dict[int, Directive]] = {}

    def lines(self, file: str) -> list[str] | None:
        if file not in self._files:
            text = self._texts.get(file)
            try:
                if text is None:
                    text = Path(file).read_text(encoding="utf-8", errors="replace")
                self._files[file] = text.splitlines() if "dbdesign:" in text else []
            except OSError:
                self._files[file] = None
        return self._files[file]

    def directives(self, file: str) -> dict[int, Directive]:
        """The file's suppression comments by line number."""
        found = self._directives.get(file)
        if found is None:
            found = {}
            for n, line in enumerate(self.lines(file) or (), 1):
                m = _IGNORE.search(line) if "dbdesign:" in line else None
                if m is not None:
                    found[n] = Directive(file, n, m.start() + 1, _codes(m.group(1)))
            self._directives[file] = found
        return found


def _codes(spec: str) -> tuple[str, ...]:
    # Text after a second "--" is a free-form reason: "-- dbdesign: ignore KEY002 -- lookup".
    spec = spec.split("--", 1)[0]
    return tuple(dict.fromkeys(c for c in re.split(r"[\s,]+", spec.strip()) if c))


def _code_matches(code: str, selector: str) -> bool:
    """Whether a suppression's code, prefix or group name (any case) covers rule ``code``."""
    return code.startswith(selector.upper()) or _GROUP_PREFIX.get(selector.lower()) == code[:3]


def suppressed_by(f: Finding, src: SourceLines, *, bare: bool = True) -> bool:
    """Whether a ``-- dbdesign: ignore [CODE ...]`` comment covers ``f`` (and mark it used).

    The comment counts on the finding's own line (a trailing comment) or in the run of
    comment-only lines directly above it. Without codes it silences every rule; codes may be
    rule codes, prefixes (``NAM``) or group names (``naming``); text after a further ``--``
    is a reason and ignored. ``bare=False``: only comments that name a code count.
    """
    o = f.origin
    if o is None or o.file is None or o.line is None:
        return False
    lines = src.lines(o.file)
    if not lines or o.line > len(lines):
        return False
    directives = src.directives(o.file)
    if not directives:
        return False
    candidates = [o.line]
    i = o.line - 2
    while i >= 0 and lines[i].lstrip().startswith("--"):
        candidates.append(i + 1)
        i -= 1
    for n in candidates:
        d = directives.get(n)
        if d is None:
            continue
        if not d.codes:
            if bare:
                d.used.add("")
                return True
            continue
        for c in d.codes:
            if _code_matches(f.code, c):
                d.used.add(c)
                return True
    return False


def apply_suppressions(
    findings: Iterable[Finding],
    config: LintConfig | None = None,
    files: Iterable[str] = (),
    scope: str = SCHEMA,
    dialect: str | None = None,
    texts: Mapping[str, str] | None = None,
) -> list[Finding]:
    """The findings no suppression comment covers.

    With ``config`` (and SUP001 selected in it), also report the suppression comments in
    ``files`` that silenced nothing (see :func:`source_files`). ``texts``: files already read
    (:class:`SourceLines`); the others are read from disk.
    """
    src = SourceLines(texts)
    kept = [f for f in findings if not suppressed_by(f, src)]
    if config is None:
        return kept
    # A bare ignore would silence the report about itself: only "ignore SUP001" counts.
    unused = [
        f
        for f in unused_suppressions(src, files, config, scope, dialect)
        if not suppressed_by(f, src, bare=False)
    ]
    if not unused:
        return kept
    return sorted(kept + unused, key=sort_key)


def unused_suppressions(
    src: SourceLines,
    files: Iterable[str],
    config: LintConfig,
    scope: str = SCHEMA,
    dialect: str | None = None,
) -> list[Finding]:
    """SUP001: codes of suppression comments that silenced no finding in this run.

    Reported only where the run could have produced the finding: a code (or prefix, or group)
    whose rules are all selected, an unknown code, or a bare ``ignore`` when every rule that
    is on by default ran.
    """
    selected = {r.code for r in select_rules(config, scope, dialect)}
    directives = [d for file in sorted(set(files)) for d in src.directives(file).values()]
    if UNUSED_SUPPRESSION not in selected or not directives:
        return []
    every = all_rules()
    every_default = {
        code
        for code, x in every.items()
        if x.default and scope in x.scopes and (dialect is None or dialect in x.dialects)
    }
    r = every[UNUSED_SUPPRESSION]
    sev = _severity(r, config)
    out = []
    for d in directives:
        messages = []
        if not d.codes and "" not in d.used and every_default <= selected:
            messages.append(("", "suppression comment silences no finding"))
        for c in d.codes:
            if c in d.used:
                continue
            named = [code for code in every if c.upper() == "ALL" or _code_matches(code, c)]
            if not named:
                messages.append((c, f"ignore {c}: {c} is no rule code, prefix or group"))
            elif all(code in selected for code in named):
                messages.append((c, f"ignore {c} silences no finding"))
        for c, message in messages:
            out.append(
                Finding(
                    code=r.code,
                    severity=sev,
                    message=message,
                    object=f"-- dbdesign: ignore {c}".rstrip(),
                    origin=Origin(file=d.file, line=d.line, col=d.col),
                    fix_hint=r.fix,
                    rule=r.name,
                )
            )
    return out


def source_files(schema: Schema) -> set[str]:
    """The files a schema was read from: its source and every object's origin."""
    out: set[str] = set()
    if schema.source and "://" not in schema.source and Path(schema.source).is_file():
        out.add(schema.source)
    origins: list[Origin | None] = [schema.database.origin if schema.database else None]
    for coll in (
        schema.namespaces, schema.extensions, schema.views, schema.indexes, schema.sequences,
        schema.enums, schema.domains, schema.composite_types, schema.functions,
        schema.triggers, schema.rules, schema.policies,
    ):  # fmt: skip
        origins.extend(o.origin for o in coll.values())
    for t in schema.tables.values():
        origins.append(t.origin)
        origins.extend(c.origin for c in t.columns)
        for cons in (t.foreign_keys, t.uniques, t.checks, t.exclusions):
            origins.extend(x.origin for x in cons.values())
    out.update(o.file for o in origins if o is not None and o.file)
    return out


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
