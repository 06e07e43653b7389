"""Tables that hold on to each other are dropped: the plan drops what ties them first.

sakila.sql against an empty schema failed with "dependency cycle: drop table store -> staff ->
store": store and staff reference each other by foreign keys, and each DROP TABLE was ordered
before the other table's. Its payment table has the same knot another way: rules on the parent
write into its inheritance children, which cannot be dropped while the rules use them, and the
parent cannot be dropped before its children. Each plan here is applied on a real server.
"""

from __future__ import annotations

import pytest

from dbdesign.diff import diff_schemas
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres import read_catalog
from dbdesign.readers.ddl.postgres import read_ddl, read_path
from tests.conftest import PG_SERVERS
from tests.paths import CORPUS
from tests.pgload import load_sql
from tests.unit.diff_support import apply_plan, converge

SAKILA = CORPUS / "postgres" / "sakila.sql"

KEEP = "CREATE TABLE keep (id int PRIMARY KEY);"

# the shape of sakila's store and staff, and of its payment table and children
KNOTS = (
    KEEP
    + """
CREATE TABLE store (store_id int PRIMARY KEY, manager_staff_id int NOT NULL);
CREATE TABLE staff (staff_id int PRIMARY KEY, store_id int NOT NULL REFERENCES store);
ALTER TABLE store ADD CONSTRAINT store_manager_staff_id_fkey
    FOREIGN KEY (manager_staff_id) REFERENCES staff;
CREATE TABLE payment (payment_id int, payment_date date NOT NULL);
CREATE TABLE payment_p2007 (CHECK (payment_date < '2008-01-01')) INHERITS (payment);
CREATE RULE payment_insert_p2007 AS ON INSERT TO payment
    WHERE new.payment_date < '2008-01-01'
    DO INSTEAD INSERT INTO payment_p2007 VALUES (new.*);
"""
)


def test_tables_in_a_cycle_are_dropped_after_what_ties_them() -> None:
    plan = diff_schemas(read_ddl(KNOTS), read_ddl(KEEP))
    steps = [o.describe() for o in plan.operations]
    first_table = min(i for i, d in enumerate(steps) if d.startswith("drop table"))
    assert any(d.startswith("drop foreign key") for d in steps[:first_table]), steps
    assert any(d.startswith("drop rule") for d in steps[:first_table]), steps
    assert steps.index("drop table public.payment_p2007") < steps.index("drop table public.payment")


@pytest.mark.parametrize("server", PG_SERVERS)
@pytest.mark.parametrize("direction", ["drop", "create"])
def test_knotted_tables_converge(server: str, direction: str) -> None:
    a, b = (KNOTS, KEEP) if direction == "drop" else (KEEP, KNOTS)
    converge(server, a, b)


def test_sakila_against_an_empty_schema(pg_scratch: str) -> None:
    """The reported case: sakila.sql read as the source, an empty schema as the target; the plan
    empties a database loaded with the file."""
    plan = diff_schemas(read_path(SAKILA), Schema())
    load_sql(pg_scratch, SAKILA.read_text())
    apply_plan(pg_scratch, plan)
    left = read_catalog(pg_scratch)
    assert not (left.tables or left.views or left.functions or left.sequences), plan.sql()
    assert not (left.enums or left.domains or left.triggers or left.rules), plan.sql()
