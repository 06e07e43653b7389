"""What each column of a design is, for DESIGN.md's tables: the spec's description where it
gives one, else a description derived from what the designer knows of the column (a key, a
reference, an audit or bookkeeping column, a generated one), marked *(derived)* so a reader
knows nobody wrote it. No cell is left empty."""

from __future__ import annotations

from dbdesign import dialects
from dbdesign.design import Design
from dbdesign.model import Column, Table

DERIVED = "*(derived)*"

# Columns the designer adds, by name: what they are.
_BOOKKEEPING = {
    "created_at": "When the row was created.",
    "deleted_at": "When the row was soft-deleted; NULL while it is live.",
    "version": "Optimistic-locking counter: an UPDATE names the version it read and bumps it.",
    "not_deleted": "1 while the row is live, NULL once deleted (generated): unique keys that "
    "include it ignore deleted rows.",
}


def description(d: Design, t: Table, c: Column, entity: str | None) -> str:
    """The Description cell of column ``c`` of ``t``, the table of ``entity`` (None: a link
    table), ``|`` escaped."""
    given = d.column_notes.get(f"{t.name}.{c.name}") or c.comment
    whose = entity.replace("_", " ") if entity else "link"
    text = given or f"{_derived(d, t, c, whose)} {DERIVED}"
    return text.replace("|", "\\|")


def _derived(d: Design, t: Table, c: Column, whose: str) -> str:
    if t.primary_key and t.primary_key.columns == (c.name,):
        return f"Surrogate key of the {whose}."
    ref = _reference(t, c)
    if ref is not None:
        return ref
    if c.name == "updated_at":
        ops = dialects.get(d.dialect).operations
        how = f", set {ops.updated_at}" if ops else ""
        return f"When the row last changed{how}."
    if c.name in _BOOKKEEPING:
        return _BOOKKEEPING[c.name]
    if c.generated is not None and c.name == "search_vector":
        return "The row's searchable text as a full-text document (generated)."
    words = c.name.replace("_", " ")
    if c.name.endswith(("_at", "_on")):
        kind = "Time" if c.name.endswith("_at") else "Date"
        return f"{kind} ({words[:-3]}) of the {whose}."
    if c.type.name == "boolean":
        return f"Flag of the {whose}: {words}."
    return f"The {whose}'s {words}."


def _reference(t: Table, c: Column) -> str | None:
    """A foreign key column: what it points at (the tenant key first: every key leads with it)."""
    for fk in t.foreign_keys.values():
        if c.name not in fk.columns:
            continue
        target = fk.ref_table.split(".", 1)[1]
        i = fk.columns.index(c.name)
        if len(fk.columns) > 1 and i == 0:
            continue  # the tenant part of a same-tenant reference: said by its own key
        name = c.name.removesuffix("_id").replace("_", " ")
        return f"The {name} (→ {target}.{fk.ref_columns[i] if fk.ref_columns else 'id'})."
    return None
