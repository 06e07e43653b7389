"""Mermaid and DBML output accepted by the tools' own parsers (node: `mermaid`, `@dbml/core`).

Every diagram dbdesign writes for the corpus schemas and the feature fixture goes through
``mermaid.parse`` (with a jsdom DOM) and every DBML file through @dbml/core's parser
(tests/js/validate.mjs). Needs ``npm ci`` in tests/js (.ci/run does it); never skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.docs import DocsOptions, generate
from tests.paths import CORPUS, PG_CORPUS, ROOT

JS = ROOT / "tests" / "js"
SOURCES = [(p, None) for p in PG_CORPUS] + [
    (CORPUS / "sqlite" / "chinook.sql", "sqlite"),
    (CORPUS / "sqlite" / "sakila.sql", "sqlite"),
    (ROOT / "tests" / "golden" / "docs" / "features.sql", None),
]


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "mermaid").is_dir():
        pytest.fail(
            "node and tests/js/node_modules are needed: run `npm ci --prefix tests/js` "
            "(.ci/run does it)",
            pytrace=False,
        )
    return node


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    files: list[Path] = []
    for source, dialect in SOURCES:
        out = tmp_path_factory.mktemp(source.stem)
        schema = api.read(str(source), dialect=dialect)
        # Small limits so that compact (names-only) diagrams are parsed too.
        opts = DocsOptions(detail_limit=10, groups={"g": ("*a*",)})
        generate(schema, out, ("mermaid", "dbml"), options=opts)
        files += [*sorted(out.glob("diagrams/*.mmd")), out / "schema.dbml"]
    return files


def _validate(files: list[Path]) -> list[dict[str, object]]:
    proc = subprocess.run(
        [_node(), str(JS / "validate.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(files), proc.stderr
    return results


def test_mermaid_and_dbml_parse(outputs: list[Path]) -> None:
    assert any(f.suffix == ".mmd" for f in outputs) and any(f.suffix == ".dbml" for f in outputs)
    bad = [r for r in _validate(outputs) if not r["ok"]]
    assert not bad, json.dumps(bad, indent=1)[:4000]


def test_the_validators_reject_broken_input(tmp_path: Path) -> None:
    """The check has teeth: an unescaped type name and broken DBML are refused."""
    mmd = tmp_path / "bad.mmd"
    mmd.write_text("erDiagram\n  a {\n    timestamp with time zone at\n  }\n")
    dbml = tmp_path / "bad.dbml"
    dbml.write_text("Table a {\n  x timestamp with time zone\n}\n")
    results = _validate([mmd, dbml])
    assert [r["ok"] for r in results] == [False, False]
