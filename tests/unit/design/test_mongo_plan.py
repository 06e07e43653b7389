"""The MongoDB design of a spec (:mod:`dbdesign.design.mongo_plan`): embed or reference on small
hand-written specs, with the near misses on each side of every rule; index keys in equality,
sort, range order; TTL, text, partial and unique indexes; prefix dropping; shard keys above and
below the line. Each plan is also checked (:func:`dbdesign.design.mongo_check.check`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from dbdesign.design.mongo_check import check
from dbdesign.design.mongo_embed import EMBED_MAX
from dbdesign.design.mongo_model import ID_INDEX, MongoPlan
from dbdesign.design.mongo_plan import SHARD_LINE, mongo_design
from dbdesign.readers import spec as S


def make(
    entities: dict[str, Any],
    relationships: list[dict[str, Any]] | None = None,
    patterns: list[dict[str, Any]] | None = None,
    writes: list[dict[str, Any]] | None = None,
    **project: Any,
) -> MongoPlan:
    """The plan of a small spec (validated as a user's would be), checked."""
    data: dict[str, Any] = {
        "version": 1,
        "project": {"name": "t", "features": {"audit_columns": False}, **project},
        "entities": entities,
        "relationships": relationships or [],
        "access_patterns": patterns or [],
        "writes": writes or [],
    }
    plan = mongo_design(S.loads(yaml.safe_dump(data, sort_keys=False)))
    assert check(plan) == []
    return plan


def post_photo(
    at_most: int | None = None,
    rows: tuple[int, int] = (1000, 3000),
    patterns: list[dict[str, Any]] | None = None,
    writes: list[dict[str, Any]] | None = None,
    **rel: Any,
) -> MongoPlan:
    """A post with photos: ``rows`` are the posts' and the photos' volumes."""
    relationship: dict[str, Any] = {"type": "one-to-many", "parent": "post", "child": "photo"}
    if at_most is not None:
        relationship["at_most"] = at_most
    relationship.update(rel)
    return make(
        {
            "post": {
                "attributes": {"title": {"type": "text", "required": True}},
                "volume": {"rows": rows[0]},
            },
            "photo": {
                "attributes": {
                    "url": {"type": "url", "required": True},
                    "label": {"type": "identifier", "max_length": 40},
                    "taken_at": "timestamp",
                },
                "volume": {"rows": rows[1]},
            },
        },
        [relationship],
        patterns,
        writes,
    )


def decision(plan: MongoPlan, subject: str) -> tuple[str, str]:
    d = next(d for d in plan.decisions if d.subject == subject)
    return d.choice, d.reason


def names(plan: MongoPlan) -> list[str]:
    return [c.name for c in plan.collections]


# -- embed or reference ------------------------------------------------------------------------


def test_a_small_bounded_child_is_embedded_as_an_array_with_its_bound() -> None:
    plan = post_photo(at_most=5)
    assert names(plan) == ["posts"]
    choice, reason = decision(plan, "post → photo")
    assert choice == "embed as array `photos` in posts"
    assert "at_most 5" in reason and "16 MiB" in reason
    photos = plan.collection("posts").schema["properties"]["photos"]
    assert photos["bsonType"] == "array" and photos["maxItems"] == 5
    assert photos["items"]["required"] == ["url"]
    assert photos["items"]["properties"]["url"]["pattern"] == "^https?://"
    assert "_id" not in photos["items"]["properties"]


def test_a_bound_of_500_is_referenced_never_an_array() -> None:
    plan = post_photo(at_most=500)
    assert names(plan) == ["posts", "photos"]
    choice, reason = decision(plan, "post → photo")
    assert choice == "reference: post_id in photos"
    assert "at_most 500" in reason and f"more than {EMBED_MAX}" in reason
    assert "photos" not in plan.collection("posts").schema["properties"]
    photo = plan.collection("photos").schema
    assert photo["properties"]["post_id"] == {"bsonType": "objectId", "description": "a post"}
    assert "post_id" in photo["required"]
    # the parent's children are found by an index on the reference
    assert any(i.keys == (("post_id", 1),) for i in plan.indexes if i.collection == "photos")


def test_the_fan_out_decides_without_at_most() -> None:
    embedded = post_photo(rows=(1000, 3000))
    assert decision(embedded, "post → photo")[0].startswith("embed")
    assert "fan-out 3,000 / 1,000 ≈ 3.0 per post" in decision(embedded, "post → photo")[1]
    referenced = post_photo(rows=(1000, 1_000_000))
    choice, reason = decision(referenced, "post → photo")
    assert choice.startswith("reference") and "≈ 1,000.0 per post" in reason


def test_no_volume_and_no_bound_is_unbounded() -> None:
    plan = post_photo(rows=(0, 0))
    choice, reason = decision(plan, "post → photo")
    assert choice.startswith("reference") and "no bound" in reason


def test_a_child_read_on_its_own_is_referenced() -> None:
    own = {"name": "recent_photos", "entity": "photo", "sort": ["-taken_at"], "limit": 20}
    plan = post_photo(at_most=5, patterns=[own])
    choice, reason = decision(plan, "post → photo")
    assert choice == "reference: post_id in photos"
    assert "recent_photos" in reason
    q = plan.query("recent_photos")
    assert q.shell == 'db.getCollection("photos").find({}).sort({taken_at: -1}).limit(20)'


def test_children_read_through_their_parent_stay_embedded() -> None:
    by_parent = {"name": "photos_of_post", "entity": "photo", "equal": ["post"]}
    plan = post_photo(at_most=5, patterns=[by_parent])
    assert decision(plan, "post → photo")[0].startswith("embed")
    q = plan.query("photos_of_post")
    assert q.shell == 'db.getCollection("posts").find({_id: params.post_id}, {photos: 1})'
    assert [n.index for n in q.needs] == [ID_INDEX]


def test_a_child_looked_up_across_parents_uses_a_multikey_index() -> None:
    lookup = {"name": "posts_with_label", "entity": "photo", "equal": ["label"]}
    two = {"name": "posts_with_photo", "entity": "photo", "equal": ["label", "url"]}
    plan = post_photo(at_most=5, patterns=[lookup, two])
    assert decision(plan, "post → photo")[0].startswith("embed")
    q = plan.query("posts_with_label")
    assert q.shell == 'db.getCollection("posts").find({"photos.label": params.label})'
    ix = plan.index("posts", q.needs[0].index)
    assert ix is not None and ix.keys[0] == ("photos.label", 1)
    # two conditions on one element: $elemMatch
    both = plan.query("posts_with_photo").shell
    assert "{photos: {$elemMatch: {label: params.label, url: params.url}}}" in both


def test_a_child_updated_on_its_own_is_referenced() -> None:
    write = {"name": "relabel", "entity": "photo", "operation": "update", "fields": ["label"]}
    plan = post_photo(at_most=5, writes=[write])
    choice, reason = decision(plan, "post → photo")
    assert choice.startswith("reference") and "relabel" in reason
    inserting = post_photo(at_most=5, writes=[{**write, "operation": "insert"}])
    assert decision(inserting, "post → photo")[0].startswith("embed")


def test_an_optional_parent_means_a_reference() -> None:
    plan = post_photo(at_most=5, required=False, on_delete="set null")
    choice, reason = decision(plan, "post → photo")
    assert choice.startswith("reference") and "required: false" in reason


def test_a_one_to_one_child_is_a_subdocument() -> None:
    plan = make(
        {
            "user": {"attributes": {"name": {"type": "text", "required": True}}},
            "profile": {"attributes": {"bio": "long_text", "age": {"type": "integer", "min": 0}}},
        },
        [{"type": "one-to-one", "parent": "user", "child": "profile"}],
    )
    assert decision(plan, "user → profile")[0] == "embed as subdocument `profile` in users"
    prof = plan.collection("users").schema["properties"]["profile"]
    assert prof["bsonType"] == "object" and "items" not in prof
    assert prof["properties"]["age"] == {"bsonType": ["int", "long"], "minimum": 0}


def test_an_embedded_array_too_close_to_16_mib_is_referenced() -> None:
    vec = {"type": "vector", "dim": 16000, "required": True}
    plan = make(
        {"doc": {"attributes": {"t": "text"}}, "chunk": {"attributes": {"v": vec}}},
        [{"type": "one-to-many", "parent": "doc", "child": "chunk", "at_most": 100}],
    )
    choice, reason = decision(plan, "doc → chunk")
    assert choice.startswith("reference") and "too close to the 16 MiB limit" in reason
    v = plan.collection("chunks").schema["properties"]["v"]
    assert v == {
        "bsonType": "array",
        "items": {"bsonType": "double"},
        "minItems": 16000,
        "maxItems": 16000,
    }


def _tags(n_tags: int) -> MongoPlan:
    return make(
        {
            "article": {"attributes": {"t": "text"}, "volume": {"rows": 10_000}},
            "tag": {"attributes": {"label": "text"}, "volume": {"rows": n_tags}},
        },
        [{"type": "many-to-many", "between": ["article", "tag"]}],
        [{"name": "articles_of_tag", "entity": "article", "via": "tag"}],
    )


def test_many_to_many_is_referenced_an_ids_array_only_when_bounded() -> None:
    few = _tags(40)
    choice, reason = decision(few, "article ↔ tag")
    assert choice == "reference: array `tag_ids` of ids in articles"
    assert "at most 40 tag" in reason
    assert names(few) == ["articles", "tags"]
    q = few.query("articles_of_tag")
    assert q.shell == 'db.getCollection("articles").find({tag_ids: params.tag_id})'
    many = _tags(5000)
    choice, reason = decision(many, "article ↔ tag")
    assert choice == "reference: link collection article_tag (article_id, tag_id)"
    assert "5,000" in reason and "10,000" in reason
    assert names(many) == ["articles", "tags", "article_tag"]
    link = next(i for i in many.indexes if i.collection == "article_tag" and i.unique)
    assert link.keys == (("article_id", 1), ("tag_id", 1))
    steps = many.query("articles_of_tag").needs
    assert [(n.collection, n.equality) for n in steps] == [
        ("article_tag", ("tag_id",)),
        ("articles", ("_id",)),
    ]


# -- fields and validators ----------------------------------------------------------------


def test_types_keys_and_validators() -> None:
    plan = make(
        {
            "account": {
                "key": "uuid",
                "attributes": {
                    "email": {"type": "email", "required": True, "unique": True},
                    "plan": {"type": "enum", "values": ["free", "pro"], "required": True},
                    "balance": {"type": "money", "currency": "EUR", "min": 0},
                    "seats": {"type": "integer", "min": 1, "max": 500},
                    "code": {"type": "identifier", "max_length": 8, "pattern": "[A-Z]{3}[0-9]+"},
                    "settings": "json",
                    "active": {"type": "boolean", "required": True, "default": True},
                },
            }
        }
    )
    c = plan.collection("accounts")
    s = c.schema
    assert s["bsonType"] == "object" and s["additionalProperties"] is False
    assert s["required"] == ["_id", "email", "plan", "active"]
    p = s["properties"]
    assert p["_id"]["bsonType"] == "binData"
    assert p["plan"] == {"bsonType": "string", "enum": ["free", "pro"]}
    assert p["balance"] == {"bsonType": "decimal", "minimum": 0}
    assert p["seats"] == {"bsonType": "int", "minimum": 1, "maximum": 500}
    assert p["code"]["pattern"] == "^(?:[A-Z]{3}[0-9]+)$" and p["code"]["maxLength"] == 8
    assert p["settings"]["bsonType"] == "object" and "properties" not in p["settings"]
    assert "Default True" in p["active"]["description"]
    assert (c.validation_level, c.validation_action) == ("strict", "error")
    email = next(i for i in plan.indexes if i.keys == (("email", 1),))
    assert email.unique and json.loads(email.collation) == {"locale": "en", "strength": 2}
    assert any(d.subject == "uuid keys" and "account" in d.choice for d in plan.decisions)


def test_an_optional_unique_field_is_unique_where_present() -> None:
    plan = make(
        {"member": {"attributes": {"phone": {"type": "phone", "unique": True}}}},
        patterns=[{"name": "by_phone", "entity": "member", "equal": ["phone"]}],
    )
    [ix] = plan.indexes
    assert ix.unique and json.loads(ix.partial) == {"phone": {"$exists": True}}
    # the equality implies the field is present: the unique index serves the lookup
    assert plan.query("by_phone").needs[0].index == ix.name


# -- indexes ------------------------------------------------------------------------------


def _orders(patterns: list[dict[str, Any]], **entity: Any) -> MongoPlan:
    order = {
        "attributes": {
            "customer_ref": {"type": "identifier", "required": True},
            "status": {"type": "enum", "values": ["new", "paid", "sent"], "required": True},
            "total": {"type": "money", "currency": "EUR", "required": True},
            "placed_at": {"type": "timestamp", "required": True},
            "note": {"type": "text", "searchable": True},
            "gift_text": {"type": "long_text", "searchable": True},
        },
        **entity,
    }
    return make({"order": order}, patterns=patterns, features={"audit_columns": True})


def test_index_keys_are_equality_then_sort_then_range() -> None:
    p = {
        "name": "p",
        "entity": "order",
        "equal": ["customer_ref"],
        "range": ["total"],
        "sort": ["-placed_at"],
        "limit": 10,
    }
    plan = _orders([p])
    need = plan.query("p").needs[0]
    ix = plan.index("orders", need.index)
    assert ix is not None
    assert ix.keys == (("customer_ref", 1), ("placed_at", -1), ("total", 1))
    assert ix.name == "customer_ref_1_placed_at_-1_total_1"
    assert plan.query("p").shell == (
        'db.getCollection("orders").find({customer_ref: params.customer_ref, total: '
        "{$gte: params.total_from, $lt: params.total_to}}).sort({placed_at: -1}).limit(10)"
    )


def test_a_fixed_filter_makes_a_partial_index_the_query_repeats() -> None:
    p = {"name": "to_ship", "entity": "order", "fixed": {"status": "paid"}, "sort": ["placed_at"]}
    plan = _orders([p])
    q = plan.query("to_ship")
    ix = plan.index("orders", q.needs[0].index)
    assert ix is not None and ix.keys == (("placed_at", 1),)
    assert json.loads(ix.partial) == {"status": "paid"}
    assert ix.name == "placed_at_1_where_status_paid"
    assert '{status: "paid"}' in q.shell


def test_an_index_that_is_a_prefix_of_another_is_dropped() -> None:
    short = {"name": "of_customer", "entity": "order", "equal": ["customer_ref"]}
    long = {**short, "name": "latest", "sort": ["-placed_at"], "limit": 5}
    reversed_ = {**short, "name": "oldest", "sort": ["placed_at"], "limit": 5}
    plan = _orders([short, long, reversed_])
    [ix] = [i for i in plan.indexes if i.collection == "orders"]
    assert ix.keys == (("customer_ref", 1), ("placed_at", -1))
    assert set(ix.serves) == {"of_customer", "latest", "oldest"}
    dropped = [d for d in plan.decisions if d.choice.startswith("dropped: served by")]
    assert [d.subject for d in dropped] == [
        "orders index {customer_ref: 1, placed_at: 1}",  # read backwards after the equality
        "orders index {customer_ref: 1}",
    ]
    # an index with other options (partial) is not a prefix to drop
    other = {**short, "name": "paid_of_customer", "fixed": {"status": "paid"}}
    assert len([i for i in _orders([other, long]).indexes if i.collection == "orders"]) == 2


def test_retention_makes_a_ttl_index_on_the_creation_time() -> None:
    plan = _orders([], retention_days=30)
    [ttl] = [i for i in plan.indexes if i.expire_after_seconds is not None]
    assert ttl.keys == (("created_at", 1),) and ttl.expire_after_seconds == 30 * 86_400
    choice, reason = decision(plan, "order retention (30 days)")
    assert "expireAfterSeconds 2,592,000" in choice and "created_at" in reason
    # without audit columns, the first required date field
    plain = make(
        {
            "event": {
                "retention_days": 7,
                "attributes": {"at": {"type": "timestamp", "required": True}},
            }
        }
    )
    assert [i.keys for i in plain.indexes if i.expire_after_seconds] == [(("at", 1),)]


def test_one_text_index_per_collection_shared_by_the_patterns() -> None:
    a = {"name": "search", "entity": "order", "text_search": "ranked", "limit": 10}
    b = {"name": "search_mine", "entity": "order", "text_search": True, "equal": ["customer_ref"]}
    plan = _orders([a, b])
    texts = [i for i in plan.indexes if any(v == "text" for _, v in i.keys)]
    assert len(texts) == 1 and texts[0].keys == (("note", "text"), ("gift_text", "text"))
    assert set(texts[0].serves) == {"search", "search_mine"}
    choice, reason = decision(plan, "orders text search")
    assert choice == "one text index over note, gift_text"
    assert "search, search_mine" in reason
    assert plan.query("search").shell.endswith('.sort({score: {$meta: "textScore"}}).limit(10)')


def test_keyset_pages_by_the_sort_then_id() -> None:
    p = {
        "name": "page",
        "entity": "order",
        "sort": ["-placed_at"],
        "limit": 20,
        "keyset": True,
    }
    plan = _orders([p])
    ix = plan.index("orders", plan.query("page").needs[0].index)
    assert ix is not None and ix.keys == (("placed_at", -1), ("_id", -1))
    assert "$or: [{placed_at: {$lt: params.after_placed_at}}" in plan.query("page").shell


def test_grouped_patterns_aggregate() -> None:
    p = {
        "name": "per_status",
        "entity": "order",
        "range": ["placed_at"],
        "group_by": ["status"],
        "aggregates": [{"fn": "count"}, {"fn": "sum", "field": "total"}],
    }
    q = _orders([p]).query("per_status")
    assert q.shell.startswith('db.getCollection("orders").aggregate([{$match: {placed_at: ')
    assert (
        '{$group: {_id: {status: "$status"}, count: {$sum: 1}, sum_total: {$sum: "$total"}}}'
        in q.shell
    )


# -- shard keys ----------------------------------------------------------------------------


def _events(rows: int, **project: Any) -> MongoPlan:
    ents: dict[str, Any] = {
        "device": {"attributes": {"serial": {"type": "identifier", "unique": True}}},
        "reading": {
            "attributes": {
                "kind": {"type": "enum", "values": ["a", "b"], "required": True},
                "at": {"type": "timestamp", "required": True},
            },
            "volume": {"rows": rows},
        },
    }
    if project.get("features", {}).get("multi_tenancy"):
        ents["org"] = {"attributes": {"name": "text"}}
    p = {"name": "of_device", "entity": "reading", "equal": ["device", "kind"], "sort": ["-at"]}
    p["rate_per_second"] = 50
    return make(
        ents,
        [{"type": "one-to-many", "parent": "device", "child": "reading"}],
        [p],
        **project,
    )


def test_no_sharding_below_the_line() -> None:
    plan = _events(SHARD_LINE)
    s = next(s for s in plan.shards if s.collection == "readings")
    assert s.key == () and "no sharding needed: 50,000,000 documents" in s.reason


def test_a_large_collection_is_sharded_by_its_equality_field() -> None:
    plan = _events(SHARD_LINE + 1)
    s = next(s for s in plan.shards if s.collection == "readings")
    # the enum is too coarse; the device's id is compared with one value at 50/s
    assert s.key == (("device_id", 1), ("_id", 1))
    assert "of_device" in s.reason and "50 reads/s" in s.reason
    assert any(i.keys[:2] == s.key for i in plan.indexes if i.collection == "readings")


def test_the_tenant_leads_the_shard_key() -> None:
    plan = _events(SHARD_LINE * 2, features={"multi_tenancy": {"tenant": "org"}})
    s = next(s for s in plan.shards if s.collection == "readings")
    assert s.key == (("org_id", 1), ("device_id", 1))
    ix = plan.index("readings", plan.query("of_device").needs[0].index)
    assert ix is not None and ix.keys[0] == ("org_id", 1)


def test_a_hashed_id_when_no_pattern_filters_by_equality() -> None:
    plan = make({"log": {"attributes": {"at": "timestamp"}, "volume": {"rows": SHARD_LINE * 3}}})
    [s] = plan.shards
    assert s.key == (("_id", "hashed"),) and "hashed _id" in s.reason
    assert any(i.keys == (("_id", "hashed"),) for i in plan.indexes)


@pytest.mark.parametrize("rows", [1, 10])
def test_an_embedded_entity_with_retention_has_no_ttl(rows: int) -> None:
    plan = make(
        {
            "post": {"attributes": {"t": "text"}, "volume": {"rows": 10}},
            "view": {
                "retention_days": 5,
                "attributes": {"at": {"type": "timestamp", "required": True}},
                "volume": {"rows": rows},
            },
        },
        [{"type": "one-to-many", "parent": "post", "child": "view"}],
    )
    assert not any(i.expire_after_seconds for i in plan.indexes)
    assert "TTL index deletes whole documents" in decision(plan, "view retention (5 days)")[1]
