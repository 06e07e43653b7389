"""A MongoDB plan written out (:mod:`dbdesign.design.mongo_doc`): the mongosh script parses as
JavaScript (``node --check``) and creates every collection and index by name; the queries
parse too; DESIGN.md's sections and design.json say what the plan holds."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dbdesign.design.mongo_doc import mongo_json, mongo_md, mongosh_script
from dbdesign.design.mongo_model import MongoPlan, keys_text
from dbdesign.design.mongo_plan import mongo_design
from dbdesign.readers import spec as S
from tests.paths import ROOT

SPECS = sorted(
    [*(ROOT / "examples").glob("*.yaml"), *(ROOT / "tests/integration/specs").glob("*.yaml")]
)
NODE = shutil.which("node")


@pytest.fixture(scope="module")
def plan() -> MongoPlan:
    return mongo_design(S.load(ROOT / "examples" / "content_mongodb.yaml"))


def node_check(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    assert NODE, "node is needed to parse the mongosh script (install nodejs)"
    f = tmp_path / "script.js"
    f.write_text(text)
    return subprocess.run(
        [NODE, "--check", str(f)], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_the_script_and_the_queries_parse_as_javascript(tmp_path: Path, path: Path) -> None:
    p = mongo_design(S.load(path))
    r = node_check(tmp_path, mongosh_script(p))
    assert r.returncode == 0, r.stderr
    queries = "\n".join("{\n" + q.shell + "\n}" for q in p.queries)
    r = node_check(tmp_path, f"function run(db, params) {{\n{queries}\n}}\n")
    assert r.returncode == 0, r.stderr


def test_node_check_fails_on_broken_javascript(tmp_path: Path) -> None:
    assert node_check(tmp_path, "db.getCollection('a').find({a: })").returncode != 0


def test_the_script_creates_every_collection_and_index(plan: MongoPlan) -> None:
    script = mongosh_script(plan)
    assert script.startswith("// content: MongoDB collections")
    assert 'db = db.getSiblingDB("content");' in script
    assert "db.createCollection(name, options);" in script
    assert "db.runCommand({collMod: name, ...options});" in script  # a re-run
    for c in plan.collections:
        validator = json.dumps(json.loads(c.validator), indent=2, ensure_ascii=False)
        assert (
            f'ensureCollection("{c.name}", {{\n  "validator": ' + validator.replace("\n", "\n  ")
            in script
        )
    for ix in plan.indexes:
        assert f'db.getCollection("{ix.collection}").createIndex(' in script
        assert f'"name": "{ix.name}"' in script
    ttl = '{"created_at": 1}, {"name": "ttl_created_at_1", "expireAfterSeconds": 7776000});'
    assert f"createIndex({ttl}" in script
    assert 'createIndex({"published_at": -1, "_id": -1}, {"name": ' in script
    assert '"partialFilterExpression": {"status": "published"}' in script
    assert 'sh.shardCollection("content.page_events", {"session_id": 1, "_id": 1});' in script
    assert 'if (db.hello().msg === "isdbgrid") {' in script


def test_design_md_sections(plan: MongoPlan) -> None:
    md = mongo_md(plan)
    heads = [line for line in md if line.startswith("### ")]
    assert heads == [
        "### Collections",
        "### Embed or reference",
        "### Validators",
        "### Indexes",
        "### Access patterns",
        "### Sharding",
        "### Document model decisions",
    ]
    text = "\n".join(md)
    assert md[-1].startswith("**Not proven on a server**: no MongoDB server was given;")
    assert md[-1].endswith("no problem found.")
    embed = text.split("### Embed or reference")[1].split("###")[0]
    assert "| article → section | embed as array `sections` in articles |" in embed
    assert "| article → comment | reference: article_id in comments |" in embed
    assert "| `bylines[].author_id` | objectId | yes |" in text
    for q in plan.queries:
        assert f"#### {q.pattern} ({q.entity})" in text and q.shell in text
    for ix in plan.indexes:
        assert f"`{ix.name}` | `{keys_text(ix.keys)}`" in text
    assert "| page_events | 2,160,000,000 | `{session_id: 1, _id: 1}` |" in text
    assert "| authors | 8,500 | none | no sharding needed: 8,500 documents" in text


def test_design_json(plan: MongoPlan) -> None:
    data = json.loads(json.dumps(mongo_json(plan)))
    assert data["database"] == "content" and data["problems"] == []
    assert [c["name"] for c in data["collections"]] == [c.name for c in plan.collections]
    art = data["collections"][1]
    assert art["validator"]["$jsonSchema"]["properties"]["tags"]["maxItems"] == 10
    assert [e["field"] for e in art["embedded"]] == ["sections", "bylines", "tags"]
    assert len(data["indexes"]) == len(plan.indexes)
    ttl = next(i for i in data["indexes"] if "expireAfterSeconds" in i["options"])
    assert ttl["keys"] == [["created_at", 1]] and ttl["collection"] == "page_events"
    q = next(q for q in data["queries"] if q["pattern"] == "approved_comments")
    assert q["indexes"] == [
        {"collection": "comments", "index": "article_id_1_posted_at_-1_where_status_approved"}
    ]
