"""Cycles of required references: one key of each is checked at COMMIT, or made nullable
where the dialect cannot defer a key, so that the cycle's rows can be inserted at all."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from dbdesign import dialects
from dbdesign.design.draft import Draft, TableDraft
from dbdesign.graph import find_cycle
from dbdesign.model import ForeignKey

# The decisions that make a cycle of required references insertable (DESIGN.md lists them
# among the integrity rules): one key of each cycle checked at COMMIT, or, where the dialect
# cannot defer a key (MySQL), made nullable.
CYCLE_DEFERRED = "DEFERRABLE INITIALLY DEFERRED"
CYCLE_NULLABLE = "nullable, to break a cycle of required references"


def required_cycles(b: Draft) -> None:
    """A cycle of required references (authors -> books -> publishers -> authors, every
    key NOT NULL) can hold no row while each key is checked as its row is inserted: the
    first row of the cycle always points at one that does not exist yet. One key of each
    such cycle is checked at COMMIT instead (DEFERRABLE INITIALLY DEFERRED: the cycle's
    rows go in in one transaction) or, where the dialect cannot defer a key (MySQL /
    MariaDB check every key as the row is written), made nullable (the row goes in with
    NULL, then an UPDATE sets it once the referenced row exists).

    The key chosen is the relationship of the cycle stated last in the spec (a spec lists
    the main chain of parents first; the relationship that closes the loop comes last),
    never the tenant key while another key can be chosen. Deterministic: the same spec
    always gives the same key."""
    by_key = {b.key(t): t for t in b.tables.values()}
    while True:
        graph = {
            k: [fk.ref_table for fk in t.fks.values() if _checked_at_once(t, fk)]
            for k, t in by_key.items()
        }
        cycle = find_cycle(graph)  # each table is referenced by the next
        if cycle is None:
            return
        edges = [
            (by_key[child], fk)
            for parent, child in pairwise(cycle)
            for fk in by_key[child].fks.values()
            if fk.ref_table == parent and _checked_at_once(by_key[child], fk)
        ]
        t, fk = max(
            edges,
            key=lambda e: (
                e[1].columns != (e[0].tenant_col,),
                b.fk_order.get(e[1].name, -1),
            ),
        )
        path = " → ".join(by_key[k].name for k in reversed(cycle))
        _break_cycle(b, t, fk, path)


def _checked_at_once(t: TableDraft, fk: ForeignKey) -> bool:
    """The key is checked as its row is inserted and cannot be NULL."""
    nullable = {c.name for c in t.columns if c.nullable}
    return not fk.initially_deferred and not nullable & set(fk.columns)


def _break_cycle(b: Draft, t: TableDraft, fk: ForeignKey, path: str) -> None:
    own = [c for c in fk.columns if c != t.tenant_col] or list(fk.columns)
    why = (
        f"the required references {path} form a cycle: checked as each row is inserted, "
        "no first row of the cycle could ever be inserted (it would point at a row that "
        "does not exist yet)"
    )
    if not dialects.get(b.dialect).capabilities.deferrable:
        suffix = _nullable(b, t, fk, own, why)
    else:
        suffix = _deferred(b, t, fk, why)
    t.relationships = [
        (line.replace("ON DELETE RESTRICT)", "ON DELETE NO ACTION)") if not b.my else line)
        + f"; {suffix}"
        if line.startswith(f"`{own[0]}` ")
        else line
        for line in t.relationships
    ]


_CHOSEN = (
    "it is the cycle's relationship stated last in the spec (the one that closes the "
    "loop); the cycle's other keys stay checked at once"
)


def _nullable(b: Draft, t: TableDraft, fk: ForeignKey, own: list[str], why: str) -> str:
    """The key's own columns accept NULL (MySQL: no deferred keys). Returns the note for the
    relationship's line."""
    parent = fk.ref_table.split(".", 1)[1]
    cols = ", ".join(own)
    t.columns = [replace(c, nullable=True) if c.name in own else c for c in t.columns]
    b.decide(
        f"{t.name}.{cols}",
        CYCLE_NULLABLE,
        f"{why}. MySQL and MariaDB check a foreign key as each row is written and "
        f"cannot defer it to COMMIT, so this one accepts NULL: insert the {t.name} row "
        f"with {cols} NULL, then set it by UPDATE once the {parent} row exists, in one "
        f"transaction (the spec requires it: the application keeps it set); {_CHOSEN}",
    )
    return "nullable: breaks a cycle of required references"


def _deferred(b: Draft, t: TableDraft, fk: ForeignKey, why: str) -> str:
    """The key is checked at COMMIT. Returns the note for the relationship's line."""
    parent = fk.ref_table.split(".", 1)[1]
    action = fk.on_delete
    if action == "RESTRICT":  # RESTRICT is checked at once even on a deferred key
        action = "NO ACTION"
        b.decisions = [
            d
            for d in b.decisions
            if not (d.subject == fk.name and d.choice == "ON DELETE RESTRICT")
        ]
    t.fks[fk.name] = replace(fk, deferrable=True, initially_deferred=True, on_delete=action)
    restrict = (
        "; ON DELETE NO ACTION instead of RESTRICT: RESTRICT is checked at once even "
        f"on a deferred key, NO ACTION still refuses to delete a referenced {parent} "
        "row but at COMMIT, so the rows of the cycle can also be deleted together"
        if action != fk.on_delete
        else ""
    )
    b.decide(
        fk.name,
        CYCLE_DEFERRED,
        f"{why}. This key is checked at COMMIT instead: insert the rows of the cycle "
        f"in one transaction; {_CHOSEN}{restrict}",
    )
    return f"{CYCLE_DEFERRED}: checked at COMMIT"
