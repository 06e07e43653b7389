"""Enums, domains and composite types: created, dropped, replaced (see
:class:`~dbdesign.diff.operations.ReplaceType`) or altered in place (enum values added, a
domain's default, NOT NULL and checks).
"""

from __future__ import annotations

import dataclasses

from dbdesign.diff import operations as op
from dbdesign.diff.planner.order import Res
from dbdesign.diff.planner.same import definition, only_comment_differs
from dbdesign.diff.planner.state import PlanState, as_res, column_res, relname_res
from dbdesign.model import Domain, EnumType, FrozenMap


class TypeSteps(PlanState):
    """Create, drop, replace and alter types."""

    def _emit_types(self) -> None:
        s, t = self.s, self.t
        olds: dict[str, op.TypeDef] = {**s.enums, **s.domains, **s.composite_types}
        news: dict[str, op.TypeDef] = {**t.enums, **t.domains, **t.composite_types}
        for key, nt in news.items():
            if key not in olds:
                self.create_object(_type_kind(nt), key, op.CreateType(type=nt))
        for key, ot in olds.items():
            if key not in news:
                self.drop_object(_type_kind(ot), key, op.DropType(type=ot))
        for key in olds.keys() & news.keys():
            a, b = olds[key], news[key]
            if a == b:
                continue
            rep = self.replaced_types.get(key)
            res = ("type", key)
            if rep is not None:
                cols: set[Res] = set()
                tables: set[Res] = set()
                # a table to rebuild is converted first, before it is set aside (the new table
                # is then created with the new type and filled from the converted one)
                aside: set[Res] = set()
                for u in rep.uses:
                    if u.table in self.rebuild:
                        tb = s.tables[u.table]
                        aside.add(relname_res(tb.schema, tb.name))
                    else:
                        tables.add(("table", u.table))
                        cols.add(column_res(u.table, u.column))
                self.add(
                    rep,
                    provides={res, *cols},
                    removes={res, *cols},
                    uses_new=(self.deps("t", _type_kind(b), key) - {res}) | tables,
                    uses_old=tables | aside,
                )
                continue
            kind: op.ObjectKind = "TYPE"
            if isinstance(a, EnumType) and isinstance(b, EnumType):
                self._enum_values(a, b)
            elif isinstance(a, Domain) and isinstance(b, Domain):
                kind = "DOMAIN"
                self._domain_changes(a, b)
            self.comment(kind, key, a.comment, b.comment, owner=res)

    def _enum_values(self, a: EnumType, b: EnumType) -> None:
        have = set(a.values)
        prev: int | None = None
        for i, v in enumerate(b.values):
            if v in have:
                continue
            after = b.values[i - 1] if i > 0 else None
            before = None if i > 0 else next((x for x in b.values[1:] if x in have), None)
            # what uses the type in the new state (a default naming the value) comes after
            step = self.add(
                op.AddEnumValue(old=a, new=b, value=v, before=before, after=after),
                provides={("enumvalue", a.key)},
            )
            self.before(prev, step)
            prev = step
            have.add(v)

    def _domain_changes(self, a: Domain, b: Domain) -> None:
        key = b.key
        res = ("type", key)
        if a.default != b.default:
            self.add(
                op.AlterDomainDefault(domain=key, old=a.default, new=b.default),
                uses_new={res, *as_res(self.ts.expr_depends([b.default]))},
                uses_old=as_res(self.ss.expr_depends([a.default])),
            )
        if a.nullable != b.nullable:
            self.add(op.AlterDomainNotNull(domain=key, nullable=b.nullable), uses_new={res})
        a = self._domain_check_renames(a, b)
        for name, chk in a.checks.items():
            nb = b.checks.get(name)
            if nb is None or (nb != chk and not only_comment_differs(nb, chk)):
                self.add(
                    op.DropDomainConstraint(domain=key, check=chk),
                    removes={("constraint", f"{key}.{name}")},
                    uses_old={res},
                )
        for name, chk in b.checks.items():
            old = a.checks.get(name)
            if old is None or (old != chk and not only_comment_differs(old, chk)):
                self.add(
                    op.AddDomainConstraint(
                        domain=key, check=chk, validate_after=self.safe and chk.validated
                    ),
                    provides={("constraint", f"{key}.{name}")},
                    uses_new={res, *as_res(self.ts.expr_depends([chk.expr]))},
                )
            elif old.comment != chk.comment:
                self.comment(
                    "DOMAIN CONSTRAINT", key, old.comment, chk.comment, member=name, owner=res
                )

    def _domain_check_renames(self, a: Domain, b: Domain) -> Domain:
        """A check that goes and one that comes with the same definition under another name
        (a domain renamed by a hint keeps its check's generated name): renamed, one to one, as
        :meth:`_constraint_renames` does for a table. Returns ``a`` with the new names."""
        gone = [c for n, c in a.checks.items() if n not in b.checks]
        come = [c for n, c in b.checks.items() if n not in a.checks]
        checks = dict(a.checks)
        renamed = False
        for x in gone:
            same = [y for y in come if definition(y) == definition(x)]
            if len(same) != 1 or sum(definition(z) == definition(x) for z in gone) != 1:
                continue  # which one became which is a guess: drop and add
            y = same[0]
            self.add(
                op.RenameDomainConstraint(domain=b.key, check=x, new_name=y.name),
                removes={("constraint", f"{b.key}.{x.name}")},
                provides={("constraint", f"{b.key}.{y.name}")},
                uses_new={("type", b.key)},
            )
            del checks[x.name]
            checks[y.name] = dataclasses.replace(x, name=y.name)
            renamed = True
        return dataclasses.replace(a, checks=FrozenMap(checks)) if renamed else a


def _type_kind(t: op.TypeDef) -> str:
    if isinstance(t, EnumType):
        return "enum"
    return "domain" if isinstance(t, Domain) else "composite"
