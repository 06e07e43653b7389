"""Splitting a MySQL / MariaDB script into statements, as the ``mysql`` client does, and
statements into tokens: for the MySQL DDL reader, the MySQL writer and migrations.

``DELIMITER`` lines change the statement terminator (mysqldump's ``DELIMITER ;;`` around
triggers and routines), quotes and comments (``--``, ``#``, ``/* */``) are respected, and
version comments (``/*!40101 ... */``, ``/*M!100100 ... */``) are read as the code they hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbdesign.dialects.tokens import Source, Tok


@dataclass(frozen=True, slots=True)
class MySQLStatement:
    """One statement of a script: ``[start, end)`` in the source, without its delimiter."""

    start: int
    end: int
    first: str  # the first word, upper-cased ("" when the statement starts otherwise)
    source: Source

    @property
    def text(self) -> str:
        return self.source.text[self.start : self.end]


_STRING = r"""'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`(?:[^`]|``)*`"""
_COMMENT = r"""--(?=[ \t\r\n\f\v]|$)[^\n]*|\#[^\n]*"""
_WORD = r"""[A-Za-z_$\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*"""
_UNTERMINATED = {
    "'": "unterminated string literal",
    '"': "unterminated string literal",
    "`": "unterminated quoted identifier",
    "/*": "unterminated comment",
}


def _split_pattern(delimiter: str, words: bool) -> re.Pattern[str]:
    parts = [
        f"(?P<d>{re.escape(delimiter)})",
        f"(?P<c>{_COMMENT})",
        r"(?P<x>/\*(?P<xm>M?)!(?P<xv>\d{0,6}))",
        r"(?P<bc>/\*.*?\*/)",
        r"(?P<xc>\*/)",
        f"(?P<s>{_STRING})",
        r"(?P<bad>['\"`]|/\*)",
    ]
    if words:
        parts.append(f"(?P<w>{_WORD})")
        parts.append(r"(?P<o>[^\s])")
    return re.compile("|".join(parts), re.S | re.M)


_PATTERNS: dict[tuple[str, bool], re.Pattern[str]] = {}


def _pattern(delimiter: str, words: bool) -> re.Pattern[str]:
    key = (delimiter, words)
    p = _PATTERNS.get(key)
    if p is None:
        p = _PATTERNS[key] = _split_pattern(delimiter, words)
    return p


# The server version the reader takes the part of, for version comments: MariaDB 10.11.
SERVER_VERSION = 101100


def _executed(mariadb_only: str, version: str) -> bool:
    """Whether ``/*!NNNNN ... */`` (``/*M!NNNNNN`` for MariaDB only) runs on the server."""
    return not version or int(version) <= SERVER_VERSION


def split_script(text: str, file: str | None = None) -> tuple[Source, list[MySQLStatement]]:
    """Split a script into statements as the ``mysql`` client does.

    Returns the :class:`Source` (the text with version-comment markers blanked) and the
    statements in order. ``DELIMITER`` lines are consumed, not returned.
    """
    blanks: list[tuple[int, int]] = []
    spans: list[tuple[int, int, str]] = []
    delimiter = ";"
    pos = 0
    start = 0
    first: str | None = None  # first word of the current statement, "" if it starts otherwise
    in_version_comment = False
    n = len(text)
    while pos < n:
        m = _pattern(delimiter, first is None).search(text, pos)
        if m is None:
            break
        kind = m.lastgroup
        if kind == "d":
            if first is not None:
                spans.append((start, m.start(), first))
            pos = start = m.end()
            first = None
            continue
        pos = m.end()
        if kind in ("c", "bc"):
            continue
        if kind == "x":
            if _executed(m.group("xm"), m.group("xv")):
                blanks.append((m.start(), m.end()))
                in_version_comment = True
                continue
            close = text.find("*/", pos)  # for a later server: a comment
            if close == -1:
                raise Source(text, file).error(_UNTERMINATED["/*"], m.start())
            pos = close + 2
            continue
        if kind == "xc":
            if in_version_comment:
                blanks.append((m.start(), m.end()))
                in_version_comment = False
            elif first is None:
                first = ""
            continue
        if kind == "bad":
            src = Source(text, file)
            raise src.error(_UNTERMINATED[m.group()], m.start())
        if first is not None:
            continue
        if kind == "w" and m.group().upper() == "DELIMITER":
            eol = text.find("\n", pos)
            eol = n if eol == -1 else eol
            rest = text[pos:eol].split()
            if not rest:
                raise Source(text, file).error("DELIMITER needs a delimiter", m.start())
            delimiter = rest[0]
            pos = start = eol
            continue
        first = m.group().upper() if kind == "w" else ""
    if first is not None:
        spans.append((start, n, first))
    if blanks:
        out: list[str] = []
        last = 0
        for a, b in blanks:
            out.append(text[last:a])
            out.append(" " * (b - a))
            last = b
        out.append(text[last:])
        text = "".join(out)
    src = Source(text, file)
    return src, [MySQLStatement(a, b, f, src) for a, b, f in spans]


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
 (?P<ws>\s+)
|(?P<comment>--(?=[ \t\r\n\f\v]|$)[^\n]*|\#[^\n]*|/\*.*?\*/)
|(?P<string>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
|(?P<qident>`(?:[^`]|``)*`)
|(?P<hex>[xX]'[0-9A-Fa-f]*'|0x[0-9A-Fa-f]+\b)
|(?P<bits>[bB]'[01]*'|0b[01]+\b)
|(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z_$]))
|(?P<var>@@?(?:[A-Za-z0-9_$.]+|'(?:[^'\\]|\\.|'')*'|`(?:[^`]|``)*`|"(?:[^"\\]|\\.|"")*")?)
|(?P<word>[A-Za-z0-9_$\x80-\U0010ffff]+)
|(?P<op><=>|->>|->|:=|<<|>>|<=|>=|<>|!=|\|\||&&|[-+*/%&|^~!<>=,;().:{}?\[\]])
|(?P<bad>.)
""",
    re.S | re.X,
)


def tokenize(src: Source, start: int = 0, end: int | None = None) -> list[Tok]:
    toks: list[Tok] = []
    text = src.text
    for m in _TOKEN_RE.finditer(text, start, len(text) if end is None else end):
        kind = m.lastgroup or "op"
        if kind in ("ws", "comment"):
            continue
        if kind == "bad":
            raise src.error(f"unexpected character {m.group()!r}", m.start())
        toks.append(Tok(kind, m.start(), m.end(), m.group()))
    return toks
