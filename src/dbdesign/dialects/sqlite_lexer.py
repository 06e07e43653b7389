"""SQLite's tokens and statement boundaries, for the SQLite DDL reader and the SQLite writer.

:func:`tokenize` gives the significant tokens of a span (whitespace and comments dropped);
:func:`statement_spans` splits a script into statements with a coarse scan that steps over the
rows of large INSERTs without tokenizing them, ending a ``CREATE TRIGGER`` at the ``;`` after its
body's ``END``.
"""

from __future__ import annotations

import re

from dbdesign.dialects.tokens import Source, Tok

_TOKEN_RE = re.compile(
    r"""
 (?P<ws>[\ \t\n\f\r]+)
|(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
|(?P<string>'(?:[^']|'')*')
|(?P<blob>[xX]'[0-9A-Fa-f]*')
|(?P<qident>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
|(?P<number>0[xX][0-9A-Fa-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
|(?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
|(?P<var>\?\d*|[:@$][A-Za-z0-9_$]+)
|(?P<op>\|\||->>|->|<<|>>|<=|>=|==|!=|<>|[-+*/%&|~<>=,;().])
|(?P<bad>.)
""",
    re.S | re.X,
)


_BAD_QUOTE = {
    "'": "unterminated string literal",
    '"': "unterminated quoted identifier",
    "`": "unterminated quoted identifier",
    "[": "unterminated quoted identifier",
}


def tokenize(src: Source, start: int = 0, end: int | None = None) -> list[Tok]:
    """Significant tokens of ``src.text[start:end]`` (whitespace and comments dropped)."""
    toks: list[Tok] = []
    append = toks.append
    text = src.text
    for m in _TOKEN_RE.finditer(text, start, len(text) if end is None else end):
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            continue
        if kind == "bad":
            ch = m.group()
            raise src.error(_BAD_QUOTE.get(ch, f"unrecognized token {ch!r}"), m.start())
        append(Tok(kind or "op", m.start(), m.end(), m.group()))
    return toks


# The splitter only needs what can hide a ";" (quotes, comments) and the words that shape a
# trigger; everything else (numbers, punctuation, spaces) is stepped over by finditer, so the
# rows of a large INSERT cost almost nothing.
_COARSE_RE = re.compile(
    r"""(?P<c>--[^\n]*|/\*.*?(?:\*/|\Z))"""
    r"""|(?P<s>'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])"""
    r"""|(?P<w>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)"""
    r"""|(?P<semi>;)|(?P<bad>['"`\[])""",
    re.S,
)


_TEMP = frozenset(("TEMP", "TEMPORARY"))


def statement_spans(src: Source) -> list[tuple[int, int, str]]:
    """``(start, end, first word upper-cased)`` of each statement, without its ``;``.

    A ``CREATE [TEMP] TRIGGER`` ends at the ``;`` right after the ``END`` of its body;
    ``CASE ... END`` inside the trigger is counted so that it does not end the body.
    """
    text = src.text
    spans: list[tuple[int, int, str]] = []
    start = 0
    first: str | None = None
    head: list[str] = []
    body: _TriggerBody | None = None  # set from the word TRIGGER of CREATE [TEMP] TRIGGER
    for m in _COARSE_RE.finditer(text):
        kind = m.lastgroup
        if kind == "c":
            continue
        if kind == "semi":
            if body is not None and not body.ended:
                continue
            _close(src, spans, start, m.start(), first)
            start, first, head, body = m.end(), None, [], None
            continue
        if kind == "bad":
            raise src.error(_BAD_QUOTE[m.group()], m.start())
        if kind == "s":
            if first is None:
                first = ""
            if body is not None:
                body.ended = False
            continue
        u = m.group().upper()
        if first is None:
            first = u
        if len(head) < 3:
            head.append(u)
            if head[0] == "CREATE" and u == "TRIGGER" and all(h in _TEMP for h in head[1:-1]):
                body = _TriggerBody()
                continue
        if body is not None:
            body.word(u)
    _close(src, spans, start, len(text), first)
    return spans


def _close(
    src: Source, spans: list[tuple[int, int, str]], start: int, end: int, first: str | None
) -> None:
    """Record the statement ``src.text[start:end]`` that begins with the word ``first``."""
    if first is not None:
        spans.append((start, end, first))
    elif tokenize(src, start, end):  # only punctuation/numbers: not a statement we know
        spans.append((start, end, ""))


class _TriggerBody:
    """Whether a trigger's text so far ends its body: its last word or string is an ``END``
    that closes no ``CASE``."""

    __slots__ = ("case_depth", "ended")

    def __init__(self) -> None:
        self.case_depth = 0
        self.ended = False

    def word(self, u: str) -> None:
        if u == "CASE":
            self.case_depth += 1
            self.ended = False
        elif u == "END" and self.case_depth > 0:
            self.case_depth -= 1
            self.ended = False
        else:
            self.ended = u == "END"
