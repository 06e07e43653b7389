"""Indexes: created and dropped (CONCURRENTLY on live tables in safe mode), re-created with
their table or when they change, and their comments.
"""

from __future__ import annotations

from dbdesign.diff import operations as op
from dbdesign.diff.planner.dependants import Dependants
from dbdesign.diff.planner.state import relname_res
from dbdesign.model import Schema


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
        for key, ix in t.indexes.items():
            if key in s.indexes and ("index", key) not in self.recreate:
                continue
            left = self.left_behind.get(key)
            if left is not None:
                self.comment("INDEX", key, left.comment, ix.comment, owner=("index", key))
                continue
            conc = self.safe and self._live_relation(ix.table_key, t)
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
        for key, ix in s.indexes.items():
            if key in t.indexes and ("index", key) not in self.recreate:
                continue
            if self.implied_drop(("index", key)):
                continue
            conc = self.safe and self._live_relation(ix.table_key, s)
            self.drop_object(
                "index",
                key,
                op.DropIndex(index=ix, concurrently=conc),
                removes={relname_res(ix.schema, ix.name), ("index-on", ix.table_key)},
            )
        for key in s.indexes.keys() & t.indexes.keys():
            if ("index", key) not in self.recreate:
                a, b = s.indexes[key], t.indexes[key]
                self.comment("INDEX", key, a.comment, b.comment, owner=("index", key))

    def _live_relation(self, key: str, sch: Schema) -> bool:
        """A relation that holds data before and after (not new, not re-created) and is not
        partitioned: where CONCURRENTLY is worth it and possible."""
        if key in self.s.tables or key in self.t.tables:
            t = sch.tables.get(key)
            return self.existing_table(key) and t is not None and t.partition_by is None
        return key in self.s.views and key in self.t.views and ("view", key) not in self.recreate
