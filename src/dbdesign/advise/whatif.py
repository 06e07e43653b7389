"""What-if costing: the planner's estimate of each workload query with hypothetical indexes
(HypoPG), inside one READ ONLY transaction that is rolled back.

HypoPG's indexes live in the session's memory only: nothing is written to the catalog, no
other session sees them, and :meth:`WhatIf.close` (and the connection's end) discards them.
Queries with ``$n`` parameters are costed with generic plans: ``EXPLAIN (GENERIC_PLAN)`` on
PostgreSQL 16+, else a prepared statement planned with ``plan_cache_mode =
force_generic_plan`` (prepared again for each configuration: HypoPG's indexes do not
invalidate a cached plan). A query's plan can only change with the indexes that may serve it
(:func:`~dbdesign.advise.candidates.may_serve`), so its cost is planned once per set of those.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dbdesign.advise.candidates import Candidate, may_serve
from dbdesign.advise.guard import check_statement
from dbdesign.advise.usage import TableUse
from dbdesign.errors import DbdesignError, UnsupportedError

_PARAM = re.compile(r"\$(\d+)")
_INDEX_NAME = re.compile(r'"Index Name": "([^"]*)"')
_TOTAL_COST = re.compile(r'"Total Cost": ([0-9.eE+-]+)')


@dataclass(frozen=True, slots=True)
class Costed:
    """A query's estimated cost and the indexes its plan uses (names as the plan gives them:
    hypothetical ones look like ``<13556>btree_lineitem_l_shipdate``)."""

    cost: float
    indexes: frozenset[str]
    plan: str = ""  # the EXPLAIN (FORMAT JSON) text, when asked for


class WhatIf:
    """Hypothetical indexes and query costs on one connection (its transaction is the
    caller's, READ ONLY)."""

    def __init__(
        self,
        cur: Any,
        queries: Sequence[str],
        server_version: int,
        uses: Sequence[Mapping[str, TableUse] | None] = (),
    ) -> None:
        self._cur = cur
        # how query i uses each table it reads (None: not known): its plan depends only on
        # the indexes that may serve it there
        self._uses = list(uses) or [None] * len(queries)
        self._cache: dict[tuple[int, frozenset[Candidate]], Costed] = {}
        self._generic = server_version >= 160000
        self._queries = [check_statement(q).text for q in queries]
        self._params = [_parameters(q) for q in self._queries]
        self._oids: dict[Candidate, int] = {}
        self._names: dict[Candidate, str] = {}
        self._ever: dict[str, Candidate] = {}  # every name a plan may show -> its candidate
        self._valid: set[Candidate] = set()  # created once without error
        self._refused: dict[Candidate, str] = {}  # HypoPG's reason
        self._prepared = False  # dbdesign_q exists (PostgreSQL < 16, generic plans)
        self.explains = 0

    @staticmethod
    def available(cur: Any) -> str | None:
        """HypoPG's version when the extension is created in this database, else None."""
        cur.execute("select extversion from pg_extension where extname = 'hypopg'")
        row = cur.fetchone()
        return None if row is None else str(row[0])

    # ----------------------------------------------------------------- indexes

    def add(self, c: Candidate) -> str:
        """Create ``c`` hypothetically; its name as plans will show it. The first time, in a
        savepoint: an index HypoPG refuses (an expression it cannot take) raises
        UnsupportedError and leaves the transaction usable."""
        if c in self._oids:
            return self._names[c]
        if c in self._refused:
            raise UnsupportedError(self._refused[c])
        first = c not in self._valid
        try:
            if first:
                self._cur.execute("savepoint dbdesign_hypo")
            self._cur.execute(
                "select indexrelid, indexname from hypopg_create_index(%s)", (c.ddl(),)
            )
            oid, name = self._cur.fetchone()
            if first:
                self._cur.execute("release savepoint dbdesign_hypo")
        except Exception as e:  # psycopg.Error
            self._cur.execute("rollback to savepoint dbdesign_hypo")
            self._refused[c] = f"HypoPG refused {c.ddl()}: {str(e).splitlines()[0]}"
            raise UnsupportedError(self._refused[c]) from None
        self._created(c, int(oid), str(name))
        return self._names[c]

    def add_many(self, cs: Sequence[Candidate]) -> dict[str, Candidate]:
        """Create several at once (one round trip); by the names plans will show. One that
        HypoPG refuses is left out (created one by one after a batch fails)."""
        new = [c for c in dict.fromkeys(cs) if c not in self._oids and c not in self._refused]
        if new:
            try:
                self._cur.execute("savepoint dbdesign_hypo")
                self._cur.execute(
                    "select h.indexrelid, h.indexname from unnest(%s::text[]) with ordinality "
                    "d(ddl, n), hypopg_create_index(d.ddl) h order by d.n",
                    ([c.ddl() for c in new],),
                )
                rows = self._cur.fetchall()
                self._cur.execute("release savepoint dbdesign_hypo")
                for c, (oid, name) in zip(new, rows, strict=True):
                    self._created(c, int(oid), str(name))
            except Exception:  # psycopg.Error: one of them refused; find which
                self._cur.execute("rollback to savepoint dbdesign_hypo")
                self._drop_strays()
                for c in new:
                    try:
                        self.add(c)
                    except UnsupportedError:
                        continue
        return {self._names[c]: c for c in cs if c in self._names}

    def _drop_strays(self) -> None:
        """Drop the hypothetical indexes this object does not know: a rollback does not undo
        the ones a failed batch made before the one HypoPG refused (they live in the
        session's memory), and left there they would serve every later plan."""
        self._cur.execute("select indexrelid from hypopg()")
        known = set(self._oids.values())
        strays = [int(o) for (o,) in self._cur.fetchall() if int(o) not in known]
        if strays:
            self._cur.execute("select hypopg_drop_index(o) from unnest(%s::oid[]) o", (strays,))

    def _created(self, c: Candidate, oid: int, name: str) -> None:
        self._valid.add(c)
        self._oids[c] = oid
        self._names[c] = name
        self._ever[name] = c

    def remove(self, c: Candidate) -> None:
        oid = self._oids.pop(c, None)
        self._names.pop(c, None)
        if oid is not None:
            self._cur.execute("select hypopg_drop_index(%s)", (oid,))

    def remove_many(self, cs: Sequence[Candidate]) -> None:
        oids = [self._oids.pop(c) for c in dict.fromkeys(cs) if c in self._oids]
        for c in cs:
            self._names.pop(c, None)
        if oids:
            self._cur.execute("select hypopg_drop_index(o) from unnest(%s::oid[]) o", (oids,))

    def sizes(self, cs: Sequence[Candidate]) -> dict[Candidate, int]:
        """HypoPG's size estimates in bytes (it ignores B-tree deduplication)."""
        added = [c for c in dict.fromkeys(cs) if c not in self._oids]
        self.add_many(added)
        known = [c for c in dict.fromkeys(cs) if c in self._oids]
        self._cur.execute(
            "select hypopg_relation_size(o) from unnest(%s::oid[]) with ordinality t(o, n) "
            "order by n",
            ([self._oids[c] for c in known],),
        )
        out = {c: int(size) for c, (size,) in zip(known, self._cur.fetchall(), strict=True)}
        self.remove_many(added)
        return out

    def candidate(self, name: str) -> Candidate | None:
        """The candidate a plan's index name stands for (also one dropped and made again)."""
        return self._ever.get(name)

    def close(self) -> None:
        """Discard the hypothetical indexes and the prepared statement (a rollback keeps
        neither from the session's memory)."""
        self._cur.execute("select hypopg_reset()")
        self._oids.clear()
        self._names.clear()
        self.release()

    def release(self) -> None:
        """Deallocate the prepared statement generic plans use (PostgreSQL < 16)."""
        if self._prepared:
            self._cur.execute("deallocate dbdesign_q")
            self._prepared = False

    # ----------------------------------------------------------------- costs

    def try_cost(self, i: int, *, plan: bool = False) -> Costed | str:
        """:meth:`cost` (with the plan's JSON when ``plan``), or the server's reason when it
        cannot plan the query (in a savepoint: the transaction goes on)."""
        self._cur.execute("savepoint dbdesign_plan")
        try:
            costed = self._plan(i, keep=plan)
        except Exception as e:  # psycopg.Error
            self._cur.execute("rollback to savepoint dbdesign_plan")
            self._prepared = False
            return str(e).splitlines()[0]
        self._cur.execute("release savepoint dbdesign_plan")
        return costed

    def cost(self, i: int, *, fresh: bool = False) -> Costed:
        """Query ``i``'s estimated total cost with the indexes that exist now (real ones and
        the hypothetical ones added). When the query's use of its tables is known, a plan is
        made once per set of hypothetical indexes that may serve it (``fresh``: plan anyway)."""
        uses = self._uses[i]
        if uses is None or fresh:
            return self._plan(i)
        key = (
            i,
            frozenset(c for c in self._oids if c.table in uses and may_serve(c, uses[c.table])),
        )
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._plan(i)
        return found

    def _plan(self, i: int, *, keep: bool = False) -> Costed:
        self.explains += 1
        sql, n = self._queries[i], self._params[i]
        if n and not self._generic:
            if self._prepared:
                self._cur.execute("deallocate dbdesign_q")
            self._cur.execute(f"prepare dbdesign_q as {sql}")
            self._prepared = True
            args = ", ".join(["null"] * n)
            self._cur.execute(f"explain (format json) execute dbdesign_q({args})")
        elif n:
            self._cur.execute(f"explain (generic_plan, format json) {sql}")
        else:
            self._cur.execute(f"explain (format json) {sql}")
        (row,) = self._cur.fetchone()
        text = row if isinstance(row, str) else json.dumps(row)
        m = _TOTAL_COST.search(text)
        if m is None:
            raise DbdesignError("EXPLAIN gave no cost")
        return Costed(float(m.group(1)), frozenset(_INDEX_NAME.findall(text)), text if keep else "")


def session_limits(cur: Any, timeout_s: float) -> None:
    """The transaction advice runs in: READ ONLY, each statement and lock wait cancelled
    after ``timeout_s``, prepared statements planned generically (PostgreSQL < 16)."""
    ms = max(1, round(timeout_s * 1000))
    cur.execute(f"set local statement_timeout = {ms}")
    cur.execute(f"set local lock_timeout = {ms}")
    cur.execute("set local transaction_read_only = on")
    cur.execute("set local plan_cache_mode = force_generic_plan")


def _parameters(sql: str) -> int:
    return max((int(m) for m in _PARAM.findall(sql)), default=0)
