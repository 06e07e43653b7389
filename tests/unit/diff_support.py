"""Helpers for the diff tests: load SQL into scratch databases, apply a plan as a runner would,
and check the convergence property (the result equals the target; a second diff is empty)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dbdesign.diff import Plan, diff_schemas
from dbdesign.engine import connect, scratch_database
from dbdesign.migrate.compare import schema_differences
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from tests.conftest import server_url
from tests.pgload import load_sql


def apply_plan(url: str, plan: Plan) -> None:
    """Run the statements in order: runs of transactional ones in one transaction each, the
    others in autocommit (what the interface promises is enough)."""
    with connect(url, autocommit=True) as conn:
        batch: list[str] = []

        def flush() -> None:
            if batch:
                with conn.transaction():
                    for sql in batch:
                        conn.execute(sql.encode())
                batch.clear()

        for st in plan.statements():
            if st.transactional:
                batch.append(st.sql)
            else:
                flush()
                conn.execute(st.sql.encode())
        flush()


@contextmanager
def loaded(server: str, *scripts: str) -> Iterator[list[str]]:
    """One scratch database per script on the test server ``server`` (embedded or pg15)."""
    base = server_url(server)
    urls: list[str] = []
    with _many(base, len(scripts)) as dbs:
        for url, text in zip(dbs, scripts, strict=True):
            if text.strip():
                load_sql(url, text)
            urls.append(url)
        yield urls


@contextmanager
def _many(base: str, n: int) -> Iterator[list[str]]:
    if n == 0:
        yield []
        return
    with scratch_database(base) as url, _many(base, n - 1) as rest:
        yield [url, *rest]


def converge(server: str, a_sql: str, b_sql: str, **kw: object) -> tuple[Plan, Schema]:
    """Load A and B, apply diff(A, B) to A, require A == B and an empty second diff. Returns
    the plan and the catalog after applying it."""
    with loaded(server, a_sql, b_sql) as (ua, ub):
        cat_a, cat_b = read_catalog(ua), read_catalog(ub)
        plan = diff_schemas(cat_a, cat_b, **kw)  # type: ignore[arg-type]
        try:
            apply_plan(ua, plan)
        except Exception as e:
            raise AssertionError(f"applying the plan failed: {e}\n{plan.sql()}") from e
        after = read_catalog(ua)
    differences = schema_differences(after, cat_b)
    assert not differences, "after applying the plan:\n" + "\n".join(map(str, differences))
    again = diff_schemas(after, cat_b)
    assert again.is_empty, "a second diff is not empty:\n" + again.text()
    return plan, after
