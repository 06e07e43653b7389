"""The Redis design's choices, each with its near miss: which structure an entity becomes, its
TTL, the commands of its reads and writes, eviction and persistence."""

from __future__ import annotations

from typing import Any

import pytest

from dbdesign.design.redis_plan import RedisPlan, redis_design
from dbdesign.errors import UnsupportedError
from dbdesign.readers import spec as S


def plan(entities: dict[str, Any], patterns: list[dict[str, Any]], **more: Any) -> RedisPlan:
    raw = {
        "project": {"name": "App One", "database": "redis", **more.pop("project", {})},
        "entities": entities,
        "access_patterns": patterns,
        **more,
    }
    return redis_design(S.Spec.model_validate(raw))


CALLS = {
    "call": {
        "append_only": True,
        "ttl_seconds": 60,
        "attributes": {"client": "identifier", "at": "timestamp"},
    }
}
COUNT = {"name": "n", "entity": "call", "equal": ["client"], "after": ["at"],
         "aggregates": [{"fn": "count"}]}  # fmt: skip


def test_an_expiring_log_read_as_a_count_is_a_counter_per_window() -> None:
    p = plan(CALLS, [COUNT], writes=[{"name": "hit", "entity": "call", "operation": "insert"}])
    [f] = p.families
    assert (f.structure, f.key, f.ttl_seconds) == ("counter", "app-one:call:<client>:<window>", 60)
    hit = next(a for a in p.accesses if a.name == "hit")
    assert [t.lines() for t in hit.trips] == [
        ["MULTI", "INCR app-one:call:<client>:<window>",
         "EXPIRE app-one:call:<client>:<window> 60 NX", "EXEC"]
    ]  # fmt: skip
    assert p.eviction == "volatile-ttl"  # every key expires


def test_a_count_of_a_log_that_does_not_expire_is_not_a_counter() -> None:
    calls = {"call": {**CALLS["call"], "ttl_seconds": None}}
    with pytest.raises(
        UnsupportedError, match=r"access_patterns.n: a count in a time window is a counter only"
    ):
        plan(calls, [COUNT])


SCORES = {
    "board": {"attributes": {"title": "text"}},
    "score": {"attributes": {"points": "integer"}, "unique_together": [["board", "player"]]},
    "player": {"attributes": {"handle": "identifier"}},
}
RELS = [
    {"type": "one-to-many", "parent": "board", "child": "score"},
    {"type": "one-to-many", "parent": "player", "child": "score"},
]
TOP = {"name": "top", "entity": "score", "equal": ["board"], "sort": ["-points"], "limit": 5}


def test_unique_per_group_and_member_read_as_a_top_is_a_leaderboard() -> None:
    p = plan(SCORES, [TOP], relationships=RELS)
    [z] = p.families
    assert (z.structure, z.key, z.member, z.score) == (
        "sorted set", "app-one:score:{<board_id>}", "player_id", "points",
    )  # fmt: skip
    [top] = p.accesses
    assert [t.lines() for t in top.trips] == [
        ["ZRANGE app-one:score:{<board_id>} 0 4 REV WITHSCORES"]
    ]
    assert p.eviction == "noeviction"  # a leaderboard is data
    assert [x.subject for x in p.decisions if x.choice == "not kept in Redis"] == [
        "board", "player",
    ]  # fmt: skip


def test_without_the_unique_pair_the_top_is_an_index_over_hashes() -> None:
    scores = {**SCORES, "score": {"attributes": {"points": "integer"}}}
    p = plan(scores, [TOP], relationships=RELS)
    assert [(f.name, f.structure) for f in p.families] == [
        ("score", "hash"), ("score_by_board_id", "sorted set"),
    ]  # fmt: skip
    [top] = p.accesses
    assert top.trips[0].commands == (("ZRANGE", "app-one:score:by_board_id:<board_id>", "0",
                                      "4", "REV"),)  # fmt: skip
    assert top.trips[1].per_member


def test_an_append_only_entity_read_newest_first_is_a_stream() -> None:
    ents = {
        "event": {
            "append_only": True,
            "attributes": {"feed": "identifier", "body": "text", "at": "timestamp"},
        }
    }
    pat = {"name": "latest", "entity": "event", "equal": ["feed"], "sort": ["-at"], "limit": 20}
    p = plan(ents, [pat], writes=[{"name": "post", "entity": "event", "operation": "insert"}])
    [f] = p.families
    assert (f.structure, f.key) == ("stream", "app-one:event:<feed>")
    post = next(a for a in p.accesses if a.name == "post")
    assert post.trips[0].commands[0][:6] == ("XADD", "app-one:event:<feed>", "MAXLEN", "~",
                                             f.score, "*")  # fmt: skip
    # sorted by a field that is not a time: not a feed (an index over hashes)
    pat2 = {**pat, "sort": ["-body"]}
    assert [x.structure for x in plan(ents, [pat2]).families] == ["hash", "sorted set"]


def test_a_record_is_keyed_by_the_unique_field_it_is_read_by_and_claims_the_others() -> None:
    ents = {
        "user": {
            "attributes": {
                "email": {"type": "email", "unique": True},
                "token": {"type": "identifier", "unique": True},
            }
        }
    }
    pats = [{"name": "by_token", "entity": "user", "equal": ["token"]}]
    p = plan(ents, pats, writes=[{"name": "add", "entity": "user", "operation": "insert"}])
    assert [(f.name, f.key) for f in p.families] == [
        ("user", "app-one:user:<token>"),
        ("user_by_email", "app-one:user:by_email:<email>"),
    ]  # the id is read by no pattern: no key of its own
    add = next(a for a in p.accesses if a.name == "add")
    assert add.trips[0].lines() == ["SET app-one:user:by_email:<email> <token> NX"]
    assert add.trips[1].commands[0][0] == "HSET"


@pytest.mark.parametrize(
    ("recovery", "conf"),
    [
        ({"rpo_minutes": 0, "rto_minutes": 5}, ("appendonly yes", "appendfsync always")),
        ({"rpo_minutes": 5, "rto_minutes": 5},
         ("appendonly yes", "appendfsync everysec", "save 300 1")),
        ({"rpo_minutes": 60, "rto_minutes": 5}, ("appendonly no", "save 3600 1")),
    ],
)  # fmt: skip
def test_persistence_follows_the_rpo(recovery: dict[str, float], conf: tuple[str, ...]) -> None:
    p = plan(CALLS, [COUNT], project={"recovery": recovery})
    assert p.persistence == conf


def test_mixed_expiring_and_lasting_keys_evict_only_the_expiring() -> None:
    p = plan({**CALLS, **SCORES}, [COUNT, TOP], relationships=RELS)
    assert p.eviction == "volatile-lru"
    assert "score have none" in p.eviction_why


def test_a_read_a_board_cannot_serve_makes_it_records_with_indexes() -> None:
    # a player's scores on every board: not the top of one board, nor one member of it
    mine = {"name": "mine", "entity": "score", "equal": ["player"]}
    p = plan(SCORES, [TOP, mine], relationships=RELS)
    assert [(f.name, f.structure) for f in p.families] == [
        ("score", "hash"), ("score_by_board_id", "sorted set"),
        ("score_by_player_id", "sorted set"),
    ]  # fmt: skip


def test_counts_by_different_fields_are_not_one_counter() -> None:
    calls = {"call": {**CALLS["call"], "attributes": {"client": "identifier", "ip": "ip_address",
                                                      "at": "timestamp"}}}  # fmt: skip
    by_ip = {**COUNT, "name": "by_ip", "equal": ["ip"]}
    with pytest.raises(UnsupportedError, match=r"access_patterns.by_ip: a count in a time window"):
        plan(calls, [COUNT, by_ip])
