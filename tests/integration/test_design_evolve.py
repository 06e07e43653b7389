"""`dbdesign design SPEC --out DIR` when DIR holds a previous design: the next migration.

Realistic changes are made here to copies of the examples. Each writes the next numbered
migration(s) after `0001_initial`, leaves the earlier files byte for byte as they were and
passes the migration-safety lint (`dbdesign lint --migrations`, and `migrate up`'s own check,
which refuses error findings); applied for real by the migration runner to a database built
from the earlier migrations, on the embedded PostgreSQL 16 and on PostgreSQL 15, the database
reads back as the designed schema (no difference, an empty diff), the downs return it to the
previous design's schema, and `migrate test` passes (every down undoes its up). A dangerous
change (a type that narrows or rewrites the table) is refused without --allow-destructive or
reported by the lint with exit 1; a spec without a schema change writes no migration.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from dbdesign import api, engine
from dbdesign.diff import diff_schemas
from dbdesign.errors import (
    ConfigError,
    DestructiveChangeError,
    MigrationError,
    UnsupportedError,
)
from dbdesign.lint.findings import Severity
from dbdesign.lint.migration import MigrationLintOptions
from dbdesign.migrate.compare import schema_differences
from dbdesign.migrate.runner import Settings
from dbdesign.migrate.sources import without_history
from dbdesign.model import Schema
from tests.conftest import PG_SERVERS, server_url
from tests.paths import ROOT

EPOCH = 1767225600  # 2026-01-01T00:00:00Z
DAY = 86400
Spec = dict[str, Any]


def _example(name: str) -> Spec:
    data: Spec = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text())
    return data


# ------------------------------------------------------------------------------ the changes


def _phone(s: Spec) -> None:
    s["entities"]["member"]["attributes"]["phone"] = {"type": "phone"}


def _tier(s: Spec) -> None:
    s["entities"]["member"]["attributes"]["tier"] = {
        "type": "enum",
        "values": ["basic", "gold"],
        "required": True,
        "default": "basic",
    }


def _shelves(s: Spec) -> None:
    s["entities"]["shelf"] = {
        "description": "A shelf of a branch; a copy stands on one.",
        "attributes": {"label": {"type": "text", "max_length": 20, "required": True}},
    }
    s["relationships"] += [
        {"type": "one-to-many", "parent": "branch", "child": "shelf", "on_delete": "cascade"},
        {
            "type": "one-to-many",
            "parent": "shelf",
            "child": "copy",
            "required": False,
            "on_delete": "set null",
        },
    ]


def _members_by_name(s: Spec) -> None:
    s["access_patterns"].append(
        {
            "name": "members_by_name",
            "entity": "member",
            "equal": ["full_name"],
            "rate_per_second": 5,
            "latency_ms": 50,
        }
    )


def _longer_address(s: Spec) -> None:
    s["entities"]["branch"]["attributes"]["address"]["max_length"] = 400


def _no_withdrawn_on(s: Spec) -> None:
    del s["entities"]["copy"]["attributes"]["withdrawn_on"]
    s["entities"]["copy"]["checks"] = []  # its check reads the attribute


def _one_account_per_email(s: Spec) -> None:
    s["entities"]["member"]["unique"] = [
        {"columns": ["email"], "where": "email is not null", "name": "one_account_per_email"}
    ]


def _display_name(s: Spec) -> None:
    attributes = s["entities"]["member"]["attributes"]
    attributes["display_name"] = attributes.pop("full_name")


def _reading_quality(s: Spec) -> None:
    s["entities"]["reading"]["attributes"]["quality"] = {"type": "integer", "min": 0, "max": 100}


def _list_price(s: Spec) -> None:
    s["entities"]["book"]["attributes"]["list_price"] = {
        "type": "decimal",
        "precision": 10,
        "scale": 4,
    }


def _cheaper_price(s: Spec) -> None:
    s["entities"]["book"]["attributes"]["list_price"]["scale"] = 2


@dataclass(frozen=True)
class Case:
    id: str
    change: Callable[[Spec], None]
    example: str = "library"
    allow_destructive: bool = False
    renames: dict[str, str] | None = None
    days_later: int = 0  # the change designed this many days after the first design
    # what the new migration must say (a fragment of its up files)
    says: tuple[str, ...] = field(default_factory=tuple)


CASES = (
    Case("new_optional_attribute", _phone, says=("ADD COLUMN phone text;", "VALIDATE")),
    Case(
        "new_required_attribute_with_default",
        _tier,
        says=("ADD COLUMN tier text DEFAULT 'basic' NOT NULL;",),
    ),
    Case(
        "new_entity_with_relationship",
        _shelves,
        says=("CREATE TABLE public.shelfs", "NOT VALID", "CREATE INDEX CONCURRENTLY"),
    ),
    Case(
        "new_access_pattern",
        _members_by_name,
        says=(
            "-- dbdesign: no-transaction",
            "CREATE INDEX CONCURRENTLY idx_members_full_name ON public.members (full_name);",
        ),
    ),
    Case("changed_max_length", _longer_address, says=("<= 400) NOT VALID;", "VALIDATE")),
    Case(
        "attribute_removed",
        _no_withdrawn_on,
        allow_destructive=True,
        says=("DROP COLUMN withdrawn_on;", "-- dbdesign: ignore MIG030 -- data_loss"),
    ),
    Case(
        "new_unique_rule",
        _one_account_per_email,
        says=("CREATE UNIQUE INDEX CONCURRENTLY", "(email) WHERE (email is not null);"),
    ),
    Case(
        "attribute_renamed_with_a_hint",
        _display_name,
        renames={"public.members.full_name": "display_name"},
        says=("RENAME COLUMN full_name TO display_name;", "-- dbdesign: ignore MIG032"),
    ),
    Case(
        "new_attribute_of_a_partitioned_entity_a_month_later",
        _reading_quality,
        example="fleet_telemetry",
        days_later=40,
        says=("ALTER TABLE public.readings ADD COLUMN quality smallint;",),
    ),
)


@pytest.fixture(params=PG_SERVERS)
def server(request: pytest.FixtureRequest) -> str:
    return server_url(request.param)


def _spec_file(folder: Path, name: str, data: Spec) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.*")}


def _previous_schema(out: Path) -> Schema:
    return api.from_json(json.loads((out / "design.json").read_text())["schema"])


def _read(url: str) -> Schema:
    return without_history(api.read(url))


def _first_design(tmp: Path, data: Spec, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    out = tmp / "out"
    first = api.design_outputs(_spec_file(tmp, "v1", data), out=out, prove=False)
    assert first.migration is None  # nothing there before: the initial migration
    assert sorted(p.name for p in (out / "migrations").iterdir()) == [
        "0001_initial.down.sql",
        "0001_initial.up.sql",
    ]
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_changed_spec_writes_the_next_migration(
    case: Case, server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = _example(case.example)
    out = _first_design(tmp_path, v1, monkeypatch)
    folder = out / "migrations"
    before = _snapshot(folder)
    previous = _previous_schema(out)
    v2 = copy.deepcopy(v1)
    case.change(v2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + case.days_later * DAY))
    r = api.design_outputs(
        _spec_file(tmp_path, "v2", v2),
        out=out,
        prove=False,
        db=server,
        allow_destructive=case.allow_destructive,
        renames=case.renames,
    )
    nxt = r.migration
    assert nxt.problems == () and nxt.errors == (), nxt.problems or nxt.findings
    assert nxt.ok and nxt.names
    # numbered after 0001, in order, each an up and a down; the earlier files as they were
    assert [n[:4] for n in nxt.names] == [f"{i:04d}" for i in range(2, 2 + len(nxt.names))]
    after = _snapshot(folder)
    assert {k: after[k] for k in before} == before
    assert sorted(set(after) - set(before)) == sorted(name for name, _ in nxt.files)
    ups = [folder / f"{n}.up.sql" for n in nxt.names]
    text = "\n".join(p.read_text() for p in ups)
    for fragment in case.says:
        assert fragment in text
    # the lint, as `dbdesign lint --migrations` runs it, finds no error in the new files
    report = api.lint_migrations(
        [str(folder)],
        MigrationLintOptions(dialect="postgres", report_only=frozenset(str(p) for p in ups)),
    )
    assert [str(f) for f in report.findings if f.severity is Severity.error] == []
    # schema.sql, design.json and DESIGN.md describe the database the migrations build
    assert (out / "schema.sql").read_text() == api.emit(r.design.schema)
    assert _previous_schema(out) == r.design.schema
    md = (out / "DESIGN.md").read_text()
    strategy = md.split("## Migration Strategy", 1)[1].split("\n## ", 1)[0]
    for n in nxt.names:
        assert f"`{n}`" in strategy
    assert "no error finding" in strategy
    # applied for real: the runner (its safety lint on) from the earlier migrations up, and down
    settings = Settings(dir=folder)
    with engine.scratch_database(server) as url:
        api.migrate_up(url, settings, to="0001")
        assert schema_differences(previous, _read(url)) == []
        api.migrate_up(url, settings)
        got = _read(url)
        assert [str(x) for x in schema_differences(r.design.schema, got)] == []
        assert diff_schemas(got, r.design.schema).is_empty
        api.migrate_down(url, settings, steps=len(nxt.names))
        back = _read(url)
        assert [str(x) for x in schema_differences(previous, back)] == []
        assert diff_schemas(back, previous).is_empty
    tested = api.migrate_test(server, settings)  # every down undoes its up, one by one
    assert tested.ok, (tested.failed, tested.problem, [str(d) for d in tested.differences])
    assert len(tested.checked) == 1 + len(nxt.names)


def test_a_partitioned_table_keeps_its_partitions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Designed 40 days later, the same spec makes other months; the migration leaves the
    partitions to the maintenance function and touches none of them."""
    v1 = _example("fleet_telemetry")
    out = _first_design(tmp_path, v1, monkeypatch)
    months = {k for k, t in _previous_schema(out).tables.items() if t.partition_of}
    v2 = copy.deepcopy(v1)
    _reading_quality(v2)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 40 * DAY))
    r = api.design_outputs(
        _spec_file(tmp_path, "v2", v2), out=out, prove=False, db=server_url("embedded")
    )
    kinds = {o.kind for o in r.migration.plan.operations}
    assert "add_column" in kinds
    assert not kinds & {"create_table", "drop_table", "attach_partition", "detach_partition"}
    assert {k for k, t in r.design.schema.tables.items() if t.partition_of} == months
    assert "public.readings_2025_10" in months  # the oldest month of 90 days' retention


def test_no_schema_change_writes_no_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same spec again (a description changed): no migration, and no database touched
    (the server given cannot be reached)."""
    v1 = _example("library")
    out = _first_design(tmp_path, v1, monkeypatch)
    before = _snapshot(out / "migrations")
    v2 = copy.deepcopy(v1)
    v2["project"]["description"] = "The catalogue of the city's libraries."
    r = api.design_outputs(
        _spec_file(tmp_path, "v2", v2),
        out=out,
        prove=False,
        db="postgresql://nobody@127.0.0.1:1/none",
    )
    assert r.migration.files == () and r.migration.names == ()
    assert r.migration.earlier == ("0001_initial",) and r.migration.ok
    assert _snapshot(out / "migrations") == before
    md = (out / "DESIGN.md").read_text()
    assert "No schema change since the previous design" in md
    assert "The catalogue of the city's libraries." in md


def test_a_destructive_change_needs_the_flag_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = _example("library")
    _list_price(v1)
    out = _first_design(tmp_path, v1, monkeypatch)
    before = _snapshot(out)
    for change in (_no_withdrawn_on, _cheaper_price, _display_name):
        v2 = copy.deepcopy(v1)
        change(v2)
        with pytest.raises(DestructiveChangeError, match="--allow-destructive"):
            api.design_outputs(
                _spec_file(tmp_path, "v2", v2), out=out, prove=False, db=server_url("embedded")
            )
        assert _snapshot(out) == before


def test_a_narrowing_type_is_reported_by_the_lint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numeric(10,4) -> numeric(10,2) deletes digits (allowed here) and rewrites the table
    under its lock: MIG010 is an error the user must settle; the files are written."""
    v1 = _example("library")
    _list_price(v1)
    out = _first_design(tmp_path, v1, monkeypatch)
    v2 = copy.deepcopy(v1)
    _cheaper_price(v2)
    r = api.design_outputs(
        _spec_file(tmp_path, "v2", v2),
        out=out,
        prove=False,
        db=server_url("embedded"),
        allow_destructive=True,
    )
    nxt = r.migration
    assert not nxt.ok and nxt.problems == ()
    assert [f.code for f in nxt.errors] == ["MIG010"]
    (name,) = nxt.names
    assert nxt.errors[0].where.startswith(f"{out / 'migrations' / name}.up.sql:")
    up = (out / "migrations" / f"{name}.up.sql").read_text()
    assert "ALTER COLUMN list_price TYPE numeric(10,2);" in up
    assert "ignore MIG010" not in up
    assert "1 error finding" in (out / "DESIGN.md").read_text()


def test_a_sqlite_design_is_not_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The diff compares PostgreSQL schemas: a changed SQLite design is refused (nothing
    written); an unchanged one writes no migration."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    v1 = _example("library")
    out = tmp_path / "out"
    api.design_outputs(_spec_file(tmp_path, "v1", v1), out=out, dialect="sqlite", prove=False)
    initial = _snapshot(out / "migrations")
    same = api.design_outputs(
        _spec_file(tmp_path, "v1", v1), out=out, dialect="sqlite", prove=False
    )
    assert same.migration.files == () and _snapshot(out / "migrations") == initial
    before = _snapshot(out)
    v2 = copy.deepcopy(v1)
    _phone(v2)
    with pytest.raises(UnsupportedError, match="compares PostgreSQL schemas"):
        api.design_outputs(_spec_file(tmp_path, "v2", v2), out=out, dialect="sqlite")
    assert _snapshot(out) == before
    with pytest.raises(ConfigError, match="is for SQLite"):
        api.design_outputs(_spec_file(tmp_path, "v2", v2), out=out, prove=False)


def test_a_folder_with_another_design_json_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "design.json").write_text('{"format": "something-else", "version": 1}')
    spec = _spec_file(tmp_path, "v1", _example("library"))
    with pytest.raises(ConfigError, match="not a dbdesign design"):
        api.design_outputs(spec, out=out, prove=False)
    (out / "design.json").write_text('{"format": "dbdesign-design", "version": 9}')
    with pytest.raises(ConfigError, match="version 9"):
        api.design_outputs(spec, out=out, prove=False)
    assert sorted(p.name for p in out.iterdir()) == ["design.json"]


def test_migrations_that_do_not_build_the_previous_design_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0001 edited by hand after the design: the next migration would start from a schema the
    database does not have. Refused, nothing written."""
    v1 = _example("library")
    out = _first_design(tmp_path, v1, monkeypatch)
    initial = out / "migrations" / "0001_initial.up.sql"
    initial.write_text(initial.read_text() + "\nALTER TABLE public.members ADD COLUMN nick text;\n")
    before = _snapshot(out)
    v2 = copy.deepcopy(v1)
    _phone(v2)
    with pytest.raises(MigrationError, match=r"do not build the previous design.*members"):
        api.design_outputs(
            _spec_file(tmp_path, "v2", v2), out=out, prove=False, db=server_url("embedded")
        )
    assert _snapshot(out) == before


# ------------------------------------------------------------------------------ the command


def _dbdesign(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
        env={**_env(), "SOURCE_DATE_EPOCH": str(EPOCH)},
    )


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "DBDESIGN_DATABASE_URL"}


def test_the_command_says_what_it_wrote_and_exits_accordingly(tmp_path: Path) -> None:
    db = server_url("embedded")
    v1 = _example("library")
    _list_price(v1)
    _spec_file(tmp_path, "v1", v1)
    out = tmp_path / "out"
    r = _dbdesign("design", "v1.yaml", "--out", "out", "--no-prove", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "migration:" not in r.stdout

    # a new attribute: the next migration, checked and linted: exit 0
    v2 = copy.deepcopy(v1)
    _phone(v2)
    _spec_file(tmp_path, "v2", v2)
    r = _dbdesign("design", "v2.yaml", "--out", "out", "--no-prove", "--db", db, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "migration: 0002_add_column_members_phone, 0003_add_column_members_phone_2" in r.stdout
    assert "(after 0001_initial)" in r.stdout
    assert "the new ups reach this design, the downs return to the previous one" in r.stdout
    assert "migration lint: no findings" in r.stdout

    # the same again: none
    r = _dbdesign("design", "v2.yaml", "--out", "out", "--no-prove", "--db", db, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "migration: none written (no schema change since the previous design; latest: " in (
        r.stdout
    )

    # a narrowing: 3 without --allow-destructive, nothing written
    v3 = copy.deepcopy(v2)
    _cheaper_price(v3)
    _spec_file(tmp_path, "v3", v3)
    before = _snapshot(out)
    r = _dbdesign("design", "v3.yaml", "--out", "out", "--no-prove", "--db", db, cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "deletes data (alter column public.books.list_price type numeric(10,4) -> " in r.stderr
    assert _snapshot(out) == before

    # with it: written, the lint's error shown, exit 1
    r = _dbdesign(
        "design",
        *shlex.split("v3.yaml --out out --no-prove --allow-destructive --migration-name cheaper"),
        "--db",
        db,
        cwd=tmp_path,
    )
    assert r.returncode == 1, r.stdout + r.stderr
    assert "migration: 0004_cheaper (after 0001_initial, 0002_" in r.stdout
    assert re.search(r"out/migrations/0004_cheaper\.up\.sql:\d+:\d+: error +MIG010", r.stdout)
    assert "the next migration has 1 migration-lint error" in r.stderr
    assert (out / "migrations" / "0004_cheaper.down.sql").exists()

    # json: the migration beside the design
    v4 = copy.deepcopy(v3)
    _members_by_name(v4)
    _spec_file(tmp_path, "v4", v4)
    r = _dbdesign(
        "design", "v4.yaml", "--out", "out", "--no-prove", "--db", db, "-f", "json", cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)["migration"]
    assert m["new"] == ["0005_create_index_idx_members_full_name"] and m["ok"] is True
    assert m["files"] == [
        "0005_create_index_idx_members_full_name.up.sql",
        "0005_create_index_idx_members_full_name.down.sql",
    ]

    # a design for another dialect into the folder: exit 2, nothing written
    before = _snapshot(out)
    r = _dbdesign("design", "v4.yaml", "--out", "out", "--dialect", "sqlite", cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "the previous design there is for PostgreSQL" in r.stderr
    assert _snapshot(out) == before


def test_the_docs_example_runs(tmp_path: Path) -> None:
    """docs/design.md, "Changing the spec": its commands, run as written, with its YAML added
    to the example."""
    text = (ROOT / "docs" / "design.md").read_text()
    section = text.split("## Changing the spec", 1)[1].split("\n## ", 1)[0]
    (change,) = re.findall(r"```yaml\n(.*?)```", section, re.S)
    (commands,) = re.findall(r"```sh\n(.*?)```", section, re.S)
    (tmp_path / "examples").mkdir()
    v1 = _example("library")
    _spec_file(tmp_path / "examples", "library", v1)
    v2 = copy.deepcopy(v1)
    added = yaml.safe_load(change)
    for name, attrs in added["entities"].items():
        v2["entities"][name]["attributes"].update(attrs["attributes"])
    v2["access_patterns"] += added["access_patterns"]
    _spec_file(tmp_path, "library-v2", v2)
    outputs = []
    for line in commands.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        args = shlex.split(line)
        assert args[0] == "dbdesign"
        r = _dbdesign(*args[1:], cwd=tmp_path)
        assert r.returncode == 0, line + "\n" + r.stdout + r.stderr
        outputs.append(r.stdout)
    shown = re.findall(r"```text\n(.*?)```", section, re.S)
    for block in shown:  # the output the section shows is what the command printed
        for want in block.strip().splitlines():
            assert any(want.strip() in o for o in outputs), want


def test_a_check_on_a_partitioned_table_is_added_not_valid(pg_scratch: str) -> None:
    """The diff's safe form for a CHECK on a partitioned table in use: NOT VALID, then
    VALIDATE after the commit (PostgreSQL checks the partitions with it), which the lint
    accepts; applied with a row in place it converges."""
    a = (
        "CREATE TABLE public.r (id integer NOT NULL, q integer, at date NOT NULL) "
        "PARTITION BY RANGE (at);\n"
        "CREATE TABLE public.r_2020 PARTITION OF public.r "
        "FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');\n"
    )
    b = a + "ALTER TABLE public.r ADD CONSTRAINT r_q CHECK (q >= 0);\n"
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(a.encode())
        conn.execute("INSERT INTO public.r VALUES (1, 5, '2020-05-01')")
    from dbdesign.readers.ddl.postgres import read_ddl

    target = read_ddl(b)
    plan = diff_schemas(_read(pg_scratch), target)
    sql = [s.sql for s in plan.statements()]
    assert "ALTER TABLE public.r ADD CONSTRAINT r_q CHECK (q >= 0) NOT VALID" in sql
    assert "ALTER TABLE public.r VALIDATE CONSTRAINT r_q" in sql
    assert len(plan.transactions()) == 2  # the VALIDATE after the NOT VALID's commit
    with engine.connect(pg_scratch, autocommit=True) as conn:
        for unit in plan.transactions():
            assert unit.in_transaction
            with conn.transaction():
                for st in unit.statements:
                    conn.execute(st.sql)
    assert diff_schemas(_read(pg_scratch), target).is_empty
