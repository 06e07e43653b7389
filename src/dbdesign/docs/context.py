"""What every docs writer needs, computed once: page paths, the foreign-key graph, the diagrams.

Writers (markdown, erd, html) take a :class:`DocsContext` and return text; none of them reads
files or talks to a database. Everything here is linear in the size of the schema, so a
1,000-table schema costs no more per table than a 10-table one.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbdesign.errors import ConfigError
from dbdesign.model import ForeignKey, Schema, Table

# Diagrams with more tables than this draw tables as names only (no columns).
DEFAULT_DETAIL_LIMIT = 30
# Diagrams with more tables than this are not drawn at all: nobody can read them. The per-table
# and group diagrams cover such a schema instead.
DEFAULT_MAX_TABLES = 150


@dataclass(frozen=True, slots=True)
class DocFinding:
    """One lint finding, read loosely from `dbdesign lint --format json` output."""

    code: str
    severity: str
    message: str
    object: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Diagram:
    """One ER diagram: a set of tables (qualified keys) drawn together."""

    slug: str  # file stem: "schema-public", "table-public.film", "group-billing", "all"
    title: str
    kind: str  # "all" | "schema" | "table" | "group"
    tables: tuple[str, ...]
    focus: str | None = None  # the table a neighbour diagram is about
    compact: bool = False  # names only, no columns
    too_large: bool = False  # not drawn; listed instead


@dataclass(frozen=True, slots=True)
class DocsOptions:
    detail_limit: int = DEFAULT_DETAIL_LIMIT
    max_tables: int = DEFAULT_MAX_TABLES
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # name -> patterns
    title: str | None = None

    @classmethod
    def from_config(cls, section: Mapping[str, Any], file: str | None = None) -> DocsOptions:
        """Validate ``[tool.dbdesign.docs]``: ``groups = {name = ["schema.table", "pat*"]}``,
        ``detail_limit``, ``max_tables``, ``title``."""
        known = {"groups", "detail_limit", "max_tables", "title"}
        for key in section:
            if key not in known:
                raise ConfigError(
                    f"[tool.dbdesign.docs] unknown key {key!r} (known: {', '.join(sorted(known))})",
                    file=file,
                )
        groups_raw = section.get("groups", {})
        if not isinstance(groups_raw, Mapping):
            raise ConfigError("[tool.dbdesign.docs] groups must be a table of lists", file=file)
        groups: dict[str, tuple[str, ...]] = {}
        for name, pats in groups_raw.items():
            if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
                raise ConfigError(
                    f"[tool.dbdesign.docs.groups] {name} must be a list of table names or patterns",
                    file=file,
                )
            groups[str(name)] = tuple(pats)
        ints: dict[str, int] = {}
        for key, default in (
            ("detail_limit", DEFAULT_DETAIL_LIMIT),
            ("max_tables", DEFAULT_MAX_TABLES),
        ):
            value = section.get(key, default)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(
                    f"[tool.dbdesign.docs] {key} must be a positive integer", file=file
                )
            ints[key] = value
        title = section.get("title")
        if title is not None and not isinstance(title, str):
            raise ConfigError("[tool.dbdesign.docs] title must be a string", file=file)
        return cls(
            detail_limit=ints["detail_limit"],
            max_tables=ints["max_tables"],
            groups=groups,
            title=title,
        )


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _slugs(keys: Iterable[str]) -> dict[str, str]:
    """File-name-safe, unique (also case-insensitively) stems for object keys."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    for key in keys:
        base = _UNSAFE.sub("_", key).strip(".") or "_"
        slug, n = base, 1
        while slug.lower() in seen:
            n += 1
            slug = f"{base}-{n}"
        seen.add(slug.lower())
        out[key] = slug
    return out


class DocsContext:
    """A schema plus what the writers derive from it (computed once, shared)."""

    def __init__(
        self,
        schema: Schema,
        *,
        row_counts: Mapping[str, int] | None = None,
        findings: Sequence[DocFinding] = (),
        options: DocsOptions | None = None,
    ) -> None:
        self.schema = schema
        self.row_counts = row_counts
        self.findings = tuple(findings)
        self.options = options or DocsOptions()
        self.title = self.options.title or (
            f"Schema of {source_name(schema.source)}" if schema.source else "Database schema"
        )
        self.table_slugs = _slugs(schema.tables)
        self.view_slugs = _slugs(schema.views)

        # Foreign keys by the table they point at; indexes, triggers, policies by table.
        self.referenced_by: dict[str, list[tuple[Table, ForeignKey]]] = defaultdict(list)
        for t in schema.tables.values():
            for fk in t.foreign_keys.values():
                self.referenced_by[fk.ref_table].append((t, fk))
        self.indexes: dict[str, list[Any]] = defaultdict(list)
        for ix in schema.indexes.values():
            self.indexes[ix.table_key].append(ix)
        self.triggers: dict[str, list[Any]] = defaultdict(list)
        for tr in schema.triggers.values():
            self.triggers[f"{tr.schema}.{tr.table}"].append(tr)
        self.policies: dict[str, list[Any]] = defaultdict(list)
        for p in schema.policies.values():
            self.policies[f"{p.schema}.{p.table}"].append(p)
        self.partitions: dict[str, list[str]] = defaultdict(list)
        for key, t in schema.tables.items():
            if t.partition_of:
                self.partitions[t.partition_of].append(key)
        self.findings_by_table: dict[str, list[DocFinding]] = defaultdict(list)
        self.unattached_findings: list[DocFinding] = []
        for f in self.findings:
            owner = self.table_of(f.object)
            if owner is None:
                self.unattached_findings.append(f)
            else:
                self.findings_by_table[owner].append(f)
        self.diagrams = self._plan_diagrams()
        self.diagram_of_table = {d.focus: d for d in self.diagrams if d.focus}

    # -- lookups ----------------------------------------------------------------------------

    def schemas(self) -> list[str]:
        names = set(self.schema.namespaces)
        for coll in (self.schema.tables, self.schema.views, self.schema.enums):
            names.update(o.schema for o in coll.values())
        return sorted(names)

    def tables_in(self, ns: str) -> list[Table]:
        return [t for t in self.schema.tables.values() if t.schema == ns]

    def diagram_tables(self) -> list[Table]:
        """Tables drawn in ER diagrams: partitions follow their parent and are left out."""
        return [t for t in self.schema.tables.values() if not t.partition_of]

    def table_of(self, obj: str | None) -> str | None:
        """The table a lint finding's object names: ``schema.table[.column]`` or ``table``."""
        if not obj:
            return None
        tables = self.schema.tables
        if obj in tables:
            return obj
        ix = self.schema.indexes.get(obj)
        if ix is not None:
            return ix.table_key
        parts = obj.split(".")
        for n in range(len(parts) - 1, 0, -1):
            key = ".".join(parts[:n])
            if key in tables:
                return key
        for ns in ("public", "main"):
            for n in range(len(parts), 0, -1):
                key = f"{ns}." + ".".join(parts[:n])
                if key in tables:
                    return key
        return None

    def neighbours(self, key: str) -> list[str]:
        """The table, the tables it references and the tables that reference it."""
        t = self.schema.tables[key]
        out = {key}
        out.update(fk.ref_table for fk in t.foreign_keys.values())
        out.update(src.key for src, _ in self.referenced_by.get(key, ()))
        # Partitions are drawn as their parent.
        resolved = set()
        for k in out:
            other = self.schema.tables.get(k)
            while other is not None and other.partition_of:
                parent: str = other.partition_of
                k = parent
                other = self.schema.tables.get(k)
            resolved.add(k)
        return sorted(k for k in resolved if k in self.schema.tables)

    # -- diagrams ---------------------------------------------------------------------------

    def _diagram(
        self, slug: str, title: str, kind: str, tables: Sequence[str], focus: str | None = None
    ) -> Diagram:
        n = len(tables)
        return Diagram(
            slug=slug,
            title=title,
            kind=kind,
            tables=tuple(sorted(tables)),
            focus=focus,
            compact=n > self.options.detail_limit,
            too_large=n > self.options.max_tables,
        )

    def _plan_diagrams(self) -> list[Diagram]:
        """One diagram per schema (or one for all when it is small and has several schemas),
        one per table with its foreign-key neighbours, and one per configured group."""
        drawn = self.diagram_tables()
        out: list[Diagram] = []
        by_schema: dict[str, list[str]] = defaultdict(list)
        for t in drawn:
            by_schema[t.schema].append(t.key)
        if len(by_schema) > 1 and len(drawn) <= self.options.detail_limit:
            out.append(self._diagram("all", "All tables", "all", [t.key for t in drawn]))
        for ns in sorted(by_schema):
            out.append(self._diagram(f"schema-{ns}", f"Schema {ns}", "schema", by_schema[ns]))
        for name, patterns in self.options.groups.items():
            keys = self.match(patterns)
            out.append(self._diagram(f"group-{name}", f"Group {name}", "group", keys))
        slugs = self.table_slugs
        for t in drawn:
            out.append(
                self._diagram(
                    f"table-{slugs[t.key]}",
                    f"{t.key} and its neighbours",
                    "table",
                    self.neighbours(t.key),
                    focus=t.key,
                )
            )
        return out

    def match(self, patterns: Sequence[str]) -> list[str]:
        """Diagram tables whose qualified key or bare name matches any of the patterns."""
        out = []
        for t in self.diagram_tables():
            if any(
                fnmatch.fnmatchcase(t.key, p) or fnmatch.fnmatchcase(t.name, p) for p in patterns
            ):
                out.append(t.key)
        return out

    def overview_diagrams(self) -> list[Diagram]:
        return [d for d in self.diagrams if d.kind != "table"]


def source_name(source: str) -> str:
    """A file's name, a folder's name, or a (redacted) URL as it is."""
    if "://" in source:
        return source
    return source.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] or source
