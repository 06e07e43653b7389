"""Splitting a MySQL / MariaDB script into statements, as the ``mysql`` client does, and
statements into tokens: for the MySQL DDL reader, the MySQL writer and migrations.

``DELIMITER`` lines change the statement terminator (mysqldump's ``DELIMITER ;;`` around
triggers and routines), quotes and comments (``--``, ``#``, ``/* */``) are respected, and
version comments (``/*!40101 ... */``, ``/*M!100100 ... */``) are read as the code they hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


class _Splitter:
    """Where :func:`split_script` is in a script: the delimiter, the statement it is in, the
    statements it has found and the version-comment markers to blank."""

    def __init__(self, text: str, file: str | None) -> None:
        self.text = text
        self.file = file
        self.blanks: list[tuple[int, int]] = []
        self.spans: list[tuple[int, int, str]] = []
        self.delimiter = ";"
        self.pos = 0
        self.start = 0
        self.first: str | None = None  # first word of the statement, "" if it starts otherwise
        self.in_version_comment = False

    def split(self) -> tuple[Source, list[MySQLStatement]]:
        n = len(self.text)
        while self.pos < n:
            m = _pattern(self.delimiter, self.first is None).search(self.text, self.pos)
            if m is None:
                break
            self.pos = m.end()
            _ON_MATCH[m.lastgroup or ""](self, m)
        if self.first is not None:
            self.spans.append((self.start, n, self.first))
        src = Source(self.blanked(), self.file)
        return src, [MySQLStatement(a, b, f, src) for a, b, f in self.spans]

    def delimited(self, m: re.Match[str]) -> None:
        """The delimiter: the end of a statement (if one has begun)."""
        if self.first is not None:
            self.spans.append((self.start, m.start(), self.first))
        self.start = m.end()
        self.first = None

    def comment(self, m: re.Match[str]) -> None:
        pass

    def version_comment(self, m: re.Match[str]) -> None:
        """``/*!NNNNN``: code for the server, or a comment for a later one."""
        if _executed(m.group("xm"), m.group("xv")):
            self.blanks.append((m.start(), m.end()))
            self.in_version_comment = True
            return
        close = self.text.find("*/", self.pos)
        if close == -1:
            raise Source(self.text, self.file).error(_UNTERMINATED["/*"], m.start())
        self.pos = close + 2

    def comment_end(self, m: re.Match[str]) -> None:
        """``*/``: the end of a version comment, else text that starts a statement."""
        if self.in_version_comment:
            self.blanks.append((m.start(), m.end()))
            self.in_version_comment = False
        elif self.first is None:
            self.first = ""

    def unterminated(self, m: re.Match[str]) -> None:
        raise Source(self.text, self.file).error(_UNTERMINATED[m.group()], m.start())

    def token(self, m: re.Match[str]) -> None:
        """A string, word or other character: the first starts a statement (or is the client's
        DELIMITER command)."""
        if self.first is not None:
            return
        if m.lastgroup == "w" and m.group().upper() == "DELIMITER":
            self.delimiter_command(m)
            return
        self.first = m.group().upper() if m.lastgroup == "w" else ""

    def delimiter_command(self, m: re.Match[str]) -> None:
        """``DELIMITER x``: the rest of the line, up to the first space, ends statements now."""
        eol = self.text.find("\n", self.pos)
        eol = len(self.text) if eol == -1 else eol
        rest = self.text[self.pos : eol].split()
        if not rest:
            raise Source(self.text, self.file).error("DELIMITER needs a delimiter", m.start())
        self.delimiter = rest[0]
        self.pos = self.start = eol

    def blanked(self) -> str:
        """The text with the version-comment markers replaced by spaces."""
        if not self.blanks:
            return self.text
        out: list[str] = []
        last = 0
        for a, b in self.blanks:
            out.append(self.text[last:a])
            out.append(" " * (b - a))
            last = b
        out.append(self.text[last:])
        return "".join(out)


# What a match of each group of the split pattern does (see _split_pattern).
_ON_MATCH: dict[str, Callable[[_Splitter, re.Match[str]], None]] = {
    "d": _Splitter.delimited,
    "c": _Splitter.comment,
    "bc": _Splitter.comment,
    "x": _Splitter.version_comment,
    "xc": _Splitter.comment_end,
    "bad": _Splitter.unterminated,
    "s": _Splitter.token,
    "w": _Splitter.token,
    "o": _Splitter.token,
}


def split_script(text: str, file: str | None = None) -> tuple[Source, list[MySQLStatement]]:
    """Split a script into statements as the ``mysql`` client does.

    Returns the :class:`Source` (the text with version-comment markers blanked) and the
    statements in order. ``DELIMITER`` lines are consumed, not returned.
    """
    return _Splitter(text, file).split()


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
