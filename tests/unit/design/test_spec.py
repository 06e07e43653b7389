"""The requirements spec: every error names the file, line, column and YAML path; the published
JSON Schema is the one the models generate, and the examples validate against it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from dbdesign.readers import spec as S
from tests.paths import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SHOP = (ROOT / "examples" / "ecommerce.yaml").read_text()


def test_examples_exist() -> None:
    assert {p.stem for p in EXAMPLES} >= {"ecommerce", "issue_tracker", "fleet_telemetry"}


def test_published_json_schema_is_current() -> None:
    published = json.loads((ROOT / "schemas" / "spec.schema.json").read_text())
    assert published == S.json_schema(), (
        "run: dbdesign design --json-schema > schemas/spec.schema.json"
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_validate_against_the_json_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text()), S.json_schema())
    S.load(path)  # and against the models, cross references included


# (what to change in the e-commerce example, the error's YAML path, its line, a phrase)
BAD = [
    (
        ("price: {type: money,", "price: {type: monye,"),
        "entities.product.attributes.price.type",
        "unknown type 'monye' (did you mean 'money'?)",
    ),
    (
        ("parent: customer, child: order,", "parent: customer, child: ordr,"),
        "relationships[0].child",
        "no entity 'ordr' (did you mean 'order'?)",
    ),
    (
        ("    equal: [email]\n", "    equal: [emial]\n"),
        "access_patterns[0].equal[0]",
        "no field 'emial' on customer",
    ),
    (
        ("    fixed: {status: paid}\n", "    fixed: {state: paid}\n"),
        "access_patterns[2].fixed.state",
        "no field 'state' on order",
    ),
    (
        ("      warehouse: {type: identifier,", "      warehouse: {kind: identifier,"),
        "entities.inventory.attributes.warehouse.kind",
        "unknown key 'kind'",
    ),
    (
        ("  consistency: strong\n", "  consistency: [strong\n"),
        None,
        "invalid YAML",
    ),
    (
        (
            "      reorder_level: {type: integer,",
            "      version: {type: integer}\n      reorder_level: {type: integer,",
        ),
        "entities.inventory.attributes.version",
        "optimistic_locking adds version",
    ),
    (
        (
            "      warehouse: {type: identifier,",
            "      created_at: {type: date}\n      warehouse: {type: identifier,",
        ),
        "entities.inventory.attributes.created_at",
        "audit_columns adds created_at",
    ),
    (
        (
            "values: [pending, paid, shipped, delivered, cancelled],",
            "values: [pending, paid, shipped, delivered, cancelled], weights: [1, 2],",
        ),
        "entities.order.attributes.status.weights",
        "one weight per value (5), not all zero",
    ),
]


@pytest.mark.parametrize("change,path,phrase", BAD, ids=[b[2].split(" (")[0] for b in BAD])
def test_invalid_spec_names_path_and_line(
    change: tuple[str, str], path: str | None, phrase: str
) -> None:
    old, new = change
    assert old in SHOP
    text = SHOP.replace(old, new, 1)
    with pytest.raises(S.SpecError) as err:
        S.loads(text, "shop.yaml")
    e = err.value
    assert phrase in str(e)
    assert e.file == "shop.yaml" and e.line is not None and e.col is not None
    if path is not None:
        assert str(e).split(": ", 1)[1].startswith(path + ":"), str(e)
        # The line is where the offending value (or key) is written.
        line = text.splitlines()[e.line - 1]
        assert path.split(".")[-1].split("[")[0] in line or new.strip()[:10] in line, (line, str(e))


@pytest.mark.parametrize(
    "change,path,phrase",
    BAD[:4] + BAD[5:],
    ids=["type", "entity", "field", "fixed", "yaml", "version", "created_at", "weights"],
)
def test_cli_invalid_spec_exit_2_and_writes_nothing(
    tmp_path: Path, change: tuple[str, str], path: str | None, phrase: str
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SHOP.replace(*change, 1))
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", str(spec), "--out", str(out), "--no-prove"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0] and f"{spec}:" in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["shop.yaml"]


def test_self_reference_rules() -> None:
    bad = SHOP.replace(
        "parent: category, child: category, name: parent, required: false,",
        "parent: category, child: category, name: parent,",
    )
    with pytest.raises(S.SpecError, match="self-referential reference cannot be required"):
        S.loads(bad)
    bad = SHOP.replace("name: parent, required: false, on_delete: restrict", "required: false")
    with pytest.raises(S.SpecError, match="needs a name"):
        S.loads(bad)


def test_shorthand_attribute() -> None:
    spec = S.loads(
        "project: {name: p}\nentities:\n  note:\n    attributes:\n      body: long_text\n"
    )
    assert spec.entities["note"].attribute("body").type == "long_text"
