"""The kind of database a spec fits, scored on the workload's shape: lookups by a unique key,
data that expires (TTL), lookup rates, volume against memory, insert floods into append-only
data, business rules; ties broken by the number of separate reasons, said in the reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dbdesign.design.choice import Choice, choose
from dbdesign.readers import spec as S


def _choice(tmp_path: Path, spec: dict[str, Any]) -> Choice:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"version": 1, **spec}))
    return choose(S.load(path))


def _sessions(
    *, retention: int | None = None, rows: int = 100_000, rate: float = 50
) -> dict[str, Any]:
    session: dict[str, Any] = {
        "attributes": {
            "token": {"type": "identifier", "max_length": 64, "required": True, "unique": True},
            "user_ref": {"type": "identifier", "max_length": 40, "required": True},
        },
        "volume": {"rows": rows, "growth_per_year": 0},
    }
    if retention:
        session["retention_days"] = retention
    return {
        "project": {"name": "sessions", "consistency": "strong"},
        "entities": {"session": session},
        "access_patterns": [
            {"name": "by_token", "entity": "session", "equal": ["token"], "rate_per_second": rate}
        ],
    }


def _points(c: Choice, kind: str) -> int:
    return next(s.points for s in c.scores if s.kind == kind)


def test_a_unique_attribute_lookup_counts_as_a_key_lookup(tmp_path: Path) -> None:
    c = _choice(tmp_path, _sessions())
    assert "every access pattern is a lookup by a unique key" in next(
        s.reasons for s in c.scores if s.kind == "key-value"
    )
    assert _points(c, "key-value") == 6


def test_data_that_expires_and_hot_lookups_point_to_a_key_value_store(tmp_path: Path) -> None:
    c = _choice(tmp_path, _sessions(retention=1, rate=50_000))
    assert c.kind == "key-value" and c.recommended_engine == "redis"
    assert any("entries with a TTL" in r for r in c.reasons), c.reasons
    assert any("50,000 key lookups/s" in r for r in c.reasons), c.reasons
    assert _points(c, "key-value") == 6 + 3 + 2
    plain = _choice(tmp_path, _sessions())
    assert not any("TTL" in r or "lookups/s" in r for r in plain.reasons), plain.reasons


def test_too_much_data_for_memory_holds_the_key_value_store_back(tmp_path: Path) -> None:
    small = _choice(tmp_path, _sessions(retention=1, rate=50_000))
    big = _sessions(retention=1, rate=50_000)
    big["entities"]["archive"] = {
        "attributes": {"body": {"type": "text"}},
        "volume": {"rows": 300_000_000, "growth_per_year": 0},
    }
    big["access_patterns"].append({"name": "archive_by_id", "entity": "archive", "equal": ["id"]})
    c = _choice(tmp_path, big)
    assert _points(c, "key-value") == _points(small, "key-value") - 4
    assert any("too many to hold in memory" in r for s in c.scores for r in s.reasons)


def test_business_rules_and_insert_floods_are_evidence(tmp_path: Path) -> None:
    spec = {
        "project": {"name": "metrics"},
        "entities": {
            "reading": {
                "attributes": {
                    "value": {"type": "decimal", "precision": 12, "scale": 3, "required": True},
                    "taken_at": {"type": "timestamp", "required": True},
                },
                "checks": ["value >= 0"],
                "append_only": True,
                "volume": {"rows": 1_000_000, "growth_per_year": 50_000_000},
            }
        },
        "access_patterns": [
            {"name": "recent", "entity": "reading", "range": ["taken_at"], "sort": ["taken_at"]}
        ],
        "writes": [
            {"name": "ingest", "entity": "reading", "operation": "insert", "rate_per_second": 5000}
        ],
    }
    c = _choice(tmp_path, spec)
    ts = next(s for s in c.scores if s.kind == "time-series")
    assert "5,000 inserts/s into append-only entities" in ts.reasons and ts.points == 3 + 2
    rel = next(s for s in c.scores if s.kind == "relational")
    assert "1 business rules the database can enforce" in rel.reasons


def test_a_tie_is_broken_by_the_reasons_and_said(tmp_path: Path) -> None:
    spec = {
        "project": {"name": "notes", "consistency": "eventual"},
        "entities": {
            "note": {
                "attributes": {
                    "body": {"type": "json", "required": True},
                    "owner": {"type": "identifier", "max_length": 40, "required": True},
                    "written_at": {"type": "timestamp", "required": True},
                }
            }
        },
        "access_patterns": [
            {"name": f"p{i}", "entity": "note", "equal": ["owner"], "sort": ["-written_at"]}
            for i in range(4)
        ],
    }
    c = _choice(tmp_path, spec)
    assert _points(c, "relational") == _points(c, "document") == 6
    assert c.kind == "relational"
    assert c.reasons[-1] == (
        "tied on points with document: chosen for its 2 separate reasons and as the "
        "general-purpose kind"
    )
