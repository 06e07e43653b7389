"""The seam of the proof: :class:`Server`, what :func:`dbdesign.design.prove.prove` needs from
one kind of server, and the helpers its implementations share. Each kind has its module:
``prove_pg`` (PostgreSQL), ``prove_mysql`` (MySQL / MariaDB), ``prove_sqlite`` (SQLite)."""

from __future__ import annotations

import math
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from dbdesign.design import Design, PatternPlan

# A user's search is drawn from a row with at least this many distinct words when there is one
# (a row with a description, not a bare name of common words: a search for a word in 7 % of
# the rows is a browse, which a planner rightly answers with a scan that stops at LIMIT).
SEARCH_ROW_WORDS = 4


@dataclass(frozen=True, slots=True)
class Explained:
    """What a plan shows: the indexes it reads, the plan as text, and its shape."""

    used: tuple[str, ...]  # the designed names of the indexes it reads
    text: str
    sorts: bool  # it sorts rows (Sort, filesort, a temporary B-tree for ORDER BY)
    index_only: tuple[str, ...] = ()  # the indexes it reads without visiting the table
    scans: tuple[str, ...] = ()  # the tables it reads whole (a sequential or full index scan)
    # the tables in the order it reads them, the one that drives the join first (the outer side
    # of a nested loop, the probe side of a hash join)
    order: tuple[str, ...] = ()


class Server(Protocol):
    """What the proof needs from one kind of server: its database adapter's connect, version
    and scratch (dbdesign.databases), and the proof's own steps."""

    explain_label: str  # how plans are read, for DESIGN.md

    def scratch(self, url: str) -> AbstractContextManager[str]: ...

    def connect(self, url: str, *, autocommit: bool = False) -> Any: ...

    def version(self, conn: Any) -> str: ...

    def apply(self, conn: Any, up_sql: str) -> None: ...

    def analyze(self, conn: Any, d: Design) -> None:
        """Fresh statistics after the load."""
        ...

    def params(self, conn: Any, d: Design, pp: PatternPlan, seed: int) -> tuple[Any, ...]:
        """Values from the data: one existing row for the equality columns, the top 5 % of the
        range column, and a rare word or two for text search."""
        ...

    def common_words(self, conn: Any, d: Design, pp: PatternPlan) -> str:
        """A search for the word most rows hold, written as the pattern's search parameter:
        the search whose plan and time differ most from a rare word's."""
        ...

    def explain(self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]) -> Explained:
        """The plan of the pattern (the statement run in a transaction that is rolled back)."""
        ...

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """Run the pattern once and fetch every row (a timed run)."""
        ...

    def fetch(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query written with ``?`` placeholders."""
        ...

    def attempt(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> str | None:
        """Run a write (``?`` placeholders) in a transaction that is rolled back: None when
        the server accepted it, else its refusal (the error code and message)."""
        ...


_QUOTED_OR_MARK = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\?")


def qmarks(sql: str, mark: str) -> str:
    """``?`` placeholders (outside quoted text) as ``mark``; with ``%s``, a ``%`` is doubled."""
    if mark == "%s":
        sql = sql.replace("%", "%%")
    return _QUOTED_OR_MARK.sub(lambda m: mark if m.group() == "?" else m.group(), sql)


def percentile_index(n: int, fraction: float = 0.95) -> int:
    """The 0-based position of ``percentile_disc(fraction)`` among ``n`` sorted values."""
    return max(0, min(n - 1, math.ceil(round(fraction * n, 9)) - 1))
