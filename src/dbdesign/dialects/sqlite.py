"""SQLite dialect knowledge: keywords, identifier quoting, declared types, constraint names.

SQLite keeps a column's *declared* type as text (``PRAGMA table_xinfo`` reports it); the model
keeps it canonicalised (lower case, whitespace collapsed, arguments parsed), so that
``VARCHAR ( 20 )`` and ``varchar(20)`` are the same ``DataType(name="varchar", args=(20,))``.
SQLite never reports the names of unnamed constraints, so readers give them the deterministic
names PostgreSQL would choose (``t_pkey``, ``t_a_b_key``, ``t_a_fkey``, ``t_a_check``,
``t_check``), numbered on collision.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dbdesign.dialects import Capabilities, Dialect, register
from dbdesign.dialects.operations import SQLITE as SQLITE_OPERATIONS
from dbdesign.model import DataType

NAMESPACE = "main"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# https://sqlite.org/lang_keywords.html
KEYWORDS = _words("""
ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN
BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS
CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE
DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL
FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE
IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST
LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR
ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE
REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS
SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION
UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT
""")

# Keywords SQLite's grammar lets fall back to a plain identifier (parse.y ``%fallback ID``); the
# others can never be part of a declared type name.
FALLBACK_KEYWORDS = _words("""
ABORT ACTION AFTER ANALYZE ASC ATTACH BEFORE BEGIN BY CASCADE CAST COLUMN CONFLICT DATABASE
DEFERRED DESC DETACH DO EACH END EXCLUSIVE EXPLAIN FAIL FOR IGNORE IMMEDIATE INITIALLY INSTEAD
LIKE GLOB REGEXP MATCH NO PLAN QUERY KEY OF OFFSET PRAGMA RAISE RECURSIVE RELEASE REPLACE
RESTRICT ROW ROWS ROLLBACK SAVEPOINT TEMP TRIGGER VACUUM VIEW VIRTUAL WITH WITHOUT NULLS FIRST
LAST CURRENT FOLLOWING PARTITION PRECEDING RANGE UNBOUNDED EXCLUDE GROUPS OTHERS TIES GENERATED
ALWAYS MATERIALIZED REINDEX RENAME CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP IF
""")

BUILTIN_COLLATIONS = ("BINARY", "NOCASE", "RTRIM")

_SIMPLE_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_ident(name: str) -> str:
    """Quote an identifier with double quotes when SQLite needs (or might need) it."""
    if _SIMPLE_IDENT.match(name) and name.upper() not in KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def dequote(text: str) -> str:
    """SQLite's sqlite3Dequote(): strip the quotes of a leading quoted token, drop what follows.

    A leading ``[`` is different (as SQLite 3.40 does it for declared types): the first and last
    characters are dropped, whatever they are (``[a] b(7)`` -> ``a] b(7``).
    """
    if not text or text[0] not in "'\"`[":
        return text
    if text[0] == "[":
        return text[1:-1]
    close = text[0]
    out: list[str] = []
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == close:
            if i + 1 < len(text) and text[i + 1] == close:
                out.append(close)
                i += 2
                continue
            break
        out.append(ch)
        i += 1
    return "".join(out)


def strip_generated_always(type_text: str) -> str:
    """SQLite drops a trailing ``GENERATED ALWAYS`` from a declared type (sqlite3AddColumn)."""
    t = type_text
    if len(t) >= 16 and t[-6:].lower() == "always":
        t = t[:-6].rstrip()
        if len(t) >= 9 and t[-9:].lower() == "generated":
            t = t[:-9].rstrip()
    return t


_TYPE_WITH_ARGS = re.compile(r"^(.*?)\s*\((.*)\)$", re.S)
_INT = re.compile(r"^[+-]?\d+$")


@lru_cache(maxsize=4096)
def parse_type(declared: str) -> DataType:
    """Canonical :class:`DataType` for a declared type as SQLite stores it.

    ``VARCHAR ( 20 )`` -> ``varchar`` (20,); ``DECIMAL(4,2)`` -> ``decimal`` (4, 2);
    ``BLOB SUB_TYPE TEXT`` -> ``blob sub_type text``; no type -> ``""``.
    """
    s = " ".join(declared.split()).lower()
    args: tuple[int | str, ...] = ()
    m = _TYPE_WITH_ARGS.match(s)
    if m:
        s = m.group(1).strip()
        parts = [a.strip() for a in m.group(2).split(",")]
        args = tuple(int(a) if _INT.match(a) else " ".join(a.split()) for a in parts)
    return DataType(name=s, args=args, raw=declared)


_TYPE_WORD = re.compile(r"^[a-z_][a-z0-9_]*$")


def type_sql(t: DataType) -> str:
    """Declared-type text for a canonical type (``""`` for a column without type)."""
    words = t.name.split(" ")
    if t.name and not all(
        _TYPE_WORD.match(w) and (w.upper() not in KEYWORDS or w.upper() in FALLBACK_KEYWORDS)
        for w in words
    ):
        base = '"' + t.name.replace('"', '""') + '"'
    else:
        base = t.name
    if t.args:
        base += "(" + ",".join(str(a) for a in t.args) + ")"
    return base


def type_affinity(declared: str) -> str:
    """SQLite's column affinity rules (https://sqlite.org/datatype3.html#affname)."""
    u = declared.upper()
    if "INT" in u:
        return "INTEGER"
    if "CHAR" in u or "CLOB" in u or "TEXT" in u:
        return "TEXT"
    if "BLOB" in u or not u.strip():
        return "BLOB"
    if "REAL" in u or "FLOA" in u or "DOUB" in u:
        return "REAL"
    return "NUMERIC"


def canonical_collation(name: str | None) -> str | None:
    """Collation names are case-insensitive; the model keeps them upper-case."""
    return name.upper() if name else None


def choose_name(table: str, columns: tuple[str, ...] | None, label: str, taken: set[str]) -> str:
    """A synthetic constraint name, PostgreSQL style, numbered (1, 2 ...) until unused.

    ``taken`` is compared case-insensitively, as SQLite compares names.
    """
    base = "_".join((table, *columns)) if columns else table
    lowered = {t.lower() for t in taken}
    candidate = f"{base}_{label}"
    n = 0
    while candidate.lower() in lowered:
        n += 1
        candidate = f"{base}_{label}{n}"
    return candidate


_URL = re.compile(r"^sqlite:(?:///?)?", re.I)  # sqlite:///path, sqlite://path, sqlite:path

# Type categories by affinity (https://sqlite.org/datatype3.html 3.1); booleans by name.
_KIND_OF_AFFINITY = {"INTEGER": "int", "TEXT": "text", "BLOB": "binary", "REAL": "float"}

# Key words that cannot be used as names without quoting (sqlite.org/lang_keywords.html, less
# the ones its parser falls back to treating as identifiers), lower case.
RESERVED_WORDS = frozenset(
    """add all alter and as autoincrement between case check collate commit constraint create
    default deferrable delete distinct drop else escape except exists foreign from group having
    in index insert intersect into is isnull join limit not notnull null on or order primary
    references select set table then to transaction union unique update using values when where
    """.split()
)


class SQLiteDialect(Dialect):
    name = "sqlite"
    title = "SQLite"
    aliases = ("sqlite3",)
    url_schemes = ("sqlite",)
    capabilities = Capabilities(
        transactional_ddl=True,
        virtual_tables=True,
        partial_indexes=True,
        expression_indexes=True,
        deferrable=True,
        nullable_primary_keys=True,
        index_name_scope="database",
        exact_decimal="none",
        dynamic_typing=True,
        rowid_alias=True,
        parent_key_collation=True,
        deferred_only_initially=True,
    )
    namespace = NAMESPACE
    case_insensitive_names = True
    text_signals = re.compile(
        r"(?=[awps])(?:\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|\bPRAGMA\b|\bsqlite_)", re.I
    )
    file_magic = b"SQLite format 3\x00"
    file_suffixes = (".db", ".sqlite", ".sqlite3")

    def accepts_url(self, url: str) -> bool:
        return _URL.match(url) is not None  # sqlite:///path, sqlite:path, sqlite://

    def url_path(self, url: str) -> str:
        return _URL.sub("", url, count=1)

    quote_ident = staticmethod(quote_ident)
    type_sql = staticmethod(type_sql)

    def split_statements(self, text: str) -> list[str]:
        """The statements of a script, each without its ``;`` and surrounding space; a
        ``CREATE TRIGGER`` runs to the ``;`` after its body's ``END``. A string or quoted name
        left open is a :class:`ParseError`."""
        from dbdesign.dialects.sqlite_lexer import statement_spans  # sqlglot only when splitting
        from dbdesign.dialects.tokens import Source

        spans = statement_spans(Source(text, None))
        return [s for s in (text[start:end].strip() for start, end, _ in spans) if s]

    def affinity(self, type_name: str) -> str | None:
        return type_affinity(type_name)

    def type_kind(self, t: DataType) -> str:
        if t.array_dims:
            return "array"
        if t.name.lower() in ("bool", "boolean"):
            return "bool"
        return _KIND_OF_AFFINITY.get(type_affinity(t.name), "numeric")

    @property
    def reserved_words(self) -> frozenset[str]:
        return RESERVED_WORDS

    embedded = True  # a file
    example_url = "sqlite:///app.db"
    # The design document has always given SQLite designs PostgreSQL's notes; SQLite's own
    # (copying the file or the backup API, WAL mode) are not written yet.
    operations = SQLITE_OPERATIONS

    def rename_sql(self, kind: str, schema: str, table: str, name: str, new: str) -> str | None:
        return None  # ALTER TABLE renames tables and columns only


SQLITE = register(SQLiteDialect())

__all__ = [
    "BUILTIN_COLLATIONS",
    "FALLBACK_KEYWORDS",
    "KEYWORDS",
    "NAMESPACE",
    "SQLITE",
    "canonical_collation",
    "choose_name",
    "dequote",
    "parse_type",
    "quote_ident",
    "quote_string",
    "strip_generated_always",
    "type_affinity",
    "type_sql",
]
