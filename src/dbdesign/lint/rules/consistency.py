"""Consistency across tables: one name, one meaning, one type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Column, Table

# Names that mean different things in different tables: their types may differ by design.
GENERIC_NAMES = frozenset(
    """
    id uuid name title label type kind category status state code value key description
    summary comment comments note notes body content text data payload metadata details info
    extra options settings flags properties attributes position sort order sort_order rank
    priority level version count amount quantity size length width height weight score
    number date time url path source target format mode role scope tag tags message reason
    result hash checksum etag token
    """.split()
)


# PostgreSQL types whose precision defaults to 6 (microseconds): timestamp(6) is timestamp.
_MICROSECONDS = frozenset(
    {"timestamp without time zone", "timestamp with time zone", "time without time zone",
     "time with time zone", "interval"}
)  # fmt: skip


def _type_key(ctx: Context, c: Column) -> str:
    """What two columns must share to hold the same values: the type as written (domains by
    their base type, without the spelling), SQLite's affinity."""
    b = ctx.base_type(c.type)
    affinity = ctx.d.affinity(b.name)
    if affinity is not None:
        return f"{affinity} affinity" + "[]" * b.array_dims
    if b.name in _MICROSECONDS and b.args == (6,):
        b = replace(b, args=())  # the default precision, written out
    return ctx.type_label(replace(b, raw=None))


def _fk_mismatch(ctx: Context, t: Table, c: Column) -> bool:
    """Whether ``c`` references a column of another type: KEY003 reports it."""
    for fk in t.foreign_keys.values():
        parent = ctx.schema.tables.get(fk.ref_table)
        if parent is None or c.name not in fk.columns:
            continue
        refs = ctx.schema.ref_columns(fk)
        if len(refs) != len(fk.columns):
            continue
        p = parent.column(refs[fk.columns.index(c.name)])
        if p is not None and _type_key(ctx, p) != _type_key(ctx, c):
            return True
    return False


@rule("TYP015", "inconsistent-column-type", "warning")
def inconsistent_column_type(ctx: Context) -> Iterator[Hit]:
    """Columns of the same name have different types in different tables (`customer_id`
    integer in one table and bigint in another; `email` varchar(100) and text).

    Rationale: A name used across a schema usually means one thing (SchemaCrawler "column
    with the same name and different data types"). When its types differ, a value that fits
    one table is refused or cut by the other, joins on it need a cast (and may not use an
    index), and an integer copy overflows before the key it copies. Lengths count (a
    `varchar(100)` email does not take every value of a `varchar(255)` one); domains count as
    their base type, SQLite columns by their affinity, and `timestamp(6)` is `timestamp` (6
    is the default precision). Reported once per name, on a column of the least common type.
    Not flagged: generic names that mean different things in different tables (`id`,
    `name`, `type`, `status`, `code`, `value`, `description`, `position`, `amount`,
    `version`, `hash`, `etag` and the like: `GENERIC_NAMES` in the rule's module), names
    whose columns are all of enum types of their own (each table's value set is chosen for
    it), columns that reference a column of another type (KEY003 reports those), and views.

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(100));
        CREATE TABLE invitations (id bigint PRIMARY KEY, email text);

    Good:
        CREATE TABLE customers (id bigint PRIMARY KEY, email text);
        CREATE TABLE invitations (id bigint PRIMARY KEY, email text);

    Fix: Give every column of that name one type (the widest integer, text or the longest
    length), changing the others; or rename the columns that mean something else.
    """
    groups: dict[str, list[tuple[Table, Column]]] = {}
    for t in ctx.base_tables:
        for c in ctx.own_columns(t):
            key = "_".join(words(c.name))
            if key and key not in GENERIC_NAMES and not _fk_mismatch(ctx, t, c):
                groups.setdefault(key, []).append((t, c))
    for cols in groups.values():
        by_type: dict[str, list[tuple[Table, Column]]] = {}
        for t, c in cols:
            by_type.setdefault(_type_key(ctx, c), []).append((t, c))
        if len(by_type) < 2:
            continue
        if all(ctx.base_type(c.type).name in ctx.schema.enums for _, c in cols):
            continue  # enum types of their own: each value set is chosen for its table
        ranked = sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        said = "; ".join(f"{ty} in {_tables(ctx, tc)}" for ty, tc in ranked)
        t, c = ranked[-1][1][0]
        name = cols[0][1].name
        yield Hit(
            ctx.col_key(t, c),
            f"column {name} has {len(by_type)} types across {len(cols)} tables: {said}",
            c.origin or t.origin,
            f"give every {name} column one type, or rename the ones that mean something else",
        )


def _tables(ctx: Context, cols: list[tuple[Table, Column]]) -> str:
    """The tables of ``cols`` as a message lists them (qualified on PostgreSQL when they are
    in several schemas), four at most."""
    qualify = ctx.d.capabilities.schemas and len({t.schema for t, _ in cols}) > 1
    names = [t.key if qualify else t.name for t, _ in cols]
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")
