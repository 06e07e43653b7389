"""pgast.deparse makes pglast's nodes itself (without pglast's checks, the ancestors set as it
goes): it must print what pglast's own path prints, ``RawStream()(to_node(tree))``, for every
fragment of the PostgreSQL corpus and the diff pairs, and give each node the ancestors
pglast's walk would give it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pglast import ast, parser, stream
from tests.paths import PG_CORPUS

from dbdesign.readers.ddl import pgast

LIMIT = 2000  # fragments of a file after which its INSERT statements are left out
PAIRS = sorted((Path(__file__).resolve().parents[2] / "diff_pairs").glob("*.sql"))


def _fragments(tree: Any) -> Iterator[dict[str, Any]]:
    """Every wrapped node of a JSON parse tree (``{"A_Expr": {...}}``), the tree first."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k[:1].isupper() and isinstance(v, dict) and k != "List":
                yield {k: v}
            yield from _fragments(v)
    elif isinstance(tree, list):
        for x in tree:
            yield from _fragments(x)


def _statements(path: Path) -> list[dict[str, Any]]:
    # psql meta-commands (\connect, \set ...) are not SQL
    lines = path.read_text(encoding="utf-8").splitlines()
    text = "\n".join("" if line.startswith("\\") else line for line in lines)
    return [s["stmt"] for s in json.loads(parser.parse_sql_json(text))["stmts"]]


@pytest.mark.parametrize(
    "path", [*PG_CORPUS, *(p for p in PAIRS if _statements(p))], ids=lambda p: p.name
)
def test_fast_deparse_prints_what_pglast_prints(path: Path) -> None:
    count = 0
    for stmt in _statements(path):
        if "InsertStmt" in stmt and count > LIMIT:
            continue  # a dump's rows: the same few shapes thousands of times
        for fragment in _fragments(stmt):
            expected = str(stream.RawStream()(pgast.to_node(fragment)))
            assert pgast.deparse(fragment) == expected, fragment
            count += 1
    assert count > 0


def _nodes(value: Any) -> Iterator[ast.Node]:
    if isinstance(value, ast.Node):
        yield value
        for name in value:
            yield from _nodes(getattr(value, name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes(item)


def _chain(anc: Any) -> list[tuple[str, object]]:
    out = []
    while anc is not None:
        out.append((type(anc.node).__name__, anc.member))
        anc = anc.parent
    return out


def test_ancestors_are_the_ones_pglast_walk_sets() -> None:
    sql = (
        "SELECT a, (SELECT max(b) FROM u WHERE u.id = t.id) FROM t"
        " WHERE a IN (1, 2) AND b BETWEEN 1 AND 3 ORDER BY a DESC NULLS LAST"
    )
    for stmt in [
        *_statements(PAIRS[0]),
        json.loads(parser.parse_sql_json(sql))["stmts"][0]["stmt"],
    ]:
        theirs = pgast.to_node(stmt)
        stream.RawStream()(theirs)  # sets the ancestors by pglast's walk
        root = pgast.Ancestor(pgast.Ancestor(), None, 0)
        ours = pgast._build(pgast._value(stmt), root)
        root.node = (ours,)
        pairs = list(zip(_nodes(ours), _nodes(theirs), strict=True))
        assert pairs
        for a, b in pairs:
            assert type(a) is type(b)
            assert _chain(a.ancestors) == _chain(b.ancestors)
            near = abs(a.ancestors), abs(b.ancestors)
            assert (near[0] is None) == (near[1] is None)
            assert near[0] is None or type(near[0].node) is type(near[1].node)
