"""The PostgreSQL ALTER TABLE rules' claims (MIG003-MIG012, MIG001), proven by the servers.

Rewrites: for each case the linter decides (a MIG008/MIG009/MIG010 finding = "rewrite"), then
the migration runs on a table with rows and pg_class.relfilenode must change exactly when the
linter said so. Locks: the statement runs in a transaction left open, and a second session reads
pg_locks: the strongest lock held on the table must be the one the finding's message names.
Volatility: the function list the default rule uses is checked against pg_proc.provolatile.

Every test runs on the embedded PostgreSQL 16 and on PostgreSQL 15 ($DBDESIGN_TEST_PG_URL).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dbdesign.lint.config import LintConfig
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.migration.pg_types import VOLATILITY
from tests.pglocks import strongest

REWRITE_RULES = {"MIG008", "MIG009", "MIG010"}

TABLE = """
CREATE SEQUENCE t_n_seq;
CREATE TABLE t (
    id int NOT NULL, v10 varchar(10), v20 varchar(20), vx varchar, tx text,
    n102 numeric(10,2), ny numeric, ci cidr, ine inet, ts timestamp, tz timestamptz,
    ts3 timestamp(3), tm3 time(3), vb5 bit varying(5), b5 bit(5), c5 char(5), j json,
    price int, qty int
);
CREATE INDEX t_v20_idx ON t (v20);
"""
ROWS = (
    "INSERT INTO t SELECT g, 'a', 'b', 'c', 'd', 1.5, 2, '10.0.0.0/8', '10.0.0.1', "
    "'2024-01-01', '2024-01-01', '2024-01-01', '12:00', B'101', B'10101', 'x', '{}', g, 2 "
    "FROM generate_series(1, 50) g"
)

# (case id, migration): the linter decides whether each rewrites; the server proves it.
REWRITES = [
    ("varchar widened", "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(20);"),
    ("varchar shortened", "ALTER TABLE t ALTER COLUMN v20 TYPE varchar(10);"),
    ("varchar to text", "ALTER TABLE t ALTER COLUMN v20 TYPE text;"),
    ("varchar(n) to varchar", "ALTER TABLE t ALTER COLUMN v10 TYPE varchar;"),
    ("text to varchar", "ALTER TABLE t ALTER COLUMN tx TYPE varchar;"),
    ("text to varchar(n)", "ALTER TABLE t ALTER COLUMN tx TYPE varchar(10);"),
    ("numeric precision up", "ALTER TABLE t ALTER COLUMN n102 TYPE numeric(12,2);"),
    ("numeric to unconstrained", "ALTER TABLE t ALTER COLUMN n102 TYPE numeric;"),
    ("numeric scale up", "ALTER TABLE t ALTER COLUMN n102 TYPE numeric(12,3);"),
    ("numeric precision down", "ALTER TABLE t ALTER COLUMN n102 TYPE numeric(8,2);"),
    ("unconstrained numeric to numeric(p,s)", "ALTER TABLE t ALTER COLUMN ny TYPE numeric(10,2);"),
    ("cidr to inet", "ALTER TABLE t ALTER COLUMN ci TYPE inet;"),
    ("inet to cidr", "ALTER TABLE t ALTER COLUMN ine TYPE cidr;"),
    ("int to bigint", "ALTER TABLE t ALTER COLUMN id TYPE bigint;"),
    ("timestamp precision up", "ALTER TABLE t ALTER COLUMN ts3 TYPE timestamp(6);"),
    ("timestamp precision dropped", "ALTER TABLE t ALTER COLUMN ts3 TYPE timestamp;"),
    ("time precision up", "ALTER TABLE t ALTER COLUMN tm3 TYPE time(6);"),
    ("varbit widened", "ALTER TABLE t ALTER COLUMN vb5 TYPE bit varying(10);"),
    ("bit to varbit", "ALTER TABLE t ALTER COLUMN b5 TYPE bit varying(5);"),
    ("bit to unconstrained varbit", "ALTER TABLE t ALTER COLUMN b5 TYPE bit varying;"),
    ("char widened", "ALTER TABLE t ALTER COLUMN c5 TYPE char(10);"),
    ("char to text", "ALTER TABLE t ALTER COLUMN c5 TYPE text;"),
    ("json to jsonb", "ALTER TABLE t ALTER COLUMN j TYPE jsonb;"),
    ("same type", "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(10);"),
    (
        "USING the column itself",
        "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(40) USING v10::varchar(40);",
    ),
    ("USING an expression", "ALTER TABLE t ALTER COLUMN v10 TYPE varchar(40) USING upper(v10);"),
    ("timestamp to timestamptz, zone unknown", "ALTER TABLE t ALTER COLUMN ts TYPE timestamptz;"),
    ("timestamptz to timestamp, zone unknown", "ALTER TABLE t ALTER COLUMN tz TYPE timestamp;"),
    (
        "timestamp to timestamptz in UTC",
        "SET TIME ZONE 'UTC';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz;",
    ),
    (
        "timestamptz to timestamp in Etc/UTC",
        "SET TimeZone = 'Etc/UTC';\nALTER TABLE t ALTER COLUMN tz TYPE timestamp;",
    ),
    (
        "timestamp to timestamptz in Paris",
        "SET TIME ZONE 'Europe/Paris';\nALTER TABLE t ALTER COLUMN ts TYPE timestamptz;",
    ),
    ("default now()", "ALTER TABLE t ADD COLUMN a timestamptz NOT NULL DEFAULT now();"),
    (
        "default CURRENT_TIMESTAMP",
        "ALTER TABLE t ADD COLUMN a timestamp DEFAULT CURRENT_TIMESTAMP;",
    ),
    ("default constant", "ALTER TABLE t ADD COLUMN a text NOT NULL DEFAULT 'new';"),
    ("default random()", "ALTER TABLE t ADD COLUMN a float8 DEFAULT random();"),
    (
        "default random() nested",
        "ALTER TABLE t ADD COLUMN a int DEFAULT (floor(random() * 10))::int;",
    ),
    ("default gen_random_uuid()", "ALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid();"),
    (
        "default clock_timestamp()",
        "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT clock_timestamp();",
    ),
    ("default nextval()", "ALTER TABLE t ADD COLUMN a bigint DEFAULT nextval('t_n_seq');"),
    ("default md5 of a constant", "ALTER TABLE t ADD COLUMN a text DEFAULT md5('x');"),
    ("nullable column, no default", "ALTER TABLE t ADD COLUMN a bigint;"),
    ("serial column", "ALTER TABLE t ADD COLUMN a serial;"),
    ("bigserial column", "ALTER TABLE t ADD COLUMN a bigserial;"),
    ("identity column", "ALTER TABLE t ADD COLUMN a bigint GENERATED BY DEFAULT AS IDENTITY;"),
    (
        "stored generated column",
        "ALTER TABLE t ADD COLUMN a int GENERATED ALWAYS AS (price * qty) STORED;",
    ),
    (
        "identity on an existing NOT NULL column",
        "ALTER TABLE t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;",
    ),
    (
        "SET DEFAULT volatile on an existing column",
        "ALTER TABLE t ALTER COLUMN tz SET DEFAULT clock_timestamp();",
    ),
]

REFERENCED = "CREATE TABLE r (id int PRIMARY KEY); INSERT INTO r SELECT generate_series(1, 50);"
# (case id, setup after TABLE, migration, the table(s) whose locks are read)
LOCKS = [
    (
        "ADD FOREIGN KEY",
        REFERENCED,
        "ALTER TABLE t ADD CONSTRAINT t_id_fkey FOREIGN KEY (id) REFERENCES r (id);",
        ("t", "r"),
    ),
    ("ADD CHECK", "", "ALTER TABLE t ADD CONSTRAINT t_price_check CHECK (price > 0);", ("t",)),
    (
        "ADD CHECK NOT VALID then VALIDATE in the same transaction",
        "",
        "ALTER TABLE t ADD CONSTRAINT t_price_check CHECK (price > 0) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT t_price_check;",
        ("t",),
    ),
    (
        "ADD FOREIGN KEY NOT VALID then VALIDATE in the same transaction",
        REFERENCED,
        "ALTER TABLE t ADD CONSTRAINT t_id_fkey FOREIGN KEY (id) REFERENCES r (id) NOT VALID;\n"
        "ALTER TABLE t VALIDATE CONSTRAINT t_id_fkey;",
        ("t", "r"),
    ),
    ("SET NOT NULL", "", "ALTER TABLE t ALTER COLUMN price SET NOT NULL;", ("t",)),
    ("ADD UNIQUE", "", "ALTER TABLE t ADD CONSTRAINT t_id_key UNIQUE (id);", ("t",)),
    ("ADD PRIMARY KEY", "", "ALTER TABLE t ADD PRIMARY KEY (id);", ("t",)),
    (
        "PRIMARY KEY USING INDEX on a nullable column",
        "CREATE UNIQUE INDEX t_price_idx ON t (price);",
        "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_price_idx;",
        ("t",),
    ),
    (
        "ADD EXCLUDE",
        "ALTER TABLE t ADD COLUMN during tstzrange;",
        "ALTER TABLE t ADD CONSTRAINT t_no_overlap EXCLUDE USING gist (during WITH &&);",
        ("t",),
    ),
    ("ALTER COLUMN TYPE", "", "ALTER TABLE t ALTER COLUMN id TYPE bigint;", ("t",)),
    (
        "ADD COLUMN volatile default",
        "",
        "ALTER TABLE t ADD COLUMN a float8 DEFAULT random();",
        ("t",),
    ),
    (
        "ADD COLUMN identity",
        "",
        "ALTER TABLE t ADD COLUMN a bigint GENERATED ALWAYS AS IDENTITY;",
        ("t",),
    ),
    ("CREATE INDEX", "", "CREATE INDEX t_price_idx ON t (price);", ("t",)),
]
# Statements the linter reports nothing on: the lock each takes, from the PostgreSQL
# documentation, for the rules' advice (the safe steps must not block reads and writes).
SAFE_LOCKS = [
    (
        "VALIDATE CONSTRAINT alone",
        "ALTER TABLE t ADD CONSTRAINT t_price_check CHECK (price > 0) NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT t_price_check;",
        "ShareUpdateExclusiveLock",
    ),
    (
        "SET NOT NULL proven by a validated CHECK",
        "ALTER TABLE t ADD CONSTRAINT t_price_nn CHECK (price IS NOT NULL);",
        "ALTER TABLE t ALTER COLUMN price SET NOT NULL;",
        "AccessExclusiveLock",  # held briefly: no scan (the rewrite test below shows none)
    ),
    (
        "UNIQUE USING INDEX",
        "CREATE UNIQUE INDEX t_id_key ON t (id);",
        "ALTER TABLE t ADD CONSTRAINT t_id_key UNIQUE USING INDEX t_id_key;",
        "AccessExclusiveLock",  # held briefly: the index exists
    ),
]

CLAIMED = re.compile(r"\b(ACCESS EXCLUSIVE|SHARE ROW EXCLUSIVE|SHARE UPDATE EXCLUSIVE|SHARE) lock")


def _version(url: str) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    return str(row[0])


def lint(migration: str, url: str, setup: str = "") -> list[tuple[str, str]]:
    """(code, message) of every finding on the migration, over the test table's schema, for
    the server at ``url``'s version."""
    with tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "schema.sql"
        schema.write_text(TABLE + setup)
        path = Path(tmp) / "0002_case.up.sql"
        path.write_text(migration)
        options = MigrationLintOptions(schema=str(schema), server_version=_version(url))
        report = lint_migrations([str(path)], options, LintConfig())
    return [(f.code, f.message) for f in report.findings]


def _load(url: str, setup: str = "") -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(TABLE)
        conn.execute(ROWS)
        if setup:
            conn.execute(setup)


def _relfilenode(conn: psycopg.Connection, table: str = "t") -> int:
    row = conn.execute(
        "SELECT relfilenode FROM pg_class WHERE oid = %s::regclass", [table]
    ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def db(pg_scratch: str) -> Iterator[str]:
    yield pg_scratch


@pytest.mark.parametrize(("migration"), [pytest.param(m, id=i) for i, m in REWRITES])
def test_rewrite_claim_matches_relfilenode(db: str, migration: str) -> None:
    """The table is rewritten (new relfilenode) exactly when a rewrite rule reports it. The
    session's TimeZone is not UTC unless the file sets it (the linter assumes nothing)."""
    findings = lint(migration, db)
    said = sorted(code for code, _ in findings if code in REWRITE_RULES)
    _load(db)
    with psycopg.connect(db) as conn:
        conn.execute("SET TIME ZONE 'America/New_York'")
        before = _relfilenode(conn)
        conn.execute(migration)
        conn.commit()
        after = _relfilenode(conn)
    rewritten = before != after
    assert rewritten == bool(said), (
        f"server: {'rewrite' if rewritten else 'no rewrite'}; linter: {said or 'no rewrite'} "
        f"({findings})"
    )


def _held(conn: psycopg.Connection, pid: int, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT mode FROM pg_locks WHERE pid = %s AND locktype = 'relation' "
        "AND relation = %s::regclass AND granted",
        [pid, table],
    ).fetchall()
    return [r[0] for r in rows]


def _locks_while_open(url: str, migration: str, tables: tuple[str, ...]) -> dict[str, str | None]:
    """The strongest lock the migration's open transaction holds on each table, as a second
    session sees it in pg_locks."""
    with psycopg.connect(url) as mover, psycopg.connect(url, autocommit=True) as watcher:
        pid = mover.info.backend_pid
        mover.execute(migration)  # psycopg opened a transaction: not committed yet
        held = {t: strongest(_held(watcher, pid, t)) for t in tables}
        mover.rollback()
    return held


@pytest.mark.parametrize(
    ("setup", "migration", "tables"),
    [pytest.param(s, m, t, id=i) for i, s, m, t in LOCKS],
)
def test_lock_claim_matches_pg_locks(
    db: str, setup: str, migration: str, tables: tuple[str, ...]
) -> None:
    """The lock level a finding names is the strongest lock the statement's transaction holds
    on the table (and, for a foreign key, on the referenced table too)."""
    findings = lint(migration, db, setup)
    claims = [
        (code, m.group(1))
        for code, msg in findings
        if code != "MIG020" and (m := CLAIMED.search(msg))
    ]
    assert claims, f"no finding names a lock: {findings}"
    _load(db, setup)
    held = _locks_while_open(db, migration, tables)
    for code, level in claims:
        mode = level.title().replace(" ", "") + "Lock"
        for table in tables:
            assert held[table] == mode, f"{code} says {level}; {table} holds {held[table]}"


@pytest.mark.parametrize(
    ("setup", "migration", "mode"),
    [pytest.param(s, m, mode, id=i) for i, s, m, mode in SAFE_LOCKS],
)
def test_safe_steps_lock_and_scan(db: str, setup: str, migration: str, mode: str) -> None:
    """The steps the fixes advise: not reported by the rules of this module, and holding the
    lock the documentation names (VALIDATE: SHARE UPDATE EXCLUSIVE, which blocks neither reads
    nor writes)."""
    findings = lint(migration, db, setup)
    assert not [c for c, _ in findings if c in {f"MIG{n:03d}" for n in range(3, 13)}], findings
    _load(db, setup)
    held = _locks_while_open(db, migration, ("t",))
    assert held["t"] == mode


def test_set_not_null_scan_is_skipped_with_a_validated_check(db: str) -> None:
    """PostgreSQL 12+ proves NOT NULL from a validated CHECK: with one, SET NOT NULL does not
    read the table (seq_scan count unchanged); without one it scans. MIG005 reports exactly
    the second."""
    _load(db)
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("ALTER TABLE t ADD CONSTRAINT t_price_nn CHECK (price IS NOT NULL)")
        scans = []
        for column in ("price", "qty"):
            before = _seq_scans(conn)
            conn.execute(f"ALTER TABLE t ALTER COLUMN {column} SET NOT NULL")
            scans.append(_seq_scans(conn) - before)
    setup = "ALTER TABLE t ADD CONSTRAINT t_price_nn CHECK (price IS NOT NULL);"
    said = [
        bool(
            [
                c
                for c, _ in lint(f"ALTER TABLE t ALTER COLUMN {col} SET NOT NULL;", db, setup)
                if c == "MIG005"
            ]
        )
        for col in ("price", "qty")
    ]
    assert said == [False, True]
    assert [s > 0 for s in scans] == said, scans


def _seq_scans(conn: psycopg.Connection) -> int:
    """Sequential scans of t so far (statistics flushed first)."""
    conn.execute("SELECT pg_stat_force_next_flush()") if _has_flush(conn) else None
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(
        "SELECT coalesce(seq_scan, 0) FROM pg_stat_user_tables WHERE relid = 't'::regclass"
    ).fetchone()
    assert row is not None
    return int(row[0])


def _has_flush(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regproc('pg_stat_force_next_flush') IS NOT NULL").fetchone()
    return bool(row and row[0])


def test_volatility_list_matches_pg_proc(pg_urls: str) -> None:
    """Every function of the default rule's list that the server has in pg_catalog has the
    listed provolatile, in every overload."""
    with psycopg.connect(pg_urls, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT proname, array_agg(DISTINCT provolatile::text) FROM pg_proc "
            "WHERE pronamespace = 'pg_catalog'::regnamespace AND proname = ANY(%s) "
            "GROUP BY proname",
            [list(VOLATILITY)],
        ).fetchall()
    found = {name: set(kinds) for name, kinds in rows}
    assert len(found) >= 25, sorted(found)
    wrong = {n: k for n, k in found.items() if k != {VOLATILITY[n]}}
    assert not wrong, f"pg_proc says {wrong}"
