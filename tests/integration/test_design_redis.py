"""Redis designs, proved on the machine's Redis: the key families, commands and settings of
examples/session_store_redis.yaml, every access timed and memory measured with MEMORY USAGE,
the design's claims checked on the server, and the proof's keys removed (nothing else
touched)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis

from dbdesign import api
from dbdesign.design import design
from dbdesign.design.prove_redis import prove_redis
from dbdesign.errors import UnsupportedError
from dbdesign.readers import spec as S
from tests.conftest import REDIS_URL
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "session_store_redis.yaml"
SESSIONS = ROOT / "tests" / "integration" / "specs" / "key_value_sessions.yaml"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


@pytest.fixture
def sentinel() -> Any:
    """A key of someone else's on the server: the proof must leave it as it was."""
    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    key = f"someone-else:{secrets.token_hex(4)}"
    r.set(key, "keep me", ex=600)
    yield key
    assert r.get(key) == "keep me" and 0 < r.ttl(key) <= 600
    r.delete(key)


def _proof_keys(prefix: str) -> list[str]:
    r = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    return list(r.scan_iter(match=f"{prefix}*", count=1000))


def test_the_example_is_designed_proved_and_cleaned_up(tmp_path: Path, sentinel: str) -> None:
    out = tmp_path / "out"
    r = run(str(EXAMPLE), "--db", REDIS_URL, "--out", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["dialect"] == "redis" and data["choice"]["kind"] == "key-value"
    fams = {f["name"]: f for f in data["redis"]["families"]}
    assert {n: (f["structure"], f["key"], f["ttl_seconds"]) for n, f in fams.items()} == {
        "session": ("hash", "arcade:session:<token_hash>", 1800),
        "session_by_player_id": (
            "sorted set",
            "arcade:session:by_player_id:<player_id>",
            1800,
        ),
        "api_call": ("counter", "arcade:api_call:<player_id>:<window>", 60),
        "score": ("sorted set", "arcade:score:{<board_id>}", None),
        "score_achieved_at": ("hash", "arcade:score:{<board_id>}:achieved_at", None),
    }
    proof = data["proof"]
    assert proof["ok"] is True, proof["problems"]
    assert proof["keys_left"] == 0 and proof["url"] == REDIS_URL
    assert proof["rows"] == {"session": 20000, "api_call": 20000, "score": 20000}
    timed = {t["name"]: t for t in proof["timings"]}
    assert set(timed) == {
        "session_by_token", "sessions_of_player", "calls_in_window", "top_of_board",
        "player_on_board", "log_in", "touch_session", "log_out", "count_call", "record_score",
    }  # fmt: skip
    for t in timed.values():
        assert t["runs"] == 300 and 0 < t["p50_ms"] <= t["p95_ms"] <= t["target_ms"], t
    memory = {m["family"]: m for m in proof["memory"]}
    assert set(memory) == set(fams)
    for name, m in memory.items():
        assert m["keys_measured"] >= 1 and m["bytes_per_key"] > 0, m
        assert m["bytes_now"] == pytest.approx(m["bytes_per_key"] * fams[name]["keys"], rel=1e-3)
        assert m["bytes_at_10x"] == pytest.approx(10 * m["bytes_later"], rel=1e-3)
    # a session hash of seven fields: a few hundred bytes, not the estimate's guess repeated
    assert 200 < memory["session"]["bytes_per_key"] < 1000
    checks = {c["claim"]: c for c in proof["checks"]}
    assert all(c["held"] for c in checks.values()), checks
    assert "api_call: a window counts its hits" in checks
    assert "top_of_board: the top 10 in score order" in checks
    assert "score: no TTL" in checks and "session: TTL 1800 s" in checks
    # nothing of the proof is left on the server
    assert proof["prefix"].startswith("dbdesign-proof-") and _proof_keys(proof["prefix"]) == []
    files = sorted(p.name for p in out.iterdir())
    assert files == ["DESIGN.md", "design.json", "redis.conf"]
    conf = (out / "redis.conf").read_text()
    assert "maxmemory-policy volatile-lru\n" in conf
    assert "appendonly yes\nappendfsync everysec\n" in conf  # RPO 1 min
    md = (out / "DESIGN.md").read_text()
    for heading in (
        "## Database Choice", "## Key Design", "## Query Performance Analysis", "## Memory",
        "## Scaling Strategy", "## Data Integrity Rules", "## Backup Strategy",
        "## Monitoring Metrics", "## Decisions", "## Proof",
    ):  # fmt: skip
        assert f"\n{heading}\n" in md, heading
    assert "ZRANGE arcade:score:{<board_id>} 0 9 REV WITHSCORES" in md
    assert "Result: **PASS**" in md and "MEMORY USAGE" in md


def test_the_proof_in_process_measures_and_removes_its_keys(sentinel: str) -> None:
    spec = S.load(EXAMPLE)
    d = design(spec)
    assert d.redis is not None
    proof = prove_redis(d.redis, spec, REDIS_URL, growth=3)
    assert proof.ok, proof.problems
    assert proof.keys_left == 0 and _proof_keys(proof.prefix) == []
    assert proof.prefix.startswith("dbdesign-proof-") and proof.prefix.endswith(":")
    for m in proof.memory:
        assert m.grown == pytest.approx(3 * m.later)
    # the leaderboard holds 50,000 players a board at the stated volume: measured on 20,000
    # and scaled, several MB a board, not the sample's size
    board = next(m for m in proof.memory if m.name == "score")
    assert board.bytes_per_key > 2_000_000


def test_a_latency_target_out_of_reach_fails_the_proof(tmp_path: Path, sentinel: str) -> None:
    raw = S.load(EXAMPLE).model_dump(mode="json", by_alias=True)
    for p in raw["access_patterns"]:
        if p["name"] == "top_of_board":
            p["latency_ms"] = 0.001  # one microsecond: no network round trip is that fast
    path = tmp_path / "tight.yaml"
    path.write_text(json.dumps(raw))
    r = run(str(path), "--db", REDIS_URL, "--format", "json")
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["proof"]["ok"] is False and data["proof"]["keys_left"] == 0
    [problem] = data["proof"]["problems"]
    assert problem.startswith("top_of_board: p95 ") and "over its target of 0.001 ms" in problem
    assert f"dbdesign design: proof failed: {problem}" in r.stderr


def test_without_a_redis_server_nothing_is_proven_and_it_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBDESIGN_DATABASE_URL"}
    out = tmp_path / "out"
    r = run(str(SESSIONS), "--out", str(out), env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "sessions: key-value database, designed for Redis"
    assert "proof: not run, nothing proven on a server (no Redis server given" in r.stdout
    md = (out / "DESIGN.md").read_text()
    assert "**Not proven on a server:** no Redis server was given" in md
    data = json.loads((out / "design.json").read_text())
    assert data["proof"] is None and data["dialect"] == "redis"
    # the Redis URL from the environment is used when no --db is given
    r = run(str(SESSIONS), "-f", "json", env={**env, "DBDESIGN_DATABASE_URL": REDIS_URL})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["proof"]["ok"] is True


def test_a_sql_server_is_not_a_redis_proof_server() -> None:
    with pytest.raises(Exception, match=r"a Redis design is proved on a Redis server"):
        api.design(SESSIONS, db="postgresql://u:s3cretpw@127.0.0.1:5432/postgres", out=None)


def test_an_unreachable_redis_is_one_message_without_the_password(tmp_path: Path) -> None:
    r = run(str(SESSIONS), "--db", "redis://:Hunter2pw@127.0.0.1:1/0", "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stdout
    assert "Hunter2pw" not in r.stderr + r.stdout and "Traceback" not in r.stderr
    assert r.stderr.startswith("dbdesign: error: cannot reach Redis at redis://")
    assert not (tmp_path / "o").exists()


def test_reads_redis_cannot_serve_are_refused_with_the_reason(tmp_path: Path) -> None:
    raw = S.load(EXAMPLE).model_dump(mode="json", by_alias=True)
    raw["entities"]["session"]["attributes"]["user_agent"]["searchable"] = True
    raw["access_patterns"].append({"name": "find", "entity": "session", "text_search": True})
    raw["access_patterns"].append(
        {"name": "per_board", "entity": "score", "group_by": ["board"],
         "aggregates": [{"fn": "avg", "field": "points"}]}
    )  # fmt: skip
    with pytest.raises(UnsupportedError) as e:
        design(S.Spec.model_validate(raw))
    text = str(e.value)
    assert "access_patterns.find: full-text search" in text
    assert "access_patterns.per_board: aggregates over groups" in text
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps(raw))
    r = run(str(path), "--no-prove")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "Redis cannot serve these reads" in r.stderr
