"""Table checks: tables without a primary key."""

from __future__ import annotations

from collections.abc import Iterator

from dbdesign.health.registry import Probe, Symptom, check


@check("table-without-primary-key", "warning")
def table_without_primary_key(probe: Probe) -> Iterator[Symptom]:
    """A table (ordinary or partitioned; a partition has its parent's) without a primary key.

    Why: rows cannot be told apart or referenced reliably, logical replication cannot send their
    UPDATEs and DELETEs (without a replica identity), and tools that edit or sync rows need one.
    """
    for t in probe.rows("tables"):
        if t["has_primary_key"]:
            continue
        table = probe.name(t["schema"], t["name"])
        if t["unique_index"]:
            index = probe.dialect.quote_ident(t["unique_index"])
            fix = f"ALTER TABLE {table} ADD PRIMARY KEY USING INDEX {index};"
        else:
            fix = (
                f"ALTER TABLE {table} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY "
                "PRIMARY KEY;\n-- or, when some NOT NULL columns already identify a row: "
                f"ALTER TABLE {table} ADD PRIMARY KEY (...);"
            )
        yield Symptom(
            object=table,
            value=f"no primary key (~{t['rows']} rows)",
            threshold="a primary key on every table",
            why="rows cannot be told apart or referenced reliably, and logical replication "
            "cannot replicate their UPDATEs and DELETEs",
            fix=fix,
            caveat="ADD COLUMN ... IDENTITY rewrites the table under an ACCESS EXCLUSIVE lock"
            if not t["unique_index"]
            else "",
        )
