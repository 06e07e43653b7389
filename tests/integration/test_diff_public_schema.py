"""A side without a ``public`` schema has the one every new database has (PostgreSQL 15+:
USAGE to PUBLIC, "standard public schema"): a diff from an empty model (``Schema()``) to a
schema that comments on ``public`` or revokes its default grant states both, and a diff back
to an empty model restores them. (The plan used to skip ``public`` whenever one side lacked
it, so its grants and comment were lost.)"""

from __future__ import annotations

from dbdesign import engine
from dbdesign.diff import diff_schemas
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from tests.unit.diff_support import apply_plan

TARGET = """
COMMENT ON SCHEMA public IS 'the application';
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE TABLE t (id integer);
"""


def test_public_schema_from_and_to_an_empty_model(pg_scratch: str) -> None:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(TARGET)
    want = read_catalog(pg_scratch).namespaces["public"]
    assert want.comment == "the application" and want.grants == frozenset()
    default = None
    with engine.scratch_database(pg_scratch) as fresh:
        default = read_catalog(fresh).namespaces["public"]
        plan = diff_schemas(Schema(), read_catalog(pg_scratch))
        assert "COMMENT ON SCHEMA public" in plan.sql()
        assert "REVOKE USAGE ON SCHEMA public FROM PUBLIC" in plan.sql()
        apply_plan(fresh, plan)
        assert read_catalog(fresh).namespaces["public"] == want
    back = diff_schemas(read_catalog(pg_scratch), Schema())
    apply_plan(pg_scratch, back)
    assert read_catalog(pg_scratch).namespaces["public"] == default
