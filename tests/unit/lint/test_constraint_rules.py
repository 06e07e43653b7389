"""The new constraint, function and documentation rules beyond their case files.

tests/integration/test_lint_fix_sql.py compares foreign keys by their definition, which VALIDATE
CONSTRAINT changes (NOT VALID is part of it), so KEY010's foreign key case lives here; its hint
is the statement the CHECK cases run on the servers.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbdesign.lint import lint, parse_config
from dbdesign.lint.registry import all_rules
from tests.unit.lint.test_rule_cases import read_sql


def test_key010_reports_a_foreign_key_added_not_valid() -> None:
    schema = read_sql(
        'CREATE TABLE "Customers" (id bigint PRIMARY KEY);\n'
        'CREATE TABLE "Orders" (id bigint PRIMARY KEY, "customerId" bigint);\n'
        'ALTER TABLE "Orders" ADD CONSTRAINT "fkOrdersCustomer" FOREIGN KEY ("customerId")\n'
        '  REFERENCES "Customers" (id) NOT VALID;\n',
        "postgres",
    )
    [f] = lint(schema, replace(parse_config({}), select=("KEY010",)))
    assert f.object == "public.Orders.fkOrdersCustomer"
    assert f.message.startswith("foreign key fkOrdersCustomer on public.Orders is NOT VALID")
    assert f.fix_hint == 'ALTER TABLE public."Orders" VALIDATE CONSTRAINT "fkOrdersCustomer";'


def test_key010_a_foreign_key_validated_later_is_not_reported() -> None:
    schema = read_sql(
        "CREATE TABLE customers (id bigint PRIMARY KEY);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n"
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers\n"
        "  NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT fk;\n",
        "postgres",
    )
    assert lint(schema, replace(parse_config({}), select=("KEY010",))) == []


# The rules added for issue 14 ("Coverage"): their documented examples are whole schemas.
NEW_RULES = (
    "SEC006 SEC007 KEY008 KEY009 KEY010 KEY011 KEY012 KEY013 TYP015 IDX006 IDX007 DOC001 DOC002"
).split()


@pytest.mark.parametrize("code", NEW_RULES)
def test_documented_examples_run(code: str) -> None:
    """The Bad example of docs/lint.md produces the rule's finding, the Good one none."""
    rule = all_rules()[code]
    cfg = replace(parse_config({}), select=(code,))
    bad = lint(read_sql(rule.bad, "postgres"), cfg)
    good = lint(read_sql(rule.good, "postgres"), cfg)
    assert [f.code for f in bad] == [code], bad
    assert good == [], good
