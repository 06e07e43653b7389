"""Shared fixtures for real PostgreSQL servers.

Every test that needs PostgreSQL runs against two servers:

- ``embedded``: the embedded PostgreSQL 16 (pgserver) that ``dbdesign.engine.embedded_url()``
  starts or reuses (data directory ``$DBDESIGN_EMBEDDED_DIR`` or the user cache);
- ``pg15``: the machine's own server, whose URL is ``$DBDESIGN_TEST_PG_URL``
  (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``). When the variable is not set, the
  ``pg15`` tests FAIL with a message naming it: they are never skipped.

Fixtures (both parametrised over ``embedded`` and ``pg15``, so a test using one runs twice,
with ids ``[embedded]`` and ``[pg15]``):

``pg_urls``
    The server's URL (a database you must not litter: use ``pg_scratch`` to create objects).

``pg_scratch``
    The URL of a fresh, empty database ``dbdesign_scratch_<hex>`` on that server, dropped after
    the test (``dbdesign.engine.scratch_database``). Load DDL with
    ``dbdesign.engine.connect(pg_scratch, autocommit=True).execute(sql)``.

Select one server with ``-k embedded`` or ``-k pg15``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from dbdesign import engine

TEST_PG_ENV = "DBDESIGN_TEST_PG_URL"


def pytest_configure(config: pytest.Config) -> None:
    """The corpus tests are generated from ../shared/corpus: without it they would silently be
    fewer. Stop at once, saying where the repository must sit."""
    from tests.paths import CORPUS

    if not CORPUS.is_dir():
        raise pytest.UsageError(
            f"the tests read the shared corpus at {CORPUS}: put this repository beside shared/"
        )


PG_SERVERS = ("embedded", "pg15")


def server_url(which: str) -> str:
    """The URL of a test server by its parameter id; fails (never skips) when not configured."""
    if which == "embedded":
        return engine.embedded_url()
    url = os.environ.get(TEST_PG_ENV)
    if not url:
        pytest.fail(
            f"set {TEST_PG_ENV} to the URL of a PostgreSQL 15 server "
            f"(e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run this test",
            pytrace=False,
        )
    return url


@pytest.fixture(scope="session", params=PG_SERVERS)
def pg_urls(request: pytest.FixtureRequest) -> str:
    """URL of the embedded server or of $DBDESIGN_TEST_PG_URL (parametrised)."""
    return server_url(request.param)


@pytest.fixture(params=PG_SERVERS)
def pg_scratch(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh scratch database on each test server, dropped afterwards (parametrised)."""
    with engine.scratch_database(server_url(request.param)) as url:
        yield url
