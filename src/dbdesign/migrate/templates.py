"""``migrate new --template``: start a migration from the safe form of a common change
(PostgreSQL), so it passes ``dbdesign lint --migrations`` as written.

Each template is one or more up/down pairs: a change that needs its own transaction (a NOT
VALID constraint, then its VALIDATE) or none (CREATE INDEX CONCURRENTLY) is split over several
migrations, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dbdesign.dialects.postgres import quote_ident
from dbdesign.errors import ConfigError
from dbdesign.migrate.files import Versioning, new_migration

LOCK = "SET lock_timeout = '2s';  -- fail fast instead of queueing every query behind us\n"
NO_TX = "-- dbdesign: no-transaction\n"


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateArgs:
    """What a template fills in: ``table`` (``schema.table`` or ``table``), ``column``, the
    new column's ``type``, and ``references`` (``table(column)``) for a foreign key."""

    table: str
    column: str
    type: str = "text"
    references: str | None = None


Step = tuple[str, str, str]  # name suffix, up text, down text


def _name(a: TemplateArgs, suffix: str) -> str:
    base = a.table.split(".")[-1]
    return f"{base}_{a.column}_{suffix}"[:63]


def _table(a: TemplateArgs) -> str:
    return ".".join(quote_ident(p) for p in a.table.split("."))


def add_column(a: TemplateArgs) -> list[Step]:
    t, c = _table(a), quote_ident(a.column)
    return [
        (
            "",
            f"{LOCK}-- nullable, no volatile default: a catalog change, no rewrite\n"
            f"ALTER TABLE {t} ADD COLUMN {c} {a.type};\n",
            f"{LOCK}ALTER TABLE {t} DROP COLUMN {c};\n",
        )
    ]


def add_index(a: TemplateArgs) -> list[Step]:
    t, c, i = _table(a), quote_ident(a.column), quote_ident(_name(a, "idx"))
    return [
        (
            "",
            f"{NO_TX}-- writes go on while it builds; a failed build leaves an INVALID index: "
            f"drop it and run again\nCREATE INDEX CONCURRENTLY IF NOT EXISTS {i} ON {t} ({c});\n",
            f"{NO_TX}DROP INDEX CONCURRENTLY IF EXISTS {i};\n",
        )
    ]


def add_unique(a: TemplateArgs) -> list[Step]:
    t, c = _table(a), quote_ident(a.column)
    i, k = quote_ident(_name(a, "key_idx")), quote_ident(_name(a, "key"))
    return [
        (
            "index",
            f"{NO_TX}CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {i} ON {t} ({c});\n",
            f"{NO_TX}DROP INDEX CONCURRENTLY IF EXISTS {i};\n",
        ),
        (
            "constraint",
            f"{LOCK}-- the index is built: the constraint takes it over without a scan\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {k} UNIQUE USING INDEX {i};\n",
            f"{LOCK}-- the constraint takes its index with it: build the index again (blocks "
            "writes while it builds)\n"
            f"ALTER TABLE {t} DROP CONSTRAINT {k};\n"
            f"CREATE UNIQUE INDEX {i} ON {t} ({c});\n",
        ),
    ]


def add_foreign_key(a: TemplateArgs) -> list[Step]:
    if not a.references or "(" not in a.references or not a.references.endswith(")"):
        raise ConfigError("--template add-foreign-key needs --references TABLE(COLUMN)")
    target, col = a.references[:-1].split("(", 1)
    t, c, k = _table(a), quote_ident(a.column), quote_ident(_name(a, "fkey"))
    ref = ".".join(quote_ident(p) for p in target.strip().split("."))
    return [
        (
            "",
            f"{LOCK}-- NOT VALID: only new rows are checked; no scan under the lock\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {k} FOREIGN KEY ({c}) "
            f"REFERENCES {ref} ({quote_ident(col.strip())}) NOT VALID;\n",
            f"{LOCK}ALTER TABLE {t} DROP CONSTRAINT {k};\n",
        ),
        (
            "validate",
            "-- scans the table under SHARE UPDATE EXCLUSIVE: reads and writes go on\n"
            f"ALTER TABLE {t} VALIDATE CONSTRAINT {k};\n",
            f"{LOCK}-- back to NOT VALID: add it again without the check of existing rows\n"
            f"ALTER TABLE {t} DROP CONSTRAINT {k};\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {k} FOREIGN KEY ({c}) "
            f"REFERENCES {ref} ({quote_ident(col.strip())}) NOT VALID;\n",
        ),
    ]


def set_not_null(a: TemplateArgs) -> list[Step]:
    t, c, k = _table(a), quote_ident(a.column), quote_ident(_name(a, "not_null"))
    return [
        (
            "check",
            f"{LOCK}ALTER TABLE {t} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID;\n",
            f"{LOCK}ALTER TABLE {t} DROP CONSTRAINT {k};\n",
        ),
        (
            "",
            f"{LOCK}-- VALIDATE scans without blocking writes; SET NOT NULL then trusts the "
            "validated check (PostgreSQL 12+): no second scan\n"
            f"ALTER TABLE {t} VALIDATE CONSTRAINT {k};\n"
            f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n"
            f"ALTER TABLE {t} DROP CONSTRAINT {k};\n",
            f"{LOCK}ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;\n"
            f"ALTER TABLE {t} ADD CONSTRAINT {k} CHECK ({c} IS NOT NULL) NOT VALID;\n",
        ),
    ]


TEMPLATES: dict[str, Callable[[TemplateArgs], list[Step]]] = {
    "add-column": add_column,
    "add-index": add_index,
    "add-unique": add_unique,
    "add-foreign-key": add_foreign_key,
    "set-not-null": set_not_null,
}


def steps(template: str, args: TemplateArgs) -> list[Step]:
    """The migrations (name suffix, up, down) of ``template`` filled with ``args``."""
    make = TEMPLATES.get(template)
    if make is None:
        raise ConfigError(f"--template {template!r}: choose from {', '.join(TEMPLATES)}")
    return make(args)


def write(
    folder: Path, name: str, template: str, args: TemplateArgs, versioning: Versioning
) -> list[Path]:
    """Write the template's migrations into ``folder`` (consecutive versions); their paths."""
    out: list[Path] = []
    for suffix, up, down in steps(template, args):
        full = f"{name}_{suffix}" if suffix else name
        out.extend(new_migration(folder, full, versioning=versioning, up_text=up, down_text=down))
    return out
