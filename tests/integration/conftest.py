"""Fixtures the integration tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dbdesign import engine
from tests.conftest import server_url


@pytest.fixture
def scratch() -> Iterator[str]:
    """A fresh database on the PostgreSQL 15 server, dropped afterwards (also on failure); a
    module's own ``scratch`` fixture takes precedence."""
    with engine.scratch_database(server_url("pg15")) as url:
        yield url
