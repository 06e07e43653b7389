"""The SQL the plan rules read and write for MySQL's and MariaDB's plans.

A condition in these plans is the server's own print of the statement's WHERE (MariaDB:
``orders.customer_id = 5``, ``o.amount > 900``; MySQL: ``(`app`.`o`.`status` = 'open')``),
read here with sqlglot's MySQL dialect; an index lookup's condition pairs key parts with the
values MySQL names ``const`` or ``func`` (a value, never a column). The fixes are MySQL's:
``CREATE INDEX name ON table (keys)`` (InnoDB builds a secondary index in place, letting
writes through: no CONCURRENTLY to ask for), ``ANALYZE TABLE``, and histograms for a column
whose estimate is off (MariaDB's engine-independent statistics, MySQL 8's ``UPDATE
HISTOGRAM``): neither server has statistics over several columns together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbdesign.lint.plan import IndexKeys, PlanSql

# Words the plans use for a value looked up in an index (EXPLAIN's "ref" column).
_VALUES = frozenset({"const", "func"})
_EQUALITY = ("EQ", "NullSafeEQ")
_RANGE = ("GT", "GTE", "LT", "LTE")


class MySQLPlanSql(PlanSql):
    """MySQL's and MariaDB's :class:`~dbdesign.lint.plan.PlanSql`."""

    extended_statistics = False

    def index_keys(self, expr: str, alias: str | None) -> IndexKeys | None:
        """Equality keys, then range keys, of the AND-ed conditions of ``expr`` on the table
        called ``alias``: plain columns compared with a value (a literal, another table's
        column); None for an OR, or text that does not parse."""
        import sqlglot
        from sqlglot import exp
        from sqlglot.errors import SqlglotError

        try:
            where = sqlglot.parse_one(f"SELECT 1 FROM t WHERE {expr}", read="mysql").args.get(
                "where"
            )
        except SqlglotError:
            return None
        if where is None:
            return None
        cond = where.this
        while isinstance(cond, exp.Paren):
            cond = cond.this
        if isinstance(cond, exp.Or):
            return None
        equality: list[str] = []
        ranges: list[str] = []
        for term in cond.flatten() if isinstance(cond, exp.And) else [cond]:
            found = self._term(term, alias)
            if found is None:
                continue
            key, kind = found
            if key not in equality and key not in ranges:
                (equality if kind == "eq" else ranges).append(key)
        if not equality and not ranges:
            return None
        return IndexKeys(tuple(equality), tuple(ranges))

    def _term(self, t: Any, alias: str | None) -> tuple[str, str] | None:
        """(quoted column, "eq" or "range") of one condition, None when no key serves it."""
        from sqlglot import exp

        while isinstance(t, exp.Paren):
            t = t.this
        name = type(t).__name__
        if isinstance(t, exp.In) and not t.args.get("query"):
            return self._side(t.this, t.expressions, alias, "eq")
        if isinstance(t, exp.Between):
            return self._side(t.this, [t.args.get("low"), t.args.get("high")], alias, "range")
        if isinstance(t, exp.Is) and isinstance(t.expression, exp.Null):
            return self._side(t.this, [], alias, "eq")
        if name not in _EQUALITY + _RANGE:
            return None
        kind = "eq" if name in _EQUALITY else "range"
        return self._side(t.this, [t.expression], alias, kind) or self._side(
            t.expression, [t.this], alias, kind
        )

    def _side(
        self, key: Any, values: Sequence[Any], alias: str | None, kind: str
    ) -> tuple[str, str] | None:
        """``key`` quoted when it is a column of ``alias`` and no value reads that table."""
        from sqlglot import exp

        if not isinstance(key, exp.Column) or not _ours(key, alias):
            return None
        for v in values:
            if v is None or any(_ours(c, alias) for c in _columns(v)):
                return None
        return self.d.quote_ident(key.name), kind

    def create_index(self, table: str, name: str, keys: Sequence[str]) -> str:
        plain = "_".join(k.strip("`") for k in keys)
        index = self.d.quote_ident(self.d.cut_name(f"{name}_{plain}_idx"))
        return f"CREATE INDEX {index} ON {table} ({', '.join(keys)});"

    def analyze(self, table: str) -> str:
        return f"ANALYZE TABLE {table}"

    def column_statistics(self, table: str, columns: Sequence[str]) -> str:
        if not columns:
            return f"ANALYZE TABLE {table}; its statistics are out of date or too coarse."
        listed = ", ".join(columns)
        return (
            f"ANALYZE TABLE {table}; if the estimate stays off, give the optimizer a histogram "
            f"of {listed}: MariaDB ANALYZE TABLE {table} PERSISTENT FOR COLUMNS ({listed}) "
            f"INDEXES (); MySQL 8 ANALYZE TABLE {table} UPDATE HISTOGRAM ON {listed};"
        )

    def join_statistics(self) -> str:
        return (
            "Both inputs are estimated well: the join columns are correlated or skewed. ANALYZE "
            "TABLE both tables, and give the optimizer histograms of the join columns (MariaDB "
            "ANALYZE TABLE ... PERSISTENT FOR COLUMNS (...) INDEXES (); MySQL 8 ANALYZE TABLE "
            "... UPDATE HISTOGRAM ON ...); check that the joined columns have the same type "
            "and collation."
        )


def _columns(node: Any) -> list[Any]:
    from sqlglot import exp

    if isinstance(node, exp.Column):
        return [node]
    return list(node.find_all(exp.Column))


def _ours(c: Any, alias: str | None) -> bool:
    """Whether column reference ``c`` reads the table called ``alias``: qualified by it
    (``o.status``, ``app.o.status``), or unqualified and not a value word (``const``)."""
    table = c.table
    if not table:
        return c.name.lower() not in _VALUES
    return alias is not None and table.lower() == alias.lower()  # MySQL prints it folded
