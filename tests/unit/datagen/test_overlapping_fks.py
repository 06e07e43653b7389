"""Foreign keys that share columns (the tenant pattern): every row satisfies all of them at
once, NULL where a key may be NULL, unique keys over them hold, skew applies to the first key
drawn; what cannot be satisfied is refused with one clear message."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api, datagen
from dbdesign.datagen import CapacityError
from dbdesign.errors import UnsupportedError
from dbdesign.model import Schema
from dbdesign.readers.ddl.postgres import read_ddl

TENANT = Path(__file__).parents[2] / "integration" / "sql" / "datagen_tenant.sql"
ROWS = {"org": 8, "project": 30, "member": 120, "label": 40, "issue": 3000, "issue_label": 2500}

Rows = dict[str, list[dict[str, Any]]]


def rows_of(schema: Schema, rows: dict[str, int], **kw: Any) -> Rows:
    out: Rows = {k: [] for k in schema.tables}
    for b in datagen.generate(schema, rows, **kw):
        out[b.table].extend(dict(zip(b.columns, r, strict=True)) for r in b.rows)
    return out


def assert_constraints_hold(schema: Schema, data: Rows) -> None:
    """Every foreign key (MATCH SIMPLE: a key with a NULL is not checked) and every unique key."""
    for key, t in schema.tables.items():
        keys = [t.primary_key.columns] if t.primary_key else []
        keys += [u.columns for u in t.uniques.values()]
        for cols in keys:
            vals = [tuple(r[c] for c in cols) for r in data[key]]
            vals = [v for v in vals if None not in v]
            assert len(vals) == len(set(vals)), f"{key} ({', '.join(cols)}) repeats"
        for fk in t.foreign_keys.values():
            parent = {tuple(r[c] for c in fk.ref_columns) for r in data[fk.ref_table]}
            for r in data[key]:
                v = tuple(r[c] for c in fk.columns)
                assert None in v or v in parent, f"{key}.{fk.name}: {v} has no parent"


def test_tenant_references_hold_together() -> None:
    schema = api.read(str(TENANT))
    data = rows_of(schema, ROWS, seed=1)
    assert {k: len(v) for k, v in data.items()} == {f"public.{k}": n for k, n in ROWS.items()}
    assert_constraints_hold(schema, data)
    issues = data["public.issue"]
    # the nullable composite and the SET NULL single-column reference are sometimes NULL
    reviewers = sum(r["reviewer_id"] is None for r in issues)
    assignees = sum(r["assignee_id"] is None for r in issues)
    assert 0 < reviewers < len(issues) / 4 and 0 < assignees < len(issues) / 4
    # every tenant, project and member is used (uniform draws, not one parent for all)
    assert len({r["org_id"] for r in issues}) == 8
    assert len({r["project_id"] for r in issues}) == 30


def test_same_seed_same_rows() -> None:
    schema = api.read(str(TENANT))
    assert rows_of(schema, ROWS, seed=4) == rows_of(schema, ROWS, seed=4)
    assert rows_of(schema, ROWS, seed=4) != rows_of(schema, ROWS, seed=5)


@pytest.mark.parametrize("column", ["project_id", "reporter_id"])
def test_skew_applies_to_the_key_it_names(column: str) -> None:
    schema = api.read(str(TENANT))
    data = rows_of(schema, ROWS, seed=2, skew={f"issue.{column}": 1.5})
    assert_constraints_hold(schema, data)
    top = Counter(r[column] for r in data["public.issue"]).most_common(1)[0][1]
    assert top / 3000 > 0.2  # Zipf 1.5: the first parent takes about 40 %


def test_unique_key_inside_the_group_and_its_capacity() -> None:
    schema = api.read(str(TENANT))
    rows = {"org": 2, "project": 2, "member": 4, "label": 4, "issue": 6, "issue_label": 6}
    data = rows_of(schema, rows, seed=3)
    assert_constraints_hold(schema, data)
    # 6 issues x 2 labels of their tenant on average: at most 12 distinct (org, issue, label)
    with pytest.raises(CapacityError) as e:
        rows_of(schema, {**rows, "issue_label": 40}, seed=3)
    assert e.value.table == "public.issue_label" and e.value.limit < 40
    assert "pk_issue_label" in str(e.value) and "\n" not in str(e.value)


def test_a_chain_of_overlapping_keys() -> None:
    # (a, b) -> p, (b, c) -> q, (a, c) -> r: the third is fixed by the first two and only checked
    ddl = """
    CREATE TABLE p (a int CHECK (a IN (1, 2, 3)), b int CHECK (b IN (1, 2, 3)), PRIMARY KEY (a, b));
    CREATE TABLE q (b int CHECK (b IN (1, 2, 3)), c int CHECK (c IN (1, 2, 3)), PRIMARY KEY (b, c));
    CREATE TABLE r (a int CHECK (a IN (1, 2, 3)), c int CHECK (c IN (1, 2)), PRIMARY KEY (a, c));
    CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, c int NOT NULL,
      FOREIGN KEY (a, b) REFERENCES p, FOREIGN KEY (b, c) REFERENCES q,
      FOREIGN KEY (a, c) REFERENCES r);
    """
    schema = read_ddl(ddl, file="t.sql")
    data = rows_of(schema, {"p": 9, "q": 9, "r": 6, "t": 500}, seed=1)
    assert_constraints_hold(schema, data)
    assert {r["c"] for r in data["public.t"]} == {1, 2}


def test_what_cannot_be_satisfied_is_refused() -> None:
    base = """
    CREATE TABLE org (id int PRIMARY KEY);
    CREATE TABLE project (org_id int NOT NULL REFERENCES org, id int PRIMARY KEY,
      UNIQUE (org_id, id){project_check});
    CREATE TABLE member (org_id int NOT NULL REFERENCES org, id int PRIMARY KEY,
      UNIQUE (org_id, id){member_check});
    CREATE TABLE issue (id int PRIMARY KEY, org_id int NOT NULL, project_id int NOT NULL,
      reporter_id int NOT NULL,
      FOREIGN KEY (org_id, project_id) REFERENCES project (org_id, id),
      FOREIGN KEY (org_id, reporter_id) REFERENCES member (org_id, id));
    """

    def plan(rows: dict[str, int], project_check: str = "", member_check: str = "") -> None:
        ddl = base.format(project_check=project_check, member_check=member_check)
        datagen.plan(read_ddl(ddl, file="t.sql"), rows)

    # no member of any project's tenant
    with pytest.raises(UnsupportedError, match=r"public\.issue: foreign keys .* share \(org_id\)"):
        plan(
            {"*": 20},
            project_check=", CHECK (org_id <= 5)",
            member_check=", CHECK (org_id > 5)",
        )
    with pytest.raises(UnsupportedError, match=r"needs rows in public\.member"):
        plan({"org": 5, "project": 5, "issue": 5})
    selfref = """
    CREATE TABLE org (id int PRIMARY KEY);
    CREATE TABLE project (org_id int NOT NULL, id int PRIMARY KEY, UNIQUE (org_id, id));
    CREATE TABLE task (org_id int NOT NULL, id int PRIMARY KEY, project_id int NOT NULL,
      parent_id int, UNIQUE (org_id, id),
      FOREIGN KEY (org_id, project_id) REFERENCES project (org_id, id),
      FOREIGN KEY (org_id, parent_id) REFERENCES task (org_id, id));
    """
    with pytest.raises(
        UnsupportedError, match=r"public\.task: self-reference .* shares columns .*org_id"
    ):
        datagen.plan(read_ddl(selfref, file="t.sql"), {"*": 5})
