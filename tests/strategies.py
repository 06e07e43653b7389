"""Hypothesis strategies for random, valid PostgreSQL schema models.

``schemas()`` draws a :class:`~dbdesign.model.Schema` that loads into an empty PostgreSQL 15/16
database (through ``emit_schema``) and follows the model conventions in docs/model.md, so that a
catalog read of the loaded database should give the same model back:

- namespaces: ``public`` (with its PostgreSQL 15 default comment and grant) and sometimes one more;
- enums; standalone sequences and sequences owned by a column (what ``serial`` makes);
- tables with columns of common types, nullability, simple defaults, a primary key (its columns
  NOT NULL), unique constraints, checks such as ``col > 0``, foreign keys between the generated
  tables (referencing a primary key, with random actions, deferrability and validity);
- indexes: unique, descending, NULLS FIRST/LAST, partial;
- simple views ``SELECT a, b FROM schema.t WHERE a IS NOT NULL``.

Names are valid identifiers, some needing quotes (mixed case, spaces, reserved words, non-ASCII)
and some near the 63-byte limit. Every constraint and index has an explicit name, and all object
and constraint names are unique across the whole schema (so no server-chosen names and no clashes
between relations, types and the indexes behind constraints).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from dbdesign.dialects.postgres import RESERVED_WORDS, quote_ident
from dbdesign.model import (
    Check,
    Column,
    DataType,
    EnumType,
    Expr,
    ForeignKey,
    FrozenMap,
    Grant,
    Index,
    IndexElement,
    Namespace,
    PrimaryKey,
    Schema,
    Sequence,
    Table,
    Unique,
    View,
)

__all__ = ["PUBLIC_NAMESPACE", "identifiers", "schemas"]

PUBLIC_NAMESPACE = Namespace(
    name="public",
    comment="standard public schema",
    grants=frozenset({Grant(grantee="PUBLIC", privilege="USAGE")}),
)

MAX_BYTES = 63
_SYSTEM_COLUMNS = frozenset({"tableoid", "xmin", "cmin", "xmax", "cmax", "ctid"})

# -- identifiers

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TAIL = _LOWER + "0123456789_"
# Column-name key words are fine as most names but not as function parameters; a few here
# keep the emitters honest.
# SYSTEM_USER became a key word in PostgreSQL 16: a PostgreSQL 15 server prints a column of that
# name unquoted, and our parser (PostgreSQL 18's grammar) then reads the function. A known gap
# (docs/model.md), kept out of the random names.
_KEYWORDS = [
    *sorted(RESERVED_WORDS - {"system_user"}),
    "between",
    "time",
    "out",
    "values",
    "int",
    "row",
]


def _word(first: str, tail: str, lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, b: a + b, st.sampled_from(first), st.text(alphabet=tail, min_size=lo, max_size=hi)
    )


_simple = _word(_LOWER, _TAIL, 0, 10)
_mixed = st.builds(
    lambda w, sp: w + sp,
    _word("ABCDEFGHIJKLMNOPQRSTUVWXYZ", _LOWER + "ABCDEFGHXYZ0123456789", 0, 8),
    st.sampled_from(["", "", " id", " 2"]),
)
_reserved = st.sampled_from(_KEYWORDS)
_long_ascii = _word(_LOWER, _TAIL, 55, 62)
_odd = st.sampled_from(
    [
        'quote"d',
        "naïve",
        "user id",
        "Ünïcode_ñame",
        "x-y",
        "1st",
        "$dollar",
        "é" * 31 + "x",
        "ÄÖÜ" * 10 + "abc",
        "Mixed_" + "z" * 57,
    ]
)

identifiers: st.SearchStrategy[str] = st.one_of(
    _simple,
    _simple,
    _simple,
    _mixed,
    _reserved,
    _long_ascii,
    _odd,
)
"""Valid PostgreSQL identifiers (at most 63 bytes, no dots), many needing quotes."""


class _Names:
    """Draws names unique within one scope (case-sensitive, as quoted identifiers are)."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.taken: set[str] = set()

    def new(self, forbidden: frozenset[str] = frozenset()) -> str:
        name: str = self.draw(identifiers)
        n = 1
        candidate = name
        while candidate in self.taken or candidate in forbidden:
            suffix = f"_{n}"
            candidate = (
                name.encode()[: MAX_BYTES - len(suffix)].decode("utf-8", errors="ignore") + suffix
            )
            n += 1
        self.taken.add(candidate)
        return candidate


# -- types and values

_KEYABLE = [
    DataType(name="integer"),
    DataType(name="bigint"),
    DataType(name="smallint"),
    DataType(name="text"),
    DataType(name="character varying", args=(40,)),
    DataType(name="numeric", args=(12, 2)),
    DataType(name="boolean"),
    DataType(name="date"),
    DataType(name="timestamp with time zone"),
    DataType(name="uuid"),
]
_OTHER = [
    DataType(name="double precision"),
    DataType(name="real"),
    DataType(name="bytea"),
    DataType(name="jsonb"),
    DataType(name="text", array_dims=1),
]
_INTEGERS = ("integer", "bigint", "smallint")
_NUMBERS = (*_INTEGERS, "numeric", "double precision", "real")

_DEFAULTS: dict[str, list[str]] = {
    "integer": ["0", "42"],
    "bigint": ["0", "1000"],
    "smallint": ["1"],
    "text": ["'abc'", "''", "'it''s'"],
    "character varying": ["'x'"],
    "numeric": ["0", "1.5"],
    "boolean": ["true", "false"],
    "date": ["CURRENT_DATE"],
    "timestamp with time zone": ["now()"],
    "uuid": ["gen_random_uuid()"],
    "double precision": ["0"],
    "real": ["1"],
    "bytea": ["'\\x00'::bytea"],
    "jsonb": ["'{}'::jsonb"],
}


def _type_ref(key: str) -> str:
    schema, _, name = key.partition(".")
    return f"{quote_ident(schema)}.{quote_ident(name)}"


@st.composite
def _default(draw: Any, t: DataType, enums: dict[str, EnumType]) -> Expr | None:
    if draw(st.integers(0, 2)) != 0:
        return None
    if t.name in enums:
        label = draw(st.sampled_from(enums[t.name].values))
        return Expr(f"{_literal(label)}::{_type_ref(t.name)}")
    if t.array_dims:
        return Expr("'{}'::text[]")
    return Expr(draw(st.sampled_from(_DEFAULTS[t.name])))


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


# -- the schema


@st.composite
def _enum(draw: Any, schema: str, names: _Names) -> EnumType:
    labels = draw(
        st.lists(
            st.one_of(_simple, _mixed, st.just("it's"), st.just("a b")),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    return EnumType(schema=schema, name=names.new(), values=tuple(labels))


@st.composite
def _sequence(draw: Any, schema: str, names: _Names) -> Sequence:
    t = DataType(name=draw(st.sampled_from(_INTEGERS)))
    descending = draw(st.booleans())
    if descending:
        return Sequence(
            schema=schema, name=names.new(), type=t, start=-1, increment=-draw(st.integers(1, 10))
        )
    return Sequence(
        schema=schema,
        name=names.new(),
        type=t,
        start=draw(st.integers(1, 1000)),
        increment=draw(st.integers(1, 10)),
        cache=draw(st.sampled_from([1, 10])),
        cycle=draw(st.booleans()),
    )


@st.composite
def _comment(draw: Any) -> str | None:
    if draw(st.integers(0, 3)) != 0:
        return None
    return str(
        draw(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30))
    )


@st.composite
def schemas(draw: Any, max_tables: int = 4) -> Schema:
    """A random, valid PostgreSQL schema model (see the module docstring)."""
    names = _Names(draw)  # every object and constraint name, schema-wide
    extra = draw(st.sampled_from([None, "app", "Sales Dept", "select"]))
    namespaces = {"public": PUBLIC_NAMESPACE}
    if extra:
        namespaces[extra] = Namespace(name=extra, comment=draw(_comment()))
    schema_names = sorted(namespaces)

    enums: dict[str, EnumType] = {}
    for _ in range(draw(st.integers(0, 2))):
        en = draw(_enum(draw(st.sampled_from(schema_names)), names))
        enums[en.key] = en
    sequences: dict[str, Sequence] = {}
    for _ in range(draw(st.integers(0, 2))):
        seq = draw(_sequence(draw(st.sampled_from(schema_names)), names))
        sequences[seq.key] = seq

    keyable = _KEYABLE + [DataType(name=k) for k in enums]
    tables: dict[str, Table] = {}
    indexes: dict[str, Index] = {}
    for _ in range(draw(st.integers(1, max_tables))):
        schema = draw(st.sampled_from(schema_names))
        tname = names.new()
        cols = _Names(draw)
        columns: list[Column] = []
        for _ in range(draw(st.integers(1, 6))):
            t = draw(st.sampled_from(keyable + _OTHER))
            columns.append(
                Column(
                    name=cols.new(_SYSTEM_COLUMNS),
                    type=t,
                    nullable=draw(st.booleans()),
                    default=draw(_default(t, enums)),
                    comment=draw(_comment()),
                )
            )
        key_cols = [c.name for c in columns if c.type in keyable]

        # serial: an integer column fed by a sequence it owns
        if draw(st.integers(0, 3)) == 0:
            seq = Sequence(schema=schema, name=names.new(), type=DataType(name="integer"))
            col = cols.new(_SYSTEM_COLUMNS)
            seq = replace(seq, owned_by=f"{schema}.{tname}.{col}")
            sequences[seq.key] = seq
            columns.insert(
                0,
                Column(
                    name=col,
                    type=DataType(name="integer"),
                    nullable=False,
                    default=Expr(f"nextval({_literal(_type_ref(seq.key))}::regclass)"),
                ),
            )
            key_cols.insert(0, col)
        # a column taking its default from a standalone sequence
        free = [s for s in sequences.values() if s.owned_by is None]
        if free and draw(st.booleans()):
            seq = draw(st.sampled_from(free))
            columns.append(
                Column(
                    name=cols.new(_SYSTEM_COLUMNS),
                    type=DataType(name="bigint"),
                    default=Expr(f"nextval({_literal(_type_ref(seq.key))}::regclass)"),
                )
            )

        pk = None
        if key_cols and draw(st.integers(0, 4)) != 0:
            pk_cols = draw(st.lists(st.sampled_from(key_cols), min_size=1, max_size=2, unique=True))
            pk = PrimaryKey(name=names.new(), columns=tuple(pk_cols))
            columns = [replace(c, nullable=False) if c.name in pk_cols else c for c in columns]

        uniques: dict[str, Unique] = {}
        for _ in range(draw(st.integers(0, 2)) if key_cols else 0):
            u_cols = tuple(
                draw(st.lists(st.sampled_from(key_cols), min_size=1, max_size=2, unique=True))
            )
            u = Unique(
                name=names.new(),
                columns=u_cols,
                nulls_not_distinct=draw(st.booleans()),
                deferrable=draw(st.booleans()),
            )
            uniques[u.name] = u

        checks: dict[str, Check] = {}
        for c in columns:
            if draw(st.integers(0, 4)) != 0:
                continue
            col = quote_ident(c.name)
            if c.type.name in _NUMBERS and not c.type.array_dims:
                text = f"{col} >= 0"
            elif c.type.name in ("text", "character varying") and not c.type.array_dims:
                text = f"char_length({col}) < 1000"
            else:
                continue
            chk = Check(
                name=names.new(),
                expr=Expr(text),
                validated=draw(st.booleans()),
                comment=draw(_comment()),
            )
            checks[chk.name] = chk

        # foreign keys: new columns of the referenced key's types
        fks: dict[str, ForeignKey] = {}
        candidates = [t for t in tables.values() if t.primary_key is not None]
        for _ in range(draw(st.integers(0, 2)) if candidates else 0):
            ref = draw(st.sampled_from(candidates))
            assert ref.primary_key is not None
            fk_cols = []
            for rc in ref.primary_key.columns:
                ref_col = ref.column(rc)
                assert ref_col is not None
                name = cols.new(_SYSTEM_COLUMNS)
                columns.append(Column(name=name, type=ref_col.type))
                fk_cols.append(name)
            actions = st.sampled_from(["NO ACTION", "RESTRICT", "CASCADE", "SET NULL"])
            deferrable = draw(st.booleans())
            fk = ForeignKey(
                name=names.new(),
                columns=tuple(fk_cols),
                ref_table=ref.key,
                ref_columns=ref.primary_key.columns,
                on_delete=draw(actions),
                on_update=draw(actions),
                match=draw(st.sampled_from(["SIMPLE", "FULL"])),
                deferrable=deferrable,
                initially_deferred=deferrable and draw(st.booleans()),
                validated=draw(st.booleans()),
            )
            fks[fk.name] = fk

        table = Table(
            schema=schema,
            name=tname,
            columns=tuple(columns),
            primary_key=pk,
            uniques=FrozenMap(uniques),
            checks=FrozenMap(checks),
            foreign_keys=FrozenMap(fks),
            comment=draw(_comment()),
        )
        tables[table.key] = table

        for _ in range(draw(st.integers(0, 2)) if key_cols else 0):
            ix_cols = draw(st.lists(st.sampled_from(key_cols), min_size=1, max_size=3, unique=True))
            elements = tuple(
                IndexElement(
                    column=c,
                    descending=draw(st.booleans()),
                    nulls_first=draw(st.sampled_from([None, True, False])),
                )
                for c in ix_cols
            )
            # nulls_first equal to the direction's default is spelled None, as the catalog does
            elements = tuple(
                replace(e, nulls_first=None) if e.nulls_first == e.descending else e
                for e in elements
            )
            where = None
            if draw(st.booleans()):
                where = Expr(f"{quote_ident(ix_cols[0])} IS NOT NULL")
            ix = Index(
                name=names.new(),
                schema=schema,
                table=tname,
                elements=elements,
                unique=draw(st.booleans()),
                where=where,
            )
            indexes[ix.key] = ix

    views: dict[str, View] = {}
    for _ in range(draw(st.integers(0, 2))):
        base = draw(st.sampled_from(sorted(tables)))
        t = tables[base]
        picked = draw(
            st.lists(
                st.sampled_from([c.name for c in t.columns]), min_size=1, max_size=3, unique=True
            )
        )
        select = ", ".join(quote_ident(c) for c in picked)
        text = f"SELECT {select} FROM {_type_ref(base)}"
        if draw(st.booleans()):
            text += f" WHERE {quote_ident(picked[0])} IS NOT NULL"
        v = View(
            schema=draw(st.sampled_from(schema_names)),
            name=names.new(),
            query=Expr(text),
            comment=draw(_comment()),
        )
        views[v.key] = v

    return Schema(
        namespaces=FrozenMap(namespaces),
        enums=FrozenMap(enums),
        sequences=FrozenMap(sequences),
        tables=FrozenMap(tables),
        indexes=FrozenMap(indexes),
        views=FrozenMap(views),
    )
