"""The convergence check for ``dbdesign.diff`` (issue 6), shared by the pair tests
(tests/integration/test_diff_convergence.py) and the property test
(tests/property/test_diff_random.py).

Given a database loaded with schema A and the catalog model of a schema B: apply
``diff_schemas(A, B)`` to the database, read the catalog again and require it to equal B; a
second diff must be empty; then apply ``plan.reverse()`` and require A again.

Column order (docs/diff.md): by default a plan does not rebuild a table only to reach the
target's column order; ``plan.order_left`` names each table it leaves in another order, and the
check requires exactly B with those tables in the announced order (and a second diff that is
empty and announces the same). ``check_default_and_rebuild`` checks a pair whose default plans
leave an order twice: the default plan against the announced order, then ``column_order=True``
(the rebuild) to B itself, reverse included.

Plans are applied the way the interface (docs of the diff engine) says a runner does: consecutive
transactional statements in one transaction, a non-transactional statement in autocommit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg
import pytest

from dbdesign import engine
from dbdesign.migrate.compare import schema_differences
from dbdesign.model import FrozenMap, Schema
from dbdesign.readers.catalog.postgres import read_catalog

ROLES = ("dbdesign_diff_reader", "dbdesign_diff_writer")
_ROLES_MADE: set[str] = set()


def ensure_roles(server: str) -> None:
    """Create the cluster-wide roles the fixtures grant to (once per server and session)."""
    if server in _ROLES_MADE:
        return
    with engine.connect(server, autocommit=True) as conn:
        for role in ROLES:
            conn.execute(
                f"DO $$BEGIN CREATE ROLE {role}; EXCEPTION WHEN duplicate_object OR "
                "unique_violation THEN NULL; END$$"
            )
    _ROLES_MADE.add(server)


def diff_schemas(source: Schema, target: Schema, **kw: Any) -> Any:
    """The engine under test, imported late: until it exists every test fails on the import
    (and collection of the rest of the suite is not interrupted)."""
    from dbdesign.diff import diff_schemas as engine_diff

    return engine_diff(source, target, **kw)


def show_differences(got: Schema, want: Schema, limit: int = 40) -> str:
    diffs = [str(d) for d in schema_differences(want, got)]
    more = f"\n  ... and {len(diffs) - limit} more" if len(diffs) > limit else ""
    return "\n  ".join(d if len(d) < 600 else d[:599] + "…" for d in diffs[:limit]) + more


def plan_text(plan: Any, limit: int = 6000) -> str:
    text = "\n".join(s.sql.rstrip() for s in plan.statements())
    return text if len(text) <= limit else text[:limit] + "\n-- … (truncated)"


def apply_plan(url: str, plan: Any, label: str) -> None:
    """Run the plan's statements against ``url``; a server error fails the test, naming the
    statement and showing the whole plan."""
    statements: Sequence[Any] = plan.statements()
    with engine.connect(url, autocommit=True) as conn:
        i = 0
        while i < len(statements):
            if not statements[i].transactional:
                _run(conn, statements, i, plan, label)
                i += 1
                continue
            with conn.transaction():
                while i < len(statements) and statements[i].transactional:
                    _run(conn, statements, i, plan, label)
                    i += 1


def _run(
    conn: psycopg.Connection, statements: Sequence[Any], i: int, plan: Any, label: str
) -> None:
    sql = statements[i].sql
    try:
        conn.execute(sql.encode())
    except psycopg.Error as e:
        kind = "" if statements[i].transactional else " (non-transactional)"
        pytest.fail(
            f"{label}: statement {i + 1}/{len(statements)}{kind} failed on the server:\n"
            f"  {sql.strip()}\n  -> {type(e).__name__}: {str(e).strip()}\n"
            f"--- the plan ---\n{plan_text(plan)}",
            pytrace=False,
        )


def row_counts(url: str, schema: Schema) -> dict[str, int]:
    """Rows in every table (partitioned parents and partitions alike)."""
    from dbdesign.dialects.postgres import quote_ident

    out = {}
    with engine.connect(url, autocommit=True) as conn:
        for key, t in schema.tables.items():
            name = f"{quote_ident(t.schema)}.{quote_ident(t.name)}"
            out[key] = conn.execute(f"SELECT count(*) FROM ONLY {name}".encode()).fetchone()[0]  # type: ignore[index]
    return out


def renamed_key(key: str, renames: Mapping[str, str]) -> str:
    """The table key after the rename hints (``{"public.old": "new"}``)."""
    if key in renames:
        return f"{key.rsplit('.', 1)[0]}.{renames[key]}"
    return key


def in_order(schema: Schema, orders: Mapping[str, tuple[str, ...]]) -> Schema:
    """``schema`` with the columns of the tables in ``orders`` in the given order (the same
    columns: a plan that left out or added one fails the comparison that follows)."""
    tables = dict(schema.tables)
    for key, names in orders.items():
        t = tables[key]
        by_name = {c.name: c for c in t.columns}
        assert set(names) == set(by_name), (key, names, tuple(by_name))
        tables[key] = dataclasses.replace(t, columns=tuple(by_name[n] for n in names))
    return dataclasses.replace(schema, tables=FrozenMap(tables))


def check_convergence(
    url: str,
    source: Schema,
    target: Schema,
    *,
    renames: Mapping[str, str] | None = None,
    reverse: bool = True,
    rows_kept: bool = False,
    plan_from: tuple[Schema, Schema] | None = None,
    on_plan: Callable[[Any], None] | None = None,
    column_order: bool = False,
) -> None:
    """``url`` holds ``source`` (its catalog model); migrate it to ``target`` and back.

    ``plan_from`` diffs other models of the same two schemas (the DDL reader's) instead.
    ``column_order`` asks the plans for the target's column order (a rebuild); without it a
    table the plan leaves in another order (``plan.order_left``) must be in exactly that order,
    and the reverse is not applied after such a plan (the database is not B; see
    ``check_default_and_rebuild``).
    """
    renames = dict(renames or {})
    order = {"column_order": True} if column_order else {}
    a, b = plan_from or (source, target)
    plan = diff_schemas(a, b, renames=renames, **order) if renames else diff_schemas(a, b, **order)
    if on_plan is not None:
        on_plan(plan)
    assert not plan.is_empty, "the schemas differ but the plan is empty"
    assert not (reverse and plan.order_left), (
        f"the plan leaves a column order, so its reverse does not start from B: {plan.notes}"
    )
    before_rows = row_counts(url, source) if rows_kept else {}

    apply_plan(url, plan, "A -> B")
    after = read_catalog(url)
    want = in_order(target, dict(plan.order_left))
    if after != want:
        pytest.fail(
            "A -> B: after the plan the catalog differs from B (change: B -> catalog; column "
            f"order left as announced: {dict(plan.order_left)}):\n  "
            f"{show_differences(after, want)}\n--- the plan ---\n{plan_text(plan)}",
            pytrace=False,
        )
    again = diff_schemas(after, target, **order)
    assert again.is_empty, f"a second diff is not empty:\n{plan_text(again)}"
    # the second diff announces the order the database is in (nothing, when it is B's)
    assert in_order(target, dict(again.order_left)) == after, again.notes

    if rows_kept:
        after_rows = row_counts(url, after)
        lost = {
            k: (n, after_rows.get(renamed_key(k, renames)))
            for k, n in before_rows.items()
            if renamed_key(k, renames) in after_rows and after_rows[renamed_key(k, renames)] != n
        }
        assert not lost, f"rows lost (table: before, after): {lost}\n{plan_text(plan)}"

    if not reverse:
        return
    back = plan.reverse()
    apply_plan(url, back, "B -> A (plan.reverse())")
    restored = read_catalog(url)
    want = in_order(source, dict(back.order_left))
    if restored != want:
        pytest.fail(
            "plan.reverse() did not bring A back (change: A -> catalog; column order left as "
            f"announced: {dict(back.order_left)}):\n  "
            f"{show_differences(restored, want)}\n--- the reverse plan ---\n{plan_text(back)}",
            pytrace=False,
        )


def check_default_and_rebuild(
    fresh: Callable[[], AbstractContextManager[str]],
    source: Schema,
    target: Schema,
    *,
    renames: Mapping[str, str] | None = None,
    reverse: bool = True,
    rows_kept: bool = False,
) -> None:
    """The convergence check of a pair whose default plans may leave a column order.

    ``fresh()`` gives a new database holding ``source``. The default plan is checked (against
    the order it announces it leaves; reverse included only when the forward plan leaves none,
    since otherwise the database is not B); where the plan or its reverse leaves an order, the
    whole check runs again on a fresh database with ``column_order=True``, to B itself."""
    names = dict(renames or {})
    plan = diff_schemas(source, target, renames=names)
    forward_left = bool(plan.order_left)
    rebuild = forward_left or (reverse and bool(plan.reverse().order_left))
    kw: dict[str, Any] = {"renames": names, "rows_kept": rows_kept}
    with fresh() as url:
        check_convergence(url, source, target, reverse=reverse and not forward_left, **kw)
    if rebuild:
        with fresh() as url:
            check_convergence(url, source, target, reverse=reverse, column_order=True, **kw)
