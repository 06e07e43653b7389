"""`migrate new --template`: the safe form of a common change, which the migration linter passes
as written, `migrate up` applies (its safety check included) and `migrate test` round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbdesign.engine import connect
from tests.integration.test_migrate_helpers import cli, pg_history, write_folder

BASE = (
    "create table customers (id bigint primary key);\n"
    'create table "Orders" (id bigint primary key, customer_id bigint, status text, '
    "code text);\n"
    "insert into customers values (1), (2);\n"
    """insert into "Orders" values (1, 1, 'new', 'a'), (2, 2, 'paid', 'b');\n"""
)
DOWN = 'drop table "Orders"; drop table customers;\n'

TEMPLATES = {
    "add-column": ["--column", "note", "--type", "varchar(40)"],
    "add-index": ["--column", "customer_id"],
    "add-unique": ["--column", "code"],
    "add-foreign-key": ["--column", "customer_id", "--references", "customers(id)"],
    "set-not-null": ["--column", "status"],
}


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_template_is_safe_and_round_trips(template: str, pg_scratch: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "m", {"0001_base.up.sql": BASE, "0001_base.down.sql": DOWN})
    r = cli("migrate", "new", "change", "--dir", str(folder), "--template", template,
            "--table", "Orders", *TEMPLATES[template])  # fmt: skip
    assert r.returncode == 0, r.stderr
    made = sorted(p.name for p in folder.glob("*.sql") if not p.name.startswith("0001"))
    assert made and all(n.startswith(("0002_change", "0003_change")) for n in made), made
    r = cli("lint", "--migrations", str(folder), "-f", "json", "--fail-on", "info")
    assert r.stdout, r.stderr
    findings = json.loads(r.stdout)["findings"]
    assert findings == [], findings
    r = cli("migrate", "up", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stderr
    assert all(state == "applied" for _, state in pg_history(pg_scratch))
    r = cli("migrate", "test", "--db", pg_scratch, "--dir", str(folder))
    assert r.returncode == 0, r.stdout + r.stderr
    with connect(pg_scratch) as conn:
        rows = conn.execute('SELECT count(*) FROM "Orders"').fetchone()
    assert rows == (2,)


def test_unknown_template_and_missing_arguments(tmp_path: Path) -> None:
    r = cli("migrate", "new", "x", "--dir", str(tmp_path), "--template", "drop-everything",
            "--table", "t", "--column", "c")  # fmt: skip
    assert r.returncode == 2 and "choose from add-column" in r.stderr
    r = cli("migrate", "new", "x", "--dir", str(tmp_path), "--template", "add-index")
    assert r.returncode == 2 and "--table and --column" in r.stderr
    r = cli("migrate", "new", "x", "--dir", str(tmp_path), "--template", "add-foreign-key",
            "--table", "t", "--column", "c")  # fmt: skip
    assert r.returncode == 2 and "--references TABLE(COLUMN)" in r.stderr
    assert not list(tmp_path.glob("*.sql"))
