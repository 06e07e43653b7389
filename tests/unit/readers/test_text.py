"""One normalisation of SQL files for the migration linter and the migration runner (BOM,
line endings, bytes that are not UTF-8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign.errors import ConfigError, MigrationError
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.lint.migration.sources import collect
from dbdesign.migrate.files import checksum, read_script
from dbdesign.readers.text import normalise_text, read_text_file

WINDOWS = b"\xef\xbb\xbfCREATE TABLE t (id int);\r\n\r\nCREATE INDEX t_id ON t (id);\rSELECT 1;\r\n"
UNIX = "CREATE TABLE t (id int);\n\nCREATE INDEX t_id ON t (id);\nSELECT 1;\n"


def test_bom_and_line_endings_are_read_the_same_by_lint_and_migrate(tmp_path: Path) -> None:
    path = tmp_path / "0001_t.up.sql"
    path.write_bytes(WINDOWS)
    assert normalise_text(WINDOWS) == UNIX
    assert read_text_file(path) == UNIX
    assert read_script(path).text == UNIX
    (linted,) = collect([str(path)])
    assert linted.text == UNIX
    (piped,) = collect(["-"], stdin=WINDOWS.decode("utf-8"))
    assert piped.text == UNIX
    assert checksum(WINDOWS.decode("utf-8")) == checksum(UNIX)


def test_line_numbers_count_a_lone_cr_as_a_line_end(tmp_path: Path) -> None:
    # the CREATE INDEX of a table made in an earlier file is on line 3 in any spelling
    (tmp_path / "0001_t.up.sql").write_text("CREATE TABLE t (id int);\n")
    (tmp_path / "0002_i.up.sql").write_bytes(
        b"\xef\xbb\xbfSELECT 1;\r\rCREATE INDEX i ON t (id);\r"
    )
    options = MigrationLintOptions(server_version="16")
    found = [
        (f.code, f.origin.line)
        for f in lint_migrations([str(tmp_path)], options).findings
        if f.origin is not None and f.code == "MIG001"
    ]
    assert found == [("MIG001", 3)]


@pytest.mark.parametrize("error", [ConfigError, MigrationError])
def test_bytes_that_are_not_utf8_are_refused_at_their_line(
    tmp_path: Path, error: type[ConfigError | MigrationError]
) -> None:
    path = tmp_path / "0001_t.up.sql"
    path.write_bytes(b"SELECT 1;\n-- caf\xe9\n")
    with pytest.raises(error) as e:
        read_text_file(path, error)
    assert e.value.line == 2 and e.value.file == str(path)
    assert e.value.message == "not UTF-8: byte 0xe9 (invalid continuation byte)"


def test_both_callers_refuse_with_their_own_error(tmp_path: Path) -> None:
    path = tmp_path / "0001_t.up.sql"
    path.write_bytes(b"-- caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8: byte 0xe9"):
        collect([str(path)])
    with pytest.raises(MigrationError, match="not UTF-8: byte 0xe9"):
        read_script(path)
    with pytest.raises(ConfigError, match="cannot read"):
        read_text_file(tmp_path)
