"""emit_schema() against real servers: every object kind, built by hand, loads and is what we asked.

Servers: the embedded PostgreSQL 16 (pgserver) and the server in ``DBDESIGN_TEST_PG_URL`` (the
machine's PostgreSQL 15), through the ``pg_scratch``/``pg_urls`` fixtures of tests/conftest.py.
Each test works in its own scratch database. Round trips read the loaded database back with the
catalog reader and compare with the model: ``read_catalog(load(emit(s))) == s``.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings

from dbdesign import engine
from dbdesign.dialects.postgres import qualified
from dbdesign.emit.postgres import emit_drop_schema, emit_schema
from dbdesign.model import (
    Argument,
    Check,
    Column,
    CompositeType,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    ExclusionElement,
    Expr,
    Extension,
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
    Rule,
    Schema,
    Sequence,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.readers.catalog.postgres import read_catalog
from tests.integration.test_convergence import assert_same, routed_url
from tests.paths import PG_CORPUS
from tests.pgload import load_sql
from tests.strategies import PUBLIC_NAMESPACE, schemas

ROLE = "dbdesign_emit_reader"

INT = DataType(name="integer")
BIGINT = DataType(name="bigint")
TEXT = DataType(name="text")
NUMERIC = DataType(name="numeric", args=(10, 2))
TSTZ = DataType(name="timestamp with time zone")


@pytest.fixture
def scratch(pg_scratch: str) -> str:
    """A fresh database on each test server (tests/conftest.py), with our test role present."""
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(f"""DO $$ BEGIN CREATE ROLE {ROLE};
                         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")
    return pg_scratch


def load(url: str, script: str) -> None:
    """Run a whole emitted script as one simple query (one implicit transaction)."""
    with engine.connect(url, autocommit=True) as conn:
        conn.execute(script.encode())


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect(url) as conn:
        return conn.execute(sql.encode()).fetchall()


def one(url: str, sql: str) -> Any:
    rows = query(url, sql)
    assert len(rows) == 1, rows
    return rows[0][0]


def _keyed(*objs: Any) -> FrozenMap[str, Any]:
    return FrozenMap({o.key: o for o in objs})


def _named(*objs: Any) -> FrozenMap[str, Any]:
    return FrozenMap({o.name: o for o in objs})


def _available_extension(url: str) -> str:
    """An extension the server has, for the model's extension objects (citext on the machine's
    PostgreSQL 15, vector on the embedded 16). A server with neither fails the test: the
    extension objects must never silently drop out of the model under test."""
    names = {r[0] for r in query(url, "SELECT name FROM pg_available_extensions")}
    found = next((n for n in ("citext", "vector") if n in names), None)
    if found is None:
        pytest.fail("the server has neither citext nor vector (contrib or pgvector)", pytrace=False)
    return found


# --------------------------------------------------------------------------- the big model


def everything(extension: str | None) -> Schema:
    """One object of every kind, with the awkward options each kind has."""
    app = "app"
    weird = "Weird Schema"
    grant_sel = frozenset({Grant(grantee=ROLE, privilege="SELECT")})
    namespaces = _keyed(
        Namespace(
            name="public",
            comment="the public schema, renamed",
            grants=frozenset(
                {
                    Grant(grantee="PUBLIC", privilege="USAGE"),
                    Grant(grantee=ROLE, privilege="CREATE"),
                }
            ),
        ),
        Namespace(
            name=app,
            comment="application",
            grants=frozenset({Grant(grantee=ROLE, privilege="USAGE", grantable=True)}),
        ),
        Namespace(name=weird),
        *([Namespace(name="ext")] if extension else []),
    )
    extensions = _keyed(Extension(name=extension, schema="ext")) if extension else FrozenMap()
    mood = EnumType(
        schema=app, name="mood", values=("sad", "it's ok", "happy"), comment="how it feels"
    )
    positive = Domain(
        schema=app,
        name="positive_int",
        type=INT,
        nullable=False,
        default=Expr("1"),
        checks=_named(
            Check(name="positive_int_check", expr=Expr("VALUE > 0"), comment="> 0"),
            Check(name="small", expr=Expr("VALUE < 1000000"), validated=False),
        ),
        comment="a positive integer",
    )
    code = Domain(
        schema=weird, name="Code", type=DataType(name="character varying", args=(8,)), collation="C"
    )
    address = CompositeType(
        schema=app,
        name="address",
        attributes=(
            ("street", TEXT),
            ("Zip", DataType(name="character", args=(5,))),
            ("tags", DataType(name="text", array_dims=1)),
        ),
        comment="postal",
    )

    sequences = _keyed(
        Sequence(
            schema=app,
            name="ticket_no",
            type=INT,
            start=100,
            increment=5,
            min_value=100,
            max_value=1000000,
            cache=10,
            cycle=True,
            comment="tickets",
            grants=frozenset({Grant(grantee=ROLE, privilege="USAGE")}),
        ),
        Sequence(schema=app, name="items_id_seq", type=INT, owned_by="app.items.id"),
        Sequence(schema=app, name="countdown", start=-1, increment=-1),
    )

    functions = _keyed(
        Function(
            schema=app,
            name="touch",
            returns="trigger",
            language="plpgsql",
            body="\nBEGIN\n  NEW.updated := now();\n  RETURN NEW;\nEND;\n",
            comment="trigger function",
        ),
        Function(
            schema=app,
            name="guard",
            returns="trigger",
            language="plpgsql",
            body="BEGIN RETURN NULL; END;",
        ),
        Function(
            schema=app,
            name="is_positive",
            arguments=(Argument(name="n", type="numeric"),),
            returns="boolean",
            body="SELECT n > 0",
            volatility="IMMUTABLE",
            strict=True,
            parallel="SAFE",
            leakproof=True,
        ),
        Function(
            schema=app,
            name="item_count",
            returns="bigint",
            body="SELECT count(*) FROM app.items",
            volatility="STABLE",
            grants=frozenset({Grant(grantee=ROLE, privilege="EXECUTE")}),
        ),
        Function(
            schema=app,
            name="item_total",
            returns="numeric",
            # SQL-standard bodies compare as text: the server's spelling
            body="BEGIN ATOMIC\n SELECT sum(items.price) AS sum\n    FROM app.items;\nEND",
            volatility="STABLE",
        ),
        Function(
            schema=app,
            name="add_tax",
            arguments=(
                Argument(name="amount", type="numeric"),
                Argument(name="rate", type="numeric", default=Expr("0.2")),
            ),
            returns="numeric",
            body="RETURN (amount * ((1)::numeric + rate))",
            volatility="IMMUTABLE",
        ),
        Function(
            schema=app,
            name="dollars",
            arguments=(Argument(name="x", type="integer"),),
            returns="text",
            language="plpgsql",
            body="BEGIN RETURN '$body$' || x::text; END;",
            config=("search_path=pg_catalog, app",),
            security_definer=True,
        ),
        Function(
            schema=app,
            name="split",
            arguments=(
                Argument(name="v", type="integer"),
                Argument(name="lo", type="integer", mode="OUT"),
                Argument(name="hi", type="integer", mode="OUT"),
            ),
            returns="record",
            body="SELECT v / 2, v - v / 2",
        ),
        Function(
            schema=app,
            name="moods",
            arguments=(Argument(name="m", type="app.mood", mode="TABLE"),),
            returns="TABLE(m app.mood)",
            body="SELECT unnest(enum_range(NULL::app.mood))",
        ),
        Function(
            schema=app,
            name="total",
            arguments=(Argument(name="xs", type="integer[]", mode="VARIADIC"),),
            returns="integer",
            body="SELECT sum(x)::integer FROM unnest(xs) AS x",
        ),
        Function(
            schema=app,
            name="log_it",
            arguments=(Argument(name="msg", type="text"),),
            kind="procedure",
            language="plpgsql",
            returns=None,
            body="BEGIN RAISE NOTICE '%', msg; END;",
            comment="a procedure",
            grants=frozenset({Grant(grantee=ROLE, privilege="EXECUTE")}),
        ),
        Function(
            schema=app,
            name="add_int",
            arguments=(Argument(name=None, type="integer"), Argument(name=None, type="integer")),
            returns="integer",
            body="SELECT $1 + $2",
            volatility="IMMUTABLE",
        ),
        Function(
            schema=app,
            name="sum_int",
            arguments=(Argument(name=None, type="integer"),),
            kind="aggregate",
            returns="integer",
            language="internal",
            volatility="IMMUTABLE",
            body="SFUNC = app.add_int, STYPE = integer, INITCOND = '0'",
            comment="an aggregate",
        ),
    )

    items = Table(
        schema=app,
        name="items",
        columns=(
            Column(
                name="id",
                type=INT,
                nullable=False,
                default=Expr("nextval('app.items_id_seq'::regclass)"),
            ),
            Column(name="name", type=TEXT, nullable=False, collation="C", comment="item name"),
            Column(name="price", type=NUMERIC, default=Expr("0")),
            Column(
                name="price_with_tax", type=NUMERIC, generated=Generated(expr=Expr("price * 1.2"))
            ),
            Column(name="qty", type=DataType(name="app.positive_int")),
            Column(name="mood", type=DataType(name="app.mood"), default=Expr("'happy'")),
            Column(name="ship_to", type=DataType(name="app.address")),
            Column(name="ticket", type=INT, default=Expr("nextval('app.ticket_no'::regclass)")),
            Column(name="Order", type=DataType(name="Weird Schema.Code")),
            Column(name="updated", type=TSTZ, default=Expr("now()")),
            Column(
                name="tags", type=DataType(name="text", array_dims=1), default=Expr("'{}'::text[]")
            ),
            Column(name="flag", type=DataType(name="boolean"), default=Expr("true AND false")),
            *(
                [
                    Column(
                        name="ext_val",
                        type=DataType(
                            name="ext.citext" if extension == "citext" else "ext.vector",
                            args=() if extension == "citext" else (3,),
                        ),
                    )
                ]
                if extension
                else []
            ),
        ),
        primary_key=PrimaryKey(
            name="items_pkey", columns=("id",), include=("name",), comment="the key"
        ),
        uniques=_named(
            Unique(name="items_name_key", columns=("name", "mood"), nulls_not_distinct=True)
        ),
        checks=_named(
            Check(name="items_price_check", expr=Expr("app.is_positive(price)"), comment="priced"),
            Check(name="items_name_check", expr=Expr("char_length(name) > 0"), validated=False),
            # Comparing a domain-typed column casts it to the base type; written as the server
            # prints it, since the normaliser does not add implicit casts.
            Check(name="items_qty_check", expr=Expr("(qty)::integer < 1000"), no_inherit=True),
        ),
        options=("fillfactor=70",),
        rls_enabled=True,
        rls_forced=True,
        grants=frozenset(
            {
                Grant(grantee=ROLE, privilege="SELECT"),
                Grant(grantee=ROLE, privilege="UPDATE", grantable=True),
            }
        ),
        comment="things we sell",
    )
    orders = Table(
        schema=app,
        name="orders",
        columns=(
            Column(
                name="id",
                type=BIGINT,
                nullable=False,
                identity=Identity(always=False, start=10, increment=2, cache=5),
            ),
            Column(name="item", type=INT, nullable=False),
            Column(name="item_name", type=TEXT),
            Column(name="item_mood", type=DataType(name="app.mood")),
            Column(name="parent", type=BIGINT),
            Column(name="during", type=DataType(name="tstzrange")),
            Column(name="room", type=INT),
            Column(name="ticket", type=INT),
        ),
        primary_key=PrimaryKey(name="orders_pkey", columns=("id",)),
        uniques=_named(
            Unique(
                name="orders_room_key",
                columns=("room", "during"),
                deferrable=True,
                initially_deferred=True,
            )
        ),
        foreign_keys=_named(
            ForeignKey(
                name="orders_item_fkey",
                columns=("item",),
                ref_table="app.items",
                ref_columns=("id",),
                on_delete="CASCADE",
                comment="which item",
            ),
            ForeignKey(
                name="orders_item_name_fkey",
                columns=("item_name", "item_mood"),
                ref_table="app.items",
                ref_columns=("name", "mood"),
                match="FULL",
                on_update="SET NULL",
                deferrable=True,
                initially_deferred=True,
            ),
            ForeignKey(
                name="orders_parent_fkey",
                columns=("parent",),
                ref_table="app.orders",
                ref_columns=("id",),
                validated=False,
            ),
            ForeignKey(
                name="orders_ticket_fkey",
                columns=("ticket",),
                ref_table="Weird Schema.Ticket Book",
                ref_columns=("no",),
                on_delete="SET DEFAULT",
            ),
        ),
        exclusions=_named(
            Exclusion(
                name="orders_room_excl",
                method="gist",
                elements=(ExclusionElement(element=IndexElement(column="during"), operator="&&"),),
                where=Expr("room IS NOT NULL"),
                comment="no double booking",
            )
        ),
    )
    # A key resting on a unique index, not a constraint; the referencing FK must come after it.
    ticket_book = Table(
        schema=weird, name="Ticket Book", columns=(Column(name="no", type=INT, nullable=False),)
    )
    measurements = Table(
        schema=app,
        name="measurements",
        columns=(
            Column(name="taken", type=DataType(name="date"), nullable=False),
            Column(name="city", type=TEXT, nullable=False),
            Column(name="value", type=NUMERIC, default=Expr("0")),
        ),
        primary_key=PrimaryKey(name="measurements_pkey", columns=("taken", "city")),
        checks=_named(Check(name="measurements_value_check", expr=Expr("value >= 0"))),
        partition_by=PartitionBy(strategy="RANGE", elements=(IndexElement(column="taken"),)),
    )
    m2024 = Table(
        schema=app,
        name="measurements_2024",
        columns=(
            Column(name="taken", type=DataType(name="date"), nullable=False),
            Column(name="city", type=TEXT, nullable=False),
            Column(name="value", type=NUMERIC, nullable=False, default=Expr("1")),
        ),
        # the parent's check is inherited: not listed (as the catalog does not list it)
        checks=_named(Check(name="m2024_city_check", expr=Expr("city <> ''"))),
        partition_of="app.measurements",
        partition_bound=Expr("FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
        comment="one year",
    )
    m2025 = Table(
        schema=app,
        name="measurements_2025",
        columns=(
            Column(name="taken", type=DataType(name="date"), nullable=False),
            Column(name="city", type=TEXT, nullable=False),
            Column(name="value", type=NUMERIC, default=Expr("0")),
        ),
        partition_of="app.measurements",
        partition_bound=Expr("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"),
        partition_by=PartitionBy(strategy="LIST", elements=(IndexElement(column="city"),)),
    )
    m2025_x = Table(
        schema=app,
        name="measurements_2025_rest",
        columns=m2025.columns,
        partition_of="app.measurements_2025",
        partition_bound=Expr("DEFAULT"),
    )
    base = Table(
        schema=app,
        name="base",
        columns=(
            Column(name="id", type=INT, nullable=False),
            Column(name="note", type=TEXT, default=Expr("'base'")),
        ),
        primary_key=PrimaryKey(name="base_pkey", columns=("id",)),
        checks=_named(Check(name="base_id_check", expr=Expr("id > 0"))),
    )
    child = Table(
        schema=app,
        name="child",
        columns=(
            Column(name="id", type=INT, nullable=False),
            Column(
                name="note",
                type=TEXT,
                nullable=False,
                default=Expr("'child'"),
                comment="inherited, but NOT NULL here",
            ),
            Column(name="extra", type=DataType(name="jsonb")),
        ),
        primary_key=PrimaryKey(name="child_pkey", columns=("id",)),
        checks=_named(Check(name="child_extra_check", expr=Expr("extra IS NOT NULL"))),
        inherits=("app.base",),
    )
    log = Table(
        schema=app,
        name="log",
        unlogged=True,
        columns=(
            Column(name="at", type=TSTZ, default=Expr("now()")),
            Column(name="what", type=TEXT),
        ),
    )

    views = _keyed(
        # "a_summary" reads "z_items" (a view created later in key order).
        View(
            schema=app,
            name="a_summary",
            query=Expr("SELECT count(*) AS n, app.item_count() AS total FROM app.z_items"),
            comment="summary",
            grants=grant_sel,
        ),
        View(
            schema=app,
            name="z_items",
            query=Expr("SELECT id AS item_id, name AS item_name FROM app.items WHERE price > 0"),
            check_option="CASCADED",
            options=("security_barrier=true",),
            column_comments=FrozenMap({"item_name": "the name"}),
        ),
        View(
            schema=app,
            name="m_totals",
            materialized=True,
            query=Expr("SELECT mood, sum(price) AS total FROM app.items GROUP BY mood"),
            comment="materialised",
        ),
        View(schema=app, name="unqualified", query=Expr("SELECT at FROM log", schema=app)),
    )
    indexes = _keyed(
        Index(
            name="items_lower_name_idx",
            schema=app,
            table="items",
            elements=(IndexElement(expr=Expr("lower(name)")),),
            comment="by lower name",
        ),
        Index(
            name="items_price_idx",
            schema=app,
            table="items",
            elements=(
                IndexElement(column="price", descending=True, nulls_first=False),
                IndexElement(column="name", opclass="text_pattern_ops"),
            ),
            include=("qty",),
            where=Expr("price > 0"),
        ),
        Index(
            name="items_tags_idx",
            schema=app,
            table="items",
            method="gin",
            elements=(IndexElement(column="tags"),),
        ),
        Index(
            name="items_ticket_key",
            schema=app,
            table="items",
            unique=True,
            nulls_not_distinct=True,
            elements=(IndexElement(column="ticket"),),
        ),
        Index(
            name="Ticket Book_no_idx",
            schema=weird,
            table="Ticket Book",
            unique=True,
            elements=(IndexElement(column="no", collation=None),),
        ),
        Index(
            name="m_totals_mood_idx",
            schema=app,
            table="m_totals",
            unique=True,
            elements=(IndexElement(column="mood", nulls_first=True),),
        ),
        Index(
            name="measurements_city_idx",
            schema=app,
            table="measurements",
            elements=(IndexElement(column="city", collation="C"),),
        ),
    )
    triggers = _keyed(
        Trigger(
            schema=app,
            table="items",
            name="items_touch",
            timing="BEFORE",
            events=("INSERT", "UPDATE"),
            columns=("price", "name"),
            level="ROW",
            function="app.touch",
            when=Expr("NEW.price IS NOT NULL"),
            comment="keep updated current",
        ),
        Trigger(
            schema=app,
            table="items",
            name="items_guard",
            timing="AFTER",
            events=("DELETE", "TRUNCATE"),
            function="app.guard",
            arguments=("a", "b'c"),
            enabled="D",
        ),
        Trigger(
            schema=app,
            table="orders",
            name="orders_check",
            timing="AFTER",
            events=("INSERT",),
            level="ROW",
            function="app.guard",
            constraint=True,
            deferrable=True,
            initially_deferred=True,
            enabled="A",
        ),
    )
    rules = _keyed(
        Rule(
            schema=app,
            table="log",
            name="log_no_delete",
            event="DELETE",
            definition=Expr("CREATE RULE log_no_delete AS ON DELETE TO app.log DO INSTEAD NOTHING"),
            comment="append only",
        ),
        Rule(
            schema=app,
            table="base",
            name="base_audit",
            event="UPDATE",
            definition=Expr(
                "CREATE RULE base_audit AS ON UPDATE TO app.base "
                "DO ALSO INSERT INTO app.log (what) VALUES ('update');"
            ),
        ),
    )
    policies = _keyed(
        Policy(
            schema=app,
            table="items",
            name="items_read",
            command="SELECT",
            roles=(ROLE,),
            using=Expr("price > 0"),
            comment="see priced items",
        ),
        Policy(
            schema=app,
            table="items",
            name="items_limit",
            permissive=False,
            command="UPDATE",
            using=Expr("true"),
            with_check=Expr("(qty)::integer < (SELECT count(*) AS count FROM app.log)"),
        ),
        Policy(schema=app, table="items", name="items_all"),
    )
    return Schema(
        namespaces=namespaces,
        extensions=extensions,
        tables=_keyed(
            items, orders, ticket_book, measurements, m2024, m2025, m2025_x, base, child, log
        ),
        views=views,
        indexes=indexes,
        sequences=sequences,
        enums=_keyed(mood),
        domains=_keyed(positive, code),
        composite_types=_keyed(address),
        functions=functions,
        triggers=triggers,
        rules=rules,
        policies=policies,
    )


# --------------------------------------------------------------------------- tests


def test_everything_loads_and_matches(scratch: str) -> None:
    model = everything(_available_extension(scratch))
    script = emit_schema(model)
    assert emit_schema(model) == script  # deterministic
    load(scratch, script)

    # namespaces
    assert (
        one(scratch, "SELECT obj_description('public'::regnamespace)")
        == "the public schema, renamed"
    )
    assert one(scratch, f"SELECT has_schema_privilege('{ROLE}', 'public', 'CREATE')")
    assert (
        one(scratch, "SELECT nspacl::text FROM pg_namespace WHERE nspname = 'app'").count(
            f"{ROLE}=U*/"
        )
        == 1
    )
    # types
    assert one(scratch, "SELECT enum_range(NULL::app.mood)::text") == '{sad,"it\'s ok",happy}'
    assert query(
        scratch,
        """SELECT conname, convalidated FROM pg_constraint
                             WHERE contypid = 'app.positive_int'::regtype ORDER BY 1""",
    ) == [("positive_int_check", True), ("small", False)]
    assert one(
        scratch,
        """SELECT typnotnull AND typdefault = '1' FROM pg_type
                           WHERE oid = 'app.positive_int'::regtype""",
    )
    assert (
        one(
            scratch,
            """SELECT format_type(typbasetype, typtypmod) || ' ' || c.collname
                           FROM pg_type t JOIN pg_collation c ON c.oid = t.typcollation
                           WHERE t.oid = '"Weird Schema"."Code"'::regtype""",
        )
        == "character varying(8) C"
    )
    # sequences
    assert query(
        scratch,
        """SELECT seqstart, seqincrement, seqmin, seqmax, seqcache, seqcycle
                             FROM pg_sequence WHERE seqrelid = 'app.ticket_no'::regclass""",
    ) == [(100, 5, 100, 1000000, 10, True)]
    assert one(scratch, "SELECT pg_get_serial_sequence('app.items', 'id')") == "app.items_id_seq"
    assert one(scratch, "SELECT nextval('app.countdown')") == -1
    # functions
    assert one(scratch, "SELECT app.dollars(7)") == "$body$7"
    assert one(scratch, "SELECT app.add_tax(10)") == 12
    assert one(scratch, "SELECT hi FROM app.split(5)") == 3
    assert one(scratch, "SELECT app.total(1, 2, 3)") == 6
    assert one(scratch, "SELECT count(*) FROM app.moods()") == 3
    assert one(scratch, "SELECT app.sum_int(x) FROM generate_series(1, 4) AS x") == 10
    assert (
        one(
            scratch,
            """SELECT proconfig::text FROM pg_proc
                           WHERE oid = 'app.dollars'::regproc""",
        )
        == '{"search_path=pg_catalog, app"}'
    )
    assert (
        one(
            scratch,
            """SELECT provolatile::text || proisstrict::text || proleakproof::text
                           || proparallel::text FROM pg_proc
                           WHERE oid = 'app.is_positive'::regproc""",
        )
        == "itruetrues"
    )
    assert one(scratch, "SELECT prokind FROM pg_proc WHERE proname = 'log_it'") == "p"
    assert (
        one(scratch, "SELECT obj_description('app.sum_int(integer)'::regprocedure)")
        == "an aggregate"
    )
    # tables and columns
    cols = query(
        scratch,
        """SELECT attname, format_type(atttypid, atttypmod), attnotnull,
                                    attidentity, attgenerated,
                                    pg_get_expr(adbin, adrelid), col_description(attrelid, attnum)
                             FROM pg_attribute LEFT JOIN pg_attrdef
                                  ON adrelid = attrelid AND adnum = attnum
                             WHERE attrelid = 'app.items'::regclass AND attnum > 0
                             ORDER BY attnum""",
    )
    names = [c[0] for c in cols]
    assert names[:12] == [
        "id",
        "name",
        "price",
        "price_with_tax",
        "qty",
        "mood",
        "ship_to",
        "ticket",
        "Order",
        "updated",
        "tags",
        "flag",
    ]
    by_name = {c[0]: c for c in cols}
    assert by_name["price_with_tax"][4] == "s"
    assert by_name["name"][6] == "item name"
    assert by_name["flag"][5] == "(true AND false)"
    assert by_name["Order"][1] == '"Weird Schema"."Code"'
    assert (
        one(
            scratch,
            """SELECT attidentity || seqstart || '/' || seqincrement
                           FROM pg_attribute, pg_sequence
                           WHERE attrelid = 'app.orders'::regclass AND attname = 'id'
                             AND seqrelid = pg_get_serial_sequence('app.orders', 'id')::regclass
                           """,
        )
        == "d10/2"
    )
    assert (
        one(
            scratch,
            """SELECT relpersistence FROM pg_class
                           WHERE oid = 'app.log'::regclass""",
        )
        == "u"
    )
    assert (
        one(
            scratch,
            """SELECT reloptions::text || relrowsecurity || relforcerowsecurity
                           FROM pg_class WHERE oid = 'app.items'::regclass""",
        )
        == "{fillfactor=70}truetrue"
    )
    cons = dict(
        query(
            scratch,
            """SELECT conname, pg_get_constraintdef(oid)
                                  || CASE WHEN convalidated THEN '' ELSE ' [not valid]' END
                                  FROM pg_constraint WHERE conrelid = 'app.items'::regclass""",
        )
    )
    assert cons == {
        "items_pkey": "PRIMARY KEY (id) INCLUDE (name)",
        "items_name_key": "UNIQUE NULLS NOT DISTINCT (name, mood)",
        "items_price_check": "CHECK (app.is_positive(price))",
        "items_name_check": "CHECK ((char_length(name) > 0)) NOT VALID [not valid]",
        "items_qty_check": "CHECK (((qty)::integer < 1000)) NO INHERIT",
    }
    fks = dict(
        query(
            scratch,
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                                 WHERE conrelid = 'app.orders'::regclass
                                   AND contype NOT IN ('p', 't')""",
        )
    )
    assert fks == {
        "orders_item_fkey": "FOREIGN KEY (item) REFERENCES app.items(id) ON DELETE CASCADE",
        "orders_item_name_fkey": "FOREIGN KEY (item_name, item_mood) REFERENCES "
        "app.items(name, mood) MATCH FULL ON UPDATE SET NULL "
        "DEFERRABLE INITIALLY DEFERRED",
        "orders_parent_fkey": "FOREIGN KEY (parent) REFERENCES app.orders(id) NOT VALID",
        "orders_ticket_fkey": 'FOREIGN KEY (ticket) REFERENCES "Weird Schema"."Ticket Book"(no) '
        "ON DELETE SET DEFAULT",
        "orders_room_key": "UNIQUE (room, during) DEFERRABLE INITIALLY DEFERRED",
        "orders_room_excl": "EXCLUDE USING gist (during WITH &&) WHERE ((room IS NOT NULL))",
    }
    # partitions and inheritance
    parts = query(
        scratch,
        """SELECT c.oid::regclass::text, pg_get_expr(relpartbound, c.oid),
                                     pg_get_partkeydef(c.oid)
                              FROM pg_inherits JOIN pg_class c ON c.oid = inhrelid
                              WHERE c.relkind IN ('r', 'p')
                              ORDER BY 1""",
    )
    assert parts == [
        ("app.child", None, None),
        ("app.measurements_2024", "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')", None),
        (
            "app.measurements_2025",
            "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            "LIST (city)",
        ),
        ("app.measurements_2025_rest", "DEFAULT", None),
    ]
    m2024 = query(
        scratch,
        """SELECT attname, attnotnull, pg_get_expr(adbin, adrelid)
                              FROM pg_attribute LEFT JOIN pg_attrdef
                                   ON adrelid = attrelid AND adnum = attnum
                              WHERE attrelid = 'app.measurements_2024'::regclass AND attnum > 0
                              ORDER BY attnum""",
    )
    assert m2024 == [("taken", True, None), ("city", True, None), ("value", True, "1")]
    assert query(
        scratch,
        """SELECT conname, conislocal FROM pg_constraint
                             WHERE conrelid = 'app.measurements_2024'::regclass AND contype = 'c'
                             ORDER BY 1""",
    ) == [("m2024_city_check", True), ("measurements_value_check", False)]
    assert query(
        scratch,
        """SELECT attname, attnotnull, pg_get_expr(adbin, adrelid), attislocal
                             FROM pg_attribute LEFT JOIN pg_attrdef
                                  ON adrelid = attrelid AND adnum = attnum
                             WHERE attrelid = 'app.child'::regclass AND attnum > 0
                             ORDER BY attnum""",
    ) == [
        ("id", True, None, False),
        ("note", True, "'child'::text", False),
        ("extra", False, None, True),
    ]
    # views
    assert one(scratch, "SELECT count(*) FROM app.a_summary") == 1
    assert (
        one(
            scratch,
            """SELECT reloptions::text FROM pg_class
                           WHERE oid = 'app.z_items'::regclass""",
        )
        == "{security_barrier=true,check_option=cascaded}"
    )
    assert one(scratch, "SELECT relkind FROM pg_class WHERE oid = 'app.m_totals'::regclass") == "m"
    assert one(scratch, "SELECT col_description('app.z_items'::regclass, 2)") == "the name"
    assert one(scratch, f"SELECT has_table_privilege('{ROLE}', 'app.a_summary', 'SELECT')")
    # indexes
    idx = dict(
        query(
            scratch,
            """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
                                 FROM pg_index JOIN pg_class c ON c.oid = indrelid
                                 WHERE c.relnamespace IN ('app'::regnamespace,
                                                          '"Weird Schema"'::regnamespace)
                                   AND NOT indisprimary AND c.relkind <> 'p'
                                   AND indexrelid NOT IN (SELECT conindid FROM pg_constraint
                                                          WHERE contype IN ('p', 'u', 'x'))
                                   AND c.relname NOT LIKE 'measurements_%'""",
        )
    )
    assert idx == {
        "app.items_lower_name_idx": "CREATE INDEX items_lower_name_idx ON app.items "
        "USING btree (lower(name))",
        "app.items_price_idx": "CREATE INDEX items_price_idx ON app.items USING btree "
        "(price DESC NULLS LAST, name text_pattern_ops) INCLUDE (qty) "
        "WHERE (price > (0)::numeric)",
        "app.items_tags_idx": "CREATE INDEX items_tags_idx ON app.items USING gin (tags)",
        "app.items_ticket_key": "CREATE UNIQUE INDEX items_ticket_key ON app.items USING btree "
        "(ticket) NULLS NOT DISTINCT",
        '"Weird Schema"."Ticket Book_no_idx"': 'CREATE UNIQUE INDEX "Ticket Book_no_idx" '
        'ON "Weird Schema"."Ticket Book" USING btree (no)',
        "app.m_totals_mood_idx": "CREATE UNIQUE INDEX m_totals_mood_idx ON app.m_totals "
        "USING btree (mood NULLS FIRST)",
    }
    assert (
        one(scratch, """SELECT pg_get_indexdef('app.measurements_city_idx'::regclass)""")
        == "CREATE INDEX measurements_city_idx ON ONLY app.measurements USING btree "
        '(city COLLATE "C")'
    )
    # triggers, rules, policies
    trig = dict(
        query(
            scratch,
            """SELECT tgname, pg_get_triggerdef(oid) || ' ' || tgenabled::text
                                  FROM pg_trigger WHERE NOT tgisinternal""",
        )
    )
    assert trig == {
        "items_touch": "CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE OF price, name ON "
        "app.items FOR EACH ROW WHEN ((new.price IS NOT NULL)) "
        "EXECUTE FUNCTION app.touch() O",
        "items_guard": "CREATE TRIGGER items_guard AFTER DELETE OR TRUNCATE ON app.items "
        "FOR EACH STATEMENT EXECUTE FUNCTION app.guard('a', 'b''c') D",
        "orders_check": "CREATE CONSTRAINT TRIGGER orders_check AFTER INSERT ON app.orders "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION app.guard() A",
    }
    assert query(scratch, "SELECT rulename FROM pg_rules WHERE schemaname = 'app' ORDER BY 1") == [
        ("base_audit",),
        ("log_no_delete",),
    ]
    assert (
        one(
            scratch,
            """SELECT obj_description(oid, 'pg_rewrite') FROM pg_rewrite
                           WHERE rulename = 'log_no_delete'""",
        )
        == "append only"
    )
    pols = query(
        scratch,
        """SELECT policyname, permissive, roles::text, cmd FROM pg_policies
                             ORDER BY 1""",
    )
    assert pols == [
        ("items_all", "PERMISSIVE", "{public}", "ALL"),
        ("items_limit", "RESTRICTIVE", "{public}", "UPDATE"),
        ("items_read", "PERMISSIVE", f"{{{ROLE}}}", "SELECT"),
    ]
    # comments on constraints and the rest
    assert (
        one(
            scratch,
            """SELECT obj_description(oid, 'pg_constraint') FROM pg_constraint
                           WHERE conname = 'orders_room_excl'""",
        )
        == "no double booking"
    )
    assert (
        one(
            scratch,
            """SELECT obj_description(oid, 'pg_trigger') FROM pg_trigger
                           WHERE tgname = 'items_touch'""",
        )
        == "keep updated current"
    )

    # the down script removes everything the up script made
    load(scratch, emit_drop_schema(model))
    assert_empty(scratch)


def assert_empty(url: str) -> None:
    leftovers = query(
        url,
        """
        SELECT 'class ' || oid::regclass::text FROM pg_class
         WHERE relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace,
                                    'pg_toast'::regnamespace)
        UNION ALL
        SELECT 'type ' || oid::regtype::text FROM pg_type
         WHERE typnamespace NOT IN ('pg_catalog'::regnamespace,
                                    'information_schema'::regnamespace)
        UNION ALL
        SELECT 'proc ' || oid::regprocedure::text FROM pg_proc
         WHERE pronamespace NOT IN ('pg_catalog'::regnamespace,
                                    'information_schema'::regnamespace)
        UNION ALL
        SELECT 'schema ' || nspname FROM pg_namespace
         WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema')
        UNION ALL
        SELECT 'public ' || coalesce(obj_description(oid, 'pg_namespace'), '') || nspacl::text
          FROM pg_namespace WHERE nspname = 'public'
        """,
    )
    assert leftovers == [
        (
            "public standard public schema{pg_database_owner=UC/pg_database_owner,"
            "=U/pg_database_owner}",
        )
    ]


def test_everything_round_trips(scratch: str) -> None:
    model = everything(_available_extension(scratch))
    load(scratch, emit_schema(model))
    assert_same(model, read_catalog(scratch))


@pytest.mark.parametrize("path", PG_CORPUS, ids=[p.name for p in PG_CORPUS])
@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_corpus_catalog_emit_catalog(path: Any, server: str) -> None:
    """Load a corpus file, read the catalog, emit that model into a second database, read it
    again: both catalog models are equal (real-world schemas through the emitter)."""
    url = routed_url(path, server)
    with engine.scratch_database(url) as first:
        load_sql(first, path.read_text())
        model = read_catalog(first)
    script = emit_schema(model)
    with engine.scratch_database(url) as second:
        load(second, script)
        assert_same(model, read_catalog(second))
        load(second, emit_drop_schema(model))
        assert_empty(second)


def test_generated_schemas_load(pg_urls: str) -> None:
    """Random models from tests/strategies.py load and drop again, each in a transaction
    rolled back (fast: one database for all examples)."""
    with engine.scratch_database(pg_urls) as url, engine.connect(url) as conn:

        @settings(
            max_examples=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(schemas())
        def check(model: Schema) -> None:
            script = emit_schema(model)
            try:
                conn.execute(script.encode())
                for t in model.tables.values():
                    assert conn.execute(
                        "SELECT to_regclass(%s)", [qualified(t.schema, t.name)]
                    ).fetchone() != (None,)
                conn.execute(emit_drop_schema(model).encode())
                left = conn.execute("""SELECT count(*) FROM pg_class WHERE relnamespace
                                       IN (SELECT oid FROM pg_namespace
                                           WHERE nspname NOT LIKE 'pg\\_%'
                                             AND nspname <> 'information_schema')""").fetchone()
                assert left == (0,), script
            except psycopg.Error as exc:
                raise AssertionError(f"{exc}\n--- script ---\n{script}") from exc
            finally:
                conn.rollback()

        check()


def test_generated_schemas_round_trip(pg_urls: str) -> None:
    """read_catalog(load(emit(model))) == model for random models."""

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(schemas())
    def check(model: Schema) -> None:
        with engine.scratch_database(pg_urls) as url:
            load(url, emit_schema(model))
            assert_same(model, read_catalog(url))

    check()


def test_unused_public_namespace_is_left_alone(scratch: str) -> None:
    model = Schema(
        namespaces=_keyed(PUBLIC_NAMESPACE),
        tables=_keyed(Table(schema="public", name="t", columns=(Column(name="a", type=INT),))),
    )
    script = emit_schema(model)
    assert "SCHEMA public" not in script
    load(scratch, script)
    load(scratch, emit_drop_schema(model))
    assert_empty(scratch)
