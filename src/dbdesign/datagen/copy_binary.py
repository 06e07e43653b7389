"""A batch of rows in PostgreSQL's binary COPY format, made column by column with numpy.

Each row is its field count (int16), then each field's length (int32, -1 for NULL) and its
bytes in the type's binary form (``typsend``/``typreceive``): big-endian integers, IEEE floats,
days since 2000-01-01 for a date, microseconds since 2000-01-01 for a timestamp, a numeric's
base-10000 digits, a text's UTF-8 bytes. Internal values (gen_base.py: integers, scaled
integers, days and seconds since 1970, ``str``) are turned into those a whole column at a time:
the server parses no text, and Python formats no number.

The columns are written in an order of their own (:attr:`BinaryTable.columns`, which the COPY
names): those of a fixed width first, so that in a batch where none of them is NULL they form
one record per row built by numpy in one array; the others (text, or a NULL among the values)
follow as a few bytes objects per row, joined with the records in one ``bytes.join``.

A table with a column of another kind (money, whose binary form depends on the server's
``lc_monetary``; arrays, ranges, json ...) has no :class:`BinaryTable` and is written as COPY
text.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dbdesign.datagen.gen_base import Gen
from dbdesign.datagen.gen_wrap import ChoiceGen
from dbdesign.datagen.internal import scale_of
from dbdesign.datagen.types import TypeInfo

NULL = b"\xff\xff\xff\xff"  # a field's length of -1
_UNIX_TO_2000_DAYS = 10_957  # PostgreSQL's dates and timestamps count from 2000-01-01
_UNIX_TO_2000_SECONDS = _UNIX_TO_2000_DAYS * 86_400
_INT_DTYPES = {16: ">i2", 32: ">i4", 64: ">i8"}
_I64_MAX = 2**63 - 1

# A column's values as fixed-width fields, without the length: an array of a big-endian dtype,
# one element (or row of elements) per value; or None when they do not fit the binary form's
# integer (the column is then encoded value by value).
# A None among the values raises TypeError.
_Fixed = Callable[[Sequence[Any]], "np.ndarray[Any, Any] | None"]


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    fixed: _Fixed | None  # fixed width (per batch); else ``cells`` makes each field
    # each value's length and bytes (NULL too), as one or two bytes objects per row
    cells: Callable[[Sequence[Any]], tuple[list[bytes], ...]]
    nullable: bool = True


class BinaryTable:
    """How one table's batches are written: :attr:`columns` in the order the COPY names."""

    def __init__(self, columns: Sequence[_Column]) -> None:
        # fixed-width columns first, NOT NULL ones first among them: they make one record
        # per row, up to the first that holds a NULL in the batch
        self._cols = sorted(columns, key=lambda c: (c.fixed is None, c.nullable))
        self.columns = [c.name for c in self._cols]
        self._count = len(columns).to_bytes(2, "big")

    def rows(self, values: Mapping[str, Sequence[Any]], n: int) -> bytes:
        """Rows ``0..n-1`` of ``values`` (internal values by column; None is NULL)."""
        fields: list[tuple[str, Any]] = [("count", len(self._cols))]
        rest: list[list[bytes]] = []
        for i, c in enumerate(self._cols):
            try:  # (a NULL among the values: numpy refuses None)
                data = None if c.fixed is None else c.fixed(values[c.name])
            except TypeError:
                data = None
            if data is None:  # text, a NULL, or a number too large for the fast form
                rest = [p for col in self._cols[i:] for p in col.cells(values[col.name])]
                break
            fields += [(f"size{i}", _width(data)), (f"value{i}", data)]
        record = _records(fields, n)
        if not rest:
            return record.tobytes()
        records = record.view(f"V{record.dtype.itemsize}").tolist()
        step = 1 + len(rest)
        pieces: list[bytes] = [b""] * (n * step)  # each row's pieces, row after row
        pieces[::step] = records
        for j, col in enumerate(rest, 1):
            pieces[j::step] = col
        return b"".join(pieces)


def _width(data: np.ndarray[Any, Any]) -> int:
    """The bytes of one row of ``data`` (a value, or a row of parts)."""
    return int(data.dtype.itemsize * np.prod(data.shape[1:], dtype=np.int64))


def _records(fields: Sequence[tuple[str, Any]], n: int) -> np.ndarray[Any, Any]:
    """``n`` records of the fields side by side, packed: a field's value an int (the same in
    every record: an int16 for the field ``count``, else an int32) or an array of a
    big-endian dtype, one element (or row of elements) per record."""
    layout: list[tuple[Any, ...]] = []
    for name, v in fields:
        if isinstance(v, int):
            layout.append((name, ">i2" if name == "count" else ">i4"))
        else:
            layout.append((name, v.dtype, v.shape[1:]))
    record = np.empty(n, np.dtype(layout))
    for name, v in fields:
        record[name] = v
    return record


def binary_table(columns: Sequence[tuple[str, TypeInfo, Gen, bool]]) -> BinaryTable | None:
    """The binary form of a table's columns (name, type, generator, whether NULL may be
    written), or None when a column's kind has none here (the table is then written as COPY
    text)."""
    out = []
    for name, info, gen, nullable in columns:
        c = _column(name, info, gen)
        if c is None:
            return None
        out.append(replace(c, nullable=nullable))
    return BinaryTable(out)


def _column(name: str, info: TypeInfo, gen: Gen) -> _Column | None:
    k = info.kind
    if info.is_array:
        return None
    if k == "int" and info.bits in _INT_DTYPES:
        return _numbers(name, _INT_DTYPES[info.bits], 0, 1, bits=info.bits)
    if k == "bool":
        return _numbers(name, "u1", 0, 1, bits=1)
    if k == "float":
        return _numbers(name, ">f4" if info.name == "real" else ">f8", 0, 1, bits=0)
    if k == "date":
        return _numbers(name, ">i4", _UNIX_TO_2000_DAYS, 1, bits=32)
    if k in ("timestamp", "timestamptz"):
        return _numbers(name, ">i8", _UNIX_TO_2000_SECONDS, 1_000_000, bits=64)
    if k == "numeric":
        scale = scale_of(info)
        return _Column(name, lambda v: _numeric(v, scale), lambda v: (_numeric_cells(v, scale),))
    if k == "uuid":
        return _Column(name, _uuid, lambda v: (_cells_of_fixed(v, _uuid, _one_uuid),))
    if k in ("text", "enum"):
        if isinstance(gen, ChoiceGen):
            return _Column(name, None, _choice_cells(gen))
        return _Column(name, None, _text_cells)
    return None


# --------------------------------------------------------------------------- fixed width


def _numbers(name: str, dtype: str, offset: int, factor: int, bits: int) -> _Column:
    """Integers (``bits`` wide; 0 for floats, 1 for booleans) written as ``dtype`` after
    ``(v - offset) * factor``."""
    np_dtype = np.dtype(dtype)
    source = np.float64 if bits == 0 else np.int64
    top = 2 ** (bits - 1) - 1 if bits > 1 else None

    def fixed(vals: Sequence[Any]) -> np.ndarray[Any, Any] | None:
        try:
            a = np.fromiter(vals, source, len(vals))
        except OverflowError:
            return None
        if offset:
            a = a - offset
        if factor != 1:
            if top is not None and len(a) and int(np.abs(a).max()) > top // factor:
                return None
            a = a * factor
        elif top is not None and len(a) and (int(a.max()) > top or int(a.min()) < -top - 1):
            return None
        return a.astype(np_dtype)

    def cells(vals: Sequence[Any]) -> tuple[list[bytes]]:
        return (_cells_of_fixed(vals, fixed, lambda v: _one_number(v, np_dtype, offset, factor)),)

    return _Column(name, fixed, cells)


def _one_number(v: Any, dtype: np.dtype[Any], offset: int, factor: int) -> bytes:
    """One value as :func:`_numbers` writes it, checked against the type's range (numpy
    would wrap around)."""
    x = (v - offset) * factor
    if dtype.kind == "i" and not -(2 ** (8 * dtype.itemsize - 1)) <= x < 2 ** (
        8 * dtype.itemsize - 1
    ):
        raise OverflowError(f"{v} does not fit the column's type")
    return np.array([x], dtype).tobytes()


def _cells_of_fixed(
    vals: Sequence[Any],
    fixed: _Fixed,
    one: Callable[[Any], bytes] | None = None,
) -> list[bytes]:
    """Length and bytes of each value (NULL as -1), the non-NULL ones made by ``fixed`` at
    once (or by ``one``, value by value, when ``fixed`` cannot)."""
    present = [v for v in vals if v is not None]
    data = fixed(present) if present else None  # (None would raise TypeError)
    if data is not None:
        both = _records([("size", _width(data)), ("value", data)], len(present))
        made = iter(both.view(f"V{both.dtype.itemsize}").tolist())
    else:
        if one is None:
            raise OverflowError("a value does not fit the column's binary form")
        made = iter([len(b).to_bytes(4, "big") + b for b in map(one, present)])
    return [NULL if v is None else next(made) for v in vals]


def _numeric(vals: Sequence[Any], scale: int) -> np.ndarray[Any, Any] | None:
    """numeric values, scaled integers (12.34 at scale 2 is 1234), as PostgreSQL's binary
    numeric: ndigits, weight, sign, dscale (int16 each), then base-10000 digits; the same
    number of digits in every row (leading zeros, which the server strips)."""
    pad = (-scale) % 4  # decimal digits that fill the last base-10000 fractional digit
    try:
        a = np.fromiter(vals, np.int64, len(vals))
    except OverflowError:
        return None
    neg = a < 0
    mag = np.abs(a)
    if len(a) and int(mag.max()) > _I64_MAX // 10**pad:
        return None
    mag = mag * 10**pad
    frac = (scale + pad) // 4
    top = int(mag.max()) if len(a) else 0
    ndigits = max(frac + 1, -(-len(str(top)) // 4))
    out = np.empty((len(a), 4 + ndigits), ">i2")
    out[:, 0] = ndigits
    out[:, 1] = ndigits - 1 - frac  # weight: the power of 10000 of the first digit
    out[:, 2] = np.where(neg, 0x4000, 0)
    out[:, 3] = scale
    for j in range(ndigits - 1, -1, -1):
        out[:, 4 + j] = mag % 10_000
        mag //= 10_000
    return out


def _numeric_cells(vals: Sequence[Any], scale: int) -> list[bytes]:
    return _cells_of_fixed(vals, lambda v: _numeric(v, scale), lambda v: _one_numeric(v, scale))


def _one_numeric(v: int, scale: int) -> bytes:
    """:func:`_numeric` of one value of any size."""
    pad = (-scale) % 4
    mag = abs(v) * 10**pad
    digits = []
    while mag:
        mag, d = divmod(mag, 10_000)
        digits.append(d)
    frac = (scale + pad) // 4
    digits += [0] * max(0, frac + 1 - len(digits))
    digits.reverse()
    head = [len(digits), len(digits) - 1 - frac, 0x4000 if v < 0 else 0, scale]
    return np.array(head + digits, ">i2").tobytes()


_HEX = np.full(256, 255, np.uint8)
for _i, _ch in enumerate(b"0123456789abcdef"):
    _HEX[_ch] = _i
    _HEX[ord(chr(_ch).upper())] = _i
_UUID_HEX = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])


def _uuid(vals: Sequence[Any]) -> np.ndarray[Any, Any] | None:
    """uuids written ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``, as their 16 bytes."""
    text = "".join(vals).encode("ascii")
    if len(text) != 36 * len(vals):
        return None
    nibbles = _HEX[np.frombuffer(text, np.uint8).reshape(-1, 36)[:, _UUID_HEX]]
    if (nibbles == 255).any():  # not that form: value by value
        return None
    return (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]


def _one_uuid(v: Any) -> bytes:
    return uuid.UUID(str(v)).bytes


# --------------------------------------------------------------------------- text


def _text_cells(vals: Sequence[Any]) -> tuple[list[bytes], list[bytes]]:
    """Length and UTF-8 bytes of each value, as two bytes objects (joined with the row)."""
    if None in vals:
        encoded = [b"" if v is None else str(v).encode() for v in vals]
        sizes = np.fromiter(map(len, encoded), np.int32, len(vals))
        sizes[[i for i, v in enumerate(vals) if v is None]] = -1
    else:
        try:
            encoded = list(map(str.encode, vals))
        except TypeError:  # a value that is not a str
            encoded = [str(v).encode() for v in vals]
        sizes = np.fromiter(map(len, encoded), np.int32, len(vals))
    return sizes.astype(">i4").view("V4").tolist(), encoded


def _choice_cells(gen: ChoiceGen) -> Callable[[Sequence[Any]], tuple[list[bytes], ...]]:
    """Fields of a column drawn from a fixed list: each value's field made once."""

    def field(v: Any) -> bytes:
        b = str(v).encode()
        return len(b).to_bytes(4, "big") + b

    try:
        known = {v: field(v) for v in gen.values}
    except TypeError:  # unhashable values
        return _text_cells
    known[None] = NULL

    def cells(vals: Sequence[Any]) -> tuple[list[bytes]]:
        try:
            return (list(map(known.__getitem__, vals)),)
        except KeyError:  # a value from elsewhere (a foreign key's, a rule's)
            return ([known[v] if v in known else field(v) for v in vals],)

    return cells
