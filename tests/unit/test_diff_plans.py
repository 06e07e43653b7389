"""Plans applied to real databases (the embedded PostgreSQL 16 and the machine's 15): each pair
of schemas converges both ways, rows survive the changes that must keep them, the reverse plan
goes back, and random pairs of models converge too.

Where a default plan leaves a column order (``plan.order_left``, docs/diff.md "Column order"),
the pair is checked as tests/diffcheck.py says: the default plan against the order it announces,
then ``column_order=True`` (the rebuild) to the target itself."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dbdesign.diff import diff_schemas
from dbdesign.emit.postgres import emit_schema
from dbdesign.engine import connect
from dbdesign.migrate.compare import schema_differences
from dbdesign.readers.catalog.postgres import read_catalog
from tests.conftest import PG_SERVERS, server_url
from tests.diffcheck import check_default_and_rebuild
from tests.strategies import schemas
from tests.unit.diff_support import apply_plan, converge, loaded

ROLE = "dbdesign_difftest"

PAIRS: dict[str, tuple[str, str]] = {
    "columns": (
        """create table t (id serial primary key, a int, b text default 'x', c int not null,
                           d varchar(10), e numeric(10,2));""",
        """create table t (id bigserial primary key, a bigint not null default 0, b text,
                           c int, d varchar(20), e numeric(12,2), f date);""",
    ),
    "views_and_matviews": (
        """create table t (id int primary key, v int, w text);
           create view v1 as select id, v from t;
           create view v2 as select id from v1 where v > 0;
           create materialized view m as select v, count(*) as n from t group by v;
           create index m_v on m (v);""",
        """create table t (id int primary key, v bigint, w text);
           create view v1 as select id, v from t;
           create view v2 as select id from v1 where v > 1;
           create materialized view m as select v, count(*) as n from t group by v;
           create index m_v on m (v);
           create view v3 as select w from t;""",
    ),
    "keys": (
        """create table a (id int primary key, code text);
           create table b (id int primary key, a_id int references a on delete cascade);
           create table c (x int, y int, constraint c_x_pos check (x > 0));
           create table n (id int primary key, p int references n);""",
        """create table a (id bigint primary key, code text unique);
           create table b (id int primary key, a_id bigint references a on delete restrict);
           create table c (x int not null, y int, constraint c_x_pos check (x > 1),
                           constraint c_pk primary key (x), constraint c_y_key unique (y));
           create table n (id bigint primary key, p bigint references n);""",
    ),
    "exclusion_and_not_valid": (
        """create table r (id int, span int4range, constraint no_overlap
                           exclude using gist (span with &&));
           create table v (a int);
           alter table v add constraint a_pos check (a > 0) not valid;""",
        """create table r (id int, span int4range);
           create table v (a int, constraint a_pos check (a > 0));""",
    ),
    "enums": (
        """create type mood as enum ('sad', 'ok', 'happy', 'gone');
           create table p (m mood not null default 'ok', ms mood[],
                           constraint not_gone check (m <> 'gone'));
           create index p_happy on p (m) where m = 'happy';
           create view pv as select m from p;
           create function pm(x p) returns mood language sql as $$ select x.m $$;""",
        """create type mood as enum ('sad', 'meh', 'ok', 'happy', 'elated');
           create table p (m mood not null default 'meh', ms mood[]);
           create index p_happy on p (m) where m = 'happy';
           create view pv as select m from p;
           create function pm(x p) returns mood language sql as $$ select x.m $$;""",
    ),
    "types": (
        """create schema app;
           create domain app.pos as int check (value > 0);
           create domain app.code as text default 'a' not null;
           create type app.pair as (a int, b text);
           create table app.t (n app.pos, c app.code, p app.pair);""",
        """create schema app;
           create domain app.pos as bigint check (value > 0);
           create domain app.code as text default 'b' check (value <> '');
           create type app.pair as (a int, b text, c date);
           create table app.t (n app.pos, c app.code, p app.pair);""",
    ),
    "identity_and_generated": (
        """create table a (id serial primary key, v int);
           create table b (id int generated always as identity primary key, v int default 3);
           create table c (id int generated by default as identity (start with 10), w int,
                           g int generated always as (w * 2) stored,
                           h int generated always as (w + 1) stored, z int);""",
        """create table a (id int generated always as identity primary key, v int);
           create table b (id serial primary key, v int);
           create table c (id int generated always as identity (start with 10 increment by 5),
                           w bigint, g bigint generated always as (w * 3) stored, h int, z int);""",
    ),
    "partitions_and_inheritance": (
        """create table ev (id int not null, at date not null, v int,
                            constraint vpos check (v > 0)) partition by range (at);
           create table ev_2023 partition of ev for values from ('2023-01-01') to ('2024-01-01');
           create table ev_2024 (id int not null, at date not null, v int);
           create index ev_2024_v on ev_2024 (v);
           create table ev_old partition of ev for values from ('2000-01-01') to ('2001-01-01');
           create table logs (id int, msg text);
           create table logs_child (extra int) inherits (logs);
           create table legacy (id int primary key);
           create table legacy_child (x int) inherits (legacy);""",
        """create table ev (id int not null, at date not null, v int, w text,
                            constraint vpos check (v > 0)) partition by range (at);
           create table ev_2023 partition of ev for values from ('2023-01-01') to ('2024-01-01');
           create table ev_2024 partition of ev for values from ('2024-01-01') to ('2025-01-01');
           create index ev_v on ev (v);
           create table ev_old (id int not null, at date not null, v int, w text,
                                constraint vpos check (v > 0));
           create table logs (id int, msg text, level int not null default 0);
           create table logs_child (extra int) inherits (logs);""",
    ),
    "routines_triggers_policies": (
        f"""create schema app;
           create table app.t (id int primary key, status text);
           create function app.f(x int) returns int language sql immutable as $$ select x + 1 $$;
           create function app.g(x int) returns text language sql as $$ select x::text $$;
           create function app.trg() returns trigger language plpgsql
             as $$ begin new.status := 'x'; return new; end $$;
           create trigger t_trg before insert on app.t for each row execute function app.trg();
           create trigger t_off after update on app.t for each row execute function app.trg();
           alter table app.t disable trigger t_off;
           alter table app.t enable row level security;
           create policy p1 on app.t for select using (id > 0);
           create policy p2 on app.t using (status = 'a');
           create view app.v as select id, app.f(id) as fx from app.t;
           create rule r_ins as on insert to app.t where new.id < 0 do instead nothing;
           grant select on app.t to {ROLE} with grant option;
           grant usage on schema app to {ROLE};
           comment on function app.f(int) is 'plus one';""",
        f"""create schema app;
           create table app.t (id int primary key, status text);
           create function app.f(x int) returns int language sql immutable as $$ select x + 2 $$;
           create function app.g(x int) returns varchar language sql as $$ select x::text $$;
           create function app.trg() returns trigger language plpgsql
             as $$ begin new.status := 'y'; return new; end $$;
           create trigger t_trg before insert or update on app.t
             for each row execute function app.trg();
           create trigger t_off after update on app.t for each row execute function app.trg();
           alter table app.t enable row level security;
           alter table app.t force row level security;
           create policy p1 on app.t for select to {ROLE} using (id > 1);
           create policy p2 on app.t as restrictive using (status = 'a');
           create view app.v as select id, app.f(id) as fx from app.t where id < 100;
           create rule r_ins as on insert to app.t where new.id < 10 do instead nothing;
           grant select, insert on app.t to {ROLE};
           comment on function app.f(int) is 'plus two';""",
    ),
    "schemas_sequences_comments": (
        """create schema old_s;
           create table old_s.gone (id int);
           create sequence s1 increment by 2;
           create table su (id int default nextval('s1'));
           create unlogged table ul (a int);
           create table opts (a int) with (fillfactor=70);
           comment on schema old_s is 'old';
           comment on sequence s1 is 'counter';""",
        """create schema new_s;
           create table new_s.born (id int);
           comment on schema new_s is 'new';
           create sequence s1 increment by 3 cache 10 maxvalue 1000000;
           create table su (id int default nextval('s1'));
           alter sequence s1 owned by su.id;
           create table ul (a int);
           create table opts (a int) with (fillfactor=80, autovacuum_enabled=false);""",
    ),
}


@pytest.fixture(scope="module", autouse=True)
def _role() -> None:
    for server in PG_SERVERS:
        with connect(server_url(server), autocommit=True) as conn:
            conn.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
                f"THEN CREATE ROLE {ROLE}; END IF; END $$"
            )


def _fresh(server: str, sql: str) -> Callable[[], AbstractContextManager[str]]:
    """A new scratch database holding ``sql``, each time it is entered."""

    @contextmanager
    def fresh() -> Iterator[str]:
        with loaded(server, sql) as (url,):
            yield url

    return fresh


def converge_both_orders(server: str, a: str, b: str) -> None:
    """A's database migrated to B by the default plan (any column order left as announced)
    and, where an order is left, by ``column_order=True`` to B itself."""
    with loaded(server, a, b) as (ua, ub):
        cat_a, cat_b = read_catalog(ua), read_catalog(ub)
    if cat_a == cat_b:  # random pairs may draw the same schema twice
        assert diff_schemas(cat_a, cat_b).is_empty
    else:
        check_default_and_rebuild(_fresh(server, a), cat_a, cat_b, reverse=False)


@pytest.mark.parametrize("server", PG_SERVERS)
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair_converges_both_ways(name: str, server: str) -> None:
    a, b = PAIRS[name]
    converge_both_orders(server, a, b)  # the plan is not empty: checked there
    converge_both_orders(server, b, a)


@pytest.mark.parametrize("server", PG_SERVERS)
def test_plain_forms_converge_too(server: str) -> None:
    a, b = PAIRS["keys"]
    plan, _ = converge(server, a, b, safe=False)
    assert all(s.transactional for s in plan.statements())


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


@pytest.mark.parametrize("server", PG_SERVERS)
def test_rows_survive_rebuild_rename_and_enum_replacement(server: str) -> None:
    a = """create type st as enum ('new', 'old', 'gone');
           create table t (id int generated always as identity primary key, b int, s st);
           create table r (k int primary key, v text);
           insert into t (b, s) values (10, 'new'), (20, 'old');
           insert into r values (1, 'one');"""
    b = """create type st as enum ('new', 'old');
           create table t (id int generated always as identity primary key, a text,
                           b bigint, s st);
           create table keyed (key int primary key, v text);"""
    with loaded(server, a, b) as (ua, ub):
        plan = diff_schemas(
            read_catalog(ua),
            read_catalog(ub),
            renames={"public.r": "keyed", "public.r.k": "key"},
            column_order=True,  # the column in the middle: the rebuild is asked for
        )
        kinds = [o.kind for o in plan.operations]
        assert "rebuild_table" in kinds and "replace_type" in kinds and "drop_table" not in kinds
        apply_plan(ua, plan)
        assert _rows(ua, "select id, a, b, s::text from t order by id") == [
            (1, None, 10, "new"),
            (2, None, 20, "old"),
        ]
        assert _rows(ua, "select key, v from keyed") == [(1, "one")]
        # the identity continues after the copied rows
        with connect(ua, autocommit=True) as conn:
            conn.execute("insert into t (b, s) values (30, 'new')")
        assert _rows(ua, "select max(id) from t") == [(3,)]
        assert not schema_differences(read_catalog(ua), read_catalog(ub))


@pytest.mark.parametrize("server", PG_SERVERS)
def test_serial_to_identity_continues_the_sequence(server: str) -> None:
    a = "create table t (id serial primary key, v int); insert into t (v) values (1), (2);"
    b = "create table t (id int generated by default as identity primary key, v int);"
    with loaded(server, a, b) as (ua, ub):
        apply_plan(ua, diff_schemas(read_catalog(ua), read_catalog(ub)))
        with connect(ua, autocommit=True) as conn:
            conn.execute("insert into t (v) values (3)")
        assert _rows(ua, "select id, v from t order by id") == [(1, 1), (2, 2), (3, 3)]


@pytest.mark.parametrize("server", PG_SERVERS)
def test_reverse_plan_restores_the_source(server: str) -> None:
    a, b = PAIRS["columns"]
    with loaded(server, a, b) as (ua, ub):
        cat_a, cat_b = read_catalog(ua), read_catalog(ub)
        plan = diff_schemas(cat_a, cat_b)
        apply_plan(ua, plan)
        apply_plan(ua, plan.reverse())
        assert not schema_differences(read_catalog(ua), cat_a)


@pytest.mark.parametrize("server", PG_SERVERS)
def test_diff_from_ddl_equals_diff_from_catalog(server: str) -> None:
    from dbdesign.readers.ddl.postgres import read_ddl

    a, b = PAIRS["enums"]
    with loaded(server, a, b) as (ua, ub):
        from_catalog = diff_schemas(read_catalog(ua), read_catalog(ub))
    from_ddl = diff_schemas(read_ddl(a), read_ddl(b))
    assert [o.describe() for o in from_ddl.operations] == [
        o.describe() for o in from_catalog.operations
    ]


@pytest.mark.parametrize("server", PG_SERVERS)
@settings(
    max_examples=8,
    deadline=None,
    # each example loads two databases: report the first failure as found, unshrunk
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pair=st.tuples(schemas(max_tables=3), schemas(max_tables=3)))
def test_random_pairs_converge(server: str, pair: tuple[object, object]) -> None:
    a, b = pair
    converge_both_orders(server, emit_schema(a), emit_schema(b))  # type: ignore[arg-type]
