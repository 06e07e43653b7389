"""The MCP design tool on specs that are not relational designs: a Redis design and a MongoDB
design are returned (DESIGN.md, the store's script, the decisions) and not proved, with the
reason: the MCP server writes to no Redis (the proof's sample keys would be real writes) and
has no MongoDB."""

from __future__ import annotations

import redis

from dbdesign.mcp import safety
from dbdesign.mcp.tools import DbdesignTools
from tests.conftest import REDIS_URL
from tests.paths import ROOT


def test_redis_and_mongodb_designs_come_back_unproved_with_the_reason() -> None:
    r = redis.Redis.from_url(REDIS_URL)
    before = {k for k in r.scan_iter(match="dbdesign-proof-*", count=1000)}
    tools = DbdesignTools(safety.McpSettings())
    kv = tools.design(spec=(ROOT / "examples" / "session_store_redis.yaml").read_text())
    assert (kv.dialect, kv.tables, kv.proved, kv.proof) == ("redis", [], None, None)
    assert kv.proof_note is not None and "writes to no Redis" in kv.proof_note
    assert "**Type:** Redis (key-value)" in kv.design_md
    assert "maxmemory-policy volatile-lru" in kv.migration_up  # redis.conf
    assert any(x["subject"] == "keys" for x in kv.decisions)
    doc = tools.design(spec=(ROOT / "examples" / "content_mongodb.yaml").read_text())
    assert (doc.dialect, doc.proved) == ("mongodb", None)
    assert "**Not proven on a server**" in doc.design_md
    assert doc.migration_up.startswith("// content: MongoDB collections")
    assert doc.decisions and all("subject" in x for x in doc.decisions)
    # nothing was written to the machine's Redis
    assert {k for k in r.scan_iter(match="dbdesign-proof-*", count=1000)} <= before
