"""How a MySQL query uses each table it reads, in the shape of :mod:`dbdesign.advise.usage`
(:class:`~dbdesign.advise.usage.TableUse` per table), read with sqlglot's MySQL dialect.

The statement is parsed, its columns qualified against the tables' columns (sqlglot's
``qualify``, stars left as written), and each scope (the query, its subqueries, derived
tables, CTEs, each side of a UNION) walked: a comparison of a column with something that
holds no column of the same scope (a literal, a parameter, an outer query's column) is a
value predicate (``eq`` or ``range``), a comparison of two tables' columns is a join,
``ORDER BY`` / ``GROUP BY`` give ``sort`` / ``group``. An UPDATE or DELETE is read as the
SELECT of the rows it changes (its tables, joins, WHERE and ORDER BY), an ``INSERT ...
SELECT`` as its SELECT; each marks the table it writes.

What MySQL's indexes cannot be is never recorded: no fixed predicates (MySQL has no partial
indexes), and predicates on an expression of one column only when the server has functional
key parts (``expressions``: MySQL 8.0.13+; MariaDB has none).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dbdesign.advise.usage import QueryUsage
from dbdesign.errors import ParseError, UnsupportedError

_RANGE = ("GT", "GTE", "LT", "LTE")


def parse_mysql(sql: str) -> Any:
    """The one statement of ``sql`` as sqlglot reads MySQL; a :class:`ParseError` if it does
    not read."""
    import sqlglot
    from sqlglot.errors import ParseError as SqlglotError

    try:
        trees = [t for t in sqlglot.parse(sql, read="mysql") if t is not None]
    except SqlglotError as e:
        errors = getattr(e, "errors", None) or [{}]
        what = errors[0].get("description") or "syntax error"
        raise ParseError(f"cannot parse the query as MySQL: {what}") from None
    if len(trees) != 1:
        raise UnsupportedError(f"expected one statement, got {len(trees)}")
    return trees[0]


def tables_named(tree: Any) -> set[str]:
    """The tables a statement names (not its CTEs); a table of another database (``db.t``)
    is refused: the scratch copy holds the advised database's tables only."""
    from sqlglot import exp

    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    out: set[str] = set()
    for t in tree.find_all(exp.Table):
        if not t.name:
            continue
        if t.db:
            raise UnsupportedError(
                f"names {t.db}.{t.name}, a table qualified with its database: advice runs on "
                "a copy of the advised database, so write its tables unqualified"
            )
        if t.name not in ctes:
            out.add(t.name)
    return out


def mysql_usage(
    tree: Any, columns: Mapping[str, Sequence[str]], *, expressions: bool = False
) -> QueryUsage:
    """How the statement ``tree`` (from :func:`parse_mysql`) uses each table of ``columns``
    (table -> its column names); ``expressions``: record predicates on an expression of one
    column (the server has functional key parts)."""
    reader = _Reader(columns, expressions)
    select, writes = _as_select(tree)
    if select is not None:
        reader.query(select)
    for table, kind, written in writes:
        name = reader.table_of(table)
        if name is None:
            continue
        use = reader.out.of(name)
        use.writes = kind
        for col in written:
            resolved = reader.column_of(name, col)
            if resolved and resolved not in use.written:
                use.written.append(resolved)
    return reader.out


def _as_select(tree: Any) -> tuple[Any | None, list[tuple[str, str, list[str]]]]:
    """The SELECT that reads what ``tree`` reads, and ``(table, "insert"|"update"|"delete",
    columns set)`` of what it writes (``table`` as written: a name or an alias)."""
    from sqlglot import exp

    if isinstance(tree, exp.Insert):
        target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        query = tree.expression if isinstance(tree.expression, exp.Query) else None
        return query, [(target.name, "insert", [])]
    if isinstance(tree, exp.Update | exp.Delete):
        base = tree.this.copy()
        joins = base.args.get("joins") or []
        base.set("joins", None)
        select = exp.Select().from_(base)
        for j in joins:
            select = select.join(j)
        if isinstance(tree, exp.Update):
            targets = [e.this for e in tree.expressions if isinstance(e, exp.EQ)]
            values = [e.expression for e in tree.expressions if isinstance(e, exp.EQ)]
            select = select.select(*(t.copy() for t in targets), *(v.copy() for v in values))
            by_table: dict[str, list[str]] = {}
            for t in targets:
                key = t.table or base.alias_or_name
                by_table.setdefault(key, []).append(t.name)
            writes = [(name, "update", cols) for name, cols in by_table.items()]
        else:
            select = select.select(exp.Star())
            named = [t.name for t in tree.args.get("tables") or ()] or [base.alias_or_name]
            writes = [(name, "delete", []) for name in named]
        if tree.args.get("where"):
            select.set("where", tree.args["where"].copy())
        if tree.args.get("order"):
            select.set("order", tree.args["order"].copy())
        return select, writes
    if isinstance(tree, exp.Query):
        return tree, []
    return None, []


class _Reader:
    """The walk over one statement's scopes, into :attr:`out`."""

    def __init__(self, columns: Mapping[str, Sequence[str]], expressions: bool) -> None:
        self.columns = {t: {c.lower(): c for c in cols} for t, cols in columns.items()}
        self.folded = {t.lower(): t for t in columns}
        self.expressions = expressions
        self.out = QueryUsage()
        self.aliases: dict[str, str] = {}  # the outermost scope's alias -> table

    def table_of(self, name: str) -> str | None:
        """The table of ``columns`` a name or an alias of the outermost scope stands for."""
        name = self.aliases.get(name, name)
        if name in self.columns:
            return name
        return self.folded.get(name.lower())

    def column_of(self, table: str, column: str) -> str | None:
        return self.columns.get(table, {}).get(column.lower())

    def query(self, tree: Any) -> None:
        from sqlglot.optimizer.qualify import qualify
        from sqlglot.optimizer.scope import traverse_scope

        schema: dict[str, object] = {
            t: dict.fromkeys(cols.values(), "text") for t, cols in self.columns.items()
        }
        try:
            tree = qualify(
                tree.copy(),
                dialect="mysql",
                schema=schema,
                expand_stars=False,
                validate_qualify_columns=False,
                quote_identifiers=False,
                identify=False,
            )
        except Exception:  # sqlglot's OptimizeError and kin: resolve names without it
            tree = tree.copy()
        scopes = traverse_scope(tree)
        for scope in scopes:
            self._scope(scope)
        if scopes:
            root = scopes[-1]
            self.aliases = {
                alias: str(getattr(src, "name", ""))
                for alias, src in root.sources.items()
                if _is_table(src)
            }

    # ----------------------------------------------------------------- one scope

    def _scope(self, scope: Any) -> None:
        from sqlglot import exp

        local = _Here(
            {
                alias: name
                for alias, src in scope.sources.items()
                if _is_table(src) and (name := self.table_of(src.name)) is not None
            },
            frozenset(scope.sources),
        )
        for name in local.values():
            self.out.of(name)
        node = scope.expression
        if not isinstance(node, exp.Select):
            return
        for col in scope.columns:
            ref = self._resolve(col, local)
            if ref is not None:
                self.out.of(ref[0]).add(self.out.of(ref[0]).read, ref[1])
        self._stars(node, local)
        conditions: list[Any] = []
        if node.args.get("where"):
            conditions.append(node.args["where"].this)
        for join in node.args.get("joins") or ():
            if join.args.get("on") is not None:
                conditions.append(join.args["on"])
            for using in join.args.get("using") or ():
                self._using(using.name, local)
        for cond in conditions:
            for conj in _conjuncts(cond):
                self._predicate(conj, local)
        group = node.args.get("group")
        self._order(group.expressions if group else [], "group", local)
        order = node.args.get("order")
        self._order([o.this for o in order.expressions] if order else [], "sort", local)

    def _stars(self, node: Any, local: _Here) -> None:
        from sqlglot import exp

        for e in node.expressions:
            if isinstance(e, exp.Star):
                for name in local.values():
                    self.out.of(name).star = True
            elif isinstance(e, exp.Column) and isinstance(e.this, exp.Star):
                table = local.get(e.table)
                if table:
                    self.out.of(table).star = True

    def _using(self, column: str, local: _Here) -> None:
        for name in local.values():
            col = self.column_of(name, column)
            if col:
                self.out.of(name).add(self.out.of(name).join, col)

    def _resolve(self, col: Any, local: _Here) -> tuple[str, str] | None:
        """(table, column) of a column of this scope's tables; None for another scope's
        column, a derived table's, or an unknown name."""
        from sqlglot import exp

        if not isinstance(col, exp.Column) or isinstance(col.this, exp.Star):
            return None
        if col.table:
            name = local.get(col.table)
            found = self.column_of(name, col.name) if name else None
            return (name, found) if name and found else None
        hits = [(n, c) for n in dict.fromkeys(local.values()) if (c := self.column_of(n, col.name))]
        return hits[0] if len(hits) == 1 else None

    def _local(self, node: Any, local: _Here) -> set[tuple[str, str]]:
        """The columns of this scope's tables an expression reads (not its subqueries')."""
        from sqlglot import exp

        found: set[tuple[str, str]] = set()
        for col in _walk_here(node):
            if isinstance(col, exp.Column):
                ref = self._resolve(col, local)
                if ref is not None:
                    found.add(ref)
        return found

    def _touches_scope(self, node: Any, local: _Here) -> bool:
        """Whether an expression reads a column of this scope (one of its tables', or a
        derived table's here): then it is no value to compare with. A column of an
        enclosing query's table (a correlated reference) is a value here."""
        from sqlglot import exp

        for col in _walk_here(node):
            if isinstance(col, exp.Column) and not isinstance(col.this, exp.Star):
                if self._resolve(col, local) is not None:
                    return True
                if not col.table or col.table in local.sources:
                    return True  # a derived table's column, or a name not resolved
        return False

    # ----------------------------------------------------------------- predicates

    def _predicate(self, conj: Any, local: _Here) -> None:
        from sqlglot import exp

        while isinstance(conj, exp.Paren):
            conj = conj.this
        if isinstance(conj, exp.EQ | exp.NullSafeEQ) or type(conj).__name__ in _RANGE:
            self._comparison(conj, local)
        elif isinstance(conj, exp.In):
            bucket = "join" if conj.args.get("query") is not None else "eq"
            self._value(conj.this, None, bucket, local)
        elif isinstance(conj, exp.Between):
            if not self._touches_scope(conj.args.get("low"), local) and not self._touches_scope(
                conj.args.get("high"), local
            ):
                self._value(conj.this, None, "range", local)
        elif isinstance(conj, exp.Like):
            pattern = conj.expression
            literal = isinstance(pattern, exp.Literal) and pattern.is_string
            if literal and pattern.this[:1] not in ("%", "_", ""):
                self._value(conj.this, None, "range", local)
        elif isinstance(conj, exp.Is):
            self._value(conj.this, conj.expression, "eq", local)
        elif isinstance(conj, exp.Or):
            for arm in _disjuncts(conj):
                for name, col in self._local(arm, local):
                    self.out.of(name).add(self.out.of(name).eq, col)

    def _comparison(self, conj: Any, local: _Here) -> None:
        from sqlglot import exp

        ranged = type(conj).__name__ in _RANGE
        left, right = conj.this, conj.expression
        lref = self._resolve(left, local) if isinstance(left, exp.Column) else None
        rref = self._resolve(right, local) if isinstance(right, exp.Column) else None
        if lref and rref and lref[0] != rref[0]:
            for name, col in (lref, rref):
                use = self.out.of(name)
                use.add(use.range if ranged else use.join, col)
            return
        bucket = "range" if ranged else "eq"
        if not self._value(left, right, bucket, local):
            self._value(right, left, bucket, local)

    def _value(self, side: Any, other: Any, bucket: str, local: _Here) -> bool:
        """``side`` compared with a value ``other`` (None: the values are the predicate's
        own, an IN list or BETWEEN bounds): record the column or expression."""
        from sqlglot import exp

        if other is not None and self._touches_scope(other, local):
            return False
        while isinstance(side, exp.Paren):
            side = side.this
        if isinstance(side, exp.Column):
            ref = self._resolve(side, local)
            if ref is None:
                return False
            use = self.out.of(ref[0])
            use.add(getattr(use, bucket), ref[1])
            return True
        cols = self._local(side, local)
        if len(cols) == 1 and isinstance(side, exp.Func) and bucket in ("eq", "range"):
            ((name, col),) = cols
            use = self.out.of(name)
            use.add(use.read, col)
            if self.expressions:
                use.expressions.append((_bare_sql(side), bucket))
            return True
        return False

    def _order(self, items: Sequence[Any], bucket: str, local: _Here) -> None:
        """GROUP BY / ORDER BY columns per table, in order; a table's run stops at the first
        item that is not its plain column."""
        from sqlglot import exp

        stopped: set[str] = set()
        for item in items:
            ref = self._resolve(item, local) if isinstance(item, exp.Column) else None
            if ref is None:
                stopped.update(local.values())
                continue
            if ref[0] not in stopped:
                use = self.out.of(ref[0])
                use.add(getattr(use, bucket), ref[1])


class _Here(dict[str, str]):
    """One scope's tables of the catalog by alias, and the aliases of all its sources
    (derived tables and CTEs too)."""

    def __init__(self, tables: Mapping[str, str], sources: frozenset[str]) -> None:
        super().__init__(tables)
        self.sources = sources


def _is_table(src: Any) -> bool:
    from sqlglot import exp

    return isinstance(src, exp.Table)


def _conjuncts(node: Any) -> Iterator[Any]:
    from sqlglot import exp

    return _split(node, exp.And)


def _disjuncts(node: Any) -> Iterator[Any]:
    from sqlglot import exp

    return _split(node, exp.Or)


def _split(node: Any, kind: Any) -> Iterator[Any]:
    """The operands of a chain of ``kind`` (AND or OR), parentheses looked through."""
    from sqlglot import exp

    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, kind):
        yield from _split(node.this, kind)
        yield from _split(node.expression, kind)
    else:
        yield node


def _walk_here(node: Any) -> Iterator[Any]:
    """The nodes of an expression, its subqueries left out (their columns are theirs)."""
    from sqlglot import exp

    if node is None:
        return
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for child in n.iter_expressions():
            if not isinstance(child, exp.Query | exp.Subquery):
                stack.append(child)


def _bare_sql(node: Any) -> str:
    """An expression as MySQL SQL with its columns' table qualifiers removed (as an index's
    key part names them)."""
    from sqlglot import exp

    copy = node.copy()
    for col in copy.find_all(exp.Column):
        col.set("table", None)
    return str(copy.sql(dialect="mysql"))
