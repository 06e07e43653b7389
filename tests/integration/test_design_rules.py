"""Business rules of a spec, enforced and proved on each server: the embedded PostgreSQL 16, the
machine's PostgreSQL 15, SQLite and MariaDB ($DBDESIGN_TEST_MYSQL_URL).

For each rule a write that breaks it is refused by the rule's own constraint or trigger, and a
write that keeps it is accepted; the booking and library examples are proved on every server,
each rule broken on purpose by the proof and refused.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from dbdesign import engine
from dbdesign.databases import target
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove, server_for
from dbdesign.design.prove_server import qmarks
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.paths import ROOT
from tests.proofs import plan_problems

SERVERS = ["embedded", "pg15", "sqlite", "mysql"]
DIALECT = {"embedded": "postgres", "pg15": "postgres", "sqlite": "sqlite", "mysql": "mysql"}

SPEC = """\
version: 1
project: {name: rules}
entities:
  room:
    attributes:
      name: {type: text, required: true}
  booking:
    attributes:
      starts_at: {type: timestamp, required: true}
      ends_at: {type: timestamp, required: true}
      status: {type: enum, values: [held, cancelled], required: true}
      price: {type: money, currency: EUR, required: true}
      discount: {type: money, currency: EUR}
    no_overlap:
      - {range: [starts_at, ends_at], per: [room], where: "status <> 'cancelled'", name: room_free}
    checks:
      - {check: ends_at > starts_at, name: ends_after_start}
      - {check: discount <= price / 2, name: half_price_at_most}
  loan:
    attributes:
      returned_at: timestamp
    unique:
      - {columns: [room], where: returned_at is null, name: one_open}
relationships:
  - {type: one-to-many, parent: room, child: booking}
  - {type: one-to-many, parent: room, child: loan}
"""


def url_of(server: str) -> str | None:
    if server == "sqlite":
        return None
    if server == "mysql":
        from tests.mysqlload import mysql_server_url

        return mysql_server_url()
    return server_url(server)


class Db:
    """A scratch database with a design applied: writes committed or tried (rolled back)."""

    def __init__(self, server: Any, conn: Any) -> None:
        self.server, self.conn = server, conn

    def run(self, sql: str, *params: Any) -> None:
        """Commit a write (``?`` placeholders)."""
        if isinstance(self.conn, sqlite3.Connection):
            self.conn.execute(sql, params)
        elif hasattr(self.conn, "cursor") and not hasattr(self.conn, "pgconn"):
            with self.conn.cursor() as cur:
                cur.execute(qmarks(sql, "%s"), params)
        else:
            self.conn.execute(qmarks(sql, "%s"), params)

    def attempt(self, sql: str, *params: Any) -> str | None:
        """The server's refusal of a write, rolled back either way (None: accepted)."""
        return self.server.attempt(self.conn, sql, params)

    def ids(self, table: str) -> list[Any]:
        return [r[0] for r in self.server.fetch(self.conn, f"SELECT id FROM {table} ORDER BY id")]


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


BOOK = (
    "INSERT INTO bookings (room_id, starts_at, ends_at, status, price, discount) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
AT_10, AT_1030, AT_11, AT_1130 = (
    f"2024-05-01 {t}:00" for t in ("10:00", "10:30", "11:00", "11:30")
)


def test_no_overlap_per_key(db: Db) -> None:
    db.run("INSERT INTO rooms (name) VALUES ('a'), ('b')")
    a, b = db.ids("rooms")
    db.run(BOOK, a, "2024-05-01 10:00:00", "2024-05-01 11:00:00", "held", 100, None)
    overlap = db.attempt(BOOK, a, "2024-05-01 10:30:00", "2024-05-01 11:30:00", "held", 100, None)
    assert overlap is not None and "ex_bookings_room_free" in overlap, overlap
    # [start, end): the next meeting may start when the last ends; another room is free;
    # a cancelled booking holds no room
    db.run(BOOK, a, "2024-05-01 11:00:00", "2024-05-01 12:00:00", "held", 100, None)
    assert (
        db.attempt(BOOK, b, "2024-05-01 10:30:00", "2024-05-01 11:30:00", "held", 1, None) is None
    )
    assert (
        db.attempt(BOOK, a, "2024-05-01 10:30:00", "2024-05-01 11:30:00", "cancelled", 1, None)
        is None
    )
    # an update that moves a booking onto another is refused too; moving it later is not
    second = db.ids("bookings")[1]
    moved = db.attempt(
        "UPDATE bookings SET starts_at = ? WHERE id = ?", "2024-05-01 10:59:00", second
    )
    assert moved is not None and "ex_bookings_room_free" in moved, moved
    later = "UPDATE bookings SET ends_at = ? WHERE id = ?"
    assert db.attempt(later, "2024-05-01 13:00:00", second) is None


def test_cross_column_checks(db: Db) -> None:
    db.run("INSERT INTO rooms (name) VALUES ('a')")
    (a,) = db.ids("rooms")
    backwards = db.attempt(BOOK, a, "2024-05-01 10:00:00", "2024-05-01 10:00:00", "held", 100, None)
    assert backwards is not None and "chk_bookings_ends_after_start" in backwards, backwards
    # discount <= price / 2, divided exactly on every server (101 / 2 is 50.5, not 50)
    too_much = db.attempt(BOOK, a, "2024-05-01 10:00:00", "2024-05-01 11:00:00", "held", 101, 51)
    assert too_much is not None and "chk_bookings_half_price_at_most" in too_much, too_much
    half = db.attempt(BOOK, a, "2024-05-01 10:00:00", "2024-05-01 11:00:00", "held", 101, 50.5)
    assert half is None
    no_discount = db.attempt(BOOK, a, "2024-05-01 10:00:00", "2024-05-01 11:00:00", "held", 1, None)
    assert no_discount is None  # unknown holds, as in SQL


def test_unique_where_a_condition_holds(db: Db) -> None:
    db.run("INSERT INTO rooms (name) VALUES ('a'), ('b')")
    a, b = db.ids("rooms")
    loan = "INSERT INTO loans (room_id, returned_at) VALUES (?, ?)"
    db.run(loan, a, None)
    second = db.attempt(loan, a, None)
    assert second is not None, "a second open loan of one room was accepted"
    assert any(s in second for s in ("uq_loans_one_open", "loans.room_id")), second
    assert db.attempt(loan, a, "2024-05-02 09:00:00") is None  # returned loans repeat freely
    assert db.attempt(loan, b, None) is None
    db.run(loan, a, "2024-05-02 09:00:00")
    returned = db.ids("loans")[1]
    reopen = db.attempt("UPDATE loans SET returned_at = NULL WHERE id = ?", returned)
    assert reopen is not None and any(s in reopen for s in ("uq_loans_one_open", "loans.room_id"))


def test_the_integer_key_needs_no_btree_gist() -> None:
    """The embedded PostgreSQL 16 is built without the contrib modules: no btree_gist. The
    room key is compared as a one-point range, which core GiST indexes; only a key of another
    type asks for btree_gist."""
    with engine.connect(server_url("embedded"), autocommit=True) as conn:
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
    assert "btree_gist" not in available
    d = design(S.loads(SPEC))
    assert "btree_gist" not in d.schema.extensions
    text_key = SPEC.replace("per: [room]", "per: [status]").replace(
        ", where: \"status <> 'cancelled'\"", ""
    )
    d2 = design(S.loads(text_key))
    assert "btree_gist" in d2.schema.extensions
    ex = d2.schema.tables["public.bookings"].exclusions["ex_bookings_room_free"]
    assert (ex.elements[0].element.column, ex.elements[0].operator) == ("status", "=")


def test_a_text_key_overlap_needs_btree_gist(pg_scratch: str) -> None:
    """A key that is not an integer is compared with btree_gist's =: PostgreSQL 15 has the
    extension and refuses the overlap; the embedded server has not, and the migration says
    what it lacks."""
    text_key = SPEC.replace("per: [room]", "per: [status]").replace(
        ", where: \"status <> 'cancelled'\"", ""
    )
    sql = schema_sql(design(S.loads(text_key)).schema)
    book = (
        "INSERT INTO bookings (room_id, starts_at, ends_at, status, price) "
        "VALUES (1, '2024-05-01 {}', '2024-05-01 {}', 'held', 1)"
    )
    with engine.connect(pg_scratch, autocommit=True) as conn:
        has = conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'btree_gist'"
        ).fetchone()[0]
        if has:
            conn.execute(sql.encode())
            conn.execute("INSERT INTO rooms (name) VALUES ('a')")
            conn.execute(book.format("10:00", "11:00"))
            with pytest.raises(Exception, match="ex_bookings_room_free"):
                conn.execute(book.format("10:30", "11:30"))
        else:
            with pytest.raises(Exception, match="btree_gist"):
                conn.execute(sql.encode())


def test_mysql_overlap_trigger_serialises_writers_of_one_room() -> None:
    """Two transactions booking one room at once: the second waits for the first's lock on the
    room's row, then sees its booking and is refused (READ COMMITTED)."""
    from tests.mysqlload import mysql_server_url

    d = design(S.loads(SPEC), "mysql")
    with engine.mysql_scratch_database(mysql_server_url()) as url:
        first = engine.connect_mysql(url, autocommit=True)
        second = engine.connect_mysql(url, autocommit=True)
        try:
            server = server_for(target(url), "mysql")
            server.apply(first, schema_sql(d.schema))
            with first.cursor() as cur:
                cur.execute("INSERT INTO rooms (name) VALUES ('a')")
            for c in (first, second):
                with c.cursor() as cur:
                    cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cur.execute("SET SESSION innodb_lock_wait_timeout = 60")
            book = qmarks(BOOK, "%s")
            first.begin()
            with first.cursor() as cur:
                cur.execute(book, (1, "2024-05-01 10:00", "2024-05-01 11:00", "held", 1, None))
            outcome: list[str] = []

            def other() -> None:
                second.begin()
                try:
                    with second.cursor() as cur:
                        cur.execute(
                            book, (1, "2024-05-01 10:30", "2024-05-01 11:30", "held", 1, None)
                        )
                    second.commit()
                    outcome.append("accepted")
                except Exception as e:
                    second.rollback()
                    outcome.append(str(e))

            t = threading.Thread(target=other)
            t.start()
            t.join(timeout=2)
            assert t.is_alive() and not outcome, "the second writer did not wait for the room"
            first.commit()
            t.join(timeout=60)
            assert outcome and "ex_bookings_room_free" in outcome[0], outcome
        finally:
            first.close()
            second.close()


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("example", ["booking", "library"])
def test_example_rules_are_proved(example: str, server: str) -> None:
    d = design(S.load(ROOT / "examples" / f"{example}.yaml"), DIALECT[server])
    assert d.rules and all(r.enforced for r in d.rules)
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert [r.rule for r in proof.rules] == [r.name for r in d.rules]
    for r in proof.rules:
        assert r.tried and r.refused and r.by_rule, (r.rule, r.write, r.error, r.note)
    assert not [p for p in proof.problems if p.startswith("rule ")]
