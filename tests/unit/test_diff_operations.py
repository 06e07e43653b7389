"""Diff operations, inverses, ordering, hazards, safe forms and renames, from models read out of
DDL text (no database: the convergence on real servers is in test_diff_plans.py)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from dbdesign.diff import Plan, diff_schemas
from dbdesign.diff import operations as op
from dbdesign.diff.postgres_sql import RENDERERS, needs_using, rewrites
from dbdesign.diff.rename import invert_renames, parse_rename
from dbdesign.errors import ConfigError
from dbdesign.model import (
    Check,
    Column,
    DataType,
    EnumType,
    Expr,
    ForeignKey,
    FrozenMap,
    Generated,
    Grant,
    Identity,
    Index,
    IndexElement,
    Namespace,
    PrimaryKey,
    Sequence,
    Table,
    View,
)
from dbdesign.readers.ddl.postgres import read_ddl

INT = DataType(name="integer")
BIGINT = DataType(name="bigint")


def plan(a: str, b: str, **kw: object) -> Plan:
    return diff_schemas(read_ddl(a), read_ddl(b), **kw)  # type: ignore[arg-type]


def kinds(p: Plan) -> list[str]:
    return [o.describe() for o in p.operations]


def sql_lines(p: Plan) -> list[str]:
    return [s.sql for s in p.statements()]


def index_of(items: list[str], prefix: str) -> int:
    for i, x in enumerate(items):
        if x.startswith(prefix):
            return i
    raise AssertionError(f"no item starts with {prefix!r} in {items}")


# --------------------------------------------------------------------------- operations


def _samples() -> list[op.Operation]:
    t = Table(schema="public", name="t", columns=(Column(name="a", type=INT),))
    col = Column(name="a", type=INT)
    chk = Check(name="c", expr=Expr("a > 0"))
    fk = ForeignKey(name="f", columns=("a",), ref_table="public.u", ref_columns=("id",))
    ix = Index(name="i", schema="public", table="t", elements=(IndexElement(column="a"),))
    en = EnumType(schema="public", name="e", values=("x", "y"))
    en2 = EnumType(schema="public", name="e", values=("x", "z", "y"))
    seq = Sequence(schema="public", name="s")
    v = View(schema="public", name="v", query=Expr("SELECT 1"))
    ident = Identity()
    ref = op.ObjectRef(kind="TABLE", key="public.t")
    g = Grant(grantee="PUBLIC", privilege="SELECT")
    return [
        op.CreateSchema(namespace=Namespace(name="app")),
        op.CreateExtension(extension=op.Extension(name="pgcrypto")),
        op.AlterExtensionSchema(name="x", old_schema="public", new_schema="app"),
        op.CreateType(type=en),
        op.AddEnumValue(old=en, new=en2, value="z", after="x"),
        op.ReplaceType(old=en2, new=en, uses=(op.TypeUse(table="public.t", column="a"),)),
        op.RenameType(old_key="public.e", new_name="e2"),
        op.AlterDomainDefault(domain="public.d", old=None, new=Expr("1")),
        op.AlterDomainNotNull(domain="public.d", nullable=False),
        op.AddDomainConstraint(domain="public.d", check=chk),
        op.CreateSequence(sequence=seq),
        op.AlterSequence(old=seq, new=dataclasses.replace(seq, increment=2)),
        op.SetSequenceOwner(sequence="public.s", old=None, new="public.t.a"),
        op.CreateTable(table=t),
        op.RebuildTable(old=t, new=t),
        op.SetTableAside(table=t, indexes=(ix,)),
        op.RenameTable(old_key="public.t", new_name="t2"),
        op.SetTableOptions(table="public.t", old=(), new=("fillfactor=70",)),
        op.SetLogged(table="public.t", unlogged=True),
        op.SetRowSecurity(table="public.t", enabled=True),
        op.AttachPartition(parent="public.p", table="public.t", bound=Expr("DEFAULT")),
        op.ProvePartitionBound(table="public.t", parent="public.p", check=chk),
        op.AttachPartition(
            parent="public.p", table="public.t", bound=Expr("IN (1)"), bound_check="c"
        ),
        op.AddInherit(table="public.t", parent="public.p"),
        op.AddColumn(table="public.t", column=col),
        op.RenameColumn(table="public.t", old="a", new="b"),
        op.AlterColumnType(table="public.t", old=col, new=dataclasses.replace(col, type=BIGINT)),
        op.SetDefault(table="public.t", column="a", old=None, new=Expr("1")),
        op.SetDefault(table="public.t", column="a", old=Expr("2"), new=Expr("1")),
        op.SetNotNull(table="public.t", column="a", via_check=True),
        op.AddIdentity(table="public.t", column="a", identity=ident),
        op.AlterIdentity(table="public.t", column="a", old=ident, new=Identity(always=False)),
        op.ReplaceColumn(table="public.t", old=col, new=col),
        op.AddConstraint(table="public.t", constraint=chk),
        op.AddConstraint(table="public.t", constraint=fk, form="validate_after"),
        op.ValidateConstraint(table="public.t", constraint=chk),
        op.CreateIndex(index=ix, concurrently=True),
        op.CreateView(view=v),
        op.ReplaceView(old=v, new=dataclasses.replace(v, query=Expr("SELECT 2"))),
        op.CreateFunction(function=op.Function(schema="public", name="f")),
        op.ReplaceFunction(
            old=op.Function(schema="public", name="f"),
            new=op.Function(schema="public", name="f", body="select 1"),
        ),
        op.CreateTrigger(
            trigger=op.Trigger(
                schema="public", table="t", name="tr", timing="BEFORE", events=("INSERT",)
            )
        ),
        op.CreateRule(
            rule=op.Rule(schema="public", table="t", name="r", event="INSERT", definition=Expr("x"))
        ),
        op.CreatePolicy(policy=op.Policy(schema="public", table="t", name="p")),
        op.AlterPolicy(
            old=op.Policy(schema="public", table="t", name="p"),
            new=op.Policy(schema="public", table="t", name="p", using=Expr("true")),
        ),
        op.SetComment(target=ref, old=None, new="hello"),
        op.GrantPrivilege(target=ref, grant=g),
        op.GrantPrivilege(target=ref, grant=g, option_only=True),
        op.SetTriggerEnabled(
            old=op.Trigger(schema="public", table="t", name="tr", timing="BEFORE", events=()),
            new=op.Trigger(
                schema="public", table="t", name="tr", timing="BEFORE", events=(), enabled="D"
            ),
        ),
    ]


@pytest.mark.parametrize("o", _samples(), ids=lambda o: o.kind)
def test_every_operation_has_an_inverse_that_undoes_it(o: op.Operation) -> None:
    inv = o.inverse()
    assert isinstance(inv, op.Operation)
    assert inv.subject  # describes the object it changes
    back = inv.inverse()
    if isinstance(o, op.AddEnumValue):
        # a value cannot be removed in place: the inverse replaces the type
        assert isinstance(inv, op.ReplaceType) and inv.new == o.old
    elif isinstance(o, op.SetDefault) and o.old is None:
        assert isinstance(inv, op.DropDefault) and back == o
    elif isinstance(o, op.AddConstraint | op.ProvePartitionBound):
        con = o.constraint if isinstance(o, op.AddConstraint) else o.check
        assert isinstance(inv, op.DropConstraint) and inv.constraint == con
    elif isinstance(o, op.AttachPartition):  # the proof is a step of the plan, not undone
        assert back == dataclasses.replace(o, bound_check=None)
    elif isinstance(o, op.SetNotNull):  # the safe form is a choice of the plan, not undone
        assert back == dataclasses.replace(o, via_check=False)
    else:
        assert back == o


def test_every_operation_class_renders_and_has_a_kind() -> None:
    classes = {
        v
        for v in vars(op).values()
        if isinstance(v, type) and issubclass(v, op.Operation) and v is not op.Operation
    }
    assert classes <= set(RENDERERS)
    assert op.AddColumn(table="public.t", column=Column(name="a", type=INT)).kind == "add_column"


def test_destructive_operations() -> None:
    col = Column(name="a", type=BIGINT)
    t = Table(schema="public", name="t")
    assert op.DropTable(table=t).destructive
    assert op.DropColumn(table="public.t", column=col).destructive
    narrow = op.AlterColumnType(table="public.t", old=col, new=dataclasses.replace(col, type=INT))
    assert narrow.destructive and not narrow.inverse().destructive
    assert not op.CreateTable(table=t).destructive
    assert not op.DropIndex(
        index=Index(name="i", schema="public", table="t", elements=())
    ).destructive
    gen = dataclasses.replace(col, generated=Generated(expr=Expr("1")))
    assert not op.DropColumn(table="public.t", column=gen).destructive  # computed values


@pytest.mark.parametrize(
    ("old", "new", "lossless"),
    [
        ("integer", "bigint", True),
        ("bigint", "integer", False),
        ("character varying(10)", "character varying(20)", True),
        ("character varying(20)", "character varying(10)", False),
        ("character varying(10)", "text", True),
        ("text", "character varying(10)", False),
        ("numeric(10,2)", "numeric(12,2)", True),
        ("numeric(10,2)", "numeric(10,3)", False),
        ("numeric(10,2)", "numeric", True),
        ("timestamp without time zone", "timestamp with time zone", True),
        ("text", "integer", False),
    ],
)
def test_lossless_conversions(old: str, new: str, lossless: bool) -> None:
    from dbdesign.dialects.postgres import parse_type_string

    assert op.lossless(parse_type_string(old), parse_type_string(new)) is lossless


def test_using_clause_and_rewrites() -> None:
    from dbdesign.dialects.postgres import parse_type_string as t

    assert not needs_using(t("integer"), t("bigint"))
    assert not needs_using(t("integer"), t("text"))
    assert needs_using(t("text"), t("integer"))
    assert needs_using(t("text"), t("public.mood"))
    assert not rewrites(t("character varying(10)"), t("character varying(20)"))
    assert rewrites(t("character varying(20)"), t("character varying(10)"))
    assert not rewrites(t("character varying(10)"), t("text"))
    assert not rewrites(t("numeric(10,2)"), t("numeric(12,2)"))
    assert rewrites(t("integer"), t("bigint"))


# --------------------------------------------------------------------------- plans from DDL


def test_identical_schemas_give_an_empty_plan() -> None:
    ddl = "create table t (id int primary key, v text default 'x'); create index on t (v);"
    p = plan(ddl, ddl)
    assert p.is_empty and not p.destructive
    assert p.sql() == "" and p.statements() == ()
    assert p.as_json()["empty"] is True


def test_database_encoding_is_a_note_not_an_operation() -> None:
    table = "create table t (id int primary key);"
    p = plan(f"create database d encoding 'SQL_ASCII'; {table}", f"create database d; {table}")
    assert p.is_empty and p.notes == ()  # the target does not state its encoding
    p = plan(
        f"create database d encoding 'SQL_ASCII'; {table}",
        f"create database d encoding 'utf8'; {table}",
    )
    assert p.is_empty and p.sql() == ""
    assert len(p.notes) == 1 and "SQL_ASCII -> UTF8" in p.notes[0]


def test_view_over_a_retyped_column_is_dropped_and_recreated_around_it() -> None:
    a = "create table t (id int, v int); create view w as select id, v from t;"
    b = "create table t (id int, v bigint); create view w as select id, v from t;"
    ops = kinds(plan(a, b))
    assert ops == [
        "drop view public.w",
        "alter column public.t.v type integer -> bigint",
        "create view public.w",
    ]


def test_view_over_an_unrelated_column_is_left_alone() -> None:
    a = "create table t (id int, v int, x int); create view w as select id, v from t;"
    b = "create table t (id int, v int, x bigint); create view w as select id, v from t;"
    assert kinds(plan(a, b)) == ["alter column public.t.x type integer -> bigint"]


def test_foreign_key_onto_a_changed_primary_key() -> None:
    a = """create table a (id int primary key);
           create table b (id int primary key, a_id int references a);"""
    b = """create table a (id bigint primary key);
           create table b (id int primary key, a_id bigint references a);"""
    ops = kinds(plan(a, b))
    drop_fk = ops.index("drop foreign key public.b.b_a_id_fkey")
    add_fk = ops.index("add foreign key public.b.b_a_id_fkey")
    assert drop_fk < ops.index("alter column public.a.id type integer -> bigint") < add_fk
    assert drop_fk < ops.index("alter column public.b.a_id type integer -> bigint") < add_fk


def test_enum_gaining_values_adds_them_in_place_outside_a_transaction() -> None:
    a = "create type e as enum ('a', 'c'); create table t (v e default 'a');"
    b = "create type e as enum ('z', 'a', 'b', 'c', 'd'); create table t (v e default 'b');"
    p = plan(a, b)
    adds = [s for s in p.statements() if "ADD VALUE" in s.sql]
    assert [s.sql for s in adds] == [
        "ALTER TYPE public.e ADD VALUE IF NOT EXISTS 'z' BEFORE 'a'",
        "ALTER TYPE public.e ADD VALUE IF NOT EXISTS 'b' AFTER 'a'",
        "ALTER TYPE public.e ADD VALUE IF NOT EXISTS 'd' AFTER 'c'",
    ]
    assert all(not s.transactional for s in adds)
    lines = sql_lines(p)
    # the default naming the new value comes after the value exists
    assert index_of(lines, "ALTER TABLE public.t ALTER COLUMN v SET DEFAULT") > index_of(
        lines, "ALTER TYPE public.e ADD VALUE IF NOT EXISTS 'b'"
    )


def test_enum_losing_a_value_is_replaced_with_its_columns_converted() -> None:
    a = """create type e as enum ('a', 'b', 'c');
           create table t (v e not null default 'a', vs e[]);
           create view w as select v from t;"""
    b = """create type e as enum ('a', 'c');
           create table t (v e not null default 'c', vs e[]);
           create view w as select v from t;"""
    p = plan(a, b)
    lines = sql_lines(p)
    rename = index_of(lines, "ALTER TYPE public.e RENAME TO e__dbdesign_old")
    assert lines[rename + 1] == "CREATE TYPE public.e AS ENUM ('a', 'c')"
    assert "ALTER TABLE public.t ALTER COLUMN v TYPE public.e USING v::text::public.e" in lines
    assert (
        "ALTER TABLE public.t ALTER COLUMN vs TYPE public.e[] USING vs::text[]::public.e[]" in lines
    )
    assert "ALTER TABLE public.t ALTER COLUMN v SET DEFAULT 'c'" in lines
    assert index_of(lines, "DROP VIEW public.w") < rename < index_of(lines, "DROP TYPE public.e__")
    assert index_of(lines, "CREATE VIEW public.w") > index_of(lines, "DROP TYPE public.e__")
    hazards = {h.code for s in p.statements() for h in s.hazards}
    assert {"table_rewrite", "may_fail"} <= hazards


def test_serial_sequence_keeps_its_type_until_told() -> None:
    a = "create table t (id serial primary key);"
    b = "create table t (id bigserial primary key);"
    lines = sql_lines(plan(a, b))
    assert "ALTER SEQUENCE public.t_id_seq AS bigint NO MINVALUE NO MAXVALUE" in lines
    assert "ALTER TABLE public.t ALTER COLUMN id TYPE bigint" in lines


def test_inheritance_children_follow_their_parent() -> None:
    a = "create table p (id int, v int); create table c (x int) inherits (p);"
    b = "create table p (id int, v bigint not null); create table c (x int) inherits (p);"
    # the parent's ALTERs reach the child: nothing to do on the child itself
    assert kinds(plan(a, b)) == [
        "alter column public.p.v type integer -> bigint",
        "set not null public.p.v",
    ]


def test_inheritance_parent_dropped_after_its_children_leave() -> None:
    a = "create table p (id int); create table c (x int) inherits (p);"
    b = "create table c (id int, x int);"
    ops = kinds(plan(a, b))
    assert ops.index("make public.c no longer inherit public.p") < ops.index("drop table public.p")


def test_table_turned_into_a_partition() -> None:
    a = """create table m (id int not null, k int, constraint kpos check (k > 0))
             partition by range (id);
           create table m1 (id int, k int);"""
    b = """create table m (id int not null, k int, constraint kpos check (k > 0))
             partition by range (id);
           create table m1 partition of m for values from (0) to (10);"""
    ops = kinds(plan(a, b))
    attach = ops.index("attach partition public.m1 to public.m")
    assert ops.index("set not null public.m1.id") < attach
    assert ops.index("add check constraint public.m1.kpos") < attach  # ATTACH needs it


def test_generated_columns_are_readded_around_a_type_change() -> None:
    a = "create table t (w int, g int generated always as (w * 2) stored);"
    b = "create table t (w bigint, g bigint generated always as (w * 2) stored);"
    ops = kinds(plan(a, b))
    assert (
        ops.index("drop column public.t.g")
        < ops.index("alter column public.t.w type integer -> bigint")
        < ops.index("add column public.t.g")
    )


def test_column_added_in_the_middle_rebuilds_the_table() -> None:
    """Asked for (``column_order=True``), a column in the middle rebuilds the table; by default
    it is appended and ``order_left`` says in which order the table is left."""
    a = "create table t (a int, c int); create index t_c on t (c);"
    b = "create table t (a int, b int, c int); create index t_c on t (c);"
    default = plan(a, b)
    assert kinds(default) == ["add column public.t.b"]
    assert default.order_left == (("public.t", ("a", "c", "b")),)
    p = plan(a, b, column_order=True)
    assert p.order_left == ()
    assert kinds(p) == [
        "set table public.t aside as t__dbdesign_rebuild",
        "rebuild table public.t (column order)",
        "create index public.t_c",
    ]
    lines = sql_lines(p)
    assert lines[:2] == [
        "ALTER TABLE public.t RENAME TO t__dbdesign_rebuild",
        "DROP INDEX public.t_c",
    ]
    assert "INSERT INTO public.t (a, c) SELECT a, c FROM public.t__dbdesign_rebuild" in lines
    assert lines[-2:] == [
        "DROP TABLE public.t__dbdesign_rebuild",
        "CREATE INDEX t_c ON public.t (c)",
    ]
    assert not p.destructive


def test_identity_and_default_swap() -> None:
    a = "create table t (id serial primary key);"
    b = "create table t (id int generated always as identity primary key);"
    ops = kinds(plan(a, b))
    assert ops.index("drop default public.t.id") < ops.index("add identity public.t.id")
    assert ops.index("drop default public.t.id") < ops.index("drop sequence public.t_id_seq")
    back = kinds(plan(b, a))
    assert back.index("drop identity public.t.id") < back.index("create sequence public.t_id_seq")
    assert back.index("create sequence public.t_id_seq") < back.index("set default public.t.id")


# --------------------------------------------------------------------------- safe forms, hazards


def test_safe_forms_on_existing_tables() -> None:
    a = "create table u (id int primary key); create table t (id int, u int, v int);"
    b = """create table u (id int primary key);
           create table t (id int not null, u int references u, v int check (v > 0),
                           constraint t_pk primary key (id));
           create index t_v on t (v);"""
    p = plan(a, b)
    st = {s.sql: s for s in p.statements()}
    assert not st["CREATE INDEX CONCURRENTLY t_v ON public.t (v)"].transactional
    assert (
        "ALTER TABLE public.t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES public.u (id) "
        "NOT VALID" in st
    )
    assert "ALTER TABLE public.t VALIDATE CONSTRAINT t_u_fkey" in st
    assert "ALTER TABLE public.t ADD CONSTRAINT t_v_check CHECK (v > 0) NOT VALID" in st
    assert not st["CREATE UNIQUE INDEX CONCURRENTLY t_pk ON public.t (id)"].transactional
    assert "ALTER TABLE public.t ADD CONSTRAINT t_pk PRIMARY KEY USING INDEX t_pk" in st
    validate = st["ALTER TABLE public.t VALIDATE CONSTRAINT t_u_fkey"]
    assert [h.code for h in validate.hazards] == ["table_scan", "may_fail"]
    assert "SHARE UPDATE EXCLUSIVE" in validate.hazards[0].message
    assert p.sql().startswith("SET lock_timeout = '5s';\n")


def test_set_not_null_through_a_validated_check() -> None:
    p = plan("create table t (a int);", "create table t (a int not null);")
    assert sql_lines(p) == [
        "ALTER TABLE public.t ADD CONSTRAINT t_a_dbdesign_nn CHECK (a IS NOT NULL) NOT VALID",
        "ALTER TABLE public.t VALIDATE CONSTRAINT t_a_dbdesign_nn",
        "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL",
        "ALTER TABLE public.t DROP CONSTRAINT t_a_dbdesign_nn",
    ]
    plain = plan("create table t (a int);", "create table t (a int not null);", safe=False)
    assert sql_lines(plain) == ["ALTER TABLE public.t ALTER COLUMN a SET NOT NULL"]
    assert {h.code for h in plain.statements()[0].hazards} == {
        "access_exclusive_lock",
        "table_scan",
        "may_fail",
    }
    assert not plain.sql().startswith("SET lock_timeout")


def test_no_safe_gives_plain_forms() -> None:
    a = "create table t (id int, v int);"
    b = "create table t (id int, v int check (v > 0)); create index t_v on t (v);"
    lines = sql_lines(plan(a, b, safe=False))
    assert "CREATE INDEX t_v ON public.t (v)" in lines
    assert "ALTER TABLE public.t ADD CONSTRAINT t_v_check CHECK (v > 0)" in lines
    assert all("NOT VALID" not in x and "CONCURRENTLY" not in x for x in lines)


def test_statements_on_new_tables_carry_no_hazards() -> None:
    p = plan("", "create table t (id int, v int); create index t_v on t (v);")
    assert [s.sql.split(" (")[0] for s in p.statements()] == [
        "CREATE TABLE public.t",
        "CREATE INDEX t_v ON public.t",
    ]
    assert all(not s.hazards and s.transactional for s in p.statements())


@pytest.mark.parametrize(
    ("a", "b", "codes"),
    [
        ("create table t (a int);", "create table t (a bigint);", {"table_rewrite"}),
        (
            "create table t (a varchar(5));",
            "create table t (a varchar(9));",
            {"access_exclusive_lock"},
        ),
        ("create table t (a int, b int);", "create table t (a int);", {"data_loss"}),
        ("create table t (a int);", "", {"data_loss"}),
        (
            "create table t (a int);",
            "create table t (a int); create index i on t (a);",
            {"index_build"},
        ),
        (
            "create table t (a int);",
            "create table t (a int, b timestamptz default clock_timestamp());",
            {"table_rewrite"},
        ),
    ],
)
def test_hazards(a: str, b: str, codes: set[str]) -> None:
    p = plan(a, b, safe=False)
    found = {h.code for s in p.statements() for h in s.hazards}
    assert codes <= found, found
    if "table_rewrite" not in codes:
        assert "table_rewrite" not in found


def test_destructive_plan() -> None:
    assert plan("create table t (a int, b int);", "create table t (a int);").destructive
    assert not plan("create table t (a int);", "create table t (a bigint);").destructive
    assert plan("create table t (a bigint);", "create table t (a int);").destructive


# --------------------------------------------------------------------------- renames


def test_renames_only_from_hints() -> None:
    a = "create table old (id int primary key, n text); create index old_n on old (n);"
    b = "create table new (id int primary key, name text); create index old_n on new (name);"
    guessed = kinds(plan(a, b))
    assert "drop table public.old" in guessed and "create table public.new" in guessed
    p = plan(a, b, renames={"public.old": "new", "public.old.n": "name"})
    assert kinds(p)[:2] == [
        "rename table public.old to new",
        "rename column public.new.n to name",
    ]
    assert sql_lines(p)[:2] == [
        "ALTER TABLE public.old RENAME TO new",
        "ALTER TABLE public.new RENAME COLUMN n TO name",
    ]
    assert not p.destructive
    # the primary key kept its old name (the server does not rename it with the table): the
    # same key under another name is renamed, not dropped and added
    assert kinds(p)[2:] == ["rename primary key public.new.old_pkey to new_pkey"]
    assert sql_lines(p)[2:] == ["ALTER TABLE public.new RENAME CONSTRAINT old_pkey TO new_pkey"]


def test_rename_hints_are_checked() -> None:
    assert parse_rename("public.t.a=b") == ("public.t.a", "b")
    for bad in ("t", "public.t", "public.t=", "public.t=x.y"):
        with pytest.raises(ConfigError):
            parse_rename(bad)
    with pytest.raises(ConfigError, match="not in the source"):
        plan("create table t (a int);", "create table u (a int);", renames={"public.x": "u"})
    with pytest.raises(ConfigError, match="already"):
        plan(
            "create table t (a int, b int);", "create table t (b int);", renames={"public.t.a": "b"}
        )
    assert invert_renames({"public.t": "u", "public.t.a": "b"}) == {
        "public.u": "t",
        "public.u.b": "a",
    }


# --------------------------------------------------------------------------- the plan object


def test_reverse_is_the_plan_back() -> None:
    a = "create table t (a int);"
    b = "create table t (a int, b text); create table u (x int);"
    p = plan(a, b)
    r = p.reverse()
    assert kinds(r) == ["drop table public.u", "drop column public.t.b"]
    assert r.source is p.target and r.target is p.source
    assert r.destructive and not p.destructive


def test_output_is_deterministic_and_json_serialisable() -> None:
    a = "create table t (a int); create table z (a int);"
    b = "create table t (a int, b int); create table y (a int); create index on t (b);"
    first = plan(a, b)
    assert first.sql() == plan(a, b).sql()
    data = json.loads(json.dumps(first.as_json()))
    assert data["destructive"] is True
    assert [o["kind"] for o in data["operations"]] == [
        "drop_table",
        "create_table",
        "add_column",
        "create_index",
    ]
    idx = data["operations"][-1]["statements"][0]
    assert idx == {
        "sql": "CREATE INDEX CONCURRENTLY t_b_idx ON public.t (b)",
        "transactional": False,
        "hazards": idx["hazards"],
    }
    assert "index_build" in {h["code"] for h in idx["hazards"]}


def test_expressions_compare_by_their_parse_tree_across_files() -> None:
    a = read_ddl("create table t (a int default (1 + 2), b text check (b <> ''));")
    b = read_ddl("\n\n  create table t (a int default (1 + 2), b text check (b <> ''));")
    assert a.tables["public.t"] == b.tables["public.t"]
    assert diff_schemas(a, b).is_empty


def test_pk_column_nullable_after_its_key_goes() -> None:
    a = "create table t (a int primary key);"
    b = "create table t (a int);"
    ops = kinds(plan(a, b))
    assert ops.index("drop primary key public.t.t_pkey") < ops.index("drop not null public.t.a")


def test_comment_grant_and_row_security_changes() -> None:
    a = "create table t (a int);"
    b = """create table t (a int); comment on table t is 'x'; comment on column t.a is 'y';
           alter table t enable row level security; grant select on t to public;"""
    assert kinds(plan(a, b)) == [
        "enable row level security on public.t",
        "comment on table public.t",
        "comment on column public.t.a",
        "grant SELECT on public.t to PUBLIC",
    ]
    assert "COMMENT ON TABLE public.t IS NULL" in sql_lines(plan(b, a))


def test_plans_from_models_built_in_code() -> None:
    # the planner works on any model, not only on parsed DDL
    pk = PrimaryKey(name="t_pkey", columns=("a",))
    t = Table(
        schema="public",
        name="t",
        columns=(Column(name="a", type=INT, nullable=False),),
        primary_key=pk,
    )
    a = read_ddl("")
    b = dataclasses.replace(a, tables=FrozenMap({"public.t": t}))
    p = diff_schemas(a, b)
    assert kinds(p) == ["create table public.t"]
    assert sql_lines(p) == [
        "CREATE TABLE public.t (\n    a integer NOT NULL,\n    CONSTRAINT t_pkey PRIMARY KEY (a)\n)"
    ]
    assert isinstance(Namespace(name="x"), Namespace)


def test_the_scripts_comment_heads_it_above_the_session_settings() -> None:
    """The comment that speaks for the whole script (run it in one transaction) is its first
    line, above the SETs, not between them and the first statement (#14: the header landed in
    the middle of the script)."""
    from dbdesign.diff.plan import ONE_TRANSACTION

    one = plan("create table t (a int);", "create table t (a int, b text);").sql().splitlines()
    assert one[:3] == [ONE_TRANSACTION, "SET lock_timeout = '5s';", "SET search_path = public;"]
    assert one.count(ONE_TRANSACTION) == 1
    plain = plan("create table t (a int);", "create table t (a int, b text);", safe=False)
    assert plain.sql().splitlines()[:2] == [ONE_TRANSACTION, "SET search_path = public;"]
    assert not plain.sql(comments=False).startswith("--")
    several = plan("create table t (a int);", "create table t (a int); create index i on t (a);")
    lines = several.sql().splitlines()
    assert lines[:2] == ["SET lock_timeout = '5s';", "SET search_path = public;"]
    assert lines[2].startswith("-- outside a transaction") or lines[2].startswith("-- transaction")
    assert ONE_TRANSACTION not in lines
