"""Hybrid designs: examples/saas_hybrid.yaml puts its expiring, key-read entities (sessions,
rate-limit calls) in Redis beside PostgreSQL, proves each part on its own server (the embedded
PostgreSQL, the machine's Redis) and says how the parts stay consistent; the placement's near
misses (a database asked for by name, store: primary, an entity something refers to)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis

from dbdesign.design import design
from dbdesign.errors import UnsupportedError
from dbdesign.readers import spec as S
from tests.conftest import REDIS_URL
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "saas_hybrid.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DBDESIGN_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def test_the_example_is_two_parts_each_proved_on_its_server(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run(str(EXAMPLE), "--redis", REDIS_URL, "--out", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["dialect"] == "postgres" and data["choice"]["kind"] == "relational"
    assert any(
        x.startswith("hybrid: session, api_call in Redis") for x in data["choice"]["reasons"]
    )
    # the spec in design.json is the whole spec, as written
    assert S.Spec.model_validate(data["spec"]) == S.load(EXAMPLE)
    assert set(data["schema"]["schema"]["tables"]) == {
        "public.accounts", "public.projects", "public.tasks",
    }  # fmt: skip
    assert data["proof"]["ok"] is True
    fams = {f["name"]: f["structure"] for f in data["redis"]["families"]}
    assert fams == {"session": "hash", "session_by_account_id": "sorted set", "api_call": "counter"}
    kv = data["redis_proof"]
    assert kv["ok"] is True and kv["keys_left"] == 0
    assert {t["name"] for t in kv["timings"]} == {
        "session_by_token", "sessions_of_account", "calls_in_window", "sign_in",
        "touch_session", "sign_out", "count_call",
    }  # fmt: skip
    left = redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{kv['prefix']}*")
    assert list(left) == []
    md = (out / "DESIGN.md").read_text()
    assert "**Type:** PostgreSQL + Redis (hybrid" in md
    part = md.index("## Redis Part (hybrid)")
    assert part < md.index("## Appendix: schema.sql")
    assert "**How the parts stay consistent:**" in md[part:]
    assert "HGETALL taskboard:session:<token_hash>" in md[part:]
    assert "maxmemory-policy volatile-ttl" in (out / "redis.conf").read_text()
    assert "sessions" not in (out / "schema.sql").read_text()
    # without a Redis server the Redis part is designed, not proved, and it says so
    r = run(str(EXAMPLE), "--no-prove")
    assert r.returncode == 0, r.stderr
    assert "with a Redis part (hybrid)" in r.stdout.splitlines()[0]
    assert "  proof: not run (--no-prove)" in r.stdout


def _spec(**changes: Any) -> S.Spec:
    raw = S.load(EXAMPLE).model_dump(mode="json", by_alias=True)
    for path, value in changes.items():
        node = raw
        *head, last = path.split(".")
        for k in head:
            node = node[k]
        node[last] = value
    return S.Spec.model_validate(raw)


def test_a_database_asked_for_by_name_keeps_every_entity_in_it() -> None:
    d = design(_spec(**{"project.database": "postgresql"}))
    assert d.redis_part is None
    assert {"sessions", "api_calls"} <= {t.name for t in d.schema.tables.values()}


def test_store_primary_keeps_an_entity_in_the_relational_part() -> None:
    d = design(_spec(**{"entities.session.store": "primary"}))
    assert d.redis_part is not None
    assert {f.entity for f in d.redis_part.families} == {"api_call"}
    assert "sessions" in {t.name for t in d.schema.tables.values()}


def test_an_entity_something_refers_to_cannot_live_in_redis() -> None:
    with pytest.raises(UnsupportedError, match=r"entities.project.store: project cannot live"):
        design(_spec(**{"entities.project.store": "redis"}))


def test_an_entity_that_does_not_expire_is_not_placed_in_redis() -> None:
    d = design(_spec(**{"entities.session.ttl_seconds": None}))
    assert d.redis_part is not None
    assert {f.entity for f in d.redis_part.families} == {"api_call"}
