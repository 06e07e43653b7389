"""DESIGN.md of a MongoDB design: the seed's sections, with collections, embed decisions,
validators and indexes (:func:`dbdesign.design.mongo_doc.mongo_md`) in place of tables, and the
operations (replication, backups, monitoring) of a replica set."""

from __future__ import annotations

from dbdesign.design import Design
from dbdesign.design.draft import ASSUMED_RPO_MINUTES, ASSUMED_RTO_MINUTES
from dbdesign.design.mongo_doc import mongo_md
from dbdesign.design.store_doc import header_md


def mongo_page(d: Design, generated_at: str) -> str:
    assert d.mongo is not None
    plan = d.mongo
    counts = f"{len(d.spec.entities)} entities in {len(plan.collections)} collections"
    out = header_md(d, "MongoDB", "document", counts, generated_at)
    out += ["## Schema Design", "", *mongo_md(plan), ""]
    out += _integrity(d) + _operations(d)
    return "\n".join(out) + "\n"


def _integrity(d: Design) -> list[str]:
    strong = d.spec.project.consistency == "strong"
    return [
        "## Data Integrity Rules",
        "",
        "- A document is written atomically: an embedded child changes with its parent in one "
        "write. Writes that span documents or collections need a multi-document transaction "
        "(a replica set or sharded cluster), or must tolerate a partial result.",
        "- The validators refuse documents of the wrong shape (validationAction error); the "
        "unique indexes refuse duplicates; rules `$jsonSchema` cannot express are the "
        "application's, listed under the document model decisions above.",
        "- References are ids with no foreign keys: deleting a parent leaves its referencing "
        "documents to the application (or a change stream consumer) to remove.",
        (
            '- Strong consistency: writes with `w: "majority"` and reads with '
            '`readConcern: "majority"` from the primary (a failover then loses no '
            "acknowledged write)."
            if strong
            else "- Eventual consistency: `w: 1` writes may be lost on failover; reads may go to "
            "secondaries (`readPreference: secondaryPreferred`) and lag by the replication delay."
        ),
        "",
    ]


def _operations(d: Design) -> list[str]:
    r = d.spec.project.recovery
    rpo = r.rpo_minutes if r else ASSUMED_RPO_MINUTES
    rto = r.rto_minutes if r else ASSUMED_RTO_MINUTES
    said = "stated" if r else "not stated in the spec: assumed"
    return [
        "## Backup Strategy",
        "",
        f"RPO {rpo:g} min and RTO {rto:g} min ({said}):",
        "",
        "- a three-member replica set across zones: a failover elects a new primary in about "
        "12 s, well inside the RTO;",
        (
            '- RPO 0: `w: "majority"` on every write, so an acknowledged write is on two members;'
            if rpo == 0
            else f"- point-in-time restore from snapshots plus the oplog (an oplog window of at "
            f"least 24 h; snapshots at least every {max(rpo, 60):g} min), which covers the RPO;"
        ),
        "- restores tested monthly on a scratch cluster (`mongorestore --oplogReplay`).",
        "",
        "## Monitoring Metrics",
        "",
        "- query targeting: documents examined per document returned (alert above 100: a "
        "pattern without its index)",
        "- slow operations (profiler `slowms` 100) and `COLLSCAN` in their plans",
        "- replication lag and the oplog window; WiredTiger cache dirty and used ratios",
        "- connections, document validation failures, TTL deletions per pass",
        "",
    ]
