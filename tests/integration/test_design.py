"""`dbdesign design`: golden outputs for the example specs, the designed schema loads on
PostgreSQL (embedded 16 and the machine's 15), SQLite and MariaDB (``--dialect mysql``) and reads
back as the designed model, and the proof fails loudly when a pattern's index is missing.

Regenerate the goldens (then review the diff) with
``DBDESIGN_UPDATE_GOLDEN=1 python -m pytest tests/integration/test_design.py -k golden``.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api, engine
from dbdesign.design import design
from dbdesign.design.output import render, schema_sql
from dbdesign.lint.engine import lint
from dbdesign.lint.findings import Severity
from dbdesign.migrate.compare import schema_differences
from dbdesign.readers import spec as S
from tests.paths import ROOT

ALL_EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
# Relational designs (Redis and MongoDB designs have no schema: test_design_redis.py,
# test_design_recommendations.py)
EXAMPLES = [p for p in ALL_EXAMPLES if design(S.load(p)).relational]
# ... of them, those every dialect designs (a similarity search needs pgvector: PostgreSQL only)
PORTABLE = [p for p in EXAMPLES if not any(x.similar_to for x in S.load(p).access_patterns)]
GOLDEN = ROOT / "tests" / "golden" / "design"
UPDATE = os.environ.get("DBDESIGN_UPDATE_GOLDEN") == "1"
ids = [p.stem for p in EXAMPLES]
EXAMPLES_BY = {p.stem: p for p in EXAMPLES}


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=lambda p: p.stem)
def test_golden_outputs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    files = render(design(S.load(path)))
    for dialect in ("sqlite",) if path in PORTABLE else ():
        files[f"schema.{dialect}.sql"] = schema_sql(design(S.load(path), dialect).schema)
    folder = GOLDEN / path.stem
    for rel, text in files.items():
        want = folder / rel
        if UPDATE:
            want.parent.mkdir(parents=True, exist_ok=True)
            want.write_text(text)
        assert want.exists(), f"missing golden {want}; run with DBDESIGN_UPDATE_GOLDEN=1"
        assert text == want.read_text(), f"{rel} of {path.name} differs from its golden"


@pytest.mark.parametrize("path", EXAMPLES, ids=ids)
def test_designed_schema_has_no_lint_errors(path: Path) -> None:
    d = design(S.load(path))
    errors = [str(f) for f in lint(d.schema) if f.severity is Severity.error]
    assert errors == []


def _has_pgvector(url: str) -> bool:
    with engine.connect(url) as conn:
        row = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
        return row.fetchone() is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=ids)
def test_postgres_schema_reads_back_as_designed(
    path: Path, pg_scratch: str, tmp_path: Path
) -> None:
    d = design(S.load(path))
    sql = schema_sql(d.schema)
    if "vector" in {x.name for x in d.schema.extensions.values()} and not _has_pgvector(pg_scratch):
        pytest.skip(
            "no pgvector on this server (Debian 12 has no postgresql-15-pgvector): the "
            "embedded PostgreSQL 16 reads this design back"
        )
    (tmp_path / "schema.sql").write_text(sql)
    assert [
        str(x) for x in schema_differences(d.schema, api.read(str(tmp_path / "schema.sql")))
    ] == []
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(sql.encode())
    assert [str(x) for x in schema_differences(d.schema, api.read(pg_scratch))] == []


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.stem)
def test_sqlite_schema_reads_back_as_designed(path: Path, tmp_path: Path) -> None:
    d = design(S.load(path), "sqlite")
    sql = schema_sql(d.schema)
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(sql)
    conn.close()
    assert [str(x) for x in schema_differences(d.schema, api.read(str(db)))] == []
    (tmp_path / "schema.sql").write_text(sql)
    back = api.read(str(tmp_path / "schema.sql"), dialect="sqlite")
    assert [str(x) for x in schema_differences(d.schema, back)] == []


def test_down_migration_undoes_the_up(pg_scratch: str) -> None:
    d = design(S.load(ROOT / "examples" / "issue_tracker.yaml"))
    files = render(d)
    with engine.connect(pg_scratch, autocommit=True) as conn:
        empty = api.read(pg_scratch)
        conn.execute(files["migrations/0001_initial.up.sql"].encode())
        conn.execute(files["migrations/0001_initial.down.sql"].encode())
    assert [str(x) for x in schema_differences(empty, api.read(pg_scratch))] == []


# ------------------------------------------------------------------------------------------------
# MySQL / MariaDB designs (--dialect mysql): goldens under <example>/mysql/, the schema loads on
# the machine's MariaDB ($DBDESIGN_TEST_MYSQL_URL) and reads back as designed, down undoes up.
# A MySQL design is proved only on a MySQL server (tests/integration/test_design_proof.py);
# without one it is not, and says so.


@pytest.fixture(scope="module")
def mysql_server() -> str:
    from tests.mysqlload import mysql_server_url

    return mysql_server_url()


@pytest.fixture()
def mysql_scratch(mysql_server: str) -> Iterator[str]:
    with engine.mysql_scratch_database(mysql_server) as url:
        yield url


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.stem)
def test_mysql_golden_outputs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    files = render(design(S.load(path), "mysql"))
    folder = GOLDEN / path.stem / "mysql"
    for rel, text in files.items():
        want = folder / rel
        if UPDATE:
            want.parent.mkdir(parents=True, exist_ok=True)
            want.write_text(text)
        assert want.exists(), f"missing golden {want}; run with DBDESIGN_UPDATE_GOLDEN=1"
        assert text == want.read_text(), f"mysql/{rel} of {path.name} differs from its golden"


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.stem)
def test_mysql_design_says_what_it_is(path: Path) -> None:
    """DESIGN.md of a MySQL design names no PostgreSQL machinery and, not proved, says so and
    how to prove it. Its only triggers keep business rules (no overlapping bookings)."""
    d = design(S.load(path), "mysql")
    rule_objects = {name for r in d.rules for name in r.objects}
    assert d.schema.dialect == "mysql" and not d.schema.functions
    assert {tr.name for tr in d.schema.triggers.values()} <= rule_objects
    assert not d.schema.policies and not any(t.partition_by for t in d.schema.tables.values())
    md = render(d)["DESIGN.md"]
    assert "needs a MySQL or MariaDB server and was not run for this MySQL / MariaDB design" in md
    assert "--dialect mysql --db mysql://" in md
    assert "**Measured" not in md and "### Proof" not in md
    words = ["tsvector", "GIN", "CONCURRENTLY", "PgBouncer", "WAL", "pg_", "RLS"]
    if not d.schema.triggers:  # (updated_at is ON UPDATE, not a trigger)
        words.append("trigger")
    for word in words:
        assert not re.search(rf"\b{re.escape(word)}", md), word
    assert errors_of(d) == []


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.stem)
def test_sqlite_design_says_what_it_is(path: Path) -> None:
    """DESIGN.md of a SQLite design gives SQLite's operations advice (it gave PostgreSQL's:
    PgBouncer, pg_basebackup, CREATE INDEX CONCURRENTLY) and promises no row-level security."""
    md = render(design(S.load(path), "sqlite"))["DESIGN.md"]
    for word in ("PgBouncer", "pg_", "CONCURRENTLY", "NOT VALID", "Citus", "streaming", "(RLS)"):
        assert word not in md, word
    for said in ("--db sqlite:///", "WAL mode", "VACUUM INTO", "PRAGMA foreign_key_check"):
        assert said in md, said


def errors_of(d: Any) -> list[str]:
    return [str(f) for f in lint(d.schema) if f.severity is Severity.error]


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.stem)
def test_mysql_schema_reads_back_as_designed(path: Path, mysql_scratch: str) -> None:
    from dbdesign.readers.catalog.mysql import read_catalog
    from dbdesign.readers.ddl.mysql import read_ddl
    from tests.mysqlload import load_mysql

    d = design(S.load(path), "mysql")
    sql = schema_sql(d.schema)
    assert [str(x) for x in schema_differences(d.schema, read_ddl(sql))] == []
    load_mysql(mysql_scratch, sql)
    back = read_catalog(mysql_scratch)
    assert [str(x) for x in schema_differences(d.schema, back)] == []
    assert back == d.schema


@pytest.mark.parametrize("path", PORTABLE, ids=lambda p: p.stem)
def test_mysql_down_migration_undoes_the_up(path: Path, mysql_scratch: str) -> None:
    from dbdesign.readers.catalog.mysql import read_catalog
    from tests.mysqlload import load_mysql

    files = render(design(S.load(path), "mysql"))
    empty = read_catalog(mysql_scratch)
    load_mysql(mysql_scratch, files["migrations/0001_initial.up.sql"])
    assert read_catalog(mysql_scratch).tables
    load_mysql(mysql_scratch, files["migrations/0001_initial.down.sql"])
    assert [str(x) for x in schema_differences(empty, read_catalog(mysql_scratch))] == []


def test_mysql_design_behaves_on_the_server(mysql_server: str, mysql_scratch: str) -> None:
    """What the reasons claim, checked on MariaDB: soft-deleted rows free their unique value,
    updated_at follows updates, codes are upper case, addresses are IP addresses."""
    import pymysql

    from tests.mysqlload import load_mysql

    load_mysql(
        mysql_scratch, schema_sql(design(S.load(EXAMPLES_BY["issue_tracker"]), "mysql").schema)
    )
    conn = engine.connect_mysql(mysql_scratch, autocommit=True)
    try:
        with conn.cursor() as cur:

            def run(sql: str) -> None:
                cur.execute(sql)

            run(
                "INSERT INTO organisations (name, slug, updated_at) VALUES ('A', 'a', '2001-01-01')"
            )
            with pytest.raises(pymysql.err.IntegrityError):
                run("INSERT INTO organisations (name, slug) VALUES ('A2', 'a')")
            run("UPDATE organisations SET deleted_at = UTC_TIMESTAMP(6) WHERE slug = 'a'")
            run("INSERT INTO organisations (name, slug) VALUES ('A3', 'a')")  # the slug is free
            with pytest.raises(pymysql.err.IntegrityError):
                run("INSERT INTO organisations (name, slug) VALUES ('A4', 'a')")
            cur.execute("SELECT MIN(updated_at) > '2001-01-02', COUNT(*) FROM organisations")
            assert cur.fetchone() == (1, 2)  # the soft delete was an update: updated_at moved
            cur.execute("SELECT id FROM organisations WHERE deleted_at IS NULL")
            (org,) = cur.fetchone()
            run(
                f"INSERT INTO audit_events (organisation_id, action, object_type, object_id) "
                f"VALUES ({org}, 'login', 'member', 1)"
            )  # ip NULL is allowed
            run(
                f"INSERT INTO audit_events (organisation_id, action, object_type, object_id, ip) "
                f"VALUES ({org}, 'login', 'member', 1, '2001:db8::1')"
            )
            with pytest.raises(pymysql.err.OperationalError, match="chk_audit_events_ip"):
                run(
                    f"INSERT INTO audit_events (organisation_id, action, object_type, object_id,"
                    f" ip) VALUES ({org}, 'login', 'member', 1, 'localhost')"
                )
    finally:
        conn.close()
    with engine.mysql_scratch_database(mysql_server) as shop:
        load_mysql(shop, schema_sql(design(S.load(EXAMPLES_BY["ecommerce"]), "mysql").schema))
        conn = engine.connect_mysql(shop, autocommit=True)
        try:
            with conn.cursor() as cur:
                insert = (
                    "INSERT INTO customers (email, full_name, password_hash, country) "
                    "VALUES (%s, 'N', 'x2345678901234567890', %s)"
                )
                cur.execute(insert, ("a@example.com", "DE"))
                with pytest.raises(pymysql.err.IntegrityError):  # unique ignores case
                    cur.execute(insert, ("A@Example.com", "DE"))
                with pytest.raises(pymysql.err.OperationalError, match="chk_customers_country"):
                    cur.execute(insert, ("b@example.com", "de"))
                with pytest.raises(pymysql.err.OperationalError, match="chk_customers_email"):
                    cur.execute(insert, ("not an address", "DE"))
        finally:
            conn.close()


def test_mysql_design_cli_and_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess
    import sys

    monkeypatch.delenv("DBDESIGN_DATABASE_URL", raising=False)
    spec = EXAMPLES_BY["fleet_telemetry"]
    d, proof = api.design(spec, dialect="mysql", prove=True)
    assert d.dialect == "mysql" and proof is None  # no MySQL server given
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbdesign",
            "design",
            str(spec),
            "--dialect",
            "mysql",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "designed for mysql" in r.stdout
    assert "proof: not run (no MySQL server given" in r.stdout
    assert "--db mysql://" in r.stdout
    assert "PASS" not in r.stdout and "FAIL" not in r.stdout
    up = (out / "migrations" / "0001_initial.up.sql").read_text()
    assert up == (out / "schema.sql").read_text() and "AUTO_INCREMENT" in up


def test_mysql_every_semantic_type_loads_and_reads_back(mysql_scratch: str) -> None:
    """Every type's column and CHECK, uuid keys with their default, soft delete and a per-row
    currency: the server accepts them all and the catalog reads back as designed."""
    from dbdesign.readers.catalog.mysql import read_catalog
    from tests.mysqlload import load_mysql
    from tests.unit.design.test_types_mysql import EVERY_TYPE_SPEC

    d = design(S.loads(EVERY_TYPE_SPEC), "mysql")
    load_mysql(mysql_scratch, schema_sql(d.schema))
    assert [str(x) for x in schema_differences(d.schema, read_catalog(mysql_scratch))] == []
    conn = engine.connect_mysql(mysql_scratch, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO things (a_vector) VALUES ('[0.5, 1, 2]')")
            cur.execute("SELECT LENGTH(id), not_deleted FROM things")
            assert cur.fetchone() == (16, 1)  # the key was made by the default
    finally:
        conn.close()
