"""State transitions on each server (embedded PostgreSQL 16, PostgreSQL 15, SQLite, MariaDB):
a forbidden move is refused by the rule's trigger, an allowed one and a non-move are accepted,
and the proof of the issue tracker example breaks the rule and sees it refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
project: {name: moves}
entities:
  ticket:
    attributes:
      title: {type: text, required: true}
      status: {type: enum, values: [open, in_progress, done, closed], required: true}
      note: text
    transitions:
      - field: status
        allowed: {open: [in_progress, closed], in_progress: [done, open], done: [closed]}
"""
RULE = "trg_tickets_status_moves"


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


def test_forbidden_moves_are_refused_allowed_ones_accepted(db: Db) -> None:
    db.run("INSERT INTO tickets (title, status) VALUES ('a', 'open'), ('b', 'done')")
    a, b = db.ids("tickets")
    move = "UPDATE tickets SET status = ? WHERE id = ?"
    # open -> done skips in_progress; done -> open goes back; closed is never left
    for to, row in (("done", a), ("open", b), ("in_progress", b)):
        refused = db.attempt(move, to, row)
        assert refused is not None and RULE in refused, (to, refused)
    assert db.attempt(move, "in_progress", a) is None
    assert db.attempt(move, "closed", b) is None
    # an update that leaves the status alone is no move
    assert db.attempt("UPDATE tickets SET note = 'x', status = 'done' WHERE id = ?", b) is None
    db.run(move, "in_progress", a)
    db.run(move, "done", a)
    db.run(move, "closed", a)
    stuck = db.attempt(move, "open", a)
    assert stuck is not None and RULE in stuck, stuck


@pytest.mark.parametrize("server", SERVERS)
def test_issue_tracker_transitions_are_proved(server: str) -> None:
    d = design(S.load(ROOT / "examples" / "issue_tracker.yaml"), DIALECT[server])
    (rule,) = [r for r in d.rules if r.kind == "transition"]
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    (result,) = [r for r in proof.rules if r.rule == rule.name]
    assert result.tried and result.refused and result.by_rule, (
        result.write,
        result.error,
        result.note,
    )
