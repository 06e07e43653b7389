"""What the operation renderers share: the rendered statement, the schemas before and after,
the hazards a statement can carry, and the dispatch table the renderers register in
(one renderer function per operation class, alembic style)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from dbdesign.dialects.postgres import quote_ident
from dbdesign.diff import operations as op
from dbdesign.diff.operations import Hazard, rebuild_name
from dbdesign.emit.pg_text import qualified_key
from dbdesign.emit.postgres import SchemaSql
from dbdesign.model import Function

__all__ = [
    "BRIEF_LOCK",
    "INDEX_BUILD",
    "INDEX_BUILD_ONLINE",
    "NOT_TRANSACTIONAL",
    "RENDERERS",
    "TABLE_REWRITE",
    "TABLE_SCAN",
    "TABLE_SCAN_ONLINE",
    "Hazard",
    "OpT",
    "RenderContext",
    "Rendered",
    "Renderer",
    "alter_column",
    "breaking_rename",
    "data_loss",
    "exclusive_lock",
    "from_object",
    "may_fail",
    "op",
    "rebuild_name",
    "renders",
]


@dataclass(frozen=True, slots=True)
class Rendered:
    sql: str
    path: str | None = None  # the schema unqualified names resolve to (None: public)
    transactional: bool = True
    hazards: tuple[Hazard, ...] = ()
    # the constraint (``table.name``, ``domain:schema.name.constraint``) this statement adds
    # NOT VALID, or validates: the framing commits between the two
    not_valid: str | None = None
    validates: str | None = None


@dataclass(frozen=True, slots=True)
class RenderContext:
    """The schemas before (``source``) and after (``target``) the migration."""

    source: SchemaSql
    target: SchemaSql

    def function(self, key: str) -> Function | None:
        return self.target.schema.functions.get(key) or self.source.schema.functions.get(key)


# --------------------------------------------------------------------------- hazards


def exclusive_lock(what: str = "the table") -> Hazard:
    return Hazard(
        "access_exclusive_lock",
        f"takes an ACCESS EXCLUSIVE lock on {what}: reads and writes wait until it commits",
    )


BRIEF_LOCK = Hazard(
    "access_exclusive_lock",
    "takes an ACCESS EXCLUSIVE lock briefly (catalog change only); "
    "it waits for running queries and blocks new ones while it waits",
)
TABLE_REWRITE = Hazard(
    "table_rewrite",
    "rewrites the whole table (and its indexes) under the lock: it lasts as long as copying "
    "every row, so it grows with the table's size",
)
TABLE_SCAN = Hazard(
    "table_scan",
    "scans the whole table under the lock to check existing rows (it grows with the table's size)",
)
TABLE_SCAN_ONLINE = Hazard(
    "table_scan",
    "scans the whole table to validate it, with a SHARE UPDATE EXCLUSIVE lock "
    "(reads and writes continue)",
)
INDEX_BUILD = Hazard(
    "index_build",
    "builds an index; a SHARE lock blocks writes (reads continue) until it finishes, which "
    "grows with the table's size",
)
INDEX_BUILD_ONLINE = Hazard(
    "index_build",
    "builds the index CONCURRENTLY with a SHARE UPDATE EXCLUSIVE lock: reads and writes "
    "continue; it scans the table twice and waits for the transactions running at its start, "
    "and a failure leaves an INVALID index to drop",
)
NOT_TRANSACTIONAL = Hazard("not_transactional", "cannot run inside a transaction block")


def data_loss(what: str) -> Hazard:
    return Hazard("data_loss", f"deletes {what}")


def breaking_rename(what: str) -> Hazard:
    """A rename asked for by a hint: clients that use the old name fail."""
    return Hazard(
        "breaking_change",
        f"running code that names the old {what} fails until it is redeployed (ship the "
        "rename in a release of its own, or keep a compatibility view)",
    )


def may_fail(why: str) -> Hazard:
    return Hazard("may_fail", why)


# --------------------------------------------------------------------------- helpers


def alter_column(table: str, column: str) -> str:
    return f"ALTER TABLE {qualified_key(table)} ALTER COLUMN {quote_ident(column)}"


def from_object(
    sql_schema: SchemaSql, kind: str, key: str, hazards: tuple[Hazard, ...] = ()
) -> list[Rendered]:
    out = []
    for i, (sql, path) in enumerate(sql_schema.statements(kind, key)):
        out.append(Rendered(sql, path, hazards=hazards if i == 0 else ()))
    return out


# --------------------------------------------------------------------------- dispatch

OpT = TypeVar("OpT", bound=op.Operation)
Renderer = Callable[[Any, RenderContext], list[Rendered]]
RENDERERS: dict[type[op.Operation], Renderer] = {}


def renders(
    cls: type[OpT],
) -> Callable[
    [Callable[[OpT, RenderContext], list[Rendered]]], Callable[[OpT, RenderContext], list[Rendered]]
]:
    def deco(
        fn: Callable[[OpT, RenderContext], list[Rendered]],
    ) -> Callable[[OpT, RenderContext], list[Rendered]]:
        RENDERERS[cls] = fn
        return fn

    return deco


def proven_by_check(table: str, name: str, check: str, fail: Hazard) -> list[Rendered]:
    """A fact about a live table proven without blocking it: ``CHECK (check)`` added NOT VALID
    under a brief lock, then validated with a SHARE UPDATE EXCLUSIVE scan (``fail``: what makes
    the validation fail). ``table`` is the table's key, ``name`` the constraint's."""
    where, key = qualified_key(table), f"{table}.{name}"
    return [
        Rendered(
            f"ALTER TABLE {where} ADD CONSTRAINT {quote_ident(name)} CHECK ({check}) NOT VALID",
            hazards=(BRIEF_LOCK,),
            not_valid=key,
        ),
        Rendered(
            f"ALTER TABLE {where} VALIDATE CONSTRAINT {quote_ident(name)}",
            hazards=(TABLE_SCAN_ONLINE, fail),
            validates=key,
        ),
    ]
