"""Semantic types -> each dialect's best column type and the checks that keep values valid.

One table per dialect. Each entry returns the column type and the SQL conditions (on the column
named ``c``) that the design puts in the column's CHECK constraint, and a one-line reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dbdesign import dialects
from dbdesign.model import DataType
from dbdesign.readers.spec import Attribute

TINYINT = (-128, 127)
SMALLINT = (-32768, 32767)
INTEGER = (-(2**31), 2**31 - 1)
# MySQL: the longest varchar a whole-column InnoDB key holds in utf8mb4 (3072 bytes / 4), and
# the characters TEXT holds for sure (65,535 bytes / 4).
VARCHAR_INDEXABLE = 768
TEXT_CHARS = 16_383


@dataclass(frozen=True, slots=True)
class Physical:
    type: DataType
    checks: tuple[str, ...]  # conditions; ``{c}`` stands for the quoted column name
    reason: str
    not_null: bool = False  # forced NOT NULL (booleans)


def literal(v: object, dialect: str) -> str:
    """A spec value as a literal of ``dialect`` (strings in the dialect's own quoting: MySQL
    reads backslashes as escapes, so a value ending in one would end the literal early)."""
    d = dialects.get(dialect)
    if isinstance(v, bool):
        return d.boolean_literals[v]
    if isinstance(v, int | float):
        return str(v)
    return d.quote_string(str(v))


def _text_len(a: Attribute, default_max: int, length_fn: str) -> tuple[str, ...]:
    hi = a.max_length or default_max
    lo = a.min_length if a.min_length is not None else (1 if a.required else None)
    if lo:
        return (f"{length_fn}({{c}}) >= {lo}", f"{length_fn}({{c}}) <= {hi}")
    return (f"{length_fn}({{c}}) <= {hi}",)


def _range(a: Attribute) -> tuple[str, ...]:
    out = []
    if a.min is not None:
        out.append(f"{{c}} >= {a.min}")
    if a.max is not None:
        out.append(f"{{c}} <= {a.max}")
    return tuple(out)


def integer_type(a: Attribute) -> str:
    lo = a.min if a.min is not None else INTEGER[0]
    hi = a.max if a.max is not None else INTEGER[1]
    if a.min is not None and a.max is not None and SMALLINT[0] <= lo and hi <= SMALLINT[1]:
        return "smallint"
    if INTEGER[0] <= lo and hi <= INTEGER[1]:
        return "integer"
    return "bigint"


def _money_args(a: Attribute) -> tuple[int, int]:
    return (a.precision or 12, a.scale if a.scale is not None else 2)


# PostgreSQL's types whose column does not depend on the attribute's options.
_POSTGRES_FIXED: dict[str, Physical] = {
    "long_text": Physical(DataType(name="text"), (), "text: no practical length limit"),
    "email": Physical(
        DataType(name="text"),
        (
            "char_length({c}) <= 254",
            # The format, lower-case only: equality and uniqueness then ignore case.
            r"{c} ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'",
        ),
        "text stored lower-case (CHECK), so equality and uniqueness ignore case",
    ),
    "url": Physical(
        DataType(name="text"),
        ("char_length({c}) <= 2048", "{c} ~ '^https?://'"),
        "text with a scheme CHECK",
    ),
    "phone": Physical(
        DataType(name="text"), ("{c} ~ '^\\+[1-9][0-9]{6,14}$'",), "text in E.164 form (CHECK)"
    ),
    "boolean": Physical(
        DataType(name="boolean"), (), "NOT NULL boolean: no third 'unknown' state", not_null=True
    ),
    "date": Physical(DataType(name="date"), (), "date"),
    "timestamp": Physical(
        DataType(name="timestamp with time zone"), (), "timestamptz: an unambiguous point in time"
    ),
    "time": Physical(DataType(name="time without time zone"), (), "time of day (never timetz)"),
    "duration": Physical(DataType(name="interval"), (), "interval"),
    "json": Physical(DataType(name="jsonb"), (), "jsonb: binary, indexable (never json)"),
    "uuid": Physical(DataType(name="uuid"), (), "uuid"),
    "country_code": Physical(
        DataType(name="text"), ("{c} ~ '^[A-Z]{2}$'",), "ISO 3166-1 alpha-2 (CHECK)"
    ),
    "isbn": Physical(
        DataType(name="text"),
        ("{c} ~ '^97[89][0-9]{10}$'",),
        "text: ISBN-13 digits (format CHECK; the check digit in its own CHECK)",
    ),
    "iban": Physical(
        DataType(name="text"),
        ("{c} ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'",),
        "text: an IBAN without spaces (format CHECK; mod 97 in its own CHECK)",
    ),
    "ean": Physical(
        DataType(name="text"),
        ("{c} ~ '^[0-9]{13}$'",),
        "text: EAN-13 digits (format CHECK; the check digit in its own CHECK)",
    ),
    "currency_code": Physical(
        DataType(name="text"), ("{c} ~ '^[A-Z]{3}$'",), "ISO 4217 code (CHECK)"
    ),
    "ip_address": Physical(
        DataType(name="inet"), (), "inet: validated, compact, with network operators"
    ),
    "password_hash": Physical(
        DataType(name="text"),
        ("char_length({c}) >= 20", "char_length({c}) <= 255"),
        "a hash (bcrypt/argon2), never the password",
    ),
}


def postgres(a: Attribute) -> Physical:
    t = a.type
    T = DataType
    if t in _POSTGRES_FIXED:
        return _POSTGRES_FIXED[t]
    if t in ("text", "identifier"):
        return Physical(
            T(name="text"),
            _text_len(a, 255 if t == "text" else 64, "char_length"),
            "text with a length CHECK: the limit is a rule that can change without a type change",
        )
    if t == "money":
        return Physical(
            T(name="numeric", args=_money_args(a)),
            _range(a),
            "numeric: exact decimal arithmetic (never float or the money type)",
        )
    if t == "decimal":
        args = (a.precision or 12, a.scale or 0)
        return Physical(T(name="numeric", args=args), _range(a), "numeric: exact")
    if t == "integer":
        name = integer_type(a)
        return Physical(T(name=name), _range(a), f"{name}: the smallest type that holds the range")
    if t == "enum":
        assert a.values
        vals = ", ".join(literal(v, "postgres") for v in a.values)
        return Physical(T(name="text"), (f"{{c}} IN ({vals})",), "text with an IN CHECK")
    if t == "vector":
        return Physical(T(name="vector", args=(a.dim or 0,)), (), "pgvector's vector")
    raise AssertionError(t)


# SQLite's codes: the GLOB of their format, and why
_SQLITE_CODES: dict[str, tuple[str, str]] = {
    "country_code": ("[A-Z][A-Z]", "ISO code (CHECK)"),
    "currency_code": ("[A-Z][A-Z][A-Z]", "ISO code (CHECK)"),
    "isbn": ("97[89]" + "[0-9]" * 10, "TEXT: ISBN-13 digits"),
    "ean": ("[0-9]" * 13, "TEXT: EAN-13 digits"),
    "iban": ("[A-Z][A-Z][0-9][0-9]*", "TEXT: an IBAN (mod 97 in its own CHECK)"),
}


def sqlite(a: Attribute) -> Physical:
    t = a.type
    T = DataType
    if t in ("text", "identifier", "long_text", "password_hash"):
        pg = postgres(a)
        checks = tuple(c.replace("char_length(", "length(") for c in pg.checks)
        return Physical(T(name="text"), checks, "TEXT with a length CHECK")
    if t == "email":
        return Physical(
            T(name="text"),
            ("length({c}) <= 254", "{c} LIKE '%_@_%._%'", "{c} = lower({c})"),
            "TEXT stored lower-case (CHECK)",
        )
    if t == "url":
        return Physical(
            T(name="text"),
            ("length({c}) <= 2048", "({c} LIKE 'http://%' OR {c} LIKE 'https://%')"),
            "TEXT with a scheme CHECK",
        )
    if t == "phone":
        return Physical(T(name="text"), ("{c} GLOB '+[1-9]*'",), "TEXT in E.164 form")
    if t in ("money", "decimal"):
        p, s = _money_args(a) if t == "money" else (a.precision or 12, a.scale or 0)
        return Physical(T(name="numeric", args=(p, s)), _range(a), "NUMERIC affinity")
    if t == "integer":
        return Physical(T(name="integer"), _range(a), "INTEGER")
    if t == "boolean":
        return Physical(T(name="integer"), ("{c} IN (0, 1)",), "INTEGER 0/1 (CHECK)", not_null=True)
    if t in ("date", "timestamp", "time", "duration"):
        return Physical(T(name="text"), (), "TEXT in ISO 8601 (SQLite's date functions)")
    if t == "enum":
        assert a.values
        vals = ", ".join(literal(v, "sqlite") for v in a.values)
        return Physical(T(name="text"), (f"{{c}} IN ({vals})",), "TEXT with an IN CHECK")
    if t in ("json", "uuid", "ip_address", "vector"):
        return Physical(T(name="text"), (), "TEXT")
    if t in _SQLITE_CODES:
        glob, why = _SQLITE_CODES[t]
        return Physical(T(name="text"), (f"{{c}} GLOB '{glob}'",), why)
    raise AssertionError(t)


def mysql_integer_type(a: Attribute) -> str:
    """As :func:`integer_type`, with MySQL's one-byte tinyint for a range that fits it."""
    name = integer_type(a)
    if name == "smallint" and TINYINT[0] <= (a.min or 0) and (a.max or 0) <= TINYINT[1]:
        return "tinyint"
    return "int" if name == "integer" else name


def _mysql_text_len(a: Attribute, default_max: int) -> tuple[int, tuple[str, ...]]:
    """varchar(n) keeps the upper bound (strict SQL mode, the default, refuses longer values);
    a CHECK keeps the lower bound."""
    hi = a.max_length or default_max
    lo = a.min_length if a.min_length is not None else (1 if a.required else None)
    return hi, ((f"char_length({{c}}) >= {lo}",) if lo else ())


def _mysql_text(a: Attribute) -> Physical:
    """text, identifier and password_hash: varchar up to what an InnoDB key holds, else TEXT
    with a length CHECK."""
    t = a.type
    T = DataType
    default_max = {"text": 255, "identifier": 64, "password_hash": 255}[t]
    hi, checks = _mysql_text_len(a, default_max)
    if t == "password_hash":
        checks = ("char_length({c}) >= 20",)
    if hi > VARCHAR_INDEXABLE:
        return Physical(
            T(name="text"),
            (*checks, f"char_length({{c}}) <= {hi}"),
            f"TEXT with a length CHECK: {hi} characters are past what an InnoDB key holds",
        )
    why = (
        f"varchar({hi}): MySQL needs a length on text that is indexed or unique, and "
        "strict SQL mode refuses longer values"
    )
    if checks:
        why += "; a CHECK for the minimum length"
    if t == "password_hash":
        why = "varchar(255): a hash (bcrypt/argon2), never the password"
    return Physical(T(name="varchar", args=(hi,)), checks, why)


# MySQL's types whose column does not depend on the attribute's options.
_MYSQL_FIXED: dict[str, Physical] = {
    "email": Physical(
        DataType(name="varchar", args=(254,)),
        ("{c} regexp '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'",),
        "varchar(254) with a format CHECK; the case-insensitive collation (utf8mb4_*_ci) "
        "makes equality and uniqueness ignore case",
    ),
    "url": Physical(
        DataType(name="varchar", args=(2048,)),
        ("({c} like 'http://%' or {c} like 'https://%')",),
        "varchar(2048) with a scheme CHECK",
    ),
    "phone": Physical(
        DataType(name="varchar", args=(16,)),
        ("{c} regexp '^[+][1-9][0-9]{6,14}$'",),
        "varchar(16) in E.164 form (CHECK)",
    ),
    "boolean": Physical(
        DataType(name="boolean"),
        (),
        "NOT NULL BOOLEAN (tinyint(1), 0 or 1): no third 'unknown' state",
        not_null=True,
    ),
    "date": Physical(DataType(name="date"), (), "date"),
    "timestamp": Physical(
        DataType(name="datetime", args=(6,)),
        (),
        "DATETIME(6) holding UTC (the application writes UTC): TIMESTAMP converts with the "
        "session time zone and ends in 2038",
    ),
    "time": Physical(DataType(name="time"), (), "time of day"),
    "duration": Physical(
        DataType(name="bigint"),
        (),
        "bigint seconds: MySQL has no interval type, and TIME stops at 838 hours",
    ),
    "json": Physical(
        DataType(name="json"), (), "JSON: validated (MariaDB: longtext with a json_valid CHECK)"
    ),
    "uuid": Physical(
        DataType(name="binary", args=(16,)),
        (),
        "BINARY(16), not CHAR(36): 16 bytes instead of 36, in the row and in every "
        "index that holds it",
    ),
    "isbn": Physical(
        DataType(name="char", args=(13,)),
        ("{c} regexp '^97[89][0-9]{10}$'",),
        "char(13): ISBN-13 digits (format CHECK; the check digit in its own CHECK)",
    ),
    "iban": Physical(
        DataType(name="varchar", args=(34,)),
        ("{c} regexp '(?-i)^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'",),
        "varchar(34): an IBAN without spaces (format CHECK; mod 97 in its own CHECK)",
    ),
    "ean": Physical(
        DataType(name="char", args=(13,)),
        ("{c} regexp '^[0-9]{13}$'",),
        "char(13): EAN-13 digits (format CHECK; the check digit in its own CHECK)",
    ),
    "country_code": Physical(
        DataType(name="char", args=(2,)),
        ("{c} regexp '(?-i)^[A-Z]{2}$'",),
        "ISO 3166-1 alpha-2, upper case (case-sensitive CHECK)",
    ),
    "currency_code": Physical(
        DataType(name="char", args=(3,)),
        ("{c} regexp '(?-i)^[A-Z]{3}$'",),
        "ISO 4217 code, upper case (case-sensitive CHECK)",
    ),
}


def mysql(a: Attribute) -> Physical:
    """MySQL 8 / MariaDB 10.x (utf8mb4, strict SQL mode, InnoDB)."""
    t = a.type
    T = DataType
    if t in _MYSQL_FIXED:
        return _MYSQL_FIXED[t]
    if t in ("text", "identifier", "password_hash"):
        return _mysql_text(a)
    if t == "long_text":
        if a.max_length and a.max_length > TEXT_CHARS:
            return Physical(
                T(name="mediumtext"), (), "MEDIUMTEXT: TEXT holds 64 KB, too little here"
            )
        return Physical(T(name="text"), (), "TEXT: up to 64 KB, stored off the row page when long")
    if t == "money":
        return Physical(
            T(name="decimal", args=_money_args(a)),
            _range(a),
            "DECIMAL: exact decimal arithmetic (never FLOAT or DOUBLE)",
        )
    if t == "decimal":
        args = (a.precision or 12, a.scale or 0)
        return Physical(T(name="decimal", args=args), _range(a), "DECIMAL: exact")
    if t == "integer":
        name = mysql_integer_type(a)
        return Physical(T(name=name), _range(a), f"{name}: the smallest type that holds the range")
    if t == "enum":
        assert a.values
        # MySQL reads a backslash in a string as an escape: its own quoting, never _lit
        vals = ", ".join(literal(v, "mysql") for v in a.values)
        width = max(len(v) for v in a.values)
        return Physical(
            T(name="varchar", args=(width,)),
            (f"{{c}} in ({vals})",),
            "varchar with an IN CHECK (a new value is a CHECK change, not an ENUM rebuild)",
        )
    if t == "ip_address":
        cond = "is_ipv4({c}) or is_ipv6({c})"
        return Physical(
            T(name="varchar", args=(45,)),
            (cond if a.required else f"{{c}} is null or {cond}",),
            "varchar(45): IPv4 or IPv6 text (CHECK), readable and portable (MariaDB's INET6 "
            "type is not in MySQL)",
        )
    if t == "vector":
        return Physical(
            T(name="json"),
            (f"json_length({{c}}) = {a.dim or 0}",),
            "JSON array of floats with its length CHECKed: MySQL 8 and MariaDB 10 have no "
            "vector type or index; similarity search runs outside the database",
        )
    raise AssertionError(t)


MAPPERS: dict[str, Callable[[Attribute], Physical]] = {
    "postgres": postgres,
    "sqlite": sqlite,
    "mysql": mysql,
}
