"""Plain-text descriptions of model objects, shared by the Markdown and HTML writers."""

from __future__ import annotations

from dbdesign.model import (
    Column,
    Exclusion,
    ForeignKey,
    Index,
    IndexElement,
    Policy,
    Table,
    Trigger,
)


def cols(names: tuple[str, ...]) -> str:
    return "(" + ", ".join(names) + ")"


def element(e: IndexElement) -> str:
    s = e.column if e.column is not None else f"({e.expr})"
    if e.collation:
        s += f' COLLATE "{e.collation}"'
    if e.opclass:
        s += f" {e.opclass}"
    if e.descending:
        s += " DESC"
    if e.nulls_first is not None:
        s += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
    return s


def index(ix: Index) -> str:
    s = ("UNIQUE " if ix.unique else "") + f"{ix.method} ("
    s += ", ".join(element(e) for e in ix.elements) + ")"
    if ix.include:
        s += f" INCLUDE {cols(ix.include)}"
    if ix.nulls_not_distinct:
        s += " NULLS NOT DISTINCT"
    if ix.where is not None:
        s += f" WHERE {ix.where}"
    return s


def fk_actions(fk: ForeignKey) -> str:
    parts = []
    if fk.match != "SIMPLE":
        parts.append(f"MATCH {fk.match}")
    if fk.on_delete != "NO ACTION":
        parts.append(f"ON DELETE {fk.delete_action}")
    if fk.on_update != "NO ACTION":
        parts.append(f"ON UPDATE {fk.on_update}")
    if fk.deferrable:
        parts.append("DEFERRABLE" + (" INITIALLY DEFERRED" if fk.initially_deferred else ""))
    if not fk.validated:
        parts.append("NOT VALID")
    return " ".join(parts)


def exclusion(x: Exclusion) -> str:
    body = ", ".join(f"{element(e.element)} WITH {e.operator}" for e in x.elements)
    s = f"USING {x.method} ({body})"
    if x.where is not None:
        s += f" WHERE ({x.where})"
    return s


def default(c: Column) -> str:
    if c.identity is not None:
        return "GENERATED " + ("ALWAYS" if c.identity.always else "BY DEFAULT") + " AS IDENTITY"
    if c.generated is not None:
        stored = "STORED" if c.generated.stored else "VIRTUAL"
        return f"GENERATED ALWAYS AS ({c.generated.expr}) {stored}"
    return str(c.default) if c.default is not None else ""


def trigger(t: Trigger) -> str:
    events = " OR ".join(
        f"UPDATE OF {', '.join(t.columns)}" if e == "UPDATE" and t.columns else e for e in t.events
    )
    s = f"{t.timing} {events} FOR EACH {t.level}"
    if t.when is not None:
        s += f" WHEN ({t.when})"
    if t.function:
        s += f" EXECUTE FUNCTION {t.function}({', '.join(t.arguments)})"
    elif t.body is not None:
        s += f" BEGIN {t.body} END"
    if t.enabled == "D":
        s += " (disabled)"
    return s


def policy(p: Policy) -> str:
    s = ("PERMISSIVE" if p.permissive else "RESTRICTIVE") + f" FOR {p.command}"
    s += f" TO {', '.join(p.roles)}"
    if p.using is not None:
        s += f" USING ({p.using})"
    if p.with_check is not None:
        s += f" WITH CHECK ({p.with_check})"
    return s


def table_kind(t: Table) -> str:
    if t.partition_by is not None:
        keys = ", ".join(element(e) for e in t.partition_by.elements)
        return f"partitioned table (PARTITION BY {t.partition_by.strategy} ({keys}))"
    if t.partition_of:
        bound = f" {t.partition_bound}" if t.partition_bound is not None else ""
        return f"partition of {t.partition_of}{bound}"
    if t.inherits:
        return f"table (inherits {', '.join(t.inherits)})"
    if t.unlogged:
        return "unlogged table"
    return "table"
