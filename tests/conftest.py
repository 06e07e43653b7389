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
# The Redis the Redis designs are proved on (the machine's; its proofs write under their own
# prefix and remove it).
REDIS_URL = os.environ.get("DBDESIGN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


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


# --------------------------------------------------------------------------- test roles

# Every cluster-wide role the tests create (tests/test_meta.py checks that each CREATE ROLE in
# tests/ names one of these). Tests create them idempotently when they need them; they are
# dropped from the PostgreSQL 15 server ($DBDESIGN_TEST_PG_URL) when the test session ends.
TEST_ROLES = (
    "dbdesign_reader",  # tests/integration/sql/catalog_postgres.sql grants to it
    "dbdesign_emit_reader",  # tests/integration/test_emit_postgres.py
    "dbdesign_diff_reader",  # tests/diffcheck.py: the diff pairs grant to these two
    "dbdesign_diff_writer",
    "dbdesign_difftest",  # tests/unit/test_diff_plans.py
    "dbdesign_diff_owner",  # tests/integration/test_diff_owner.py: loads as itself (LOGIN)
    "dbdesign_should_not_exist",  # tests/integration/test_explain_safety.py: must stay absent
    "dbdesign_health_monitor",  # tests/integration/health_support.py: pg_monitor + CONNECT only
    "dbdesign_health_admin",  # tests/integration/test_health_security.py: too much power
    "dbdesign_health_bypass",
    "dbdesign_health_app",
    "dbdesign_health_md5",
    "dbdesign_tenant_owner",  # tests/integration/test_design_tenancy.py: owns a design's tables
)
# Sessions run side by side on the shared server (other checkouts, xdist workers): each holds
# this advisory lock shared while it runs, and a session drops the roles only when it can then
# take the lock exclusively, i.e. when no other session is running that may still use them.
_ROLES_LOCK = 0x64626464_726F6C65  # an arbitrary key ("dbdd" "role")


def _drop_test_roles(url: str) -> None:
    """Drop TEST_ROLES from the server, after reassigning (to the connected user) and dropping
    what each still owns or is granted in any database: the scratch databases are gone by now,
    so this only finds what a test left in a lasting database."""
    import contextlib

    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        for role in TEST_ROLES:
            row = conn.execute("SELECT oid FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            if row is None:
                continue
            databases = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d "
                    "ON d.oid = s.dbid WHERE s.refclassid = 'pg_authid'::regclass "
                    "AND s.refobjid = %s AND d.datallowconn",
                    [row[0]],
                ).fetchall()
            ]
            name = sql.Identifier(role)
            owned = sql.SQL("REASSIGN OWNED BY {0} TO CURRENT_USER; DROP OWNED BY {0}")
            with contextlib.suppress(psycopg.Error):
                for database in databases:
                    info = make_conninfo(url, dbname=database, connect_timeout=10)
                    with psycopg.connect(info, autocommit=True) as db:
                        db.execute(owned.format(name))
                conn.execute(owned.format(name))  # and privileges on shared objects
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))


@pytest.fixture(scope="session", autouse=True)
def _test_roles_dropped_at_the_end() -> Iterator[None]:
    """At the end of the session, drop the roles the tests created on the PostgreSQL 15 server
    (session-scoped: every test that uses them has finished)."""
    import psycopg

    url = os.environ.get(TEST_PG_ENV)
    conn: psycopg.Connection | None = None  # type: ignore[type-arg]
    if url:
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            conn.execute("SET lock_timeout = '60s'")  # another session may be dropping them
            conn.execute("SELECT pg_advisory_lock_shared(%s)", [_ROLES_LOCK])
        except psycopg.Error:  # the pg15 tests fail by themselves, naming the problem
            if conn is not None:
                conn.close()
            conn = None
    try:
        yield
    finally:
        if conn is not None:
            with conn:
                conn.execute("SELECT pg_advisory_unlock_shared(%s)", [_ROLES_LOCK])
                last = conn.execute("SELECT pg_try_advisory_lock(%s)", [_ROLES_LOCK]).fetchone()
                if last is not None and last[0]:
                    _drop_test_roles(url or "")


def sigint_default() -> None:
    """``preexec_fn`` of a child a test interrupts with SIGINT: Ctrl-C's default action, even
    when the suite itself was started where SIGINT is ignored (a shell without job control
    ignores it in background commands, and children inherit that)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
