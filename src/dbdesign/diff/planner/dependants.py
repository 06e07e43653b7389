"""Dependants: what depends on an object that is dropped or re-created.

A view, trigger, policy, rule, index or SQL-standard routine that depends on an object being
dropped or re-created, or on a column whose type changes or that is dropped, is dropped first and
re-created afterwards (found from the source schema's dependency graph, built on demand by
:class:`~dbdesign.emit.postgres.SchemaSql`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.state import PlanState, res_kind


class Dependants(PlanState):
    """Finding the source objects to drop (and re-create) around a change."""

    def _source_dependants(self) -> dict[Res, set[Res]]:
        """Reverse dependencies among source objects that can be dropped and re-created."""
        if self._rdeps is None:
            rd: dict[Res, set[Res]] = defaultdict(set)
            s = self.s
            kinds: list[tuple[str, Mapping[str, Any]]] = [
                ("view", s.views),
                ("trigger", s.triggers),
                ("policy", s.policies),
                ("rule", s.rules),
                ("index", s.indexes),
                ("function", s.functions),
            ]
            for kind, coll in kinds:
                for key, obj in coll.items():
                    if (
                        kind == "index"
                        and obj.where is None
                        and all(e.expr is None for e in obj.elements)
                    ):
                        continue  # it depends on its table and columns only: no dependant there
                    k = "aggregate" if kind == "function" and obj.kind == "aggregate" else kind
                    for d in self.deps("s", k, key):
                        if d[0] in ("extension", "schema"):
                            continue  # objects in a dropped schema are dropped themselves
                        if kind == "index" and d[0] == "column":
                            continue  # a type change rebuilds an index; a dropped column drops it
                        rd[d].add((res_kind(kind), key))
            self._rdeps = rd
        return self._rdeps

    def exists_in_target(self, r: Res) -> bool:
        kind, key = r
        t = self.t
        colls: dict[str, Mapping[str, Any]] = {
            "view": t.views,
            "trigger": t.triggers,
            "policy": t.policies,
            "rule": t.rules,
            "index": t.indexes,
            "function": t.functions,
            "table": t.tables,
            "sequence": t.sequences,
        }
        coll = colls.get(kind)
        return coll is not None and key in coll

    def implied_drop(self, r: Res) -> bool:
        """Whether dropping (or rebuilding) a table drops this object with it (and no
        statement of its own is needed: see :attr:`dropped_alone`)."""
        if r in self.dropped_alone:
            return False
        kind, key = r
        s = self.s
        if kind == "index":
            tk = s.indexes[key].table_key
            # DROP MATERIALIZED VIEW drops its indexes too
            view_goes = tk in s.views and (tk not in self.t.views or ("view", tk) in self.gone)
            return tk in self.dropped_tables or view_goes
        colls: dict[str, Mapping[str, Any]] = {
            "trigger": s.triggers,
            "policy": s.policies,
            "rule": s.rules,
        }
        obj = colls[kind][key]
        return f"{obj.schema}.{obj.table}" in self.dropped_tables

    def propagate(self, seeds: Iterable[Res]) -> None:
        """Drop (and re-create, if the target has them) everything depending on ``seeds``."""
        rd = self._source_dependants()
        todo = list(seeds)
        while todo:
            r = todo.pop()
            for d in rd.get(r, ()):
                if d in self.gone:
                    continue
                self.gone.add(d)
                if self.exists_in_target(d):
                    self.recreate.add(d)
                todo.append(d)
