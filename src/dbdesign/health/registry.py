"""The check registry: one health check = one function registered by decorator, like lint's
rules. A check takes a :class:`Probe` (the read-only session, the configuration and the
catalog rows it has read) and yields :class:`Symptom`s; the runner adds the check's id and
(configured) severity. A check's docstring is its documentation: a summary, then ``Why:``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from dbdesign import dialects
from dbdesign.health.config import HealthConfig
from dbdesign.lint.findings import Severity


@dataclass(frozen=True, slots=True, kw_only=True)
class Symptom:
    """What a check yields for one object: the measured value against its threshold, why it
    matters, the fix as SQL, and a caveat when the measurement has one."""

    object: str
    value: str
    threshold: str
    why: str
    fix: str
    caveat: str = ""
    # more serious than the check's default for this object (a sequence at 99 %); a severity
    # configured for the check still wins
    severity: Severity | None = None


@dataclass
class Probe:
    """What a check sees: the open read-only connection, the configuration, the dialect (for
    quoting) and the age of the usage statistics. :meth:`rows` runs a catalog query of
    ``health/sql/`` once per run."""

    conn: Any
    config: HealthConfig
    dialect: dialects.Dialect
    # A context manager around one check's queries: a query the server refuses (privilege,
    # timeout) becomes a note in the list instead of an error.
    guard: Callable[[str, list[str]], AbstractContextManager[None]]
    stats_reset: Any = None  # datetime of the last statistics reset, None: unknown
    stats_days: float | None = None
    # what the report says about checks that could not (fully) run: a refused or cancelled
    # query, a missing source (pg_stat_statements not installed)
    notes: list[str] = field(default_factory=list)
    _cache: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def rows(
        self, name: str, read: Callable[[Probe], list[dict[str, Any]]] | None = None
    ) -> list[dict[str, Any]]:
        """The rows of ``health/sql/<name>.sql`` (or of ``read(probe)``, a reader of its own
        such as one that fills a schema name in), read once per run."""
        if name not in self._cache:
            self._cache[name] = read(self) if read is not None else self._query(name)
        return self._cache[name]

    def _query(self, name: str) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql_text(name))
        names = [d.name for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def note(self, check: str, text: str) -> None:
        """Tell the report what ``check`` could not see (once per text)."""
        line = f"{check}: {text}"
        if line not in self.notes:
            self.notes.append(line)

    def name(self, *parts: str) -> str:
        """``schema.name`` (or ``schema.table.constraint``) quoted as SQL needs it."""
        return self.dialect.qualified(*parts)

    def stats_caveat(self) -> str:
        """How old the usage counters are, for findings read from them."""
        if self.stats_days is None:
            return "the statistics' age is unknown: check pg_stat_database.stats_reset"
        when = f"{self.stats_reset:%Y-%m-%d}" if self.stats_reset is not None else "?"
        return (
            f"statistics were reset {self.stats_days:.0f} days ago ({when}): an index used "
            "only by rare jobs (month-end reports) or on a replica may still be needed"
        )


CheckFn = Callable[[Probe], Iterable[Symptom]]


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """A check: one id, one default severity and area, and an implementation per dialect
    (``unused-index`` reads ``pg_stat_user_indexes`` on PostgreSQL and performance_schema on
    MySQL). Its documentation is the first implementation's docstring."""

    id: str
    severity: Severity
    area: str
    fns: dict[str, CheckFn] = field(repr=False)  # dialect name -> implementation
    summary: str = ""
    why: str = ""

    @property
    def dialects(self) -> frozenset[str]:
        return frozenset(self.fns)

    def fn(self, probe: Probe) -> Iterable[Symptom]:
        """Run the implementation for the probe's dialect."""
        return self.fns[probe.dialect.name](probe)


CHECKS: dict[str, HealthCheck] = {}


def check(
    id: str, severity: str, *, dialects: Iterable[str] = ("postgres",), area: str | None = None
) -> Callable[[CheckFn], CheckFn]:
    """Register a health check under a stable id (``unused-index``) for ``dialects``. The same
    id registered again for other dialects adds their implementation (same severity); the
    area defaults to the module's (``checks_indexes`` -> ``indexes``)."""

    def deco(fn: CheckFn) -> CheckFn:
        fns = dict.fromkeys(dialects, fn)
        known = CHECKS.get(id)
        if known is not None:
            if known.dialects & fns.keys() or known.severity is not Severity(severity):
                raise ValueError(f"duplicate health check {id}")
            CHECKS[id] = replace(known, fns=known.fns | fns)
            return fn
        doc = inspect.cleandoc(fn.__doc__ or "")
        summary, _, why = doc.partition("\nWhy:")
        CHECKS[id] = HealthCheck(
            id=id,
            severity=Severity(severity),
            area=area or fn.__module__.rpartition(".")[2].removeprefix("checks_"),
            fns=fns,
            summary=" ".join(summary.split()),
            why=" ".join(why.split()),
        )
        return fn

    return deco


def sql_text(name: str) -> str:
    """The catalog query ``health/sql/<name>.sql``."""
    return resources.files("dbdesign.health").joinpath(f"sql/{name}.sql").read_text("utf-8")
