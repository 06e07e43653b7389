"""Proving a design on MySQL 8 or MariaDB 10.6+: :class:`MySQLServer` (plans read from
``ANALYZE FORMAT=JSON`` on MariaDB, ``EXPLAIN FORMAT=JSON`` on MySQL; full-text search words
counted here as InnoDB splits them)."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from dbdesign.databases.mysql import MySQLDatabase
from dbdesign.design import Design, PatternPlan
from dbdesign.design.prove_server import SEARCH_ROW_WORDS, Explained, percentile_index


def mysql_plan_json(text: str) -> Any:
    """EXPLAIN/ANALYZE FORMAT=JSON output as data. MariaDB 10.11 prints a condition's string
    literals without escaping their backslashes (``"kind = 'back\\'"`` comes out as one
    backslash), which is not JSON; such a stray backslash is read as itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(re.sub(r'\\(?!["\\/bfnrtu])', r"\\\\", text))


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

        from dbdesign import dialects
        from dbdesign.databases.mysql import error_message
        from dbdesign.errors import DbdesignError

        with conn.cursor() as cur:
            for text in dialects.get("mysql").split_statements(up_sql):
                try:
                    cur.execute(text)  # DDL commits on its own; no parameters: "%" stays
                except pymysql.err.MySQLError as e:  # the scratch database goes whole
                    msg = error_message(e)
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
        """A user's search: the two least common words of one row's text (a row with words to
        search: SEARCH_ROW_WORDS), both required (``+a +b``), so it finds that row at least."""
        docs, ndoc = self._words(conn, d, pp, column)
        texts = [words for words in docs if len(words) >= SEARCH_ROW_WORDS]
        candidates = texts or [words for words in docs if words]
        if not candidates:
            return "x"
        one = random.Random(seed).choice(candidates)
        rare = sorted(one, key=lambda w: (ndoc[w], w))[:2]
        return " ".join(f"+{w}" for w in rare)

    def common_words(self, conn: Any, d: Design, pp: PatternPlan) -> str:
        column = next(p.column for p in pp.params if p.kind == "search")
        _docs, ndoc = self._words(conn, d, pp, column)
        return f"+{min(ndoc, key=lambda w: (-ndoc[w], w))}" if ndoc else "x"

    def _words(
        self, conn: Any, d: Design, pp: PatternPlan, column: str
    ) -> tuple[list[list[str]], Counter[str]]:
        """Each row's indexed words and each word's row count, made here from the rows as
        InnoDB splits them (MySQL has no ``ts_stat``)."""
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
        return docs, Counter(w for words in docs for w in words)

    def explain(self, conn: Any, d: Design, pp: PatternPlan, params: tuple[Any, ...]) -> Explained:
        query = _my_placeholders(pp.sql)
        word = "ANALYZE FORMAT=JSON " if self.mariadb else "EXPLAIN FORMAT=JSON "
        conn.begin()
        try:
            with conn.cursor() as cur:
                cur.execute(word + query, params)
                plan = mysql_plan_json(cur.fetchone()[0])
        finally:
            conn.rollback()
        lines: list[str] = []
        _my_plan_text(plan, 0, lines)
        return Explained(
            used=tuple(dict.fromkeys(_my_keys(plan))),
            text="\n".join(lines),
            sorts=_my_sorts(plan),
            index_only=tuple(dict.fromkeys(_my_keys(plan, covering=True))),
            scans=tuple(dict.fromkeys(_my_scans(plan))),
            order=tuple(dict.fromkeys(_my_tables(plan))),
        )

    def run(self, conn: Any, pp: PatternPlan, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with conn.cursor() as cur:
            cur.execute(_my_placeholders(pp.sql), params)
            return list(cur.fetchall())

    def fetch(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._rows(conn, _my_placeholders(sql), params)

    def attempt(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> str | None:
        import pymysql

        conn.begin()
        try:
            with conn.cursor() as cur:
                cur.execute(_my_placeholders(sql), params)
        except pymysql.err.MySQLError as e:
            code, msg = (*e.args, "", "")[:2]
            return f"{code} {msg}"
        finally:
            conn.rollback()
        return None


_MY_QUOTED_OR_MARK = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`[^`]*`|\?")


def _my_placeholders(sql: str) -> str:
    """``?`` -> ``%s`` for PyMySQL (and ``%`` doubled), leaving quoted text alone."""
    return _MY_QUOTED_OR_MARK.sub(
        lambda m: "%s" if m.group() == "?" else m.group(), sql.replace("%", "%%")
    )


_MERGE_WORDS = frozenset({"intersect", "union", "sort_union"})


def _my_sorts(node: Any) -> bool:
    """Whether a JSON plan sorts rows: MySQL's ``"using_filesort": true``, MariaDB's
    ``filesort`` operation (its ``read_sorted_file`` reads what a filesort wrote)."""
    if isinstance(node, dict):
        if node.get("using_filesort") is True or "filesort" in node:
            return True
        return any(_my_sorts(v) for v in node.values())
    if isinstance(node, list):
        return any(_my_sorts(v) for v in node)
    return False


def _my_scans(node: Any) -> Iterator[str]:
    """The tables a JSON plan reads whole: access type ALL (every row) or index (every entry
    of an index)."""
    if isinstance(node, dict):
        if node.get("access_type") in ("ALL", "index") and "table_name" in node:
            yield str(node["table_name"])
        for v in node.values():
            yield from _my_scans(v)
    elif isinstance(node, list):
        for v in node:
            yield from _my_scans(v)


def _my_tables(node: Any) -> Iterator[str]:
    """The tables of a JSON plan in join order (a nested loop lists them outer first; a
    materialized subquery's tables come where it is read), without the derived ``<...>``."""
    if isinstance(node, dict):
        name = node.get("table_name")
        if isinstance(name, str) and not name.startswith("<"):
            yield name
        for v in node.values():
            yield from _my_tables(v)
    elif isinstance(node, list):
        for v in node:
            yield from _my_tables(v)


def _my_keys(node: Any, *, covering: bool = False) -> Iterator[str]:
    """Every index a JSON plan reads: each ``"key"``, at any depth (an index merge names its
    indexes in its own nodes, or as MySQL writes it, ``intersect(a,b)``); with ``covering``,
    only those read without visiting the rows (``"using_index": true``)."""
    if isinstance(node, dict):
        key = node.get("key")
        if covering and node.get("using_index") is not True:
            key = None
        if isinstance(key, str):
            if "(" in key:
                for part in re.split(r"[(),]", key):
                    if part.strip() and part.strip() not in _MERGE_WORDS:
                        yield part.strip()
            else:
                yield key
        for v in node.values():
            yield from _my_keys(v, covering=covering)
    elif isinstance(node, list):
        for v in node:
            yield from _my_keys(v, covering=covering)


def _my_plan_text(node: Any, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, list):
        for x in node:
            _my_plan_text(x, depth, out)
        return
    if not isinstance(node, dict):
        return
    if "table_name" in node:
        _my_table_text(node, depth, out)
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


def _my_table_text(node: dict[str, Any], depth: int, out: list[str]) -> None:
    """A JSON plan's node that reads a table: its line, its details, then what it wraps."""
    pad = "  " * depth
    label = f"{node.get('access_type', '?')} on {node['table_name']}"
    if node.get("key"):
        label += f" using {node['key']}"
    merge = node.get("index_merge")  # MariaDB: {"union": [{"range": {"key": ...}}, ...]}
    if isinstance(merge, dict):
        for how, parts in merge.items():
            label += f" {how}({', '.join(dict.fromkeys(_my_keys(parts)))})"
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
