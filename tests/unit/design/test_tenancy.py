"""Multi-tenant designs keep tenants apart in the schema itself: references between
tenant-owned tables include the tenant key, link tables carry it (a reference the spec sets to
NULL clears only itself: SET NULL (col) on PostgreSQL, RESTRICT elsewhere), and the exception
(self-references) stays single-column with a stated reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbdesign.design import design
from dbdesign.readers import spec as S
from tests.paths import ROOT

SPEC = """
project:
  name: tenancy
  features:
    multi_tenancy: {tenant: org}
entities:
  org:
    attributes: {name: {type: text, required: true}}
  project:
    attributes: {name: {type: text, required: true}}
  task:
    attributes: {title: {type: text, required: true}}
  member:
    attributes: {email: {type: email, required: true}}
  tag:
    attributes: {name: {type: text, required: true}}
relationships:
  - {type: one-to-many, parent: org, child: project, on_delete: cascade}
  - {type: one-to-many, parent: project, child: task, on_delete: cascade}
  - type: one-to-many
    parent: member
    child: task
    name: assignee
    on_delete: set null
    required: false
  - {type: one-to-many, parent: task, child: task, name: parent, required: false}
  - {type: many-to-many, between: [task, tag]}
"""


@pytest.mark.parametrize("dialect", ["postgres", "sqlite", "mysql"])
def test_references_between_tenant_tables_include_the_tenant(tmp_path: Path, dialect: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    d = design(S.load(path), dialect)
    tables = {t.name: t for t in d.schema.tables.values()}
    fks = {fk.name: fk for fk in tables["tasks"].foreign_keys.values()}
    assert fks["fk_tasks_project_id"].columns == ("org_id", "project_id")
    assert fks["fk_tasks_project_id"].ref_columns == ("org_id", "id")
    assert ("org_id", "id") in [u.columns for u in tables["projects"].uniques.values()]
    # SET NULL must not clear org_id: only the reference (PostgreSQL 15+), else RESTRICT
    assignee = fks["fk_tasks_assignee_id"]
    assert assignee.columns == ("org_id", "assignee_id")
    if dialect == "postgres":
        assert (assignee.on_delete, assignee.on_delete_columns) == ("SET NULL", ("assignee_id",))
    else:
        assert (assignee.on_delete, assignee.on_delete_columns) == ("RESTRICT", ())
    reasons = [x.reason for x in d.decisions if x.subject == "fk_tasks_assignee_id"]
    assert any("would clear org_id too" in r for r in reasons), reasons
    # the exception, single-column: a self-reference
    assert fks["fk_tasks_parent_id"].columns == ("parent_id",)
    # the link between two tenant-owned tables carries the tenant first in its key
    link = tables["task_tags"]
    assert link.primary_key is not None and link.primary_key.columns[0] == "org_id"
    assert all(fk.columns[0] == "org_id" for fk in link.foreign_keys.values())


def test_the_example_issue_tracker_has_no_cross_tenant_reference() -> None:
    d = design(S.load(ROOT / "examples" / "issue_tracker.yaml"))
    for t in d.schema.tables.values():
        tenant = "organisation_id" if t.column("organisation_id") is not None else None
        for fk in t.foreign_keys.values():
            ref = d.schema.tables[fk.ref_table]
            if tenant and ref.column("organisation_id") is not None:
                assert fk.columns[0] == "organisation_id", (t.name, fk.name)
