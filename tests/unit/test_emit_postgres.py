"""emit_schema() golden cases: model in, exact SQL out. No database needed."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

import pglast
import pytest
from hypothesis import HealthCheck, given, settings

from dbdesign.emit.postgres import HEADER, emit_drop_schema, emit_schema, quote_literal
from dbdesign.errors import DbdesignError
from dbdesign.model import (
    Argument,
    Check,
    Column,
    DataType,
    Domain,
    EnumType,
    Expr,
    ForeignKey,
    FrozenMap,
    Function,
    Generated,
    Grant,
    Identity,
    Index,
    IndexElement,
    Namespace,
    PartitionBy,
    Policy,
    PrimaryKey,
    Schema,
    Sequence,
    Table,
    Trigger,
    Unique,
    View,
)
from tests.strategies import PUBLIC_NAMESPACE, schemas

INT = DataType(name="integer")
TEXT = DataType(name="text")


def keyed(*objs: Any) -> FrozenMap[str, Any]:
    return FrozenMap({o.key: o for o in objs})


def named(*objs: Any) -> FrozenMap[str, Any]:
    return FrozenMap({o.name: o for o in objs})


def golden(text: str) -> str:
    return HEADER + "\n" + textwrap.dedent(text).lstrip("\n")


def body(script: str) -> str:
    """The script without the fixed header."""
    assert script.startswith(HEADER)
    return script[len(HEADER) :].lstrip("\n")


BLOG = Schema(
    namespaces=keyed(PUBLIC_NAMESPACE),
    sequences=keyed(
        Sequence(schema="public", name="user_id_seq", type=INT, owned_by="public.user.id")
    ),
    tables=keyed(
        Table(
            schema="public",
            name="user",
            columns=(
                Column(
                    name="id",
                    type=INT,
                    nullable=False,
                    default=Expr("nextval('public.user_id_seq'::regclass)"),
                ),
                Column(
                    name="Email",
                    type=DataType(name="character varying", args=(255,)),
                    nullable=False,
                ),
                Column(
                    name="created",
                    type=DataType(name="timestamp with time zone", args=(3,)),
                    default=Expr("now()"),
                ),
            ),
            primary_key=PrimaryKey(name="user_pkey", columns=("id",)),
            uniques=named(Unique(name="user_Email_key", columns=("Email",))),
            comment="people",
        ),
        Table(
            schema="public",
            name="post",
            columns=(
                Column(
                    name="id", type=DataType(name="bigint"), nullable=False, identity=Identity()
                ),
                Column(name="author", type=INT, nullable=False),
                Column(name="words", type=INT, generated=Generated(expr=Expr("0"))),
            ),
            primary_key=PrimaryKey(name="post_pkey", columns=("id",)),
            checks=named(Check(name="post_words_check", expr=Expr("words >= 0"))),
            foreign_keys=named(
                ForeignKey(
                    name="post_author_fkey",
                    columns=("author",),
                    ref_table="public.user",
                    ref_columns=("id",),
                    on_delete="CASCADE",
                )
            ),
        ),
    ),
    indexes=keyed(
        Index(
            name="post_author_idx",
            schema="public",
            table="post",
            elements=(IndexElement(column="author"),),
        )
    ),
    views=keyed(
        View(schema="public", name="authors", query=Expr("SELECT DISTINCT author FROM public.post"))
    ),
)


def test_golden_blog() -> None:
    assert emit_schema(BLOG) == golden("""
        CREATE SEQUENCE public.user_id_seq AS integer;

        CREATE TABLE public.post (
            id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
            author integer NOT NULL,
            words integer GENERATED ALWAYS AS (0) STORED,
            CONSTRAINT post_pkey PRIMARY KEY (id),
            CONSTRAINT post_words_check CHECK (words >= 0)
        );

        CREATE TABLE public."user" (
            id integer DEFAULT nextval('public.user_id_seq'::regclass) NOT NULL,
            "Email" character varying(255) NOT NULL,
            created timestamp(3) with time zone DEFAULT now(),
            CONSTRAINT user_pkey PRIMARY KEY (id),
            CONSTRAINT "user_Email_key" UNIQUE ("Email")
        );
        COMMENT ON TABLE public."user" IS 'people';

        ALTER SEQUENCE public.user_id_seq OWNED BY public."user".id;

        CREATE INDEX post_author_idx ON public.post (author);

        ALTER TABLE public.post ADD CONSTRAINT post_author_fkey FOREIGN KEY (author) \
REFERENCES public."user" (id) ON DELETE CASCADE;

        CREATE VIEW public.authors AS
        SELECT DISTINCT author FROM public.post;
        """)


def test_golden_blog_drop() -> None:
    assert emit_drop_schema(BLOG) == textwrap.dedent("""\
        DROP VIEW public.authors;

        ALTER TABLE public.post DROP CONSTRAINT post_author_fkey;

        DROP INDEX public.post_author_idx;

        DROP TABLE public."user";

        DROP TABLE public.post;

        DROP SEQUENCE IF EXISTS public.user_id_seq;
        """)


def test_deterministic_whatever_the_insertion_order() -> None:
    reordered = Schema(
        namespaces=BLOG.namespaces,
        tables=FrozenMap(reversed(list(BLOG.tables.items()))),
        views=BLOG.views,
        indexes=BLOG.indexes,
        sequences=BLOG.sequences,
    )
    assert emit_schema(reordered) == emit_schema(BLOG)


def test_types_sequences_and_domains() -> None:
    s = Schema(
        namespaces=keyed(
            Namespace(
                name="Shop",
                comment="it's ours",
                grants=frozenset({Grant(grantee="Clerk", privilege="USAGE")}),
            )
        ),
        enums=keyed(EnumType(schema="Shop", name="state", values=("new", "it's done"))),
        domains=keyed(
            Domain(
                schema="Shop",
                name="qty",
                type=INT,
                nullable=False,
                default=Expr("1"),
                collation=None,
                checks=named(
                    Check(name="qty_check", expr=Expr("VALUE > 0")),
                    Check(name="qty_max", expr=Expr("VALUE < 100"), validated=False),
                ),
            )
        ),
        sequences=keyed(
            Sequence(
                schema="Shop", name="down", type=DataType(name="smallint"), start=-1, increment=-1
            ),
            Sequence(
                schema="Shop",
                name="odd",
                start=7,
                increment=2,
                min_value=1,
                max_value=99,
                cache=20,
                cycle=True,
            ),
        ),
    )
    assert body(emit_schema(s)) == textwrap.dedent("""\
        CREATE SCHEMA "Shop";
        COMMENT ON SCHEMA "Shop" IS 'it''s ours';
        GRANT USAGE ON SCHEMA "Shop" TO "Clerk";

        CREATE DOMAIN "Shop".qty AS integer DEFAULT 1 NOT NULL CONSTRAINT qty_check CHECK \
(VALUE > 0);
        ALTER DOMAIN "Shop".qty ADD CONSTRAINT qty_max CHECK (VALUE < 100) NOT VALID;

        CREATE TYPE "Shop".state AS ENUM ('new', 'it''s done');

        CREATE SEQUENCE "Shop".down AS smallint INCREMENT BY -1;

        CREATE SEQUENCE "Shop".odd START WITH 7 INCREMENT BY 2 MINVALUE 1 MAXVALUE 99 CACHE 20 \
CYCLE;
        """)


def test_public_namespace_only_when_it_differs_from_the_default() -> None:
    assert body(emit_schema(Schema(namespaces=keyed(PUBLIC_NAMESPACE)))) == ""
    changed = Namespace(
        name="public", comment=None, grants=frozenset({Grant(grantee="app", privilege="CREATE")})
    )
    assert body(emit_schema(Schema(namespaces=keyed(changed)))) == textwrap.dedent("""\
        COMMENT ON SCHEMA public IS NULL;
        REVOKE USAGE ON SCHEMA public FROM PUBLIC;
        GRANT CREATE ON SCHEMA public TO app;
        """)
    assert emit_drop_schema(Schema(namespaces=keyed(changed))) == textwrap.dedent("""\
        COMMENT ON SCHEMA public IS 'standard public schema';
        REVOKE CREATE ON SCHEMA public FROM app;
        GRANT USAGE ON SCHEMA public TO PUBLIC;
        """)


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("now()", "DEFAULT now()"),
        ("'a'::text", "DEFAULT 'a'::text"),
        ("1 + 2", "DEFAULT 1 + 2"),
        ("true AND false", "DEFAULT (true AND false)"),
        ("'a' COLLATE \"C\"", "DEFAULT ('a' COLLATE \"C\")"),
        ("x IS NULL", "DEFAULT (x IS NULL)"),
    ],
)
def test_defaults_are_parenthesised_only_when_needed(text: str, sql: str) -> None:
    t = Table(schema="public", name="t", columns=(Column(name="c", type=INT, default=Expr(text)),))
    assert f"c integer {sql}\n" in emit_schema(Schema(tables=keyed(t)))


def test_dollar_tag_avoids_the_body() -> None:
    fn = Function(
        schema="public",
        name="f",
        returns="text",
        language="plpgsql",
        body="BEGIN RETURN '$body$ and $body1$'; END",
    )
    sql = emit_schema(Schema(functions=keyed(fn)))
    assert "AS $body2$BEGIN RETURN '$body$ and $body1$'; END$body2$;" in sql
    pglast.parse_sql(sql)
    # a body ending in "$body" would run into the closing "$body$"
    fn2 = Function(schema="public", name="g", returns="text", body="SELECT 'x' -- $body")
    assert "AS $body1$SELECT 'x' -- $body$body1$;" in emit_schema(Schema(functions=keyed(fn2)))
    fn3 = Function(schema="public", name="h", returns="text", body="SELECT 'x$body'")
    assert "AS $body$SELECT 'x$body'$body$;" in emit_schema(Schema(functions=keyed(fn3)))


def test_function_attributes() -> None:
    fn = Function(
        schema="public",
        name="Fmt",
        arguments=(
            Argument(name="n", type="integer"),
            Argument(name="sep", type="character varying", default=Expr("','")),
            Argument(name="out", type="text", mode="OUT"),
        ),
        returns="text",
        language="plpgsql",
        body="BEGIN out := n::text; END",
        volatility="STABLE",
        strict=True,
        security_definer=True,
        parallel="SAFE",
        config=('search_path="$user", public', "work_mem=64MB"),
        grants=frozenset({Grant(grantee="PUBLIC", privilege="EXECUTE")}),
        comment="fmt",
    )
    assert body(emit_schema(Schema(functions=keyed(fn)))) == textwrap.dedent("""\
        CREATE FUNCTION public."Fmt"(n integer, sep character varying DEFAULT ',', OUT "out" \
text) RETURNS text
            LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
            SET search_path TO '$user', 'public'
            SET work_mem TO '64MB'
        AS $body$BEGIN out := n::text; END$body$;
        COMMENT ON FUNCTION public."Fmt"(integer, character varying) IS 'fmt';
        GRANT EXECUTE ON FUNCTION public."Fmt"(integer, character varying) TO PUBLIC;
        """)


def test_partitions_and_inheritance() -> None:
    cols = (
        Column(name="d", type=DataType(name="date"), nullable=False),
        Column(name="v", type=INT, default=Expr("0")),
    )
    parent = Table(
        schema="public",
        name="m",
        columns=cols,
        partition_by=PartitionBy(strategy="RANGE", elements=(IndexElement(column="d"),)),
    )
    part = Table(
        schema="public",
        name="m_2024",
        columns=(cols[0], Column(name="v", type=INT, nullable=False, default=Expr("1"))),
        primary_key=PrimaryKey(name="m_2024_pkey", columns=("d",)),
        partition_of="public.m",
        partition_bound=Expr("FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
    )
    base = Table(
        schema="public",
        name="base",
        columns=(Column(name="id", type=INT),),
        checks=named(Check(name="base_id_check", expr=Expr("id > 0"))),
    )
    child = Table(
        schema="public",
        name="child",
        columns=(Column(name="id", type=INT), Column(name="x", type=TEXT)),
        checks=named(Check(name="base_id_check", expr=Expr("id > 0"))),
        inherits=("public.base",),
    )
    out = body(emit_schema(Schema(tables=keyed(parent, part, base, child))))
    assert out == textwrap.dedent("""\
        CREATE TABLE public.base (
            id integer,
            CONSTRAINT base_id_check CHECK (id > 0)
        );

        CREATE TABLE public.child (
            x text
        ) INHERITS (public.base);

        CREATE TABLE public.m (
            d date NOT NULL,
            v integer DEFAULT 0
        ) PARTITION BY RANGE (d);

        CREATE TABLE public.m_2024 PARTITION OF public.m FOR VALUES FROM ('2024-01-01') TO \
('2025-01-01');
        ALTER TABLE public.m_2024 ALTER COLUMN v SET DEFAULT 1;
        ALTER TABLE public.m_2024 ALTER COLUMN v SET NOT NULL;
        ALTER TABLE public.m_2024 ADD CONSTRAINT m_2024_pkey PRIMARY KEY (d);
        """)


def test_dependencies_decide_the_order() -> None:
    # z_base is read by a_view; f (SQL, reads t) is preferred after t; g is called by t's default
    # so it must come first even though t is what it reads.
    t = Table(
        schema="public",
        name="t",
        columns=(
            Column(name="a", type=INT, default=Expr("public.g()")),
            Column(name="m", type=DataType(name="public.mood")),
        ),
    )
    s = Schema(
        enums=keyed(EnumType(schema="public", name="mood", values=("ok",))),
        tables=keyed(t),
        functions=keyed(
            Function(
                schema="public", name="f", returns="bigint", body="SELECT count(*) FROM public.t"
            ),
            Function(
                schema="public", name="g", returns="integer", body="SELECT count(*)::integer FROM t"
            ),
        ),
        views=keyed(
            View(schema="public", name="a_view", query=Expr("SELECT * FROM z_base")),
            View(schema="public", name="z_base", query=Expr("SELECT a, public.f() FROM public.t")),
        ),
    )
    out = emit_schema(s)
    order = [
        line.split(" (")[0].split(" RETURNS")[0]
        for line in out.splitlines()
        if line.startswith("CREATE")
    ]
    assert order == [
        "CREATE TYPE public.mood AS ENUM",
        "CREATE FUNCTION public.g()",
        "CREATE TABLE public.t",
        "CREATE FUNCTION public.f()",
        "CREATE VIEW public.z_base AS",
        "CREATE VIEW public.a_view AS",
    ]


def test_view_cycle_is_an_error() -> None:
    s = Schema(
        views=keyed(
            View(schema="public", name="a", query=Expr("SELECT * FROM b")),
            View(schema="public", name="b", query=Expr("SELECT * FROM a")),
        )
    )
    with pytest.raises(DbdesignError, match="dependency cycle"):
        emit_schema(s)


def test_search_path_follows_expression_schema() -> None:
    t = Table(
        schema="app",
        name="t",
        columns=(Column(name="a", type=INT, default=Expr("nextval('s'::regclass)", schema="app")),),
    )
    s = Schema(
        namespaces=keyed(Namespace(name="app")),
        sequences=keyed(Sequence(schema="app", name="s")),
        tables=keyed(t),
        views=keyed(View(schema="public", name="v", query=Expr("SELECT 1 AS one"))),
    )
    assert body(emit_schema(s)) == textwrap.dedent("""\
        CREATE SCHEMA app;

        CREATE SEQUENCE app.s;

        SET search_path = app, public;
        CREATE TABLE app.t (
            a integer DEFAULT nextval('s'::regclass)
        );

        SET search_path = public;
        CREATE VIEW public.v AS
        SELECT 1 AS one;
        """)


def test_indexes_triggers_policies() -> None:
    t = Table(
        schema="public",
        name="t",
        columns=(Column(name="a", type=INT), Column(name="b", type=TEXT)),
        rls_enabled=True,
        rls_forced=True,
        grants=frozenset(
            {
                Grant(grantee="r", privilege="SELECT"),
                Grant(grantee="r", privilege="INSERT"),
                Grant(grantee="w", privilege="DELETE", grantable=True),
            }
        ),
    )
    s = Schema(
        tables=keyed(t),
        functions=keyed(
            Function(
                schema="public",
                name="trg",
                returns="trigger",
                language="plpgsql",
                body="BEGIN RETURN NEW; END",
            )
        ),
        indexes=keyed(
            Index(
                name="t_b",
                schema="public",
                table="t",
                unique=True,
                elements=(
                    IndexElement(column="b", descending=True),
                    IndexElement(
                        expr=Expr("lower(b)"),
                        nulls_first=True,
                        collation="C",
                        opclass="text_pattern_ops",
                    ),
                ),
                include=("a",),
                nulls_not_distinct=True,
                where=Expr("a > 0"),
            )
        ),
        triggers=keyed(
            Trigger(
                schema="public",
                table="t",
                name="t_trg",
                timing="BEFORE",
                events=("INSERT", "UPDATE"),
                columns=("a",),
                level="ROW",
                function="public.trg",
                arguments=("x",),
                when=Expr("NEW.a > 0"),
                enabled="R",
            )
        ),
        policies=keyed(
            Policy(
                schema="public",
                table="t",
                name="p",
                command="SELECT",
                permissive=False,
                roles=("r", "Other Role"),
                using=Expr("a > 0"),
            )
        ),
    )
    out = body(emit_schema(s))
    assert out == textwrap.dedent("""\
        CREATE FUNCTION public.trg() RETURNS trigger
            LANGUAGE plpgsql
        AS $body$BEGIN RETURN NEW; END$body$;

        CREATE TABLE public.t (
            a integer,
            b text
        );
        ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;
        ALTER TABLE public.t FORCE ROW LEVEL SECURITY;
        GRANT INSERT, SELECT ON TABLE public.t TO r;
        GRANT DELETE ON TABLE public.t TO w WITH GRANT OPTION;

        CREATE UNIQUE INDEX t_b ON public.t (b DESC, (lower(b)) COLLATE "C" text_pattern_ops \
NULLS FIRST) INCLUDE (a) NULLS NOT DISTINCT WHERE (a > 0);

        CREATE TRIGGER t_trg BEFORE INSERT OR UPDATE OF a ON public.t FOR EACH ROW WHEN \
(NEW.a > 0) EXECUTE FUNCTION public.trg('x');
        ALTER TABLE public.t ENABLE REPLICA TRIGGER t_trg;

        CREATE POLICY p ON public.t AS RESTRICTIVE FOR SELECT TO r, "Other Role" USING (a > 0);
        """)
    pglast.parse_sql(out)


def test_quote_literal() -> None:
    assert quote_literal("it's") == "'it''s'"
    assert quote_literal("a\\b") == "'a\\b'"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(schemas())
def test_generated_models_emit_parsable_deterministic_sql(model: Schema) -> None:
    script = emit_schema(model)
    assert emit_schema(model) == script
    pglast.parse_sql(script)
    pglast.parse_sql(emit_drop_schema(model) or "SELECT 1")
    # every table, and nothing twice
    creates = [ln for ln in script.splitlines() if ln.startswith("CREATE TABLE")]
    assert len(creates) == len(model.tables)


def test_sub_partitions_leave_out_what_ancestors_give() -> None:
    cols = (Column(name="k", type=INT, nullable=False), Column(name="c", type=TEXT))
    top = Table(
        schema="public",
        name="top",
        columns=cols,
        primary_key=PrimaryKey(name="top_pkey", columns=("k", "c")),
        checks=named(Check(name="top_k_check", expr=Expr("k > 0"))),
        foreign_keys=named(
            ForeignKey(
                name="top_k_fkey", columns=("k",), ref_table="public.ref", ref_columns=("k",)
            )
        ),
        partition_by=PartitionBy(strategy="RANGE", elements=(IndexElement(column="k"),)),
    )
    mid = Table(
        schema="public",
        name="mid",
        columns=cols,
        partition_of="public.top",
        partition_bound=Expr("FOR VALUES FROM (1) TO (10)"),
        partition_by=PartitionBy(strategy="LIST", elements=(IndexElement(column="c"),)),
    )
    # a model that lists what the server clones (another reader's convention) still loads
    leaf = Table(
        schema="public",
        name="leaf",
        columns=cols,
        partition_of="public.mid",
        partition_bound=Expr("DEFAULT"),
        primary_key=PrimaryKey(name="leaf_pkey", columns=("k", "c")),
        checks=top.checks,
        foreign_keys=top.foreign_keys,
    )
    ref = Table(
        schema="public",
        name="ref",
        columns=(Column(name="k", type=INT, nullable=False),),
        primary_key=PrimaryKey(name="ref_pkey", columns=("k",)),
    )
    out = body(emit_schema(Schema(tables=keyed(top, mid, leaf, ref))))
    assert "CREATE TABLE public.leaf PARTITION OF public.mid DEFAULT;\n\n" in out
    assert out.count("FOREIGN KEY") == 1
    assert out.count("CHECK") == 1


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(schemas())
def test_ddl_reader_reads_emitted_scripts_back(model: Schema) -> None:
    """read_ddl(emit_schema(s)) == s: the emitter and the DDL reader agree, no server needed.

    Sequence CYCLE is compared as False on both sides: the DDL reader does not read it yet.
    """
    from dbdesign.readers.ddl.postgres import read_ddl

    def no_cycle(s: Schema) -> Schema:
        return dataclasses.replace(
            s,
            sequences=FrozenMap(
                {k: dataclasses.replace(v, cycle=False) for k, v in s.sequences.items()}
            ),
        )

    got = read_ddl(emit_schema(model), file="emitted.sql")
    assert no_cycle(got) == no_cycle(model)
