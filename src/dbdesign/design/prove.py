"""Prove a design on a real server: apply it, lint it, fill it, ANALYZE, and EXPLAIN every access
pattern. A pattern passes when its plan uses the index designed for it and its measured p95
latency meets its target.

One flow (:func:`prove`) for every server; what differs between PostgreSQL, MySQL / MariaDB and
SQLite (connecting, the scratch database, applying the DDL, refreshing statistics, picking
parameter values from the data, reading the plan) sits behind :class:`Server`, one small class
each. A SQLite design is always proved in a fresh temporary file, never in a given database.
"""

from __future__ import annotations

import json
import math
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from dbdesign import dialects
from dbdesign.databases.mysql import MySQLDatabase
from dbdesign.databases.postgres import PostgresDatabase
from dbdesign.databases.sqlite import SQLiteDatabase
from dbdesign.design import Design, PatternPlan

PROOF_MAX_ROWS = 60_000  # per table: enough for the planner to prefer indexes as it would live
PROOF_MIN_ROWS = 1_000  # per table (or all its rows): below this any table is scanned
LATENCY_RUNS = 30

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class PatternResult:
    pattern: str
    index: str | None
    indexes_used: tuple[str, ...]
    plan_text: str
    p95_ms: float
    target_ms: float
    params: tuple[Any, ...]
    uses_index: bool
    alternatives: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.uses_index and self.p95_ms <= self.target_ms

    @property
    def summary(self) -> str:
        used = ", ".join(f"`{i}`" for i in self.indexes_used) or "no index (sequential scan)"
        want = f"`{self.index}`" if self.index else "none required"
        if self.alternatives:
            want += (
                " (or, within a small tenant, "
                + ", ".join(f"`{a}`" for a in self.alternatives)
                + ")"
            )
        return (
            f"uses {used}; designed {want}; p95 {self.p95_ms:.2f} ms (target {self.target_ms:g} ms)"
        )

    def problem(self) -> str | None:
        if not self.uses_index:
            return (
                f"access pattern {self.pattern}: the plan does not use {self.index} "
                f"(it uses {', '.join(self.indexes_used) or 'no index'}):\n{self.plan_text}"
            )
        if self.p95_ms > self.target_ms:
            return (
                f"access pattern {self.pattern}: p95 {self.p95_ms:.2f} ms exceeds its "
                f"{self.target_ms:g} ms target"
            )
        return None


@dataclass(frozen=True, slots=True)
class Proof:
    server: str  # version string
    rows: dict[str, int]
    load_seconds: float
    lint_errors: tuple[str, ...]
    results: tuple[PatternResult, ...]
    seconds: float = 0.0
    problems: tuple[str, ...] = field(default=())
    explain: str = "EXPLAIN (ANALYZE)"  # how each pattern's plan was read

    @property
    def explained(self) -> str:
        return (
            "EXPLAINed (ANALYZE)"
            if self.explain == "EXPLAIN (ANALYZE)"
            else f"read with {self.explain}"
        )

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary_md(self) -> str:
        total = sum(self.rows.values())
        lines = [
            f"Proved on {self.server}: the migration applied, lint found "
            f"{len(self.lint_errors)} errors, {total:,} generated rows loaded in "
            f"{self.load_seconds:.1f} s and ANALYZEd; each pattern was {self.explained} with "
            f"values taken from the data and run {LATENCY_RUNS} times.",
            "",
            "| Pattern | Designed index | Plan uses | p95 ms | Target ms | Result |",
            "|---|---|---|---|---|---|",
        ]
        for r in self.results:
            lines.append(
                f"| {r.pattern} | {r.index or '—'} | {', '.join(r.indexes_used) or 'seq scan'} "
                f"| {r.p95_ms:.2f} | {r.target_ms:g} | {'PASS' if r.ok else 'FAIL'} |"
            )
        lines += ["", "| Table | Rows generated |", "|---|---|"]
        lines += [f"| {k.split('.', 1)[1]} | {v:,} |" for k, v in self.rows.items()]
        verdict = (
            "**Result: PASS**"
            if self.ok
            else "**Result: FAIL**\n\n" + "\n".join(f"- {p.splitlines()[0]}" for p in self.problems)
        )
        return "\n".join(lines) + "\n\n" + verdict

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "server": self.server,
            "explain": self.explain,
            "rows": self.rows,
            "load_seconds": round(self.load_seconds, 3),
            "lint_errors": list(self.lint_errors),
            "problems": list(self.problems),
            "patterns": [
                {
                    "name": r.pattern,
                    "index": r.index,
                    "alternatives": list(r.alternatives),
                    "indexes_used": list(r.indexes_used),
                    "p95_ms": round(r.p95_ms, 3),
                    "target_ms": r.target_ms,
                    "ok": r.ok,
                }
                for r in self.results
            ],
        }


def proof_rows(d: Design) -> dict[str, int]:
    """Rows to generate per table: at most PROOF_MAX_ROWS, with the spec's fan-out kept.

    A table larger than PROOF_MAX_ROWS is scaled down; the tables it references are scaled down
    at least as much (and theirs in turn), so a parent keeps as many child rows per row as the
    spec says (50 issues a project, not 1). With every table merely capped, a parent and its
    child end up the same size, every foreign key value matches one row, and any index on it
    looks as good to the planner as the one designed for the pattern (MariaDB then picks the
    narrower one). A table keeps at least min(its rows, PROOF_MIN_ROWS): smaller ones are read
    by sequential scan whatever their indexes.
    """
    own = {t.key: min(1.0, PROOF_MAX_ROWS / max(t.proof_rows, 1)) for t in d.tables}
    parents: dict[str, set[str]] = {k: set() for k in own}
    for t in d.tables:
        for fk in d.schema.tables[t.key].foreign_keys.values():
            if fk.ref_table != t.key and fk.ref_table in own:
                parents[t.key].add(fk.ref_table)
    scale = dict(own)
    changed = True
    while changed:  # a parent's scale is at most each child's (to a fixed point: chains)
        changed = False
        for child, refs in parents.items():
            for parent in refs:
                if scale[child] < scale[parent]:
                    scale[parent] = scale[child]
                    changed = True
    return {
        t.key: max(round(t.proof_rows * scale[t.key]), min(t.proof_rows, PROOF_MIN_ROWS))
        for t in d.tables
    }


def prove(
    d: Design,
    up_sql: str,
    url: str | None = None,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> Proof:
    """Prove ``d`` in a scratch database on the server at ``url`` (dropped afterwards): a
    PostgreSQL URL for a PostgreSQL design, a MySQL / MariaDB URL for a MySQL design. A SQLite
    design is proved in a temporary file (deleted afterwards); ``url`` is then None or a SQLite
    URL / path, which is not touched."""
    say = progress or (lambda _m: None)
    server = server_for(url, d.dialect)
    start = time.perf_counter()
    with server.scratch(url or "") as db:  # SQLite: a temporary file, whatever the URL
        conn = server.connect(db, autocommit=True)
        try:
            version = server.version(conn)
            say("applying the initial migration")
            server.apply(conn, up_sql)
            say("linting the applied schema")
            lint_errors = _lint_errors(db)
            rows = proof_rows(d)
            say(f"generating {sum(rows.values()):,} rows")
            t0 = time.perf_counter()
            _load(db, d, rows, seed)
            load_s = time.perf_counter() - t0
            server.analyze(conn, d)
            results = []
            for pp in d.patterns:
                say(f"explaining {pp.pattern.name}")
                results.append(_check(server, conn, d, pp, seed))
        finally:
            conn.close()
    problems = [f"lint error: {e}" for e in lint_errors]
    problems += [p for r in results if (p := r.problem())]
    return Proof(
        server=version,
        rows=rows,
        load_seconds=load_s,
        lint_errors=tuple(lint_errors),
        results=tuple(results),
        seconds=time.perf_counter() - start,
        problems=tuple(problems),
        explain=server.explain_label,
    )


def _lint_errors(url: str) -> list[str]:
    from dbdesign import readers
    from dbdesign.lint.engine import lint
    from dbdesign.lint.findings import Severity

    schema = readers.read(url)
    return [str(f) for f in lint(schema) if f.severity is Severity.error]


def _load(url: str, d: Design, rows: dict[str, int], seed: int) -> None:
    """Load ``rows`` (one transaction). A table whose keys allow fewer rows than asked (a
    tenant's links: only pairs within one tenant exist) gets as many as can exist: ``rows`` is
    lowered to what was loaded.

    A cycle of references is loaded the way an application must load it, every foreign key in
    force (``keep_cyclic_keys``): the deferred key of the cycle is checked at COMMIT, a nullable
    one is inserted NULL and set by UPDATE. No key is dropped and re-added, so a design whose
    cycle no application could fill fails here instead of passing."""
    from dbdesign.datagen import CapacityError
    from dbdesign.datagen.load import load

    while True:  # each retry lowers one table's rows, so this ends
        try:
            load(url, d.schema, rows, seed=seed, skew=skew_columns(d), keep_cyclic_keys=True)
            return
        except CapacityError as e:
            if e.table not in rows or not 1 <= e.limit < rows[e.table]:
                raise
            rows[e.table] = max(1, e.limit * 9 // 10)


def skew_columns(d: Design) -> dict[str, float]:
    """Spec skew is by field (``customer``); the generator wants columns (``customer_id``)."""
    out = {}
    for t in d.tables:
        if t.entity is None:
            continue
        e = d.spec.entities[t.entity]
        for f, z in e.volume.skew.items():
            out[f"{t.key}.{f if f in e.attributes else f + '_id'}"] = z
    return out


def _check(server: Server, conn: Any, d: Design, pp: PatternPlan, seed: int) -> PatternResult:
    params = server.params(conn, d, pp, seed)
    used, plan_text = server.explain(conn, d, pp, params)
    times = []
    for _ in range(LATENCY_RUNS):
        t0 = time.perf_counter()
        server.run(conn, pp, params)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return PatternResult(
        pattern=pp.pattern.name,
        index=pp.index,
        indexes_used=used,
        plan_text=plan_text,
        p95_ms=p95,
        target_ms=pp.pattern.latency_ms,
        params=params,
        uses_index=pp.index is None or bool({pp.index, *pp.alternatives} & set(used)),
        alternatives=pp.alternatives,
    )


def mysql_plan_json(text: str) -> Any:
    """EXPLAIN/ANALYZE FORMAT=JSON output as data. MariaDB 10.11 prints a condition's string
    literals without escaping their backslashes (``"kind = 'back\\'"`` comes out as one
    backslash), which is not JSON; such a stray backslash is read as itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(re.sub(r'\\(?!["\\/bfnrtu])', r"\\\\", text))


# --------------------------------------------------------------------------- the seam


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

    def explain(
        self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]
    ) -> tuple[tuple[str, ...], str]:
        """The indexes the plan uses and the plan as text, the statement run in a transaction
        that is rolled back."""
        ...

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> None:
        """Run the pattern once and fetch every row (a timed run)."""
        ...


def server_for(url: str | None, dialect: str) -> Server:
    """The server a ``dialect`` design is proved on; a :class:`ConfigError` for a URL of
    another kind (a SQLite design takes no server: None, or a SQLite URL it leaves alone; a
    URL without a scheme is a PostgreSQL connection string)."""
    from dbdesign.errors import ConfigError
    from dbdesign.redact import redact_url

    d = dialects.get(dialect)
    server = SERVERS.get(d.name)
    if server is not None:
        if d.file_magic and (url is None or dialects.database_file(url) is not None):
            return server()
        if url is not None and (dialects.for_url(url) or dialects.get("postgres")) is d:
            return server()
    where = redact_url(url) if url else "no server"
    raise ConfigError(f"a {dialect} design cannot be proved on {where}")


def percentile_index(n: int, fraction: float = 0.95) -> int:
    """The 0-based position of ``percentile_disc(fraction)`` among ``n`` sorted values."""
    return max(0, min(n - 1, math.ceil(round(fraction * n, 9)) - 1))


# --------------------------------------------------------------------------- PostgreSQL


class PostgresServer(PostgresDatabase):
    explain_label = "EXPLAIN (ANALYZE)"

    def apply(self, conn: Any, up_sql: str) -> None:
        import psycopg

        from dbdesign.errors import DbdesignError

        try:
            with conn.transaction():
                conn.execute(up_sql.encode())
        except psycopg.Error as e:  # a server without an extension the design needs, say
            diag = e.diag
            why = (diag.message_primary or str(e)).strip()
            hint = f" ({diag.message_hint.strip()})" if diag.message_hint else ""
            raise DbdesignError(
                f"applying the migration to PostgreSQL failed: {why}{hint}"
            ) from None

    def analyze(self, conn: Any, d: Design) -> None:
        # VACUUM as well: it sets the visibility map (index-only scans) and flushes GIN
        # pending lists, whose pages the planner otherwise costs as if scanned on each query.
        conn.execute("VACUUM ANALYZE")

    def params(self, conn: Any, d: Design, pp: PatternPlan, seed: int) -> tuple[Any, ...]:
        from psycopg import sql as S

        table = S.Identifier(*pp.table.split(".", 1))
        eq = [p.column for p in pp.params if p.kind == "eq"]
        values: dict[tuple[str, str], Any] = {}
        if eq:
            conn.execute("SELECT setseed(%s)", (((seed % 1000) / 1000.0),))
            row = conn.execute(
                S.SQL("SELECT {} FROM {} ORDER BY random() LIMIT 1").format(
                    S.SQL(", ").join(S.Identifier(c) for c in eq), table
                )
            ).fetchone()
            if row is not None:
                values.update({(c, "eq"): v for c, v in zip(eq, row, strict=False)})
        for p in pp.params:
            if p.kind in ("lower", "upper") and (p.column, "lower") not in values:
                lo, hi = conn.execute(
                    S.SQL(
                        "SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY {c}), max({c}) "
                        "FROM {t}"
                    ).format(c=S.Identifier(p.column), t=table)
                ).fetchone()
                values[(p.column, "lower")] = lo
                values[(p.column, "upper")] = hi
            elif p.kind == "search":
                # A user's search: the two least common words of one row's text, so it finds
                # that row at least (a word common to most rows is a browse, not a search).
                conn.execute("SELECT setseed(%s)", (((seed % 1000) / 1000.0),))
                words = conn.execute(
                    S.SQL(
                        "WITH one AS (SELECT search_vector AS v FROM {t} ORDER BY random() "
                        "LIMIT 1) SELECT s.word FROM ts_stat({q}) s JOIN unnest((SELECT v FROM "
                        "one)) u ON u.lexeme = s.word ORDER BY s.ndoc, s.word LIMIT 2"
                    ).format(t=table, q=S.Literal(f"SELECT search_vector FROM {pp.table}"))
                ).fetchall()
                values[(p.column, "search")] = " ".join(w for (w,) in words) or "x"
        return tuple(values.get((p.column, p.kind)) for p in pp.params)

    def explain(
        self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]
    ) -> tuple[tuple[str, ...], str]:
        query = _pg_placeholders(pp.sql)
        with conn.transaction(force_rollback=True):
            plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params).fetchone()[0]
        root = plan[0]["Plan"]
        used = tuple(dict.fromkeys(n["Index Name"] for n in _pg_walk(root) if "Index Name" in n))
        # A partition's index is the partitioned index's clone: name the index that was designed.
        parents = dict(
            conn.execute(
                "SELECT ch.relname, pa.relname FROM pg_inherits i"
                " JOIN pg_class ch ON ch.oid = i.inhrelid JOIN pg_class pa ON pa.oid = i.inhparent"
                " WHERE ch.relkind = 'i' AND ch.relname = ANY(%s)",
                (list(used),),
            ).fetchall()
        )
        used = tuple(dict.fromkeys(parents.get(u, u) for u in used))
        return used, "\n".join(_pg_plan_text(root))

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> None:
        conn.execute(_pg_placeholders(pp.sql), params).fetchall()


def _pg_placeholders(sql: str) -> str:
    return re.sub(r"\$\d+", "%s", sql.replace("%", "%%"))


def _pg_walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("Plans", ()):
        out += _pg_walk(child)
    return out


def _pg_plan_text(node: dict[str, Any], depth: int = 0) -> list[str]:
    label = node["Node Type"]
    if "Index Name" in node:
        label += f" using {node['Index Name']}"
    if "Relation Name" in node:
        label += f" on {node['Relation Name']}"
    stats = f"(rows={node.get('Actual Rows', '?')} time={node.get('Actual Total Time', '?')} ms)"
    lines = ["  " * depth + ("-> " if depth else "") + f"{label}  {stats}"]
    for key in ("Index Cond", "Filter", "Recheck Cond"):
        if key in node:
            lines.append("  " * depth + f"     {key}: {node[key]}")
    for child in node.get("Plans", ()):
        lines += _pg_plan_text(child, depth + 1)
    return lines


# --------------------------------------------------------------------------- MySQL / MariaDB

# Words InnoDB full-text search indexes: runs of letters, digits and "_" of at least
# innodb_ft_min_token_size characters that are not stop words.
_FT_WORD = re.compile(r"\w+")
# Operations of a JSON plan that wrap the tables they read (named in the plan text).
_MY_WRAPPERS = (
    "ordering_operation",
    "grouping_operation",
    "duplicates_removal",
    "filesort",
    "temporary_table",
    "read_sorted_file",
    "windowing",
    "buffer_result",
    "materialized_from_subquery",
)
_MY_DETAILS = ("used_key_parts", "index_condition", "attached_condition")


class MySQLServer(MySQLDatabase):
    """MySQL 8 and MariaDB 10.6+ (one server decides which plan reader applies)."""

    def __init__(self) -> None:
        self.mariadb = True
        self.explain_label = "ANALYZE FORMAT=JSON"

    def _rows(self, conn: Any, query: str, args: Any = None) -> list[tuple[Any, ...]]:
        with conn.cursor() as cur:
            cur.execute(query, args)
            return list(cur.fetchall())

    def version(self, conn: Any) -> str:
        version = super().version(conn)
        self.mariadb = version.startswith("MariaDB")
        # MySQL's ANALYZE prints a tree, not JSON: read its estimated plan instead.
        self.explain_label = "ANALYZE FORMAT=JSON" if self.mariadb else "EXPLAIN FORMAT=JSON"
        return version

    def apply(self, conn: Any, up_sql: str) -> None:
        import pymysql

        from dbdesign.errors import DbdesignError
        from dbdesign.readers.ddl.mysql import split_script

        src, statements = split_script(up_sql)
        with conn.cursor() as cur:
            for st in statements:
                text = src.text[st.start : st.end].strip()
                if not text:
                    continue
                try:
                    cur.execute(text)  # DDL commits on its own; no parameters: "%" stays
                except pymysql.err.MySQLError as e:  # the scratch database goes whole
                    msg = str(e.args[1]) if len(e.args) > 1 else str(e)
                    raise DbdesignError(f"applying the migration to MySQL failed: {msg}") from None

    def analyze(self, conn: Any, d: Design) -> None:
        from dbdesign.dialects.mysql import quote_ident

        names = ", ".join(quote_ident(t.name, always=True) for t in d.tables)
        self._rows(conn, f"ANALYZE TABLE {names}")

    def params(self, conn: Any, d: Design, pp: PatternPlan, seed: int) -> tuple[Any, ...]:
        from dbdesign.dialects.mysql import quote_ident

        def q(name: str) -> str:
            return quote_ident(name, always=True)

        table = q(pp.table.split(".", 1)[1])
        eq = [p.column for p in pp.params if p.kind == "eq"]
        values: dict[tuple[str, str], Any] = {}
        if eq:
            rows = self._rows(
                conn,
                f"SELECT {', '.join(map(q, eq))} FROM {table} ORDER BY RAND(%s) LIMIT 1",
                (seed,),
            )
            if rows:
                values.update({(c, "eq"): v for c, v in zip(eq, rows[0], strict=False)})
        for p in pp.params:
            if p.kind in ("lower", "upper") and (p.column, "lower") not in values:
                c = q(p.column)
                ((n, hi),) = self._rows(conn, f"SELECT count({c}), max({c}) FROM {table}")
                lo = None
                if n:
                    (lo,) = self._rows(
                        conn,
                        f"SELECT {c} FROM {table} WHERE {c} IS NOT NULL ORDER BY {c} "
                        f"LIMIT 1 OFFSET {percentile_index(int(n))}",
                    )[0]
                values[(p.column, "lower")] = lo
                values[(p.column, "upper")] = hi
            elif p.kind == "search":
                values[(p.column, "search")] = self._search(conn, d, pp, p.column, seed)
        return tuple(values.get((p.column, p.kind)) for p in pp.params)

    def _search(self, conn: Any, d: Design, pp: PatternPlan, column: str, seed: int) -> str:
        """A user's search: the two least common words of one row's text, both required
        (``+a +b``), so it finds that row at least. Word counts are made here from the rows,
        as InnoDB splits them (MySQL has no ``ts_stat``)."""
        from dbdesign.dialects.mysql import quote_ident

        fulltext = [
            tuple(e.column for e in ix.elements if e.column)
            for ix in d.schema.indexes_on(pp.table)
            if ix.method == "fulltext"
        ]
        cols = next((c for c in fulltext if c and c[0] == column), (column,))
        table = quote_ident(pp.table.split(".", 1)[1], always=True)
        text = ", ".join(quote_ident(c, always=True) for c in cols)
        ((min_len,),) = self._rows(conn, "SELECT @@innodb_ft_min_token_size")
        stop = {
            str(w).lower()
            for (w,) in self._rows(
                conn, "SELECT value FROM information_schema.INNODB_FT_DEFAULT_STOPWORD"
            )
        }
        docs: list[list[str]] = []
        for row in self._rows(conn, f"SELECT CONCAT_WS(' ', {text}) FROM {table} ORDER BY 1"):
            words = {
                w
                for w in _FT_WORD.findall(str(row[0] or "").lower())
                if len(w) >= int(min_len) and w not in stop
            }
            docs.append(sorted(words))
        ndoc = Counter(w for words in docs for w in words)
        candidates = [words for words in docs if words]
        if not candidates:
            return "x"
        one = random.Random(seed).choice(candidates)
        rare = sorted(one, key=lambda w: (ndoc[w], w))[:2]
        return " ".join(f"+{w}" for w in rare)

    def explain(
        self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]
    ) -> tuple[tuple[str, ...], str]:
        query = _my_placeholders(pp.sql)
        word = "ANALYZE FORMAT=JSON " if self.mariadb else "EXPLAIN FORMAT=JSON "
        conn.begin()
        try:
            with conn.cursor() as cur:
                cur.execute(word + query, params)
                plan = mysql_plan_json(cur.fetchone()[0])
        finally:
            conn.rollback()
        used = tuple(dict.fromkeys(_my_keys(plan)))
        lines: list[str] = []
        _my_plan_text(plan, 0, lines)
        return used, "\n".join(lines)

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> None:
        with conn.cursor() as cur:
            cur.execute(_my_placeholders(pp.sql), params)
            cur.fetchall()


_MY_QUOTED_OR_MARK = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`[^`]*`|\?")


def _my_placeholders(sql: str) -> str:
    """``?`` -> ``%s`` for PyMySQL (and ``%`` doubled), leaving quoted text alone."""
    return _MY_QUOTED_OR_MARK.sub(
        lambda m: "%s" if m.group() == "?" else m.group(), sql.replace("%", "%%")
    )


_MERGE_WORDS = frozenset({"intersect", "union", "sort_union"})


def _my_keys(node: Any) -> Iterator[str]:
    """Every index a JSON plan reads: each ``"key"``, at any depth (an index merge names its
    indexes in its own nodes, or as MySQL writes it, ``intersect(a,b)``)."""
    if isinstance(node, dict):
        key = node.get("key")
        if isinstance(key, str):
            if "(" in key:
                for part in re.split(r"[(),]", key):
                    if part.strip() and part.strip() not in _MERGE_WORDS:
                        yield part.strip()
            else:
                yield key
        for v in node.values():
            yield from _my_keys(v)
    elif isinstance(node, list):
        for v in node:
            yield from _my_keys(v)


def _my_plan_text(node: Any, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, list):
        for x in node:
            _my_plan_text(x, depth, out)
        return
    if not isinstance(node, dict):
        return
    if "table_name" in node:
        label = f"{node.get('access_type', '?')} on {node['table_name']}"
        if node.get("key"):
            label += f" using {node['key']}"
        stats = [f"rows={node.get('rows', node.get('rows_examined_per_scan', '?'))}"]
        if node.get("r_rows") is not None:
            stats.append(f"actual rows={node['r_rows']:g}")
        if node.get("r_total_time_ms") is not None:
            stats.append(f"time={node['r_total_time_ms']:.3f} ms")
        out.append(pad + ("-> " if depth else "") + f"{label}  ({' '.join(stats)})")
        for k in _MY_DETAILS:
            if k in node:
                v = node[k]
                out.append(pad + f"     {k}: {', '.join(v) if isinstance(v, list) else v}")
        for k, v in node.items():
            if isinstance(v, dict | list) and k not in _MY_DETAILS and k != "possible_keys":
                _my_plan_text(v, depth + 1, out)
        return
    for k, v in node.items():
        if not isinstance(v, dict | list):
            continue
        if k in _MY_WRAPPERS:
            extra = ""
            if isinstance(v, dict) and "sort_key" in v:
                extra = f" by {v['sort_key']}"
            if isinstance(v, dict) and v.get("using_filesort"):
                extra += " (filesort)"
            out.append(pad + ("-> " if depth else "") + k.replace("_", " ") + extra)
            _my_plan_text(v, depth + 1, out)
        else:
            _my_plan_text(v, depth, out)


# --------------------------------------------------------------------------- SQLite

# What a line of EXPLAIN QUERY PLAN reads a table with: a named index (an automatic index,
# built for the one query, is not one), the rowid (an INTEGER PRIMARY KEY), or a WITHOUT ROWID
# table's primary key.
_SQ_READ = re.compile(r"^(?:SEARCH|SCAN) (\S+)(?: AS \S+)?(?: USING (.*))?$")
_SQ_INDEX = re.compile(r"^(?:COVERING )?INDEX (\S+)")
_SQ_PK = re.compile(r"^(?:INTEGER )?PRIMARY KEY\b")


class SQLiteServer(SQLiteDatabase):
    """The standard library's SQLite: a temporary file for each proof (the adapter's scratch),
    never a given database."""

    explain_label = "EXPLAIN QUERY PLAN"

    def apply(self, conn: Any, up_sql: str) -> None:
        from dbdesign.errors import DbdesignError

        try:
            conn.executescript("BEGIN;\n" + up_sql + "\nCOMMIT;")
        except sqlite3.Error as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise DbdesignError(f"applying the migration to SQLite failed: {e}") from None

    def analyze(self, conn: Any, d: Design) -> None:
        # sqlite_stat1 for every index (the loader ran ANALYZE on its own connection already;
        # this one reads the statistics it plans with). PRAGMA optimize would only repeat it.
        conn.execute("ANALYZE")

    def params(self, conn: Any, d: Design, pp: PatternPlan, seed: int) -> tuple[Any, ...]:
        from dbdesign.dialects.sqlite import quote_ident as q

        table = q(pp.table.split(".", 1)[1])
        t = d.schema.tables[pp.table]
        order = ", ".join(map(q, t.primary_key.columns)) if t.primary_key else "rowid"
        eq = [p.column for p in pp.params if p.kind == "eq"]
        values: dict[tuple[str, str], Any] = {}
        if eq:
            ((n,),) = conn.execute(f"SELECT count(*) FROM {table}").fetchall()
            if n:  # SQLite's random() takes no seed: one row by its position instead
                row = conn.execute(
                    f"SELECT {', '.join(map(q, eq))} FROM {table} ORDER BY {order} "
                    "LIMIT 1 OFFSET ?",
                    (random.Random(seed).randrange(int(n)),),
                ).fetchone()
                values.update({(c, "eq"): v for c, v in zip(eq, row, strict=False)})
        for p in pp.params:
            if p.kind in ("lower", "upper") and (p.column, "lower") not in values:
                c = q(p.column)
                n, hi = conn.execute(f"SELECT count({c}), max({c}) FROM {table}").fetchone()
                lo = None
                if n:
                    (lo,) = conn.execute(
                        f"SELECT {c} FROM {table} WHERE {c} IS NOT NULL ORDER BY {c} "
                        "LIMIT 1 OFFSET ?",
                        (percentile_index(int(n)),),
                    ).fetchone()
                values[(p.column, "lower")] = lo
                values[(p.column, "upper")] = hi
        return tuple(values.get((p.column, p.kind)) for p in pp.params)

    def explain(
        self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]
    ) -> tuple[tuple[str, ...], str]:
        rows = conn.execute("EXPLAIN QUERY PLAN " + pp.sql, params).fetchall()
        children: dict[int, list[tuple[int, str]]] = {}
        for node, parent, _unused, detail in rows:
            children.setdefault(parent, []).append((node, detail))
        lines: list[str] = []
        used: list[str] = []

        def walk(parent: int, depth: int) -> None:
            for node, detail in children.get(parent, ()):
                lines.append("  " * depth + ("-> " if depth else "") + detail)
                name = self._index_of(conn, d, detail)
                if name:
                    used.append(name)
                walk(node, depth + 1)

        walk(0, 0)
        return tuple(dict.fromkeys(used)), "\n".join(lines)

    def _index_of(self, conn: Any, d: Design, detail: str) -> str | None:
        """The model's name for the index a plan line reads: ``SEARCH orders USING INDEX
        idx_...``, ``... USING INTEGER PRIMARY KEY (rowid=?)`` (the primary key), and the
        autoindexes SQLite makes for the keys declared in CREATE TABLE
        (``sqlite_autoindex_orders_2``: the primary or unique key with its columns)."""
        m = _SQ_READ.match(detail)
        if not m or not m.group(2):
            return None
        table = next(
            (t for t in d.schema.tables.values() if t.name.lower() == m.group(1).lower()), None
        )
        how = m.group(2)
        if _SQ_PK.match(how):
            return table.primary_key.name if table and table.primary_key else "PRIMARY KEY"
        ix = _SQ_INDEX.match(how)
        if not ix:
            return None  # an automatic index: built for this one query, not designed
        name = ix.group(1)
        if not name.startswith("sqlite_autoindex_") or table is None:
            return name
        return _sq_autoindex_name(conn, table, name)

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> None:
        conn.execute(pp.sql, params).fetchall()


def _sq_autoindex_name(conn: Any, table: Any, autoindex: str) -> str:
    """A primary or unique key declared in CREATE TABLE, by its model name: SQLite names its
    index ``sqlite_autoindex_<table>_<n>``; its columns find the key (as the catalog reader
    names them), else its position among the declared unique keys."""
    from dbdesign.dialects.sqlite import quote_ident as q

    origin = next(
        (
            o
            for _s, n, _u, o, _p in conn.execute(f"PRAGMA index_list({q(table.name)})")
            if n == autoindex
        ),
        "u",
    )
    if origin == "pk" and table.primary_key:
        return str(table.primary_key.name)
    cols = tuple(
        str(r[2]).lower() for r in conn.execute(f"PRAGMA index_xinfo({q(autoindex)})") if r[5] == 1
    )
    for u in table.uniques.values():
        if tuple(c.lower() for c in u.columns) == cols:
            return str(u.name)
    uniques = list(table.uniques.values())
    n = int(autoindex.rsplit("_", 1)[1]) - (1 if table.primary_key and not _rowid_pk(table) else 0)
    return str(uniques[n - 1].name) if 0 < n <= len(uniques) else autoindex


def _rowid_pk(table: Any) -> bool:
    """A single INTEGER primary key column is the rowid: SQLite makes no index for it."""
    pk = table.primary_key
    if pk is None or len(pk.columns) != 1:
        return False
    col = next((c for c in table.columns if c.name == pk.columns[0]), None)
    return col is not None and col.type.name.lower() == "integer"


# dialect name -> the server its designs are proved on
SERVERS: dict[str, Callable[[], Server]] = {
    "postgres": PostgresServer,
    "mysql": MySQLServer,
    "sqlite": SQLiteServer,
}
