"""The static check of a MongoDB plan (:mod:`dbdesign.design.mongo_check`): every spec of the
project designs to a plan it passes, and each kind of defect, put into a valid plan with
dataclasses.replace, is reported. The validators are also read as JSON Schema draft 4."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dbdesign.design.mongo_check import check, serves
from dbdesign.design.mongo_model import MongoIndex, MongoNeed, MongoPlan, dumps
from dbdesign.design.mongo_plan import mongo_design
from dbdesign.readers import spec as S
from tests.paths import ROOT

SPECS = sorted(
    [*(ROOT / "examples").glob("*.yaml"), *(ROOT / "tests/integration/specs").glob("*.yaml")]
)
CONTENT = ROOT / "examples" / "content_mongodb.yaml"


@pytest.fixture(scope="module")
def plan() -> MongoPlan:
    return mongo_design(S.load(CONTENT))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_every_spec_designs_to_a_plan_that_passes(path: Path) -> None:
    p = mongo_design(S.load(path))
    assert check(p) == []
    spec = S.load(path)
    assert {q.pattern for q in p.queries} == {a.name for a in spec.access_patterns}
    for c in p.collections:
        jsonschema.Draft4Validator.check_schema(c.schema)


def test_the_content_example_embeds_and_references(plan: MongoPlan) -> None:
    articles = plan.collection("articles")
    assert [e.field for e in articles.embedded] == ["sections", "bylines", "tags"]
    assert [c.name for c in plan.collections] == ["authors", "articles", "comments", "page_events"]
    ttl = [i for i in plan.indexes if i.expire_after_seconds]
    assert [(i.collection, i.keys) for i in ttl] == [("page_events", (("created_at", 1),))]
    assert {s.collection for s in plan.shards if s.key} == {"comments", "page_events"}


def with_schema(plan: MongoPlan, name: str, change: Any) -> MongoPlan:
    """``plan`` with collection ``name``'s $jsonSchema changed by ``change(schema)``."""
    c = plan.collection(name)
    schema = c.schema
    change(schema)
    new = replace(c, validator=dumps({"$jsonSchema": schema}))
    return replace(plan, collections=tuple(new if x is c else x for x in plan.collections))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].update(x={"$ref": "#/a"}), "'$ref' is not supported"),
        (lambda s: s["properties"]["slug"].update(format="uri"), "'format' is not supported"),
        (lambda s: s["properties"]["slug"].update(default="a"), "'default' is not supported"),
        (lambda s: s["properties"]["slug"].update(bsonType="str"), "bsonType 'str' is no BSON"),
        (lambda s: s["properties"].update(n={"type": "integer"}), "type 'integer' is no JSON"),
        (lambda s: s["required"].append("nope"), "required nope not in properties"),
        (lambda s: s["properties"].pop("_id"), "without _id in properties"),
        (
            lambda s: s["properties"]["slug"].update(minLength=9, maxLength=3),
            "minLength 9 is above",
        ),
        (lambda s: s["properties"]["slug"].update(pattern="(["), "is no regular expression"),
        (lambda s: s["properties"]["status"].update(enum=[]), "enum must be a non-empty list"),
        (lambda s: s.update(bsonType="array"), "top-level bsonType must be 'object'"),
        (
            lambda s: s["properties"]["tags"]["items"].update(wat=1),
            "unknown $jsonSchema keyword 'wat'",
        ),
    ],
)
def test_validator_defects(plan: MongoPlan, change: Any, expected: str) -> None:
    problems = check(with_schema(plan, "articles", change))
    assert problems and any(expected in m for m in problems), problems


def with_index(plan: MongoPlan, index: str, **changes: Any) -> MongoPlan:
    ix = next(i for i in plan.indexes if i.name == index)
    new = replace(ix, **changes)
    return replace(plan, indexes=tuple(new if i is ix else i for i in plan.indexes))


def test_the_plan_passes(plan: MongoPlan) -> None:
    assert check(plan) == []


@pytest.mark.parametrize(
    ("name", "changes", "expected"),
    [
        ("uq_slug_1", {"keys": (("slug", 2),)}, "key value 2 for slug"),
        ("uq_slug_1", {"keys": (("slug", 1), ("slug", -1))}, "a field twice"),
        ("uq_slug_1", {"keys": (("slugg", 1),)}, "slugg is no field"),
        ("uq_slug_1", {"keys": (("slug", "hashed"),)}, "hashed index cannot be unique"),
        ("uq_slug_1", {"name": "x" * 128}, "a name of 1 to 127 bytes"),
        ("ttl_created_at_1", {"keys": (("created_at", 1), ("kind", 1))}, "TTL index has one field"),
        ("ttl_created_at_1", {"keys": (("kind", 1),)}, "TTL index needs a date field"),
        (
            "tags.label_1",
            {"keys": (("tags.label", 1), ("bylines.author_id", 1))},
            "parallel arrays",
        ),
        ("uq_slug_1", {"partial": dumps({"slug": {"$ne": "a"}})}, "$ne is not accepted"),
        ("uq_slug_1", {"partial": dumps({"slug": {"$exists": False}})}, "only $exists: true"),
    ],
)
def test_index_defects(plan: MongoPlan, name: str, changes: dict[str, Any], expected: str) -> None:
    problems = check(with_index(plan, name, **changes))
    assert any(expected in m for m in problems), problems


def test_two_text_indexes_and_duplicates(plan: MongoPlan) -> None:
    text = next(i for i in plan.indexes if i.name == "title_text_summary_text")
    second = replace(text, name="other_text", keys=(("summary", "text"),))
    problems = check(replace(plan, indexes=(*plan.indexes, second)))
    assert any("2 text indexes" in m for m in problems), problems
    twin = replace(text, name="twin")
    assert any(
        "another index has its key and options" in m
        for m in check(replace(plan, indexes=(*plan.indexes, twin)))
    )


def test_a_pattern_whose_index_does_not_serve_it(plan: MongoPlan) -> None:
    q = plan.query("approved_comments")
    name = q.needs[0].index
    # sort before equality: not the ESR order
    swapped = with_index(plan, name, keys=(("posted_at", -1), ("article_id", 1)))
    assert any("does not start with the equality fields" in m for m in check(swapped))
    # a sort in another direction on one field only
    mixed = with_index(plan, name, keys=(("article_id", 1), ("status", 1), ("posted_at", -1)))
    assert any("does not continue with the sort" in m for m in check(mixed))
    # without the partial filter the query repeats, or with another collation
    partial = with_index(plan, name, partial=dumps({"status": "pending"}))
    assert any("partial on status" in m for m in check(partial))
    collated = with_index(plan, name, collation=dumps({"locale": "fr"}))
    assert any("has collation" in m for m in check(collated))
    gone = replace(plan, indexes=tuple(i for i in plan.indexes if i.name != name))
    assert f"access pattern approved_comments: no index {name} on comments" in check(gone)


def test_the_esr_rule_itself() -> None:
    ix = MongoIndex("c", "i", (("a", 1), ("b", 1), ("s", -1), ("r", 1)))
    assert (
        serves(ix, MongoNeed("c", "i", equality=("b", "a"), sort=(("s", -1),), range=("r",)))
        is None
    )
    assert (
        serves(ix, MongoNeed("c", "i", equality=("a", "b"), sort=(("s", 1),))) is None
    )  # reversed
    assert serves(ix, MongoNeed("c", "i", equality=("a",))) is None  # a prefix
    assert serves(ix, MongoNeed("c", "i", equality=("a",), sort=(("s", -1),))) is not None
    assert serves(ix, MongoNeed("c", "i", equality=("a", "b"), range=("r",))) is not None
    two = MongoIndex("c", "j", (("s", -1), ("t", 1)))
    assert serves(two, MongoNeed("c", "j", sort=(("s", 1), ("t", -1)))) is None
    assert serves(two, MongoNeed("c", "j", sort=(("s", 1), ("t", 1)))) is not None


def test_id_index_and_vector_and_text_needs(plan: MongoPlan) -> None:
    q = plan.query("article_by_slug")
    bad = replace(q, needs=(MongoNeed("articles", "_id_", equality=("slug",)),))
    broken = replace(plan, queries=tuple(bad if x is q else x for x in plan.queries))
    assert any("the _id index serves equality on _id" in m for m in check(broken))
    vec = replace(q, needs=(MongoNeed("articles", "vector_v", kind="vector"),))
    broken = replace(plan, queries=tuple(vec if x is q else x for x in plan.queries))
    assert any("no vector search index vector_v" in m for m in check(broken))
    txt = replace(q, needs=(MongoNeed("articles", "uq_slug_1", kind="text"),))
    broken = replace(plan, queries=tuple(txt if x is q else x for x in plan.queries))
    assert any("uq_slug_1 is no text index" in m for m in check(broken))


def test_shard_key_without_an_index_and_bad_levels(plan: MongoPlan) -> None:
    s = next(s for s in plan.shards if s.key)
    kept = tuple(
        i
        for i in plan.indexes
        if not (i.collection == s.collection and i.keys[: len(s.key)] == s.key)
    )
    assert any("no index starts with" in m for m in check(replace(plan, indexes=kept)))
    c = plan.collection("authors")
    odd = replace(c, validation_level="lax", validation_action="ignore", bytes_each=17 * 2**20)
    problems = check(
        replace(plan, collections=tuple(odd if x is c else x for x in plan.collections))
    )
    assert len([m for m in problems if m.startswith("collection authors")]) == 3
    assert json.loads(c.validator)["$jsonSchema"]["bsonType"] == "object"
