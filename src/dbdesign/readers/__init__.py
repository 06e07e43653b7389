"""Reading a schema from wherever it is: a .sql file, a folder of them, a database URL or a
SQLite database file.

:func:`read` finds the dialect (the URL's scheme, the file's header, or the DDL's telltale
tokens: :func:`detect_dialect`) and hands the source to that dialect's reader. The readers of
each dialect are listed in :data:`CATALOG_READERS` (a live database) and :data:`DDL_READERS`
(DDL text); a dialect registered elsewhere adds its own entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from dbdesign import dialects
from dbdesign.errors import ConfigError, Diagnostic, ParseError, UnsupportedError
from dbdesign.model import Schema
from dbdesign.redact import redact_url

Warn = Callable[[Diagnostic], None]
Progress = Callable[[int, int], None]


def _postgres_catalog(source: str) -> Schema:
    from dbdesign.readers.catalog.postgres import read_catalog

    return read_catalog(source)


def _mysql_catalog(source: str) -> Schema:
    from dbdesign.readers.catalog.mysql import read_catalog

    return read_catalog(source)


def _sqlite_catalog(source: str) -> Schema:
    from dbdesign.readers.catalog.sqlite import read_catalog

    return read_catalog(str(local_path(source)))


def _postgres_ddl(path: Path, warn: Warn | None, progress: Progress | None) -> Schema:
    from dbdesign.readers.ddl.postgres import read_path

    return read_path(path, warn=warn, progress=progress)


def _mysql_ddl(path: Path, warn: Warn | None, progress: Progress | None) -> Schema:
    from dbdesign.readers.ddl.mysql import read_path

    return read_path(path, warn=warn)


def _sqlite_ddl(path: Path, warn: Warn | None, progress: Progress | None) -> Schema:
    from dbdesign.readers.ddl.sqlite import read_ddl

    files = sorted(path.glob("*.sql")) if path.is_dir() else [path]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files)
    return read_ddl(text, file=str(path), warn=warn)


# dialect name -> reader of a live database (given the URL, or a database file's path)
CATALOG_READERS: dict[str, Callable[[str], Schema]] = {
    "postgres": _postgres_catalog,
    "mysql": _mysql_catalog,
    "sqlite": _sqlite_catalog,
}
# dialect name -> reader of a DDL file or folder
DDL_READERS: dict[str, Callable[[Path, Warn | None, Progress | None], Schema]] = {
    "postgres": _postgres_ddl,
    "mysql": _mysql_ddl,
    "sqlite": _sqlite_ddl,
}


def is_database_url(source: str) -> bool:
    return dialects.for_url(source) is not None


def database_file_dialect(path: Path) -> dialects.Dialect | None:
    """The dialect whose database files begin as ``path`` does (a SQLite file), or None."""
    magic = [d for d in dialects.known() if d.file_magic]
    if not magic:
        return None
    try:
        with path.open("rb") as f:
            head = f.read(max(len(d.file_magic or b"") for d in magic))
    except OSError:
        return None
    return next((d for d in magic if d.file_magic and head.startswith(d.file_magic)), None)


def is_database(source: str) -> bool:
    """A live database: a URL, or a database file."""
    return is_database_url(source) or database_file_dialect(Path(source)) is not None


def local_path(source: str) -> Path:
    """The file of a database given as a file URL (``sqlite:///app.db``) or as a path."""
    d = dialects.for_url(source)
    return Path(d.url_path(source)) if d is not None else Path(source)


def detect_dialect(source: str) -> str:
    """The dialect of a source: from a URL's scheme, a database file's header, or DDL text."""
    d = dialects.for_url(source)
    if d is not None:
        return d.name
    path = Path(source)
    d = database_file_dialect(path) if path.is_file() else None
    if d is not None:
        return d.name
    files = sorted(path.glob("*.sql")) if path.is_dir() else [path]
    sample = ""
    for f in files[:20]:
        try:
            with f.open(encoding="utf-8", errors="replace") as fh:
                sample += fh.read(200_000)
        except OSError as e:
            raise ParseError(f"cannot read: {e.strerror}", file=str(f)) from None
    return detect_text_dialect(sample)


# String literals, quoted identifiers and comments carry no signal (a backtick or "ENGINE=" in a
# PostgreSQL comment is not MySQL). A dollar-quoted body is kept as "$$", itself a signal.
_NOT_CODE = re.compile(
    r"'(?:[^'\\]|''|\\.)*'|\"(?:[^\"\\]|\"\"|\\.)*\"|--[^\n]*|#[^\n]*|/\*.*?\*/"
    r"|(\$[A-Za-z_]*\$).*?\1",
    re.S,
)


def detect_text_dialect(text: str) -> str:
    """The dialect whose telltale tokens (``Dialect.text_signals``) occur most often outside
    strings and comments; the first registered one when none occurs."""
    code = _NOT_CODE.sub(lambda m: " $$ " if m.group(1) else " ", text)
    known = dialects.known()
    scores = {d.name: len(d.text_signals.findall(code)) for d in known if d.text_signals}
    best = max(scores, key=lambda d: scores[d], default=known[0].name)
    return best if scores.get(best) else known[0].name


def read(
    source: str,
    *,
    dialect: str | None = None,
    warn: Warn | None = None,
    progress: Progress | None = None,
) -> Schema:
    """Read a schema from a .sql file, a folder of .sql files or a database URL/file.
    ``dialect`` says what DDL files hold (detected when omitted). ``progress(done, total)``
    hears how many bytes of PostgreSQL DDL have been read."""
    told = dialects.get(dialect) if dialect is not None else None
    d = dialects.for_url(source)
    path = Path()
    if d is None or d.file_magic:  # a file, a folder, or a file database's URL
        path = local_path(source)
        if not path.exists():
            raise ConfigError(f"{redact_url(source)}: no such file, folder or database URL")
        if d is None and path.is_file():
            d = database_file_dialect(path)
    if d is not None:
        catalog = CATALOG_READERS.get(d.name)
        if catalog is None:
            raise UnsupportedError(f"reading a {d.title} database is not supported yet")
        return catalog(source)
    d = told or dialects.get(detect_dialect(source))
    ddl = DDL_READERS.get(d.name)
    if ddl is None:
        raise UnsupportedError(f"{redact_url(source)}: reading {d.title} DDL is not supported yet")
    return ddl(path, warn, progress)


__all__ = [
    "CATALOG_READERS",
    "DDL_READERS",
    "database_file_dialect",
    "detect_dialect",
    "detect_text_dialect",
    "is_database",
    "is_database_url",
    "local_path",
    "read",
]
