"""MySQL migration files without a database: statements as the mysql client splits them, which
of them commit implicitly, refusals, durations and the lock name."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign.errors import MigrationError
from dbdesign.migrate.backend_mysql import lock_name, seconds, split_mysql, transactional
from dbdesign.migrate.files import read_script


def script(tmp_path: Path, text: str) -> list[tuple[str, int, str | None]]:
    p = tmp_path / "0001_x.up.sql"
    p.write_text(text)
    return [(s.text, s.line, s.outside) for s in split_mysql(read_script(p))]


def test_delimiter_blocks_comments_and_version_comments(tmp_path: Path) -> None:
    text = (
        "-- dbdesign: lock_timeout=2s\n"
        "# a comment\n"
        "/*!40101 SET @saved = @@sql_mode */;\n"
        "create table t (a int); -- trailing\n"
        "/* only a comment */;\n"
        "DELIMITER $$\n"
        "create trigger t_ai after insert on t for each row\n"
        "begin\n"
        "  set @n = 1;\n"
        "end$$\n"
        "DELIMITER ;\n"
        "insert into t values (1);\n"
    )
    assert script(tmp_path, text) == [
        ("SET @saved = @@sql_mode", 3, "SET commits implicitly"),
        ("create table t (a int)", 4, "CREATE commits implicitly"),
        (
            "create trigger t_ai after insert on t for each row\nbegin\n  set @n = 1;\nend",
            7,
            "CREATE commits implicitly",
        ),
        ("insert into t values (1)", 12, None),
    ]


def test_data_statements_only_make_a_transactional_file(tmp_path: Path) -> None:
    p = tmp_path / "0001_x.up.sql"
    p.write_text("insert into t values (1);\nupdate t set a = 2;\ndelete from t;\n")
    s = read_script(p)
    assert transactional(s, split_mysql(s))
    p.write_text("-- dbdesign: no-transaction\ninsert into t values (1);\n")
    s = read_script(p)
    assert not transactional(s, split_mysql(s))
    p.write_text("insert into t values (1);\nalter table t add b int;\n")
    s = read_script(p)
    assert not transactional(s, split_mysql(s))


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("START TRANSACTION", "transaction control"),
        ("begin", "transaction control"),
        ("begin work", "transaction control"),
        ("rollback", "transaction control"),
        ("savepoint a", "transaction control"),
        ("xa start 'x'", "transaction control"),
        ("use other", "USE is not allowed"),
        ("unlock tables", "UNLOCK TABLES is not allowed"),
        ("set @@autocommit = 0", "SET autocommit is not allowed"),
    ],
)
def test_refusals(tmp_path: Path, statement: str, message: str) -> None:
    with pytest.raises(MigrationError, match=message) as e:
        script(tmp_path, f"create table t (a int);\n\n{statement};\n")
    assert e.value.line == 3


def test_begin_not_atomic_is_a_compound_statement(tmp_path: Path) -> None:
    text = "DELIMITER //\nbegin not atomic\n  select 1;\nend//\n"
    assert script(tmp_path, text) == [
        ("begin not atomic\n  select 1;\nend", 2, "BEGIN commits implicitly")
    ]


def test_unterminated_string(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="unterminated string literal") as e:
        script(tmp_path, "select 1;\nselect 'x;\n")
    assert e.value.line == 2


def test_durations_and_lock_name() -> None:
    assert seconds("5s") == 5 and seconds("2min") == 120 and seconds("250ms") == 0.25
    assert seconds("100") == 0.1  # a bare number is milliseconds, as in PostgreSQL
    assert lock_name("app") == "dbdesign_migrations:app"
    long = lock_name("x" * 64)
    assert len(long) <= 64 and long.startswith("dbdesign_migrations:")
