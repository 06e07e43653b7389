"""dbdesign health on MySQL/MariaDB, on the real server of $DBDESIGN_TEST_MYSQL_URL (MariaDB
10.11 here; a missing variable fails): each pathology built for real in a scratch database and
the near misses beside it, the fixes run and clear their findings, accounts made and dropped
again, performance_schema's usage checks (a note when it is OFF, MariaDB's default; the real
findings when it is ON), the read-only session, an account without the privileges a check
needs, timeouts, and the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from dbdesign import api, databases
from dbdesign.engine import connect_mysql, mysql_params, mysql_scratch_database
from dbdesign.health import CHECKS, HealthConfig, HealthReport
from dbdesign.health.registry import Probe, Symptom, check, sql_text
from dbdesign.health.session import SESSIONS
from tests.integration.health_support import by_check, config, run
from tests.mysqlload import load_mysql, mysql_server_url
from tests.paths import ROOT

PATHOLOGIES = """
CREATE TABLE items (
  id int PRIMARY KEY, code varchar(20) NOT NULL, a int, b int, c int, d varchar(100),
  e int, f int,
  UNIQUE KEY items_code (code),
  KEY items_a (a),                 -- a prefix of items_a_b
  KEY items_a_b (a, b),
  KEY items_b (b),                 -- the same as items_b_copy: kept (its name sorts first)
  KEY items_b_copy (b),
  KEY items_code_plain (code),     -- covered by the unique items_code
  UNIQUE KEY items_id_c (id, c),   -- unique: not covered by the longer non-unique one
  KEY items_id_c_d (id, c, d),
  KEY items_d10 (d(10)),           -- prefix length differs from items_d20_a's
  KEY items_d20_a (d(20), a),
  KEY items_c_desc (c DESC),       -- order differs from items_c_a's
  KEY items_c_a (c, a),
  KEY items_e (e),                 -- its only cover is IGNORED by the optimizer
  KEY items_e_f (e, f) IGNORED,
  FULLTEXT KEY items_d_ft (d)      -- full-text: never covered by a B-tree
) ENGINE=InnoDB;
INSERT INTO items SELECT seq, concat('c', seq), seq % 10, seq % 7, seq, concat('d', seq),
  seq % 3, seq % 5 FROM seq_1_to_2000;

CREATE TABLE parent (id int PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE child (
  id int PRIMARY KEY, parent_id int, note varchar(10),
  KEY child_parent (parent_id),    -- a prefix of child_parent_note, which also serves the key
  KEY child_parent_note (parent_id, note),
  CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)
) ENGINE=InnoDB;

CREATE TABLE nopk (x int, y varchar(10)) ENGINE=InnoDB;
INSERT INTO nopk VALUES (1, 'a'), (1, 'a');
CREATE TABLE nopk_id (id int, v int) ENGINE=InnoDB;
CREATE TABLE upk (x int NOT NULL, y int, UNIQUE KEY upk_y (y), UNIQUE KEY upk_x (x))
  ENGINE=InnoDB;
CREATE TABLE heap (x int) ENGINE=MyISAM;   -- not InnoDB

CREATE TABLE seq_tiny (id tinyint unsigned AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 244;
CREATE TABLE seq_small (
  id smallint AUTO_INCREMENT PRIMARY KEY COMMENT 'the row''s key', v int
) ENGINE=InnoDB;
INSERT INTO seq_small VALUES (31200, 1);
CREATE TABLE seq_edge (id tinyint unsigned AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 230;
CREATE TABLE seq_int (id int AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 1825361100;
CREATE TABLE seq_big (id bigint AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT = 1000;
"""

# Accounts are the server's, not the scratch database's: made for a test, dropped after it.
ACCOUNTS = {
    # any host, server-wide privileges with GRANT OPTION: found
    "'dbdesign_health_any'@'%'": "IDENTIFIED BY 'Health-any-1'",
    # no password at all: found
    "'dbdesign_health_nopass'@'localhost'": "",
    # a socket login, or an empty password: the empty password is found
    "'dbdesign_health_or'@'localhost'": "IDENTIFIED VIA unix_socket OR mysql_native_password "
    "USING PASSWORD('')",
    # near misses: bound to a network; privileges on one database only; locked; socket only
    "'dbdesign_health_net'@'10.%'": "IDENTIFIED BY 'Health-net-1'",
    "'dbdesign_health_app'@'%'": "IDENTIFIED BY 'Health-app-1'",
    "'dbdesign_health_locked'@'%'": "ACCOUNT LOCK",
    "'dbdesign_health_socket'@'localhost'": "IDENTIFIED VIA unix_socket",
}
GRANTS = (
    "GRANT SELECT, PROCESS ON *.* TO 'dbdesign_health_any'@'%' WITH GRANT OPTION",
    "GRANT SELECT ON *.* TO 'dbdesign_health_net'@'10.%'",
    "GRANT SELECT, INSERT ON test.* TO 'dbdesign_health_app'@'%'",
    "GRANT ALL PRIVILEGES ON *.* TO 'dbdesign_health_locked'@'%'",
)
ROLE = "dbdesign_health_role"
MONITOR = "'dbdesign_health_monitor'@'%'"
FOUND_ACCOUNTS = {
    "'dbdesign_health_any'@'%'",
    "'dbdesign_health_nopass'@'localhost'",
    "'dbdesign_health_or'@'localhost'",
}


def execute(url: str, *statements: str) -> list[tuple[Any, ...]]:
    """Run ``statements`` as the URL's account (autocommit); the last one's rows."""
    conn = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            rows: list[tuple[Any, ...]] = []
            for statement in statements:
                cur.execute(statement)
                rows = list(cur.fetchall())
            return rows
    finally:
        conn.close()


def database(url: str) -> str:
    return str(mysql_params(url)["database"])


def digests_size(url: str) -> int:
    return int(execute(url, "SELECT @@performance_schema_digests_size")[0][0])


def performance_schema_on(url: str) -> bool:
    return bool(execute(url, "SELECT @@performance_schema")[0][0])


@pytest.fixture
def scratch() -> Iterator[str]:
    """A fresh database on the MySQL/MariaDB server, dropped afterwards (also on failure)."""
    with mysql_scratch_database(mysql_server_url()) as url:
        yield url


@pytest.fixture
def sick(scratch: str) -> str:
    load_mysql(scratch, PATHOLOGIES)
    execute(scratch, "ANALYZE TABLE items, child, nopk, upk")
    return scratch


def _drop_accounts(url: str) -> None:
    names = ", ".join([*ACCOUNTS, MONITOR])
    execute(url, f"DROP USER IF EXISTS {names}", f"DROP ROLE IF EXISTS {ROLE}")


@pytest.fixture
def accounts(scratch: str) -> Iterator[None]:
    """The accounts of :data:`ACCOUNTS` and a role, dropped afterwards (also on failure)."""
    _drop_accounts(scratch)
    try:
        execute(
            scratch,
            *(f"CREATE USER {name} {how}" for name, how in ACCOUNTS.items()),
            *GRANTS,
            f"CREATE ROLE {ROLE}",
        )
        yield
    finally:
        _drop_accounts(scratch)


def findings(report: HealthReport) -> dict[tuple[str, str], Any]:
    return {(f.check, f.object): f for f in report.findings}


def test_each_pathology_is_found_and_the_near_misses_are_not(sick: str, accounts: None) -> None:
    db = database(sick)
    report = api.health(sick)
    found = by_check(report)
    f = findings(report)

    assert found["duplicate-index"] == {
        f"{db}.items.items_a",
        f"{db}.items.items_b_copy",
        f"{db}.items.items_code_plain",
        f"{db}.child.child_parent",
    }
    a = f["duplicate-index", f"{db}.items.items_a"]
    assert a.value.startswith(f"(a) a prefix of {db}.items.items_a_b (a, b); ")
    assert a.value.endswith(" kB") or a.value.endswith(" bytes")
    assert a.fix == f"ALTER TABLE {db}.items DROP INDEX items_a, ALGORITHM=INPLACE, LOCK=NONE;"
    assert f["duplicate-index", f"{db}.items.items_b_copy"].value.startswith(
        f"(b) the same as {db}.items.items_b (b)"
    )
    assert f["duplicate-index", f"{db}.items.items_code_plain"].value.startswith(
        f"(code) the same as {db}.items.items_code (code)"
    )

    assert found["table-without-primary-key"] == {f"{db}.nopk", f"{db}.nopk_id", f"{db}.upk"}
    nopk = f["table-without-primary-key", f"{db}.nopk"]
    assert nopk.value == "no primary key (~2 rows)"
    assert nopk.fix.splitlines()[0] == (
        f"ALTER TABLE {db}.nopk ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT INVISIBLE "
        "PRIMARY KEY FIRST, ALGORITHM=INPLACE, LOCK=SHARED;"
    )
    assert "innodb_force_primary_key" in nopk.caveat  # MariaDB's way to refuse new ones
    assert " ADD COLUMN row_id " in f["table-without-primary-key", f"{db}.nopk_id"].fix
    assert f["table-without-primary-key", f"{db}.upk"].fix == (
        f"ALTER TABLE {db}.upk DROP INDEX upk_x, ADD PRIMARY KEY (x), ALGORITHM=INPLACE, LOCK=NONE;"
    )

    assert found["sequence-exhaustion"] == {f"{db}.seq_tiny.id", f"{db}.seq_small.id"}
    tiny = f["sequence-exhaustion", f"{db}.seq_tiny.id"]
    assert tiny.value == "243 of 255 (95%); next 244"
    assert tiny.threshold == "> 90% of the tinyint unsigned maximum"
    assert tiny.fix == (
        f"ALTER TABLE {db}.seq_tiny MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, "
        "ALGORITHM=COPY, LOCK=SHARED;"
    )
    small = f["sequence-exhaustion", f"{db}.seq_small.id"]
    assert small.value == "31,200 of 32,767 (95%); next 31,201"
    assert small.fix == (
        f"ALTER TABLE {db}.seq_small MODIFY id BIGINT NOT NULL AUTO_INCREMENT "
        "COMMENT 'the row''s key', ALGORITHM=COPY, LOCK=SHARED;"
    )
    assert "ALGORITHM=COPY" in small.caveat

    mine = {o for o in found["insecure-account"] if "dbdesign_health" in o}
    assert mine == FOUND_ACCOUNTS
    anyhost = f["insecure-account", "'dbdesign_health_any'@'%'"]
    assert anyhost.severity.value == "error"
    assert anyhost.value == "any host with server-wide PROCESS, SELECT, GRANT OPTION"
    assert anyhost.fix.splitlines()[0] == (
        "REVOKE PROCESS, SELECT, GRANT OPTION ON *.* FROM 'dbdesign_health_any'@'%';"
    )
    assert "RENAME USER 'dbdesign_health_any'@'%' TO 'dbdesign_health_any'@'10.%';" in anyhost.fix
    nopass = f["insecure-account", "'dbdesign_health_nopass'@'localhost'"]
    assert nopass.value == "no password (mysql_native_password)"
    assert nopass.fix.splitlines()[0] == (
        "ALTER USER 'dbdesign_health_nopass'@'localhost' IDENTIFIED BY 'a-new-strong-password';"
    )

    if not performance_schema_on(sick):
        assert found["unused-index"] == set() and found["slow-query"] == set()
        assert report.stats_days is None


def test_the_fixes_run_and_leave_nothing_to_report(sick: str, accounts: None) -> None:
    """Applying every fix (its first statement; the comments are alternatives) clears its
    finding, for this database's objects and the test's accounts: the SQL is real."""
    report = api.health(sick)
    ran = 0
    for f in report.findings:
        if f.check == "insecure-account" and "dbdesign_health" not in f.object:
            continue  # the server's own accounts are not the test's to change
        statements = [s for s in f.fix.splitlines() if s and not s.startswith("--")]
        execute(sick, statements[0])
        ran += 1
    assert ran >= 12
    again = api.health(sick)
    left = {(f.check, f.object) for f in again.findings if database(sick) in f.object}
    left |= {(f.check, f.object) for f in again.findings if "dbdesign_health" in f.object}
    assert left == set()
    db = database(sick)
    # the new key column is invisible, and the rows are all still there
    assert execute(sick, f"SELECT * FROM {db}.nopk") == [(1, "a"), (1, "a")]
    assert execute(sick, f"SELECT id FROM {db}.nopk ORDER BY id") == [(1,), (2,)]


USAGE = """
CREATE TABLE big (id int PRIMARY KEY, a int, b int, u int, p int,
  KEY big_a (a), KEY big_b (b), UNIQUE KEY big_u (u), KEY big_p (p),
  CONSTRAINT big_p_fk FOREIGN KEY (p) REFERENCES big (id)) ENGINE=InnoDB;
INSERT INTO big SELECT seq, seq % 100, seq % 37, seq, NULL FROM seq_1_to_20000;
CREATE TABLE small (id int PRIMARY KEY, a int, KEY small_a (a)) ENGINE=InnoDB;
INSERT INTO small VALUES (1, 1);
ANALYZE TABLE big, small;
"""
USAGE_CONFIG = "unused_index_min_bytes = 65536\nslow_query_mean_ms = 50\nslow_query_min_calls = 5"


def test_without_performance_schema_the_usage_checks_say_how_to_turn_it_on(
    scratch: str, tmp_path: Path
) -> None:
    """unused-index and slow-query read performance_schema: where it is OFF (MariaDB's default)
    each check gives a note saying how to turn it on and reports nothing."""
    if performance_schema_on(scratch):
        pytest.skip(
            "performance_schema is ON on this server (scripts/test turns it on for the usage "
            "checks): the OFF note needs a server started with it OFF"
        )
    load_mysql(scratch, USAGE)
    report = api.health(
        scratch, config=config(tmp_path, USAGE_CONFIG), checks=["unused-index", "slow-query"]
    )
    assert report.findings == ()
    assert report.notes == tuple(
        f"{c}: not checked: performance_schema is OFF (MariaDB's default), so the server "
        f"counts no {what}: set performance_schema = ON under [mysqld] in my.cnf and "
        "restart the server"
        for c, what in (("unused-index", "index reads"), ("slow-query", "statement times"))
    )


def test_the_usage_checks_read_performance_schema(scratch: str, tmp_path: Path) -> None:
    """With performance_schema ON (scripts/test turns it on for the machine's MariaDB), the
    real findings: an index never read and a statement slow on average, with their near
    misses; and a consumer switched off at run time is a note."""
    assert performance_schema_on(scratch), (
        "performance_schema is OFF on the MySQL/MariaDB server: scripts/test turns it on "
        "(performance_schema = ON under [mysqld], then a restart)"
    )
    cfg = config(tmp_path, USAGE_CONFIG)
    load_mysql(scratch, USAGE)
    checks = ["unused-index", "slow-query"]
    # a full digest table (5,000 statements by default: a long test run fills it) tells new
    # statements apart no more: the review says so, and counting afresh brings them back
    execute(scratch, *[f"SELECT 1 AS fill_{i}" for i in range(digests_size(scratch) + 1)])
    report = api.health(scratch, config=cfg, checks=["slow-query"])
    assert len(report.notes) == 1 and report.notes[0].startswith(
        "slow-query: performance_schema's digest table is full ("
    )
    assert (
        "TRUNCATE TABLE performance_schema.events_statements_summary_by_digest" in (report.notes[0])
    )
    execute(scratch, "TRUNCATE TABLE performance_schema.events_statements_summary_by_digest")
    execute(
        scratch,
        "SELECT COUNT(*) FROM big FORCE INDEX (big_b) WHERE b = 5",  # big_b is read
        *["SELECT SLEEP(0.1), 'slow' FROM small WHERE id = 1"] * 5,  # 5 calls, >= 100 ms each
        *["SELECT SLEEP(0.1), 'rare', 1 FROM small WHERE id = 1"] * 2,  # slow, but 2 calls
        *["SELECT a + 1 FROM small WHERE id = 1"] * 5,  # 5 fast calls
    )
    report = api.health(scratch, config=cfg, checks=checks)
    db = database(scratch)
    assert report.notes == ()
    # big_a: never read; big_b read; big_u unique; big_p the only index of a foreign key;
    # small_a under the threshold; the primary keys never
    assert by_check(report)["unused-index"] == {f"{db}.big.big_a"}
    unused = findings(report)["unused-index", f"{db}.big.big_a"]
    assert unused.value.startswith("0 reads, ") and unused.threshold == "0 reads and >= 64 kB"
    assert unused.fix.splitlines()[0] == (
        f"ALTER TABLE {db}.big DROP INDEX big_a, ALGORITHM=INPLACE, LOCK=NONE;"
    )
    assert unused.fix.splitlines()[-1] == (
        f"-- to put it back: ALTER TABLE {db}.big ADD INDEX big_a (a), ALGORITHM=INPLACE, "
        "LOCK=NONE;"
    )
    assert "performance_schema has counted since the server started" in unused.caveat
    assert report.stats_days is not None
    slow = [f for f in report.findings if f.check == "slow-query"]
    assert len(slow) == 1, slow
    assert slow[0].value.startswith("mean ") and " over 5 calls " in slow[0].value
    assert "'slow'" not in slow[0].fix and "SLEEP" in slow[0].fix.upper()
    assert slow[0].fix.startswith("EXPLAIN FORMAT=JSON SELECT ")

    # a consumer switched off at run time: a note that says how to switch it on again
    consumer = "UPDATE performance_schema.setup_consumers SET ENABLED = '{}' WHERE NAME = "
    execute(scratch, consumer.format("NO") + "'statements_digest'")
    try:
        report = api.health(scratch, config=cfg, checks=["slow-query"])
    finally:
        execute(scratch, consumer.format("YES") + "'statements_digest'")
    assert report.notes == (
        "slow-query: not checked: performance_schema's statements_digest is disabled, so the "
        f"server counts no statement times: {consumer.format('YES')}'statements_digest', and "
        "performance-schema-consumer-statements-digest = ON under [mysqld] in my.cnf to keep it "
        "after a restart",
    )


def test_every_query_runs_on_the_server(scratch: str) -> None:
    """Each sql/mysql_*.sql this server's kind reads runs in the session and names the
    columns the checks read (the MySQL 8 variants are not run on MariaDB, nor the other way
    round)."""
    load_mysql(scratch, PATHOLOGIES)
    target = databases.target(scratch)
    sql = ROOT / "src" / "dbdesign" / "health" / "sql"
    with SESSIONS["mysql"](target, HealthConfig()) as probe:
        mariadb = probe.conn.mariadb
        names = sorted(p.stem for p in sql.glob("mysql_*.sql"))
        variants = {n.removesuffix("_mariadb") for n in names if n.endswith("_mariadb")}
        ran = []
        for name in names:
            if (name in variants and mariadb) or (name.endswith("_mariadb") and not mariadb):
                continue
            rows = probe.rows(name)
            ran.append(name)
            if rows and "Variable_name" not in rows[0]:
                assert set(_aliases(sql_text(name))) <= set(rows[0]), name
        assert probe.notes == []
    assert "mysql_indexes_mariadb" in ran if mariadb else "mysql_indexes" in ran
    assert len(ran) == len(names) - len(variants)


def _aliases(text: str) -> list[str]:
    """The column aliases that end a line of a query's outermost SELECT list (``AS name``
    before its first unindented FROM), comments left out."""
    import re

    body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    select = body.split("\n  FROM", 1)[0]
    return re.findall(r"\bAS (\w+),?$", select, re.M)


def test_the_session_is_read_only_by_construction(sick: str) -> None:
    target = databases.target(sick)
    cfg = HealthConfig(statement_timeout_ms=2500, lock_timeout_ms=1500)
    with SESSIONS["mysql"](target, cfg) as probe:
        conn = probe.conn

        def value(query: str) -> Any:
            row = conn.execute(query).fetchone()
            return row[0] if row else None

        if conn.mariadb:
            assert value("SELECT @@tx_read_only") == 1 and value("SELECT @@in_transaction") == 1
            assert float(value("SELECT @@max_statement_time")) == 2.5  # MariaDB: seconds
        else:
            assert value("SELECT @@transaction_read_only") == 1
            assert value("SELECT @@max_execution_time") == 2500  # MySQL: milliseconds
        assert value("SELECT @@lock_wait_timeout") == 2  # whole seconds, rounded up
        assert value("SELECT @@innodb_lock_wait_timeout") == 2
        status = (
            "SHOW SESSION STATUS WHERE Variable_name REGEXP '^Com_(insert|update|delete|"
            "replace|create|alter|drop|rename|truncate|grant|revoke|load|set_option)'"
        )
        before = dict(conn.execute(status).fetchall())
        for chk in CHECKS.values():
            if "mysql" in chk.dialects:
                with probe.guard(chk.id, probe.notes):
                    list(chk.fn(probe))
        after = dict(conn.execute(status).fetchall())
        # no statement that writes, changes a definition or a setting ran
        assert {k: v for k, v in after.items() if v != before[k]} == {}
        # InnoDB sees a read-only transaction
        assert value("SELECT COUNT(*) FROM nopk") == 2
        assert (
            value(
                "SELECT trx_is_read_only FROM information_schema.INNODB_TRX "
                "WHERE trx_mysql_thread_id = CONNECTION_ID()"
            )
            == 1
        )
        for write in (
            "INSERT INTO nopk VALUES (2, 'b')",
            "UPDATE items SET a = 0",
            "CREATE TABLE written (x int)",
            "DROP TABLE nopk",
            "CREATE USER 'dbdesign_health_written'@'%'",
        ):
            with pytest.raises(pymysql.err.MySQLError) as refused:
                conn.execute(write)
            assert refused.value.args[0] == 1792  # Cannot execute statement in a READ ONLY ...
        assert value("SELECT COUNT(*) FROM nopk") == 2
    assert execute(sick, "SELECT COUNT(*) FROM nopk") == [(2,)]
    assert execute(sick, "SHOW TABLES LIKE 'written'") == []


def _snapshot(url: str) -> list[Any]:
    """Everything a write would change: every table's definition, rows (CHECKSUM), next
    AUTO_INCREMENT and update time, and the test's accounts."""
    db = database(url)
    tables = [r[0] for r in execute(url, "SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'")]
    out: list[Any] = []
    for t in sorted(tables):
        out += execute(url, f"SHOW CREATE TABLE `{t}`")
        out += execute(url, f"CHECKSUM TABLE `{t}` EXTENDED")
    out += execute(
        url,
        "SELECT TABLE_NAME, AUTO_INCREMENT, UPDATE_TIME, CREATE_TIME FROM "
        f"information_schema.TABLES WHERE TABLE_SCHEMA = '{db}' ORDER BY TABLE_NAME",
    )
    for account in ACCOUNTS:
        out += execute(url, f"SHOW CREATE USER {account}")
        out += execute(url, f"SHOW GRANTS FOR {account}")
    return out


def test_a_review_changes_nothing(sick: str, accounts: None) -> None:
    before = _snapshot(sick)
    report = api.health(sick)
    assert report.findings
    assert _snapshot(sick) == before


@pytest.fixture
def monitor(sick: str) -> Iterator[str]:
    """The URL of ``sick`` for an account with SELECT on that database only."""
    execute(sick, f"DROP USER IF EXISTS {MONITOR}")
    try:
        execute(
            sick,
            f"CREATE USER {MONITOR} IDENTIFIED BY 'Health-mon-1'",
            f"GRANT SELECT ON `{database(sick)}`.* TO {MONITOR}",
        )
        params = mysql_params(sick)
        yield (
            f"mysql://dbdesign_health_monitor:Health-mon-1@{params['host']}:{params['port']}/"
            f"{database(sick)}"
        )
    finally:
        execute(sick, f"DROP USER IF EXISTS {MONITOR}")


def test_a_refused_query_is_a_note_naming_the_grant(sick: str, monitor: str) -> None:
    as_root = by_check(api.health(sick))
    report = api.health(monitor)
    notes = [n for n in report.notes if "performance_schema is OFF" not in n]
    user, _, host = execute(monitor, "SELECT USER()")[0][0].partition("@")
    denied = f"not checked: SELECT command denied to user '{user}'@'{host}' for table"
    expected = [
        f"duplicate-index: index sizes: {denied} `mysql`.`innodb_index_stats` (grant the "
        "account SELECT ON mysql.innodb_index_stats)",
        f"insecure-account: {denied} `mysql`.`global_priv` (grant the account SELECT ON "
        "mysql.global_priv)",
    ]
    if performance_schema_on(sick):
        expected += [
            f"{c}: {denied} `performance_schema`.`setup_consumers` (grant the account SELECT ON "
            "performance_schema.*)"
            for c in ("slow-query", "unused-index")
        ]
    assert sorted(notes) == expected
    found = by_check(report)
    assert found["insecure-account"] == set()
    for key in ("duplicate-index", "table-without-primary-key", "sequence-exhaustion"):
        assert found[key] == as_root[key], key

    execute(
        sick,
        f"GRANT SELECT ON mysql.global_priv TO {MONITOR}",
        f"GRANT SELECT ON mysql.innodb_index_stats TO {MONITOR}",
        f"GRANT SELECT ON performance_schema.* TO {MONITOR}",
    )
    report = api.health(monitor)
    notes = [n for n in report.notes if "performance_schema is OFF" not in n]
    assert len(notes) == 1 and notes[0].startswith("insecure-account: the server-wide ")
    assert notes[0].endswith(
        "accounts are not visible to this account: grant it SELECT ON mysql.* "
        "(information_schema.USER_PRIVILEGES shows other accounts' privileges only then)"
    )

    execute(sick, f"GRANT SELECT ON mysql.* TO {MONITOR}")
    report = api.health(monitor)
    assert [n for n in report.notes if "performance_schema is OFF" not in n] == []
    assert by_check(report) == as_root


def test_a_statement_over_its_time_or_a_lock_wait_is_a_note(sick: str) -> None:
    """The session's statement time limit and lock wait limit hold: a check whose statement
    runs too long, or waits for a row lock another session holds, becomes a note, and the
    other checks still run in the same read-only transaction."""

    @check("test-slow", "warning", dialects=("mysql",))
    def too_long(probe: Probe) -> list[Symptom]:
        """Sleeps longer than the statement time limit."""
        probe.conn.execute("SELECT SLEEP(5) FROM items WHERE id = 1").fetchall()
        return []

    @check("test-locked", "warning", dialects=("mysql",))
    def locked(probe: Probe) -> list[Symptom]:
        """Reads a row another session has locked, with a locking read."""
        probe.conn.execute("SELECT * FROM items WHERE id = 1 LOCK IN SHARE MODE").fetchall()
        return []

    holder = connect_mysql(sick)
    try:
        with holder.cursor() as cur:
            cur.execute("UPDATE items SET a = a + 1 WHERE id = 1")  # holds the row, uncommitted
        cfg = HealthConfig(statement_timeout_ms=2000, lock_timeout_ms=1000)
        report = api.health(
            sick, config=cfg, checks=["test-slow", "test-locked", "table-without-primary-key"]
        )
    finally:
        holder.rollback()
        holder.close()
        del CHECKS["test-slow"], CHECKS["test-locked"]
    assert report.notes == (
        "test-slow: not checked: Query execution was interrupted (max_statement_time exceeded)",
        "test-locked: not checked: Lock wait timeout exceeded; try restarting transaction",
    )
    assert {f.object for f in report.findings} == {
        f"{database(sick)}.{t}" for t in ("nopk", "nopk_id", "upk")
    }


def test_a_clean_database_gives_no_warnings(scratch: str) -> None:
    """The shop example: no finding; only the notes about performance_schema when it is OFF.
    (insecure-account reviews the server's accounts, not the database: left out here.)"""
    load_mysql(scratch, (ROOT / "examples" / "shop_mysql.sql").read_text())
    chosen = [c for c, chk in CHECKS.items() if "mysql" in chk.dialects]
    chosen.remove("insecure-account")
    report = api.health(scratch, checks=chosen)
    assert report.findings == ()
    if not performance_schema_on(scratch):
        assert len(report.notes) == 2
        assert all("performance_schema is OFF" in n for n in report.notes)
    else:
        assert report.notes == ()
    assert report.server.startswith(("MariaDB ", "MySQL "))


def test_cli(sick: str, tmp_path: Path) -> None:
    db = database(sick)
    r = run(sick, "--check", "duplicate-index", "--check", "sequence-exhaustion", cwd=tmp_path)
    assert r.returncode == 0, r.stderr  # warnings only, under the default fail-on (error)
    assert f"warning duplicate-index: {db}.items.items_a" in r.stdout
    assert (
        f"  fix:\n    ALTER TABLE {db}.items DROP INDEX items_a, ALGORITHM=INPLACE, LOCK=NONE;"
        in r.stdout
    )
    r = run(sick, "--check", "table-without-primary-key", "--fail-on", "warning", "--format",
            "json", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["checks"] == ["table-without-primary-key"]
    assert out["server"].startswith(("MariaDB ", "MySQL "))
    assert {f["object"] for f in out["findings"]} == {f"{db}.nopk", f"{db}.nopk_id", f"{db}.upk"}
