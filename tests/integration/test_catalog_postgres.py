"""The PostgreSQL catalog reader against real servers (embedded 16 and $DBDESIGN_TEST_PG_URL).

Hand-written DDL (sql/catalog_postgres.sql) is loaded into a scratch database and the model the
reader returns is checked value by value. Expression texts are what the server prints with
``search_path = ''``.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbdesign import engine
from dbdesign.model import (
    Argument,
    Check,
    Column,
    DataType,
    Domain,
    EnumType,
    Exclusion,
    ExclusionElement,
    Expr,
    ForeignKey,
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
    Trigger,
    Unique,
)
from dbdesign.readers.catalog.postgres import QUERIES as CATALOG_QUERIES
from dbdesign.readers.catalog.postgres import read_catalog, split_top_level, trigger_when

DDL = (Path(__file__).parent / "sql" / "catalog_postgres.sql").read_text()
ROLE = "dbdesign_reader"


def _ensure_role(url: str) -> None:
    with engine.connect(url, autocommit=True) as conn:
        conn.execute(f"""DO $$ BEGIN CREATE ROLE {ROLE};
                        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")


def _load(url: str, sql: str) -> int:
    """Run ``sql`` in the database; return the server version number."""
    with engine.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
        return conn.info.server_version


@pytest.fixture
def loaded(pg_scratch: str) -> tuple[Schema, int, str]:
    _ensure_role(pg_scratch)
    version = _load(pg_scratch, DDL)
    return read_catalog(pg_scratch), version, pg_scratch


def dt(name: str, *args: int | str, array: int = 0) -> DataType:
    return DataType(name=name, args=tuple(args), array_dims=array)


# --------------------------------------------------------------------------- whole-model checks


def test_object_inventory(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    assert s.dialect == "postgres"
    assert set(s.namespaces) == {"app", "public"}
    assert set(s.tables) == {
        "app.base",
        "app.child",
        "app.customer",
        "app.event_notes",
        "app.events",
        "app.events_2024",
        "app.events_default",
        "app.orders",
        "app.scratch",
    }
    assert set(s.views) == {"app.active", "app.totals"}
    # only standalone indexes: no PK/UNIQUE/EXCLUDE backing index, no partition child index
    assert set(s.indexes) == {
        "app.events_kind_idx",
        "app.orders_code_lower_idx",
        "app.orders_code_pattern_idx",
        "app.orders_customer_idx",
        "app.totals_customer_idx",
    }
    # the serial's sequence is modelled, the identity's is not
    assert set(s.sequences) == {"app.counter", "app.customer_id_seq"}
    assert set(s.enums) == {"app.mood"}
    assert set(s.domains) == {"app.posint"}
    assert set(s.composite_types) == {"app.pair"}  # no table row types, no array types
    assert set(s.functions) == {
        "app.add(integer, integer)",
        "app.noop(integer)",
        "app.pairs(integer)",
        "app.total(integer)",
        "app.touch()",
    }
    # cloned partition triggers are not modelled
    assert set(s.triggers) == {"app.customer.customer_touch", "app.events.events_log"}
    assert set(s.rules) == {"app.orders.orders_no_delete"}
    assert set(s.policies) == {"app.customer.customer_all", "app.customer.customer_self"}
    assert dict(s.extensions) == {}  # plpgsql is not reported
    assert s.source is not None and "dbdesign_scratch_" in s.source


def test_namespaces(loaded: tuple[Schema, int, str]) -> None:
    s, version, _ = loaded
    assert s.namespaces["app"] == Namespace(
        name="app",
        comment="application",
        grants=frozenset({Grant(grantee=ROLE, privilege="USAGE", grantable=True)}),
    )
    public = s.namespaces["public"]
    if version >= 150000:
        assert public.comment == "standard public schema"
        assert public.grants == frozenset({Grant(grantee="PUBLIC", privilege="USAGE")})


# --------------------------------------------------------------------------- tables and columns


def test_serial_table_columns(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    t = s.tables["app.customer"]
    assert t.columns == (
        Column(
            name="id",
            type=dt("integer"),
            nullable=False,
            default=Expr("nextval('app.customer_id_seq'::regclass)"),
        ),
        Column(
            name="email",
            type=dt("character varying", 200),
            nullable=False,
            collation="C",
            comment="login",
        ),
        Column(name="tags", type=dt("text", array=1)),
        Column(name="matrix", type=dt("integer", array=1)),  # [][] is one dimension
        Column(name="mood", type=dt("app.mood"), default=Expr("'ok'::app.mood")),
        Column(name="balance", type=dt("numeric", 12, 2), default=Expr("0")),
        Column(
            name="created",
            type=dt("timestamp with time zone", 3),
            nullable=False,
            default=Expr("now()"),
        ),
        Column(
            name="doubled",
            type=dt("integer"),
            generated=Generated(expr=Expr("(id * 2)"), stored=True),
        ),
    )
    # Expr equality is by text here: check the exact server spelling too
    assert [c.default.text if c.default else None for c in t.columns] == [
        "nextval('app.customer_id_seq'::regclass)",
        None,
        None,
        None,
        "'ok'::app.mood",
        "0",
        "now()",
        None,
    ]
    assert t.column("doubled") is not None
    assert t.column("doubled").generated.expr.text == "(id * 2)"  # type: ignore[union-attr]
    assert t.primary_key == PrimaryKey(name="customer_pkey", columns=("id",))
    assert dict(t.uniques) == {
        "customer_email_key": Unique(name="customer_email_key", columns=("email",))
    }
    assert t.options == ("fillfactor=70",)
    assert t.rls_enabled and t.rls_forced
    assert t.comment == "customers"
    # UPDATE (email) is a column privilege: not part of the table's ACL
    assert t.grants == frozenset(
        {
            Grant(grantee=ROLE, privilege="SELECT"),
            Grant(grantee=ROLE, privilege="INSERT", grantable=True),
        }
    )
    assert not t.unlogged and t.partition_by is None and t.inherits == ()
    seq = s.sequences["app.customer_id_seq"]
    assert seq == Sequence(
        schema="app", name="customer_id_seq", type=dt("integer"), owned_by="app.customer.id"
    )
    assert seq.min_value is None and seq.max_value is None


def test_identity_and_constraints(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    t = s.tables["app.orders"]
    idc = t.columns[0]
    assert idc == Column(
        name="id",
        type=dt("bigint"),
        nullable=False,
        identity=Identity(always=True, start=100, increment=10),
    )
    assert idc.default is None
    assert [c.name for c in t.columns] == ["id", "customer_id", "code", "amount", "during"]
    assert t.column("amount") == Column(name="amount", type=dt("app.posint"))
    assert t.primary_key == PrimaryKey(name="orders_pkey", columns=("id",))
    assert dict(t.foreign_keys) == {
        "orders_customer_id_fkey": ForeignKey(
            name="orders_customer_id_fkey",
            columns=("customer_id",),
            ref_table="app.customer",
            ref_columns=("id",),
            on_delete="CASCADE",
            on_update="RESTRICT",
        ),
        "orders_customer_fk2": ForeignKey(
            name="orders_customer_fk2",
            columns=("customer_id",),
            ref_table="app.customer",
            ref_columns=("id",),
            match="FULL",
            deferrable=True,
            initially_deferred=True,
            validated=False,
        ),
    }
    assert dict(t.uniques) == {
        "orders_code_amount_key": Unique(
            name="orders_code_amount_key",
            columns=("code",),
            include=("amount",),
            nulls_not_distinct=True,
        )
    }
    check = t.checks["orders_amount_check"]
    assert check == Check(
        name="orders_amount_check", expr=Expr("((amount)::integer < 1000000)"), no_inherit=True
    )
    assert check.expr.text == "((amount)::integer < 1000000)"
    assert dict(t.exclusions) == {
        "orders_no_overlap": Exclusion(
            name="orders_no_overlap",
            method="gist",
            elements=(ExclusionElement(element=IndexElement(column="during"), operator="&&"),),
            where=Expr("(code IS NOT NULL)"),
        )
    }


def test_partitions_and_inheritance(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    parent = s.tables["app.events"]
    assert parent.partition_by == PartitionBy(
        strategy="RANGE", elements=(IndexElement(column="at"),)
    )
    assert parent.primary_key == PrimaryKey(name="events_pkey", columns=("id", "at"))
    assert list(parent.foreign_keys) == ["events_customer_id_fkey"]
    assert parent.checks["events_kind_check"].expr.text == "(kind <> ''::text)"
    p2024 = s.tables["app.events_2024"]
    assert p2024.partition_of == "app.events"
    assert p2024.partition_bound is not None
    assert p2024.partition_bound.text == "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    assert s.tables["app.events_default"].partition_bound == Expr("DEFAULT")
    # partitions list all columns, but nothing the server cloned onto them
    assert [c.name for c in p2024.columns] == ["id", "at", "kind", "customer_id"]
    assert p2024.primary_key is None
    assert dict(p2024.foreign_keys) == {}
    assert dict(p2024.checks) == {}
    assert p2024.inherits == () and p2024.partition_by is None
    assert s.indexes_on("app.events_2024") == []
    # an FK to a partitioned table appears once, on its own table
    notes = s.tables["app.event_notes"]
    assert dict(notes.foreign_keys) == {
        "event_notes_event_id_at_fkey": ForeignKey(
            name="event_notes_event_id_at_fkey",
            columns=("event_id", "at"),
            ref_table="app.events",
            ref_columns=("id", "at"),
        )
    }
    child = s.tables["app.child"]
    assert child.inherits == ("app.base",)
    assert child.partition_of is None
    assert [c.name for c in child.columns] == ["x", "y"]
    assert s.tables["app.scratch"].unlogged


def test_indexes(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    assert s.indexes["app.orders_code_lower_idx"] == Index(
        name="orders_code_lower_idx",
        schema="app",
        table="orders",
        elements=(IndexElement(expr=Expr("lower(code)"), descending=True, nulls_first=False),),
        where=Expr("((amount)::integer > 10)"),
    )
    assert s.indexes["app.orders_code_pattern_idx"] == Index(
        name="orders_code_pattern_idx",
        schema="app",
        table="orders",
        elements=(IndexElement(column="code", opclass="text_pattern_ops"),),
        include=("amount",),
    )
    assert s.indexes["app.orders_customer_idx"].elements == (
        IndexElement(column="customer_id", nulls_first=True),
    )
    # an index on a partitioned table is modelled once, on the parent
    assert s.indexes["app.events_kind_idx"] == Index(
        name="events_kind_idx",
        schema="app",
        table="events",
        elements=(IndexElement(column="kind"),),
    )
    # a materialized view's index is an ordinary index
    assert s.indexes["app.totals_customer_idx"] == Index(
        name="totals_customer_idx",
        schema="app",
        table="totals",
        elements=(IndexElement(column="customer_id"),),
        unique=True,
    )


def test_index_defaults_are_left_out(pg_scratch: str) -> None:
    _load(
        pg_scratch,
        """
        create table t (v varchar(10), c text collate "C", n int);
        create index t_v on t (v);                       -- text_ops via varchar: default
        create index t_c_lower on t (lower(c));          -- collation "C" inherited: default
        create index t_c_coll on t (c collate "POSIX");  -- explicit, not the column's
        create index t_v_pat on t (v varchar_pattern_ops desc nulls first, n desc nulls last);
        create index t_hash on t using hash (n);
    """,
    )
    s = read_catalog(pg_scratch)
    assert s.indexes["public.t_v"].elements == (IndexElement(column="v"),)
    assert s.indexes["public.t_c_lower"].elements == (IndexElement(expr=Expr("lower(c)")),)
    assert s.indexes["public.t_c_coll"].elements == (IndexElement(column="c", collation="POSIX"),)
    assert s.indexes["public.t_v_pat"].elements == (
        IndexElement(column="v", opclass="varchar_pattern_ops", descending=True),
        IndexElement(column="n", descending=True, nulls_first=False),
    )
    assert s.indexes["public.t_hash"].method == "hash"


# ------------------------------------------------------------------ views, types, sequences


def test_views(loaded: tuple[Schema, int, str]) -> None:
    s, version, _ = loaded
    v = s.views["app.active"]
    if version >= 160000:
        text = "SELECT id,\n    email\n   FROM app.customer\n  WHERE (mood <> 'sad'::app.mood)"
    else:
        text = (
            "SELECT customer.id,\n    customer.email\n   FROM app.customer\n"
            "  WHERE (customer.mood <> 'sad'::app.mood)"
        )
    assert v.query.text == text
    assert not v.query.text.endswith(";")
    assert v.check_option == "CASCADED"
    assert v.options == ()
    assert not v.materialized
    assert v.comment == "active customers"
    assert dict(v.column_comments) == {"email": "their login"}
    m = s.views["app.totals"]
    assert m.materialized and m.check_option is None
    assert "count(*) AS n" in m.query.text and "FROM app.orders" in m.query.text


def test_types(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    assert s.enums["app.mood"] == EnumType(
        schema="app", name="mood", values=("sad", "ok", "happy"), comment="feelings"
    )
    assert s.domains["app.posint"] == Domain(
        schema="app",
        name="posint",
        type=dt("integer"),
        nullable=False,
        default=Expr("1"),
        checks={
            "posint_positive": Check(
                name="posint_positive",  # type: ignore[arg-type]
                expr=Expr("(VALUE > 0)"),
            )
        },
    )
    assert s.composite_types["app.pair"].attributes == (("a", dt("integer")), ("b", dt("text")))


def test_sequences(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    assert s.sequences["app.counter"] == Sequence(
        schema="app",
        name="counter",
        type=dt("bigint"),
        start=-1,
        increment=-1,
        cache=5,
        grants=frozenset({Grant(grantee=ROLE, privilege="USAGE")}),
    )


def test_sequence_bounds(pg_scratch: str) -> None:
    _load(
        pg_scratch,
        """
        create sequence s_small as smallint;
        create sequence s_bounded minvalue 5 maxvalue 500 start 7 cycle;
        create sequence s_down as integer increment -2 minvalue -100;
        create table t (id smallint generated by default as identity (minvalue 3 cache 20));
    """,
    )
    s = read_catalog(pg_scratch)
    assert s.sequences["public.s_small"] == Sequence(
        schema="public", name="s_small", type=dt("smallint")
    )
    assert s.sequences["public.s_bounded"] == Sequence(
        schema="public", name="s_bounded", min_value=5, max_value=500, start=7, cycle=True
    )
    assert s.sequences["public.s_down"] == Sequence(
        schema="public", name="s_down", type=dt("integer"), increment=-2, min_value=-100, start=-1
    )
    assert set(s.sequences) == {"public.s_small", "public.s_bounded", "public.s_down"}
    assert s.tables["public.t"].columns[0].identity == Identity(always=False, min_value=3, cache=20)


# --------------------------------------------------------------------------- routines, triggers ...


def test_functions(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    add = s.functions["app.add(integer, integer)"]
    assert add.arguments == (
        Argument(name="a", type="integer"),
        Argument(name="b", type="integer", default=Expr("1")),
    )
    assert (add.returns, add.kind, add.language, add.body) == (
        "integer",
        "function",
        "sql",
        "select a + b",
    )
    assert (add.volatility, add.strict, add.parallel, add.security_definer) == (
        "IMMUTABLE",
        True,
        "SAFE",
        False,
    )
    # PUBLIC's default EXECUTE is not an explicit grant; the role's is
    assert add.grants == frozenset({Grant(grantee=ROLE, privilege="EXECUTE")})
    pairs = s.functions["app.pairs(integer)"]
    assert pairs.returns == "TABLE(i integer, label text)"
    assert [(a.name, a.mode) for a in pairs.arguments] == [
        ("n", "IN"),
        ("i", "TABLE"),
        ("label", "TABLE"),
    ]
    assert pairs.volatility == "STABLE"
    noop = s.functions["app.noop(integer)"]
    assert noop.kind == "procedure" and noop.returns is None
    assert noop.arguments == (Argument(name="x", type="integer", mode="INOUT"),)
    assert noop.security_definer
    assert noop.config == ("search_path=pg_catalog, public",)
    assert noop.language == "plpgsql"
    total = s.functions["app.total(integer)"]
    assert total.kind == "aggregate"
    assert total.body == "SFUNC = int4pl, STYPE = integer, INITCOND = '0'"
    touch = s.functions["app.touch()"]
    assert touch.returns == "trigger" and touch.body.strip() == "begin return new; end"


def test_triggers_rules_policies(loaded: tuple[Schema, int, str]) -> None:
    s, _, _ = loaded
    assert s.triggers["app.customer.customer_touch"] == Trigger(
        schema="app",
        table="customer",
        name="customer_touch",
        timing="BEFORE",
        events=("INSERT", "UPDATE"),
        level="ROW",
        function="app.touch",
        arguments=("a", "b"),
        columns=("email",),
        when=Expr("(new.email IS NOT NULL)"),
        comment="touch it",
    )
    assert s.triggers["app.customer.customer_touch"].when.text == (  # type: ignore[union-attr]
        "(new.email IS NOT NULL)"
    )
    assert s.triggers["app.events.events_log"] == Trigger(
        schema="app",
        table="events",
        name="events_log",
        timing="AFTER",
        events=("INSERT",),
        level="ROW",
        function="app.touch",
    )
    assert s.rules["app.orders.orders_no_delete"] == Rule(
        schema="app",
        table="orders",
        name="orders_no_delete",
        event="DELETE",
        definition=Expr(
            "CREATE RULE orders_no_delete AS\n    ON DELETE TO app.orders DO INSTEAD NOTHING"
        ),
    )
    assert s.policies["app.customer.customer_self"] == Policy(
        schema="app",
        table="customer",
        name="customer_self",
        command="UPDATE",
        permissive=False,
        roles=(ROLE,),
        using=Expr("(id > 0)"),
        with_check=Expr("(id < 100)"),
    )
    assert s.policies["app.customer.customer_all"] == Policy(
        schema="app", table="customer", name="customer_all", using=Expr("true")
    )


def test_extension_objects_are_excluded(pg_scratch: str) -> None:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        rows = conn.execute(
            "select name from pg_available_extensions where name = any(%s)",
            (["vector", "citext", "hstore"],),
        ).fetchall()
    available = sorted(r[0] for r in rows)
    assert available, "no test extension (vector, citext or hstore) available on the server"
    ext = available[0]
    typ = {"vector": "vector(3)", "citext": "citext", "hstore": "hstore"}[ext]
    _load(pg_scratch, f'create extension "{ext}"; create table t (id int, v {typ});')
    s = read_catalog(pg_scratch)
    assert list(s.extensions) == [ext]
    assert s.extensions[ext].schema == "public"
    assert s.extensions[ext].version  # reported, though not part of equality
    assert dict(s.functions) == {}
    assert dict(s.domains) == {} and dict(s.enums) == {} and dict(s.composite_types) == {}
    assert set(s.tables) == {"public.t"}
    col = s.tables["public.t"].columns[1]
    assert col.type.name == f"public.{ext}"


# --------------------------------------------------------------------------- reading mechanics


def test_schemas_filter_and_connection_left_alone(loaded: tuple[Schema, int, str]) -> None:
    _, _, url = loaded
    with psycopg.connect(url) as conn:
        conn.execute("set search_path = app, public")
        conn.execute("select 1")  # now inside a transaction: the reader uses a savepoint
        s = read_catalog(conn, schemas=["public"])
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        row = conn.execute("show search_path").fetchone()
        assert row == ("app, public",)
        row = conn.execute("select count(*) from app.customer").fetchone()
        assert row == (0,)
    assert set(s.namespaces) == {"public"}
    assert dict(s.tables) == {} and dict(s.functions) == {}


def test_read_only_and_rolled_back(loaded: tuple[Schema, int, str]) -> None:
    _, _, url = loaded
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute(
            "select current_setting('search_path'), current_setting('TimeZone')"
        ).fetchone()
        read_catalog(conn)
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        after = conn.execute(
            "select current_setting('search_path'), current_setting('TimeZone')"
        ).fetchone()
        assert after == before
        assert after is not None and after[0] != ""


def _create_tables(url: str, first: int, last: int) -> None:
    """Tables t<first>..t<last>, each with a key, a default, a check, a foreign key to the one
    before it and an index."""
    with engine.connect(url, autocommit=True) as conn:
        conn.execute(f"""DO $$ BEGIN FOR i IN {first}..{last} LOOP
            EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name text NOT NULL
                DEFAULT ''x'', ref int REFERENCES t%s (id), CHECK (id > 0))',
                i, greatest(i - 1, 1));
            EXECUTE format('CREATE INDEX ON t%s (name)', i);
        END LOOP; END $$""")  # type: ignore[arg-type]


def _read_counting(url: str) -> tuple[Schema, list[object]]:
    """The catalog model and every statement the reader sent to read it."""
    sent: list[object] = []

    class Counting(psycopg.Cursor):  # type: ignore[type-arg]
        def execute(self, query, params=None, **kw):  # type: ignore[no-untyped-def]
            sent.append(query)
            return super().execute(query, params, **kw)

    with psycopg.connect(url, cursor_factory=Counting) as conn:
        return read_catalog(conn), sent


@pytest.mark.slow
def test_many_tables_are_read_in_a_fixed_number_of_queries(pg_scratch: str) -> None:
    """One query per kind of catalog object, not one per table: the reader sends the same
    statements for 1 table as for 500. (Reading speed itself is measured by bench/bench_diff.py,
    which diffs two live databases of the 100,000-line schema.)"""
    _create_tables(pg_scratch, 1, 1)
    one, sent_for_one = _read_counting(pg_scratch)
    assert len(one.tables) == 1
    _create_tables(pg_scratch, 2, 500)
    s, sent = _read_counting(pg_scratch)
    assert len(s.tables) == 500 and len(s.indexes) == 500
    assert s.tables["public.t7"].foreign_keys["t7_ref_fkey"].ref_table == "public.t6"
    assert sent == sent_for_one
    assert len(sent) <= len(CATALOG_QUERIES) + 3  # + transaction settings, index definitions


def test_unreachable_database_raises_connection_error() -> None:
    from dbdesign.errors import ConnectionError

    with pytest.raises(ConnectionError) as info:
        read_catalog("postgresql://u:secret@127.0.0.1:1/x")
    assert "secret" not in str(info.value)


# --------------------------------------------------------------------------- text helpers


def test_split_top_level() -> None:
    assert split_top_level("lower(k), (a + b), d") == ["lower(k)", "(a + b)", "d"]
    assert split_top_level("f('a,b', \"x,y\"), c") == ["f('a,b', \"x,y\")", "c"]
    assert split_top_level("") == []


def test_trigger_when() -> None:
    d = (
        "CREATE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW WHEN ((old.* IS DISTINCT "
        "FROM new.*)) EXECUTE FUNCTION public.f('a')"
    )
    assert trigger_when(d) == "(old.* IS DISTINCT FROM new.*)"
    assert (
        trigger_when("CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()") is None
    )
