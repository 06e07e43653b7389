"""redact_url: no password survives in any spelling of a connection string."""

from __future__ import annotations

import pytest

from dbdesign.engine import _with_dbname, redact_url

CASES = [
    ("postgresql://u:secret@host:5432/db", "postgresql://u:***@host:5432/db"),
    ("postgres://u:secret@host/db?sslmode=require", "postgres://u:***@host/db?sslmode=require"),
    ("postgresql://u@host/db", "postgresql://u@host/db"),
    ("postgresql://host/db", "postgresql://host/db"),
    (
        "postgresql://postgres:@/postgres?host=/tmp/x",
        "postgresql://postgres:@/postgres?host=/tmp/x",
    ),
    ("postgresql://u:p%40ss@host/db", "postgresql://u:***@host/db"),
    ("postgresql://u:p@ss@host/db", "postgresql://u:***@host/db"),
    ("postgresql://u:secret@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db"),
    (
        "postgresql://u@host/db?password=secret&sslmode=disable",
        "postgresql://u@host/db?password=***&sslmode=disable",
    ),
    (
        "postgresql://host/db?sslmode=disable&sslpassword=secret",
        "postgresql://host/db?sslmode=disable&sslpassword=***",
    ),
    ("mysql://root:secret@127.0.0.1:3306/x", "mysql://root:***@127.0.0.1:3306/x"),
    ("host=localhost password=secret dbname=x", "host=localhost password=*** dbname=x"),
    ("host=localhost password='se cret' dbname=x", "host=localhost password=*** dbname=x"),
    ("host=localhost PASSWORD = secret", "host=localhost PASSWORD = ***"),
    ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert "secret" not in redact_url(url)


def test_redact_is_idempotent() -> None:
    once = redact_url("postgresql://u:secret@host/db?password=x")
    assert redact_url(once) == once


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/postgres",
            "postgresql://postgres@127.0.0.1:5432/new",
        ),
        ("postgresql://postgres:@/postgres?host=/tmp/x", "postgresql://postgres:@/new?host=/tmp/x"),
        ("postgresql://u:p@h", "postgresql://u:p@h/new"),
        ("postgresql://h/old?dbname=old&sslmode=disable", "postgresql://h/new?sslmode=disable"),
    ],
)
def test_with_dbname(url: str, expected: str) -> None:
    assert _with_dbname(url, "new") == expected
