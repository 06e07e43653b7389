"""CREATE statements and clauses of single objects, as pure functions of model values:
constraint clauses, identity, sequence, collation, view, policy, and what CREATE TABLE
leaves to a parent table (inherited columns, cloned constraints).

The diff's operation renderers use the same functions, so an added constraint looks the way
a created table writes it.
"""

from __future__ import annotations

import dataclasses
import re

from dbdesign.dialects.postgres import qualified, quote_ident, type_sql
from dbdesign.emit.pg_text import (
    default_sql,
    deferrable_sql,
    dotted_name,
    grantee_sql,
    idents,
    qualified_key,
    quote_literal,
    strip_semicolon,
)
from dbdesign.model import (
    Check,
    Collation,
    Column,
    Exclusion,
    Expr,
    ForeignKey,
    Identity,
    Policy,
    PrimaryKey,
    Sequence,
    Table,
    Unique,
    View,
)


def identity_sql(ident: Identity) -> str:
    opts = []
    if ident.start is not None:
        opts.append(f"START WITH {ident.start}")
    if ident.increment is not None:
        opts.append(f"INCREMENT BY {ident.increment}")
    if ident.min_value is not None:
        opts.append(f"MINVALUE {ident.min_value}")
    if ident.max_value is not None:
        opts.append(f"MAXVALUE {ident.max_value}")
    if ident.cache is not None:
        opts.append(f"CACHE {ident.cache}")
    if ident.cycle:
        opts.append("CYCLE")
    sql = f"GENERATED {'ALWAYS' if ident.always else 'BY DEFAULT'} AS IDENTITY"
    return sql + (f" ({' '.join(opts)})" if opts else "")


def collation_sql(name: str, c: Collation) -> str:
    if c.provider == "libc":
        opts = [f"lc_collate = {quote_literal(c.lc_collate or 'C')}"]
        opts.append(f"lc_ctype = {quote_literal(c.lc_ctype or 'C')}")
    else:
        opts = [f"locale = {quote_literal(c.locale or '')}"]
    if not c.deterministic:
        opts.append("deterministic = false")
    if c.rules is not None:
        opts.append(f"rules = {quote_literal(c.rules)}")
    return f"CREATE COLLATION {name} (provider = {c.provider}, {', '.join(opts)})"


def sequence_sql(name: str, seq: Sequence) -> str:
    sql = f"CREATE SEQUENCE {name}"
    if seq.type.name != "bigint":
        sql += f" AS {type_sql(seq.type)}"
    if seq.increment > 0:
        default_start = seq.min_value if seq.min_value is not None else 1
    else:
        default_start = seq.max_value if seq.max_value is not None else -1
    if seq.start != default_start:
        sql += f" START WITH {seq.start}"
    if seq.increment != 1:
        sql += f" INCREMENT BY {seq.increment}"
    if seq.min_value is not None:
        sql += f" MINVALUE {seq.min_value}"
    if seq.max_value is not None:
        sql += f" MAXVALUE {seq.max_value}"
    if seq.cache != 1:
        sql += f" CACHE {seq.cache}"
    if seq.cycle:
        sql += " CYCLE"
    return sql


def inherited_column_changes(c: Column, parent: Column) -> list[str]:
    """ALTER TABLE clauses for an inherited column that differs from its parent's."""
    col = quote_ident(c.name)
    out = []
    if c.default != parent.default and c.generated is None and c.identity is None:
        out.append(
            f"ALTER COLUMN {col} SET {default_sql(c.default)}"
            if c.default is not None
            else f"ALTER COLUMN {col} DROP DEFAULT"
        )
    if not c.nullable and parent.nullable:
        out.append(f"ALTER COLUMN {col} SET NOT NULL")
    return out


def same_fk(a: ForeignKey, b: ForeignKey) -> bool:
    return (a.columns, a.ref_table, a.ref_columns) == (b.columns, b.ref_table, b.ref_columns)


def own_constraints(
    t: Table, parents: list[Table], parent_checks: set[str]
) -> list[tuple[str, bool, bool]]:
    """The table's constraints as ``CONSTRAINT ...`` clauses with (valid, inline), leaving out
    what a partition or an inheritance child gets from its parent.

    CREATE TABLE merges key constraints with the same definition into one index, so a repeat
    (a UNIQUE equal to the primary key, say) is not inline but added by ALTER TABLE.
    """
    out: list[tuple[str, bool, bool]] = []
    part_parents = parents if t.partition_of else []
    seen: set[tuple[object, ...]] = set()

    def first(sig: tuple[object, ...]) -> bool:
        new = sig not in seen
        seen.add(sig)
        return new

    pk = t.primary_key
    if pk is not None and not any(p.primary_key for p in part_parents):
        first((pk.columns, pk.include, False, pk.deferrable, pk.initially_deferred))
        out.append((primary_key_clause(pk), True, True))
    parent_uniques = {u.columns for p in part_parents for u in p.uniques.values()}
    for u in t.uniques.values():
        if u.columns in parent_uniques:
            continue
        inline = first(
            (u.columns, u.include, u.nulls_not_distinct, u.deferrable, u.initially_deferred)
        )
        out.append((unique_clause(u), True, inline))
    for chk in t.checks.values():
        if chk.name in parent_checks:
            continue
        out.append((check_clause(chk), chk.validated, chk.validated))
    parent_excl = {e.name for p in part_parents for e in p.exclusions.values()}
    for ex in t.exclusions.values():
        if ex.name in parent_excl:
            continue
        inline = first(("excl", dataclasses.replace(ex, name="", comment=None)))
        out.append((exclusion_clause(ex), True, inline))
    return out


def partition_bound_sql(bound: Expr | None) -> str:
    """A partition's ``FOR VALUES ...`` (the model may keep the bound without those words), or
    ``DEFAULT``."""
    text = bound.text.strip() if bound is not None else "DEFAULT"
    if not re.match(r"(?i)^(for\s+values|default)\b", text):
        text = f"FOR VALUES {text}"
    return text


def view_sql(v: View, *, or_replace: bool = False) -> str:
    """``CREATE [OR REPLACE] [MATERIALIZED] VIEW ... AS query``."""
    kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
    sql = f"CREATE {'OR REPLACE ' if or_replace else ''}{kind} {qualified(v.schema, v.name)}"
    if v.column_names:
        sql += f" ({idents(v.column_names)})"
    options = [
        o for o in v.options if not (v.check_option and o.lower().startswith("check_option"))
    ]
    if options:
        sql += f" WITH ({', '.join(options)})"
    sql += f" AS\n{strip_semicolon(v.query.text)}"
    if v.check_option:
        sql += f"\n  WITH {v.check_option} CHECK OPTION"
    return sql


def primary_key_clause(pk: PrimaryKey, *, using_index: bool = False) -> str:
    """``CONSTRAINT name PRIMARY KEY (...)``; with ``using_index``, ``... PRIMARY KEY USING INDEX
    name`` (the index of the same name built beforehand)."""
    sql = f"CONSTRAINT {quote_ident(pk.name)} PRIMARY KEY"
    if using_index:
        sql += f" USING INDEX {quote_ident(pk.name)}"
    else:
        sql += f" ({idents(pk.columns)})"
        if pk.include:
            sql += f" INCLUDE ({idents(pk.include)})"
    return sql + deferrable_sql(pk.deferrable, pk.initially_deferred)


def unique_clause(u: Unique, *, using_index: bool = False) -> str:
    """``CONSTRAINT name UNIQUE (...)`` (or ``UNIQUE USING INDEX name``)."""
    if using_index:
        sql = f"CONSTRAINT {quote_ident(u.name)} UNIQUE USING INDEX {quote_ident(u.name)}"
    else:
        nnd = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        sql = f"CONSTRAINT {quote_ident(u.name)} UNIQUE{nnd} ({idents(u.columns)})"
        if u.include:
            sql += f" INCLUDE ({idents(u.include)})"
    return sql + deferrable_sql(u.deferrable, u.initially_deferred)


def check_clause(chk: Check) -> str:
    """``CONSTRAINT name CHECK (...)`` (without NOT VALID)."""
    sql = f"CONSTRAINT {quote_ident(chk.name)} CHECK ({chk.expr.text})"
    if chk.no_inherit:
        sql += " NO INHERIT"
    return sql


def foreign_key_clause(fk: ForeignKey) -> str:
    """``CONSTRAINT name FOREIGN KEY (...) REFERENCES ...`` (without NOT VALID)."""
    sql = (
        f"CONSTRAINT {quote_ident(fk.name)} FOREIGN KEY "
        f"({idents(fk.columns)}) REFERENCES {qualified_key(fk.ref_table)} "
        f"({idents(fk.ref_columns)})"
    )
    if fk.match != "SIMPLE":
        sql += f" MATCH {fk.match}"
    if fk.on_update != "NO ACTION":
        sql += f" ON UPDATE {fk.on_update}"
    if fk.on_delete != "NO ACTION":
        sql += f" ON DELETE {fk.on_delete}"
    if fk.on_delete_columns:
        sql += f" ({idents(fk.on_delete_columns)})"
    return sql + deferrable_sql(fk.deferrable, fk.initially_deferred)


def exclusion_clause(ex: Exclusion) -> str:
    elems = []
    for el in ex.elements:
        e = el.element
        text = quote_ident(e.column) if e.column is not None else f"({e.expr})"
        if e.collation:
            text += f" COLLATE {dotted_name(e.collation)}"
        if e.opclass:
            text += f" {dotted_name(e.opclass)}"
        if e.descending:
            text += " DESC"
        if e.nulls_first is not None and e.nulls_first != e.descending:
            text += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
        elems.append(f"{text} WITH {el.operator}")
    sql = (
        f"CONSTRAINT {quote_ident(ex.name)} EXCLUDE USING {quote_ident(ex.method)} "
        f"({', '.join(elems)})"
    )
    if ex.include:
        sql += f" INCLUDE ({idents(ex.include)})"
    if ex.where is not None:
        sql += f" WHERE ({ex.where.text})"
    return sql + deferrable_sql(ex.deferrable, ex.initially_deferred)


def policy_sql(p: Policy) -> str:
    """``CREATE POLICY ...``."""
    sql = f"CREATE POLICY {quote_ident(p.name)} ON {qualified(p.schema, p.table)}"
    if not p.permissive:
        sql += " AS RESTRICTIVE"
    if p.command != "ALL":
        sql += f" FOR {p.command}"
    sql += policy_roles_sql(p)
    if p.using is not None:
        sql += f" USING ({p.using.text})"
    if p.with_check is not None:
        sql += f" WITH CHECK ({p.with_check.text})"
    return sql


def policy_roles_sql(p: Policy) -> str:
    if tuple(r.upper() for r in p.roles) != ("PUBLIC",) and p.roles:
        return f" TO {', '.join(grantee_sql(r) for r in p.roles)}"
    return ""
