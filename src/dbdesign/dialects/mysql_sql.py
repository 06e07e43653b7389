"""MySQL's spelling of the single statements :class:`~dbdesign.dialects.Dialect` writes.

The ``Dialect`` methods that write a statement (``rename_sql``, ``drop_constraint_sql``,
``comment_sql``) have PostgreSQL's (the SQL standard's) spelling in the base class; MySQL
(and MariaDB) spell several differently, and these functions are ``MySQLDialect``'s methods
(bound in dialects/mysql.py; ``d`` is the dialect, which quotes). Kept apart so that
dialects/mysql.py stays within its size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbdesign.dialects import Dialect

# How ALTER TABLE drops a constraint of each kind; MySQL 8.0.19+ and MariaDB 10.2+ also take
# DROP CONSTRAINT for a CHECK (MySQL's own DROP CHECK is not MariaDB's).
_DROP = {
    "primary_key": "DROP PRIMARY KEY",
    "foreign_key": "DROP FOREIGN KEY {name}",
    "unique": "DROP INDEX {name}",
    "check": "DROP CONSTRAINT {name}",
}


def is_default_key_name(d: Dialect, name: str, columns: Sequence[str]) -> bool:
    """An index or unique key declared without a name is named after its first column,
    then ``_2``, ``_3`` ... (see ``unique_key_name``)."""
    return bool(columns) and (
        re.fullmatch(re.escape(columns[0].lower()) + r"(_\d+)?", name.lower()) is not None
    )


def rename_sql(d: Dialect, kind: str, schema: str, table: str, name: str, new: str) -> str | None:
    """Indexes and unique keys are renamed through their table; other keys are not renamed
    (a primary key is always ``PRIMARY``; a foreign key or check is dropped and added)."""
    if kind not in ("index", "unique"):
        return None
    return (
        f"ALTER TABLE {d.qualified(schema, table)} RENAME INDEX {d.quote_ident(name)} "
        f"TO {d.quote_ident(new)};"
    )


def drop_constraint_sql(d: Dialect, kind: str, schema: str, table: str, name: str) -> str | None:
    """Each kind of key is dropped by its own words (``_DROP``)."""
    clause = _DROP[kind].format(name=d.quote_ident(name))
    return f"ALTER TABLE {d.qualified(schema, table)} {clause};"


def comment_sql(
    d: Dialect, text: str, schema: str, table: str, column: str | None = None
) -> str | None:
    """A table's comment is a table option; a column's is part of the column's definition,
    which only a statement restating the whole column (MODIFY) can change: None."""
    if column is not None:
        return None
    return f"ALTER TABLE {d.qualified(schema, table)} COMMENT = {d.quote_string(text)};"


__all__ = ["comment_sql", "drop_constraint_sql", "is_default_key_name", "rename_sql"]
