"""Beyond one server: where one node's line is, the Citus plan of a design past it (placements,
the schema made for Citus's rules, the problems left, router / fan-out per access pattern),
citus.sql and DESIGN.md's words. Citus itself cannot run here: these check the design
statically, as the designer does (the schema it emits is applied and proved on PostgreSQL in
tests/integration/test_design_citus.py)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pglast
import pytest
import yaml

from dbdesign.design import Design, design
from dbdesign.design.citus import HOT_DATA_LINE, WRITE_LINE, CitusPlan, Placement
from dbdesign.design.citus_plan import plan
from dbdesign.design.citus_rules import check
from dbdesign.design.output import render
from dbdesign.readers import spec as S
from tests.paths import ROOT

EXAMPLES = [
    p for p in sorted((ROOT / "examples").glob("*.yaml")) if design(S.load(p)).relational
]  # Redis and MongoDB designs have no schema to distribute
PAST_THE_LINE = {"email_platform"}  # the examples whose stated volume crosses it


def spec_of(name: str, **project: Any) -> S.Spec:
    """An example spec, with ``project`` keys set (a validated spec, as a user would write)."""
    data = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text())
    data["project"].update(project)
    return S.loads(yaml.safe_dump(data, sort_keys=False))


def citus(d: Design) -> CitusPlan:
    assert d.citus is not None and d.citus.applies
    return d.citus


def placed(p: CitusPlan) -> dict[str, Placement]:
    return {x.name: x for x in p.placements}


# -- the line --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_stay_on_one_server_unless_their_volume_crosses_the_line(path: Path) -> None:
    d = design(S.load(path))
    assert d.citus is not None and d.spec.project.scale_out == "auto"
    crosses = d.citus.hot_bytes > HOT_DATA_LINE or d.citus.writes > WRITE_LINE
    assert d.citus.applies is crosses is (path.stem in PAST_THE_LINE)
    files = render(d)
    md = files["DESIGN.md"]
    if crosses:
        assert "citus.sql" in files and "#### Beyond one server: Citus" in md
    else:
        assert "citus.sql" not in files and "#### Beyond one server" not in md
        line = next(x for x in md.splitlines() if x.startswith("- **One server** carries"))
        assert "1.0 TB of hot data in 3 years" in line and "10,000 stated row writes/s" in line
        assert "Past it dbdesign designs for Citus" in line


def test_other_dialects_have_no_citus_plan() -> None:
    for dialect in ("sqlite", "mysql"):
        d = design(spec_of("issue_tracker", scale_out="citus"), dialect)
        assert d.citus is None
        assert "citus.sql" not in render(d) and "Citus" not in render(d)["DESIGN.md"]


def test_stated_writes_past_the_line_choose_citus() -> None:
    data = yaml.safe_load((ROOT / "examples" / "issue_tracker.yaml").read_text())
    assert design(S.loads(yaml.safe_dump(data))).citus.applies is False  # type: ignore[union-attr]
    data["writes"][3]["rate_per_second"] = 12_000  # record_audit
    d = design(S.loads(yaml.safe_dump(data)))
    p = citus(d)
    assert p.over_writes and not p.over_data
    md = render(d)["DESIGN.md"]
    assert "12,120 stated row writes/s (over the line)" in md
    data["project"]["scale_out"] = "none"
    d = design(S.loads(yaml.safe_dump(data)))
    assert d.citus is not None and not d.citus.applies
    assert "The spec sets `scale_out: none`" in render(d)["DESIGN.md"]


def test_stated_rows_past_the_line_choose_citus() -> None:
    data = yaml.safe_load((ROOT / "examples" / "ecommerce.yaml").read_text())
    data["entities"]["order_item"]["volume"] = {"rows": 8_000_000_000, "growth_per_year": 10**9}
    p = citus(design(S.loads(yaml.safe_dump(data))))
    assert p.over_data and not p.over_writes and p.hot_bytes > HOT_DATA_LINE


# -- a multi-tenant design: the tenant key distributes every tenant table ---------------------


def test_tenant_key_distributes_every_tenant_table_and_the_schema_meets_the_rules() -> None:
    d = design(spec_of("issue_tracker", scale_out="citus"))
    p = citus(d)
    where = placed(p)
    assert where["organisations"].role == "reference"  # small, read-mostly root
    tenant_tables = [t for t in d.schema.tables.values() if t.name != "organisations"]
    for t in tenant_tables:
        if t.partition_of:
            continue
        x = where[t.name]
        assert (x.role, x.column, x.group) == ("distributed", "organisation_id", "organisations")
        assert t.primary_key and "organisation_id" in t.primary_key.columns, t.name
        assert all("organisation_id" in u.columns for u in t.uniques.values()), t.name
        for fk in t.foreign_keys.values():
            q = p.placement(fk.ref_table)
            assert q is not None
            if q.role == "distributed":  # on the distribution column, at the same place
                i = fk.columns.index("organisation_id")
                assert fk.ref_columns[i] == "organisation_id", fk.name
            if "organisation_id" in fk.columns:
                assert fk.on_delete not in ("SET NULL", "SET DEFAULT"), fk.name
    for ix in d.schema.indexes.values():
        if ix.unique and ix.table != "organisations":
            assert "organisation_id" in [e.column for e in ix.elements], ix.name
    assert p.problems == ()
    # the primary key keeps id first (lookups by id), the tenant last
    assert d.schema.tables["public.issues"].primary_key.columns == ("id", "organisation_id")  # type: ignore[union-attr]
    # the (tenant, id) unique the same-tenant references needed is the primary key now
    assert "uq_issues_organisation_id_id" not in d.schema.tables["public.issues"].uniques
    ix = d.schema.indexes["public.uq_issues_project_id_number"]
    assert [e.column for e in ix.elements] == ["project_id", "number", "organisation_id"]
    decided = {x.subject: x for x in d.decisions}
    assert (
        decided["fk_issues_assignee_id"].choice
        == "ON DELETE RESTRICT instead of SET NULL (assignee_id)"
    )
    assert "sets assignee_id to NULL before it deletes" in decided["fk_issues_assignee_id"].reason
    assert decided["pk_issues"].choice == "primary key (id, organisation_id)"
    assert all(r.kind == "router" for r in p.routes)


def test_the_rules_are_reported_on_a_schema_not_made_for_citus() -> None:
    """The single-node design of the same spec, checked as Citus would: each break names the
    object and the change."""
    d = dataclasses.replace(
        design(spec_of("issue_tracker")), spec=spec_of("issue_tracker", scale_out="citus")
    )
    p = plan(d)
    assert p is not None and p.applies
    found = {(x.table, x.object): x for x in p.problems}
    pk = found[("issues", "pk_issues")]
    assert pk.blocking and pk.rule == "unique keys include the distribution column"
    assert pk.message == "unique (id) does not include organisation_id"
    assert "narrow it to (id, organisation_id)" in pk.fix
    ix = found[("issues", "uq_issues_project_id_number")]
    assert ix.message.endswith("WHERE deleted_at IS NULL does not include organisation_id")
    fk = found[("issues", "fk_issues_assignee_id")]
    assert fk.message.startswith("ON DELETE SET NULL (assignee_id) on a foreign key that holds")
    assert fk.fix.startswith("ON DELETE RESTRICT")
    assert ("comments", "pk_comments") in found and ("audit_events", "pk_audit_events") in found


def test_rules_between_roles_and_groups() -> None:
    """A reference table referencing a distributed one, and a reference between two groups,
    are refused; a reference from a distributed table to a reference table is fine."""
    d = design(spec_of("ecommerce"))
    shop = d.schema.tables
    placements = (
        Placement("public.customers", "customers", "distributed", "id", "customers"),
        Placement("public.orders", "orders", "distributed", "id", "orders"),
        Placement("public.order_items", "order_items", "reference"),
        Placement("public.products", "products", "reference"),
    )
    sub = dataclasses.replace(
        d,
        schema=dataclasses.replace(
            d.schema,
            tables=type(shop)({k: shop[k] for k in (x.table for x in placements)}),
        ),
        patterns=(),
    )
    problems, _, _ = check(sub, placements)
    found = {x.object: x for x in problems}
    assert "not co-located" in found["fk_orders_customer_id"].message
    assert "a reference table cannot reference a distributed table" in (
        found["fk_order_items_order_id"].message
    )
    assert "fk_order_items_product_id" not in found  # reference -> reference


def test_a_trigger_that_reads_other_rows_needs_care_and_an_update_of_the_key_is_refused() -> None:
    data = yaml.safe_load((ROOT / "examples" / "library.yaml").read_text())
    data["project"]["scale_out"] = "citus"
    d = design(S.loads(yaml.safe_dump(data)))
    p = citus(d)
    care = [x for x in p.problems if not x.blocking]
    assert care and all(x.rule == "triggers on distributed and reference tables" for x in care)
    assert any("at_most" in x.message for x in care)
    assert p.unsafe_triggers
    assert "SET citus.enable_unsafe_triggers TO on;" in render(d)["citus.sql"]
    data = yaml.safe_load((ROOT / "examples" / "issue_tracker.yaml").read_text())
    data["project"]["scale_out"] = "citus"
    data["writes"].append(
        {"name": "move_issue", "entity": "issue", "operation": "update", "fields": ["organisation"]}
    )
    p = citus(design(S.loads(yaml.safe_dump(data))))
    moved = [x for x in p.problems if x.object == "move_issue"]
    assert moved and moved[0].message.startswith("updates organisation_id")


# -- a design without tenants: the root routes the most reads ----------------------------------


def test_without_tenants_the_root_routes_the_most_stated_reads() -> None:
    d = design(spec_of("ecommerce", scale_out="citus"))
    p = citus(d)
    where = placed(p)
    # orders by id routes order_lines (150/s) and payments_of_order (50/s); by customer_id
    # only customer_order_history (100/s) would reach one shard
    assert (where["orders"].column, where["orders"].group) == ("id", "orders")
    for name in ("order_items", "payments"):
        assert (where[name].column, where[name].group) == ("order_id", "orders")
    # small, read-mostly tables become reference tables
    for name in ("customers", "products", "categories", "inventory_levels", "product_categories"):
        assert where[name].role == "reference", name
    routes = {r.pattern: r.kind for r in p.routes}
    assert routes["order_lines"] == routes["payments_of_order"] == "router"
    assert routes["customer_order_history"] == routes["orders_in_period"] == "fan-out"
    assert routes["product_by_sku"] == "reference"
    # a key unique across all payments cannot be checked shard by shard: reported, not changed
    left = {x.object: x for x in p.problems}
    assert set(left) == {"uq_payments_provider_reference"}
    assert "lookup table" in left["uq_payments_provider_reference"].fix
    md = render(d)["DESIGN.md"]
    assert "1 problem left, which Citus refuses." in md
    assert "Fan-out: `customer_order_history`, `orders_to_ship`, `orders_in_period`" in md


CARTS = (ROOT / "tests" / "integration" / "specs" / "citus_carts.yaml").read_text()


def test_a_child_gets_the_distribution_column_its_parent_carries() -> None:
    d = design(S.loads(CARTS))
    p = citus(d)
    where = placed(p)
    assert where["customers"].role == "distributed"  # 60M rows: too many for a reference
    assert {where[n].column for n in ("customers", "carts", "cart_lines")} == {"id", "customer_id"}
    line = where["cart_lines"]
    assert (line.column, line.added, line.group) == ("customer_id", True, "customers")
    t = d.schema.tables["public.cart_lines"]
    cols = [c.name for c in t.columns]
    assert cols.index("customer_id") == cols.index("cart_id") - 1
    assert not next(c for c in t.columns if c.name == "customer_id").nullable
    fk = t.foreign_keys["fk_cart_lines_cart_id"]
    assert (fk.columns, fk.ref_columns) == (("customer_id", "cart_id"), ("customer_id", "id"))
    assert t.primary_key and t.primary_key.columns == ("id", "customer_id")
    assert ("cart_id", "sku", "customer_id") in [u.columns for u in t.uniques.values()]
    assert p.problems == ()
    routes = {r.pattern: r for r in p.routes}
    assert routes["carts_of_customer"].kind == "router"
    assert routes["lines_of_cart"].kind == "fan-out"
    assert "can filter by it too" in routes["lines_of_cart"].why
    info = next(x for x in d.tables if x.name == "cart_lines")
    assert any("(with `customer_id`: Citus)" in r for r in info.relationships)


# -- the outputs -------------------------------------------------------------------------------


def _calls(sql: str) -> list[tuple[str, str, str | None]]:
    """(function, table, colocate_with) of each SELECT in citus.sql, read with pglast."""
    out = []
    for raw in pglast.parse_sql(sql):
        fn = raw.stmt.targetList[0].val
        name = ".".join(n.sval for n in fn.funcname)
        args = [a for a in fn.args]
        table = args[0].val.sval
        colocate = next(
            (a.arg.val.sval for a in args if getattr(a, "name", None) == "colocate_with"), None
        )
        out.append((name, table, colocate))
    return out


@pytest.mark.parametrize("name", ["issue_tracker", "ecommerce", "email_platform"])
def test_citus_sql_parses_and_orders_its_calls(name: str) -> None:
    d = design(spec_of(name, scale_out="citus"))
    p = citus(d)
    sql = render(d)["citus.sql"]
    body = "\n".join(x for x in sql.splitlines() if not x.startswith("SET "))
    calls = _calls(body)
    kinds = [c[0] for c in calls]
    assert kinds == sorted(kinds, key=lambda k: k != "create_reference_table")  # refs first
    assert {c[1] for c in calls} == {x.table for x in p.placements}
    seen: set[str] = set()
    first: dict[str, str] = {}
    for fn, table, colocate in calls:
        x = p.placement(table)
        assert x is not None
        for fk in d.schema.tables[table].foreign_keys.values():  # parents before children
            assert fk.ref_table == table or fk.ref_table in seen, (table, fk.name)
        if fn == "create_distributed_table":
            assert x.group is not None
            if x.group in first:
                assert colocate == first[x.group]
            else:
                assert colocate == "none"
                first[x.group] = table
        seen.add(table)
    assert "NOT run on a Citus cluster" in sql


def test_design_md_says_where_the_line_is_and_what_is_not_proven() -> None:
    d = design(S.load(ROOT / "examples" / "email_platform.yaml"))
    p = citus(d)
    assert p.scale_out == "auto" and p.over_data and p.over_writes
    md = render(d)["DESIGN.md"]
    section = md.split("#### Beyond one server: Citus", 1)[1].split("\n## ", 1)[0]
    assert "one PostgreSQL server carries a design while its hot data in 3 years stays under" in (
        section
    )
    assert re.search(r"This design: [\d.]+ TB of hot data in 3 years .*\(over the line\)", section)
    assert "Checked statically, not proven on a Citus cluster" in section
    for r in p.routes:
        assert re.search(rf"\| `{r.pattern}` \| {r.table} \| .* \| {r.kind} \|", section), r
    assert {r.kind for r in p.routes} == {"router", "reference"}
