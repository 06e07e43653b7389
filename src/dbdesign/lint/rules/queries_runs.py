"""Query lint: patterns in the runs a log recorded (QRY009)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from dbdesign.lint.findings import Hit
from dbdesign.lint.query import QueryContext, QueryRun, query_rule

# The same query this many times in one transaction, or this many times within one second
# in one session, is an N+1 pattern (see the rule's rationale for why these numbers).
PER_TRANSACTION = 5
PER_SECOND = 10
WINDOW_MS = 1000.0


def _burst(runs: Sequence[QueryRun]) -> tuple[int, QueryRun | None]:
    """The most runs within WINDOW_MS in one session, and the first run of that burst."""
    by_session: dict[str, list[QueryRun]] = defaultdict(list)
    for r in runs:
        by_session[r.session].append(r)
    best, first = 0, None
    for rs in by_session.values():
        rs.sort(key=lambda r: r.at_ms)
        lo = 0
        for hi, r in enumerate(rs):
            while r.at_ms - rs[lo].at_ms >= WINDOW_MS:
                lo += 1
            if hi - lo + 1 > best:
                best, first = hi - lo + 1, rs[lo]
    return best, first


@query_rule("QRY009", "n-plus-one", "warning")
def n_plus_one(ctx: QueryContext) -> Iterator[Hit]:
    """The same SELECT runs over and over in one transaction or one session: an N+1 pattern.

    Rationale: Loading a list and then one query per item (each post's author, each order's
    lines) costs a network round trip and a statement per item: 100 items make 101 queries
    where 2 would do, and the page's time grows with the list. ORM tools flag a repeat as soon
    as it happens twice from the same line of code (Prosopite's default `min_n_queries` is
    2; Bullet reports any lazy association load on more than one record); a log has no call
    site, and two lookups of the same kind in one transaction are often two different
    things, so the rule asks for more: the same query fingerprint 5 or more times in one
    transaction, or 10 or more times within one second in one session. Needs the runs of a
    log (`advise` with a PostgreSQL log); the fingerprint ignores parameter values.

    Bad:
        SELECT id, name FROM authors WHERE id = $1;  -- once per post, 20 times a page

    Good:
        SELECT id, name FROM authors WHERE id = ANY($1);  -- every post's author at once

    Fix: Fetch the rows for all items in one query (`WHERE id = ANY($1)` with an array of
    the ids, or a JOIN), or let the ORM load them eagerly: Rails `includes`/`preload`,
    Django `select_related`/`prefetch_related`, Hibernate `JOIN FETCH` or `@BatchSize`.
    """
    if not ctx.runs or ctx.kind != "SelectStmt":
        return
    per_tx = Counter((r.session, r.transaction) for r in ctx.runs if r.transaction is not None)
    worst = max(per_tx.values(), default=0)
    many = sum(1 for n in per_tx.values() if n >= PER_TRANSACTION)
    burst, first = _burst(ctx.runs)
    top = next((b for b in ctx.blocks if b.role == "top"), None)
    tables = [r.key or r.name for r in (top.relations if top else []) if r.kind == "table"]
    what = ", ".join(tables) or "query"
    if worst >= PER_TRANSACTION:
        yield Hit(
            what,
            f"the same query ran {worst} times in one transaction ({many} transaction"
            f"{'s' if many != 1 else ''} with {PER_TRANSACTION} or more): an N+1 pattern",
        )
    elif burst >= PER_SECOND:
        at = f" (from {first.origin})" if first is not None and first.origin else ""
        yield Hit(
            what,
            f"the same query ran {burst} times within one second in one session{at}: an N+1 "
            "pattern",
        )
