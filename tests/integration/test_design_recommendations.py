"""``dbdesign design`` beyond the relational examples: specs whose access patterns call for a
key-value store (Redis) or a document store (MongoDB) get that recommendation with the
relational fallback said out loud; embedding vectors get PostgreSQL with pgvector (the extension
made with the schema, the proof run where the server has it, one clear line where it has not);
duration, time of day, uuid and money with currencies get their types and checks on PostgreSQL
and SQLite; and ``--format json`` carries the spec, the choice, a decision per attribute, the
access patterns, the schema and the proof. Specs in tests/integration/specs/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbdesign import api, engine
from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.migrate.compare import schema_differences
from dbdesign.model import from_dict, to_dict
from dbdesign.readers import spec as S
from tests.conftest import PG_SERVERS, server_url
from tests.paths import ROOT

SPECS = ROOT / "tests" / "integration" / "specs"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def design_json(*args: str) -> dict[str, Any]:
    r = run(*args, "--format", "json")
    assert r.returncode == 0, r.stderr
    data: dict[str, Any] = json.loads(r.stdout)
    return data


# --------------------------------------------------------------------------- recommendations


def test_a_document_choice_is_a_mongodb_design_checked_statically(tmp_path: Path) -> None:
    path = SPECS / "document_events.yaml"
    data = design_json(str(path))  # proving is asked for: nothing runs on a server all the same
    choice = data["choice"]
    assert (choice["kind"], choice["engine"], choice["recommended_engine"]) == (
        "document", "mongodb", "mongodb",
    )  # fmt: skip
    assert choice["note"] is None and choice["reasons"]
    assert data["dialect"] == "mongodb" and data["proof"] is None
    assert data["proven_on_server"] is False and data["mongodb"]["problems"] == []
    [events] = data["mongodb"]["collections"]
    assert events["name"] == "events"
    out = tmp_path / "out"
    r = run(str(path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "events: document database, designed for MongoDB"
    assert "proof: not proven on a server (no MongoDB server is used" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == ["DESIGN.md", "design.json", "mongosh.js"]
    md = (out / "DESIGN.md").read_text()
    assert "**Type:** MongoDB (document)" in md and "**Not proven on a server**" in md
    assert 'db.getSiblingDB("events")' in (out / "mongosh.js").read_text()
    # a server to prove it on is refused (none is used), nothing written
    r = run(str(path), "--db", "mongodb://127.0.0.1:27017/events", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "a MongoDB design is checked statically" in r.stderr
    assert not (tmp_path / "o").exists()


def test_mongodb_asked_for_where_another_kind_fits_says_so(tmp_path: Path) -> None:
    raw = S.load(SPECS / "typed_bookings.yaml").model_dump(mode="json", by_alias=True)
    raw["project"]["database"] = "mongodb"
    spec_file = tmp_path / "asked.yaml"
    spec_file.write_text(json.dumps(raw))  # JSON is YAML
    data = design_json(str(spec_file), "--no-prove")
    assert data["dialect"] == "mongodb" and data["choice"]["engine"] == "mongodb"
    assert data["choice"]["note"] == (
        "The spec asks for MongoDB; the requirements fit PostgreSQL best."
    )
    assert data["mongodb"]["problems"] == []


# --------------------------------------------------------------------------- pgvector


def _has_pgvector(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()
    return row == (1,)


@pytest.mark.parametrize("server", PG_SERVERS)
def test_vector_design_creates_pgvector_and_proves_where_it_exists(
    server: str, tmp_path: Path
) -> None:
    path = SPECS / "vector_recipes.yaml"
    url = server_url(server)
    out = tmp_path / "out"
    r = run(str(path), "--db", url, "--out", str(out), "--format", "json")
    if not _has_pgvector(url):  # the machine's PostgreSQL 15 has no pgvector
        assert r.returncode == 2, r.stdout
        assert r.stderr.strip().splitlines() == [
            'dbdesign: error: applying the migration to PostgreSQL failed: extension "vector" '
            "is not available (The extension must first be installed on the system where "
            "PostgreSQL is running.)"
        ]
        assert not out.exists()
    else:
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["choice"]["kind"] == "vector"
        assert (
            "PostgreSQL with pgvector keeps vectors next to the relational data"
            in (data["choice"]["reasons"])
        )
        assert data["proof"]["ok"] is True
        assert data["proof"]["rows"] == {"public.recipes": 2000}
    sql = schema_sql(design(S.load(path)).schema)
    assert "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;" in sql
    assert "text_embedding public.vector(8) NOT NULL," in sql
    assert "image_embedding public.vector(4)," in sql


def test_vector_schema_reads_back_as_designed() -> None:
    """On the embedded server (it has pgvector): the extension, the qualified type and the
    generated rows."""
    d = design(S.load(SPECS / "vector_recipes.yaml"))
    with engine.scratch_database(engine.embedded_url()) as url:
        with engine.connect(url, autocommit=True) as conn:
            conn.execute(schema_sql(d.schema).encode())
        assert [str(x) for x in schema_differences(d.schema, api.read(url))] == []
        report = api.datagen(url, d.schema, {"public.recipes": 50}, seed=1)
        assert report.as_dict()["tables"][0]["rows"] == 50
        with engine.connect(url) as conn:
            dims = conn.execute(
                "SELECT DISTINCT vector_dims(text_embedding) FROM recipes"
            ).fetchall()
        assert dims == [(8,)]


# --------------------------------------------------------------------------- types


def _columns(schema: dict[str, Any], table: str) -> dict[str, str]:
    s = from_dict(schema)
    return {c.name: str(c.type) for c in s.tables[table].columns}


def test_time_duration_uuid_and_money_types_on_postgres(pg_scratch: str) -> None:
    path = SPECS / "typed_bookings.yaml"
    data = design_json(str(path), "--db", pg_scratch)
    assert data["proof"]["ok"] is True, data["proof"]
    venues = _columns(data["schema"], "public.venues")
    bookings = _columns(data["schema"], "public.bookings")
    assert venues["opens_at"] == venues["closes_at"] == "time without time zone"
    assert venues["currency"] == "text"
    assert (bookings["length"], bookings["buffer"]) == ("interval", "interval")
    assert bookings["public_id"] == "uuid"
    assert bookings["price"] == bookings["deposit"] == "numeric(12,2)"
    assert bookings["price_currency"] == "text"  # money per row: its currency beside it

    # the design applied: the server accepts the types and the checks refuse bad values
    d = design(S.load(path))
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(schema_sql(d.schema).encode())
        conn.execute(
            "INSERT INTO venues (name, opens_at, currency) VALUES ('Hall', '08:30', 'EUR')"
        )
        conn.execute(
            "INSERT INTO bookings (venue_id, public_id, starts_at, length, price, "
            "price_currency) VALUES (1, gen_random_uuid(), now(), '90 minutes', 12.50, 'USD')"
        )
        row = conn.execute("SELECT length, price FROM bookings").fetchone()
        assert row is not None and str(row[0]) == "1:30:00" and str(row[1]) == "12.50"
        for bad in ("'usd'", "'US'"):
            with pytest.raises(psycopg.errors.CheckViolation):
                conn.execute(
                    "INSERT INTO bookings (venue_id, public_id, starts_at, length, price, "
                    f"price_currency) VALUES (1, gen_random_uuid(), now(), '1 hour', 1, {bad})"
                )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE bookings SET price = -1")
    assert [str(x) for x in schema_differences(d.schema, api.read(pg_scratch))] == []


def test_time_duration_uuid_and_money_types_on_sqlite() -> None:
    data = design_json(str(SPECS / "typed_bookings.yaml"), "--dialect", "sqlite")
    assert data["dialect"] == "sqlite" and data["proof"]["ok"] is True
    assert data["proof"]["server"].startswith("SQLite ")
    bookings = _columns(data["schema"], "main.bookings")
    # SQLite's date functions read ISO 8601 text; uuid as text
    for col in ("starts_at", "length", "buffer", "public_id", "price_currency"):
        assert bookings[col] == "text", (col, bookings[col])
    assert bookings["price"] == "numeric(12,2)"
    checks = from_dict(data["schema"]).tables["main.bookings"].checks
    assert any("GLOB '[A-Z][A-Z][A-Z]'" in c.expr.text for c in checks.values()), checks


# --------------------------------------------------------------------------- --format json


@pytest.mark.parametrize("spec", ["typed_bookings", "key_value_sessions", "vector_recipes"])
def test_format_json_carries_the_spec(spec: str) -> None:
    path = SPECS / f"{spec}.yaml"
    loaded = S.load(path)
    # relational, also where the choice is another kind (tests/integration/test_design_redis.py)
    data = design_json(str(path), "--no-prove", "--dialect", "postgres")
    assert (data["format"], data["version"]) == ("dbdesign-design", 1)
    # the spec's own keys (``in`` for a pattern's IN list), so it loads back as the same spec
    assert data["spec"] == loaded.model_dump(mode="json", by_alias=True)
    assert S.Spec.model_validate(data["spec"]) == loaded
    assert data["proof"] is None
    d = design(loaded, "postgres")
    assert data["dialect"] == d.dialect == "postgres"
    # the schema: the designer's, lossless; a table per entity with a column per attribute
    schema = from_dict(data["schema"])
    assert to_dict(schema) == to_dict(d.schema)
    tables = {t.name: t for t in schema.tables.values()}
    for entity, e in loaded.entities.items():
        table = next(t for t in tables.values() if t.comment == e.description)
        names = {c.name for c in table.columns}
        assert set(e.attributes) <= names, (entity, names)
        # a decision for every attribute, naming its column type
        for attr in e.attributes:
            subject = f"{table.name}.{attr}"
            made = [x for x in data["decisions"] if x["subject"] == subject]
            if loaded.entities[entity].attribute(attr).type == "money" and (
                loaded.entities[entity].attribute(attr).currency == "per_row"
            ):
                assert any(x["subject"] == f"{subject}_currency" for x in data["decisions"])
            assert len(made) == 1, (subject, data["decisions"])
            assert made[0]["decision"] == str(table.column(attr).type)  # type: ignore[union-attr]
            assert made[0]["reason"]
    # one entry per access pattern, in the spec's order, each served by an index of the schema
    assert [p["name"] for p in data["access_patterns"]] == [p.name for p in loaded.access_patterns]
    indexes = {i.name for i in schema.indexes.values()} | {
        k.name for t in schema.tables.values() for k in (t.primary_key, *t.uniques.values()) if k
    }
    for p, asked in zip(data["access_patterns"], loaded.access_patterns, strict=True):
        assert p["table"] in schema.tables
        assert p["sql"].startswith("SELECT ") and p["index"] in indexes, p
        for column in asked.equal:
            assert column in p["sql"] or f"{column}_id" in p["sql"], (column, p["sql"])


def test_format_json_with_the_proof(pg_scratch: str) -> None:
    path = SPECS / "typed_bookings.yaml"
    loaded = S.load(path)
    proof = design_json(str(path), "--db", pg_scratch)["proof"]
    assert proof["ok"] is True and proof["problems"] == [] and proof["lint_errors"] == []
    assert proof["server"].startswith("PostgreSQL ")
    assert set(proof["rows"]) == {"public.venues", "public.bookings"}
    assert [p["name"] for p in proof["patterns"]] == [p.name for p in loaded.access_patterns]
    for p, asked in zip(proof["patterns"], loaded.access_patterns, strict=True):
        assert p["target_ms"] == asked.latency_ms and p["ok"] is True
        assert p["index"] in p["indexes_used"]
