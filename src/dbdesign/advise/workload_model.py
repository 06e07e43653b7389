"""A workload as values (:class:`QueryWorkload`, :class:`WorkloadQuery`, :class:`QueryRun`) and the
builder every source feeds (:class:`WorkloadBuilder`).

A source (a ``.sql`` file, ``pg_stat_statements``, a server log) hands the builder statement
texts one at a time with what it knows of them (how often they ran, for how long, where they
were seen). The builder groups them by fingerprint, keeps what the advisor needs of each group
(one text, the literals that vary as ``$n``, a few literal samples, the summed counts) and
nothing else, so that a log of millions of statements is read in one pass with memory that
grows with the number of distinct queries, not with the log.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from dbdesign.advise.workload_text import (
    Identity,
    Shape,
    StatementError,
    identity,
    literal_texts,
    parameter_count,
    parameterise,
    shape,
)
from dbdesign.lint.query import QueryRun
from dbdesign.model import Origin

# How many differing texts of one group are compared literal by literal to find which
# literals vary; a literal equal in all of them is taken for a fixed part of the query.
MAX_COMPARED = 100
MAX_SAMPLES = 5
# Texts whose identity is remembered (then forgotten all at once, and remembered anew).
MAX_REMEMBERED = 50_000
# Runs kept for N+1 detection; a larger log keeps the first ones and says so.
MAX_RUNS = 2_000_000
# How many notes of one kind are listed one by one before they are counted.
MAX_LISTED = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkloadQuery:
    """One query of a workload: all the texts of one fingerprint, with their summed weight.

    ``sql`` is the first text seen, with the literals that differ between the group's texts
    replaced by ``$n`` (numbered after the placeholders it already has); a group of one text
    (or of texts differing only in spacing and comments, or of literals that never change) keeps
    the text as written, so fixed predicates (``status = 'active'``) stay visible.
    """

    sql: str
    fingerprint: str
    calls: float = 1.0
    total_ms: float | None = None  # measured time of all calls (execution + planning)
    rows: float | None = None  # rows returned or changed per call
    kind: str  # select | insert | update | delete | merge
    parameters: int = 0  # the highest $n of sql
    samples: tuple[str, ...] = ()  # up to five texts seen with their literal values
    origin: Origin | None = field(default=None, compare=False)

    @property
    def mean_ms(self) -> float | None:
        """Measured milliseconds per call, when the source timed it."""
        return None if self.total_ms is None or self.calls <= 0 else self.total_ms / self.calls


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryWorkload:
    """What a database runs: its queries grouped by fingerprint, heaviest first (measured time
    when known, else calls), what was read (``source``, URLs redacted), what was skipped and why
    (``notes``), and from logs the individual runs."""

    queries: tuple[WorkloadQuery, ...]
    source: str
    notes: tuple[str, ...] = ()
    runs: tuple[QueryRun, ...] = ()

    @property
    def total_calls(self) -> float:
        return sum(q.calls for q in self.queries)


@dataclass(slots=True)
class QueryGroup:
    """One fingerprint while a source is read (mutable; frozen by :meth:`WorkloadBuilder.build`)."""

    fingerprint: str
    first: str
    kind: str
    origin: Origin | None
    literals: tuple[str, ...]
    varying: set[int] = field(default_factory=set)
    compared: int = 0
    calls: float = 0.0
    total_ms: float = 0.0
    timed: float = 0.0  # calls whose time is in total_ms
    rows: float = 0.0
    counted: float = 0.0  # calls whose rows are in rows
    samples: list[str] = field(default_factory=list)

    def compare(self, text: str) -> None:
        """Note which literals of ``text`` differ from the first text's."""
        if text == self.first or self.compared >= MAX_COMPARED:
            return
        if len(self.varying) == len(self.literals):
            return
        self.compared += 1
        literals = literal_texts(text)
        if len(literals) != len(self.literals):
            self.varying.update(range(len(self.literals)))
            return
        pairs = zip(literals, self.literals, strict=True)
        self.varying.update(i for i, (a, b) in enumerate(pairs) if a != b)

    def sample(self, text: str) -> None:
        if len(self.samples) < MAX_SAMPLES and text not in self.samples:
            self.samples.append(text)

    def query(self) -> WorkloadQuery:
        sql = parameterise(self.first, frozenset(self.varying))
        return WorkloadQuery(
            sql=sql,
            fingerprint=self.fingerprint,
            calls=self.calls,
            total_ms=self.total_ms if self.timed else None,
            rows=self.rows / self.counted if self.counted else None,
            kind=self.kind,
            parameters=parameter_count(sql),
            samples=tuple(self.samples),
            origin=self.origin,
        )


class WorkloadBuilder:
    """Collects statement texts into groups by :func:`identity` (the fingerprint and the
    tables); :meth:`build` returns the :class:`QueryWorkload`. ``key`` of :meth:`add` separates
    groups further (a log's database name); :meth:`build` keeps the keys asked for and merges
    the rest away.

    A group's ``fingerprint`` is pglast's; pglast gives texts that name other tables the same
    fingerprint when the tables have an alias or a schema (``FROM orders_2023 o`` and ``FROM
    orders_2024 o``), and those are other queries for an advisor: each such group after the
    first gets ``-`` and 8 hex digits of its tables' hash, so that fingerprints stay unique in a
    workload.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._groups: dict[tuple[str, Identity], QueryGroup] = {}
        self._shapes: dict[Identity, Shape] = {}  # parsed once per identity
        self._ids: dict[Identity, str] = {}  # identity -> the group's fingerprint
        self._identities: dict[str, Identity] = {}  # recent texts (placeholders repeat)
        self._skipped: Counter[str] = Counter()  # why -> statements
        self._listed: Counter[str] = Counter()
        self._notes: list[str] = []
        self._runs: dict[str, list[QueryRun]] = {}  # group key -> runs, in the source's order
        self._run_count = 0
        self._runs_dropped = 0

    def add(
        self,
        text: str,
        *,
        calls: float = 1.0,
        total_ms: float | None = None,
        rows: float | None = None,
        origin: Origin | None = None,
        sample: str | None = None,
        key: str = "",
    ) -> QueryGroup | None:
        """Count ``calls`` runs of the statement ``text`` (one statement, no trailing ``;``);
        ``total_ms`` and ``rows`` are their summed time and rows when known, ``sample`` the text
        with literal values (when ``text`` has placeholders, the values substituted). Returns
        its group, or None when the statement is not a workload query (counted in the notes)."""
        try:
            ident = self._identity(text)
            found = self._shapes.get(ident)
            if found is None:
                found = self._shapes[ident] = shape(text)
        except StatementError as e:
            self.skip(f"does not parse ({e.message})", origin)
            return None
        if found.kind is None:
            self.skip(found.why or "not a query", origin)
            return None
        group = self._group(key, ident, text, found.kind, origin)
        group.compare(text)
        if sample is not None:
            group.sample(sample)
        self._count(group, calls, total_ms, rows)
        return group

    def _identity(self, text: str) -> Identity:
        """:func:`identity` of ``text``, remembered for the texts seen last (a statement with
        placeholders repeats word for word)."""
        found = self._identities.get(text)
        if found is None:
            if len(self._identities) >= MAX_REMEMBERED:
                self._identities.clear()
            found = self._identities[text] = identity(text)
        return found

    def _group(
        self, key: str, ident: Identity, text: str, kind: str, origin: Origin | None
    ) -> QueryGroup:
        group = self._groups.get((key, ident))
        if group is None:
            fp = self._ids.get(ident)
            if fp is None:
                taken = ident[0] in self._ids.values()
                fp = self._ids[ident] = f"{ident[0]}-{_hash(ident[1])}" if taken else ident[0]
            group = QueryGroup(fp, text, kind, origin, literal_texts(text))
            self._groups[(key, ident)] = group
        return group

    @staticmethod
    def _count(group: QueryGroup, calls: float, total_ms: float | None, rows: float | None) -> None:
        group.calls += calls
        if total_ms is not None:
            group.total_ms += total_ms
            group.timed += calls
        if rows is not None:
            group.rows += rows
            group.counted += calls

    def time(self, group: QueryGroup, ms: float) -> None:
        """Add the time of a run counted earlier without one (a log's statement line, then its
        duration line)."""
        group.total_ms += ms
        group.timed += 1

    def run(self, run: QueryRun, key: str = "") -> None:
        """Keep one run (of a query of group key ``key``) for N+1 detection."""
        if self._run_count < MAX_RUNS:
            self._runs.setdefault(key, []).append(run)
            self._run_count += 1
        else:
            self._runs_dropped += 1

    def skip(self, why: str, origin: Origin | None = None) -> None:
        """Count a statement left out; the first few of each reason are listed with where."""
        self._skipped[why] += 1
        if origin is not None and origin.file is not None and self._listed[why] < MAX_LISTED:
            self._listed[why] += 1
            self._notes.append(f"{origin}: skipped: {why}")

    def note(self, text: str) -> None:
        self._notes.append(text)

    def keys(self) -> dict[str, float]:
        """Calls per group key (a log's databases)."""
        counts: dict[str, float] = {}
        for (key, _), group in self._groups.items():
            counts[key] = counts.get(key, 0.0) + group.calls
        return counts

    def build(self, keys: frozenset[str] | None = None) -> QueryWorkload:
        """The workload of the groups whose key is in ``keys`` (all when None), groups of one
        fingerprint under several keys merged, heaviest first."""
        merged = self._merged(keys)
        queries = sorted((g.query() for g in merged), key=_weight(merged), reverse=True)
        return QueryWorkload(
            queries=tuple(queries),
            source=self.source,
            notes=tuple(self._notes + self._summary()),
            runs=self._kept_runs(keys),
        )

    def _merged(self, keys: frozenset[str] | None) -> list[QueryGroup]:
        by_identity: dict[Identity, QueryGroup] = {}
        for (key, ident), group in self._groups.items():
            if keys is not None and key not in keys:
                continue
            if ident in by_identity:
                _merge(by_identity[ident], group)
            else:
                by_identity[ident] = group
        return list(by_identity.values())

    def _kept_runs(self, keys: frozenset[str] | None) -> tuple[QueryRun, ...]:
        """The runs of the kept keys, in the source's order (by line when several)."""
        lists = [runs for key, runs in self._runs.items() if keys is None or key in keys]
        if len(lists) == 1:
            return tuple(lists[0])
        return tuple(heapq.merge(*lists, key=_line))

    def _summary(self) -> list[str]:
        """One line per reason statements were skipped, with their count."""
        lines = [
            f"skipped {n:,} statement{'s' if n != 1 else ''}: {why}"
            for why, n in self._skipped.most_common()
            if n > self._listed[why]
        ]
        if self._runs_dropped:
            lines.append(
                f"kept the first {MAX_RUNS:,} runs for N+1 detection "
                f"({self._runs_dropped:,} more not kept)"
            )
        return lines


def _hash(relations: tuple[str, ...]) -> str:
    return hashlib.sha1("\0".join(relations).encode(), usedforsecurity=False).hexdigest()[:8]


def _line(run: QueryRun) -> int:
    return run.origin.line or 0 if run.origin is not None else 0


def _merge(into: QueryGroup, other: QueryGroup) -> None:
    """Fold ``other`` (the same fingerprint under another key) into ``into``."""
    into.compare(other.first)
    into.varying.update(other.varying if len(other.literals) == len(into.literals) else ())
    for text in other.samples:
        into.sample(text)
    into.calls += other.calls
    into.total_ms += other.total_ms
    into.timed += other.timed
    into.rows += other.rows
    into.counted += other.counted


def _weight(groups: list[QueryGroup]) -> Callable[[WorkloadQuery], tuple[float, float]]:
    """The sort key of a query: its measured time; a query without times weighs its calls
    times the mean time per call of the timed ones (1 ms when none is timed)."""
    timed = sum(g.timed for g in groups)
    mean = sum(g.total_ms for g in groups) / timed if timed else 1.0

    def weight(q: WorkloadQuery) -> tuple[float, float]:
        return (q.total_ms if q.total_ms is not None else q.calls * mean, q.calls)

    return weight
