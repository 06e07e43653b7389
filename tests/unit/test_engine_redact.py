"""redact_url: no password survives in any spelling of a connection string."""

from __future__ import annotations

import pytest

from dbdesign.engine import (
    AMBIGUOUS_URL,
    _with_dbname,
    connect,
    mysql_params,
    redact_message,
    redact_url,
)
from dbdesign.errors import ConnectionError

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


# --------------------------------------------------------------------------- the cases

SPECIAL = [
    # the password field is found structurally: up to the LAST '@' before the host
    (
        "postgresql://postgres:p@ss:w/rd#Zq9@127.0.0.1:5999/db",
        "postgresql://postgres:***@127.0.0.1:5999/db",
    ),
    ("postgresql://u:@@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:@@@@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:::::@h:5432/db", "postgresql://u:***@h:5432/db"),
    ("postgresql://u:////@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:####@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:??a=b&c@h/db?sslmode=disable", "postgresql://u:***@h/db?sslmode=disable"),
    ("postgresql://u:e@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:pa ss wd@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:pä§☃@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:p%40ss%3Aw%2Frd%23@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:%zz%@h/db", "postgresql://u:***@h/db"),
    # a user name with an '@' (user@server, as Azure spells it)
    ("postgresql://me@srv:pw@srv.example.com/db", "postgresql://me@srv:***@srv.example.com/db"),
    ("postgresql://u:pw@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"),
    ("postgresql://u:pw@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db"),
    # any scheme
    ("oracle://scott:Hunter2Secret@host/db", "oracle://scott:***@host/db"),
    ("mssql://sa:Pa$$w0rd@h:1433/x", "mssql://sa:***@h:1433/x"),
    ("redis://:s3cr3t@localhost:6379/0", "redis://:***@localhost:6379/0"),
    ("mariadb://root:x#y@h/db", "mariadb://root:***@h/db"),
    ("mysql+pymysql://root:x/y@h/db", "mysql+pymysql://root:***@h/db"),
    ("sqlite://u:pw@/tmp/x.db", "sqlite://u:***@/tmp/x.db"),
    ("x-custom+1.0://u:pw@h", "x-custom+1.0://u:***@h"),
    # unparseable: no host follows any '@'; the last '@' ends the secret
    ("postgresql://u:a@b c d", "postgresql://u:***@b c d"),
    ("postgresql://u:pw@[::1/db", "postgresql://u:***@[::1/db"),
    ("oracle://u:p w@ho st", "oracle://u:***@ho st"),
    # query parameters: a value runs to the next '&' ('#' included: libpq keeps it)
    ("postgresql://h/db?password=ab#cd&x=1", "postgresql://h/db?password=***&x=1"),
    # key=value strings: quotes inside an unquoted value, an unterminated quoted value
    ("host=h password=ab'cd dbname=x", "host=h password=*** dbname=x"),
    ("host=h password='ab\\'c d' dbname=x", "host=h password=*** dbname=x"),
    ("host=h password='abc", "host=h password=***"),
]


@pytest.mark.parametrize(("url", "expected"), SPECIAL)
def test_redact_special_passwords(url: str, expected: str) -> None:
    assert redact_url(url) == expected
    assert redact_url(expected) == expected


def test_ambiguous_urls_hide_more_never_less() -> None:
    """An '@' in the query after a password: the URL could mean either; all of it is hidden."""
    assert redact_url("postgresql://u:pw@host/db?application_name=a@b") == "postgresql://u:***@b"


@pytest.mark.parametrize(
    ("message", "url", "expected"),
    [
        # password "e": prose keeps its e's (a text replace would print "conn***ction")
        (
            "connection failed: connection refused",
            "postgresql://u:e@h/db",
            "connection failed: connection refused",
        ),
        # the driver echoes the whole URL
        (
            'missing "=" after "oracle://scott:tiger77@h/db" in connection info string',
            "oracle://scott:tiger77@h/db",
            'missing "=" after "oracle://scott:***@h/db" in connection info string',
        ),
        # the driver echoes the password (or a piece of it) as a quoted token
        (
            'invalid percent-encoded token: "p%zzsecret"',
            "postgresql://u:p%zzsecret@h/db",
            'invalid percent-encoded token: "***"',
        ),
        (
            "failed to resolve host 'ss': [Errno -8] Servname not supported for ai_socktype",
            "postgresql://postgres:p@ss:w/rd#Zq9@127.0.0.1:5999/db",
            "failed to resolve host '***': [Errno -8] Servname not supported for ai_socktype",
        ),
        (
            "Can't connect to MySQL server on 'ss' (timed out)",
            "mysql://root:p@ss:w/rd@127.0.0.1:5999/db",
            "Can't connect to MySQL server on '***' (timed out)",
        ),
        # the password decoded
        ('bad password "p@ss"', "postgresql://u:p%40ss@h/db", 'bad password "***"'),
        # a key=value password field
        ("conninfo host=h password=zz9 port=1", "host=h password=zz9 port=1", None),
        # quoted tokens that are not the secret's stay
        (
            'database "db" does not exist on "h"',
            "postgresql://u:secret9@h/db",
            'database "db" does not exist on "h"',
        ),
    ],
)
def test_redact_message(message: str, url: str, expected: str | None) -> None:
    out = redact_message(message, url)
    if expected is None:
        assert "zz9" not in out and "password=***" in out
    else:
        assert out == expected


def test_unsupported_scheme_is_refused_before_the_driver() -> None:
    with pytest.raises(ConnectionError) as info:
        connect("oracle://scott:Hunter2Secret@host/db")
    assert str(info.value) == (
        "cannot connect to oracle://scott:***@host/db: unsupported scheme oracle:// "
        "(PostgreSQL URLs start with postgresql:// or postgres://)"
    )


def test_ambiguous_url_shows_no_driver_prose() -> None:
    """libpq ends the user info at the first '@': it would look up host 'ss', a piece of the
    password. No connection is made to anything (port 'w' is no number)."""
    with pytest.raises(ConnectionError) as info:
        connect("postgresql://postgres:p@ss:w/rd#Zq9@127.0.0.1:5999/db")
    assert str(info.value) == (
        f"cannot connect to postgresql://postgres:***@127.0.0.1:5999/db: {AMBIGUOUS_URL}"
    )
    with pytest.raises(ConnectionError) as info:
        mysql_params("mysql://root:Qx7#Secret9@127.0.0.1:5999/db")
    assert str(info.value) == f"mysql://root:***@127.0.0.1:5999/db: {AMBIGUOUS_URL}"
