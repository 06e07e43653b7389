"""A design made against the one before it (``dbdesign design SPEC --out DIR`` when DIR already
holds a design): the previous design read from its ``design.json``, the new schema shaped to
what the migrations will leave, the next migration's name, and what DESIGN.md says about it.

The files of the next migration are written by :mod:`dbdesign.migrate.evolve` (the diff, the
scratch database, the lint); :func:`dbdesign.api.design_outputs` joins the two.

- :func:`previous`: the previous design of a folder (``design.json``, format
  ``dbdesign-design`` version 1), or None when the folder holds none.
- :func:`as_migrated`: the new schema as the migrations will leave a database, so that
  ``schema.sql``, ``design.json`` and DESIGN.md describe the database the migrations build:
  the columns of a kept table in the order ALTER TABLE leaves them (ADD COLUMN appends: no
  table is rebuilt for order; :attr:`dbdesign.diff.Plan.order_left` says the order), and a
  partitioned table's partitions as the previous design made them (months come and go through
  the maintenance function, not through a migration written on another day).
- :func:`evolution`, :func:`strategy_lines` and :func:`with_strategy`: the new migration's
  files and the lines naming it under DESIGN.md's Migration Strategy heading
  (:func:`with_strategy` puts them there; DESIGN.md's writer may call :func:`strategy_lines`
  itself instead).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dbdesign.errors import ConfigError
from dbdesign.model import FrozenMap, Schema, Table

if TYPE_CHECKING:
    from dbdesign.design import Design
    from dbdesign.diff import Plan

FORMAT = "dbdesign-design"  # design.json's "format" (dbdesign.design.output.design_json)
VERSION = 1
FILE = "design.json"
STRATEGY_HEADING = "## Migration Strategy"


@dataclass(frozen=True, slots=True)
class Previous:
    """The design a folder already holds."""

    path: Path  # its design.json
    dialect: str
    schema: Schema


@dataclass(frozen=True, slots=True)
class Evolution:
    """The next migration as the outputs show it: its files (name -> text, in the migrations
    folder) and what DESIGN.md says about it."""

    files: tuple[tuple[str, str], ...] = ()
    lines: tuple[str, ...] = ()  # under DESIGN.md's Migration Strategy heading


def previous(out: str | Path | None) -> Previous | None:
    """The design ``out`` already holds (its ``design.json``), or None: no folder, or a folder
    without a design. A design.json that is not a dbdesign design of a known version is a
    :class:`ConfigError` (nothing is written over it)."""
    if out is None:
        return None
    path = Path(out) / FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"cannot read the previous design: {e}", file=str(path)) from None
    return _decode(data, path)


def _decode(data: Any, path: Path) -> Previous:
    from dbdesign.model import from_dict

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(
            f"not a dbdesign design (format {FORMAT!r} expected): design into another folder",
            file=str(path),
        )
    if data.get("version") != VERSION:
        raise ConfigError(
            f"a {FORMAT} of version {data.get('version')!r}; this dbdesign reads version {VERSION}",
            file=str(path),
        )
    try:
        schema = from_dict(data["schema"])
    except (KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"its schema cannot be read: {e}", file=str(path)) from None
    return Previous(path=path, dialect=str(data.get("dialect") or schema.dialect), schema=schema)


def check_dialect(prev: Previous, d: Design) -> None:
    """The new design must be for the previous one's dialect (a migration changes one server)."""
    from dbdesign import dialects

    if dialects.get(prev.dialect) is not dialects.get(d.dialect):
        was, now = dialects.get(prev.dialect), dialects.get(d.dialect)
        raise ConfigError(
            f"the previous design there is for {was.title} and this one for {now.title}: "
            f"design for {was.title} (--dialect {was.name}), or into another folder",
            file=str(prev.path),
        )


def as_migrated(prev: Schema, new: Schema, renames: Mapping[str, str] | None = None) -> Schema:
    """``new`` as a database migrated from ``prev`` holds it: the previous partitions of a kept
    partitioned table, and each kept table's columns in the order ALTER TABLE leaves them."""
    from dbdesign.diff import diff_schemas

    shaped = _partitions_as_before(prev, new)
    left = diff_schemas(prev, shaped, renames=renames).order_left
    if not left:
        return shaped
    tables = dict(shaped.tables)
    for key, order in left:
        t = tables[key]
        by_name = {c.name: c for c in t.columns}
        if sorted(order) == sorted(by_name):
            tables[key] = dataclasses.replace(t, columns=tuple(by_name[n] for n in order))
    return dataclasses.replace(shaped, tables=FrozenMap(tables))


def _partitions_as_before(prev: Schema, new: Schema) -> Schema:
    """``new`` with the partitions ``prev`` gave each partitioned table both have (same
    partitioning): each as ``new`` makes one of them (its columns), under the previous name
    and bound."""
    kept: dict[str, list[Table]] = {}
    for key, t in new.tables.items():
        old = prev.tables.get(key)
        if t.partition_by is None or old is None or old.partition_by != t.partition_by:
            continue
        mine = {k: p for k, p in new.tables.items() if p.partition_of == key}
        if not mine:
            continue
        template = next(iter(mine.values()))
        kept[key] = [
            mine.get(p.key)
            or dataclasses.replace(template, name=p.name, partition_bound=p.partition_bound)
            for p in prev.tables.values()
            if p.partition_of == key
        ]
    if not kept:
        return new
    tables: dict[str, Table] = {}
    placed: set[str] = set()
    for key, t in new.tables.items():
        parent = t.partition_of
        if parent is None or parent not in kept:
            tables[key] = t
        elif parent not in placed:  # all of them where the first of the new ones stood
            placed.add(parent)
            tables.update((p.key, p) for p in kept[parent])
    return dataclasses.replace(new, tables=FrozenMap(tables))


class MigrationFacts(Protocol):
    """What DESIGN.md needs of the next migration (:class:`dbdesign.migrate.evolve.
    NextMigration` has it)."""

    @property
    def plan(self) -> Plan | None: ...
    @property
    def earlier(self) -> tuple[str, ...]: ...
    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def files(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def checked_on(self) -> str: ...
    @property
    def problems(self) -> tuple[str, ...]: ...
    @property
    def errors(self) -> tuple[Any, ...]: ...


def evolution(m: MigrationFacts) -> Evolution:
    """The next migration's files and DESIGN.md's lines about it."""
    changes = dict.fromkeys(o.describe() for o in (m.plan.operations if m.plan else ()))
    lines = strategy_lines(
        earlier=m.earlier,
        new=m.names,
        changes=list(changes),
        checked_on=m.checked_on,
        problems=m.problems,
        errors=len(m.errors),
    )
    return Evolution(files=m.files, lines=lines)


def strategy_lines(
    *,
    earlier: Sequence[str],
    new: Sequence[str],
    changes: Sequence[str],
    checked_on: str | None,
    problems: Sequence[str] = (),
    errors: int = 0,
) -> tuple[str, ...]:
    """What DESIGN.md's Migration Strategy says first about a design made against the previous
    one: the migrations that reach it and, when it changed the schema, the new ones and how
    they were checked."""
    if not new:
        last = f"`{earlier[-1]}`" if earlier else "the migrations folder"
        return (
            f"- No schema change since the previous design: the migrations up to {last} "
            "reach this schema; no migration was written.",
        )
    names = ", ".join(f"`{n}`" for n in new)
    out = [
        f"- This design changes the previous one ({FILE} of this folder): {names} take a "
        f"database from `{earlier[-1] if earlier else 'nothing'}` to this schema; each "
        "`.down.sql` undoes its `.up.sql` (run them in reverse). The earlier migrations "
        f"({', '.join(f'`{e}`' for e in earlier) or 'none'}) are unchanged.",
        "- Changes: " + "; ".join(changes) + ".",
        "- New columns follow the existing ones, as ALTER TABLE ADD COLUMN leaves them (no "
        "table is rebuilt for column order; schema.sql shows the same order). A statement "
        "that cannot run in a transaction (CREATE INDEX CONCURRENTLY) is a `no-transaction` "
        "migration of its own; a constraint on rows already there is added NOT VALID and "
        "validated after the commit.",
    ]
    if problems:
        out += [f"- Not reached on {checked_on}: {p}" for p in problems]
    elif checked_on:
        out.append(
            f"- Checked on {checked_on}: the earlier migrations replayed, the new ones applied "
            "read back as this schema, and their downs return to the previous one."
        )
    lint = (
        f"{errors} error finding{'s' if errors != 1 else ''}: fix them before applying"
        if errors
        else "no error finding"
    )
    out.append(f"- The migration-safety lint (`dbdesign lint --migrations`): {lint}.")
    return tuple(out)


def with_strategy(md: str, lines: Sequence[str]) -> str:
    """DESIGN.md with ``lines`` first under its Migration Strategy heading (a section of its
    own at the end when it has none)."""
    if not lines:
        return md
    block = "\n".join(lines) + "\n"
    head = STRATEGY_HEADING + "\n\n"
    at = md.find(head)
    if at < 0:
        return md.rstrip("\n") + "\n\n" + head + block
    cut = at + len(head)
    return md[:cut] + block + "\n" + md[cut:]
