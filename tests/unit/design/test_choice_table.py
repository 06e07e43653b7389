"""docs/design.md's table of the database kind chosen for each of the project's specs, with
every kind's score, is what the designer computes today; and no choice among them is settled
by the order in which the kinds are listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbdesign.design.choice import KINDS, choose
from dbdesign.readers import spec as S
from tests.paths import ROOT

SPECS = [
    *sorted((ROOT / "examples").glob("*.yaml")),
    *sorted((ROOT / "tests" / "integration" / "specs").glob("*.yaml")),
    *sorted((ROOT / "tests" / "integration" / "specs" / "domains").glob("*.yaml")),
]
ROW = re.compile(r"^\s*\| `([^`]+\.yaml)` \| ([a-z-]+) \|((?: \d+ \|)+)\s*$")


def _documented() -> dict[str, tuple[str, list[int]]]:
    out = {}
    for line in (ROOT / "docs" / "design.md").read_text().splitlines():
        m = ROW.match(line)
        if m:
            out[m.group(1)] = (m.group(2), [int(x) for x in m.group(3).split("|") if x.strip()])
    return out


def test_the_documented_table_is_the_designers() -> None:
    documented = _documented()
    assert set(documented) == {str(p.relative_to(ROOT)) for p in SPECS}
    for p in SPECS:
        c = choose(S.load(p))
        points = {s.kind: s.points for s in c.scores}
        want = (c.kind, [points[k] for k in KINDS])
        assert documented[str(p.relative_to(ROOT))] == want, p


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_no_choice_is_settled_by_list_order(path: Path) -> None:
    best, second = choose(S.load(path)).scores[:2]
    assert (best.points, len(best.reasons)) != (second.points, len(second.reasons)) or (
        best.kind == "relational"  # the general-purpose kind, said in the reasons
    ), (best, second)
