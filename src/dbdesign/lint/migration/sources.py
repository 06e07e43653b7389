"""Migration files to lint: discovery, order, and how each runner wraps a file in a transaction.

A path is a file, a folder, or ``-`` (standard input: ``alembic upgrade --sql`` or
``manage.py sqlmigrate`` output piped in). A folder's files are recognised by name:

========================  ===========================================  =======================
layout                    names                                        transaction per file
========================  ===========================================  =======================
dbdesign, golang-migrate  ``NNNN_name.up.sql`` (``.down.sql`` skipped)  dbdesign: yes unless the
                                                                       header says
                                                                       ``-- dbdesign:
                                                                       no-transaction``;
                                                                       golang-migrate: the file
                                                                       is one multi-statement
                                                                       query, which PostgreSQL
                                                                       runs as one implicit
                                                                       transaction
Flyway                    ``V1__name.sql``, ``V1_2__name.sql``,         yes, unless the script
                          then repeatable ``R__name.sql``               config says
                                                                       ``executeInTransaction=
                                                                       false``
dbmate                    ``20240101120000_name.sql`` with              yes, unless
                          ``-- migrate:up`` / ``-- migrate:down``       ``-- migrate:up
                          sections (the down part is skipped)          transaction:false``
Prisma Migrate            ``20240101120000_name/migration.sql``, a     the file is one multi-
                          folder a migration                          statement query: one
                                                                       implicit transaction
                                                                       when it holds more than
                                                                       one statement
Atlas                     ``20240101120000_name.sql`` beside           yes (``--tx-mode file``,
                          ``atlas.sum``                                 Atlas's default), unless
                                                                       the file says ``--
                                                                       atlas:txmode none``
drizzle-kit               ``0000_name.sql`` beside ``meta/_journal``    yes: the migrator runs
                          ``.json``                                    every pending file in
                                                                       one transaction
Liquibase formatted SQL   a file starting ``--liquibase formatted        each changeset in its
                          sql``, ``--changeset author:id`` parts        own transaction, unless
                                                                       it says
                                                                       ``runInTransaction:
                                                                       false``
sqitch                    ``deploy/change.sql``, in ``sqitch.plan``'s   only what the text says
                          order                                        (its BEGIN ... COMMIT)
Ory popx (Kratos, Hydra,  ``VERSION_name[.DB][.autocommit].up.sql``;   yes, unless the name
Keto)                     per version the file for the linted          says ``.autocommit``
                          database (``.postgres.``, ``.mysql.``,
                          ``.sqlite3.``) wins over the generic one,
                          files for other databases are skipped
goose, sql-migrate        ``00001_name.sql`` with ``-- +goose Up`` /   yes, unless ``-- +goose
                          ``-- +goose Down`` (``-- +migrate Up`` ...)  NO TRANSACTION`` (``--
                          sections (the down part is skipped)          +migrate Up
                                                                       notransaction``)
sqlx                      ``VERSION_name.sql`` in ``migrations/``      yes, unless the file
                          beside ``Cargo.toml``                        starts ``--
                                                                       no-transaction``
diesel                    ``VERSION_name/up.sql``, a folder a          yes, unless its
                          migration (version: the name to its first    ``metadata.toml`` says
                          ``_``, dashes dropped, compared as text)     ``run_in_transaction =
                                                                       false``
tern                      ``001_name.sql``, the down part below        yes, unless ``---- tern:
                          ``---- create above / drop below ----``      disable-tx ----``
any other ``.sql``        name order (numbers compared as numbers)     only what the text says
                                                                       (BEGIN ... COMMIT)
========================  ===========================================  =======================

``--assume-in-transaction`` / ``--no-assume-in-transaction`` override every file's convention.
Text outside the linted part (a dbmate, goose, sql-migrate or tern down section, a Liquibase
file's other changesets) is blanked, never removed, so every finding keeps the file's own line
and column.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from dbdesign.errors import ConfigError
from dbdesign.readers.text import normalise_text, read_text_file

UP_DOWN = re.compile(r"^(?P<v>\d+)_[^/]*\.(?P<dir>up|down)\.sql$")
FLYWAY = re.compile(r"^(?:V(?P<v>\d+(?:[._]\d+)*)|(?P<r>R))__.+\.sql$", re.I)
DBMATE = re.compile(r"^--\s*migrate:(?P<part>up|down)\b(?P<opts>[^\n]*)$", re.M)
_NO_TX_HEADER = re.compile(r"^\s*--\s*dbdesign:[^\n]*\bno-transaction\b", re.I | re.M)
_FLYWAY_NO_TX = re.compile(r"executeInTransaction\s*=\s*false", re.I)
_NUMBERS = re.compile(r"(\d+)")
_VERSIONED = re.compile(r"^\d+_.+\.sql$")  # sqlx's VERSION_description.sql
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][\w.:-]*)\}")
_LIQUIBASE = re.compile(r"\A\s*--\s*liquibase\s+formatted\s+sql\b", re.I)
_CHANGESET = re.compile(r"^--\s*changeset\s+\S+(?P<attrs>[^\n]*)$", re.I | re.M)
PRISMA = "migration.sql"
ATLAS_SUM = "atlas.sum"  # Atlas's checksum file marks its migration folders
DRIZZLE_JOURNAL = Path("meta", "_journal.json")  # and drizzle-kit's journal its folders
SQITCH_PLAN = "sqitch.plan"  # beside sqitch's deploy/ folder: the order changes deploy in
_ATLAS_NO_TX = re.compile(r"^\s*--\s*atlas:txmode\s+none\b", re.I | re.M)
# goose's and sql-migrate's annotations: "-- +goose Up", "-- +migrate Down", "-- +goose NO
# TRANSACTION", "-- +migrate Up notransaction", "-- +goose StatementEnd" ...
ANNOTATION = re.compile(
    r"^--\s*\+(?P<tool>goose|migrate)\s+(?P<word>\w+)(?P<rest>[^\n]*)$", re.I | re.M
)
_STATEMENT_END = re.compile(r"^--\s*\+(?:goose|migrate)\s+statementend\b[^\n]*$", re.I | re.M)
# tern: the up part above this line, the down part below; and its opt-out of the transaction
TERN_SPLIT = re.compile(r"^---- create above / drop below ----[ \t]*$", re.M)
_TERN_NO_TX = re.compile(r"^---- tern: disable-tx ----$", re.M)
SQLX_NO_TX = "-- no-transaction"  # sqlx: a file starting so runs outside a transaction
CARGO = "Cargo.toml"  # sqlx's and diesel's migrations/ folder sits beside the crate's manifest
DIESEL = "up.sql"  # diesel: VERSION_name/up.sql (and down.sql), a folder a migration
DIESEL_METADATA = "metadata.toml"  # beside it: run_in_transaction = false
# Ory's popx: VERSION_name[.DB][.autocommit].(up|down).sql, the name without dots
POPX = re.compile(
    r"^(?P<v>\d+)_[^.]+(?:\.(?P<db>[a-z0-9]+))?(?P<ac>\.autocommit)?\.(?:up|down)\.sql$"
)
# Ory splits one migration into files VERSION000000_name, VERSION000001_name ...: a 14-digit
# timestamp and a 6-digit part number
_POPX_SPLIT = re.compile(r"^(\d{14})\d{6}_([^.]+)\.")
# The popx database tags of each dialect's files (other tags: other databases' files)
POPX_TAGS: dict[str, frozenset[str]] = {
    "postgres": frozenset({"postgres"}),
    "mysql": frozenset({"mysql"}),
    "sqlite": frozenset({"sqlite3", "sqlite"}),
}


@dataclass(frozen=True, slots=True)
class MigrationFile:
    """One migration's SQL to lint.

    ``wrapped``: the runner wraps the whole file in one transaction (None: it does not, and
    only BEGIN/COMMIT in the text make transactions). ``runner`` names the convention that was
    recognised, for messages. ``popx``: an Ory popx file's version and database tag ("" for
    the generic file), for :func:`for_dialect`. ``multi_statement``: the runner sends the
    file as one query (Prisma), so a lone statement runs outside any transaction.
    """

    path: str
    text: str
    runner: str
    wrapped: bool
    popx: tuple[str, str] | None = None
    # The file's own text where ``text`` is one part of it (a Liquibase changeset) or has its
    # placeholders replaced: its suppression comments are read from it
    whole: str | None = None
    # The runner sends the file as one multi-statement query: PostgreSQL runs it as one
    # implicit transaction only when it holds more than one statement.
    multi_statement: bool = False
    # One migration the project split into consecutive files (Ory's parts of a version):
    # they deploy together, so what an earlier part made is new to the later ones.
    group: str | None = None

    @property
    def display(self) -> str:
        return "<stdin>" if self.path == "-" else self.path


def natural_key(name: str) -> tuple[object, ...]:
    """``V2__a`` before ``V10__a``; numbers compare as numbers."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in _NUMBERS.split(name))


def _dbmate(text: str) -> tuple[str, str, bool] | None:
    """The up section of a dbmate file (other lines blanked), the runner and whether it runs
    in a transaction; None when the text has no ``-- migrate:up`` marker."""
    marks = list(DBMATE.finditer(text))
    ups = [m for m in marks if m.group("part") == "up"]
    if not ups:
        return None
    up = ups[0]
    end = next((m.start() for m in marks if m.start() > up.start()), len(text))
    kept = text[up.end() : end]
    blank_before = _blank(text[: up.end()])
    blank_after = _blank(text[end:])
    wrapped = "transaction:false" not in up.group("opts").replace(" ", "").lower()
    return blank_before + kept + blank_after, "dbmate", wrapped


def _tern(text: str) -> tuple[str, str, bool] | None:
    """The part of a tern file above its ``---- create above / drop below ----`` line (the
    rest blanked), the runner and whether it runs in a transaction; None for other files."""
    split = TERN_SPLIT.search(text)
    no_tx = _TERN_NO_TX.search(text) is not None
    if split is None and not no_tx:
        return None
    end = split.start() if split is not None else len(text)
    return text[:end] + _blank(text[end:]), "tern", not no_tx


def _annotated(text: str) -> tuple[str, str, bool] | None:
    """The up section of a goose or sql-migrate file (other lines blanked), the runner and
    whether it runs in a transaction; None without a ``-- +goose Up`` / ``-- +migrate Up``
    annotation. A ``StatementEnd`` annotation ends a statement even without a semicolon (the
    runner sends the block as it is): it is read as one. goose's ``NO TRANSACTION`` holds
    for the whole file; sql-migrate's ``notransaction`` follows ``Up``. goose's ``ENVSUB ON``
    ``${VAR}`` read as :func:`placeholders` do."""
    marks = list(ANNOTATION.finditer(text))
    up = next((m for m in marks if m.group("word").lower() == "up"), None)
    if up is None:
        return None
    end = next(
        (m.start() for m in marks if m.start() > up.start() and m.group("word").lower() == "down"),
        len(text),
    )
    kept = _STATEMENT_END.sub(lambda m: ";" + " " * (len(m.group(0)) - 1), text[up.end() : end])
    words = {(m.group("word").lower(), m.group("rest").strip().lower()) for m in marks}
    if up.group("tool").lower() == "goose":
        wrapped = ("no", "transaction") not in words
        if ("envsub", "on") in words:
            kept = placeholders(kept)
        runner = "goose"
    else:
        wrapped = "notransaction" not in up.group("rest").lower()
        runner = "sql-migrate"
    return _blank(text[: up.end()]) + kept + _blank(text[end:]), runner, wrapped


def _diesel(path: Path) -> bool:
    """Whether diesel runs ``VERSION_name/up.sql`` in a transaction (its default), from the
    migration's ``metadata.toml``."""
    meta = path.with_name(DIESEL_METADATA)
    try:
        settings = tomllib.loads(read_text_file(meta)) if meta.is_file() else {}
    except tomllib.TOMLDecodeError:
        settings = {}  # diesel reads a metadata.toml it cannot parse as none
    return settings.get("run_in_transaction", True) is not False


def placeholders(text: str) -> str:
    """Flyway's and Liquibase's ``${name}`` placeholders made identifiers of the same length
    (``${flyway:defaultSchema}`` -> ``_flyway_defaultSchema__``), so the statements parse
    and every position stays the file's; the value they stand for is not known here."""
    return _PLACEHOLDER.sub(lambda m: "_" + re.sub(r"\W", "_", m.group(1)) + "__", text)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _liquibase(path: Path, text: str) -> list[MigrationFile] | None:
    """A Liquibase formatted-SQL file as its changesets, each with the rest of the file
    blanked and its own transaction unless ``runInTransaction:false``; None for other
    files."""
    if not _LIQUIBASE.match(text):
        return None
    marks = list(_CHANGESET.finditer(text))
    out = []
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        part = _blank(text[: m.start()]) + text[m.start() : end] + _blank(text[end:])
        wrapped = "runintransaction:false" not in m.group("attrs").replace(" ", "").lower()
        out.append(MigrationFile(str(path), placeholders(part), "liquibase", wrapped, whole=text))
    return out


def classify(path: Path, text: str) -> MigrationFile:
    """The runner convention of one file, from its name and text."""
    name = path.name
    if name == PRISMA:
        return MigrationFile(str(path), text, "prisma", True, multi_statement=True)
    x = POPX.match(name)
    if x and (x.group("db") or x.group("ac")):
        tag = "" if x.group("db") in (None, "autocommit") else x.group("db")
        no_tx = bool(x.group("ac")) or x.group("db") == "autocommit"
        return MigrationFile(str(path), text, "popx", not no_tx, (x.group("v"), tag))
    if name == DIESEL:
        return MigrationFile(str(path), text, "diesel", _diesel(path))
    if text.startswith(SQLX_NO_TX):
        return MigrationFile(str(path), text, "sqlx", False)
    m = UP_DOWN.match(name)
    if m:
        if _NO_TX_HEADER.search(text):
            return MigrationFile(str(path), text, "dbdesign", False)
        return MigrationFile(str(path), text, "dbdesign/golang-migrate", True)
    if FLYWAY.match(name):
        conf = path.with_name(name + ".conf")
        settings = read_text_file(conf) if conf.is_file() else text[:2000]
        wrapped = not _FLYWAY_NO_TX.search(settings)
        return MigrationFile(str(path), placeholders(text), "flyway", wrapped, whole=text)
    sections = _dbmate(text) or _annotated(text) or _tern(text)
    if sections is not None:
        return MigrationFile(str(path), *sections)
    if (path.parent / DRIZZLE_JOURNAL).is_file():
        return MigrationFile(str(path), text, "drizzle", True)
    if path.with_name(ATLAS_SUM).is_file():
        return MigrationFile(str(path), text, "atlas", not _ATLAS_NO_TX.search(text[:2000]))
    if _VERSIONED.match(name) and (path.parent.parent / CARGO).is_file():
        return MigrationFile(str(path), text, "sqlx", True)
    return MigrationFile(str(path), text, "plain", False)


def _folder_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir() if p.is_file() and p.name.endswith(".sql")]
    # Prisma Migrate: a folder a migration, run in the folders' name order
    files += [p / PRISMA for p in folder.iterdir() if (p / PRISMA).is_file()]
    # diesel: a folder a migration too, in the order of their versions (the name up to its
    # first "_", without dashes, compared as text); the .sql files beside them are not run
    diesel = [p / DIESEL for p in folder.iterdir() if (p / DIESEL).is_file()]
    if diesel:
        return sorted(diesel, key=lambda p: p.parent.name.split("_")[0].replace("-", ""))
    out = []
    for p in files:
        m = UP_DOWN.match(p.name)
        if m is not None and m.group("dir") == "down":
            continue
        out.append(p)

    plan = _sqitch_order(folder)

    def order(p: Path) -> tuple[object, ...]:
        if plan:
            return (plan.get(p.stem, len(plan)), natural_key(p.name))
        if p.name == PRISMA:
            return (0, natural_key(p.parent.name))
        fm = FLYWAY.match(p.name)
        if fm is not None:  # versioned first (by version), repeatable after (by name)
            return (1, natural_key(p.name)) if fm.group("r") else (0, natural_key(p.name))
        return (0, natural_key(p.name))

    return sorted(out, key=order)


def _sqitch_order(folder: Path) -> dict[str, int]:
    """For sqitch's ``deploy/`` folder, each change's place in ``sqitch.plan`` (a change
    line starts with its name; pragmas ``%``, tags ``@`` and comments ``#`` are skipped)."""
    plan = folder.parent / SQITCH_PLAN
    if folder.name != "deploy" or not plan.is_file():
        return {}
    out: dict[str, int] = {}
    for line in read_text_file(plan).splitlines():
        word = line.split(maxsplit=1)[0] if line.strip() else ""
        if word and word[0] not in "%@#":
            out.setdefault(word, len(out))
    return out


def collect(paths: list[str], stdin: str | None = None) -> list[MigrationFile]:
    """The migration files named by ``paths``, in the order they run. ``-`` reads ``stdin``
    (or the process's standard input)."""
    if not paths:
        raise ConfigError("lint --migrations: give a file, a folder or - (standard input)")
    out: list[MigrationFile] = []
    for raw in paths:
        if raw == "-":
            text = stdin if stdin is not None else sys.stdin.read()
            out.append(MigrationFile("-", normalise_text(text), "stdin", False))
            continue
        p = Path(raw)
        if p.is_dir():
            found = _folder_files(p)
            if not found:
                raise ConfigError(
                    f"{raw}: no migrations here (.sql files, or Prisma's NAME/{PRISMA})"
                )
            for f in found:
                out.extend(_migrations(f, read_text_file(f)))
        elif p.is_file():
            out.extend(_migrations(p, read_text_file(p)))
        else:
            raise ConfigError(f"no such file or folder: {raw}")
    return out


# What makes each runner run a file outside a transaction: dbmate's up-section marker,
# Flyway's script config (a ``-- flyway:`` comment or V<n>__name.sql.conf), dbdesign's header,
# Atlas's file directive, Liquibase's changeset attribute; Prisma sends a file of one statement
# as it is; popx reads it from the file's name; drizzle's migrator has no way.
_OUTSIDE_TRANSACTION = {
    "dbdesign": "-- dbdesign: no-transaction",
    "dbmate": "-- migrate:up transaction:false",
    "flyway": "-- flyway:executeInTransaction=false",
    "prisma": "-- a migration of its own holding only this statement (Prisma sends it alone)",
    "popx": "-- a file of its own named VERSION_name.postgres.autocommit.up.sql",
    "atlas": "-- atlas:txmode none",
    "drizzle": "-- outside drizzle's migrator, which runs every pending file in one transaction",
    "liquibase": "--changeset author:id runInTransaction:false",
    "goose": "-- +goose NO TRANSACTION",
    "sql-migrate": "-- +migrate Up notransaction",
    "sqlx": "-- no-transaction  (the file's very first characters)",
    "diesel": "-- in the migration's metadata.toml: run_in_transaction = false",
    "tern": "---- tern: disable-tx ----",
}


# diesel-guard's acknowledgement: the statements between these lines were checked by a person
_ASSURED = re.compile(r"^[ \t]*--[ \t]*safety-assured:(start|end)\b", re.I | re.M)


def assured_blocks(text: str) -> list[tuple[int, int]]:
    """The line spans (start, end markers' lines) of the ``-- safety-assured:start`` ...
    ``-- safety-assured:end`` blocks in a migration's text (diesel-guard's way to say a
    person checked the statements inside); a start without its end counts for nothing."""
    out, start = [], None
    for m in _ASSURED.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1).lower() == "start":
            start = line
        elif start is not None:
            out.append((start, line))
            start = None
    return out


def no_transaction_header(runner: str) -> str:
    """The first line of a migration ``runner`` runs outside a transaction."""
    return _OUTSIDE_TRANSACTION.get(runner, _OUTSIDE_TRANSACTION["dbdesign"])


def _migrations(path: Path, text: str) -> list[MigrationFile]:
    """What a file holds: its Liquibase changesets, else the file as one migration."""
    return _liquibase(path, text) or [classify(path, text)]


def for_dialect(files: list[MigrationFile], dialect: str) -> list[MigrationFile]:
    """``files`` as popx runs them on ``dialect``: where popx files are among them, each
    version's file for the dialect, else its generic one (its plain ``VERSION_name.up.sql``
    too); the other databases' files dropped. Other layouts are kept as they are."""
    if not any(f.popx for f in files):
        return files
    tags = POPX_TAGS.get(dialect, frozenset())

    def version(f: MigrationFile) -> str | None:
        if f.popx:
            return f.popx[0]
        m = UP_DOWN.match(Path(f.path).name)
        return m.group("v") if m else None

    own = {f.popx[0] for f in files if f.popx and f.popx[1] in tags}
    out = []
    for f in files:
        v = version(f)
        tag = f.popx[1] if f.popx else ""
        if v is None:
            out.append(f)
        elif tag in tags or (not tag and v not in own):
            split = _POPX_SPLIT.match(Path(f.path).name)
            group = f"{split.group(1)}_{split.group(2)}" if split else None
            out.append(replace(f, runner="popx", popx=(v, tag), group=group))
    return out


def changed_since(rev: str, files: list[MigrationFile]) -> tuple[set[str], set[str]]:
    """The paths of ``files`` added or changed since git revision ``rev``, and of those
    added (both with the new files git does not track yet): the others are still read, as
    the schema the changed ones apply to, but not reported on; the added ones are new."""
    try:
        res = subprocess.run(
            ["git", "diff", "--name-status", "--diff-filter=AMR", "-z", rev, "--", "."],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        new = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "-z", "--", "."],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    except FileNotFoundError:
        raise ConfigError("--changed-since needs git on PATH") from None
    except subprocess.CalledProcessError as e:
        raise ConfigError(f"--changed-since {rev}: {e.stderr.strip() or 'git failed'}") from None
    # git prints paths relative to the top of the work tree (diff) and to "." (ls-files);
    # --name-status -z: a status, then its path (two for a rename: the old and the new).
    top = Path(
        subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, timeout=60
        ).stdout.strip()
    )
    changed, added = set(), set()
    fields = iter(res.stdout.split("\0"))
    for status in fields:
        if not status:
            continue
        path = next(fields, "")
        if status.startswith("R"):
            path = next(fields, "")
        changed.add((top / path).resolve())
        if status == "A":
            added.add((top / path).resolve())
    untracked = {Path(n).resolve() for n in new.stdout.split("\0") if n}
    changed |= untracked
    added |= untracked
    on_disk = {f.path: Path(f.path).resolve() for f in files if f.path != "-"}
    return (
        {f for f, r in on_disk.items() if r in changed},
        {f for f, r in on_disk.items() if r in added},
    )
