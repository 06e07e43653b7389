"""Proving a design on PostgreSQL: :class:`PostgresServer` (EXPLAIN (ANALYZE, FORMAT JSON),
parameters from the data with ``setseed``/``random()`` and ``ts_stat``)."""

from __future__ import annotations

import re
from typing import Any

from dbdesign.databases.postgres import PostgresDatabase
from dbdesign.design import Design, PatternPlan
from dbdesign.design.prove_server import SEARCH_ROW_WORDS, Explained, qmarks


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
            if "halfvec" in why:  # indexed as halfvec past 2,000 dimensions: pgvector 0.7+
                hint += (
                    f" (this server's pgvector is {_pgvector(conn)}; halfvec came in 0.7.0: "
                    "prove the design on a server with pgvector 0.7 or later)"
                )
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
                # A user's search: the two least common words of one row's text (a row with
                # words to search: SEARCH_ROW_WORDS), so it finds that row at least.
                conn.execute("SELECT setseed(%s)", (((seed % 1000) / 1000.0),))
                words = conn.execute(
                    S.SQL(
                        "WITH one AS (SELECT search_vector AS v FROM {t} ORDER BY "
                        "length(search_vector) >= {n} DESC, random() LIMIT 1) SELECT s.word "
                        "FROM ts_stat({q}) s JOIN unnest((SELECT v FROM one)) u ON u.lexeme = "
                        "s.word ORDER BY s.ndoc, s.word LIMIT 2"
                    ).format(
                        t=table,
                        n=S.Literal(SEARCH_ROW_WORDS),
                        q=S.Literal(f"SELECT search_vector FROM {pp.table}"),
                    )
                ).fetchall()
                values[(p.column, "search")] = " ".join(w for (w,) in words) or "x"
            elif p.kind == "vector":  # a search for what one row is about: its own vector
                conn.execute("SELECT setseed(%s)", (((seed % 1000) / 1000.0),))
                one = conn.execute(
                    S.SQL("SELECT {}::text FROM {} ORDER BY random() LIMIT 1").format(
                        S.Identifier(p.column), table
                    )
                ).fetchone()
                values[(p.column, "vector")] = one[0] if one else None
        return tuple(values.get((p.column, p.kind)) for p in pp.params)

    def common_words(self, conn: Any, d: Design, pp: PatternPlan) -> str:
        from psycopg import sql as S

        row = conn.execute(
            S.SQL("SELECT word FROM ts_stat({}) ORDER BY ndoc DESC, word LIMIT 1").format(
                S.Literal(f"SELECT search_vector FROM {pp.table}")
            )
        ).fetchone()
        return str(row[0]) if row else "x"

    def explain(self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]) -> Explained:
        query = pg_placeholders(pp.sql)
        with conn.transaction(force_rollback=True):
            plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params).fetchone()[0]
        root = plan[0]["Plan"]
        nodes = _pg_walk(root)
        used = tuple(dict.fromkeys(n["Index Name"] for n in nodes if "Index Name" in n))
        # A partition's index is the partitioned index's clone: name the index that was designed.
        parents = dict(
            conn.execute(
                "SELECT ch.relname, pa.relname FROM pg_inherits i"
                " JOIN pg_class ch ON ch.oid = i.inhrelid JOIN pg_class pa ON pa.oid = i.inhparent"
                " WHERE ch.relkind = 'i' AND ch.relname = ANY(%s)",
                (list(used),),
            ).fetchall()
        )
        only = [n["Index Name"] for n in nodes if n["Node Type"] == "Index Only Scan"]
        return Explained(
            used=tuple(dict.fromkeys(parents.get(u, u) for u in used)),
            text="\n".join(_pg_plan_text(root)),
            sorts=any(n["Node Type"] in ("Sort", "Incremental Sort") for n in nodes),
            index_only=tuple(dict.fromkeys(parents.get(u, u) for u in only)),
            scans=tuple(dict.fromkeys(_pg_whole(nodes))),
            order=tuple(dict.fromkeys(n["Relation Name"] for n in nodes if "Relation Name" in n)),
        )

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return list(conn.execute(pg_placeholders(pp.sql), params).fetchall())

    def fetch(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(conn.execute(qmarks(sql, "%s"), params).fetchall())

    def attempt(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> str | None:
        import psycopg

        try:
            with conn.transaction(force_rollback=True):
                conn.execute(qmarks(sql, "%s"), params)
        except psycopg.Error as e:
            state = e.sqlstate or "?"
            return f"{state} {(e.diag.message_primary or str(e)).strip()}"
        return None


def pg_placeholders(sql: str) -> str:
    return re.sub(r"\$\d+", "%s", sql.replace("%", "%%"))


def _pg_whole(nodes: list[dict[str, Any]]) -> list[str]:
    """The tables a plan reads whole: a Seq Scan, or an index scan without an Index Cond
    (every entry of the index, filtered)."""
    return [
        n["Relation Name"]
        for n in nodes
        if n["Node Type"] == "Seq Scan"
        or (n["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in n)
    ]


def _pg_walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's nodes, each before its children and a join's outer side before its inner."""
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


def _pgvector(conn: Any) -> str:
    row = conn.execute(
        "SELECT coalesce(installed_version, default_version) FROM pg_available_extensions "
        "WHERE name = 'vector'"
    ).fetchone()
    return str(row[0]) if row else "not installed"
