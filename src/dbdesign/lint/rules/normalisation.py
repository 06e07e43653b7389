"""Normalisation smells: repeating groups, list-valued columns, column groups copied around."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import DataType, Table

_NUMBERED = re.compile(r"^(.*?[A-Za-z])_?(\d+)$")
# The lines of a postal address: a format with a fixed number of lines, not a repeating group.
_POSTAL = {"address", "addr", "street", "line", "address_line", "addr_line", "street_line"}


def _postal_line(stem: str) -> bool:
    """Whether numbered columns of this stem are the lines of a postal address
    (``address_line1``, ``address2``, ``billing_street2``, ``shipping_address_line_2``)."""
    w = words(stem)
    return bool(w) and (
        "_".join(w[-2:]) in _POSTAL or (w[-1] in _POSTAL and (len(w) == 1 or w[-1] != "line"))
    )


def _type_key(ctx: Context, t: DataType) -> tuple[str, int]:
    """A type without its length or precision: varchar(20) and varchar(40) are one type."""
    b = ctx.base_type(t)
    return (b.name.lower(), b.array_dims)


@rule("NRM001", "repeating-column-group", "warning")
def repeating_column_group(ctx: Context) -> Iterator[Hit]:
    """A table has numbered columns of one stem: phone1, phone2 (or phone, phone2).

    Rationale: Numbered columns are a repeating group (a first-normal-form violation): the
    number of values is fixed by the schema, queries must test every column ("phone1 = x OR
    phone2 = x"), and a third value needs a migration. A child table (one row per value) has
    none of these limits. Flagged when the numbers include 1 or 2 and at least two columns
    of the same type share the stem (the bare stem counts as number 1) with consecutive
    numbers; `ipv4` and `ipv6`, `sha1` and `sha256`, a lone `line1`, columns of different
    types (`col1 bigint, col2 text`) and the lines of a postal address (`address_line1`,
    `address_line2`, `address`, `address2`, `street2`: a postal format has a fixed number of
    lines) are not.

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
        types = {c.name: _type_key(ctx, c.type) for c in own}
        for stem, members in sorted(groups.items()):
            if _postal_line(stem):
                continue
            if stem in by_name and 1 not in members:
                members[1] = by_name[stem]
            nums = sorted(members)
            if len(nums) >= 2 and nums[0] <= 2 and nums == list(range(nums[0], nums[-1] + 1)):
                cols = [members[n] for n in nums]
                if len({types[c] for c in cols}) > 1:
                    continue  # different types: not several values of one thing
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


# Columns that describe one thing together, by concept: a group shared by several tables is
# meaningful when at least `repeated_group_min_columns` of its columns belong to one concept
# (or share a first word: billing_street, billing_city, billing_zip).
_CONCEPTS = {
    "address": {
        "address", "address1", "address2", "address3", "address_line1", "address_line2",
        "street", "street_address", "street1", "street2", "house_number", "city", "town",
        "district", "state", "province", "region", "county", "postal_code", "postcode",
        "post_code", "zip", "zipcode", "zip_code", "country", "country_code",
    },
    "person": {
        "first_name", "last_name", "middle_name", "given_name", "family_name", "full_name",
        "surname", "firstname", "lastname", "email", "email_address", "phone", "phone_number",
        "mobile", "fax", "birth_date", "birthdate", "date_of_birth", "gender",
    },
    "geo": {"latitude", "longitude", "lat", "lon", "lng", "altitude", "elevation"},
    "money": {"amount", "currency", "currency_code", "price", "tax", "tax_rate", "discount"},
}  # fmt: skip
# Bookkeeping every table may carry: when rows were written and by whom, whose rows they are.
_BOOKKEEPING = {
    "created_at", "updated_at", "deleted_at", "inserted_at", "modified_at", "created_on",
    "updated_on", "modified_on", "last_update", "last_updated", "last_modified", "created",
    "modified", "updated", "created_by", "updated_by", "changed_by", "modified_by",
    "deleted_by", "inserted_by", "changed_at", "is_deleted", "deleted", "version",
    "lock_version", "tenant", "tenant_id", "organization_id", "org_id", "account_id",
    "workspace_id", "company_id", "owner_id",
}  # fmt: skip
# A table whose name says it keeps copies of another's rows: the copy is the point.
_COPIES = {
    "history", "histories", "audit", "audits", "archive", "archived", "archives", "log",
    "logs", "versions", "revisions", "snapshots", "snapshot", "changes", "backup", "staging",
    "current", "stream", "cache", "old", "new", "tmp", "temp",
}  # fmt: skip


Group = frozenset[tuple[str, tuple[str, int]]]


def _normal(name: str) -> str:
    return "_".join(words(name))


def _meaningful(names: set[str], minimum: int) -> set[str]:
    """The columns of ``names`` that form groups of at least ``minimum`` columns of one
    concept (address, person, geo, money) or with one first word (billing_*)."""
    out: set[str] = set()
    norm = {n: _normal(n) for n in names}
    for vocab in _CONCEPTS.values():
        hit = {n for n, w in norm.items() if w in vocab}
        if len(hit) >= minimum:
            out |= hit
    by_prefix: dict[str, set[str]] = defaultdict(set)
    for n, w in norm.items():
        if "_" in w:
            by_prefix[w.split("_", 1)[0]].add(n)
    for group in by_prefix.values():
        if len(group) >= minimum:
            out |= group
    return out


def _copies(a: Table, b: Table) -> bool:
    """Whether one table is by its name a copy of the other (``users`` and
    ``users_history``, ``nodes`` and ``current_nodes``) or a history, log or cache."""
    wa, wb = words(a.name), words(b.name)
    if _COPIES & (set(wa) | set(wb)):
        return True
    sa, sb = "_".join(wa), "_".join(wb)
    return sa in sb or sb in sa


@rule("NRM003", "repeated-column-group", "info")
def repeated_column_group(ctx: Context) -> Iterator[Hit]:
    """Several tables repeat the same group of columns that describe one thing (an address,
    a person's name and contact, a position), with the same names and types.

    Rationale: The same three or more columns (say street, city, postal_code) in several
    tables of one schema (namespace; copies of a whole schema, as in schema-per-tenant
    designs, are not compared with each other) is usually an entity that was copied instead
    of referenced: the copies drift apart and a change must be made everywhere. The group
    must mean one thing: at least `repeated_group_min_columns` (3) of its columns belong to
    one concept (address, person, geo position, money) or share a first word
    (`billing_street`, `billing_city`, `billing_zip`). Not counted: key and foreign key
    columns and any `*_id` column, audit and soft-delete columns and their synonyms
    (`created_at`, `inserted_at`, `updated_at`, `deleted_at`, `changed_by` ...), tenant and
    owner columns (`tenant_id`, `account_id` ...), columns of different types. Tables that
    keep copies by design are not compared: one named after the other (`users`,
    `users_history`; `nodes`, `current_nodes`) or a history, audit, log, archive, cache,
    stream or staging table. Partitions and inheritance children are skipped. One finding
    per group, naming every table that repeats it.

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY, street text, city text, postal_code text);
        CREATE TABLE suppliers (id bigint PRIMARY KEY, street text, city text, postal_code text);

    Good:
        CREATE TABLE addresses (id bigint PRIMARY KEY, street text, city text, postal_code text);
        CREATE TABLE customers (id bigint PRIMARY KEY, address_id bigint REFERENCES addresses);

    Fix: Move the group to its own table and reference it (or accept it deliberately).
    """
    sig = _signatures(ctx)
    keys = sorted(sig)
    tables = ctx.schema.tables
    groups = _shared_groups(ctx, sig)
    # A group is reported once, with every table that has all its columns; a group that is
    # part of a larger one reported for the same tables is not reported again.
    reported: list[tuple[Group, set[str]]] = []
    for schema, group in sorted(groups, key=lambda g: (-len(g[1]), g[0], sorted(g[1]))):
        members = {k for k in keys if tables[k].schema == schema and group <= sig[k]}
        if any(group <= g and members <= m for g, m in reported):
            continue
        reported.append((group, members))
        first = sorted(members)
        listed = ", ".join(sorted(name for name, _ in group))
        yield Hit(
            first[0],
            f"tables {', '.join(first)} repeat the column group {listed}",
            tables[first[0]].origin,
        )


def _signatures(ctx: Context) -> dict[str, Group]:
    """Each table's columns that may form a group (name and type; no keys, ids, audit or
    bookkeeping columns), for the tables that have at least the minimum of them."""
    skip = set(ctx.config.audit_columns) | set(ctx.config.soft_delete_columns) | _BOOKKEEPING
    minimum = ctx.config.repeated_group_min_columns
    sig: dict[str, Group] = {}
    for t in ctx.base_tables:
        if t.inherits:
            continue
        keyed = set(t.primary_key.columns) if t.primary_key else set()
        for fk in t.foreign_keys.values():
            keyed.update(fk.columns)
        cols = frozenset(
            (c.name, _type_key(ctx, c.type))
            for c in t.columns
            if c.name not in keyed
            and _normal(c.name) not in skip
            and c.name.lower() != "id"
            and words(c.name)[-1:] not in (["id"], ["ids"], ["uuid"])
        )
        if len(cols) >= minimum:
            sig[t.key] = cols
    return sig


def _shared_groups(ctx: Context, sig: dict[str, Group]) -> set[tuple[str, Group]]:
    """The meaningful column groups two tables of one schema share (schema, group), from
    every pair of tables that are not copies of each other by design."""
    minimum = ctx.config.repeated_group_min_columns
    keys = sorted(sig)
    tables = ctx.schema.tables
    by_col: dict[tuple[str, str, tuple[str, int]], list[str]] = defaultdict(list)
    for k in keys:
        for name, typ in sig[k]:
            by_col[(tables[k].schema, name, typ)].append(k)
    groups: set[tuple[str, Group]] = set()
    for a in keys:
        partners: dict[str, int] = defaultdict(int)
        for name, typ in sig[a]:
            for b in by_col[(tables[a].schema, name, typ)]:
                if b > a:
                    partners[b] += 1
        for b, n in partners.items():
            if n < minimum or _copies(tables[a], tables[b]):
                continue
            shared = sig[a] & sig[b]
            names = _meaningful({name for name, _ in shared}, minimum)
            if names:
                groups.add((tables[a].schema, frozenset(x for x in shared if x[0] in names)))
    return groups
