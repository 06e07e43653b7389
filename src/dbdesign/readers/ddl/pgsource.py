"""The text of a PostgreSQL DDL file before it is parsed: what is not schema is blanked (INSERT,
COPY data, psql meta-commands) with byte offsets kept, a large text is cut into chunks at
statement boundaries, and byte offsets map back to line and column."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from pglast import parser
from pglast.parser import ParseError as PglastParseError

# Statements that carry no schema: skipped without a word.
_SKIP_KEYWORDS = frozenset(
    """
    insert update delete copy select values truncate begin commit rollback start end savepoint
    release abort vacuum analyze analyse explain checkpoint lock listen notify unlisten discard
    show deallocate prepare execute fetch move close declare reindex cluster load
    """.split()
)  # (RESET is read: RESET ROLE and RESET search_path matter)
_BEGIN_ATOMIC = re.compile(r"\bbegin\s+atomic\b", re.I)
_META_LINE = re.compile(r"^\\[a-zA-Z!?]")
_COPY_FROM_STDIN = re.compile(r"^\s*copy\b.*\bfrom\s+stdin\b", re.I | re.S)


class Lines:
    """Byte offset -> (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self.data = text.encode()
        self.starts = [0]
        pos = self.data.find(b"\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = self.data.find(b"\n", pos + 1)

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        col = len(self.data[self.starts[i] : offset].decode(errors="replace")) + 1
        return i + 1, col


def blank_meta_and_copy(text: str) -> str:
    """Blank psql meta-command lines and the data lines of COPY ... FROM stdin."""
    if not (text.startswith("\\") or "\n\\" in text):
        return text  # no line starts with a backslash: no meta-commands, no COPY data
    out = []
    in_copy = False
    for ln in text.split("\n"):
        if in_copy:
            out.append("")
            if ln.rstrip("\r") == "\\.":
                in_copy = False
            continue
        if _META_LINE.match(ln):
            out.append("")
            continue
        out.append(ln)
        if _COPY_FROM_STDIN.match(ln) and ln.rstrip().endswith(";"):
            in_copy = True
    return "\n".join(out)


def blank_non_schema(text: str) -> str:
    """Blank psql meta-commands, COPY data and non-schema statements, keeping every offset.

    Offsets stay valid because removed text is replaced with spaces (newlines kept), so the
    parser's byte locations still point into the original file.
    """
    cleaned = blank_meta_and_copy(text)
    # The scanner-only split cuts SQL-standard bodies (BEGIN ATOMIC ... END) at their inner
    # semicolons; where they occur, ask the parser for the statement boundaries.
    with_parser = "atomic" in cleaned.lower() and _BEGIN_ATOMIC.search(cleaned) is not None
    try:
        slices = parser.split(cleaned, with_parser=with_parser, only_slices=True)
    except Exception:
        return cleaned
    pieces = []
    prev = 0
    for sl in slices:
        chunk = cleaned[sl.start : sl.stop]
        word = _first_word(chunk)
        if word in _SKIP_KEYWORDS or (word == "with" and "insert" in chunk[:200].lower()):
            pieces.append(cleaned[prev : sl.start])
            pieces.append(_spaces(chunk))
            prev = sl.stop
    pieces.append(cleaned[prev:])
    return "".join(pieces)


_WORD = re.compile(r"\s*(?:(?:--[^\n]*\n)|(?:/\*.*?\*/)|\s)*\(*\s*([A-Za-z_]+)", re.S)


def _first_word(chunk: str) -> str:
    m = _WORD.match(chunk)
    return m.group(1).lower() if m else ""


def _spaces(chunk: str) -> str:
    """Blank a chunk with one space per UTF-8 byte (newlines kept), so byte offsets hold."""
    if chunk.isascii():
        return re.sub(r"[^\n]", " ", chunk)
    return "".join("\n" if ch == "\n" else " " * len(ch.encode()) for ch in chunk)


# Characters of statements parsed at a time: bounds the parse tree held in memory (a 50 MB
# schema's whole tree as JSON dicts took several GB), at no cost in speed.
_CHUNK = 1 << 20
_BEGIN_ATOMIC = re.compile(r"\bbegin\s+atomic\b", re.I)


def chunks(text: str) -> Iterator[tuple[int, str]]:
    """``text`` as (start, chunk) pieces ending at statement boundaries. The scanner finds the
    boundaries; it cannot see into a BEGIN ATOMIC body, so such a text is parsed whole."""
    if len(text) <= _CHUNK or _BEGIN_ATOMIC.search(text):
        yield 0, text
        return
    try:
        slices = parser.split(text, with_parser=False, only_slices=True)
    except PglastParseError:
        yield 0, text  # the parse will report the error where it is
        return
    start = 0
    for sl in slices:
        if sl.stop - start >= _CHUNK:
            end = sl.stop + 1 if text[sl.stop : sl.stop + 1] == ";" else sl.stop
            yield start, text[start:end]
            start = end
    if start < len(text):
        yield start, text[start:]
