"""The ledger example and sums per parent on each server (embedded PostgreSQL 16, PostgreSQL
15, SQLite, MariaDB): on PostgreSQL the rule's deferred constraint trigger accepts an entry whose
lines balance at COMMIT and refuses, at COMMIT, one that does not (lines inserted, an amount
changed, a line deleted, a line moved to another entry); MySQL / MariaDB and SQLite leave the
rule to the application, saying why. The example is proved on every server: each rule the
server keeps is broken on purpose and refused by its own constraint or trigger, the sum
application-enforced where the dialect has no check at COMMIT."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dbdesign import engine
from dbdesign.databases import target
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove, server_for
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, Db, url_of
from tests.paths import ROOT
from tests.proofs import plan_problems

SPEC = """\
version: 1
project: {name: books}
entities:
  entry:
    attributes:
      memo: {type: text, required: true}
  posting:
    attributes:
      amount: {type: money, required: true}
      void: {type: boolean, required: true, default: false}
    checks:
      - {check: amount <> 0, name: nonzero}
    sums:
      - {field: amount, per: entry, equals: 0, where: void = false, name: balanced}
relationships:
  - {type: one-to-many, parent: entry, child: posting, on_delete: cascade}
"""
RULE = "trg_postings_balanced"
POSTING = "INSERT INTO postings (entry_id, amount) VALUES (?, ?)"


@pytest.fixture(params=["embedded", "pg15"])
def pg(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A scratch PostgreSQL database with the spec's design, in autocommit: a test opens its
    transactions itself."""
    d = design(S.loads(SPEC))
    url = url_of(request.param)
    server = server_for(target(url) if url else None, d.dialect)
    with server.scratch(url or "") as scratch, engine.connect(scratch, autocommit=True) as conn:
        conn.execute(schema_sql(d.schema).encode())
        conn.execute("INSERT INTO entries (memo) VALUES ('rent'), ('sale')")
        yield conn


def commit(conn: Any, *writes: tuple[str, tuple[Any, ...]]) -> str | None:
    """The writes in one transaction, committed: None, or the refusal (rolled back)."""
    import psycopg

    conn.execute("BEGIN")
    try:
        for sql, params in writes:
            conn.execute(sql.replace("?", "%s"), params)
        conn.execute("COMMIT")
    except psycopg.Error as e:
        conn.execute("ROLLBACK")
        return f"{e.sqlstate} {e.diag.message_primary} {e.diag.message_detail}"
    return None


def postings(conn: Any) -> list[tuple[int, int, Decimal]]:
    return [tuple(r) for r in conn.execute("SELECT id, entry_id, amount FROM postings ORDER BY id")]


def test_balanced_lines_commit_one_at_a_time(pg: Any) -> None:
    """Each line alone leaves the entry off; the check waits for COMMIT, when they balance."""
    assert commit(pg, (POSTING, (1, 100)), (POSTING, (1, -60)), (POSTING, (1, -40))) is None
    assert [a for _, _, a in postings(pg)] == [
        Decimal("100.00"),
        Decimal("-60.00"),
        Decimal("-40.00"),
    ]


def test_unbalanced_lines_are_refused_at_commit(pg: Any) -> None:
    refused = commit(pg, (POSTING, (1, 100)), (POSTING, (1, -60)))
    assert refused is not None and refused.startswith("23514") and RULE in refused, refused
    assert "entry_id 1: its rows sum to 40.00, not 0" in refused
    assert postings(pg) == []
    # the write itself is accepted: only COMMIT (or SET CONSTRAINTS ... IMMEDIATE) checks it
    pg.execute("BEGIN")
    pg.execute("INSERT INTO postings (entry_id, amount) VALUES (1, 5)")
    with pytest.raises(Exception, match=RULE):
        pg.execute(f"SET CONSTRAINTS {RULE} IMMEDIATE")
    pg.execute("ROLLBACK")


def test_changes_that_unbalance_an_entry_are_refused(pg: Any) -> None:
    assert (
        commit(pg, (POSTING, (1, 100)), (POSTING, (1, -100)), (POSTING, (2, 7)), (POSTING, (2, -7)))
        is None
    )
    a, b, c, d = (i for i, _, _ in postings(pg))
    before = postings(pg)
    changed = commit(pg, ("UPDATE postings SET amount = 90 WHERE id = ?", (a,)))
    assert changed is not None and RULE in changed and "entry_id 1" in changed, changed
    deleted = commit(pg, ("DELETE FROM postings WHERE id = ?", (b,)))
    assert deleted is not None and RULE in deleted, deleted
    # a line moved to another entry unbalances both: the one it left is named first or second
    moved = commit(pg, ("UPDATE postings SET entry_id = 2 WHERE id = ?", (a,)))
    assert moved is not None and RULE in moved, moved
    # a void line does not count: voiding one leaves its entry off, voiding both balances it
    voided = commit(pg, ("UPDATE postings SET void = true WHERE id = ?", (c,)))
    assert voided is not None and RULE in voided and "entry_id 2" in voided, voided
    assert commit(pg, ("UPDATE postings SET void = true WHERE id IN (?, ?)", (c, d))) is None
    assert postings(pg) == before
    # changes that keep the sums: amounts moved between lines, a pair moved together, a
    # whole entry deleted (its lines with it)
    assert (
        commit(
            pg,
            ("UPDATE postings SET amount = 130 WHERE id = ?", (a,)),
            ("INSERT INTO postings (entry_id, amount) VALUES (1, -30)", ()),
        )
        is None
    )
    assert commit(pg, ("UPDATE postings SET entry_id = 1 WHERE id IN (?, ?)", (c, d))) is None
    assert commit(pg, ("DELETE FROM entries WHERE id = 1", ())) is None
    assert postings(pg) == []


def test_the_trigger_is_deferred_and_reads_back() -> None:
    d = design(S.loads(SPEC))
    (tr,) = [t for t in d.schema.triggers.values() if t.name == RULE]
    assert (tr.constraint, tr.deferrable, tr.initially_deferred, tr.timing, tr.level) == (
        True,
        True,
        True,
        "AFTER",
        "ROW",
    )
    assert tr.events == ("DELETE", "INSERT", "UPDATE")
    assert set(tr.columns) == {"amount", "entry_id", "void"}
    (rule,) = [r for r in d.rules if r.kind == "sum"]
    assert rule.enforced and rule.objects == (RULE,)


@pytest.fixture(params=["sqlite", "mysql"])
def app_db(request: pytest.FixtureRequest) -> Iterator[tuple[Db, str]]:
    which = request.param
    d = design(S.loads(SPEC), DIALECT[which])
    url = url_of(which)
    server = server_for(target(url) if url else None, d.dialect)
    with server.scratch(url or "") as scratch:
        conn = server.connect(scratch, autocommit=True)
        try:
            server.apply(conn, schema_sql(d.schema))
            yield Db(server, conn), DIALECT[which]
        finally:
            conn.close()


def test_without_a_check_at_commit_the_application_keeps_the_sum(
    app_db: tuple[Db, str],
) -> None:
    """MySQL / MariaDB and SQLite: no trigger of the rule (a row trigger would refuse every
    entry's first line); the rule says what the application does instead, and the query it
    gives finds an entry that is off."""
    db, dialect = app_db
    d = design(S.loads(SPEC), dialect)
    (rule,) = [r for r in d.rules if r.kind == "sum"]
    assert not rule.enforced and not rule.objects
    assert "waits for COMMIT" in rule.reason and "in one transaction" in rule.reason
    # MySQL: writers of one entry take turns on its row; SQLite has one writer at a time
    assert ("SELECT ... FOR UPDATE" in rule.reason) == (dialect == "mysql")
    assert not any(RULE in t.name for t in d.schema.triggers.values())
    db.run("INSERT INTO entries (memo) VALUES ('rent')")
    db.run(POSTING, 1, 100)  # one line alone is accepted: the server does not check
    query = rule.reason.split("`")[1].replace("IN (...)", "IN (1)")
    found = db.server.fetch(db.conn, query)
    assert [r[0] for r in found] == [1]
    db.run(POSTING, 1, -100)
    assert db.server.fetch(db.conn, query) == []


@pytest.mark.parametrize("server", SERVERS)
def test_ledger_example_is_proved(server: str) -> None:
    d = design(S.load(ROOT / "examples" / "ledger.yaml"), DIALECT[server])
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert [r.rule for r in proof.rules] == [r.name for r in d.rules]
    by_kind = {r.name: r.kind for r in d.rules}
    assert sorted(set(by_kind.values())) == [
        "at_most",
        "check",
        "pattern",
        "sum",
        "transition",
        "unique",
    ]
    for r in proof.rules:
        if by_kind[r.rule] == "sum" and server in ("sqlite", "mysql"):
            assert r.verdict == "APPLICATION-ENFORCED", (r.rule, r.note)
            assert "waits for COMMIT" in r.note
        else:
            assert r.verdict == "REJECTED", (r.rule, r.write, r.error, r.note)
    summed = next(r for r in proof.rules if by_kind[r.rule] == "sum")
    if server in ("embedded", "pg15"):
        assert summed.write.endswith("; SET CONSTRAINTS ALL IMMEDIATE"), summed.write
        assert summed.error.startswith("23514"), summed.error
    assert not [p for p in proof.problems if p.startswith("rule ")]
