"""The diff converges on random schemas (issue 6): draw a schema A (tests/strategies.py), derive B
by random model edits, emit both (dbdesign.emit.postgres), load them into two scratch databases,
and run the convergence check of tests/diffcheck.py: diff(cat_A, cat_B) applied to A's database
gives B's catalog, a second diff is empty, and the reverse plan gives A back. Where a default
plan leaves a column order (a column dropped and added back by the reverse, a generated column
re-added), it must be the order the plan announces (``plan.order_left``), and the check runs
again with ``column_order=True`` (the rebuild) to B and A themselves.

Edits: add/drop column, change a column's type within a compatible family (smallint/integer/
bigint, text/varchar(n), numeric(p,s)), set/drop NOT NULL, change/drop a default, add/drop index,
add/drop primary key, unique, check and foreign key, add/drop table, add/drop view, enum labels
added and removed, sequence options, comments. Dependants of what an edit drops are dropped with
it (as CASCADE would), so B is always a valid schema.

Modest example counts and no shrinking keep the file near one minute on both servers; a failure
prints the edits, the plan and the differences.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tests.conftest import PG_SERVERS, server_url
from tests.diffcheck import check_default_and_rebuild, diff_schemas, plan_text
from tests.strategies import identifiers, schemas

from dbdesign import engine
from dbdesign.dialects.postgres import quote_ident
from dbdesign.emit.postgres import emit_schema
from dbdesign.model import (
    Check,
    Column,
    DataType,
    EnumType,
    Expr,
    ForeignKey,
    FrozenMap,
    Index,
    IndexElement,
    PrimaryKey,
    Schema,
    Sequence,
    Table,
    Unique,
    View,
)
from dbdesign.readers.catalog.postgres import read_catalog

_SYSTEM_COLUMNS = frozenset({"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})
_FAMILIES: tuple[tuple[DataType, ...], ...] = (
    (DataType(name="smallint"), DataType(name="integer"), DataType(name="bigint")),
    (
        DataType(name="text"),
        DataType(name="character varying", args=(40,)),
        DataType(name="character varying", args=(80,)),
    ),
    (DataType(name="numeric", args=(12, 2)), DataType(name="numeric", args=(14, 4))),
)
_NEW_TYPES = [
    DataType(name="integer"),
    DataType(name="bigint"),
    DataType(name="text"),
    DataType(name="character varying", args=(40,)),
    DataType(name="numeric", args=(12, 2)),
    DataType(name="boolean"),
    DataType(name="date"),
    DataType(name="timestamp with time zone"),
]
_DEFAULTS = {
    "smallint": ["1", "7"],
    "integer": ["0", "42"],
    "bigint": ["0", "1000"],
    "text": ["'abc'", "''"],
    "character varying": ["'x'"],
    "numeric": ["0", "1.5"],
    "boolean": ["true", "false"],
    "date": ["CURRENT_DATE"],
    "timestamp with time zone": ["now()"],
}
_NUMBERS = ("smallint", "integer", "bigint", "numeric", "double precision", "real")
_TEXTS = ("text", "character varying")


def _ref(key: str) -> str:
    schema, _, name = key.partition(".")
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class _Edit:
    """Random edits of a schema, keeping it valid. Names come from tests/strategies.py."""

    def __init__(self, draw: Any, schema: Schema) -> None:
        self.draw = draw
        self.s = schema
        self.log: list[str] = []
        self.taken = set()
        for coll in (schema.tables, schema.views, schema.indexes, schema.sequences, schema.enums):
            self.taken |= {k.split(".", 1)[1] for k in coll}
        for t in schema.tables.values():
            self.taken |= set(t.foreign_keys) | set(t.uniques) | set(t.checks)
            if t.primary_key:
                self.taken.add(t.primary_key.name)

    # -- helpers

    def new_name(self, taken: set[str] | frozenset[str] = frozenset()) -> str:
        name: str = self.draw(identifiers)
        n = 1
        candidate = name
        while candidate in self.taken or candidate in taken or candidate in _SYSTEM_COLUMNS:
            suffix = f"_{n}"
            candidate = name.encode()[: 63 - len(suffix)].decode("utf-8", errors="ignore") + suffix
            n += 1
        self.taken.add(candidate)
        return candidate

    def pick(self, items: Any) -> Any:
        return self.draw(st.sampled_from(sorted(items, key=str)))

    def put_table(self, t: Table) -> None:
        self.s = replace(self.s, tables=FrozenMap({**self.s.tables, t.key: t}))

    def default_for(self, t: DataType) -> Expr | None:
        if t.name in self.s.enums:
            label = self.pick(self.s.enums[t.name].values)
            return Expr(f"{_lit(label)}::{_ref(t.name)}")
        if t.array_dims or t.name not in _DEFAULTS or self.draw(st.booleans()):
            return None
        return Expr(self.pick(_DEFAULTS[t.name]))

    def drop_where(self, pred_ix: Any = None, pred_view: Any = None, pred_seq: Any = None) -> None:
        if pred_ix:
            self.s = replace(
                self.s,
                indexes=FrozenMap({k: i for k, i in self.s.indexes.items() if not pred_ix(i)}),
            )
        if pred_view:
            self.s = replace(
                self.s, views=FrozenMap({k: v for k, v in self.s.views.items() if not pred_view(v)})
            )
        if pred_seq:
            self.s = replace(
                self.s,
                sequences=FrozenMap({k: q for k, q in self.s.sequences.items() if not pred_seq(q)}),
            )

    def drop_fks_onto(self, table_key: str, columns: tuple[str, ...] | None = None) -> None:
        """Drop foreign keys pointing at ``table_key`` (at those ``columns``, if given)."""
        for t in list(self.s.tables.values()):
            keep = {
                n: fk
                for n, fk in t.foreign_keys.items()
                if not (
                    fk.ref_table == table_key
                    and (columns is None or set(fk.ref_columns) & set(columns))
                )
            }
            if len(keep) != len(t.foreign_keys):
                self.put_table(replace(t, foreign_keys=FrozenMap(keep)))

    def is_serial(self, t: Table, c: Column) -> bool:
        return c.default is not None and "nextval" in c.default.text

    # -- the edits; each returns a description or None when it does not apply

    def add_column(self, t: Table) -> str:
        typ = self.pick(_NEW_TYPES + [DataType(name=k) for k in self.s.enums])
        col = Column(
            name=self.new_name({c.name for c in t.columns}),
            type=typ,
            nullable=self.draw(st.booleans()),
            default=self.default_for(typ),
        )
        self.put_table(replace(t, columns=(*t.columns, col)))
        return f"add column {t.key}.{col.name} {typ}"

    def drop_column(self, t: Table) -> str | None:
        if len(t.columns) < 2:
            return None
        c = self.pick(t.columns)
        q = quote_ident(c.name)
        pk = t.primary_key
        if pk and c.name in pk.columns:
            self.drop_fks_onto(t.key, pk.columns)
            pk = None
        t = self.s.tables[t.key]  # foreign keys of t itself may have changed
        t = replace(
            t,
            columns=tuple(x for x in t.columns if x.name != c.name),
            primary_key=pk,
            uniques=FrozenMap({n: u for n, u in t.uniques.items() if c.name not in u.columns}),
            checks=FrozenMap({n: k for n, k in t.checks.items() if q not in k.expr.text}),
            foreign_keys=FrozenMap(
                {n: f for n, f in t.foreign_keys.items() if c.name not in f.columns}
            ),
        )
        self.put_table(t)
        self.drop_where(
            pred_ix=lambda i: (
                i.table_key == t.key
                and (any(e.column == c.name for e in i.elements) or (i.where and q in i.where.text))
            ),
            pred_view=lambda v: _ref(t.key) in v.query.text and q in v.query.text,
            pred_seq=lambda s: s.owned_by == f"{t.key}.{c.name}",
        )
        return f"drop column {t.key}.{c.name}"

    def change_type(self, t: Table) -> str | None:
        options = [
            (c, fam)
            for c in t.columns
            for fam in _FAMILIES
            if c.type in fam and not c.type.array_dims
        ]
        if not options:
            return None
        c, fam = self.pick(options)
        new = self.pick([x for x in fam if x != c.type])
        default = c.default
        if (
            default is not None
            and new.name in ("smallint", "integer", "bigint")
            and "." in default.text
        ):
            default = None  # 1.5 is no integer
        cols = tuple(replace(x, type=new, default=default) if x is c else x for x in t.columns)
        self.put_table(replace(t, columns=cols))
        return f"change type {t.key}.{c.name}: {c.type} -> {new}"

    def toggle_null(self, t: Table) -> str | None:
        pk = t.primary_key.columns if t.primary_key else ()
        cands = [c for c in t.columns if c.name not in pk]
        if not cands:
            return None
        c = self.pick(cands)
        cols = tuple(replace(x, nullable=not x.nullable) if x is c else x for x in t.columns)
        self.put_table(replace(t, columns=cols))
        return f"{'drop' if not c.nullable else 'set'} not null {t.key}.{c.name}"

    def change_default(self, t: Table) -> str | None:
        cands = [c for c in t.columns if not self.is_serial(t, c)]
        if not cands:
            return None
        c = self.pick(cands)
        new = self.default_for(c.type)
        if new == c.default:
            new = None if c.default is not None else new
        cols = tuple(replace(x, default=new) if x is c else x for x in t.columns)
        self.put_table(replace(t, columns=cols))
        return f"default {t.key}.{c.name}: {c.default} -> {new}"

    def add_index(self, t: Table) -> str:
        names = self.draw(
            st.lists(
                st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=2, unique=True
            )
        )
        where = None
        if self.draw(st.booleans()):
            where = Expr(f"{quote_ident(names[0])} IS NOT NULL")
        ix = Index(
            name=self.new_name(),
            schema=t.schema,
            table=t.name,
            elements=tuple(
                IndexElement(column=n, descending=self.draw(st.booleans())) for n in names
            ),
            unique=self.draw(st.booleans()),
            where=where,
        )
        self.s = replace(self.s, indexes=FrozenMap({**self.s.indexes, ix.key: ix}))
        return f"add index {ix.key} on {t.key} {names}"

    def drop_index(self, t: Table) -> str | None:
        mine = [i for i in self.s.indexes.values() if i.table_key == t.key]
        if not mine:
            return None
        ix = self.pick(mine)
        self.drop_where(pred_ix=lambda i: i.key == ix.key)
        return f"drop index {ix.key}"

    def add_primary_key(self, t: Table) -> str | None:
        if t.primary_key is not None:
            return None
        c = self.pick(t.columns)
        if c.type.name in ("jsonb",) or c.type.array_dims:
            return None
        pk = PrimaryKey(name=self.new_name(), columns=(c.name,))
        cols = tuple(replace(x, nullable=False) if x is c else x for x in t.columns)
        self.put_table(replace(t, primary_key=pk, columns=cols))
        return f"add primary key {t.key}({c.name})"

    def drop_primary_key(self, t: Table) -> str | None:
        if t.primary_key is None:
            return None
        self.drop_fks_onto(t.key)
        t = self.s.tables[t.key]
        self.put_table(replace(t, primary_key=None))  # the columns stay NOT NULL
        return f"drop primary key {t.key}"

    def add_unique(self, t: Table) -> str:
        names = self.draw(
            st.lists(
                st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=2, unique=True
            )
        )
        u = Unique(
            name=self.new_name(),
            columns=tuple(names),
            nulls_not_distinct=self.draw(st.booleans()),
            deferrable=self.draw(st.booleans()),
        )
        self.put_table(replace(t, uniques=FrozenMap({**t.uniques, u.name: u})))
        return f"add unique {t.key}{tuple(names)}"

    def add_check(self, t: Table) -> str | None:
        cands = [c for c in t.columns if not c.type.array_dims and c.type.name in _NUMBERS + _TEXTS]
        if not cands:
            return None
        c = self.pick(cands)
        q = quote_ident(c.name)
        text = f"{q} >= 0" if c.type.name in _NUMBERS else f"char_length({q}) < 1000"
        chk = Check(name=self.new_name(), expr=Expr(text), validated=self.draw(st.booleans()))
        self.put_table(replace(t, checks=FrozenMap({**t.checks, chk.name: chk})))
        return f"add check {t.key}: {text}"

    def drop_constraint(self, t: Table) -> str | None:
        named = [("u", n) for n in t.uniques] + [("c", n) for n in t.checks]
        named += [("f", n) for n in t.foreign_keys]
        if not named:
            return None
        kind, name = self.pick(named)
        if kind == "u":
            t = replace(t, uniques=FrozenMap({n: u for n, u in t.uniques.items() if n != name}))
        elif kind == "c":
            t = replace(t, checks=FrozenMap({n: k for n, k in t.checks.items() if n != name}))
        else:
            t = replace(
                t, foreign_keys=FrozenMap({n: f for n, f in t.foreign_keys.items() if n != name})
            )
        self.put_table(t)
        return f"drop constraint {t.key}.{name}"

    def add_foreign_key(self, t: Table) -> str | None:
        targets = [r for r in self.s.tables.values() if r.primary_key is not None]
        if not targets:
            return None
        ref = self.pick(targets)
        assert ref.primary_key is not None
        taken = {c.name for c in t.columns}
        cols = []
        for rc in ref.primary_key.columns:
            rcol = ref.column(rc)
            assert rcol is not None
            cols.append(Column(name=self.new_name(taken), type=rcol.type))
        fk = ForeignKey(
            name=self.new_name(),
            columns=tuple(c.name for c in cols),
            ref_table=ref.key,
            ref_columns=ref.primary_key.columns,
            on_delete=self.pick(["NO ACTION", "CASCADE", "SET NULL"]),
            validated=self.draw(st.booleans()),
        )
        t = self.s.tables[t.key]
        self.put_table(
            replace(
                t,
                columns=(*t.columns, *cols),
                foreign_keys=FrozenMap({**t.foreign_keys, fk.name: fk}),
            )
        )
        return f"add foreign key {t.key}{fk.columns} -> {ref.key}"

    def add_table(self, t: Table) -> str:
        schema = self.pick(self.s.namespaces)
        taken: set[str] = set()
        cols = []
        for _ in range(self.draw(st.integers(1, 3))):
            typ = self.pick(_NEW_TYPES)
            name = self.new_name(taken)
            taken.add(name)
            cols.append(Column(name=name, type=typ, default=self.default_for(typ)))
        pk = None
        if self.draw(st.booleans()):
            pk = PrimaryKey(name=self.new_name(), columns=(cols[0].name,))
            cols[0] = replace(cols[0], nullable=False)
        new = Table(schema=schema, name=self.new_name(), columns=tuple(cols), primary_key=pk)
        self.put_table(new)
        return f"add table {new.key}"

    def drop_table(self, t: Table) -> str | None:
        if len(self.s.tables) < 2:
            return None
        self.drop_fks_onto(t.key)
        self.s = replace(
            self.s, tables=FrozenMap({k: x for k, x in self.s.tables.items() if k != t.key})
        )
        self.drop_where(
            pred_ix=lambda i: i.table_key == t.key,
            pred_view=lambda v: _ref(t.key) in v.query.text,
            pred_seq=lambda s: s.owned_by is not None and s.owned_by.startswith(f"{t.key}."),
        )
        return f"drop table {t.key}"

    def add_view(self, t: Table) -> str:
        picked = self.draw(
            st.lists(
                st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=3, unique=True
            )
        )
        text = f"SELECT {', '.join(quote_ident(c) for c in picked)} FROM {_ref(t.key)}"
        v = View(schema=self.pick(self.s.namespaces), name=self.new_name(), query=Expr(text))
        self.s = replace(self.s, views=FrozenMap({**self.s.views, v.key: v}))
        return f"add view {v.key}: {text}"

    def drop_view(self, t: Table) -> str | None:
        if not self.s.views:
            return None
        key = self.pick(self.s.views)
        self.drop_where(pred_view=lambda v: v.key == key)
        return f"drop view {key}"

    def edit_enum(self, t: Table) -> str | None:
        if not self.s.enums:
            return None
        en: EnumType = self.s.enums[self.pick(self.s.enums)]
        values = list(en.values)
        if len(values) > 1 and self.draw(st.booleans()):
            gone = self.pick(values)
            values.remove(gone)
            used = Expr(f"{_lit(gone)}::{_ref(en.key)}")
            for tb in list(self.s.tables.values()):
                if any(c.default == used for c in tb.columns):
                    cols = tuple(
                        replace(c, default=None) if c.default == used else c for c in tb.columns
                    )
                    self.put_table(replace(tb, columns=cols))
            what = f"drop label {gone!r}"
        else:
            label = self.new_name(set(values))
            values.insert(self.draw(st.integers(0, len(values))), label)
            what = f"add label {label!r}"
        self.s = replace(
            self.s, enums=FrozenMap({**self.s.enums, en.key: replace(en, values=tuple(values))})
        )
        return f"enum {en.key}: {what}"

    def edit_sequence(self, t: Table) -> str | None:
        seqs = [q for q in self.s.sequences.values() if q.owned_by is None]
        if not seqs:
            return None
        q: Sequence = self.pick(seqs)
        step = self.draw(st.integers(1, 9))
        new = replace(
            q,
            increment=-step if q.increment < 0 else step,
            cache=self.pick([1, 5, 10]),
            cycle=self.draw(st.booleans()),
        )
        self.s = replace(self.s, sequences=FrozenMap({**self.s.sequences, q.key: new}))
        return f"sequence {q.key}: increment {new.increment}, cache {new.cache}, cycle {new.cycle}"

    def comment(self, t: Table) -> str:
        text = self.draw(st.sampled_from([None, "changed", "it's new", "ünïcode"]))
        if self.draw(st.booleans()):
            self.put_table(replace(t, comment=text))
            return f"comment on table {t.key}: {text!r}"
        c = self.pick(t.columns)
        self.put_table(
            replace(t, columns=tuple(replace(x, comment=text) if x is c else x for x in t.columns))
        )
        return f"comment on column {t.key}.{c.name}: {text!r}"


_EDITS = [
    name
    for name in vars(_Edit)
    if not name.startswith("_")
    and name
    not in {
        "new_name",
        "pick",
        "put_table",
        "default_for",
        "drop_where",
        "drop_fks_onto",
        "is_serial",
    }
]


@st.composite
def schema_pairs(draw: Any) -> tuple[Schema, Schema, list[str]]:
    a = draw(schemas(max_tables=3))
    ed = _Edit(draw, a)
    for _ in range(draw(st.integers(1, 5))):
        edit = draw(st.sampled_from(_EDITS))
        table = ed.pick(ed.s.tables.values())
        done = getattr(ed, edit)(table)
        if done:
            ed.log.append(done)
    return a, ed.s, ed.log


def _load(url: str, schema: Schema) -> None:
    script = emit_schema(schema)
    with engine.connect(url, autocommit=True) as conn:
        try:
            conn.execute(script.encode())
        except Exception as e:  # the strategy's fault, not the diff's: show the script
            raise AssertionError(f"the emitted schema does not load: {e}\n{script}") from e


@pytest.mark.parametrize("server", PG_SERVERS)
def test_random_edits_converge(server: str) -> None:
    base = server_url(server)

    @settings(
        max_examples=25,
        deadline=None,
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(schema_pairs())
    def check(pair: tuple[Schema, Schema, list[str]]) -> None:
        a, b, log = pair

        @contextmanager
        def fresh() -> Iterator[str]:
            with engine.scratch_database(base) as url:
                _load(url, a)
                yield url

        with fresh() as url_a, engine.scratch_database(base) as url_b:
            _load(url_b, b)
            cat_a, cat_b = read_catalog(url_a), read_catalog(url_b)
        try:
            if cat_a == cat_b:  # edits that cancel out
                plan = diff_schemas(cat_a, cat_b)
                assert plan.is_empty, plan_text(plan)
            else:
                check_default_and_rebuild(fresh, cat_a, cat_b)
        except BaseException as e:
            e.add_note("edits A -> B:\n  " + "\n  ".join(log))
            raise

    check()
