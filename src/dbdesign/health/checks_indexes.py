"""Index checks: unused, duplicate or prefix-redundant, invalid indexes, and foreign keys with
no index on their referencing columns. Each reads the catalog rows of ``sql/indexes.sql``
(and ``sql/foreign_keys.sql``) once per run."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from dbdesign.health.registry import Probe, Symptom, check

Row = dict[str, Any]


def size_text(n: int) -> str:
    """``n`` bytes as a person reads them: ``8192 bytes``, ``120 kB``, ``24 MB``, ``3.1 GB``."""
    if n < 10 * 1024:
        return f"{n} bytes"
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n // 1024} kB"


def _concurrently(definition: str) -> str:
    """``CREATE [UNIQUE] INDEX name ...`` (pg_get_indexdef) with CONCURRENTLY added."""
    return re.sub(r"^CREATE (UNIQUE )?INDEX ", r"CREATE \1INDEX CONCURRENTLY ", definition) + ";"


def _indexes(probe: Probe) -> list[Row]:
    """The indexes that can be dropped on their own: not attached to a partitioned index."""
    return [r for r in probe.rows("indexes") if not r["attached"]]


def _index_name(probe: Probe, r: Row) -> str:
    return probe.name(r["schema"], r["name"])


def _table_name(probe: Probe, r: Row) -> str:
    return probe.name(r["schema"], r["table_name"])


def _bound(r: Row) -> bool:
    """Does the index back a constraint, a foreign key's reference or the replica identity?"""
    return bool(r["constraint_name"] or r["referenced_by"] or r["is_replica_identity"])


@check("unused-index", "warning")
def unused_index(probe: Probe) -> Iterator[Symptom]:
    """An index no query has scanned since the statistics were reset, of at least
    ``unused_index_min_bytes`` (10 MB), that backs no constraint.

    Why: every INSERT, and every UPDATE that is not HOT, writes to each index of the table; an
    index no query reads costs those writes, its disk and its share of the cache, and slows
    VACUUM, for nothing.
    """
    least = probe.config.unused_index_min_bytes
    for r in _indexes(probe):
        if r["scans"] != 0 or r["size"] < least or not r["is_valid"] or _bound(r):
            continue
        name = _index_name(probe, r)
        yield Symptom(
            object=name,
            value=f"0 scans, {size_text(r['size'])}",
            threshold=f"0 scans and >= {size_text(least)}",
            why=f"no query has read it, yet every write to {_table_name(probe, r)} updates it "
            f"and it holds {size_text(r['size'])} of disk and cache",
            fix=f"DROP INDEX CONCURRENTLY {name};\n"
            f"-- to put it back: {_concurrently(r['definition'])}",
            caveat=probe.stats_caveat(),
        )


@check("invalid-index", "error")
def invalid_index(probe: Probe) -> Iterator[Symptom]:
    """An index marked invalid (``pg_index.indisvalid`` false): what a failed ``CREATE INDEX
    CONCURRENTLY`` or ``REINDEX CONCURRENTLY`` leaves behind.

    Why: no query uses an invalid index, a unique one enforces nothing, yet every write still
    updates it. It stays until it is dropped.
    """
    for r in _indexes(probe):
        if r["is_valid"] or r["partitioned"]:
            continue
        name = _index_name(probe, r)
        before = (
            "-- first remove the duplicate values that made it fail\n" if r["is_unique"] else ""
        )
        yield Symptom(
            object=name,
            value="indisvalid = false",
            threshold="every index valid",
            why="no query can use it and it enforces nothing, but every write to "
            f"{_table_name(probe, r)} still updates it",
            fix=f"DROP INDEX CONCURRENTLY {name};\n{before}{_concurrently(r['definition'])}",
            caveat="a CREATE INDEX CONCURRENTLY still running shows as invalid too: check "
            "pg_stat_progress_create_index before dropping it",
        )


def _keys(r: Row) -> list[tuple[Any, ...]]:
    """The key columns of an index, each as what makes two keys the same: the column or
    expression, operator class, collation and order options."""
    n = r["nkeys"]
    return list(
        zip(
            r["columns"][:n], r["opclasses"][:n], r["collations"][:n], r["options"][:n], strict=True
        )
    )


def covers(b: Row, a: Row) -> bool:
    """Can index ``b`` do everything index ``a`` does? Same table, method and predicate; ``a``'s
    keys lead ``b``'s (a prefix only for B-trees); ``a``'s INCLUDE columns among ``b``'s; a
    unique ``a`` only by a unique ``b`` on exactly the same keys."""
    if a["relid"] != b["relid"] or a["method"] != b["method"] or a["predicate"] != b["predicate"]:
        return False
    na, nb = a["nkeys"], b["nkeys"]
    if na > nb or (na < nb and a["method"] != "btree"):
        return False
    if _keys(a) != _keys(b)[:na]:
        return False
    if a["is_unique"] and not (b["is_unique"] and na == nb):
        return False
    return set(a["columns"][na:]) <= set(b["columns"])


def _droppable(r: Row) -> bool:
    """Can the index go without taking a key with it: no primary key, no index a foreign key
    references, not the replica identity (a unique constraint is dropped with it)."""
    return not (r["is_primary"] or r["referenced_by"] or r["is_replica_identity"]) and (
        r["constraint_type"] in (None, "u")
    )


def _redundant(rows: list[Row]) -> Iterator[tuple[Row, Row]]:
    """``(a, b)``: index ``a`` is covered by ``b``; of two identical indexes, the one that is
    droppable (one without a constraint first, else the newer) is ``a``."""
    for a in rows:
        for b in rows:
            if a is b or not covers(b, a) or not _droppable(a):
                continue
            if covers(a, b) and _droppable(b) and _keep_first(a, b):
                continue  # identical: a is kept, b is the one to drop
            yield a, b
            break


def _keep_first(a: Row, b: Row) -> bool:
    """Of two identical droppable indexes, keep ``a`` (drop ``b``)? The one backing a
    constraint is kept, else the older."""
    return (a["constraint_name"] is not None, -a["oid"]) > (
        b["constraint_name"] is not None,
        -b["oid"],
    )


@check("duplicate-index", "warning")
def duplicate_index(probe: Probe) -> Iterator[Symptom]:
    """An index another index of the same table makes redundant: the same keys, or keys that
    lead the other's, with the same method, operator classes, collations, order and predicate.

    Why: every query that can use it can use the other; it only adds work to every write, disk
    and cache. A partial or expression index is never covered by a plain one, nor a unique
    index by a non-unique one.
    """
    by_table: dict[int, list[Row]] = defaultdict(list)
    for r in _indexes(probe):
        if r["is_valid"]:
            by_table[r["relid"]].append(r)
    for rows in by_table.values():
        for a, b in _redundant(rows):
            name = _index_name(probe, a)
            same = a["nkeys"] == b["nkeys"]
            if a["constraint_name"]:
                table = _table_name(probe, a)
                constraint = probe.dialect.quote_ident(a["constraint_name"])
                fix = f"ALTER TABLE {table} DROP CONSTRAINT {constraint};"
            else:
                fix = f"DROP INDEX CONCURRENTLY {name};"
            keys = ", ".join(a["columns"][: a["nkeys"]])
            other = ", ".join(b["columns"][: b["nkeys"]])
            yield Symptom(
                object=name,
                value=f"({keys}) {'the same as' if same else 'a prefix of'} "
                f"{_index_name(probe, b)} ({other}); {size_text(a['size'])}",
                threshold="keys that are, or lead, another index's",
                why=f"{_index_name(probe, b)} serves every query it serves; it costs writes, "
                "disk and cache for nothing",
                fix=fix,
            )


def _has_leading_index(indexes: list[Row], attnums: list[int]) -> bool:
    """Is there a valid, non-partial B-tree whose leading keys are ``attnums`` (any order)?"""
    n = len(attnums)
    return any(
        r["is_valid"]
        and r["predicate"] is None
        and r["method"] == "btree"
        and r["nkeys"] >= n
        and sorted(r["attnums"][:n]) == sorted(attnums)
        for r in indexes
    )


@check("fk-without-index", "warning")
def fk_without_index(probe: Probe) -> Iterator[Symptom]:
    """A foreign key whose referencing columns lead no index of their table.

    Why: deleting a referenced row, or changing its key, makes the server look for referencing
    rows: without an index that is a scan of the whole referencing table for every such row,
    under a lock; joins from the referenced table have no index to use either.
    """
    by_table: dict[int, list[Row]] = defaultdict(list)
    for r in probe.rows("indexes"):
        by_table[r["relid"]].append(r)
    for fk in probe.rows("foreign_keys"):
        if _has_leading_index(by_table[fk["relid"]], list(fk["attnums"])):
            continue
        table = probe.name(fk["schema"], fk["table_name"])
        cols = list(fk["columns"])
        name = probe.dialect.cut_name(f"{fk['table_name']}_{'_'.join(cols)}_idx")
        how = "INDEX" if fk["partitioned"] else "INDEX CONCURRENTLY"
        quoted = ", ".join(probe.dialect.quote_ident(c) for c in cols)
        yield Symptom(
            object=probe.name(fk["schema"], fk["table_name"], fk["name"]),
            value=f"no index leads with ({', '.join(cols)}); {table}: ~{fk['rows']} rows, "
            f"{size_text(fk['size'])}",
            threshold="an index whose leading columns are the foreign key's",
            why=f"a DELETE or key UPDATE on {fk['referenced']} scans {table} for referencing "
            "rows, once per row it changes",
            fix=f"CREATE {how} {probe.dialect.quote_ident(name)} ON {table} ({quoted});",
        )
