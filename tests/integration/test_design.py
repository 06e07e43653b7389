"""`dbdesign design`: golden outputs for the example specs, the designed schema loads on
PostgreSQL (embedded 16 and the machine's 15) and SQLite and reads back as the designed model,
and the proof fails loudly when a pattern's index is missing.

Regenerate the goldens (then review the diff) with
``DBDESIGN_UPDATE_GOLDEN=1 python -m pytest tests/integration/test_design.py -k golden``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from dbdesign import api, engine
from dbdesign.design import design
from dbdesign.design.output import render, schema_sql
from dbdesign.lint.engine import lint
from dbdesign.lint.findings import Severity
from dbdesign.migrate.compare import schema_differences
from dbdesign.readers import spec as S
from tests.paths import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "design"
UPDATE = os.environ.get("DBDESIGN_UPDATE_GOLDEN") == "1"
ids = [p.stem for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=ids)
def test_golden_outputs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    files = render(design(S.load(path)))
    for dialect in ("sqlite",):
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


@pytest.mark.parametrize("path", EXAMPLES, ids=ids)
def test_postgres_schema_reads_back_as_designed(
    path: Path, pg_scratch: str, tmp_path: Path
) -> None:
    d = design(S.load(path))
    sql = schema_sql(d.schema)
    (tmp_path / "schema.sql").write_text(sql)
    assert [
        str(x) for x in schema_differences(d.schema, api.read(str(tmp_path / "schema.sql")))
    ] == []
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(sql.encode())
    assert [str(x) for x in schema_differences(d.schema, api.read(pg_scratch))] == []


@pytest.mark.parametrize("path", EXAMPLES, ids=ids)
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
