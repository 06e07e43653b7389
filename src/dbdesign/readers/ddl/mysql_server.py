"""What MariaDB decides about a table it creates or writes again, simulated on the parsed
definition: the keys it keeps and their names, key prefixes, key methods, collations, the
options a rebuilt table writes down, what a dropped or renamed column takes with it.
(Shared with the catalog reader where it applies.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dbdesign.dialects.mysql import (
    BLOB_TYPES,
    DEFAULT_COLLATION,
    FK_ENGINES,
    MAX_KEY_LENGTH,
    SPATIAL_TYPES,
    TEMPORAL_FSP,
    TEXT_OF_BINARY,
    TEXT_TYPES,
    base_name,
    canonical_type,
    charset_of,
    column_collation,
    default_collation,
    max_bytes_per_char,
    text_capacity,
    unique_key_name,
)
from dbdesign.model import DataType
from dbdesign.readers.ddl.mysql_defs import (
    KeyDef,
    KeyPart,
    MySQLColumnDef,
    MySQLTableDef,
    TableOptions,
)


def _covered(a: KeyDef, b: KeyDef) -> bool:
    """MariaDB's foreign_key_prefix() == 0: one key is generated (for a foreign key) and its
    parts are a prefix of the other's (a key written USING HASH covers nothing)."""
    if "hash" in (a.using, b.using):
        return False
    if a.generated:
        if b.generated and len(a.parts) > len(b.parts):
            a, b = b, a
    else:
        if not b.generated:
            return False
        a, b = b, a
    if len(a.parts) > len(b.parts):
        return False
    for p, q in zip(a.parts, b.parts, strict=False):
        if p.column is None or q.column is None:
            return False
        if p.column.lower() != q.column.lower() or p.length != q.length:
            return False
    return True


def settle_keys(keys: list[KeyDef]) -> list[KeyDef]:
    """The keys a table ends up with (mysql_prepare_create_table): a key generated for a
    foreign key is dropped when another key leads with its columns, and unnamed keys are
    named after their first column (``a``, ``a_2`` ...)."""
    ignored: set[int] = set()
    for n, key in enumerate(keys):
        for key2 in keys[:n]:
            if id(key2) in ignored:
                continue
            if _covered(key, key2):
                if not key2.generated or (key.generated and len(key.parts) < len(key2.parts)):
                    ignored.add(id(key))
                else:
                    ignored.add(id(key2))
                break
    kept = [k for k in keys if id(k) not in ignored]
    taken: set[str] = set()
    for k in kept:
        if k.name is None:
            k.name = unique_key_name(k.parts[0].column or "expr", taken)
        taken.add(k.name.lower())
    return kept


def rebuilt(
    t: MySQLTableDef,
    engine: str,
    given: set[str] | frozenset[str] = frozenset(),
    *,
    write_row_format: bool = False,
) -> None:
    """A table the server wrote again (ALTER TABLE, CREATE/DROP INDEX, CREATE TABLE ... LIKE),
    ``engine`` its engine before: Aria writes its page checksum down as if it were given
    (``page_checksum=1``, the server's default), other engines forget one given before; an
    option ``given`` in the ALTER itself stays. CREATE and DROP INDEX and LIKE (not ALTER
    TABLE: ``write_row_format``) write a given Aria row format down as what it is."""
    opts = t.options.create_options
    if write_row_format and engine == "Aria" and opts.get("row_format") is not None:
        opts["row_format"] = _aria_row_format(t)
    for k in t.keys:  # USING HASH: no order kept; written down as what it became, unless
        if k.using == "hash":  # the table was MEMORY (its hash then carries over)
            for p in k.parts:
                p.desc = False
            if engine != "MEMORY":
                k.using = None
    if "page_checksum" in given:
        return
    if engine == "Aria":
        opts.setdefault("page_checksum", "1")
    else:
        opts.pop("page_checksum", None)


_CHAR_LIKE = ("char", "varchar", "binary", "varbinary")


def _aria_row_format(t: MySQLTableDef) -> str:
    """The rows an Aria table has: DYNAMIC as given, FIXED as given unless a column is a
    blob (text, JSON and geometry are: then PAGE), else (COMPACT, DEFAULT ...) PAGE."""
    given = t.options.create_options.get("row_format")
    if given == "DYNAMIC":
        return given
    blobs = (*TEXT_TYPES, *BLOB_TYPES, *SPATIAL_TYPES)
    if given == "FIXED" and not any(base_name(c.type) in blobs for c in t.columns):
        return given
    return "PAGE"


def fit_prefixes(t: MySQLTableDef, keys: list[KeyDef]) -> None:
    """Key prefixes as the server keeps them: none on a column that is not a string (any
    more), nor one as long as a char/binary column (the whole column is the key part); a
    part of a plain index longer than the engine takes is cut to what it takes (with a
    warning; a whole text or blob is a prefix of its size in bytes first), and a geometry
    column is a prefix of the most it takes (25 bytes: a point)."""
    limit = _KEY_LIMITS.get(t.engine, MAX_KEY_LENGTH)
    for k in keys:
        if k.kind in ("fulltext", "spatial"):
            continue
        for p in k.parts:
            col = t.column(p.column) if p.column is not None else None
            if col is not None:
                _fit_prefix(k, p, col, limit)


def _fit_prefix(k: KeyDef, p: KeyPart, col: MySQLColumnDef, limit: int) -> None:
    """One part of :func:`fit_prefixes`, over column ``col``."""
    base = base_name(col.type)
    if base in SPATIAL_TYPES:
        if k.kind == "index":
            p.length = 25 if base == "point" else limit
        return
    if p.length is None and base not in (*_CHAR_LIKE, *TEXT_TYPES, *BLOB_TYPES):
        return
    if base in _CHAR_LIKE:
        if col.type.args and p.length is not None and p.length >= int(col.type.args[0]):
            p.length = None
    elif base not in TEXT_TYPES and base not in BLOB_TYPES:
        p.length = None
        return
    if k.kind == "index":
        _cut_to_limit(p, col, base, limit)


def _cut_to_limit(p: KeyPart, col: MySQLColumnDef, base: str, limit: int) -> None:
    """A plain index's part over a string column (a whole text or blob: a prefix of as many
    as it holds in bytes), cut to the ``limit`` bytes the engine takes."""
    per_char = max_bytes_per_char(charset_of(col.collation)) if col.collation else 1
    if p.length is not None:
        chars = p.length
    elif base in _CHAR_LIKE:
        chars = int(col.type.args[0])
    else:
        chars = p.length = text_capacity(TEXT_OF_BINARY.get(base, base), "binary")
    if chars * per_char > limit:
        p.length = limit // per_char


def fsp_of(t: DataType) -> int:
    """The fractional-seconds precision of a temporal type (0 for others)."""
    return int(t.args[0]) if base_name(t) in TEMPORAL_FSP and t.args else 0


# The bytes a key part over a whole column of a type takes (key_part->length), besides the
# strings, decimals, bits, enums and sets (and the fractional seconds of temporal types).
_KEY_PART_BYTES = {
    "tinyint": 1,
    "boolean": 1,
    "smallint": 2,
    "mediumint": 3,
    "int": 4,
    "bigint": 8,
    "float": 4,
    "double": 8,
    "year": 1,
    "date": 3,
    "time": 3,
    "datetime": 5,
    "timestamp": 4,
    "inet4": 4,
    "inet6": 16,
    "uuid": 16,
}
_DIGITS_BYTES = (0, 1, 1, 2, 2, 3, 3, 4, 4, 4)  # a decimal's leftover digits (decimal.c)


def _key_part_bytes(col: MySQLColumnDef) -> int | None:
    """The bytes a key part over the whole of ``col`` takes (None: not known)."""
    t = col.type
    base = base_name(t)
    if base in _CHAR_LIKE:
        per_char = max_bytes_per_char(charset_of(col.collation)) if col.collation else 1
        return int(t.args[0]) * per_char
    if base == "decimal":
        digits, scale = int(t.args[0]), int(t.args[1])
        return sum((n // 9) * 4 + _DIGITS_BYTES[n % 9] for n in (digits - scale, scale))
    if base == "bit":
        return (int(t.args[0]) + 7) // 8
    if base == "enum":
        return 1 if len(t.args) < 256 else 2
    if base == "set":
        size = (len(t.args) + 7) // 8
        return size if size <= 4 else 8
    if base in _KEY_PART_BYTES:
        return _KEY_PART_BYTES[base] + (fsp_of(t) + 1) // 2
    return None


def key_part_chars(part: KeyPart, col: MySQLColumnDef) -> int | None:
    """A key part's length as the server keeps it (in bytes) over the most bytes a character
    of its column takes: the prefix a column given the part by name gets (None: whole)."""
    if part.length is not None:
        return part.length  # a prefix: characters (bytes of a binary string)
    size = _key_part_bytes(col)
    if size is None:
        return None
    per_char = max_bytes_per_char(charset_of(col.collation)) if col.collation else 1
    return size // per_char or None


def drop_orphan_checks(t: MySQLTableDef) -> None:
    """Dropping columns drops the table checks that name none of the columns left (a check
    naming no column at all, CHECK (1), too)."""
    import sqlglot  # only when columns are dropped: a large import
    from sqlglot import exp

    names = {c.name.lower() for c in t.columns}
    kept = []
    for ch in t.checks:
        try:
            tree = sqlglot.parse_one(ch.expr, read="mysql")
        except sqlglot.errors.ParseError:
            kept.append(ch)
            continue
        if {c.name.lower() for c in tree.find_all(exp.Column)} & names:
            kept.append(ch)
    t.checks = kept


def keep_foreign_keys(t: MySQLTableDef) -> None:
    """An engine without foreign keys drops them (their indexes stay), for good: they do not
    come back when the table moves to InnoDB."""
    if t.engine not in FK_ENGINES:
        t.fks = []


def table_collation(opts: TableOptions) -> str:
    if opts.collation:
        return opts.collation
    if opts.charset:
        return default_collation(opts.charset)
    return DEFAULT_COLLATION


def resolve_column(col: MySQLColumnDef, collation: str) -> None:
    """Fix a column's type and collation as the server does when it creates the column."""
    if col.explicit_collation:  # a COLLATE among the attributes is the type's
        col.raw = replace(col.raw, collation=col.explicit_collation)
    written = col.raw.collation
    if col.raw.base in TEXT_OF_BINARY and written and charset_of(written) != "binary":
        col.raw = replace(col.raw, base=TEXT_OF_BINARY[col.raw.base])  # BLOB COLLATE x: text
    if col.raw.base == "json":  # longtext (utf8mb4_bin unless COLLATE says) + json_valid()
        col.raw = replace(col.raw, base="longtext", collation=written or "utf8mb4_bin")
        col.json_check = True
    col.type = canonical_type(col.raw, collation)
    col.collation = column_collation(col.raw, collation, col.explicit_collation)


# The longest key (and key part) each engine takes, in bytes.
_KEY_LIMITS = {"InnoDB": MAX_KEY_LENGTH, "MyISAM": 1000, "Aria": 2300}


def _part_bytes(part: KeyPart, col: MySQLColumnDef | None) -> float:
    if col is None:
        return 8
    base = base_name(col.type)
    maxlen = max_bytes_per_char(charset_of(col.collation)) if col.collation else 1
    if base in TEXT_TYPES or base in BLOB_TYPES:
        if part.length is None:
            return float("inf")
        return part.length * (maxlen if base in TEXT_TYPES else 1)
    if base in ("char", "varchar", "binary", "varbinary"):
        n = part.length if part.length is not None else int(col.type.args[0])
        return n * (maxlen if base in ("char", "varchar") else 1)
    return 8


def key_method(key: KeyDef, engine: str, column: Callable[[str], MySQLColumnDef | None]) -> str:
    """The index type information_schema.STATISTICS reports for a key."""
    if key.kind in ("fulltext", "spatial"):
        return key.kind
    if engine == "MEMORY":
        return "btree" if key.using == "btree" else "hash"
    if key.kind == "unique":
        if key.using == "hash":  # UNIQUE ... USING HASH: MariaDB's long unique, a hash
            return "hash"
        total = sum(_part_bytes(p, column(p.column) if p.column else None) for p in key.parts)
        if total > _KEY_LIMITS.get(engine, MAX_KEY_LENGTH):
            return "hash"  # MariaDB's long unique: a hidden hash column
    return "btree"


def is_unique_constraint(key: KeyDef, method: str) -> bool:
    """A UNIQUE key over whole columns in ascending order is a ``Unique``; any other unique
    key (prefixes, DESC, a hash) is an ``Index(unique=True)``."""
    return (
        key.kind == "unique"
        and method == "btree"
        and all(p.column is not None and p.length is None and not p.desc for p in key.parts)
    )


def rename_in_expr(text: str, old: str, new: str) -> str:
    """``text`` with its references to column ``old`` naming ``new`` (unqualified, as the
    server writes them); unchanged when it has none or does not parse."""
    low = old.lower()
    if low not in text.lower():
        return text
    import sqlglot  # only when a renamed column is named: a large import
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except sqlglot.errors.ParseError:
        return text
    columns = [c for c in tree.find_all(exp.Column) if c.name.lower() == low]
    if not columns:
        return text
    for c in columns:
        c.replace(exp.column(exp.to_identifier(new, quoted=True)))
    return tree.sql(dialect="mysql")
