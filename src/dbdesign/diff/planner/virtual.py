"""SQLite's virtual tables (FTS5): created and dropped, never altered. A virtual table whose
module or arguments change is dropped and created again (SQLite has no ALTER for it but
RENAME, which only a rename hint asks for)."""

from __future__ import annotations

from dbdesign.diff import operations as op
from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.state import PlanState, relname_res
from dbdesign.model.core import VirtualTable


def _resources(v: VirtualTable) -> set[Res]:
    # a virtual table takes a name in the schema's relation namespace, like a table
    return {("virtual_table", v.key), relname_res(v.schema, v.name)}


class VirtualTableSteps(PlanState):
    """Plan the creation and removal of virtual tables."""

    def _emit_virtual_tables(self) -> None:
        old, new = self.s.virtual_tables, self.t.virtual_tables
        changed = {k for k in old.keys() & new.keys() if old[k] != new[k]}
        for key in sorted(old.keys() - new.keys() | changed):
            self.add(op.DropVirtualTable(table=old[key]), removes=_resources(old[key]))
        for key in sorted(new.keys() - old.keys() | changed):
            self.add(op.CreateVirtualTable(table=new[key]), provides=_resources(new[key]))
