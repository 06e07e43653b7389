"""Migration files: discovery, versions, checksums, headers and statements.

A migration is a pair of plain SQL files in one folder::

    0001_create_users.up.sql
    0001_create_users.down.sql

The version is the leading digits (sequential ``0001`` or a timestamp ``20240115093000``); versions
order as integers. The checksum is the sha256 of the up file's text after removing a UTF-8 BOM and
turning CRLF / CR line endings into LF, so a checkout on Windows does not look like a changed file
(Flyway's well-known complaint).

Header comments (``-- dbdesign: ...`` lines before the first statement) set per-file options::

    -- dbdesign: no-transaction
    -- dbdesign: lock_timeout=2s statement_timeout=10min
    -- dbdesign: foreign-keys-off

(``foreign-keys-off``: SQLite only; the runner turns ``PRAGMA foreign_keys`` off around the
file's transaction and runs ``PRAGMA foreign_key_check`` before COMMIT.)
(``-- dbdesign: ignore CODE`` is a migration-lint suppression, wherever it stands.)
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from dbdesign.errors import ConfigError, MigrationError
from dbdesign.readers.text import normalise_text, read_text_file

FILE_RE = re.compile(r"^(?P<version>\d+)_(?P<name>[A-Za-z0-9_\-]+)\.(?P<dir>up|down)\.sql$")
_HEADER_RE = re.compile(r"^\s*--\s*dbdesign:\s*(?P<body>.*?)\s*$", re.I)
_OPTION_RE = re.compile(r"^(lock_timeout|statement_timeout)=(\S+)$")
_TIMEOUT_RE = re.compile(r"^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$")
_FLAGS = ("no-transaction", "foreign-keys-off")
Versioning = Literal["sequential", "timestamp"]


def checksum(text: str) -> str:
    """sha256 (hex) of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class MigrationStatement:
    """One statement of a file: its text, the 1-based line where it starts, and why it cannot
    run inside a transaction block (``"CREATE INDEX CONCURRENTLY"``), if it cannot."""

    text: str
    line: int
    outside: str | None = None


def statements_checksum(
    statements: list[MigrationStatement] | tuple[MigrationStatement, ...],
) -> str:
    """sha256 (hex) of the statements' texts: what a no-transaction file had completed when it
    stopped, so ``repair --resume`` can tell whether the completed statements still read the
    same (comments and blank lines between statements do not count)."""
    h = hashlib.sha256()
    for s in statements:
        h.update(s.text.encode("utf-8") + b"\0")
    return h.hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Script:
    """One SQL file (the up or the down half of a migration)."""

    path: Path
    text: str  # normalised
    no_transaction: bool = False
    lock_timeout: str | None = None
    statement_timeout: str | None = None
    foreign_keys_off: int | None = None  # the line of ``-- dbdesign: foreign-keys-off``

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return self.path.name


def transactional(
    script: Script, statements: list[MigrationStatement] | tuple[MigrationStatement, ...]
) -> bool:
    """Whether a file runs in one transaction with its history row: no no-transaction header
    and no statement that cannot run in one (on MySQL: one that commits implicitly)."""
    return not script.no_transaction and not any(s.outside for s in statements)


@dataclass(frozen=True, slots=True, kw_only=True)
class Migration:
    version: str
    name: str
    up: Script
    down: Script | None = None
    key: int = field(default=0, compare=False)

    @property
    def label(self) -> str:
        return f"{self.version}_{self.name}"

    @property
    def checksum(self) -> str:
        return self.up.checksum


def version_key(version: str) -> int:
    return int(version)


def read_script(path: Path) -> Script:
    text = read_text_file(path, MigrationError)
    options: dict[str, str] = {}
    flags: dict[str, int] = {}  # no-transaction, foreign-keys-off: the line saying it
    for lineno, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            continue
        m = _HEADER_RE.match(line)
        if m is None:
            if stripped.startswith("--"):
                continue
            break  # the header ends at the first statement
        if m.group("body").lower().startswith("ignore"):
            continue  # a lint suppression (-- dbdesign: ignore CODE), not an option
        for word in m.group("body").split():
            if word.lower() in _FLAGS:
                flags.setdefault(word.lower(), lineno)
                continue
            om = _OPTION_RE.match(word)
            if om is None or not _TIMEOUT_RE.match(om.group(2)):
                raise MigrationError(
                    f"unknown header option {word!r} (expected no-transaction, "
                    "lock_timeout=<duration>, statement_timeout=<duration>); on SQLite also "
                    "foreign-keys-off",
                    file=str(path),
                    line=lineno,
                )
            options[om.group(1)] = om.group(2)
    return Script(
        path=path,
        text=text,
        no_transaction="no-transaction" in flags,
        lock_timeout=options.get("lock_timeout"),
        statement_timeout=options.get("statement_timeout"),
        foreign_keys_off=flags.get("foreign-keys-off"),
    )


def discover(folder: Path) -> list[Migration]:
    """All migrations in ``folder``, ordered by version. Stray ``.sql`` names are errors."""
    if not folder.is_dir():
        raise ConfigError(f"migrations folder {folder} does not exist (run `dbdesign migrate new`)")
    ups: dict[str, tuple[str, Path]] = {}
    downs: dict[str, tuple[str, Path]] = {}
    for p in sorted(folder.iterdir()):
        if not p.name.endswith(".sql"):
            continue
        m = FILE_RE.match(p.name)
        if m is None:
            raise MigrationError(
                "not a migration file name (expected NNNN_name.up.sql or NNNN_name.down.sql)",
                file=str(p),
            )
        target = ups if m.group("dir") == "up" else downs
        version = m.group("version")
        if version in target:
            raise MigrationError(
                f"version {version} is used twice: {target[version][1].name} and {p.name}",
                file=str(p),
            )
        target[version] = (m.group("name"), p)
    by_int: dict[int, str] = {}
    for v in ups:
        other = by_int.setdefault(version_key(v), v)
        if other != v:
            raise MigrationError(f"versions {other} and {v} are the same number", file=str(folder))
    for v, (_, p) in downs.items():
        if v not in ups:
            raise MigrationError("down file without an up file", file=str(p))
    out = []
    for v, (name, p) in ups.items():
        down = downs.get(v)
        if down is not None and down[0] != name:
            raise MigrationError(
                f"up and down files of version {v} have different names: {p.name}, {down[1].name}",
                file=str(down[1]),
            )
        out.append(
            Migration(
                version=v,
                name=name,
                up=read_script(p),
                down=read_script(down[1]) if down else None,
                key=version_key(v),
            )
        )
    out.sort(key=lambda m: m.key)
    return out


def new_migration(
    folder: Path,
    name: str,
    *,
    versioning: Versioning = "sequential",
    now: datetime | None = None,
    up_text: str | None = None,
    down_text: str | None = None,
) -> tuple[Path, Path]:
    """Create the next up/down pair (empty, or with the given texts); returns their paths."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise ConfigError(f"migration name {name!r}: use letters, digits, '_' and '-' only")
    folder.mkdir(parents=True, exist_ok=True)
    existing = discover(folder)
    if versioning == "timestamp":
        version = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
        if existing and existing[-1].key >= int(version):
            version = str(existing[-1].key + 1)
    else:
        width = max((len(m.version) for m in existing), default=4)
        version = str((existing[-1].key if existing else 0) + 1).zfill(width)
    up = folder / f"{version}_{name}.up.sql"
    down = folder / f"{version}_{name}.down.sql"
    up.write_text(up_text or f"-- {version}_{name}: up\n", encoding="utf-8")
    down.write_text(
        down_text or f"-- {version}_{name}: undo what the up file does\n", encoding="utf-8"
    )
    return up, down


# --------------------------------------------------------------------------- statements


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _skip_blank(text: str, start: int, end: int) -> int:
    """The offset of the first character after whitespace and comments in text[start:end]."""
    i = start
    while i < end:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i, end)
            i = end if j == -1 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2, end)
            i = end if j == -1 else j + 2
        else:
            break
    return i


def split_sqlite(script: Script) -> list[MigrationStatement]:
    """Split an SQLite script into statements (``sqlite3.complete_statement`` knows triggers)."""
    text = script.text
    out: list[MigrationStatement] = []
    start = 0
    pos = 0
    while True:
        j = text.find(";", pos)
        if j == -1:
            break
        chunk = text[start : j + 1]
        pos = j + 1
        if sqlite3.complete_statement(chunk):
            first = _skip_blank(text, start, j + 1)
            if first < j:
                out.append(MigrationStatement(text[first : j + 1], line_of(text, first)))
            start = j + 1
    first = _skip_blank(text, start, len(text))
    if first < len(text):
        out.append(MigrationStatement(text[first:], line_of(text, first)))
    return out
