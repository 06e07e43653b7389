"""Normalisation smells: repeating groups, list-valued columns, column groups copied around."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule

_NUMBERED = re.compile(r"^(.*?[A-Za-z])_?(\d+)$")


@rule("NRM001", "repeating-column-group", "warning")
def repeating_column_group(ctx: Context) -> Iterator[Hit]:
    """A table has numbered columns of one stem: phone1, phone2 (or phone, phone2).

    Rationale: Numbered columns are a repeating group (a first-normal-form violation): the
    number of values is fixed by the schema, queries must test every column ("phone1 = x OR
    phone2 = x"), and a third value needs a migration. A child table (one row per value) has
    none of these limits. Flagged when the numbers include 1 or 2 and at least two columns
    share the stem (the bare stem counts as number 1) with consecutive numbers; `ipv4` and
    `ipv6`, `sha1` and `sha256`, or a lone `line1` are not.

    Bad:
        CREATE TABLE contacts (id bigint PRIMARY KEY, phone1 text, phone2 text, phone3 text);

    Good:
        CREATE TABLE contacts (id bigint PRIMARY KEY);
        CREATE TABLE contact_phones (contact_id bigint REFERENCES contacts, phone text);

    Fix: Move the values to a child table with one row per value.
    """
    for t in ctx.base_tables:
        own = ctx.own_columns(t)
        by_name = {c.name.lower(): c.name for c in own}
        groups: dict[str, dict[int, str]] = defaultdict(dict)
        for c in own:
            m = _NUMBERED.match(c.name.lower())
            if m:
                groups[m.group(1).rstrip("_")][int(m.group(2))] = c.name
        for stem, members in sorted(groups.items()):
            if stem in by_name and 1 not in members:
                members[1] = by_name[stem]
            nums = sorted(members)
            if len(nums) >= 2 and nums[0] <= 2 and nums == list(range(nums[0], nums[-1] + 1)):
                cols = [members[n] for n in nums]
                yield Hit(
                    t.key,
                    f"table {t.key} has a repeating group: {', '.join(cols)}",
                    ctx.origin(t, cols[0]),
                    f"move the {stem} values to a child table",
                )


@rule("NRM002", "list-valued-column", "warning")
def list_valued_column(ctx: Context) -> Iterator[Hit]:
    """A text column's name says it holds a list (`*_ids`, `*_list`, `*_csv`).

    Rationale: A comma-separated list in a text column cannot be indexed, joined or protected
    by a foreign key, and every reader must split it (sqlcheck "multi-valued attribute").
    A join table, or an array/jsonb column where a list really is a value, are better. Only
    text columns are flagged; `integer[]` columns and names such as `kids` are not.

    Bad:
        CREATE TABLE posts (id bigint PRIMARY KEY, tag_ids text);

    Good:
        CREATE TABLE post_tags (post_id bigint REFERENCES posts, tag_id bigint REFERENCES tags,
          PRIMARY KEY (post_id, tag_id));

    Fix: Replace the column with a join table (or an array with element foreign keys checked).
    """
    for t, c in ctx.columns:
        w = words(c.name)
        if len(w) >= 2 and w[-1] in ("ids", "list", "csv") and ctx.kind(c.type) == "text":
            yield Hit(
                ctx.col_key(t, c),
                f"{ctx.col_key(t, c)} looks like a list stored as text",
                c.origin or t.origin,
            )


@rule("NRM003", "repeated-column-group", "info")
def repeated_column_group(ctx: Context) -> Iterator[Hit]:
    """Several tables repeat the same group of non-key columns (same names and types).

    Rationale: The same three or more columns (say street, city, postal_code) in several
    tables of one schema (namespace; copies of a whole schema, as in schema-per-tenant
    designs, are not compared with each other) is usually an entity that was copied instead
    of referenced: the copies drift apart and a change must be made everywhere. Key columns,
    foreign key columns and the audit and soft-delete columns are not counted; partitions
    and inheritance children are skipped. The group size is `repeated_group_min_columns` (3).

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY, street text, city text, postal_code text);
        CREATE TABLE suppliers (id bigint PRIMARY KEY, street text, city text, postal_code text);

    Good:
        CREATE TABLE addresses (id bigint PRIMARY KEY, street text, city text, postal_code text);
        CREATE TABLE customers (id bigint PRIMARY KEY, address_id bigint REFERENCES addresses);

    Fix: Move the group to its own table and reference it (or accept it deliberately).
    """
    skip = set(ctx.config.audit_columns) | set(ctx.config.soft_delete_columns)
    skip |= {"id", "last_update", "updated_by", "created_by"}
    minimum = ctx.config.repeated_group_min_columns
    sig: dict[str, frozenset[tuple[str, str]]] = {}
    for t in ctx.base_tables:
        if t.inherits:
            continue
        keyed = set(t.primary_key.columns) if t.primary_key else set()
        for fk in t.foreign_keys.values():
            keyed.update(fk.columns)
        cols = frozenset(
            (c.name, str(ctx.base_type(c.type)))
            for c in t.columns
            if c.name not in keyed and c.name not in skip
        )
        if len(cols) >= minimum:
            sig[t.key] = cols
    keys = sorted(sig)
    schema_of = {k: ctx.schema.tables[k].schema for k in keys}
    by_col: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for k in keys:
        for name, typ in sig[k]:
            by_col[(schema_of[k], name, typ)].append(k)
    seen: set[tuple[str, str]] = set()
    for a in keys:
        partners: dict[str, int] = defaultdict(int)
        for name, typ in sig[a]:
            for b in by_col[(schema_of[a], name, typ)]:
                if b > a:
                    partners[b] += 1
        for b, n in sorted(partners.items()):
            if n >= minimum and (a, b) not in seen:
                seen.add((a, b))
                shared = sorted(name for name, _ in sig[a] & sig[b])
                ta = ctx.schema.tables[a]
                yield Hit(
                    a,
                    f"tables {a} and {b} share the column group {', '.join(shared)}",
                    ta.origin,
                )
