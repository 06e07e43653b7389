"""The MCP server's settings and safety rules, without a server: databases by name, the
read-only session URL, the explain policy, redaction."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict

from dbdesign.errors import ConfigError, DbdesignError, UnsupportedError
from dbdesign.mcp import safety
from dbdesign.mcp.safety import load_settings

PG = "postgresql://reader:Pw-0f-The-Reader@db.internal:5432/app"
MY = "mysql://reader:Pw-0f-The-Reader@db.internal:3306/app"


def test_databases_from_the_file_and_the_environment() -> None:
    s = load_settings(
        {"databases": {"app": "$APP_URL", "local": "sqlite:///app.db"}, "statement_timeout": 10},
        file="pyproject.toml",
        environ={"APP_URL": PG, "DBDESIGN_MCP_DATABASES": f"shop={MY}  local=sqlite:///other.db"},
        lock_timeout_s=2,
    )
    assert dict(s.databases) == {"app": PG, "shop": MY, "local": "sqlite:///other.db"}
    assert (s.statement_timeout_s, s.lock_timeout_s) == (10.0, 2.0)
    assert s.scratch is None and not s.allow_urls and not s.allow_analyze_writes
    assert PG in s.secrets and MY in s.secrets


@pytest.mark.parametrize(
    ("config", "environ", "message"),
    [
        ({"database": {}}, {}, "unknown key 'database'"),
        ({"databases": ["x"]}, {}, "must be a table"),
        ({"databases": {"app": "$MISSING"}}, {}, "environment variable MISSING is not set"),
        ({"databases": {"app": "localhost/app"}}, {}, "is not a database URL"),
        ({"databases": {"1app": PG}}, {}, "database name '1app'"),
        ({"statement_timeout": 0}, {}, "statement_timeout: must be a number of seconds > 0"),
        ({"lock_timeout": "5s"}, {}, "lock_timeout: must be a number"),
        ({}, {"DBDESIGN_MCP_DATABASES": PG}, "is not name=URL"),
        ({}, {"DBDESIGN_MCP_DATABASES": "app="}, "is not name=URL"),
        ({}, {"DBDESIGN_MCP_SCRATCH_URL": "nowhere"}, "the scratch server"),
    ],
)
def test_bad_settings_are_one_line_without_the_password(
    config: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as e:
        load_settings(config, file="dbdesign.toml", environ=environ)
    assert "Pw-0f-The-Reader" not in str(e.value)


def test_a_database_is_named_and_read_only() -> None:
    s = load_settings({}, environ={"DBDESIGN_MCP_DATABASES": f"app={PG}"})
    label, url = safety.database(s, None)  # the only one
    assert label == "app" and url.startswith(PG)
    options = conninfo_to_dict(url)["options"]
    assert "-c default_transaction_read_only=on" in options
    assert "-c statement_timeout=30000" in options and "-c lock_timeout=5000" in options
    assert "read_only" not in str(conninfo_to_dict(safety.database(s, "app", read_only=False)[1]))
    with pytest.raises(ConfigError, match="without --allow-urls") as e:
        safety.database(s, PG)
    assert "Pw-0f" not in str(e.value)
    with pytest.raises(ConfigError, match="no database named 'ap': name one of"):
        safety.database(s, "ap")
    urls = load_settings({}, environ={}, allow_urls=True)
    label, url = safety.database(urls, PG)
    assert label == "postgresql://reader:***@db.internal:5432/app"
    assert "default_transaction_read_only=on" in conninfo_to_dict(url)["options"]
    with pytest.raises(ConfigError, match="no database is configured"):
        safety.database(load_settings({}, environ={}), None)


def test_the_session_options_come_after_the_urls_own() -> None:
    s = load_settings({}, environ={}, statement_timeout_s=1.5)
    given = PG + "?sslmode=disable&options=-c%20default_transaction_read_only%3Doff"
    opts = conninfo_to_dict(safety.session_url(s, given))["options"]
    assert opts.index("read_only=off") < opts.index("read_only=on")  # ours wins
    assert "statement_timeout=1500" in opts
    assert conninfo_to_dict(safety.session_url(s, given))["sslmode"] == "disable"
    # MySQL / MariaDB: the session's first statements (the server-side check: an integration
    # test on MariaDB)
    from dbdesign.engine import mysql_params

    init = str(mysql_params(safety.session_url(s, MY))["init_command"])
    assert init.startswith("SET SESSION TRANSACTION READ ONLY; SET SESSION lock_wait_timeout")
    assert "max_statement_time = 1.5" in init


@pytest.mark.parametrize(
    ("sql", "analyze", "allowed", "refusal"),
    [
        ("SELECT 1; DROP TABLE t", False, True, "exactly one statement"),
        ("DROP TABLE t", False, True, "refusing DROP"),
        ("SET ROLE postgres", False, True, "refusing SET"),
        ("SELECT pg_cancel_backend(1)", False, True, "pg_cancel_backend"),
        ("SELECT lo_unlink(1)", False, True, "lo_unlink"),
        ("SELECT pg_advisory_xact_lock(1)", False, True, "pg_advisory_xact_lock"),
        ("WITH d AS (DELETE FROM t RETURNING 1) SELECT 1", True, False, "changes data"),
        ("DELETE FROM t", True, False, "without --allow-analyze-writes"),
        ("SELECT * FROM t FOR UPDATE", True, False, "row locks"),
        ("WITH d AS (DELETE FROM t RETURNING 1) SELECT nextval('s')", True, True, "nextval"),
    ],
)
def test_explain_policy(sql: str, analyze: bool, allowed: bool, refusal: str) -> None:
    s = load_settings({}, environ={}, allow_analyze_writes=allowed)
    with pytest.raises(DbdesignError, match=refusal):
        safety.check_explain(s, sql, PG, analyze=analyze, params=False)


def test_explain_accepts() -> None:
    s = load_settings({}, environ={})
    assert not safety.check_explain(s, "SELECT nextval('s')", PG, analyze=True, params=False).writes
    plan_only = safety.check_explain(s, "DELETE FROM t", PG, analyze=False, params=False)
    assert plan_only.writes
    allowed = load_settings({}, environ={}, allow_analyze_writes=True)
    assert safety.check_explain(allowed, "DELETE FROM t", PG, analyze=True, params=False).writes
    assert safety.check_explain(s, "SELECT * FROM t WHERE a = %s", PG, analyze=True, params=True)
    # MySQL's own guard
    assert not safety.check_explain(s, "SELECT 1", MY, analyze=True, params=False).writes
    with pytest.raises(UnsupportedError, match="explain needs"):
        safety.check_explain(s, "SELECT 1", "sqlite:///x.db", analyze=True, params=False)


def test_scrub_redacts_every_secret_it_holds() -> None:
    value = {
        "a": f"cannot connect to {PG}",
        "b": ["host=db password=Pw-0f-The-Reader", 3, None],
        "c": ("x",),
    }
    out = safety.scrub(value, (PG,))
    assert "Pw-0f-The-Reader" not in repr(out)
    assert out["b"][1:] == [3, None] and out["c"] == ["x"]


def test_a_path_is_not_a_url(tmp_path: object) -> None:
    with pytest.raises(ConfigError, match="database argument"):
        safety.local_path(PG, "path")
    with pytest.raises(ConfigError, match="no such file"):
        safety.local_path("/nonexistent/schema.sql", "path")
