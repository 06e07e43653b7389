"""The proof of a design's business rules, on the loaded data: for each rule, a write that
breaks it, built from the rows there and tried in a transaction that is rolled back; the rule
is proved when the server refuses it naming the rule's constraint or trigger.

- ``unique``: row B takes the key of a row A that meets the condition, and A's values of the
  columns the condition reads (so B meets it too);
- ``no_overlap``: row B takes A's key and A's range (the same range overlaps itself);
- ``check``: one or two columns of a row are set to values (from the row, the table, the
  check's constants, a step past them) that make the check false, found by evaluating it.

Columns that another check of the table reads alongside are copied with them, so that the
write breaks this rule and no other. :func:`row_rules` gives the data generator the same
rules, so the rows loaded keep them all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dbdesign import dialects
from dbdesign.datagen.row_rules import RowRule
from dbdesign.design import Design, RulePlan
from dbdesign.design.prove_result import RuleResult
from dbdesign.design.prove_server import Server
from dbdesign.design.rule_sql import dialect_style as style
from dbdesign.design.rule_sums import CHECK_NOW, spec_rule, total_of
from dbdesign.readers import expression as X
from dbdesign.readers.spec import field_kinds

SAMPLE_ROWS = 50  # rows whose values a check's violating write is searched among


def _by_column(r: RulePlan) -> Callable[[Mapping[str, Any]], Any] | None:
    """The rule's condition over a row keyed by column."""
    if r.condition is None:
        return None
    node = X.parse(r.condition)
    fields = {f: r.columns[f] for f in X.fields(node)}
    return lambda row: X.evaluate(node, {f: row[c] for f, c in fields.items()})


def row_rules(d: Design) -> tuple[RowRule, ...]:
    """The design's rules as the data generator keeps them."""
    out = []
    for r in d.rules:
        if r.kind in ("pattern", "generated"):  # the generator reads the CHECK itself;
            continue  # a generated column is the server's
        cols = dict(r.columns)
        reads = tuple(cols[f] for f in X.fields(X.parse(r.condition))) if r.condition else ()
        summed = spec_rule(d.spec, r) if r.kind == "sum" else None
        out.append(
            RowRule(
                table=r.table,
                name=r.name,
                kind=r.kind,
                objects=r.objects,
                key=tuple(cols[f] for f in r.key),
                range=(cols[r.range[0]], cols[r.range[1]]) if r.range else None,
                range_kind=_range_kind(d, r),
                condition=_by_column(r) if r.kind != "no_overlap" else None,
                reads=reads if r.kind != "no_overlap" else (),
                limit=r.limit,
                scheme=r.scheme,
                field=cols[summed.field] if summed else "",
                total=total_of(summed) if summed else None,
            )
        )
    return tuple(out)


def _range_kind(d: Design, r: RulePlan) -> str:
    """What a no-overlap rule's range holds, by its start field's semantic type."""
    if r.range is None:
        return "timestamp"
    kind = field_kinds(d.spec, r.entity)[r.range[0]].kind
    return kind if kind in ("date", "timestamp") else "number"


class _Table:
    """One table's rules and the rows the writes are built from: a sample of the table's
    rows (every column a rule reads), by column."""

    def __init__(self, server: Server, conn: Any, d: Design, key: str) -> None:
        self.server, self.conn, self.dialect_name = server, conn, d.dialect
        self.dialect = dialects.get(d.dialect)
        t = d.schema.tables[key]
        q = self.q = self.dialect.quote_ident
        schemas = self.dialect.capabilities.schemas
        self.sql = self.dialect.qualified(t.schema, t.name) if schemas else q(t.name)
        self.pk = t.primary_key.columns if t.primary_key else ("rowid",)
        self.rules = [r for r in d.rules if r.table == key and r.enforced]
        # the table's plain unique keys, by column (partial ones are rules of their own)
        self.unique_keys = [u.columns for u in t.uniques.values()] + [
            tuple(str(e.column) for e in i.elements)
            for i in d.schema.indexes_on(key)
            if i.unique and i.where is None and all(e.column for e in i.elements)
        ]
        self.spec = d.spec
        cols = {c for r in self.rules for c in r.columns.values()}
        # and the other columns of a unique key with one of them (a write that moves a row
        # must keep it: _keep_unique_keys)
        cols |= {c for k in self.unique_keys if cols & set(k) for c in k}
        self.columns = sorted(cols - set(self.pk))
        self.sample = self.rows()
        self.queries = 0

    def rows(
        self, where: str = "", params: tuple[Any, ...] = (), limit: int = SAMPLE_ROWS
    ) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        """Rows of the table in key order (``where``: a condition with ``?`` placeholders),
        each its key and its values by column, the key columns too (a rule may read id)."""
        pk = ", ".join(self.q(c) for c in self.pk)
        rows = self.server.fetch(
            self.conn,
            f"SELECT {pk}, {', '.join(self.q(c) for c in self.columns)} FROM {self.sql} "
            f"{'WHERE ' + where if where else ''} ORDER BY {pk} LIMIT {limit}",
            params,
        )
        n = len(self.pk)
        return [
            (
                tuple(row[:n]),
                dict(zip(self.pk, row[:n], strict=True))
                | dict(zip(self.columns, row[n:], strict=True)),
            )
            for row in rows
        ]

    def where_pk(self) -> str:
        return " AND ".join(f"{self.q(c)} = ?" for c in self.pk)

    def condition_sql(self, r: RulePlan) -> str:
        assert r.condition is not None
        cols = dict(r.columns)
        node = X.parse(r.condition)
        return X.render(node, style(self.dialect_name, lambda f: self.q(cols[f])))

    # -- whether a changed row breaks no rule but the one tried

    def clean(self, target: RulePlan, pk: tuple[Any, ...], row: Mapping[str, Any]) -> bool:
        """Whether ``row`` (row ``pk`` after the write) keeps every rule of the table but
        ``target``: the checks evaluated here, the keys and ranges of other rows asked of
        the server."""
        for r in self.rules:
            if r is target:
                continue
            if r.kind == "check":
                if _holds(r, row) is False:
                    return False
            elif r.kind == "transition":
                if self._moves_badly(r, pk, row):
                    return False
            elif r.kind == "at_most":
                if self._full(r, pk, row):
                    return False
            elif r.kind in ("check_digit", "pattern", "sum", "generated"):
                continue  # (a sum is checked at COMMIT, which the proof's writes never reach)
            elif self._clashes(r, pk, row):
                return False
        return True

    def _full(self, r: RulePlan, pk: tuple[Any, ...], row: Mapping[str, Any]) -> bool:
        """Whether row ``pk`` written as ``row`` would be past its parent's bound."""
        col = r.columns[r.key[0]]
        if row[col] is None or _holds(r, row) is not True:
            return False
        conds = [f"{self.q(col)} = ?", f"NOT ({self.where_pk()})"]
        if r.condition is not None:
            conds.append(f"({self.condition_sql(r)})")
        self.queries += 1
        found = self.server.fetch(
            self.conn,
            f"SELECT count(*) FROM {self.sql} WHERE {' AND '.join(conds)}",
            (row[col], *pk),
        )
        return int(found[0][0]) >= r.limit

    def _moves_badly(self, r: RulePlan, pk: tuple[Any, ...], row: Mapping[str, Any]) -> bool:
        """Whether the write moves row ``pk``'s field as the transition rule ``r`` forbids."""
        col = r.columns[r.key[0]]
        before = next((old[col] for p, old in self.sample if p == pk), None)
        return forbidden_move(r, before, row[col])

    def _clashes(self, r: RulePlan, pk: tuple[Any, ...], row: Mapping[str, Any]) -> bool:
        cols = dict(r.columns)
        key = [cols[f] for f in r.key]
        if any(row[c] is None for c in key) or _holds(r, row) is False:
            return False
        if r.condition is not None and _holds(r, row) is not True:
            return False
        q = self.q
        conds = [f"{q(c)} = ?" for c in key]
        params: list[Any] = [row[c] for c in key]
        if r.range:
            s, e = (cols[f] for f in r.range)
            if row[s] is not None and row[e] is not None and row[s] > row[e]:
                return True  # no range at all: PostgreSQL refuses to build it
            if row[s] is not None and row[e] is not None and not row[s] < row[e]:
                return False  # an empty range overlaps nothing
            if row[s] is not None:
                conds.append(f"({q(e)} IS NULL OR {q(e)} > ?)")
                params.append(row[s])
            if row[e] is not None:
                conds.append(f"({q(s)} IS NULL OR {q(s)} < ?)")
                params.append(row[e])
            conds.append(f"({q(s)} IS NULL OR {q(e)} IS NULL OR {q(s)} < {q(e)})")
        if r.condition is not None:
            conds.append(f"({self.condition_sql(r)})")
        conds.append(f"NOT ({self.where_pk()})")
        self.queries += 1
        found = self.server.fetch(
            self.conn,
            f"SELECT 1 FROM {self.sql} WHERE {' AND '.join(conds)} LIMIT 1",
            (*params, *pk),
        )
        return bool(found)

    def update(self, pk: tuple[Any, ...], values: Mapping[str, Any]) -> tuple[str, Any, str]:
        q = self.q
        sets = ", ".join(f"{q(c)} = ?" for c in values)
        sql = f"UPDATE {self.sql} SET {sets} WHERE {self.where_pk()}"
        shown_sets = ", ".join(f"{c} = {_literal(v)}" for c, v in values.items())
        where = " AND ".join(f"{c} = {_literal(v)}" for c, v in zip(self.pk, pk, strict=True))
        return sql, (*values.values(), *pk), f"UPDATE {self.sql} SET {shown_sets} WHERE {where}"


MAX_QUERIES = 400  # questions to the server while looking for one rule's write


def _holds(r: RulePlan, row: Mapping[str, Any]) -> Any:
    """The rule's condition on a row keyed by column (True when it has none)."""
    if r.condition is None:
        return True
    node = X.parse(r.condition)
    values = {f: row[r.columns[f]] for f in X.fields(node)}
    try:
        return X.evaluate(node, values)
    except (ZeroDivisionError, TypeError, ValueError, ArithmeticError):
        return None


def prove_rules(server: Server, conn: Any, d: Design) -> list[RuleResult]:
    """Each rule's violating write, tried and rolled back."""
    out = []
    tables: dict[str, _Table] = {}
    for r in d.rules:
        if not r.enforced:
            out.append(RuleResult(r.name, r.statement, note=r.reason, enforced=False))
            continue
        if r.table not in tables:
            tables[r.table] = _Table(server, conn, d, r.table)
        out.append(_prove(tables[r.table], r))
    return out


def _prove(t: _Table, r: RulePlan) -> RuleResult:
    t.queries = 0
    if r.kind == "transition":
        write = _transition_write(t, r)
    elif r.kind == "at_most":
        write = _at_most_write(t, r)
    elif r.kind == "check_digit":
        write = _check_digit_write(t, r)
    elif r.kind == "pattern":
        write = _pattern_write(t, r)
    elif r.kind == "sum":
        write = _sum_write(t, r)
    elif r.kind == "generated":
        write = _generated_write(t, r)
    else:
        write = _check_write(t, r) if r.kind == "check" else _copy_write(t, r)
    if isinstance(write, str):
        return RuleResult(r.name, r.statement, note=write)
    sql, params, shown = write
    error = t.server.attempt(t.conn, sql, params)
    if error is None:
        return RuleResult(r.name, r.statement, write=shown)
    named = any(s.lower() in error.lower() for s in r.signature if s)
    return RuleResult(r.name, r.statement, write=shown, refused=True, error=error, by_rule=named)


Write = tuple[str, tuple[Any, ...], str] | str  # (sql, params, shown), or why none


def _generated_write(t: _Table, r: RulePlan) -> Write:
    """A row's generated column set to another value than the one the server computed."""
    col = r.columns[r.key[0]]
    for pk, row in t.sample:
        v = row.get(col)
        if isinstance(v, int | float | Decimal):
            return t.update(pk, {col: v + 1})
        if v is not None:
            return t.update(pk, {col: f"{v}x"})
    return "no row with a computed value to overwrite"


def _copy_write(t: _Table, r: RulePlan) -> Write:
    """Row B takes row A's key (and range, and the condition's columns): the same key, or
    the same range, while A meets the condition; B and A chosen so that no other rule
    refuses the write first."""
    cols = dict(r.columns)
    key = [cols[f] for f in r.key]
    copied = [c for c in cols.values() if c not in t.pk]
    rng = [cols[f] for f in r.range] if r.range else []
    owners = [
        (pk, row)
        for pk, row in t.sample
        if all(row[c] is not None for c in (*key, *rng))
        and _holds(r, row) is True
        and (not rng or row[rng[0]] < row[rng[1]])
    ]
    if not owners:
        return "no row meets the rule's condition to copy"
    for (a_pk, a), (b_pk, b) in itertools.product(owners[:5], t.sample):
        if b_pk == a_pk or t.queries > MAX_QUERIES:
            continue
        for shifted in _overlapping(a, rng):
            values = {c: a[c] for c in copied} | shifted
            if t.clean(r, b_pk, {**b, **values}):
                return t.update(b_pk, values)
    return "no pair of rows whose copy breaks this rule alone (another rule refuses it first)"


def _overlapping(a: Mapping[str, Any], rng: list[str]) -> list[dict[str, Any]]:
    """Ranges that overlap row A's: its own, and half of its length later or earlier (so
    that a unique key on the start is not repeated too)."""
    if not rng:
        return [{}]
    s, e = (_from_text(a[c]) for c in rng)
    out: list[dict[str, Any]] = [{}]
    try:
        half = (e - s) / 2 if not isinstance(s, int) else (e - s) // 2
        if isinstance(s, date) and not isinstance(s, datetime):
            half = timedelta(days=half.days) if half.days else None
    except TypeError:  # not a range of numbers, dates or times: the range itself only
        return out
    if half:
        for step in (half, -half):
            out.append({rng[0]: _like(a[rng[0]], s + step), rng[1]: _like(a[rng[1]], e + step)})
    return out


def _from_text(v: Any) -> Any:
    """ISO 8601 text (SQLite's dates and timestamps) as a date or datetime; else ``v``."""
    if not isinstance(v, str):
        return v
    try:
        return date.fromisoformat(v) if len(v) == 10 else datetime.fromisoformat(v)
    except ValueError:
        return v


def _like(original: Any, v: Any) -> Any:
    """``v`` written as ``original`` is (ISO text where it was text)."""
    if not isinstance(original, str):
        return v
    return v.isoformat() if len(original) == 10 else v.isoformat(" ")


# ---- transitions -----------------------------------------------------------------------------


def forbidden_move(r: RulePlan, before: Any, after: Any) -> bool:
    """Whether a transition rule refuses moving its field from ``before`` to ``after``."""
    if before is None or after is None or before == after or r.moves is None:
        return False
    return after not in r.moves.get(str(before), ())


def _transition_write(t: _Table, r: RulePlan) -> Write:
    """A row's field moved to a state its current state may not move to (a state the rule or
    the field's values name), the other rules kept."""
    assert r.moves is not None
    col = r.columns[r.key[0]]
    kind = field_kinds(t.spec, r.entity)[r.key[0]]
    states = [*dict.fromkeys([*kind.values, *r.moves, *(s for v in r.moves.values() for s in v)])]
    for pk, row in t.sample:
        for to in states:
            if forbidden_move(r, row[col], to) and t.clean(r, pk, {**row, col: to}):
                return t.update(pk, {col: to})
    return "no row whose state has a move the rule forbids"


# ---- check digits ----------------------------------------------------------------------------


def _check_digit_write(t: _Table, r: RulePlan) -> Write:
    """A row's code with its check digit one off (the format still right)."""
    col = r.columns[r.key[0]]
    for pk, row in t.sample:
        v = row[col]
        if isinstance(v, str) and len(v) >= 13 and v[-1].isdigit():
            wrong = v[:-1] + str((int(v[-1]) + 1) % 10)
            if t.clean(r, pk, {**row, col: wrong}):
                return t.update(pk, {col: wrong})
    return "no row holds a code to change"


def _pattern_write(t: _Table, r: RulePlan) -> Write:
    """A row's value changed, its length kept, so that the pattern no longer matches."""
    assert r.pattern is not None
    col = r.columns[r.key[0]]
    regex = re.compile(r.pattern)
    for pk, row in t.sample:
        v = row[col]
        if not isinstance(v, str) or not v:
            continue
        for wrong in (f"~{v[1:]}", f"{v[:-1]}~", f"!{v[1:]}", v[:-1] + " "):
            if not regex.fullmatch(wrong) and t.clean(r, pk, {**row, col: wrong}):
                return t.update(pk, {col: wrong})
    return "no row holds a value to change"


# ---- sums per parent -------------------------------------------------------------------------


def _sum_write(t: _Table, r: RulePlan) -> Write:
    """One counted row's value changed (so its parent's rows no longer sum to the rule's
    value), then the deferred check run at once (``SET CONSTRAINTS ALL IMMEDIATE``): the
    proof's transaction is rolled back, never reaching the COMMIT the check waits for. The
    two statements go as one text with the values written in."""
    s = spec_rule(t.spec, r)
    col, per = r.columns[s.field], r.columns[s.per]
    for pk, row in t.sample:
        v = row[col]
        if row[per] is None or v is None or _holds(r, row) is not True:
            continue
        for wrong in (v * 2, v + 1, -v):
            if wrong != v and t.clean(r, pk, {**row, col: wrong}):
                q = t.q
                where = " AND ".join(
                    f"{q(c)} = {_literal(x)}" for c, x in zip(t.pk, pk, strict=True)
                )
                sql = f"UPDATE {t.sql} SET {q(col)} = {_literal(wrong)} WHERE {where}"
                shown = t.update(pk, {col: wrong})[2]
                return f"{sql}; {CHECK_NOW}", (), f"{shown}; {CHECK_NOW}"
    return "no row the rule counts whose value can change and keep the other rules"


# ---- bounded children ------------------------------------------------------------------------


def _at_most_write(t: _Table, r: RulePlan) -> Write:
    """The parent with the most counted children takes enough counted children of other
    parents to pass its bound by one, in one UPDATE (the trigger counts row by row)."""
    col = r.columns[r.key[0]]
    q = t.q
    where = f"{q(col)} IS NOT NULL" + (f" AND ({t.condition_sql(r)})" if r.condition else "")
    top = t.server.fetch(
        t.conn,
        f"SELECT {q(col)}, count(*) FROM {t.sql} WHERE {where} GROUP BY {q(col)} "
        f"ORDER BY count(*) DESC, {q(col)} LIMIT 1",
    )
    if not top:
        return "no row meets the rule's condition"
    parent, have = top[0][0], int(top[0][1])
    need = r.limit - have + 1
    pool = t.sample
    spread = [k for k in t.unique_keys if col in k and len(k) > 1]
    if spread and len(t.pk) == 1 and need > 0:
        # a unique key with the parent (a shipment's lines by product): one row per value
        # of its other columns, so the movers can all join the parent
        others = ", ".join(q(c) for c in spread[0] if c != col)
        pk = q(t.pk[0])
        pool = t.rows(
            f"{pk} IN (SELECT min({pk}) FROM {t.sql} WHERE {q(col)} <> ? GROUP BY {others})",
            (parent,),
            max(SAMPLE_ROWS, 4 * need),
        )
    movers = [
        (pk, row)
        for pk, row in pool
        if row[col] is not None and row[col] != parent and _holds(r, row) is True
    ]
    movers = [(pk, row) for pk, row in movers if t.clean(r, pk, {**row, col: parent})]
    movers = _keep_unique_keys(t, col, parent, movers)[:need]
    if need < 1 or len(movers) < need or len(t.pk) != 1:
        return f"fewer than {need} rows of the sample could move to one parent"
    ids = [pk[0] for pk, _ in movers]
    marks = ", ".join("?" for _ in ids)
    sql = f"UPDATE {t.sql} SET {q(col)} = ? WHERE {q(t.pk[0])} IN ({marks})"
    shown = (
        f"UPDATE {t.sql} SET {col} = {_literal(parent)} WHERE {t.pk[0]} IN "
        f"({', '.join(_literal(i) for i in ids)})"
    )
    return sql, (parent, *ids), shown


def _keep_unique_keys(
    t: _Table, col: str, parent: Any, movers: list[tuple[tuple[Any, ...], Any]]
) -> list[tuple[tuple[Any, ...], Any]]:
    """The movers that can all join ``parent`` without repeating a unique key that includes
    ``col`` (a shipment's lines are unique by product): their other key columns differ from
    each other's and from those of the parent's rows (read from the server)."""
    for key in (k for k in t.unique_keys if col in k and len(t.pk) == 1):
        others = [c for c in key if c != col]
        cols = ", ".join(t.q(c) for c in others)
        taken = {
            tuple(x)
            for x in t.server.fetch(
                t.conn, f"SELECT {cols} FROM {t.sql} WHERE {t.q(col)} = ?", (parent,)
            )
        }
        kept = []
        for mover in movers:
            mine = tuple(mover[1][c] for c in others)
            if mine not in taken:
                taken.add(mine)
                kept.append(mover)
        movers = kept
    return movers


# ---- checks ----------------------------------------------------------------------------------


def _check_write(t: _Table, r: RulePlan) -> Write:
    """A row with one or two of the check's columns changed so that it is false (and every
    other rule still holds)."""
    assert r.condition is not None
    node = X.parse(r.condition)
    cols = dict(r.columns)
    fields = [f for f in cols if cols[f] not in t.pk]
    constants = [lit.value for lit in X.literals(node)]
    samples = [{f: row[cols[f]] for f in cols} for _pk, row in t.sample]
    seen = {f: next((type(s[f]) for s in samples if s[f] is not None), None) for f in cols}
    kinds = field_kinds(t.spec, r.entity)
    types: dict[str, Any] = {f: seen[f] or _KIND_TYPES.get(kinds[f].kind) for f in cols}
    space = _Space(samples, constants, types, {f: kinds[f] for f in cols})
    for (pk, row), values in zip(t.sample, samples, strict=True):
        for change in space.changes(values, fields):
            try:
                if X.evaluate(node, {**values, **change}) is not False:
                    continue
            except (ZeroDivisionError, TypeError, ValueError, ArithmeticError):
                continue
            by_column = {cols[f]: v for f, v in change.items()}
            if t.queries > MAX_QUERIES:
                break
            if t.clean(r, pk, {**row, **by_column}):
                return t.update(pk, by_column)
    return "no values found in the data that make the check false and keep the other rules"


class _Space:
    """The values a check's violating write may give each field: of the field's kind only
    (an enum's own values; a time, another time of the row or a day past it; a number, the
    row's numbers, the check's constants and a step past them), as the field's values are
    in Python."""

    def __init__(
        self,
        samples: list[dict[str, Any]],
        constants: list[Any],
        types: Mapping[str, Any],
        kinds: Mapping[str, X.FieldKind],
    ) -> None:
        self.samples, self.constants, self.types, self.kinds = samples, constants, types, kinds

    def changes(self, row: Mapping[str, Any], fields: list[str]) -> Iterator[dict[str, Any]]:
        """Changes of one field, then of two, to candidate values."""
        cands = {f: self.candidates(f, row) for f in fields}
        for f in fields:
            for v in cands[f]:
                yield {f: v}
        for f, g in itertools.combinations(fields, 2):
            for v, w in itertools.product(cands[f][:8], cands[g][:8]):
                yield {f: v, g: w}

    def candidates(self, f: str, row: Mapping[str, Any]) -> list[Any]:
        kind = self.kinds[f]
        alike = [v for g, v in row.items() if self.kinds[g].kind == kind.kind and g != f]
        if kind.kind == "enum":
            pool: list[Any] = list(kind.values)
        elif kind.kind in ("text", "reference", "uuid"):
            pool = [c for c in self.constants if isinstance(c, str)] + alike
        else:
            pool = [x for v in [*self.constants, *alike] for x in _near(v)]
        if kind.kind in ("timestamp", "date", "time"):  # text only where it is ISO 8601
            pool = [v for v in pool if not isinstance(v, str) or _from_text(v) is not v]
        pool += [s[f] for s in self.samples[:20]]
        return _distinct(pool, self.types[f], row[f])


def _distinct(pool: list[Any], kind: Any, own: Any) -> list[Any]:
    """The values of ``pool`` that are of ``kind`` (converted), but ``own``, once each."""
    out: list[Any] = []
    seen: set[Any] = set()
    for v in pool:
        v = _as(kind, v)
        if v is None or v == own:
            continue
        marker = (type(v).__name__, str(v))
        if marker not in seen:
            seen.add(marker)
            out.append(v)
    return out


def _literal(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool | int | float | Decimal):
        return str(v)
    if isinstance(v, bytes):
        return "0x" + v.hex()
    return "'" + str(v).replace("'", "''") + "'"


def _near(v: Any) -> list[Any]:
    if isinstance(v, bool) or v is None:
        return [v]
    if isinstance(v, int | Decimal):
        return [v, v + 1, v - 1, v * 2, -v, 0]
    if isinstance(v, float):
        return [v, v + 1.0, v - 1.0, v * 2, -v, 0.0]
    if isinstance(v, datetime | date):
        return [v, v + timedelta(days=1), v - timedelta(days=1)]
    return [v]


# what a field of each kind may hold, when the sample has no value of it
_KIND_TYPES: dict[str, tuple[type, ...]] = {
    "number": (int, float, Decimal),
    "timestamp": (datetime,),
    "date": (date,),
    "text": (str,),
    "enum": (str,),
    "boolean": (bool,),
    "reference": (int,),
}


def _as(kind: Any, v: Any) -> Any:
    """``v`` as a value of the field's Python type (None: cannot be, or no type known)."""
    if kind is None:
        return None
    if isinstance(kind, tuple):
        return v if isinstance(v, kind) and (bool in kind or not isinstance(v, bool)) else None
    if isinstance(v, kind) and not (isinstance(v, bool) and kind is not bool):
        return v
    if kind in (int, float, Decimal) and isinstance(v, int | float | Decimal):
        if kind is int and isinstance(v, float | Decimal) and v != int(v):
            return None
        return kind(str(v)) if kind is Decimal else kind(v)
    if kind in (datetime, date) and isinstance(v, str):
        try:
            if kind is datetime:
                return datetime.fromisoformat(v.replace("Z", "+00:00"))
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None
