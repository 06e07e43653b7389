"""Passwords never reach the screen: every command that takes a database URL, real processes.

Each command gets URLs that cannot work (a closed port, an unknown scheme, the real PostgreSQL
with a database that does not exist, the real MariaDB with a wrong password) and must fail with
exit code 2 and one line on stderr, no traceback, and no trace of the password: not as typed,
not percent-encoded, not decoded, not in pieces. The passwords are distinctive on purpose, so
that finding one in the output can only mean it leaked.

Servers: ``$DBDESIGN_TEST_PG_URL`` (PostgreSQL 15) and ``$DBDESIGN_TEST_MYSQL_URL`` (MariaDB);
a missing variable fails the tests that need it, naming it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbdesign import api, engine
from dbdesign.errors import DbdesignError
from tests.conftest import server_url
from tests.mysqlload import mysql_server_url

UNREACHABLE = "127.0.0.1:5999"
COMMANDS = ("inspect", "lint", "explain", "migrate", "diff", "datagen", "docs")
WORK = Path(tempfile.mkdtemp(prefix="dbdesign_secrets_"))
(WORK / "migrations").mkdir()
(WORK / "schema.sql").write_text("CREATE TABLE t (id int PRIMARY KEY);\n", encoding="utf-8")


def argv(command: str, url: str) -> list[str]:
    return {
        "inspect": ["inspect", url],
        "lint": ["lint", url],
        "explain": ["explain", "select 1", "--db", url],
        "migrate": ["migrate", "status", "--db", url, "--dir", str(WORK / "migrations")],
        "diff": ["diff", url, str(WORK / "schema.sql")],
        "datagen": ["datagen", url],
        "docs": ["docs", url, "--out", str(WORK / "docs")],
    }[command]


def run(args: list[str]) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != engine.ENV_DATABASE_URL}
    env["PYTHONUTF8"] = "1"
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        timeout=60,
        env=env,
        cwd=WORK,
    )
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    return r.returncode, out, err


def assert_failed_quietly(
    args: list[str], secrets: list[str], expect: str | None = None
) -> tuple[str, str]:
    """Exit 2, one line ``dbdesign: error: ...`` on stderr, no traceback, no secret."""
    code, out, err = run(args)
    shown = f"{args[0]}: stdout={out!r} stderr={err!r}"
    assert code == 2, shown
    assert "Traceback" not in out + err, shown
    assert len(err.strip().splitlines()) == 1, shown
    assert err.startswith("dbdesign: error: "), shown
    for secret in secrets:
        assert secret not in out, (secret, shown)
        assert secret not in err, (secret, shown)
    if expect is not None:
        assert expect in err, shown
    return out, err


# --------------------------------------------------------------------------- chosen URLs

CASES = [
    pytest.param(
        "postgresql://postgres:p@ss:w/rd#Zq9@127.0.0.1:5999/db",
        ["p@ss:w/rd#Zq9", "ss:w", "rd#Zq9", "'ss'"],
        id="issue-raw-specials",
    ),
    pytest.param("oracle://scott:Hunter2Secret@host/db", ["Hunter2Secret", "Hunter2"], id="oracle"),
    pytest.param(
        "postgresql://u:Zq%40%3A%2F%23x9@127.0.0.1:5999/db",
        ["Zq%40%3A%2F%23x9", "Zq@:/#x9"],
        id="percent-encoded",
    ),
    pytest.param(
        "postgres://u:P0stgres5ecretQ@127.0.0.1:5999/db", ["P0stgres5ecretQ"], id="postgres"
    ),
    pytest.param(
        "mysql://root:Qx7#Secret9@127.0.0.1:5999/db", ["Qx7#Secret9", "Secret9"], id="mysql-hash"
    ),
    pytest.param(
        "mariadb://root:Ma%2Fria%40Pw9@127.0.0.1:5999/db",
        ["Ma%2Fria%40Pw9", "Ma/ria@Pw9"],
        id="mariadb-percent",
    ),
    pytest.param("redis://:Redis5ecretQ@127.0.0.1:6379/0", ["Redis5ecretQ"], id="redis"),
    pytest.param(
        "mssql://sa:Ms sql5ecretQ@127.0.0.1:1433/x", ["Ms sql5ecretQ", "sql5ecretQ"], id="mssql"
    ),
    pytest.param("sqlite://u:Sqlite5ecretQ@/tmp/x.db", ["Sqlite5ecretQ"], id="sqlite"),
    pytest.param(
        "postgresql://u:Zq9@w0rd@[::1/db@127.0.0.1:5999/db",
        ["Zq9@w0rd@[::1/db", "w0rd"],
        id="unparseable",
    ),
]


@pytest.mark.parametrize(("url", "secrets"), CASES)
def test_unreachable_and_unsupported_urls(url: str, secrets: list[str]) -> None:
    for command in COMMANDS:
        assert_failed_quietly(argv(command, url), secrets)


def test_issue_url_names_the_real_host_and_explains() -> None:
    _, err = assert_failed_quietly(
        argv("inspect", "postgresql://postgres:p@ss:w/rd#Zq9@127.0.0.1:5999/db"), []
    )
    assert "postgresql://postgres:***@127.0.0.1:5999/db" in err
    assert "percent-encode" in err


def test_unknown_scheme_is_named_not_connected() -> None:
    _, err = assert_failed_quietly(
        argv("migrate", "oracle://scott:Hunter2Secret@host/db"), ["Hunter2Secret"]
    )
    assert "oracle://scott:***@host/db" in err and "unsupported scheme oracle://" in err


def test_a_one_letter_password_does_not_mangle_the_message() -> None:
    """Password ``e``: the message keeps every e (``conn***ction`` would give the password)."""
    for command in ("inspect", "explain", "migrate"):
        _, err = assert_failed_quietly(argv(command, "postgresql://u:e@127.0.0.1:5999/db"), [])
        assert err.count("***") == 1, err
        assert "postgresql://u:***@127.0.0.1:5999/db" in err
        assert "connection failed" in err and "Connection refused" in err, err


def _pg15_wrong_database(password: str) -> str:
    parts = urlsplit(server_url("pg15"))
    return (
        f"postgresql://{parts.username or 'postgres'}:{password}@{parts.hostname}:"
        f"{parts.port or 5432}/no_such_db_zq9x"
    )


@pytest.mark.parametrize(
    ("password", "secrets"),
    [
        ("Zq9xW0rdPw", ["Zq9xW0rdPw"]),
        (quote("p@ss:w0rd#Zq9", safe=""), ["p@ss:w0rd#Zq9", quote("p@ss:w0rd#Zq9", safe="")]),
    ],
    ids=["plain", "percent-encoded-specials"],
)
def test_real_postgres_wrong_database(password: str, secrets: list[str]) -> None:
    url = _pg15_wrong_database(password)
    for command in COMMANDS:
        _, err = assert_failed_quietly(argv(command, url), secrets)
        assert 'database "no_such_db_zq9x" does not exist' in err, err


def test_real_mariadb_wrong_password() -> None:
    parts = urlsplit(mysql_server_url())
    url = f"mysql://{parts.username or 'root'}:Zq9xMyPw7@{parts.hostname}:{parts.port or 3306}/test"
    for command in COMMANDS:
        _, err = assert_failed_quietly(argv(command, url), ["Zq9xMyPw7"])
        if command not in ("explain", "diff"):  # these two want PostgreSQL and say so
            assert "Access denied" in err, err


# --------------------------------------------------------------------------- fuzzed

SPECIALS = "@:/?#%&=;'\"\\[]!$*+,~` ^{}|<>."
schemes = st.one_of(
    st.sampled_from(["postgresql", "postgres", "mysql", "mariadb", "oracle"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9+.\-]{0,8}", fullmatch=True),
)


@st.composite
def passwords(draw: st.DrawFn) -> str:
    """Random unicode and URL-special characters, at least six, one of them outside ASCII:
    distinctive, so that the password cannot be a word of a message or a piece of the host."""
    base = draw(
        st.text(
            alphabet=st.one_of(
                st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                st.sampled_from(SPECIALS),
            ),
            min_size=5,
            max_size=19,
        )
    )
    odd = draw(st.characters(min_codepoint=128, blacklist_categories=("Cs",)))
    i = draw(st.integers(0, len(base)))
    return base[:i] + odd + base[i:]


def _url(scheme: str, password: str, encoded: bool) -> tuple[str, list[str]]:
    form = quote(password, safe="") if encoded else password
    secrets = sorted({password, form, quote(password, safe="")})
    return f"{scheme}://user:{form}@{UNREACHABLE}/db", secrets


@settings(max_examples=250, deadline=None)
@given(schemes, passwords(), st.booleans())
def test_fuzz_in_process_error_paths(scheme: str, password: str, encoded: bool) -> None:
    """The library's error paths (reading any URL, connecting to PostgreSQL and MySQL) with many
    passwords: a one-line error without them."""
    url, secrets = _url(scheme, password, encoded)
    calls = [api.read]
    if scheme.lower().startswith("postgres"):
        calls.append(engine.connect)
    if engine.is_mysql_url(url):
        calls.append(engine.connect_mysql)
    for call in calls:
        with pytest.raises(DbdesignError) as info:
            call(url)
        message = str(info.value)
        assert "\n" not in message, message
        for secret in secrets:
            assert secret not in message, (secret, message)


@settings(max_examples=30, deadline=None)
@given(passwords(), st.booleans())
def test_fuzz_real_servers(password: str, encoded: bool) -> None:
    """Against the real PostgreSQL (a database that does not exist) and MariaDB (a wrong
    password): connecting fails, the message holds the server's reason and no password."""
    form = quote(password, safe="") if encoded else password
    secrets = sorted({password, form, quote(password, safe="")})
    my = urlsplit(mysql_server_url())
    urls = [
        _pg15_wrong_database(form),
        f"mysql://{my.username or 'root'}:{form}@{my.hostname}:{my.port or 3306}/test",
    ]
    for url in urls:
        with pytest.raises(DbdesignError) as info:
            api.read(url)
        message = str(info.value)
        assert "\n" not in message, message
        for secret in secrets:
            assert secret not in message, (secret, message)


@pytest.mark.parametrize("command", COMMANDS)
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(scheme=schemes, password=passwords(), encoded=st.booleans())
def test_fuzz_cli(command: str, scheme: str, password: str, encoded: bool) -> None:
    """Each command, a few random URLs and passwords: exit 2, one line, no password."""
    url, secrets = _url(scheme, password, encoded)
    assert_failed_quietly(argv(command, url), secrets)
