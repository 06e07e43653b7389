"""Tenant safety of a multi-tenant design, for real on each server: a reference the spec clears
when its parent goes keeps the tenant key (PostgreSQL 15+: ON DELETE SET NULL (col); MariaDB and
SQLite: RESTRICT, the application clears it first), a reference cannot cross tenants, and on
PostgreSQL row-level security is FORCEd so that the tables' owner sees its own tenant only."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from dbdesign.databases import target
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import server_for
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, Db, url_of

SPEC = """\
version: 1
project:
  name: tenancy
  features:
    audit_columns: false
    multi_tenancy: {tenant: team, row_level_security: true}
entities:
  team:
    attributes:
      name: {type: text, required: true}
  member:
    attributes:
      name: {type: text, required: true}
  task:
    attributes:
      title: {type: text, required: true}
relationships:
  - {type: one-to-many, parent: member, child: task, name: assignee, required: false,
     on_delete: set null}
"""
OWNER = "dbdesign_tenant_owner"  # a plain role that owns the tables (tests/conftest.py)


@pytest.fixture(params=SERVERS)
def db(request: pytest.FixtureRequest) -> Iterator[tuple[str, Db]]:
    which = request.param
    d = design(S.loads(SPEC), DIALECT[which])
    url = url_of(which)
    server = server_for(target(url) if url else None, d.dialect)
    with server.scratch(url or "") as scratch:
        conn = server.connect(scratch, autocommit=True)
        try:
            server.apply(conn, schema_sql(d.schema))
            db = Db(server, conn)
            db.run("INSERT INTO teams (name) VALUES ('a'), ('b')")
            db.run("INSERT INTO members (team_id, name) VALUES (1, 'ann'), (2, 'bob')")
            db.run("INSERT INTO tasks (team_id, title, assignee_id) VALUES (1, 't1', 1)")
            yield which, db
        finally:
            conn.close()


def _task(db: Db) -> tuple[object, ...]:
    return tuple(db.server.fetch(db.conn, "SELECT team_id, assignee_id FROM tasks")[0])


def _refused_by_fk(which: str, refusal: str | None) -> bool:
    """SQLite names no foreign key in its refusal; the others name it."""
    name = "FOREIGN KEY constraint failed" if which == "sqlite" else "fk_tasks_assignee_id"
    return refusal is not None and name in refusal


def test_clearing_a_reference_keeps_the_tenant(db: tuple[str, Db]) -> None:
    which, d = db
    crossed = d.attempt("UPDATE tasks SET assignee_id = 2")  # bob belongs to team b
    assert _refused_by_fk(which, crossed), crossed
    if which in ("embedded", "pg15"):  # ON DELETE SET NULL (assignee_id)
        d.run("DELETE FROM members WHERE id = 1")
    else:  # RESTRICT: refused while a task points at ann; the application clears it first
        refused = d.attempt("DELETE FROM members WHERE id = 1")
        assert _refused_by_fk(which, refused), refused
        d.run("UPDATE tasks SET assignee_id = NULL WHERE assignee_id = 1")
        d.run("DELETE FROM members WHERE id = 1")
    assert _task(d) == (1, None)


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_row_level_security_holds_the_owner(server: str) -> None:
    d = design(S.loads(SPEC), "postgres")
    assert all(t.rls_forced for t in d.schema.tables.values() if t.rls_enabled)
    url = url_of(server)
    srv = server_for(target(url) if url else None, d.dialect)
    with srv.scratch(url or "") as scratch, psycopg.connect(scratch, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {OWNER}")
        conn.execute(f"CREATE ROLE {OWNER}")
        try:
            conn.execute(f"GRANT CREATE, USAGE ON SCHEMA public TO {OWNER}")
            conn.execute(f"SET ROLE {OWNER}")
            conn.execute(schema_sql(d.schema))
            conn.execute("RESET ROLE")
            conn.execute("INSERT INTO teams (name) VALUES ('a'), ('b')")
            conn.execute("INSERT INTO members (team_id, name) VALUES (1, 'ann'), (2, 'bob')")
            conn.execute(f"SET ROLE {OWNER}")
            with pytest.raises(psycopg.errors.UndefinedObject, match=r"app\.tenant_id"):
                conn.execute("SELECT name FROM members").fetchall()
            conn.execute("SELECT set_config('app.tenant_id', '2', false)")
            seen = conn.execute("SELECT name FROM members").fetchall()
            assert seen == [("bob",)]
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
                conn.execute("INSERT INTO members (team_id, name) VALUES (1, 'eve')")
        finally:
            conn.execute("RESET ROLE")
            conn.execute(f"DROP OWNED BY {OWNER}")
            conn.execute(f"DROP ROLE {OWNER}")
