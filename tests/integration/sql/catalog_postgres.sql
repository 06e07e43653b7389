-- Hand-written DDL for tests/integration/test_catalog_postgres.py (needs role dbdesign_reader).
create schema app;
comment on schema app is 'application';
create type app.mood as enum ('sad', 'ok', 'happy');
comment on type app.mood is 'feelings';
create domain app.posint as integer not null default 1 constraint posint_positive check (value > 0);
create type app.pair as (a integer, b text);
create table app.customer (
  id serial primary key,
  email varchar(200) collate "C" not null,
  tags text[],
  matrix integer[][],
  mood app.mood default 'ok',
  balance numeric(12,2) default 0,
  created timestamptz(3) not null default now(),
  doubled integer generated always as (id * 2) stored,
  constraint customer_email_key unique (email)
) with (fillfactor=70);
comment on table app.customer is 'customers';
comment on column app.customer.email is 'login';
create table app.orders (
  id bigint generated always as identity (start with 100 increment by 10) primary key,
  customer_id integer not null references app.customer (id) on delete cascade on update restrict,
  code text,
  amount app.posint,
  during tstzrange,
  unique nulls not distinct (code) include (amount),
  check (amount < 1000000) no inherit,
  constraint orders_no_overlap exclude using gist (during with &&) where (code is not null)
);
alter table app.orders add constraint orders_customer_fk2 foreign key (customer_id)
  references app.customer (id) match full deferrable initially deferred not valid;
create index orders_code_lower_idx on app.orders (lower(code) desc nulls last) where amount > 10;
create index orders_code_pattern_idx on app.orders (code text_pattern_ops) include (amount);
create index orders_customer_idx on app.orders (customer_id nulls first);
create unlogged table app.scratch (a int);
create table app.events (id int, at date not null, kind text, customer_id int references app.customer (id),
  primary key (id, at)) partition by range (at);
create table app.events_2024 partition of app.events for values from ('2024-01-01') to ('2025-01-01');
create table app.events_default partition of app.events default;
create index events_kind_idx on app.events (kind);
alter table app.events add constraint events_kind_check check (kind <> '');
create table app.event_notes (event_id int, at date, note text,
  foreign key (event_id, at) references app.events (id, at));
create table app.base (x int);
create table app.child (y int) inherits (app.base);
create sequence app.counter increment by -1 cache 5;
create view app.active as select id, email from app.customer where mood <> 'sad'
  with cascaded check option;
comment on view app.active is 'active customers';
comment on column app.active.email is 'their login';
create materialized view app.totals as
  select customer_id, count(*) as n from app.orders group by customer_id;
create unique index totals_customer_idx on app.totals (customer_id);
create function app.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger customer_touch before insert or update of email on app.customer
  for each row when (new.email is not null) execute function app.touch('a', 'b');
create trigger events_log after insert on app.events for each row execute function app.touch();
comment on trigger customer_touch on app.customer is 'touch it';
create function app.add(a integer, b integer default 1) returns integer
  language sql immutable strict parallel safe as 'select a + b';
create function app.pairs(n integer) returns table (i integer, label text)
  language sql stable as 'select g, g::text from generate_series(1, n) g';
create procedure app.noop(inout x integer) language plpgsql security definer
  set search_path = pg_catalog, public as $$ begin end $$;
create aggregate app.total(integer) (sfunc = int4pl, stype = integer, initcond = '0');
alter table app.customer enable row level security;
alter table app.customer force row level security;
create policy customer_self on app.customer as restrictive for update to dbdesign_reader
  using (id > 0) with check (id < 100);
create policy customer_all on app.customer using (true);
create rule orders_no_delete as on delete to app.orders do instead nothing;
grant select, update (email) on app.customer to dbdesign_reader;
grant insert on app.customer to dbdesign_reader with grant option;
grant usage on schema app to dbdesign_reader with grant option;
grant execute on function app.add(integer, integer) to dbdesign_reader;
grant usage on sequence app.counter to dbdesign_reader;
