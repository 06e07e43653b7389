"""Where the two sides of a diff come from: a DDL file, a folder of .sql files, a database
URL, or a migrations folder (``NNNN_name.up.sql`` files, see docs/migrate.md) whose up files are
replayed into a scratch database on a server and read back from its catalog."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from dbdesign import databases, dialects, readers
from dbdesign.errors import ConfigError, UnsupportedError
from dbdesign.migrate.files import FILE_RE
from dbdesign.migrate.history import TABLE as HISTORY_TABLE
from dbdesign.model import FrozenMap, Schema

__all__ = ["is_migrations_folder", "read_side", "replay", "without_history"]


def is_migrations_folder(path: Path) -> bool:
    """A folder whose .sql files are all migration files, with at least one up file."""
    if not path.is_dir():
        return False
    names = [p.name for p in path.iterdir() if p.name.endswith(".sql")]
    return (
        bool(names)
        and all(FILE_RE.match(n) for n in names)
        and any(n.endswith(".up.sql") for n in names)
    )


def without_history(schema: Schema) -> Schema:
    """The schema without the migration history table the runner keeps."""
    keys = [k for k in schema.tables if k.rsplit(".", 1)[-1] == HISTORY_TABLE]
    if not keys:
        return schema
    tables = FrozenMap({k: t for k, t in schema.tables.items() if k not in keys})
    return dataclasses.replace(schema, tables=tables)


def replay(folder: Path, url: str) -> Schema:
    """Apply every up file of ``folder`` to the (empty) database at ``url``; read it back.
    The database is a scratch one: the migrations' safety on a live one is not judged here."""
    from dbdesign.migrate.runner import Settings, migrate

    if any(FILE_RE.match(p.name) for p in folder.glob("*.sql")):
        migrate(url, Settings(dir=folder, unsafe_ok=True), direction="up")
    return without_history(postgres().read_catalog(url))


def connected_user(sources: Iterable[object]) -> str | None:
    """The role the first PostgreSQL URL among ``sources`` connects as (None: no URL). A file
    compared with that database is read as that role would load it: its grants to that role
    are the owner's own, which the catalog does not list."""
    for s in sources:
        if isinstance(s, str) and _postgres_url(s):
            with postgres().connect(s) as conn:
                row = conn.execute("SELECT current_user").fetchone()
            return str(row[0]) if row else None
    return None


def read_side(
    source: str, *, db: str | None = None, warn: object = None, owner: str | None = None
) -> Schema:
    """One side of a diff as a PostgreSQL schema model. A file is read as if ``owner`` loaded
    it (default: the DDL reader's, ``postgres``).

    A migrations folder is replayed into a scratch database on the server of ``db`` (default:
    ``$DBDESIGN_DATABASE_URL``, else the embedded PostgreSQL), which is dropped afterwards.
    """
    from dbdesign.redact import redact_url

    if readers.is_database_url(source):
        if not _postgres_url(source):
            raise UnsupportedError(
                f"{redact_url(source)}: dbdesign diff compares PostgreSQL schemas"
            )
        return postgres().read_catalog(source)
    path = Path(source)
    if not path.exists():
        raise ConfigError(f"{redact_url(source)}: no such file, folder or database URL")
    if is_migrations_folder(path):
        from dbdesign.engine import resolve_url

        with postgres().scratch(resolve_url(db)) as url:
            return replay(path, url)
    if owner is not None:
        from dbdesign.readers.ddl.postgres import read_path

        return read_path(path, warn=warn, owner=owner)  # type: ignore[arg-type]
    return readers.read(source, dialect="postgres", warn=warn)  # type: ignore[arg-type]


def postgres() -> databases.Database:
    """The adapter of the one dialect diff compares: PostgreSQL."""
    return databases.for_dialect("postgres")


def _postgres_url(source: str) -> bool:
    """Whether ``source`` is a PostgreSQL URL (the only kind of database diff compares)."""
    return dialects.for_url(source) is dialects.get("postgres")
