"""The rules Citus enforces, checked against a design's schema and its placement on a cluster
(:mod:`.citus_plan`), and how Citus runs each access pattern.

The rules are the checks Citus makes when a table is distributed and when a constraint or
trigger is created on one:

- a distributed table holds its distribution column; its primary key, unique constraints and
  unique indexes include it (as a column, not inside an expression), and an exclusion
  constraint compares it with ``=``;
- a foreign key between distributed tables joins co-located tables on the distribution column,
  at the same place in both column lists; one from a distributed table to a reference table is
  fine; none goes from a reference table to a distributed one;
- a foreign key that holds the referencing table's distribution column neither sets NULL nor a
  default on delete (a column list does not help) nor sets NULL, a default or cascades on update;
- a distributed or reference table has triggers only with ``citus.enable_unsafe_triggers`` on;
- the distribution column of a row is never updated.

Each break is a :class:`~dbdesign.design.citus.CitusProblem` naming the object, with what to
change.
"""

from __future__ import annotations

from dbdesign.design.citus import CitusProblem, Designed, Placement, Route, routes_by
from dbdesign.design.draft import PatternPlan
from dbdesign.model import ForeignKey, Table

# Rule kinds whose triggers read only the row they fire for (the others read other rows).
OWN_ROW_RULES = frozenset({"transition"})
KEYS = "unique keys include the distribution column"
REFERENCES = "foreign keys between distributed tables"
ACTIONS = "foreign keys do not change the distribution column"


def _names(cols: tuple[str, ...]) -> str:
    return ", ".join(cols)


def check(
    d: Designed, placements: tuple[Placement, ...]
) -> tuple[tuple[CitusProblem, ...], tuple[str, ...], bool]:
    """The problems of a placement, the notes on rules met with a setting or with care, and
    whether citus.sql must turn citus.enable_unsafe_triggers on."""
    by_key = {p.table: p for p in placements}
    problems: list[CitusProblem] = []
    for p in placements:
        t = d.schema.tables[p.table]
        if p.role == "distributed":
            assert p.column is not None
            if p.column not in {c.name for c in t.columns}:
                problems.append(_no_column(t, p, by_key))
            problems += _keys(d, t, p.column)
        problems += _references(t, p, by_key)
    problems += _updates(d, by_key)
    trig_problems, notes, unsafe = _triggers(d, by_key)
    return tuple(problems + trig_problems), tuple(notes + _rls(d, by_key)), unsafe


def _no_column(t: Table, p: Placement, by_key: dict[str, Placement]) -> CitusProblem:
    parent = by_key[p.parent].name if p.parent else p.group
    return CitusProblem(
        "distribution column",
        t.name,
        t.name,
        f"{t.name} has no {p.column}, so it cannot be co-located with the {p.group} group",
        f"add {p.column} NOT NULL, set on insert to its {parent} row's, and make its reference "
        f"to {parent} ({p.column}, ...)",
    )


def _keys(d: Designed, t: Table, col: str) -> list[CitusProblem]:
    """Primary key, unique constraints and indexes, and exclusion constraints include the
    distribution column."""
    keys = [(u.name, u.columns, "") for u in t.uniques.values()]
    if t.primary_key:
        keys.insert(0, (t.primary_key.name, t.primary_key.columns, ""))
    keys += [
        (
            ix.name,
            tuple(e.column or "(expression)" for e in ix.elements),
            f" WHERE {ix.where.text}" if ix.where else "",
        )
        for ix in d.schema.indexes_on(t.key)
        if ix.unique
    ]
    out = [
        CitusProblem(
            KEYS,
            t.name,
            name,
            f"unique ({_names(cols)}){where} does not include {col}",
            f"({_names(cols)}) must be unique across all {t.name}, but each shard sees only its "
            f"own rows: narrow it to ({_names(cols)}, {col}) if it only has to hold within one "
            f"{col}; else keep a lookup table with ({_names(cols)}) as its primary key, "
            f"distributed by {cols[0]}, written in the same transaction as {t.name}",
        )
        for name, cols, where in keys
        if col not in cols
    ]
    out += [
        CitusProblem(
            "exclusion constraints compare the distribution column with =",
            t.name,
            ex.name,
            f"exclusion constraint has no `{col} WITH =`",
            f"add `{col} WITH =` to it (btree_gist gives GiST the = operator): rows of "
            f"different {col} never conflict anyway",
        )
        for ex in t.exclusions.values()
        if not any(e.element.column == col and e.operator == "=" for e in ex.elements)
    ]
    return out


def _references(t: Table, p: Placement, by_key: dict[str, Placement]) -> list[CitusProblem]:
    out = []
    for fk in t.foreign_keys.values():
        q = p if fk.ref_table == t.key else by_key.get(fk.ref_table)
        if q is None:
            continue
        problem = _reference(t, fk, p, q)
        if problem is None and p.role == "distributed":
            problem = _action(t, fk, p)
        if problem is not None:
            out.append(problem)
    return out


def _reference(t: Table, fk: ForeignKey, p: Placement, q: Placement) -> CitusProblem | None:
    """A foreign key between the roles Citus allows, on the distribution column between
    distributed tables."""
    here = f"({_names(fk.columns)}) → {q.name} ({_names(fk.ref_columns)})"
    if p.role == "reference" and q.role == "distributed":
        return CitusProblem(
            REFERENCES,
            t.name,
            fk.name,
            f"{here}: a reference table cannot reference a distributed table",
            f"distribute {t.name} in the {q.group} group (by {q.column}), or make {q.name} a "
            "reference table",
        )
    if p.role != "distributed" or q.role != "distributed":
        return None
    col, qcol = p.column, q.column
    assert col is not None and qcol is not None
    if p.group != q.group:
        return CitusProblem(
            REFERENCES,
            t.name,
            fk.name,
            f"{here}: {t.name} ({p.group} group) and {q.name} ({q.group} group) are not co-located",
            f"make {q.name} a reference table, or drop the foreign key and check it in the "
            "application",
        )
    on_key = col in fk.columns and qcol in fk.ref_columns
    if on_key and fk.columns.index(col) == fk.ref_columns.index(qcol):
        return None
    return CitusProblem(
        REFERENCES,
        t.name,
        fk.name,
        f"{here} does not join on the distribution column ({col} = {q.name}.{qcol})",
        f"make it ({_names((col, *fk.columns))}) → {q.name} ({_names((qcol, *fk.ref_columns))})"
        f", with a unique key of {q.name} on those columns",
    )


def _action(t: Table, fk: ForeignKey, p: Placement) -> CitusProblem | None:
    """A foreign key that holds the distribution column may not change it."""
    if p.column not in fk.columns:
        return None
    bad = []
    if fk.on_delete in ("SET NULL", "SET DEFAULT"):
        bad.append(f"ON DELETE {fk.delete_action}")
    if fk.on_update in ("SET NULL", "SET DEFAULT", "CASCADE"):
        bad.append(f"ON UPDATE {fk.on_update}")
    if not bad:
        return None
    others = tuple(c for c in fk.columns if c != p.column)
    return CitusProblem(
        ACTIONS,
        t.name,
        fk.name,
        f"{' and '.join(bad)} on a foreign key that holds {p.column} (Citus refuses it, even "
        "with a column list)",
        f"ON DELETE RESTRICT, the application setting {_names(others)} to NULL before it "
        "deletes the parent",
    )


def _updates(d: Designed, by_key: dict[str, Placement]) -> list[CitusProblem]:
    """A stated UPDATE of the distribution column (Citus refuses it: the row would move)."""
    key_of = {t.entity: t.key for t in d.tables if t.entity}
    out = []
    for w in d.spec.writes:
        p = by_key.get(key_of.get(w.entity, ""))
        if w.operation != "update" or p is None or p.role != "distributed":
            continue
        attrs = d.spec.entities[w.entity].attributes
        columns = {
            f if f in attrs or f in ("id", "created_at", "updated_at") else f"{f}_id"
            for f in w.fields
        }
        if p.column in columns:
            out.append(
                CitusProblem(
                    "the distribution column is never updated",
                    p.name,
                    w.name,
                    f"updates {p.column}, which would move the row to another shard",
                    "delete and insert the row (and its co-located children) in one "
                    "transaction, or distribute by a column that does not change",
                )
            )
    return out


def _triggers(
    d: Designed, by_key: dict[str, Placement]
) -> tuple[list[CitusProblem], list[str], bool]:
    kinds = {name: r.kind for r in d.rules for name in r.objects}
    own, problems = [], []
    for trg in d.schema.triggers.values():
        p = by_key.get(f"{trg.schema}.{trg.table}")
        if p is None:
            continue
        kind = kinds.get(trg.name)
        if kind is None or kind in OWN_ROW_RULES:
            own.append(trg.name)
            continue
        problems.append(
            CitusProblem(
                "triggers on distributed and reference tables",
                p.name,
                trg.name,
                f"keeps a {kind} rule by reading other rows of {p.name}: from inside a shard "
                "that is a distributed query, which Citus calls unsafe (it may not see the "
                "transaction's rows on other connections, and can deadlock)",
                "keep the rule in the application (the check DESIGN.md gives for servers "
                f"without such triggers), or keep {p.name} on one node",
                blocking=False,
            )
        )
    notes = []
    if own:
        notes.append(
            f"Triggers ({', '.join(f'`{n}`' for n in sorted(own))}) set or check only the row "
            "they fire for, which is safe on a shard; Citus refuses triggers on distributed "
            "and reference tables unless `citus.enable_unsafe_triggers` is on: citus.sql sets "
            "it for its session, and it must be on (in the cluster's configuration) when a "
            "later migration creates or drops a trigger."
        )
    return problems, notes, bool(own or problems)


def _rls(d: Designed, by_key: dict[str, Placement]) -> list[str]:
    if not any(d.schema.tables[k].rls_enabled for k in by_key) or not d.schema.policies:
        return []
    return [
        "Row-level security: Citus creates the policies on the shards, where the workers "
        "apply them, so the tenant setting the policies read must reach the workers with each "
        "query: set `citus.propagate_set_commands = 'local'` and set the tenant with `SET "
        "LOCAL` inside each transaction (a plain SET or set_config() stays on the "
        "coordinator). Not proven here."
    ]


def routes(d: Designed, placements: tuple[Placement, ...]) -> tuple[Route, ...]:
    """How Citus runs each access pattern."""
    by_key = {p.table: p for p in placements}
    out = []
    for pp in d.patterns:
        p = by_key[pp.table]
        name, rate = pp.pattern.name, pp.pattern.rate_per_second or 0.0
        col = p.column
        if p.role == "reference" or col is None:
            out.append(Route(name, p.name, "reference", "a reference table: any node's copy", rate))
        elif routes_by(pp, col):
            out.append(Route(name, p.name, "router", f"{col} = one value: one shard", rate))
        elif any(x.column == col and x.kind == "in" for x in pp.params):
            why = f"{col} in a list: the shards of the listed values"
            out.append(Route(name, p.name, "multi-shard", why, rate))
        else:
            out.append(Route(name, p.name, "fan-out", _fan_out(pp, col, p.group == p.name), rate))
    return tuple(out)


def _fan_out(pp: PatternPlan, col: str, own: bool) -> str:
    pat = pp.pattern
    how = f"no {col} filter: every shard runs it"
    if pat.grouped:
        how += ", each groups its rows and the coordinator combines the groups"
    elif pat.limit and pat.sort:
        how += f", each returns its first {pat.limit} and the coordinator merges them"
    elif pat.limit:
        how += f", the coordinator keeps {pat.limit}"
    if own:  # the root, distributed by its own key
        return how
    return how + f"; a caller that knows the {col} can filter by it too and reach one shard"
