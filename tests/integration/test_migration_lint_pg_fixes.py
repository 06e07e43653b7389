"""Every PostgreSQL migration-lint fix (``Finding.fix_hint``, "the safe rewrite as concrete SQL")
is real: its own rule does not flag it, and it runs on a real server.

For every failing case of tests/lint_cases/MIG0*.yaml (PostgreSQL), the case is linted as
tests/unit/lint/test_rule_cases.py does, and each finding of the case's rule gives a fix, read
as a sequence of *parts*, each one migration:

- a comment saying a later / next migration, a migration of its own, one short transaction,
  each batch its own transaction, backfill in batches, or a bare ``-- then:`` starts a part;
  a part runs in autocommit when its runner's header heads it (``-- dbdesign: no-transaction``,
  dbmate's ``-- migrate:up transaction:false``, ``-- flyway:executeInTransaction=false``) or
  its marker says no-transaction / each batch / in batches, else in one transaction;
- a comment whose text (or the text after ``then:``) is SQL (``-- UPDATE t SET ...``,
  ``-- then: SELECT setval(...)``) is a *step* the reader is told to run: it is run, with the
  batch placeholder ``<key> BETWEEN <lo> AND <hi>`` left out (one batch covers the few rows);
  a step still holding a placeholder (``<partition>``, ``...``) is a template and is not run;
- other comments are prose; ``<value>``-style placeholders in SQL are filled from :data:`FILL`;
- a fix that is only ``BEGIN;`` / ``COMMIT;`` with "where the transaction should start" / "at
  the end of the file" is an edit: it is applied to the case's migration, which is then the fix.

(a) Self-consistency (no server): the statements of the case's migration before the flagged one
(``prefix``, transaction control left out) are one migration file, each part of the fix the next
ones (named after the case's runner: dbdesign ``NNNN_x.up.sql``, Flyway, dbmate, plain), linted
with the case's schema and server version: the case's rule must not fire on the fix's files.

(b) On the embedded PostgreSQL 16 and ``$DBDESIGN_TEST_PG_URL`` (15), one database each, cleared
between fixes: first the case's schema (+ :data:`SUPPLEMENT`, the objects a case names but never
defines) gets the case's statements up to the flagged one (autocommit, transaction control left
out) and rows from ``dbdesign.datagen`` for *that* end state, so the rows satisfy what the
statement asks (no NULL where it sets NOT NULL, keys that exist where it adds a foreign key ...).
Then the database is rebuilt as the case's schema, those rows are copied in (datagen rows for
the schema itself when they do not fit: a renamed table or column, an enum value added later, a
detached partition's bound), the prefix runs, then every part of the fix, in one transaction or
in autocommit; each statement must succeed. Afterwards no constraint is NOT VALID and no index
invalid that was not before, and (but for :data:`OTHER_END` rules, whose fix ends elsewhere by
design, and for a case with several findings, where each fix does one clause) every table the
original leaves has the same columns (name, type, NOT NULL, identity, generated), constraints
(definition, validated; names aside), indexes (definition, valid; names aside) and persistence.
A case whose schema needs an extension the server lacks (btree_gist on the embedded server:
MIG011[0]) is not run there.

Prose-only fixes (no SQL to run; counted, not run): MIG005[2] (PostgreSQL 11 has no scan-free
SET NOT NULL: "keep a validated CHECK instead"), MIG024[0] (remove BEGIN/COMMIT or add the
no-transaction header: an edit described in words), MIG026[0] ("remove this COMMIT").
Not run on a server (:data:`SKIP`, counted; a floor of 80 % of the other fixes must run):
MIG009[2] (SET EXPRESSION is PostgreSQL 17; the servers are 16 and 15).

Fixes found broken are listed in :data:`BROKEN` (the reason says ``lint:`` for (a), ``server:``
for (b)); the tests require them to be still broken, so a repaired one must leave the list.
"""

from __future__ import annotations

import re
import tempfile
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from pglast import parser
from psycopg import sql

from dbdesign import datagen
from dbdesign.engine import connect
from dbdesign.errors import DbdesignError
from dbdesign.lint import parse_config
from dbdesign.lint.findings import Finding
from dbdesign.lint.migration import MigrationLintOptions, lint_migrations
from dbdesign.readers.catalog.postgres import read_catalog
from tests.pgload import script_statements

CASES = Path(__file__).resolve().parents[1] / "lint_cases"
ROWS = {"*": 5}
FLOOR = 0.8  # the least share of SQL fixes (prose and SKIP aside) run on each server

# Objects a case names but does not define (it has no schema, or a partial one): created before
# the case's schema is used, so the migration and its fix have something to act on.
_ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric);"
_CUSTOMERS = "CREATE TABLE customers (id bigint PRIMARY KEY);"
SUPPLEMENT: dict[tuple[str, int], str] = {
    ("MIG001", 1): 'CREATE SCHEMA "Sales"; CREATE TABLE "Sales"."Customers" ("Email" text);',
    ("MIG001", 2): "CREATE SCHEMA billing; CREATE TABLE billing.invoices (id int, due_on date);",
    ("MIG002", 0): _ORDERS,
    ("MIG002", 1): _ORDERS + "CREATE INDEX idx_orders_customer ON orders (customer_id);",
    ("MIG002", 2): _ORDERS + "CREATE INDEX idx_orders_customer ON orders (customer_id);",
    ("MIG002", 3): _ORDERS,
    ("MIG003", 1): 'CREATE SCHEMA "Sales"; CREATE TABLE "Sales".orders (id int, total numeric);',
    ("MIG004", 1): _CUSTOMERS + _ORDERS,
    ("MIG004", 2): _ORDERS,
    ("MIG006", 2): "CREATE TABLE users (id bigint PRIMARY KEY);",
    ("MIG008", 1): _ORDERS,
    ("MIG008", 2): _ORDERS + "CREATE SEQUENCE orders_n_seq;",
    ("MIG008", 3): _ORDERS,
    ("MIG010", 6): "CREATE TABLE orders (id int PRIMARY KEY, note varchar(20));",
    ("MIG012", 1): "CREATE TABLE users (id bigint PRIMARY KEY);",
    ("MIG021", 1): "CREATE TABLE old_orders (LIKE orders);",
    ("MIG023", 1): "CREATE TABLE invoices (id bigint PRIMARY KEY, state order_status);",
    ("MIG030", 1): "CREATE TABLE accounts (id bigint PRIMARY KEY, old_note text);",
    ("MIG031", 1): "CREATE SCHEMA audit; CREATE TABLE audit.old_sessions (id bigint);",
    ("MIG035", 1): "CREATE TABLE t (id int); CREATE INDEX idx_old ON t (id);",
    ("MIG044", 1): (
        "CREATE FUNCTION orders_audit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RETURN NEW; END $$; CREATE TRIGGER orders_audit BEFORE UPDATE ON orders "
        "FOR EACH ROW EXECUTE FUNCTION orders_audit();"
    ),
}
# The case's schema is applied after the supplement, except where it needs the supplement after.
SUPPLEMENT_AFTER = {("MIG021", 1), ("MIG023", 1), ("MIG044", 1)}
# Placeholders the reader is to fill, filled for the case.
FILL: dict[tuple[str, int], dict[str, str]] = {
    ("MIG012", 0): {"<value>": "'free'"},
    ("MIG012", 1): {"<value>": "'free'"},
    ("MIG041", 0): {"<columns unique across its rows>": "customer_id"},
}
SKIP: dict[tuple[str, int], str] = {
    ("MIG009", 2): "ALTER COLUMN ... SET EXPRESSION is PostgreSQL 17 (the servers are 16 and 15)",
}
# Rules whose fix ends, by design, elsewhere than the original statement (the others are
# compared: same columns, constraints, indexes of every table the original leaves).
OTHER_END = {
    "MIG027": "the object gets a shorter name",
    "MIG028": "the key is bigint, not integer",
}

# Fixes found broken (see the report of the test that found them); each must still be broken.
# Empty: the 23 found at first are repaired; a new one goes here with its reason.
BROKEN: dict[tuple[str, int], str] = {}


# --------------------------------------------------------------------------- cases and fixes


@dataclass(frozen=True)
class Part:
    """One migration of a fix: ``text`` as the reader writes it (steps uncommented), ``steps``
    the statements to run, ``autocommit`` no transaction around them."""

    text: str
    steps: tuple[str, ...]
    autocommit: bool


@dataclass(frozen=True)
class Fix:
    code: str
    n: int
    case: dict[str, Any]
    finding: Finding
    parts: tuple[Part, ...]
    prefix: tuple[str, ...]  # the migration's statements before the flagged one
    original: tuple[str, ...] = ()  # the prefix and the flagged statement
    which: int = 0  # the finding's place among the case's findings
    templates: tuple[str, ...] = field(default=())  # commented steps left unrun (placeholders)

    @property
    def key(self) -> tuple[str, int]:
        return (self.code, self.n)

    @property
    def label(self) -> str:
        return f"{self.code}[{self.n}] {self.case['name']!r} {self.finding.object}"

    def report(self, why: str) -> str:
        return f"{self.label}: {why}\n  fix:\n    " + self.finding.fix_hint.replace("\n", "\n    ")


def lint_case(code: str, case: dict[str, Any], files: list[tuple[str, str]]) -> list[Finding]:
    """The findings of ``code`` on ``files`` ((name, text), linted in order) with the case's
    schema, server version and transaction assumption, as run_migration_case lints a case."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in files:
            (Path(tmp) / name).write_text(text)
            paths.append(str(Path(tmp) / name))
        schema = None
        if case.get("schema"):
            schema = str(Path(tmp) / "schema.sql")
            Path(schema).write_text(case["schema"])
        options = MigrationLintOptions(
            dialect="postgres",
            schema=schema,
            server_version=case.get("server_version"),
            assume_in_transaction=case.get("in_transaction"),
        )
        report = lint_migrations(paths, options, replace(parse_config({}), select=(code,)))
    return [f for f in report.findings if f.code == code]


_TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|END)\b", re.I)
_SPLIT = re.compile(
    r"later migration|next migration|migration of its own|short transaction|each batch"
    r"|in batches:|^--\s*then:\s*$",
    re.I,
)
_NO_TX = re.compile(r"no-transaction|each batch|in batches", re.I)
_STEP = re.compile(
    r"^--\s*(?:[^:]*\bthen:\s*)?(?P<sql>(?:UPDATE|ALTER|CREATE|SELECT|DROP|INSERT|DELETE)\s.*)$"
)
# A runner's header for a file run outside a transaction (dbdesign, dbmate, Flyway).
_NO_TX_MARK = re.compile(
    r"--\s*(?:dbdesign:.*no-transaction|migrate:up\s+transaction:false"
    r"|flyway:executeInTransaction=false)",
    re.I,
)
_BATCH = re.compile(r"\s+(?:AND|WHERE)\s+<key> BETWEEN <lo> AND <hi>")
_PLACEHOLDER = re.compile(r"<[a-z][^>]*>|\.\.\.")
_EDIT = re.compile(r"^(BEGIN|COMMIT);\s*--\s*(where the transaction should start|at the end)")


def _statements(text: str) -> list[str]:
    return [s for s in script_statements(text) if not _TX_CONTROL.match(s)]


def _fill(text: str, key: tuple[str, int]) -> str:
    for hole, value in FILL.get(key, {}).items():
        text = text.replace(hole, value)
    return text


class _Parts:
    """Reads a fix line by line into parts (see the module's docstring)."""

    def __init__(self, key: tuple[str, int]) -> None:
        self.key = key
        self.done: list[Part] = []
        self.lines: list[str] = []
        self.autocommit = False
        self.templates: list[str] = []

    def close(self) -> None:
        text = "\n".join(self.lines)
        steps = tuple(_statements(text))
        if steps:
            header = "-- dbdesign: no-transaction\n"
            if self.autocommit and not _NO_TX_MARK.search(text):
                text = header + text
            self.done.append(Part(text + "\n", steps, self.autocommit))
        self.lines, self.autocommit = [], False

    def line(self, line: str) -> None:
        stripped = line.strip()
        if not stripped.startswith("--"):
            self.lines.append(_fill(line, self.key))
            return
        step = _STEP.match(stripped)
        if _NO_TX_MARK.match(stripped):
            self.autocommit = True
            self.lines.append(stripped)
        elif step:
            sql_text = _fill(_BATCH.sub("", step.group("sql")), self.key)
            if _PLACEHOLDER.search(sql_text):
                self.templates.append(stripped)
            else:
                self.lines.append(sql_text)
        elif _SPLIT.search(stripped):
            self.close()
            self.autocommit = bool(_NO_TX.search(stripped))
        else:
            self.lines.append(stripped)  # prose, or a suppression comment


def parse_fix(key: tuple[str, int], hint: str) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    reader = _Parts(key)
    for line in hint.splitlines():
        reader.line(line)
    reader.close()
    return tuple(reader.done), tuple(reader.templates)


def _upto(case: dict[str, Any], f: Finding) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The migration's statements (transaction control aside) that end before the line of
    ``f``, and those that start on or before it (the flagged one too)."""
    text = case["migration"]
    line = f.origin.line if f.origin is not None and f.origin.line else 1
    lines = text.split("\n")
    before, through = len("\n".join(lines[: line - 1])), len("\n".join(lines[:line]))
    prefix, original = [], []
    for piece in parser.split(text, with_parser=False, only_slices=True):
        stmt = text[piece]
        if not _statements(stmt):  # BEGIN, COMMIT ...
            continue
        if piece.stop <= before:
            prefix.append(stmt)
        if piece.start < through:
            original.append(stmt)
    return tuple(prefix), tuple(original)


def _make_fix(code: str, n: int, case: dict[str, Any], f: Finding) -> Fix:
    hint = f.fix_hint.strip()
    edit = _EDIT.match(hint)
    if edit:  # BEGIN at the start or COMMIT at the end of the case's own migration
        text = case["migration"]
        text = f"BEGIN;\n{text}" if edit.group(1) == "BEGIN" else f"{text}\nCOMMIT;\n"
        part = Part(text, tuple(script_statements(text)), autocommit=True)
        return Fix(code, n, case, f, (part,), (), tuple(_statements(text)))
    parts, templates = parse_fix((code, n), hint)
    prefix, original = _upto(case, f)
    return Fix(code, n, case, f, parts, prefix, original, templates=templates)


def all_fixes() -> list[Fix]:
    out = []
    for path in sorted(CASES.glob("MIG0*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        for n, case in enumerate(data.get("fail") or []):
            if case.get("dialect", "postgres") != "postgres":
                continue
            name = case.get("file", "0002_case.up.sql")
            for i, f in enumerate(lint_case(path.stem, case, [(name, case["migration"])])):
                out.append(replace(_make_fix(path.stem, n, case, f), which=i))
    return out


FIXES = all_fixes()
SQL_FIXES = [fx for fx in FIXES if fx.parts]
PROSE = sorted({fx.key for fx in FIXES if not fx.parts})
SEVERAL = {fx.key for fx in FIXES if fx.which > 0}


# --------------------------------------------------------------------------- (a) lint the fix


def _file_names(case: dict[str, Any], count: int) -> list[str]:
    """``count`` file names in the convention of the case's runner, in running order."""
    name = case.get("file", "0002_case.up.sql")
    if re.match(r"^\d+_.*\.up\.sql$", name):
        return [f"{100 + i:04d}_step.up.sql" for i in range(count)]
    if re.match(r"^V\d", name):
        return [f"V{100 + i}__step.sql" for i in range(count)]
    if re.match(r"^\d{14}_", name):
        return [f"2099010100{i:04d}_step.sql" for i in range(count)]
    return [f"step_{i:03d}.sql" for i in range(count)]


def _as_file(case: dict[str, Any], text: str) -> str:
    """A dbmate file needs its ``-- migrate:up`` marker to be read as one."""
    if "-- migrate:up" in case["migration"] and "-- migrate:up" not in text:
        return "-- migrate:up\n" + text
    return text


def lint_fix(fx: Fix) -> list[str]:
    """Where the case's rule fires on the fix (file:line: message)."""
    texts = ["\n".join(s + ";" for s in fx.prefix) + "\n"] if fx.prefix else []
    texts += [p.text for p in fx.parts]
    names = _file_names(fx.case, len(texts))
    files = [(nm, _as_file(fx.case, t)) for nm, t in zip(names, texts, strict=True)]
    ours = set(names[len(texts) - len(fx.parts) :])
    out = []
    for f in lint_case(fx.code, fx.case, files):
        if f.origin is not None and Path(f.origin.file or "").name in ours:
            out.append(f"{f.origin}: {f.message}")
    return out


@pytest.mark.parametrize("fx", SQL_FIXES, ids=lambda fx: f"{fx.code}-{fx.n}-{fx.which}")
def test_the_rule_does_not_flag_its_own_fix(fx: Fix) -> None:
    found = lint_fix(fx)
    if BROKEN.get(fx.key, "").startswith("lint"):
        assert found, f"{fx.label}: fixed, take it out of BROKEN"
    else:
        assert not found, fx.report("its rule flags it: " + "; ".join(found))


def test_the_prose_fixes_are_the_known_ones() -> None:
    assert PROSE == [("MIG005", 2), ("MIG024", 0), ("MIG026", 0)]


# --------------------------------------------------------------------------- (b) run the fix


def _reset(conn: psycopg.Connection[Any]) -> None:
    """An empty database again: every schema dropped, ``public`` made anew."""
    for (name,) in conn.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
        "AND nspname <> 'information_schema'"
    ).fetchall():
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))
    conn.execute("CREATE SCHEMA public")


def _load_schema(conn: psycopg.Connection[Any], fx: Fix) -> None:
    extra = SUPPLEMENT.get(fx.key, "")
    first, then = (fx.case.get("schema") or "", extra)
    if fx.key not in SUPPLEMENT_AFTER:
        first, then = then, first
    try:
        _execute(conn, script_statements(first + "\n" + then))
    except psycopg.errors.FeatureNotSupported as e:  # an extension this server lacks
        raise Unavailable(str(e).splitlines()[0]) from None


class Unavailable(Exception):
    """The case's schema needs what this server does not have: the fix is not run here."""


def _execute(conn: psycopg.Connection[Any], statements: tuple[str, ...] | list[str]) -> None:
    for stmt in statements:
        conn.execute(stmt.encode())  # type: ignore[call-overload]


_LEAVES = """
SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
"""
_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attnum
"""

Rows = dict[tuple[str, str], tuple[list[str], list[tuple[Any, ...]]]]


def _rows(conn: psycopg.Connection[Any]) -> Rows:
    """Every table's (not generated) columns and rows, as text."""
    out: Rows = {}
    for oid, schema, name in conn.execute(_LEAVES).fetchall():
        cols = [c for c, _ in conn.execute(_COLUMNS, (oid,)).fetchall()]
        exprs = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in cols)
        table = sql.Identifier(schema, name)
        query = sql.SQL("SELECT {} FROM ONLY {}").format(exprs, table)
        out[(schema, name)] = (cols, conn.execute(query).fetchall() if cols else [])
    return out


_EMPTY_PARENTS = """
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'p' AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = c.oid)
"""


def _generate(url: str) -> None:
    """datagen's rows in every table (a partitioned table without partitions can hold none)."""
    with closing(connect(url)) as conn:
        rows = dict(ROWS) | {r[0]: 0 for r in conn.execute(_EMPTY_PARENTS).fetchall()}
        datagen.load(conn, read_catalog(conn), rows, analyze=False)
        conn.commit()


def _copy_rows(conn: psycopg.Connection[Any], rows: Rows) -> bool:
    """Insert ``rows`` into the tables of the same name, the columns both have; False (and
    nothing inserted) when a table here has no rows to take or they do not fit."""
    try:
        with conn.transaction():
            return _insert_rows(conn, rows)
    except psycopg.Error:  # an enum value, a NOT NULL column, a partition bound of later
        return False


def _insert_rows(conn: psycopg.Connection[Any], rows: Rows) -> bool:
    for oid, schema, name in conn.execute(_LEAVES).fetchall():
        if (schema, name) not in rows:
            return False
        cols, values = rows[(schema, name)]
        types = dict(conn.execute(_COLUMNS, (oid,)).fetchall())
        keep = [i for i, c in enumerate(cols) if c in types]
        query = sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES ({})").format(
            sql.Identifier(schema, name),
            sql.SQL(", ").join(sql.Identifier(cols[i]) for i in keep),
            sql.SQL(", ").join(sql.SQL(f"%s::{types[cols[i]]}") for i in keep),
        )
        for row in values:
            conn.execute(query, [row[i] for i in keep])
    return True


_SHAPE = """
SELECT n.nspname || '.' || c.relname, c.relpersistence,
  array(SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
        || CASE a.attidentity WHEN 'a' THEN ' ALWAYS AS IDENTITY'
                              WHEN 'd' THEN ' BY DEFAULT AS IDENTITY' ELSE '' END
        || CASE WHEN a.attgenerated = 's' THEN ' GENERATED STORED' ELSE '' END
        FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1),
  array(SELECT k.contype::text || ' ' || pg_get_constraintdef(k.oid) || ' ' || k.convalidated
        FROM pg_constraint k WHERE k.conrelid = c.oid ORDER BY 1),
  array(SELECT regexp_replace(pg_get_indexdef(i.indexrelid), 'INDEX \\S+ ON', 'INDEX ON')
        || ' ' || i.indisvalid FROM pg_index i WHERE i.indrelid = c.oid ORDER BY 1)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%'
  AND n.nspname <> 'information_schema'
"""


def _shape(conn: psycopg.Connection[Any]) -> dict[str, tuple[Any, ...]]:
    return {r[0]: tuple(r[1:]) for r in conn.execute(_SHAPE).fetchall()}


def _not_valid(conn: psycopg.Connection[Any]) -> set[str]:
    rows = conn.execute(
        "SELECT conrelid::regclass || '.' || conname FROM pg_constraint WHERE NOT convalidated "
        "UNION ALL SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"
    ).fetchall()
    return {r[0] for r in rows}


@dataclass
class Original:
    """The case's migration on the case's schema: its end state and rows fit for it."""

    shape: dict[str, tuple[Any, ...]] | None  # None: the migration failed here
    rows: Rows


def run_original(url: str, fx: Fix) -> Original:
    with closing(connect(url, autocommit=True)) as conn:
        _reset(conn)
        _load_schema(conn, fx)
        try:
            _execute(conn, fx.original)
        except psycopg.Error:
            return Original(None, {})
        shape = _shape(conn)
    _generate(url)
    with closing(connect(url, autocommit=True)) as conn:
        return Original(shape, _rows(conn))


def run_fix(url: str, fx: Fix, original: Original) -> list[str]:
    """Run the fix on the case's schema holding rows; what went wrong."""
    with closing(connect(url, autocommit=True)) as conn:
        _reset(conn)
        _load_schema(conn, fx)
        copied = _copy_rows(conn, original.rows)
    if not copied:
        with closing(connect(url, autocommit=True)) as conn:  # rows for the schema itself
            for schema, name in _rows(conn):
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, name)))
        _generate(url)
    with closing(connect(url, autocommit=True)) as conn:
        _execute(conn, fx.prefix)
        invalid = _not_valid(conn)
        for i, part in enumerate(fx.parts):
            try:
                if part.autocommit:
                    _execute(conn, part.steps)
                else:
                    with conn.transaction():
                        _execute(conn, part.steps)
            except psycopg.Error as e:
                return [f"part {i + 1} fails: {str(e).strip()}"]
        problems = [f"left NOT VALID: {x}" for x in sorted(_not_valid(conn) - invalid)]
        return problems + _compare_end(fx, original, _shape(conn))


def _compare_end(fx: Fix, original: Original, shape: dict[str, tuple[Any, ...]]) -> list[str]:
    """Where the fix's end differs from the original's; a fix of one clause of a statement with
    several findings (MIG003[2], MIG008[2]) ends with only its own clause done, not compared."""
    if fx.code in OTHER_END or original.shape is None or fx.key in SEVERAL:
        return []
    out = []
    for table, want in original.shape.items():
        got = shape.get(table)
        if got != want:
            out.append(f"{table} ends as {got}, the original leaves {want}")
    return out


def _server_problems(url: str, fx: Fix) -> list[str]:
    try:
        original = run_original(url, fx)
    except DbdesignError:  # datagen cannot fill the end state: rows for the schema below
        original = Original(None, {})
    try:
        return run_fix(url, fx, original)
    except psycopg.Error as e:  # the schema or the prefix did not load
        return [f"could not set up: {str(e).strip()}"]


def _check_one(url: str, fx: Fix, problems: list[str], broken: dict[str, list[str]]) -> bool:
    """Run one fix; False when this server cannot (its problems go to ``problems``, or to
    ``broken`` for a fix BROKEN on the server)."""
    try:
        found = _server_problems(url, fx)
    except Unavailable as e:
        print(f"not run here: {fx.label}: {e}")
        return False
    if BROKEN.get(fx.key, "").startswith(("server", "lint+server")):
        broken.setdefault(f"{fx.code}[{fx.n}]", []).extend(found)
    elif found:
        problems.append(fx.report("; ".join(found)))
    return True


def test_fixes_run_on_postgres(pg_scratch: str) -> None:
    problems: list[str] = []
    broken: dict[str, list[str]] = {}
    ran = 0
    for fx in SQL_FIXES:
        if fx.key in SKIP:
            continue
        ran += _check_one(pg_scratch, fx, problems, broken)
    for key, why in BROKEN.items():
        label = f"{key[0]}[{key[1]}]"
        if why.startswith(("server", "lint+server")):
            assert broken.get(label), f"{label} now runs: take it out of BROKEN ({why})"
    assert not problems, "\n".join(problems)
    runnable = len(SQL_FIXES)
    assert ran >= FLOOR * runnable, f"only {ran} of {runnable} fixes ran"
    print(f"{ran} of {runnable} SQL fixes ran ({len(PROSE)} prose only)")
