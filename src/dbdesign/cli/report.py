"""Text reports. Plain aligned columns: fast for thousands of rows and friendly to pipes."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence

from dbdesign.model import Schema


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None
) -> str:
    """Align rows under headers; ``right`` marks right-aligned (numeric) columns."""
    widths = [len(h) for h in headers]
    for r in rows:
        for i, cell in enumerate(r):
            widths[i] = max(widths[i], len(cell))
    right = right or [False] * len(headers)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def inspect_text(schema: Schema, rows: dict[str, int] | None = None) -> str:
    kinds = {
        "tables": schema.tables,
        "views": schema.views,
        "indexes": schema.indexes,
        "sequences": schema.sequences,
        "enums": schema.enums,
        "domains": schema.domains,
        "functions": schema.functions,
        "triggers": schema.triggers,
    }
    per_schema: dict[str, dict[str, int]] = {ns: defaultdict(int) for ns in schema.namespaces}
    for kind, coll in kinds.items():
        for obj in coll.values():  # type: ignore[attr-defined]
            per_schema.setdefault(obj.schema, defaultdict(int))[kind] += 1
    out = [f"{schema.source or 'schema'} ({schema.dialect})", ""]
    out.append(
        format_table(
            ["schema", *kinds],
            [[ns, *(str(per_schema[ns][k]) for k in kinds)] for ns in sorted(per_schema)],
            [False] + [True] * len(kinds),
        )
    )
    index_count: dict[str, int] = defaultdict(int)
    for ix in schema.indexes.values():
        index_count[ix.table_key] += 1
    by_schema: dict[str, list[str]] = defaultdict(list)
    for key, t in schema.tables.items():
        by_schema[t.schema].append(key)
    headers = ["table", "columns", "primary key", "fks", "uniques", "checks", "indexes", "kind"]
    right = [False, True, False, True, True, True, True, False]
    if rows is not None:
        headers.append("rows")
        right.append(True)
    for ns in sorted(by_schema):
        body = []
        for key in sorted(by_schema[ns]):
            t = schema.tables[key]
            kind = (
                "partitioned"
                if t.partition_by
                else f"partition of {t.partition_of}"
                if t.partition_of
                else "unlogged"
                if t.unlogged
                else "table"
            )
            cells = [
                t.name,
                str(len(t.columns)),
                ", ".join(t.primary_key.columns) if t.primary_key else "-",
                str(len(t.foreign_keys)),
                str(len(t.uniques)),
                str(len(t.checks)),
                str(index_count[key]),
                kind,
            ]
            if rows is not None:
                cells.append(f"{rows.get(key, 0):,}")
            body.append(cells)
        out += ["", f"schema {ns}", format_table(headers, body, right)]
    return "\n".join(out) + "\n"


def print_inspect(schema: Schema, rows: dict[str, int] | None = None) -> None:
    sys.stdout.write(inspect_text(schema, rows))
