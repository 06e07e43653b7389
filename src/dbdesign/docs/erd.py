"""ER diagrams: Mermaid, Graphviz DOT (and SVG through Debian's ``dot``), and DBML.

Every diagram is planned in :class:`~dbdesign.docs.context.DocsContext` (a set of tables); this
module only turns one into text. Tables in a diagram show their columns unless the diagram is
*compact* (many tables: names only); in a table's neighbour diagram the neighbours show only
their key columns, so the table the diagram is about stands out.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from dbdesign.docs.context import Diagram, DocsContext
from dbdesign.model import Column, ForeignKey, Index, Table

# -- shared ----------------------------------------------------------------------------------


def edges(ctx: DocsContext, d: Diagram) -> Iterator[tuple[Table, ForeignKey, str]]:
    """Foreign keys between tables of the diagram: (child table, fk, parent key)."""
    members = set(d.tables)
    tables = ctx.schema.tables
    for key in d.tables:
        t = tables[key]
        # A partitioned table is drawn for its partitions too: their foreign keys are its own.
        seen: set[tuple[tuple[str, ...], str]] = set()
        sources = [t, *(tables[p] for p in ctx.partitions.get(key, ()))]
        for fk in (fk for src in sources for fk in src.foreign_keys.values()):
            parent = fk.ref_table
            p = tables.get(parent)
            while p is not None and p.partition_of:
                parent = p.partition_of
                p = tables.get(parent)
            if parent in members and (fk.columns, parent) not in seen:
                seen.add((fk.columns, parent))
                yield t, fk, parent


def key_columns(t: Table) -> tuple[set[str], set[str], set[str]]:
    """(primary key, foreign key, single-column unique) column names."""
    pk = set(t.primary_key.columns) if t.primary_key else set()
    fk = {c for f in t.foreign_keys.values() for c in f.columns}
    uk = {u.columns[0] for u in t.uniques.values() if len(u.columns) == 1}
    return pk, fk, uk


def shown_columns(ctx: DocsContext, d: Diagram, t: Table, referenced: set[str]) -> list[Column]:
    """The columns a diagram draws for a table."""
    if d.compact:
        return []
    if d.kind != "table" or t.key == d.focus:
        return list(t.columns)
    pk, fk, _ = key_columns(t)
    keep = pk | fk | referenced
    return [c for c in t.columns if c.name in keep]


def _referenced_columns(ctx: DocsContext, d: Diagram) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in d.tables}
    for _, fk, parent in edges(ctx, d):
        out[parent].update(fk.ref_columns)
    return out


def _one_schema(d: Diagram) -> bool:
    return len({k.split(".", 1)[0] for k in d.tables}) <= 1


def _label(t: Table, d: Diagram) -> str:
    return t.name if _one_schema(d) else t.key


def short_type(c: Column, table_schema: str) -> str:
    """A column type as people write it: aliases for long names, own schema dropped."""
    name = c.type.name
    name = _ALIASES.get(name, name)
    if name.startswith(f"{table_schema}."):
        name = name[len(table_schema) + 1 :]
    elif name.startswith("pg_catalog."):
        name = name[len("pg_catalog.") :]
    if c.type.args:
        name += "(" + ",".join(str(a) for a in c.type.args) + ")"
    return name + "[]" * c.type.array_dims


# PostgreSQL's own short names for its long canonical ones.
_ALIASES = {
    "character varying": "varchar",
    "character": "char",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
    "double precision": "float8",
    "bit varying": "varbit",
}

# -- Mermaid ---------------------------------------------------------------------------------

_MERMAID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# What Mermaid's erDiagram grammar documents for an attribute type: a letter first, then
# letters, digits, hyphens, underscores, parentheses and square brackets.
_MERMAID_TYPE_BAD = re.compile(r"[^A-Za-z0-9_\-()\[\]]")


def mermaid_type(text: str) -> str:
    """Escape a type name for Mermaid: ``numeric(4,2)`` -> ``numeric(4-2)``,
    ``public.mpaa_rating`` -> ``public-mpaa_rating``, ``bit varying`` -> ``bit_varying``."""
    out = text.replace(",", "-").replace(".", "-").replace(" ", "_")
    out = _MERMAID_TYPE_BAD.sub("_", out)
    if not out or not (out[0].isalpha() or out[0] == "_"):
        out = "t_" + out
    return out


def _mermaid_text(s: str) -> str:
    # Mermaid's entity codes (#lt; #gt;) keep a label's "<" and ">" text: no HTML from the
    # schema reaches the rendered diagram, nor the Markdown page the diagram is embedded in.
    s = s.replace('"', "'").replace("<", "#lt;").replace(">", "#gt;")
    return " ".join(s.split())


def mermaid(ctx: DocsContext, d: Diagram) -> str:
    """A Mermaid ``erDiagram`` (renders on GitHub)."""
    tables = ctx.schema.tables
    ids: dict[str, str] = {}
    used: set[str] = set()
    lines = ["erDiagram"]
    referenced = _referenced_columns(ctx, d)
    for key in d.tables:
        t = tables[key]
        label = _label(t, d)
        base = label if _MERMAID_NAME.match(label) else re.sub(r"\W", "_", label)
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}_{n}"
        used.add(ident)
        ids[key] = ident
        head = ident if ident == label else f'{ident}["{_mermaid_text(label)}"]'
        cols = shown_columns(ctx, d, t, referenced[key])
        if not cols:
            lines.append(f"    {head}")
            continue
        pks, fks, uks = key_columns(t)
        lines.append(f"    {head} {{")
        for c in cols:
            keys = [k for k, s in (("PK", pks), ("FK", fks), ("UK", uks)) if c.name in s]
            name = c.name if _MERMAID_NAME.match(c.name) else re.sub(r"\W", "_", c.name)
            typ = short_type(c, t.schema)
            mtyp = mermaid_type(typ)
            parts = [mtyp, name]
            if keys:
                parts.append(",".join(keys))
            notes = []
            if name != c.name:
                notes.append(f"column {c.name}")
            if mtyp != typ:
                notes.append(typ)
            if c.comment:
                notes.append(c.comment)
            if notes:
                parts.append(f'"{_mermaid_text("; ".join(notes))}"')
            lines.append("        " + " ".join(parts))
        lines.append("    }")
    for child, fk, parent in edges(ctx, d):
        fk_cols = [child.column(n) for n in fk.columns]
        optional = any(c is None or c.nullable for c in fk_cols)
        pk, _, uk = key_columns(child)
        one = set(fk.columns) == pk or (len(fk.columns) == 1 and fk.columns[0] in uk)
        left = "o|" if optional else "||"
        right = "o|" if one else "o{"
        label = _mermaid_text(", ".join(fk.columns))
        lines.append(f'    {ids[parent]} {left}--{right} {ids[child.key]} : "{label}"')
    return "\n".join(lines) + "\n"


# -- Graphviz --------------------------------------------------------------------------------

_FONT = "Helvetica,Arial,sans-serif"
_HEAD = "#334155"
_FOCUS = "#4338ca"
_LINE = "#cbd5e1"
_MUTED = "#64748b"


def _h(s: str) -> str:
    """Escape text for a Graphviz HTML-like label."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(ctx: DocsContext, d: Diagram) -> str:
    """A Graphviz digraph: tables as HTML-like record nodes, edges from FK column to key."""
    tables = ctx.schema.tables
    referenced = _referenced_columns(ctx, d)
    out = [
        f"digraph {_q(d.slug)} {{",
        f'  graph [rankdir=LR, bgcolor="transparent", fontname="{_FONT}", nodesep=0.35, '
        f"ranksep=0.9, pad=0.2, concentrate=false];",
        f'  node [shape=plain, fontname="{_FONT}", fontsize=10];',
        f'  edge [fontname="{_FONT}", fontsize=8, color="{_MUTED}", arrowsize=0.7, '
        "arrowhead=crow, arrowtail=tee, dir=both];",
    ]
    ports: dict[str, set[str]] = {}
    for key in d.tables:
        t = tables[key]
        head = _FOCUS if key == d.focus else _HEAD
        label = _h(_label(t, d))
        cols = shown_columns(ctx, d, t, referenced[key])
        ports[key] = {c.name for c in cols}
        rows = [
            f'<tr><td bgcolor="{head}" colspan="2" align="left" cellpadding="5">'
            f'<font color="white"><b>{label}</b></font></td></tr>'
        ]
        pks, fks, _ = key_columns(t)
        for c in cols:
            mark = "&#9670; " if c.name in pks else ("&#8594; " if c.name in fks else "")
            name = _h(c.name)
            name = f"<b>{name}</b>" if c.name in pks else name
            typ = _h(short_type(c, t.schema))
            port = _h(c.name)
            rows.append(
                f'<tr><td port="{port}" align="left">{mark}{name}</td><td port="{port}.r" '
                f'align="left"><font color="{_MUTED}">{typ}</font></td></tr>'
            )
        table = (
            f'<table border="1" cellborder="0" cellspacing="0" cellpadding="3" '
            f'color="{_LINE}" bgcolor="white">{"".join(rows)}</table>'
        )
        tip = _q(t.comment or t.key)
        out.append(f"  {_q(key)} [label=<{table}>, tooltip={tip}];")
    for child, fk, parent in edges(ctx, d):
        a = _q(child.key)
        b = _q(parent)
        if len(fk.columns) == 1 and fk.columns[0] in ports[child.key]:
            a += f":{_q(fk.columns[0])}:w"
        if len(fk.ref_columns) == 1 and fk.ref_columns[0] in ports[parent]:
            b += f":{_q(fk.ref_columns[0] + '.r')}:e"
        optional = any((fc := child.column(n)) is None or fc.nullable for n in fk.columns)
        style = ', style="dashed"' if optional else ""
        # Drawn parent -> child so that rankdir=LR puts referenced tables on the left.
        out.append(f"  {b} -> {a} [tooltip={_q(fk.name)}{style}];")
    out.append("}")
    return "\n".join(out) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def render_svg(sources: Sequence[str], jobs: int = 2, timeout: float = 600) -> list[str] | None:
    """SVG for each DOT source, through Graphviz's ``dot``; None when ``dot`` is not installed.

    Graphs are fed to a few ``dot`` processes in batches (one process lays out many graphs), so
    a thousand small diagrams cost a few process starts, not a thousand.
    """
    exe = shutil.which("dot")
    if exe is None:
        return None
    if not sources:
        return []
    jobs = max(1, min(jobs, len(sources)))
    size = -(-len(sources) // jobs)
    batches = [list(sources[i : i + size]) for i in range(0, len(sources), size)]

    def run(batch: list[str]) -> list[str]:
        proc = subprocess.run(
            [exe, "-Tsvg"],
            input="\n".join(batch).encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        text = proc.stdout.decode("utf-8", "replace")
        svgs = [s[s.find("<svg") :] + "</svg>" for s in text.split("</svg>")[:-1]]
        if proc.returncode != 0 or len(svgs) != len(batch):
            if len(batch) == 1:
                err = proc.stderr.decode("utf-8", "replace").strip()
                return [f"<!-- dot failed: {err} -->"]
            return [x for s in batch for x in run([s])]
        return svgs

    with ThreadPoolExecutor(len(batches)) as pool:
        return [s for part in pool.map(run, batches) for s in part]


# -- DBML ------------------------------------------------------------------------------------

_DBML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_STRING = re.compile(r"^'((?:[^']|'')*)'$")


def _dn(name: str) -> str:
    return name if _DBML_NAME.match(name) else '"' + name.replace('"', '\\"') + '"'


def _dq(key: str) -> str:
    schema, _, name = key.partition(".")
    return f"{_dn(schema)}.{_dn(name)}"


def _ds(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def _dbml_default(text: str) -> str:
    t = text.strip()
    if _NUMBER.match(t) or t.lower() in ("true", "false", "null"):
        return t.lower() if not _NUMBER.match(t) else t
    m = _STRING.match(t)
    if m:
        return _ds(m.group(1).replace("''", "'"))
    return "`" + t.replace("`", "'") + "`"


def dbml(ctx: DocsContext) -> str:
    """The whole schema in DBML (dbdiagram.io / dbdocs): enums, tables with columns, keys,
    indexes and notes, references, and the configured groups as TableGroups."""
    s = ctx.schema
    out = [f"// {ctx.title} — generated by dbdesign docs", ""]
    enum_keys = set(s.enums)
    for e in s.enums.values():
        out.append(f"Enum {_dq(e.key)} {{")
        out.extend(f'  "{v.replace(chr(34), chr(92) + chr(34))}"' for v in e.values)
        out.append("}")
        out.append("")
    for t in s.tables.values():
        out.extend(_dbml_table(ctx, t, enum_keys))
        out.append("")
    ref_names: set[str] = set()
    for t in s.tables.values():
        for fk in t.foreign_keys.values():
            if fk.ref_table not in s.tables:
                out.append(f"// {t.key}.{fk.name} references {fk.ref_table}, not in this schema")
                continue
            name = fk.name
            n = 1
            while name in ref_names:
                n += 1
                name = f"{fk.name}_{n}"
            ref_names.add(name)
            src = _dbml_cols(t.key, fk.columns)
            dst = _dbml_cols(fk.ref_table, fk.ref_columns)
            pk, _, uk = key_columns(t)
            one = set(fk.columns) == pk or (len(fk.columns) == 1 and fk.columns[0] in uk)
            rel = "-" if one else ">"
            settings = []
            if fk.on_delete != "NO ACTION":
                settings.append(f"delete: {fk.on_delete.lower()}")
            if fk.on_update != "NO ACTION":
                settings.append(f"update: {fk.on_update.lower()}")
            tail = f" [{', '.join(settings)}]" if settings else ""
            out.append(f"Ref {_dn(name)}: {src} {rel} {dst}{tail}")
    for name, patterns in ctx.options.groups.items():
        keys = ctx.match(patterns)
        if keys:
            out.append("")
            out.append(f"TableGroup {_dn(name)} {{")
            out.extend(f"  {_dq(k)}" for k in keys)
            out.append("}")
    return "\n".join(out).rstrip() + "\n"


def _dbml_cols(table: str, cols: Sequence[str]) -> str:
    if len(cols) == 1:
        return f"{_dq(table)}.{_dn(cols[0])}"
    return f"{_dq(table)}.({', '.join(_dn(c) for c in cols)})"


def _dbml_type(c: Column, t: Table, enum_keys: set[str]) -> str:
    if c.type.name in enum_keys and not c.type.args and not c.type.array_dims:
        return _dq(c.type.name)
    typ = short_type(c, t.schema) if c.type.name not in enum_keys else str(c.type)
    return typ if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\([0-9, ]*\))?$", typ) else f'"{typ}"'


def _dbml_table(ctx: DocsContext, t: Table, enum_keys: set[str]) -> list[str]:
    """A DBML ``Table`` block: its columns, its indexes block and its note."""
    head = f"Table {_dq(t.key)}"
    lines = [head + " {"]
    pk = t.primary_key.columns if t.primary_key else ()
    single_unique = {u.columns[0] for u in t.uniques.values() if len(u.columns) == 1}
    for c in t.columns:
        settings = _dbml_column_settings(c, pk, single_unique)
        tail = f" [{', '.join(settings)}]" if settings else ""
        lines.append(f"  {_dn(c.name)} {_dbml_type(c, t, enum_keys)}{tail}")
    idx_lines = []
    if len(pk) > 1:
        idx_lines.append(f"    ({', '.join(_dn(c) for c in pk)}) [pk]")
    for u in t.uniques.values():
        if len(u.columns) > 1:
            cols = ", ".join(_dn(c) for c in u.columns)
            idx_lines.append(f"    ({cols}) [unique, name: {_ds(u.name)}]")
    idx_lines += [_dbml_index(ix) for ix in ctx.indexes.get(t.key, ())]
    if idx_lines:
        lines.append("")
        lines.append("  indexes {")
        lines.extend(idx_lines)
        lines.append("  }")
    notes = []
    if t.comment:
        notes.append(t.comment)
    if t.partition_of:
        bound = f" {t.partition_bound}" if t.partition_bound else ""
        notes.append(f"partition of {t.partition_of}{bound}")
    if t.partition_by:
        notes.append(f"partitioned by {t.partition_by.strategy}")
    if notes:
        lines.append("")
        lines.append(f"  Note: {_ds(chr(10).join(notes))}")
    lines.append("}")
    return lines


def _dbml_column_settings(c: Column, pk: Sequence[str], single_unique: set[str]) -> list[str]:
    """A column's DBML settings (``pk``, ``increment``, ``not null`` ...), in DBML's order."""
    settings = []
    if len(pk) == 1 and c.name == pk[0]:
        settings.append("pk")
    if c.identity is not None or (c.default is not None and "nextval(" in c.default.text):
        settings.append("increment")
    if not c.nullable and "pk" not in settings:
        settings.append("not null")
    if c.name in single_unique:
        settings.append("unique")
    if c.default is not None and "nextval(" not in c.default.text:
        settings.append(f"default: {_dbml_default(c.default.text)}")
    if c.comment:
        settings.append(f"note: {_ds(c.comment)}")
    return settings


def _dbml_index(ix: Index) -> str:
    """An index as a line of a DBML ``indexes`` block (what DBML has no word for goes in a note)."""
    elems = [
        _dn(e.column) if e.column is not None else "`" + str(e.expr).replace("`", "'") + "`"
        for e in ix.elements
    ]
    settings = [f"name: {_ds(ix.name)}"]
    if ix.unique:
        settings.append("unique")
    if ix.method in ("btree", "hash"):
        settings.append(f"type: {ix.method}")
    notes = []
    if ix.method not in ("btree", "hash"):
        notes.append(f"using {ix.method}")
    if ix.where is not None:
        notes.append(f"where {ix.where}")
    if notes:
        settings.append(f"note: {_ds('; '.join(notes))}")
    body = elems[0] if len(elems) == 1 else f"({', '.join(elems)})"
    return f"    {body} [{', '.join(settings)}]"
