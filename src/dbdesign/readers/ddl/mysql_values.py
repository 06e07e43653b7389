"""What MariaDB stores for a literal DEFAULT, as ``information_schema.COLUMNS.COLUMN_DEFAULT``
shows it: the DDL reader writes a default the way the catalog reader will read it back.

Numbers take the column's type (``5`` on a ``decimal(5,2)`` is ``5.00``, ``2.5`` on an ``int``
is ``3``, ``1.25`` on a ``float(7,1)`` is ``1.2``, ``1e20`` on a ``double`` is ``1e20``), dates
and times their canonical form, strings their column's (a ``binary(4)`` pads with zero bytes,
a ``char`` drops trailing spaces, ``set`` members come in definition order, once each, spelt
as defined).
"""

from __future__ import annotations

import math
import re
import struct
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

from dbdesign.dialects.mysql import (
    BLOB_TYPES,
    INTEGER_TYPES,
    NUMERIC_TYPES,
    TEMPORAL_FSP,
    TEXT_TYPES,
    base_name,
    quote_string,
    unquote_string,
)
from dbdesign.model import DataType

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?$"
)
_TIME = re.compile(r"^(-?\d{1,3}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def _fraction(digits: str | None, fsp: int) -> str:
    if not fsp:
        return ""
    return "." + (digits or "").ljust(fsp, "0")[:fsp]


def temporal_literal(base: str, value: str, fsp: int) -> str | None:
    """``'2020-01-01'`` on a datetime column reads back as ``'2020-01-01 00:00:00'``."""
    v = value.strip()
    if base == "date":
        m = _DATE.match(v) or _DATETIME.match(v)
        if m:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    elif base in ("datetime", "timestamp"):
        m = _DATETIME.match(v)
        if m:
            y, mo, d, h, mi, s, f = m.groups()
            return (
                f"{y}-{int(mo):02d}-{int(d):02d} {int(h):02d}:{int(mi):02d}:{int(s or 0):02d}"
                + _fraction(f, fsp)
            )
        m = _DATE.match(v)
        if m:
            y, mo, d = m.groups()
            return f"{y}-{int(mo):02d}-{int(d):02d} 00:00:00" + _fraction(None, fsp)
    elif base == "time":
        m = _TIME.match(v)
        if m:
            h, mi, s, f = m.groups()
            sign = "-" if h.startswith("-") else ""
            return f"{sign}{abs(int(h)):02d}:{int(mi):02d}:{int(s or 0):02d}" + _fraction(f, fsp)
    return None


def temporal_zero(t: DataType) -> str:
    """The zero value of a datetime or timestamp (``0000-00-00 00:00:00.000`` for (3))."""
    fsp = int(t.args[0]) if t.args else 0
    return "0000-00-00 00:00:00" + _fraction(None, fsp)


def _single(f: float) -> float | None:
    """``f`` stored in a FLOAT (4 bytes); None when out of its range."""
    try:
        return float(struct.unpack("f", struct.pack("f", f))[0])
    except OverflowError:
        return None


def float_text(f: float, single: bool) -> str:
    """How the server prints a FLOAT (``single``) or DOUBLE without decimals (my_gcvt): the
    shortest digits that read back (six at most for a FLOAT), ``e`` notation only for large
    or tiny exponents, no ``+`` and no padding in the exponent (``1e20``, ``0.00001``)."""
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    d = Decimal(abs(f)) if single else Decimal(repr(abs(f)))
    if single:
        d = Context(prec=6, rounding=ROUND_HALF_EVEN).plus(d)
    _, digit_tuple, exp = d.normalize().as_tuple()
    assert isinstance(exp, int)
    digits = "".join(map(str, digit_tuple))
    n = len(digits)
    decpt = n + exp  # where the decimal point goes, counted from the first digit
    if decpt >= -14 and (decpt <= 15 or n > decpt):
        if decpt <= 0:
            body = "0." + "0" * -decpt + digits
        elif decpt < n:
            body = digits[:decpt] + "." + digits[decpt:]
        else:
            body = digits + "0" * (decpt - n)
    else:
        body = digits[0] + ("." + digits[1:] if n > 1 else "") + f"e{decpt - 1}"
    return sign + body


def _float_default(text: str, t: DataType) -> str | None:
    f = float(text)
    single = base_name(t) == "float"
    if len(t.args) == 2:  # FLOAT(M,D), DOUBLE(M,D): the fraction rounded to D digits
        dec = int(t.args[1])
        whole = math.floor(f)
        f = whole + round((f - whole) * 10**dec) / 10**dec  # rint(): ties to even
        stored = _single(f) if single else f
        return None if stored is None else f"{stored + 0.0:.{dec}f}"
    stored = _single(f) if single else f
    return None if stored is None else float_text(stored, single)


def _number_text(value: str, t: DataType, kind: str) -> str | None:
    base = base_name(t)
    try:
        d = Decimal(value.strip())
    except InvalidOperation:
        return None
    if base in INTEGER_TYPES or base in ("boolean", "year"):
        n = int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))  # 2.5 -> 3, -2.5 -> -3
        if base == "year":
            return _year(n, kind == "string" and len(value.strip()) <= 2)
        if t.name.endswith(" zerofill") and t.args:
            return str(n).zfill(int(t.args[0]))  # ZEROFILL pads the default too
        return str(n)
    if base == "decimal":
        scale = int(t.args[1]) if len(t.args) > 1 else 0
        return str(d.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP))
    if base in ("float", "double"):
        return _float_default(value, t)
    return None


def _year(n: int, two_digit_string: bool) -> str:
    """YEAR: 1-69 is 2001-2069, 70-99 1970-1999; 0 is 0000, but '0' and '00' are 2000."""
    if n == 0 and not two_digit_string:
        return "0000"
    if 0 <= n <= 69:
        return str(2000 + n)
    if 70 <= n <= 99:
        return str(1900 + n)
    return str(n)


def _members(t: DataType) -> list[str]:
    return [unquote_string(a) for a in t.args if isinstance(a, str)]


def _member(members: list[str], value: str) -> str:
    """The member ``value`` names, spelt as defined (case and trailing spaces aside)."""
    v = value.rstrip(" ").lower()
    return next((m for m in members if m.rstrip(" ").lower() == v), value)


def _string_default(t: DataType, value: str) -> str:
    base = base_name(t)
    if base == "binary" and t.args:  # BINARY(n) pads with zero bytes
        value = value.ljust(int(t.args[0]), "\0")
    elif base == "char":  # CHAR drops trailing spaces
        value = value.rstrip(" ")
    elif base == "enum":
        value = _member(_members(t), value)
    elif base == "set" and value:
        members = _members(t)
        chosen = {_member(members, v) for v in value.split(",")}
        value = ",".join(m for m in members if m in chosen) if chosen <= set(members) else value
    return quote_string(value)


def _blob_default(kind: str, value: str) -> str:
    """A number, hex or bits DEFAULT of a TEXT or BLOB column (JSON too): the server keeps
    it as an expression, the literal as its parser prints it (not a string of it)."""
    if kind == "bits":  # b'101' is 0x05, b'' stays
        width = (len(value) + 7) // 8 * 2
        return "0x" + format(int(value, 2), f"0{width}x") if value else "b''"
    if kind == "hex" or "e" in value.lower():  # hex and floats as written
        return value
    if "." in value:  # a decimal: 0.5 for .5, 0.0 for -0.0
        d = Decimal(value)
        return str(abs(d) if d.is_zero() else d)
    return str(int(value))  # 7 for 007, 0 for -0


def default_literal(t: DataType, kind: str, value: str) -> str | None:
    """The text the server reports for a literal DEFAULT, or None if not a plain literal.

    ``kind`` is ``number``, ``string`` (``value`` decoded), ``bool`` (``"1"``/``"0"``),
    ``bits`` (``value`` the digits of b'...') or ``hex`` (the digits of x'...').
    A number on a CHAR or VARCHAR column becomes a quoted string (on a TEXT or BLOB it stays
    an expression: _blob_default), a string on a numeric column a
    number, a decimal gets its scale, a date or time its canonical form.
    """
    base = base_name(t)
    if kind == "bool":
        kind = "number"
    if base == "bit":
        if kind == "bits":
            return "b'" + (value.lstrip("0") or "0") + "'"
        if kind == "number" and value.isdigit():
            return "b'" + format(int(value), "b") + "'"
        return None
    if (base in TEXT_TYPES or base in BLOB_TYPES) and kind != "string":
        return _blob_default(kind, value)
    if kind == "hex":  # x'0A0B' / 0x0A0B: a string of those bytes (a number on numbers)
        digits = value[2:-1] if value[:2].lower() == "x'" else value[2:]
        if len(digits) % 2:
            digits = "0" + digits
        if base in NUMERIC_TYPES:
            return str(int(digits or "0", 16))
        data = bytes.fromhex(digits)
        return _string_default(t, data.decode("ascii")) if data.isascii() else None
    if kind == "bits":
        return None
    if base in NUMERIC_TYPES:
        text = value.strip() if kind == "string" else value
        if not _NUMBER.match(text):
            return None
        return _number_text(text, t, kind)
    if base in TEMPORAL_FSP or base == "date":
        fsp = int(t.args[0]) if t.args else 0
        lit = temporal_literal(base, value, fsp)
        return quote_string(lit) if lit is not None else None
    return _string_default(t, value)
