"""MySQL / MariaDB character sets, collations and storage engines, as MariaDB 10.11 has them.

Knowledge only: no I/O. :mod:`dbdesign.dialects.mysql` re-exports every name.
"""

from __future__ import annotations

# What a DDL file is assumed to run in when it does not say (MariaDB's distribution default,
# and what test scratch databases are created with). CREATE DATABASE options in a file are not
# taken into account: the database is the environment, not the schema.
DEFAULT_CHARSET = "utf8mb4"
DEFAULT_COLLATION = "utf8mb4_general_ci"
DEFAULT_ENGINE = "InnoDB"


# information_schema.CHARACTER_SETS of MariaDB 10.11: name -> (default collation, bytes/char).
CHARSETS: dict[str, tuple[str, int]] = {
    "armscii8": ("armscii8_general_ci", 1),
    "ascii": ("ascii_general_ci", 1),
    "big5": ("big5_chinese_ci", 2),
    "binary": ("binary", 1),
    "cp1250": ("cp1250_general_ci", 1),
    "cp1251": ("cp1251_general_ci", 1),
    "cp1256": ("cp1256_general_ci", 1),
    "cp1257": ("cp1257_general_ci", 1),
    "cp850": ("cp850_general_ci", 1),
    "cp852": ("cp852_general_ci", 1),
    "cp866": ("cp866_general_ci", 1),
    "cp932": ("cp932_japanese_ci", 2),
    "dec8": ("dec8_swedish_ci", 1),
    "eucjpms": ("eucjpms_japanese_ci", 3),
    "euckr": ("euckr_korean_ci", 2),
    "gb18030": ("gb18030_chinese_ci", 4),
    "gb2312": ("gb2312_chinese_ci", 2),
    "gbk": ("gbk_chinese_ci", 2),
    "geostd8": ("geostd8_general_ci", 1),
    "greek": ("greek_general_ci", 1),
    "hebrew": ("hebrew_general_ci", 1),
    "hp8": ("hp8_english_ci", 1),
    "keybcs2": ("keybcs2_general_ci", 1),
    "koi8r": ("koi8r_general_ci", 1),
    "koi8u": ("koi8u_general_ci", 1),
    "latin1": ("latin1_swedish_ci", 1),
    "latin2": ("latin2_general_ci", 1),
    "latin5": ("latin5_turkish_ci", 1),
    "latin7": ("latin7_general_ci", 1),
    "macce": ("macce_general_ci", 1),
    "macroman": ("macroman_general_ci", 1),
    "sjis": ("sjis_japanese_ci", 2),
    "swe7": ("swe7_swedish_ci", 1),
    "tis620": ("tis620_thai_ci", 1),
    "ucs2": ("ucs2_general_ci", 2),
    "ujis": ("ujis_japanese_ci", 3),
    "utf16": ("utf16_general_ci", 4),
    "utf16le": ("utf16le_general_ci", 4),
    "utf32": ("utf32_general_ci", 4),
    "utf8mb3": ("utf8mb3_general_ci", 3),
    "utf8mb4": ("utf8mb4_general_ci", 4),
}

ENGINES: dict[str, str] = {
    e.lower(): e
    for e in (
        "InnoDB",
        "MyISAM",
        "Aria",
        "MEMORY",
        "CSV",
        "ARCHIVE",
        "BLACKHOLE",
        "MRG_MyISAM",
        "FEDERATED",
        "SEQUENCE",
        "ROCKSDB",
        "CONNECT",
        "S3",
        "SPIDER",
        "NDBCLUSTER",
        "TokuDB",
        "Mroonga",
        "OQGRAPH",
        "SPHINX",
        "Columnstore",
    )
}
# The server's aliases (``ENGINE=maria`` is stored as Aria).
ENGINES.update(heap="MEMORY", merge="MRG_MyISAM", innobase="InnoDB", maria="Aria", ndb="NDBCLUSTER")
# Engines that keep foreign keys; the others parse FOREIGN KEY and drop it (the index stays).
FK_ENGINES = frozenset(("InnoDB", "NDBCLUSTER", "ROCKSDB"))


def canonical_engine(name: str) -> str:
    return ENGINES.get(name.lower(), name)


def is_known_engine(name: str) -> bool:
    """Whether a MariaDB build may have the engine; for any other name the server refuses the
    table (sql_mode NO_ENGINE_SUBSTITUTION, the default) or substitutes its default engine."""
    return name.lower() in ENGINES


def canonical_charset(name: str) -> str:
    """``utf8`` is ``utf8mb3`` (MariaDB and MySQL 8 both say so); names are lower-case."""
    n = name.lower()
    return "utf8mb3" if n == "utf8" else n


def canonical_collation(name: str) -> str:
    n = name.lower()
    return "utf8mb3" + n[4:] if n.startswith("utf8_") else n


def charset_of(collation: str) -> str:
    """The character set a collation belongs to (its name up to the first ``_``)."""
    c = canonical_collation(collation)
    return "binary" if c == "binary" else canonical_charset(c.split("_", 1)[0])


def default_collation(charset: str) -> str:
    cs = canonical_charset(charset)
    entry = CHARSETS.get(cs)
    return entry[0] if entry else f"{cs}_general_ci"


def bin_collation(charset: str) -> str:
    cs = canonical_charset(charset)
    return "binary" if cs == "binary" else f"{cs}_bin"


def max_bytes_per_char(charset: str) -> int:
    entry = CHARSETS.get(canonical_charset(charset))
    return entry[1] if entry else 4
