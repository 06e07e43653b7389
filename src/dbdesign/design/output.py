"""The files a design produces, rendered in memory first and written all at once (or not at all)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from dbdesign.design import Design
from dbdesign.design.draft import design_time
from dbdesign.design.evolve import Evolution
from dbdesign.design.prove import Proof
from dbdesign.design.prove_redis import RedisProof
from dbdesign.errors import ConfigError
from dbdesign.model import Schema

SCHEMA_FILES = ("schema.sql", "migrations/0001_initial.up.sql", "migrations/0001_initial.down.sql")


def generated_at() -> str:
    """ISO 8601 time of generation; ``SOURCE_DATE_EPOCH`` makes outputs reproducible."""
    when = design_time()
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def schema_sql(schema: Schema) -> str:
    from dbdesign.emit import emit_schema

    return emit_schema(schema)


def down_sql(schema: Schema) -> str:
    from dbdesign.emit import emit_drop_schema

    return emit_drop_schema(schema)


def mermaid(schema: Schema) -> str:
    from dbdesign.docs import erd
    from dbdesign.docs.context import Diagram, DocsContext

    ctx = DocsContext(schema)
    tables = tuple(k for k, t in schema.tables.items() if t.partition_of is None)
    return erd.mermaid(ctx, Diagram(slug="all", title="design", kind="all", tables=tables))


def design_json(
    d: Design, proof: Proof | RedisProof | None, redis_proof: RedisProof | None = None
) -> dict[str, Any]:
    from dbdesign.model import to_dict

    if d.redis is not None:
        from dbdesign.design.redis_doc import plan_json

        return {
            **_head(d),
            "decisions": [
                {"subject": x.subject, "decision": x.choice, "reason": x.reason}
                for x in d.redis.decisions
            ],
            "redis": plan_json(d.redis),
            "proof": proof.as_json() if proof else None,
        }
    if d.mongo is not None:
        from dbdesign.design.mongo_doc import mongo_json

        return {
            **_head(d),
            "mongodb": mongo_json(d.mongo),
            "proof": None,
            "proven_on_server": False,
        }
    assert not isinstance(proof, RedisProof)
    return {
        **_head(d),
        "decisions": [
            {"subject": x.subject, "decision": x.choice, "reason": x.reason} for x in d.decisions
        ],
        "access_patterns": [
            {
                "name": p.pattern.name,
                "table": p.table,
                "sql": p.sql,
                "index": p.index,
                "reason": p.reason,
            }
            for p in d.patterns
        ],
        "rules": [
            {
                "name": r.name,
                "kind": r.kind,
                "table": r.table,
                "statement": r.statement,
                "enforced_by": r.how or None,
                "objects": list(r.objects),
                "reason": r.reason or None,
            }
            for r in d.rules
        ],
        "schema": to_dict(d.schema),
        "proof": proof.as_json() if proof else None,
        **(_part_json(d.redis_part, redis_proof) if d.redis_part else {}),
    }


def _part_json(part: Any, proof: RedisProof | None) -> dict[str, Any]:
    from dbdesign.design.redis_doc import plan_json

    return {"redis": plan_json(part), "redis_proof": proof.as_json() if proof else None}


def _head(d: Design) -> dict[str, Any]:
    return {
        "format": "dbdesign-design",
        "version": 1,
        "spec": (d.whole or d.spec).model_dump(mode="json", by_alias=True),
        "dialect": d.dialect,
        "choice": {
            "kind": d.choice.kind,
            "engine": d.choice.engine,
            "recommended_engine": d.choice.recommended_engine,
            "reasons": list(d.choice.reasons),
            "note": d.choice.note,
        },
    }


def render(
    d: Design,
    proof: Proof | RedisProof | None = None,
    *,
    evolution: Evolution | None = None,
    redis_proof: RedisProof | None = None,
) -> dict[str, str]:
    """Every output file of a design, by relative path. A design made against the previous one
    (``evolution``) has its next migration's files instead of the initial migration (the
    earlier migrations are not among the files: they are never rewritten), and DESIGN.md names
    them."""
    from dbdesign.design.citus_doc import citus_sql
    from dbdesign.design.document import ascii_erd, design_md
    from dbdesign.design.evolve import with_strategy

    if d.redis is not None:  # no schema: the key families, the settings, the document
        from dbdesign.design.redis_doc import redis_conf, redis_md

        assert not isinstance(proof, Proof)
        return {
            "redis.conf": redis_conf(d.spec.project.name, d.redis, proof),
            "design.json": json.dumps(design_json(d, proof), indent=2) + "\n",
            "DESIGN.md": redis_md(d, proof, generated_at()),
        }
    if d.mongo is not None:  # collections and indexes: the mongosh script makes them
        from dbdesign.design.mongo_doc import mongosh_script
        from dbdesign.design.mongo_page import mongo_page

        return {
            "mongosh.js": mongosh_script(d.mongo),
            "design.json": json.dumps(design_json(d, None), indent=2) + "\n",
            "DESIGN.md": mongo_page(d, generated_at()),
        }
    assert not isinstance(proof, RedisProof)
    sql = schema_sql(d.schema)
    erd_mmd = mermaid(d.schema)
    erd_txt = ascii_erd(d.schema, [t.key for t in d.tables])
    files = {"schema.sql": sql}
    if evolution is None:
        files["migrations/0001_initial.up.sql"] = sql
        files["migrations/0001_initial.down.sql"] = down_sql(d.schema)
    else:
        files.update((f"migrations/{name}", text) for name, text in evolution.files)
    if d.citus is not None and d.citus.applies:
        files["citus.sql"] = citus_sql(d, d.citus)
    files["erd.mmd"] = erd_mmd
    files["erd.txt"] = erd_txt
    files["design.json"] = json.dumps(design_json(d, proof, redis_proof), indent=2) + "\n"
    md = design_md(
        d, mermaid=erd_mmd, erd=erd_txt, schema_sql=sql, proof=proof, generated_at=generated_at()
    )
    if d.redis_part is not None:  # a hybrid: the Redis part after the relational design
        from dbdesign.design.redis_doc import redis_conf, redis_part_md

        files["redis.conf"] = redis_conf(d.spec.project.name, d.redis_part, redis_proof)
        head, sep, appendix = md.partition("## Appendix: schema.sql")
        md = head + "\n".join(redis_part_md(d, redis_proof)) + "\n" + sep + appendix
    files["DESIGN.md"] = with_strategy(md, evolution.lines) if evolution else md
    return files


def write(files: dict[str, str], out: str | Path, *, new_only: Collection[str] = ()) -> list[Path]:
    """Write ``files`` under ``out``: first into a temporary folder beside it, then moved into
    place, so an error leaves nothing half-written. A path of ``new_only`` (relative) that
    already exists under ``out`` is refused before anything is written: a migration file is
    never written over."""
    root = Path(out)
    taken = [rel for rel in new_only if (root / rel).exists()]
    if taken:
        raise ConfigError(f"{root / taken[0]}: exists already; a migration is never written over")
    try:
        return _write(files, root)
    except OSError as e:
        raise ConfigError(f"cannot write the outputs: {e.strerror}", file=str(out)) from None


def _write(files: dict[str, str], root: Path) -> list[Path]:
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dbdesign-", dir=root.parent))
    try:
        for rel, text in files.items():
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
        written = []
        for rel in files:
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp / rel, dest)
            written.append(dest)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
