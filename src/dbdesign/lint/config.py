"""Lint configuration: ``[tool.dbdesign.lint]`` in pyproject.toml or ``[lint]`` in dbdesign.toml.

Example::

    [tool.dbdesign.lint]
    select = ["ALL"]                  # codes (KEY001), code prefixes (KEY) or groups (keys);
                                      # "ALL" is every rule that is on by default
    ignore = ["NAM002", "naming"]
    fail_on = "warning"               # info | warning | error
    baseline = "lint-baseline.json"
    server_version = "16"             # what `lint --migrations` assumes (or mariadb-10.11 ...)
    max_indexes_per_table = 8
    audit_columns = ["created_at", "updated_at"]

    [tool.dbdesign.lint.severity]
    TYP005 = "warning"

    [tool.dbdesign.lint.naming]
    index = ["idx_{table}_*"]

    [tool.dbdesign.lint.volumes]      # expected rows per table (KEY006)
    "public.events" = 5_000_000_000   # schema.table, or a bare name for any schema
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from dbdesign.errors import ConfigError
from dbdesign.lint.findings import Severity

DEFAULT_NAMING: dict[str, tuple[str, ...]] = {
    # {table}: the table's name; {columns}: key columns joined by "_"; *: one or more characters.
    "index": ("idx_{table}_*",),
    "unique": ("uq_{table}_*",),
    "primary_key": ("pk_{table}",),
    "foreign_key": ("fk_{table}_*",),
    "check": ("chk_{table}_*",),
}

# Nouns that are plural (or uncountable) without ending in "s".
DEFAULT_PLURALS = (
    "data metadata people children men women media criteria staff information equipment "
    "feedback inventory news series species software hardware music alumni indices matrices "
    "vertices analyses"
).split()


@dataclass(frozen=True, slots=True, kw_only=True)
class LintConfig:
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.error
    baseline: str | None = None
    naming: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_NAMING))
    plural_words: tuple[str, ...] = tuple(DEFAULT_PLURALS)
    max_indexes_per_table: int = 10
    max_identifier_length: int | None = None  # None: the dialect's limit
    audit_columns: tuple[str, ...] = ("created_at", "updated_at")
    updated_at_column: str = "updated_at"
    soft_delete_columns: tuple[str, ...] = ("deleted_at", "is_deleted")
    money_words: tuple[str, ...] = tuple(
        "price amount total cost balance fee salary wage payment tax subtotal".split()
    )
    secret_words: tuple[str, ...] = ("password", "passwd", "secret", "token", "api_key")
    pii_words: tuple[str, ...] = tuple(
        "ssn social_security credit_card card_number iban passport tax_id national_id".split()
    )
    repeated_group_min_columns: int = 3
    # Expected row counts: "schema.table" (or a bare table name, any schema) -> rows.
    volumes: dict[str, int] = field(default_factory=dict)
    # The server migrations are linted for ("16", "mariadb-10.11"), when --server-version and
    # --schema URL do not say.
    server_version: str | None = None

    def volume(self, schema: str, table: str) -> int | None:
        """The configured row count of ``schema.table`` (the qualified name wins)."""
        v = self.volumes.get(f"{schema}.{table}")
        return v if v is not None else self.volumes.get(table)


_LISTS = {
    "select",
    "ignore",
    "plural_words",
    "audit_columns",
    "soft_delete_columns",
    "money_words",
    "secret_words",
    "pii_words",
}
_INTS = {"max_indexes_per_table", "max_identifier_length", "repeated_group_min_columns"}


def read_severity(value: Any, where: str, file: str | None) -> Severity:
    """A severity named in the configuration at ``where`` (the health section reads its own with
    the same readers)."""
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(
            f"{where}: severity must be info, warning or error, not {value!r}", file=file
        ) from None


def read_strings(value: Any, where: str, file: str | None) -> tuple[str, ...]:
    """A list of strings (a lone string is a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: must be a list of strings", file=file)
    return tuple(value)


def read_count(value: Any, where: str, file: str | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{where}: must be a non-negative integer", file=file)
    return value


def _severities(value: Any, where: str, file: str | None) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a table of CODE = severity", file=file)
    return {c.upper(): read_severity(v, f"{where}.{c}", file) for c, v in value.items()}


def _naming(value: Any, where: str, file: str | None) -> dict[str, tuple[str, ...]]:
    """The naming patterns, each kind given replacing its default."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a table", file=file)
    naming = dict(DEFAULT_NAMING)
    for nk, nv in value.items():
        if nk not in DEFAULT_NAMING:
            raise ConfigError(
                f"{where}.{nk}: unknown; choose from {', '.join(DEFAULT_NAMING)}",
                file=file,
            )
        pats = [nv] if isinstance(nv, str) else nv
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise ConfigError(f"{where}.{nk}: must be a pattern or a list", file=file)
        naming[nk] = tuple(pats)
    return naming


def _volumes(value: Any, where: str, file: str | None) -> dict[str, int]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: must be a table of "schema.table" = rows', file=file)
    for name, rows in value.items():
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            raise ConfigError(f"{where}.{name}: must be a non-negative integer (rows)", file=file)
    return dict(value)


def _string(what: str) -> Callable[[Any, str, str | None], str]:
    """A parser of one string, which the error message calls ``what``."""

    def parse(value: Any, where: str, file: str | None) -> str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: must be {what}", file=file)
        return value

    return parse


# How each key of the section (each field of LintConfig) is read: (value, where, file) -> the
# field's value.
_PARSERS: dict[str, Callable[[Any, str, str | None], Any]] = {
    **dict.fromkeys(_LISTS, read_strings),
    **dict.fromkeys(_INTS, read_count),
    "severity": _severities,
    "fail_on": read_severity,
    "naming": _naming,
    "volumes": _volumes,
    "baseline": _string("a path"),
    "updated_at_column": _string("a column name"),
    "server_version": _string("a server version such as 16 or mariadb-10.11"),
}


def parse_config(data: dict[str, Any], *, file: str | None = None) -> LintConfig:
    """Validate a ``lint`` section (a plain dict from TOML) into a LintConfig."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        k = key.replace("-", "_")
        where = f"[tool.dbdesign.lint] {key}"
        if k not in _PARSERS:
            raise ConfigError(f"{where}: unknown key", file=file)
        changes[k] = _PARSERS[k](value, where, file)
    return replace(LintConfig(), **changes)
