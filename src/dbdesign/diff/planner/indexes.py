"""Indexes: created and dropped (CONCURRENTLY on live tables in safe mode), re-created with
their table or when they change, and their comments.

An index whose definition changes on a live table is built again before the old one goes, so
the table is never without it: the new definition is built under a temporary name
(``name__dbdesign_new``), the old index dropped, the new one renamed. An index that goes while
others are built on the same table is dropped after them (a tie-break: whatever needs it gone
first still comes first).
"""

from __future__ import annotations

import dataclasses

from dbdesign.diff import operations as op
from dbdesign.diff.ops_base import temp_name
from dbdesign.diff.planner.dependants import Dependants
from dbdesign.diff.planner.order import PHASE
from dbdesign.diff.planner.state import relname_res, type_values
from dbdesign.model import Index, Schema

# a dropped index on a live table: after the indexes built (CreateIndex) on it
_LATE_DROP_PHASE = PHASE[op.CreateIndex] + 1


def replacement_name(ix: Index) -> str:
    """The temporary name an index's new definition is built under."""
    return temp_name(ix.name, "_dbdesign_new")


class IndexSteps(Dependants):
    """Plan the operations on indexes."""

    def _emit_indexes(self) -> None:
        s, t = self.s, self.t
        # indexes on re-created or rebuilt tables and materialized views come back with them
        for key, ix in s.indexes.items():
            if ("table", ix.table_key) in self.gone or ("view", ix.table_key) in self.gone:
                self.gone.add(("index", key))
                if key in t.indexes:
                    self.recreate.add(("index", key))
        swap = {key for key in sorted(self.changed_indexes) if self._build_first(key)}
        built = self._create_indexes(swap)
        self._drop_indexes(swap, built)
        for key in s.indexes.keys() & t.indexes.keys():
            if ("index", key) not in self.recreate:
                a, b = s.indexes[key], t.indexes[key]
                self.comment("INDEX", key, a.comment, b.comment, owner=("index", key))

    def _create_indexes(self, swap: set[str]) -> dict[str, int]:
        """Create the new and re-created indexes; those in ``swap`` under their temporary name
        (the steps that build them returned by key)."""
        s, t = self.s, self.t
        built: dict[str, int] = {}
        for key, ix in t.indexes.items():
            if key in s.indexes and ("index", key) not in self.recreate:
                continue
            left = self.left_behind.get(key)
            if left is not None:
                self.comment("INDEX", key, left.comment, ix.comment, owner=("index", key))
                continue
            conc = self.safe and self._live_relation(ix.table_key, t)
            if key in swap:
                new = dataclasses.replace(ix, name=replacement_name(ix))
                uses = self.deps("t", "index", key) - {("index", key)}
                built[key] = self.add(
                    op.CreateIndex(index=new, concurrently=conc),
                    provides={relname_res(new.schema, new.name)},
                    uses_new=uses | type_values(uses),
                )
                continue
            step = self.create_object(
                "index",
                key,
                op.CreateIndex(index=ix, concurrently=conc),
                provides={relname_res(ix.schema, ix.name)},
            )
            # an index on a partitioned table takes over its partitions' matching indexes: drop
            # the partitions' indexes that go first
            for child in self.children(ix.table_key):
                self.steps[step].after_removal.add(("index-on", child))
        return built

    def _drop_indexes(self, swap: set[str], built: dict[str, int]) -> None:
        """Drop the indexes that go or change; a swapped one after its replacement is built,
        the replacement then renamed to its name."""
        s, t = self.s, self.t
        for key, ix in s.indexes.items():
            if key in t.indexes and ("index", key) not in self.recreate:
                continue
            if self.implied_drop(("index", key)):
                continue
            live = self._live_relation(ix.table_key, s)
            conc = self.safe and live
            step = self.drop_object(
                "index",
                key,
                op.DropIndex(index=ix, concurrently=conc),
                removes={relname_res(ix.schema, ix.name), ("index-on", ix.table_key)},
            )
            if key in swap:
                self._swap_in(ix, key, built[key], step)
            elif live and key not in t.indexes:
                self.steps[step].phase = _LATE_DROP_PHASE

    def _swap_in(self, ix: Index, key: str, build: int, drop: int) -> None:
        """Order a swapped index's drop after its replacement's build, and rename the
        replacement to the index's name after the drop."""
        self.before(build, drop)
        tmp = relname_res(ix.schema, replacement_name(ix))
        rename = self.add(
            op.RenameTable(
                old_key=f"{ix.schema}.{replacement_name(ix)}",
                new_name=ix.name,
                relation="INDEX",
            ),
            provides={("index", key), relname_res(ix.schema, ix.name)},
            uses_new={tmp},
        )
        self.before(drop, rename)

    def _build_first(self, key: str) -> bool:
        """Whether a changed index can be built anew beside the old one (then swapped in): it
        stays on the same live, unpartitioned table, and nothing else it uses is dropped,
        re-created or converted (those indexes go first, as dependants)."""
        a, b = self.s.indexes[key], self.t.indexes[key]
        tk = a.table_key
        if b.table_key != tk or not self._live_relation(tk, self.s):
            return False
        table = self.s.tables.get(tk)
        if table is not None and (table.partition_of or self.children(tk)):
            return False
        touched = self.disturbed.get(tk, set()) | {c for t, c in self.type_use_columns if t == tk}
        for side in ("s", "t"):
            for kind, name in self.deps(side, "index", key):
                if kind == "column":
                    if name.startswith(tk + ".") and name[len(tk) + 1 :] in touched:
                        return False
                elif (kind, name) != ("table", tk) and (kind, name) in self.gone:
                    return False
        return True

    def _live_relation(self, key: str, sch: Schema) -> bool:
        """A relation that holds data before and after (not new, not re-created) and is not
        partitioned: where CONCURRENTLY is worth it and possible."""
        if key in self.s.tables or key in self.t.tables:
            t = sch.tables.get(key)
            return self.existing_table(key) and t is not None and t.partition_by is None
        return key in self.s.views and key in self.t.views and ("view", key) not in self.recreate
