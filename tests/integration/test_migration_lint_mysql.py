"""The MySQL migration linter's online-DDL claims, proven on the machine's MariaDB
(``$DBDESIGN_TEST_MYSQL_URL``; a missing variable fails the tests, naming it).

Every example of every operation of the knowledge table
(:data:`dbdesign.lint.migration.mysql_online_facts.OPERATIONS`) is linted for MariaDB 10.11 (the
walker and the classifier the rules use: the verdict comes from the linter, not from the
table's entry), then run on a scratch table with rows, each attempt on a fresh table:

- claimed INSTANT: ``ALGORITHM=INSTANT`` is accepted;
- claimed INPLACE, LOCK=NONE: ``ALGORITHM=INSTANT`` is refused (ERROR 1845/1846) and
  ``ALGORITHM=INPLACE, LOCK=NONE`` accepted; ``ALGORITHM=NOCOPY`` (MariaDB: INPLACE without a
  rebuild) accepted exactly when the linter says the table is not rebuilt;
- claimed LOCK=SHARED: ``LOCK=NONE`` refused, ``ALGORITHM=INPLACE, LOCK=SHARED`` accepted;
- claimed COPY: ``ALGORITHM=INPLACE, LOCK=SHARED`` refused, ``ALGORITHM=COPY`` accepted.

And the rules agree with the server: with the claimed clause appended no MIG109 (refused
clause) finding, with a cheaper one appended MIG109 fires.

The MySQL 8.0 verdicts of the table cannot be proven here: there is no MySQL 8 server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dbdesign.engine import connect_mysql, mysql_scratch_database
from dbdesign.lint.config import LintConfig
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.migration.context import ServerVersion
from dbdesign.lint.migration.mysql_online import classify
from dbdesign.lint.migration.mysql_online_facts import (
    EXAMPLE_ROWS,
    EXAMPLE_SCHEMAS,
    OPERATIONS,
    Verdict,
)
from dbdesign.lint.migration.sources import MigrationFile
from dbdesign.lint.migration.walk_mysql import walk
from tests.mysqlload import mysql_server_url

MARIADB = ServerVersion("mariadb", (10, 11))
REFUSED = (1845, 1846)  # ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON)


def _examples() -> list[Any]:
    out = []
    for key, op in OPERATIONS.items():
        for n, (schema, migration) in enumerate(op.examples):
            out.append(pytest.param(key, schema, migration, id=f"{key}-{n}"))
    return out


@pytest.fixture(scope="module")
def scratch() -> Iterator[str]:
    with mysql_scratch_database(mysql_server_url()) as url:
        yield url


def _statements(text: str) -> list[str]:
    return [s.strip() for s in text.split(";") if s.strip()]


def _linted(schema: str, migration: str) -> tuple[set[str], Verdict | None]:
    """The operations and the verdict the linter gives the migration's last statement."""
    f = MigrationFile("0002_case.up.sql", migration, "plain", False)
    c = None
    for ctx in walk([f], schema_text=EXAMPLE_SCHEMAS[schema], server=MARIADB):
        # the state just before the statement: classified before the walker applies it
        table = ctx.state.tables.get(ctx.stmt.node.table or "t")
        c = classify(ctx.stmt.node, table, MARIADB)
    assert c is not None, f"not classified: {migration}"
    return c.keys, c.verdict


def _with(stmt: str, clause: str) -> str:
    if stmt.upper().startswith("ALTER"):
        return f"{stmt}, {clause}"
    return f"{stmt} {clause.replace(',', '')}"


def _attempt(url: str, schema: str, migration: str, clause: str) -> int | None:
    """Make the example's tables afresh, run the migration with ``clause`` on its last
    statement: None when the server accepts it, else the error number."""
    import pymysql

    conn = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SET foreign_key_checks = 0")
            cur.execute("DROP TABLE IF EXISTS t, t2, parent")
            cur.execute("SET foreign_key_checks = 1")
            for s in _statements(EXAMPLE_SCHEMAS[schema]):
                cur.execute(s)
            for s in EXAMPLE_ROWS[schema]:
                cur.execute(s)
            *before, last = _statements(migration)
            for s in before:
                cur.execute(s)
            try:
                cur.execute(_with(last, clause))
            except pymysql.MySQLError as e:
                code = int(e.args[0])
                assert code in REFUSED, f"{_with(last, clause)}: unexpected error {e.args}"
                return code
            return None
    finally:
        conn.close()


def _refused_finding(schema: str, migration: str, clause: str, tmp: Any) -> bool:
    """Whether the linter says (MIG109) the server refuses the statement with ``clause``."""
    *before, last = _statements(migration)
    text = ";\n".join([*before, _with(last, clause)]) + ";\n"
    path = tmp / "0002_case.up.sql"
    path.write_text(text)
    schema_file = tmp / "schema.sql"
    schema_file.write_text(EXAMPLE_SCHEMAS[schema])
    report = lint_migrations(
        [str(path)],
        MigrationLintOptions(
            dialect="mysql", schema=str(schema_file), server_version="mariadb-10.11"
        ),
        LintConfig(select=("MIG109",)),
    )
    return any(f.code == "MIG109" for f in report.findings)


@pytest.mark.parametrize(("key", "schema", "migration"), _examples())
def test_claimed_algorithm_is_what_mariadb_does(
    scratch: str, key: str, schema: str, migration: str, tmp_path: Any
) -> None:
    keys, v = _linted(schema, migration)
    assert key in keys, f"the linter reads {migration!r} as {sorted(keys)}, not {key}"
    assert v is not None
    claimed = v.clause()
    assert _attempt(scratch, schema, migration, claimed) is None, f"refused: {claimed}"
    assert not _refused_finding(schema, migration, claimed, tmp_path)
    if v.algorithm == "COPY":
        cheaper = "ALGORITHM=INPLACE, LOCK=SHARED"
        assert _attempt(scratch, schema, migration, cheaper) in REFUSED
        assert _refused_finding(schema, migration, cheaper, tmp_path)
    elif v.algorithm != "INSTANT":  # INPLACE: not INSTANT, and NOCOPY exactly when no rebuild
        assert _attempt(scratch, schema, migration, "ALGORITHM=INSTANT") in REFUSED
        assert _refused_finding(schema, migration, "ALGORITHM=INSTANT", tmp_path)
        nocopy = f"ALGORITHM=NOCOPY, LOCK={v.lock}"
        accepted = _attempt(scratch, schema, migration, nocopy) is None
        assert accepted == (not v.rebuild), (
            f"{nocopy}: accepted={accepted}, linter rebuild={v.rebuild}"
        )
        assert _refused_finding(schema, migration, nocopy, tmp_path) == v.rebuild
        if v.lock != "NONE":
            assert _attempt(scratch, schema, migration, "ALGORITHM=INPLACE, LOCK=NONE") in REFUSED
            assert _refused_finding(schema, migration, "ALGORITHM=INPLACE, LOCK=NONE", tmp_path)


def test_every_operation_has_an_example() -> None:
    assert all(op.examples for op in OPERATIONS.values())
