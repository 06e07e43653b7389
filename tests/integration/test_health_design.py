"""A well-designed database gives no warnings: each design example's schema, created by
dbdesign design and loaded as its proof loads it (the proof's rows, skew and keys), reviewed by
every check on the embedded PostgreSQL 16 and the PostgreSQL 15 server (where
pg_stat_statements is preloaded, so the query checks run too). What a check could not see is a
note, and only the notes listed here may appear."""

from __future__ import annotations

import pytest

from dbdesign import api, engine
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import load_rows, proof_rows
from dbdesign.lint.findings import Severity
from tests.integration.health_support import record_statements, unexplained
from tests.paths import ROOT

EXAMPLES = ("ecommerce", "issue_tracker", "fleet_telemetry")


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_designed_and_loaded_database_gives_no_warnings(example: str, pg_scratch: str) -> None:
    design, _ = api.design(ROOT / "examples" / f"{example}.yaml", prove=False)
    with engine.connect(pg_scratch, autocommit=True) as conn:
        recorded = record_statements(conn)
        conn.execute(schema_sql(design.schema))
    load_rows(pg_scratch, design, proof_rows(design))

    report = api.health(pg_scratch)
    loud = [f for f in report.findings if f.severity.rank >= Severity.warning.rank]
    assert loud == [], report.to_text()
    assert unexplained(report.notes, recorded) == []
