"""Operations on whole tables: create, drop, rename, rebuild (to reorder columns: set aside,
create anew, copy the rows), storage options, logging, row-level security, partitions and
inheritance; SQLite's virtual tables, only ever created and dropped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dbdesign.diff.ops_base import Operation, temp_name
from dbdesign.diff.ops_columns import lossless
from dbdesign.diff.ops_constraints import DropConstraint
from dbdesign.model import Check, Expr, Index, Table
from dbdesign.model.core import VirtualTable


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTable(Operation):
    """CREATE TABLE with its columns, inline constraints other than foreign keys, comments,
    grants and row-level security (foreign keys and indexes are their own operations)."""

    table: Table

    @property
    def subject(self) -> str:
        return self.table.key

    def inverse(self) -> Operation:
        return DropTable(table=self.table)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropTable(Operation):
    """DROP TABLE. ``recreated``: why the table is dropped although the target has it (its
    partitioning changes): it is created again empty, its rows are not copied."""

    table: Table
    recreated: str | None = None

    @property
    def subject(self) -> str:
        return self.table.key

    @property
    def destructive(self) -> bool:
        return True

    def describe(self) -> str:
        if self.recreated is None:
            return f"drop table {self.subject}"
        return f"drop table {self.subject} ({self.recreated}; created again empty)"

    def inverse(self) -> Operation:
        return CreateTable(table=self.table)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateVirtualTable(Operation):
    """SQLite's CREATE VIRTUAL TABLE. A virtual table has no ALTER but RENAME: a changed one
    is dropped and created again (an FTS5 index over external content is then rebuilt with
    ``INSERT INTO t(t) VALUES ('rebuild')``)."""

    table: VirtualTable

    @property
    def subject(self) -> str:
        return self.table.key

    def inverse(self) -> Operation:
        return DropVirtualTable(table=self.table)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropVirtualTable(Operation):
    """DROP TABLE of a virtual table, with the tables its module keeps its data in."""

    table: VirtualTable

    @property
    def subject(self) -> str:
        return self.table.key

    @property
    def destructive(self) -> bool:
        return True

    def inverse(self) -> Operation:
        return CreateVirtualTable(table=self.table)


def rebuild_name(table: Table) -> str:
    """The name a table is renamed to while it is rebuilt."""
    return temp_name(table.name, "_dbdesign_rebuild")


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTableAside(Operation):
    """First half of a rebuild: rename the table aside and drop its keys and indexes, whose
    names (schema-wide) the new table and its indexes take."""

    table: Table
    indexes: tuple[Index, ...] = ()

    @property
    def subject(self) -> str:
        return self.table.key

    @property
    def temp_name(self) -> str:
        return rebuild_name(self.table)

    def describe(self) -> str:
        return f"set table {self.subject} aside as {self.temp_name}"

    def inverse(self) -> Operation:
        return RestoreTable(table=self.table, indexes=self.indexes)


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreTable(Operation):
    """Undo :class:`SetTableAside`: rename the table back, add its keys and indexes again."""

    table: Table
    indexes: tuple[Index, ...] = ()

    @property
    def subject(self) -> str:
        return self.table.key

    def inverse(self) -> Operation:
        return SetTableAside(table=self.table, indexes=self.indexes)


_NOW_GENERATED = "it becomes generated: the expression's values replace them"


@dataclass(frozen=True, slots=True, kw_only=True)
class RebuildTable(Operation):
    """ALTER TABLE cannot reorder columns. When the target's column order cannot be reached (a
    column added between others, a generated column re-added, an inheritance child whose parent
    gained a column), the table is set aside (:class:`SetTableAside`), created anew under its
    name, its rows copied (``INSERT ... SELECT``, converting changed types), and the old table
    dropped. Indexes, triggers, policies, rules and foreign keys come back through their own
    operations."""

    old: Table
    new: Table

    @property
    def subject(self) -> str:
        return self.new.key

    @property
    def temp_name(self) -> str:
        return rebuild_name(self.old)

    @property
    def losses(self) -> tuple[ColumnLoss, ...]:
        """The stored values the copy does not carry over, column by column: a plain column
        the new table lacks, a plain column that becomes generated (its values are computed
        again from the expression), a narrowing type conversion. What the same change without
        a rebuild (DROP COLUMN, DROP + ADD of a generated column, ALTER COLUMN TYPE) counts as
        deleting data; a generated column's values are derived, so recomputing them is not."""
        new_cols = {c.name: c for c in self.new.columns}
        out: list[ColumnLoss] = []
        for c in self.old.columns:
            n = new_cols.get(c.name)
            if n is None:
                if c.generated is None:
                    out.append(ColumnLoss(c.name, "dropped"))
            elif n.generated is not None:
                if c.generated is None:
                    out.append(ColumnLoss(c.name, _NOW_GENERATED))
            elif not lossless(c.type, n.type):
                out.append(ColumnLoss(c.name, f"narrowing conversion {c.type} -> {n.type}"))
        return tuple(out)

    @property
    def destructive(self) -> bool:
        return bool(self.losses)

    def describe(self) -> str:
        text = f"rebuild table {self.subject} (column order)"
        losses = self.losses
        if losses:
            text += ", deleting the stored values of " + ", ".join(
                f"column {x.column} ({x.why})" for x in losses
            )
        return text

    def inverse(self) -> Operation:
        return RebuildTable(old=self.new, new=self.old)


@dataclass(frozen=True, slots=True)
class ColumnLoss:
    """A column whose stored values an operation deletes, and why."""

    column: str
    why: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RenameTable(Operation):
    """ALTER TABLE|VIEW|INDEX|SEQUENCE ... RENAME TO (only from an explicit hint)."""

    old_key: str
    new_name: str
    relation: Literal["TABLE", "VIEW", "MATERIALIZED VIEW", "INDEX", "SEQUENCE"] = "TABLE"

    @property
    def subject(self) -> str:
        return self.old_key

    def describe(self) -> str:
        return f"rename {self.relation.lower()} {self.old_key} to {self.new_name}"

    def inverse(self) -> Operation:
        schema, old = self.old_key.rsplit(".", 1)
        return RenameTable(
            old_key=f"{schema}.{self.new_name}", new_name=old, relation=self.relation
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTableOptions(Operation):
    """ALTER TABLE ... SET (storage parameters) / RESET (...)."""

    table: str
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def subject(self) -> str:
        return self.table

    def inverse(self) -> Operation:
        return SetTableOptions(table=self.table, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLogged(Operation):
    table: str
    unlogged: bool  # the new state

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"set {'unlogged' if self.unlogged else 'logged'} {self.table}"

    def inverse(self) -> Operation:
        return SetLogged(table=self.table, unlogged=not self.unlogged)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRowSecurity(Operation):
    """ENABLE|DISABLE ROW LEVEL SECURITY, or (``force``) FORCE|NO FORCE."""

    table: str
    enabled: bool  # the new state
    force: bool = False

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        word = (
            ("force" if self.enabled else "no force")
            if self.force
            else ("enable" if self.enabled else "disable")
        )
        return f"{word} row level security on {self.table}"

    def inverse(self) -> Operation:
        return SetRowSecurity(table=self.table, enabled=not self.enabled, force=self.force)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvePartitionBound(Operation):
    """The safe forms' first step of attaching a table in use as a partition: the bound, written
    as a CHECK (:mod:`dbdesign.emit.pg_bounds`), is added NOT VALID (a brief lock) and
    validated (a scan that lets reads and writes go on), so that the ATTACH PARTITION that
    follows (:class:`AttachPartition` with ``bound_check``) scans nothing, then drops it.

    Planned ahead of the other changes, a DETACH from the old parent included: a partition
    whose bound or parent changes is detached and attached again in one transaction (its rows
    never leave the partitioned table between two), after the VALIDATE's transaction boundary.
    """

    table: str
    parent: str
    check: Check

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"prove the partition bound of {self.table} in {self.parent} ({self.check.name})"

    def inverse(self) -> Operation:
        return DropConstraint(table=self.table, constraint=self.check)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachPartition(Operation):
    """ATTACH PARTITION; ``bound_check``: the name of the validated CHECK a
    :class:`ProvePartitionBound` step added to prove the bound (the ATTACH then scans nothing
    and the check is dropped after it)."""

    parent: str
    table: str
    bound: Expr | None
    bound_check: str | None = None

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"attach partition {self.table} to {self.parent}"

    def inverse(self) -> Operation:
        return DetachPartition(parent=self.parent, table=self.table, bound=self.bound)


@dataclass(frozen=True, slots=True, kw_only=True)
class DetachPartition(Operation):
    parent: str
    table: str
    bound: Expr | None

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"detach partition {self.table} from {self.parent}"

    def inverse(self) -> Operation:
        return AttachPartition(parent=self.parent, table=self.table, bound=self.bound)


@dataclass(frozen=True, slots=True, kw_only=True)
class AddInherit(Operation):
    table: str
    parent: str

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"make {self.table} inherit {self.parent}"

    def inverse(self) -> Operation:
        return DropInherit(table=self.table, parent=self.parent)


@dataclass(frozen=True, slots=True, kw_only=True)
class DropInherit(Operation):
    table: str
    parent: str

    @property
    def subject(self) -> str:
        return self.table

    def describe(self) -> str:
        return f"make {self.table} no longer inherit {self.parent}"

    def inverse(self) -> Operation:
        return AddInherit(table=self.table, parent=self.parent)
