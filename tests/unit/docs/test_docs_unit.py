"""Unit tests of the docs writers: escaping, diagram planning, config, lint findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbdesign.docs import DocsContext, DocsOptions, load_findings, parse_formats
from dbdesign.docs.erd import dbml, mermaid, mermaid_type
from dbdesign.docs.markdown import MarkdownWriter, cell, code
from dbdesign.errors import ConfigError
from dbdesign.model import Column, DataType, ForeignKey, FrozenMap, PrimaryKey, Schema, Table


def _table(schema: str, name: str, refs: tuple[str, ...] = ()) -> Table:
    fks = {
        f"{name}_r{i}_fkey": ForeignKey(
            name=f"{name}_r{i}_fkey", columns=(f"r{i}",), ref_table=r, ref_columns=("id",)
        )
        for i, r in enumerate(refs)
    }
    cols = [Column(name="id", type=DataType(name="integer"), nullable=False)]
    cols += [Column(name=f"r{i}", type=DataType(name="integer")) for i in range(len(refs))]
    return Table(
        schema=schema,
        name=name,
        columns=tuple(cols),
        primary_key=PrimaryKey(name=f"{name}_pkey", columns=("id",)),
        foreign_keys=FrozenMap(fks),
    )


def _schema(tables: list[Table]) -> Schema:
    return Schema(tables=FrozenMap({t.key: t for t in tables}))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("integer", "integer"),
        ("numeric(4,2)", "numeric(4-2)"),
        ("timestamp with time zone", "timestamp_with_time_zone"),
        ("public.mpaa_rating", "public-mpaa_rating"),
        ("text[]", "text[]"),
        ('"char"', "_char_"),
        ("2d", "t_2d"),
    ],
)
def test_mermaid_type_escaping(raw: str, escaped: str) -> None:
    assert mermaid_type(raw) == escaped


def test_markdown_cells_escape_pipes_and_newlines() -> None:
    assert cell("a|b\nc") == "a\\|b<br>c"
    assert code("x | y") == "`x \\| y`"
    assert code("a`b") == "`` a`b ``"


def test_large_schema_gets_per_schema_and_per_table_diagrams() -> None:
    tables = [_table("a", f"t{i}", (f"a.t{i - 1}",) if i else ()) for i in range(40)]
    tables.append(_table("b", "u", ("a.t3",)))
    ctx = DocsContext(_schema(tables), options=DocsOptions(detail_limit=10, max_tables=35))
    kinds = {d.slug: d for d in ctx.diagrams}
    assert "all" not in kinds  # 41 tables: no single picture of everything
    assert kinds["schema-a"].too_large and not kinds["schema-b"].too_large
    assert kinds["table-a.t3"].tables == ("a.t2", "a.t3", "a.t4", "b.u")
    assert not kinds["table-a.t3"].compact
    # A too-large diagram is named in the Markdown, not drawn.
    index = MarkdownWriter(ctx, {"markdown"}).index()
    assert "40 tables: too many for one readable picture" in index


def test_groups_from_config_match_names_and_patterns() -> None:
    tables = [_table("public", "order"), _table("public", "order_line", ("public.order",))]
    tables.append(_table("public", "customer"))
    opts = DocsOptions.from_config({"groups": {"sales": ["order*"], "people": ["public.customer"]}})
    ctx = DocsContext(_schema(tables), options=opts)
    groups = {d.slug: d.tables for d in ctx.diagrams if d.kind == "group"}
    assert groups == {
        "group-sales": ("public.order", "public.order_line"),
        "group-people": ("public.customer",),
    }
    assert 'order o|--o{ order_line : "r0"' in mermaid(
        ctx, next(d for d in ctx.diagrams if d.slug == "group-sales")
    )
    assert "TableGroup sales {" in dbml(ctx)


@pytest.mark.parametrize(
    "section",
    [{"groups": ["x"]}, {"groups": {"g": "x"}}, {"detail_limit": 0}, {"colour": "red"}],
)
def test_bad_config_is_a_config_error(section: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        DocsOptions.from_config(section, file="pyproject.toml")


def test_formats() -> None:
    assert parse_formats("markdown, svg") == ("markdown", "svg")
    assert parse_formats("all") == parse_formats(None)
    with pytest.raises(ConfigError, match="unknown docs format"):
        parse_formats("pdf")


def test_lint_findings_are_read_loosely(tmp_path: Path) -> None:
    p = tmp_path / "lint.json"
    p.write_text(
        json.dumps(
            {
                "findings": [
                    {
                        "code": "A1",
                        "severity": "ERROR",
                        "message": "m",
                        "object": "public.t.c",
                        "file": "s.sql",
                        "line": 3,
                    },
                    {"rule": "B2", "message": "n", "origin": "s.sql:7:2"},
                    {"code": "C3", "severity": "info", "message": "o", "object": "t"},
                ]
            }
        )
    )
    found = load_findings(p)
    assert [(f.code, f.severity, f.file, f.line) for f in found] == [
        ("A1", "error", "s.sql", 3),
        ("B2", "warning", "s.sql", 7),
        ("C3", "info", None, None),
    ]
    ctx = DocsContext(_schema([_table("public", "t")]), findings=found)
    assert [f.code for f in ctx.findings_by_table["public.t"]] == ["A1", "C3"]
    assert [f.code for f in ctx.unattached_findings] == ["B2"]
    p.write_text("{not json")
    with pytest.raises(ConfigError, match="not JSON"):
        load_findings(p)
