"""``dbdesign docs``: Markdown, ER diagrams (Mermaid, DOT, SVG, DBML) and one HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dbdesign.cli import dialect_option


def register(app: typer.Typer) -> None:
    app.command(name="docs")(docs)


def docs(
    source: Annotated[
        str,
        typer.Argument(
            help="A .sql file, a folder of .sql files, or a database URL "
            "(postgresql://..., mysql://..., sqlite:///...)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the docs into.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Comma-separated: markdown,html,mermaid,dot,svg,dbml (default: all).",
        ),
    ] = "all",
    dialect: Annotated[str | None, dialect_option()] = None,
    lint: Annotated[
        Path | None,
        typer.Option("--lint", help="Lint findings (`dbdesign lint --format json`) to include."),
    ] = None,
    rows: Annotated[bool, typer.Option(help="Count rows (live databases only).")] = True,
    config: Annotated[
        Path | None, typer.Option("--config", help="Configuration file (default: nearest).")
    ] = None,
) -> None:
    """Document a schema: Markdown pages, ER diagrams and one self-contained HTML report.

    An index and a page per table in Markdown; ER diagrams in Mermaid, Graphviz DOT and SVG,
    and DBML.

    Large schemas get one diagram per schema, one per table with its foreign-key neighbours,
    and one per group defined under \\[tool.dbdesign.docs.groups] in the configuration.

    Examples:

      dbdesign docs examples/shop.sql --out shop-docs/

      dbdesign docs postgresql://localhost/app -o app-docs/ -f markdown,mermaid
    """
    from dbdesign import api
    from dbdesign.cli import _reading, _warn, term
    from dbdesign.config import load_config
    from dbdesign.docs import DocsOptions, parse_formats

    formats = parse_formats(fmt)
    cfg = load_config(explicit=config)
    options = DocsOptions.from_config(cfg.section("docs"), file=str(cfg.path) if cfg.path else None)
    _reading(source)
    result = api.docs(
        source, out, formats, dialect=dialect, rows=rows, findings=lint, options=options, warn=_warn
    )
    for note in result.notes:
        term.note(f"dbdesign docs: {note}")
    removed = f"; removed {len(result.removed)} stale files" if result.removed else ""
    typer.echo(f"wrote {len(result.files)} files to {out} ({', '.join(result.formats)}){removed}")
