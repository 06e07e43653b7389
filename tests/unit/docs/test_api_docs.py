"""api.docs, the function `dbdesign docs` calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.errors import ConfigError


def test_docs_of_a_file_with_lint_findings(tmp_path: Path) -> None:
    schema = tmp_path / "s.sql"
    schema.write_text("CREATE TABLE events (kind text);\n")
    report = tmp_path / "lint.json"
    findings = api.lint([str(schema)]).findings
    report.write_text(json.dumps({"findings": [f.to_dict() for f in findings]}))
    result = api.docs(str(schema), tmp_path / "out", ["markdown"], findings=report)
    assert result.formats == ["markdown"]
    assert "events" in (tmp_path / "out" / "index.md").read_text()
    table_page = (tmp_path / "out" / "tables" / "public.events.md").read_text()
    assert "KEY001" in table_page  # the finding is shown on its table's page


def test_docs_refuses_an_output_that_is_a_file_before_reading(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder")
    with pytest.raises(ConfigError):
        api.docs(str(tmp_path / "missing.sql"), out)
