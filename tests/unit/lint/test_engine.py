"""Configuration, selection, severity overrides, inline suppression and the baseline."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import pytest

from dbdesign.errors import ConfigError
from dbdesign.lint import LintConfig, Severity, apply_baseline, apply_suppressions, lint
from dbdesign.lint.config import parse_config
from dbdesign.lint.engine import read_baseline, select_rules, write_baseline
from dbdesign.readers.ddl.postgres import read_path

SQL = """\
CREATE TABLE events (kind text);                       -- KEY001 (error)
CREATE TABLE orders (id bigint PRIMARY KEY, total real, placed timestamp);
"""


def read(tmp_path: Path, sql: str = SQL) -> Path:
    p = tmp_path / "schema.sql"
    p.write_text(sql)
    return p


def codes(findings: list) -> list[str]:  # type: ignore[type-arg]
    return sorted({f.code for f in findings})


def test_select_ignore_by_code_prefix_and_group(tmp_path: Path) -> None:
    s = read_path(read(tmp_path))
    assert codes(lint(s, LintConfig(select=("keys",)))) == ["KEY001"]
    assert codes(lint(s, LintConfig(select=("TYP",)))) == ["TYP001", "TYP003"]
    assert "TYP001" not in codes(lint(s, LintConfig(ignore=("TYP001", "naming"))))
    assert not any(c.startswith("NAM") for c in codes(lint(s, LintConfig(ignore=("naming",)))))


def test_unknown_selector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="XYZ999"):
        select_rules(LintConfig(select=("XYZ999",)))


def test_severity_override(tmp_path: Path) -> None:
    s = read_path(read(tmp_path))
    cfg = parse_config({"select": ["TYP001"], "severity": {"TYP001": "error"}})
    assert {f.severity for f in lint(s, cfg)} == {Severity.error}


def test_config_validation_names_the_key() -> None:
    with pytest.raises(ConfigError, match="max_indexes_per_table"):
        parse_config({"max_indexes_per_table": "many"}, file="pyproject.toml")
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config({"selct": ["KEY"]})
    with pytest.raises(ConfigError, match="severity"):
        parse_config({"fail_on": "fatal"})


def test_findings_carry_file_line_col(tmp_path: Path) -> None:
    p = read(tmp_path)
    f = next(f for f in lint(read_path(p), LintConfig(select=("TYP003",))))
    assert (f.origin.file, f.origin.line) == (str(p), 2)  # type: ignore[union-attr]
    assert f.object == "public.orders.total" and f.fix_hint


def test_inline_suppression_same_line_and_line_above(tmp_path: Path) -> None:
    sql = (
        "-- dbdesign: ignore KEY001\n"
        "CREATE TABLE events (kind text);\n"
        "CREATE TABLE orders (\n"
        "  id bigint PRIMARY KEY,\n"
        "  total real,  -- dbdesign: ignore TYP003\n"
        "  placed timestamp  -- dbdesign: ignore types\n"
        ");\n"
        "CREATE TABLE logs (msg text);\n"
    )
    s = read_path(read(tmp_path, sql))
    cfg = LintConfig(select=("KEY001", "TYP001", "TYP003"))
    left = apply_suppressions(lint(s, cfg))
    assert [(f.code, f.object) for f in left] == [("KEY001", "public.logs")]


def test_suppression_of_another_code_does_not_silence(tmp_path: Path) -> None:
    s = read_path(read(tmp_path, "CREATE TABLE events (kind text); -- dbdesign: ignore TYP001\n"))
    assert codes(apply_suppressions(lint(s, LintConfig(select=("KEY001",))))) == ["KEY001"]


def test_baseline_reports_only_new_findings(tmp_path: Path) -> None:
    p = read(tmp_path)
    cfg = LintConfig(select=("KEY", "TYP"))
    before = lint(read_path(p), cfg)
    base = tmp_path / "baseline.json"
    assert write_baseline(before, base) == len(before)
    # Move everything down (line numbers change) and add a new problem.
    p.write_text("\n\n" + SQL + "CREATE TABLE more (x money);\n")
    after = apply_baseline(lint(read_path(p), cfg), read_baseline(base))
    assert sorted((f.code, f.object) for f in after) == [
        ("KEY001", "public.more"),
        ("TYP002", "public.more.x"),
    ]


def test_bad_baseline_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigError):
        read_baseline(bad)


def test_rules_skip_other_dialects(tmp_path: Path) -> None:
    from dbdesign.readers.ddl.sqlite import read_ddl

    s = read_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP, c CHAR(2));")
    assert codes(lint(s, LintConfig(select=("TYP",)))) == []
    assert replace(LintConfig(), fail_on=Severity.info).fail_on is Severity.info


def test_unused_suppressions_across_a_folder_of_files(tmp_path: Path) -> None:
    from dbdesign.lint.engine import source_files

    (tmp_path / "01_tables.sql").write_text(
        "CREATE TABLE events (kind text);  -- dbdesign: ignore KEY001\n"
        "CREATE TABLE logs (id bigint PRIMARY KEY);  -- dbdesign: ignore KEY001\n"
    )
    (tmp_path / "02_more.sql").write_text(
        "-- dbdesign: ignore TYP002 -- nothing below uses money any more\n"
        "ALTER TABLE logs ADD COLUMN amount numeric;\n"
    )
    s = read_path(tmp_path)
    files = source_files(s)
    assert files == {str(tmp_path / "01_tables.sql"), str(tmp_path / "02_more.sql")}
    cfg = LintConfig(select=("KEY001", "TYP002", "SUP001"))
    found = apply_suppressions(lint(s, cfg), cfg, files)
    assert [(f.code, f.object, f.origin.line) for f in found] == [  # type: ignore[union-attr]
        ("SUP001", "-- dbdesign: ignore KEY001", 2),
        ("SUP001", "-- dbdesign: ignore TYP002", 1),
    ]
    assert found[1].origin.file == str(tmp_path / "02_more.sql")  # type: ignore[union-attr]
    # Without a configuration (the library's old call) nothing is added.
    assert apply_suppressions(lint(s, cfg)) == []
    # A severity override applies to SUP001 like to any rule.
    cfg = replace(cfg, severity={"SUP": Severity.error})
    assert {f.severity for f in apply_suppressions(lint(s, cfg), cfg, files)} == {Severity.error}


def test_volumes_config_is_validated() -> None:
    assert (
        parse_config({"volumes": {"public.events": 5_000_000_000}}).volume("public", "events")
        == 5_000_000_000
    )
    for bad in ({"volumes": ["events"]}, {"volumes": {"events": -1}}, {"volumes": {"e": "x"}}):
        with pytest.raises(ConfigError, match="volumes"):
            parse_config(bad)


def test_every_config_field_has_a_parser() -> None:
    """``[tool.dbdesign.lint]`` accepts exactly the fields of LintConfig: a field without a
    parser would be refused as an unknown key, a parser without a field would crash."""
    from dbdesign.lint.config import _PARSERS

    assert set(_PARSERS) == {f.name for f in fields(LintConfig)}
