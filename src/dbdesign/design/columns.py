"""Columns from entities: the primary key column, one column per attribute (with its checks,
default and comment), unique keys, and the created_at / updated_at audit columns."""

from __future__ import annotations

from dataclasses import replace

from dbdesign.design.check_digits import CHECK_DIGIT_TYPES, check_digit_rule
from dbdesign.design.draft import LIVE, SOFT_DELETED, Draft, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.design.rule_sql import sql_of
from dbdesign.design.types import Physical, literal
from dbdesign.design.value_formats import generated_rule, pattern_rule
from dbdesign.model import (
    Check,
    Column,
    Expr,
    Extension,
    Generated,
    Identity,
    IndexElement,
    PrimaryKey,
    Unique,
)
from dbdesign.readers.spec import Attribute, Entity


def key_column(b: Draft, ename: str, e: Entity, t: TableDraft) -> None:
    """The ``id`` column and the primary key, with why this kind of key."""
    typ = b.pk_type(ename)
    kind = e.key if e.key != "auto" else b.spec.project.conventions.keys
    if typ.name == "uuid":
        col = Column(name="id", type=typ, nullable=False, default=Expr("gen_random_uuid()"))
        why = "uuid key: ids can be made outside the database and reveal nothing"
    elif b.my and kind == "uuid":
        col = Column(
            name="id",
            type=typ,
            nullable=False,
            default=Expr("unhex(replace(uuid(),'-',''))", b.dialect),
        )
        why = (
            "uuid key as BINARY(16): ids can be made outside the database and reveal "
            "nothing; prefer time-ordered ids (UUIDv7) from the application, since InnoDB "
            "clusters rows by primary key and random keys split its pages"
        )
    elif b.my:
        col = Column(name="id", type=typ, nullable=False, identity=Identity(always=False))
        why = (
            "bigint AUTO_INCREMENT: compact keys in insert order, so InnoDB appends to its "
            "clustered index; bigint cannot overflow (int stops at 2^31)"
        )
    elif b.pg:
        col = Column(name="id", type=typ, nullable=False, identity=Identity(always=True))
        why = (
            "bigint GENERATED ALWAYS AS IDENTITY: compact, ordered keys that cannot "
            "overflow (integer stops at 2^31) and cannot be set by mistake (not serial)"
        )
    else:
        col = Column(name="id", type=typ, nullable=False)
        why = "INTEGER PRIMARY KEY: SQLite's rowid alias, assigned automatically"
    t.columns.append(col)
    t.pk = PrimaryKey(name=b.pk_name(t.name), columns=("id",))
    b.decide(f"{t.name}.id", f"{kind} primary key", why)


def attribute(b: Draft, t: TableDraft, name: str, a: Attribute) -> None:
    """The column of one attribute, its checks, a currency column beside per-row money, and
    its unique key."""
    phys: Physical = b.map(a)
    if b.pg and phys.type.name == "vector":
        # pgvector's type lives where its extension is made: in the design's schema
        b.extensions["vector"] = Extension(name="vector", schema=b.ns)
        phys = replace(phys, type=replace(phys.type, name=f"{b.ns}.vector"))
    default = _default_sql(a, b.dialect)
    nullable = not a.required
    generated = None
    if a.generated and t.entity:
        generated = Generated(expr=Expr(sql_of(b, t.entity, a.generated), b.dialect))
        generated_rule(b, t, t.entity, name, a.generated)
        if b.my:  # MariaDB refuses NOT NULL on a generated column (MySQL takes it)
            nullable = True
    if phys.not_null and not a.required:
        nullable = False
        if default is None:
            default = "false" if b.pg else "0"
        b.decide(f"{t.name}.{name}", f"NOT NULL DEFAULT {default}", phys.reason)
    t.columns.append(
        Column(
            name=name,
            type=phys.type,
            nullable=nullable,
            default=Expr(default, b.dialect) if default is not None else None,
            generated=generated,
            comment=_comment(a),
        )
    )
    t.semantic[name] = a.type
    if phys.checks:
        _check(b, t, name, phys.checks)
    if a.type in CHECK_DIGIT_TYPES and t.entity:
        check_digit_rule(b, t, t.entity, name, a.type)
    if a.pattern and t.entity:
        pattern_rule(b, t, t.entity, name, a.pattern)
    if a.type == "money" and a.currency == "per_row":
        cur = f"{name}_currency"
        code = b.map(Attribute(type="currency_code"))
        t.columns.append(Column(name=cur, type=code.type, nullable=not a.required))
        t.semantic[cur] = "currency_code"
        _check(b, t, cur, code.checks)
        b.decide(f"{t.name}.{cur}", "currency column", "money in several currencies")
    if a.unique:
        e = b.spec.entities[t.entity] if t.entity else None
        unique(b, t, (name,), e, "unique in the spec")
    if phys.reason and not phys.not_null:
        b.decide(f"{t.name}.{name}", str(phys.type), phys.reason)


def _comment(a: Attribute) -> str | None:
    """The column comment: the description, then what the spec says about the data."""
    comment = a.description
    if a.pii:
        comment = ((comment + " ") if comment else "") + "PII: personal data; encrypt at rest."
    if a.type == "money" and a.currency and a.currency != "per_row":
        comment = ((comment + " ") if comment else "") + f"Amount in {a.currency}."
    return comment


def _check(b: Draft, t: TableDraft, col: str, conds: tuple[str, ...]) -> None:
    q = b.q(col)
    text = " AND ".join(c.replace("{c}", q) for c in conds)
    name = object_name("chk", t.name, (col,))
    t.checks[name] = Check(name=name, expr=Expr(text, b.dialect))


def unique(b: Draft, t: TableDraft, cols: tuple[str, ...], e: Entity | None, why: str) -> None:
    """A unique key; under soft delete it holds among the rows not deleted only."""
    if e is not None and b.feature(e, "soft_delete") and b.my:
        # No partial indexes: the key ends with not_deleted, NULL once the row is deleted,
        # and a unique key lets NULLs repeat.
        t.live_key = True
        name = object_name("uq", t.name, cols)
        t.uniques[name] = Unique(name=name, columns=(*cols, LIVE))
        b.index_purposes.setdefault(name, []).append(f"{why}; among rows not soft-deleted")
        b.decide(
            name,
            f"unique key ({', '.join(cols)}, {LIVE})",
            "soft delete: a deleted row must not block a new one with the same value "
            f"({LIVE} is NULL once deleted_at is set)",
        )
        return
    if e is not None and b.feature(e, "soft_delete"):
        name = object_name("uq", t.name, cols)
        b.index(
            t,
            name,
            tuple(IndexElement(column=c) for c in cols),
            unique=True,
            where=SOFT_DELETED,
            purpose=f"{why}; among rows not soft-deleted",
        )
        b.decide(
            name,
            "partial unique index WHERE deleted_at IS NULL",
            "soft delete: a deleted row must not block a new one with the same value",
        )
        return
    b.add_unique(t, cols, why)


def audit_columns(b: Draft, t: TableDraft, *, updated: bool) -> None:
    """created_at, and updated_at (kept current by a trigger, or ON UPDATE on MySQL)."""
    ts, now = b.timestamp()
    names = ("created_at", "updated_at") if updated else ("created_at",)
    for n in names:
        t.columns.append(Column(name=n, type=ts, nullable=False, default=Expr(now, b.dialect)))
    if updated and b.my:
        t.options["on_update:updated_at"] = now


def _default_sql(a: Attribute, dialect: str) -> str | None:
    if a.default is None:
        return None
    if a.type == "boolean":
        return literal(bool(a.default), dialect)
    if isinstance(a.default, int | float) and not isinstance(a.default, bool):
        return str(a.default)
    return literal(str(a.default), dialect)
