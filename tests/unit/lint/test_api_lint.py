"""api.lint, the function `dbdesign lint` calls: findings, rules, failing, baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.errors import ConfigError
from dbdesign.lint.config import LintConfig
from dbdesign.lint.findings import Severity


def test_lint_baseline_round_trip(tmp_path: Path) -> None:
    schema = tmp_path / "s.sql"
    schema.write_text("CREATE TABLE events (kind text);\nCREATE TABLE t (id int PRIMARY KEY);\n")
    heard: list[str] = []
    report = api.lint([str(schema)], on_read=heard.append)
    assert heard == [str(schema)]
    codes = {(f.code, f.object) for f in report.findings}
    assert ("KEY001", "public.events") in codes and report.failing
    assert any(r.code == "KEY001" for r in report.rules)

    base = tmp_path / "baseline.json"
    assert api.write_lint_baseline(report.findings, base) == len(report.findings)
    again = api.lint([str(schema)], baseline=base)
    assert again.findings == () and not again.failing

    schema.write_text(schema.read_text() + "CREATE TABLE more (x int);\n")
    new = api.lint([str(schema)], baseline=base)
    assert {f.object for f in new.findings} >= {"public.more"}
    assert all(f.object != "public.events" for f in new.findings)


def test_lint_config_decides_what_fails(tmp_path: Path) -> None:
    schema = tmp_path / "s.sql"
    schema.write_text("CREATE TABLE events (kind text);\n")
    assert not api.lint([str(schema)], config=LintConfig(select=("NAM",))).failing
    only_warnings = LintConfig(severity={"KEY001": Severity.warning})
    assert not api.lint([str(schema)], config=only_warnings).failing


def test_lint_refuses_an_empty_file_and_a_baseline_in_a_missing_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sql"
    empty.write_text("")
    with pytest.raises(ConfigError, match="the file is empty: nothing to lint"):
        api.lint([str(empty)])
    with pytest.raises(ConfigError, match="does not exist"):
        api.write_lint_baseline((), tmp_path / "no" / "baseline.json")
