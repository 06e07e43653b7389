"""Patterns on each server (embedded PostgreSQL 16, PostgreSQL 15, SQLite, MariaDB): a value
that matches in full is accepted; one that does not (a wrong character, lower case where the
pattern says upper, a match inside a longer value) is refused by the pattern's CHECK."""

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
project: {name: codes}
entities:
  part:
    attributes:
      sku: {type: identifier, required: true, pattern: "[A-Z]{3}-[0-9]{4}"}
"""
ROW = "INSERT INTO parts (sku) VALUES (?)"


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


def test_the_whole_value_matches_the_pattern(db: Db) -> None:
    assert db.attempt(ROW, "ABC-1234") is None
    for bad in ("AB-1234", "abc-1234", "ABC-12345", "xABC-1234", "ABC_1234"):
        refused = db.attempt(ROW, bad)
        assert refused is not None and "chk_parts_sku_pattern" in refused, (bad, refused)
