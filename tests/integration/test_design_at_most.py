"""Bounded children on each server (embedded PostgreSQL 16, PostgreSQL 15, SQLite, MariaDB):
the N+1th counted child of a parent is refused by the rule's trigger, on insert and on update,
while children that do not count, and other parents' children, are accepted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dbdesign.databases import target
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import server_for
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, Db, url_of

SPEC = """\
version: 1
project: {name: lending}
entities:
  member:
    attributes:
      name: {type: text, required: true}
  loan:
    attributes:
      returned_at: timestamp
relationships:
  - type: one-to-many
    parent: member
    child: loan
    at_most: {count: 2, where: returned_at is null, name: two_open}
"""
RULE = "trg_loans_two_open"
LOAN = "INSERT INTO loans (member_id, returned_at) VALUES (?, ?)"
BACK = "2024-05-02 09:00:00"


@pytest.fixture(params=SERVERS)
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    which = request.param
    d = design(S.loads(SPEC), DIALECT[which])
    url = url_of(which)
    server = server_for(target(url) if url else None, d.dialect)
    with server.scratch(url or "") as scratch:
        conn = server.connect(scratch, autocommit=True)
        try:
            server.apply(conn, schema_sql(d.schema))
            yield Db(server, conn)
        finally:
            conn.close()


def test_the_child_past_the_bound_is_refused(db: Db) -> None:
    db.run("INSERT INTO members (name) VALUES ('a'), ('b')")
    a, b = db.ids("members")
    db.run(LOAN, a, None)
    db.run(LOAN, a, None)
    third = db.attempt(LOAN, a, None)
    assert third is not None and RULE in third, third
    # returned loans do not count; another member has room
    assert db.attempt(LOAN, a, BACK) is None
    assert db.attempt(LOAN, b, None) is None
    db.run(LOAN, a, BACK)
    db.run(LOAN, b, None)
    returned, other = db.ids("loans")[2:4]
    # reopening a returned loan, or moving another member's open loan over, is the third
    reopen = db.attempt("UPDATE loans SET returned_at = NULL WHERE id = ?", returned)
    assert reopen is not None and RULE in reopen, reopen
    moved = db.attempt("UPDATE loans SET member_id = ? WHERE id = ?", a, other)
    assert moved is not None and RULE in moved, moved
    # an update of a counted child that stays counted is not a new child
    first = db.ids("loans")[0]
    assert db.attempt("UPDATE loans SET member_id = ? WHERE id = ?", a, first) is None
    # once one is returned, there is room again
    db.run("UPDATE loans SET returned_at = ? WHERE id = ?", BACK, first)
    assert db.attempt(LOAN, a, None) is None


def test_postgres_writers_of_one_parent_take_turns(pg_scratch: str) -> None:
    """Two transactions adding a member's second and third open loans at once: the second
    waits for the first's lock on the member's row, then counts its loan and is refused."""
    import threading

    from dbdesign import engine

    d = design(S.loads(SPEC))
    with (
        engine.connect(pg_scratch, autocommit=True) as first,
        engine.connect(pg_scratch, autocommit=True) as second,
    ):
        first.execute(schema_sql(d.schema).encode())
        first.execute("INSERT INTO members (name) VALUES ('a')")
        first.execute("INSERT INTO loans (member_id) VALUES (1)")
        first.execute("BEGIN")
        first.execute("INSERT INTO loans (member_id) VALUES (1)")
        outcome: list[str] = []

        def other() -> None:
            try:
                second.execute("BEGIN")
                second.execute("INSERT INTO loans (member_id) VALUES (1)")
                second.execute("COMMIT")
                outcome.append("accepted")
            except Exception as e:
                second.execute("ROLLBACK")
                outcome.append(str(e))

        t = threading.Thread(target=other)
        t.start()
        t.join(timeout=2)
        assert t.is_alive() and not outcome, "the second writer did not wait for the member"
        first.execute("COMMIT")
        t.join(timeout=60)
        assert outcome and RULE in outcome[0], outcome


def test_mysql_writers_of_one_parent_take_turns() -> None:
    """As on PostgreSQL, on MariaDB in READ COMMITTED: the trigger's lock on the member's row
    makes the second writer wait, then its count sees the first's loan."""
    import threading

    from dbdesign import engine
    from tests.mysqlload import mysql_server_url

    d = design(S.loads(SPEC), "mysql")
    with engine.mysql_scratch_database(mysql_server_url()) as url:
        first = engine.connect_mysql(url, autocommit=True)
        second = engine.connect_mysql(url, autocommit=True)
        try:
            server_for(target(url), "mysql").apply(first, schema_sql(d.schema))
            for c in (first, second):
                with c.cursor() as cur:
                    cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cur.execute("SET SESSION innodb_lock_wait_timeout = 60")
            with first.cursor() as cur:
                cur.execute("INSERT INTO members (name) VALUES ('a')")
                cur.execute("INSERT INTO loans (member_id) VALUES (1)")
            first.begin()
            with first.cursor() as cur:
                cur.execute("INSERT INTO loans (member_id) VALUES (1)")
            outcome: list[str] = []

            def other() -> None:
                second.begin()
                try:
                    with second.cursor() as cur:
                        cur.execute("INSERT INTO loans (member_id) VALUES (1)")
                    second.commit()
                    outcome.append("accepted")
                except Exception as e:
                    second.rollback()
                    outcome.append(str(e))

            t = threading.Thread(target=other)
            t.start()
            t.join(timeout=2)
            assert t.is_alive() and not outcome, "the second writer did not wait for the member"
            first.commit()
            t.join(timeout=60)
            assert outcome and RULE in outcome[0], outcome
        finally:
            first.close()
            second.close()
