"""Spec errors about an entity's volume and skew name the file, line, column and YAML path
(entities.order.volume.skew.customer) like every other spec error, and are found when the spec
is read: not later, by the data generator of the proof, as a column name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dbdesign.readers import spec as S

SPEC = """\
version: 1
project:
  name: shop
  features:
    multi_tenancy: {tenant: store}
entities:
  store:
    attributes: {name: text}
  customer:
    attributes:
      email: {type: email, unique: true}
    volume: {rows: 100}
  order:
    attributes:
      total: money
      status: {type: enum, values: [new, paid]}
    volume: {rows: 1000, growth_per_year: 500, skew: {customer: 1.0}}
relationships:
  - {type: one-to-many, parent: customer, child: order}
"""
VOLUME = "    volume: {rows: 1000, growth_per_year: 500, skew: {customer: 1.0}}\n"
LINE = SPEC.splitlines().index(VOLUME.rstrip("\n")) + 1


def _error(volume: str) -> S.SpecError:
    text = SPEC.replace(VOLUME, volume)
    assert text != SPEC
    with pytest.raises(S.SpecError) as err:
        S.loads(text, "shop.yaml")
    return err.value


def test_the_spec_is_valid() -> None:
    spec = S.loads(SPEC, "shop.yaml")
    assert spec.entities["order"].volume.skew == {"customer": 1.0}


@pytest.mark.parametrize(
    "skew",
    ["{customer: 0}", "{customer: 10}", "{status: 2, total: 0.5}", "{store: 1.2}"],
)
def test_skew_of_attributes_references_and_the_tenant_is_accepted(skew: str) -> None:
    S.loads(SPEC.replace("skew: {customer: 1.0}", f"skew: {skew}"), "shop.yaml")


def _col(text: str, needle: str) -> int:
    return text.index(needle) + 1


@pytest.mark.parametrize(
    ("skew", "key", "phrase"),
    [
        (
            "{custmer: 1.0}",
            "custmer",
            "no attribute or reference 'custmer' on order to skew (did you mean 'customer'?)",
        ),
        (
            "{id: 1.0}",
            "id",
            "no attribute or reference 'id' on order to skew (fields: "
            "customer, status, store, total)",
        ),
        ("{created_at: 1.0}", "created_at", "no attribute or reference 'created_at'"),
    ],
)
def test_a_skew_of_an_unknown_field_names_its_key(skew: str, key: str, phrase: str) -> None:
    volume = VOLUME.replace("{customer: 1.0}", skew)
    e = _error(volume)
    assert e.path == ("entities", "order", "volume", "skew", key)
    assert phrase in str(e)
    # file:line:col of the key itself
    assert str(e).startswith(f"shop.yaml:{LINE}:{_col(volume, key + ':')}: ")
    assert f"entities.order.volume.skew.{key}: " in str(e)


@pytest.mark.parametrize("value", ["-1", "-0.5", "10.5", "80", ".inf", ".nan"])
def test_a_skew_out_of_range_names_its_path(value: str) -> None:
    volume = VOLUME.replace("{customer: 1.0}", f"{{customer: {value}}}")
    e = _error(volume)
    assert e.path == ("entities", "order", "volume", "skew", "customer")
    assert str(e).startswith(f"shop.yaml:{LINE}:{_col(volume, value)}: ")
    assert "entities.order.volume.skew.customer: a skew is a Zipf exponent from 0" in str(e)


def test_a_skew_that_is_not_a_number_names_its_path() -> None:
    volume = VOLUME.replace("{customer: 1.0}", "{customer: high}")
    e = _error(volume)
    assert str(e).startswith(f"shop.yaml:{LINE}:{_col(volume, 'high')}: ")
    assert "entities.order.volume.skew.customer: " in str(e)
    assert "'high'" in str(e)


@pytest.mark.parametrize(
    ("volume", "path", "at", "phrase"),
    [
        ("    volume: {rows: -5}\n", "entities.order.volume.rows", "-5", "greater than or equal"),
        ("    volume: {rows: lots}\n", "entities.order.volume.rows", "lots", "'lots'"),
        (
            "    volume: {rows: 10, growth_per_year: -1}\n",
            "entities.order.volume.growth_per_year",
            "-1",
            "greater than or equal",
        ),
        (
            "    volume: {rowz: 10}\n",
            "entities.order.volume.rowz",
            "rowz",
            "unknown key 'rowz' (did you mean 'rows'?)",
        ),
        ("    volume: 1000\n", "entities.order.volume", "1000", "expected a mapping"),
        ("    volume: {rows: 10, skew: 1.0}\n", "entities.order.volume.skew", "1.0", ""),
    ],
)
def test_a_bad_volume_names_its_path(volume: str, path: str, at: str, phrase: str) -> None:
    e = _error(volume)
    assert str(e).startswith(f"shop.yaml:{LINE}:{_col(volume, at)}: {path}: "), str(e)
    assert phrase in str(e)


def test_a_reference_error_comes_before_the_skew_that_names_the_reference() -> None:
    text = SPEC.replace("parent: customer, child: order", "parent: customer, child: ordr")
    with pytest.raises(S.SpecError) as err:
        S.loads(text, "shop.yaml")
    assert "relationships[0].child: no entity 'ordr'" in str(err.value)


def test_design_reports_a_bad_skew_with_file_line_and_path(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC.replace("skew: {customer: 1.0}", "skew: {customer: -2}"))
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "dbdesign", "design", str(spec), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, r.stderr
    assert f"{spec}:{LINE}:" in r.stderr
    assert "entities.order.volume.skew.customer: a skew is a Zipf exponent" in r.stderr
    assert not out.exists()
