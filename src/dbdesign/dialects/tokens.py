"""What the hand-written lexers and DDL readers (SQLite, MySQL) share: a script's text with
offset -> (line, column) mapping, tokens, a token cursor with the usual accept/expect helpers,
and expression checks through sqlglot. Each dialect keeps its own token pattern (its lexer, a
module beside this one) and its grammar (its reader, in ``readers/ddl``)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from dbdesign.errors import ParseError
from dbdesign.model import Origin


class Source:
    """The text of one script with offset -> (line, column) mapping."""

    def __init__(self, text: str, file: str | None) -> None:
        self.text = text
        self.file = file
        self._nl = [m.start() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self._nl, offset)
        line_start = self._nl[line - 1] + 1 if line > 0 else 0
        return line + 1, offset - line_start + 1

    def origin(self, offset: int) -> Origin:
        line, col = self.position(offset)
        return Origin(file=self.file, line=line, col=col)

    def error(self, message: str, offset: int) -> ParseError:
        line, col = self.position(offset)
        return ParseError(message, file=self.file, line=line, col=col)


@dataclass(frozen=True, slots=True)
class Tok:
    kind: str  # word, string, qident, number, var, op (and dialect kinds: blob, hex, bits)
    start: int
    end: int
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


class TokenCursor:
    """A position in one statement's tokens, with the helpers every grammar rule uses."""

    def __init__(self, src: Source, toks: list[Tok]) -> None:
        self.src = src
        self.toks = toks
        self.i = 0

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def word(self, k: int = 0) -> str:
        t = self.peek(k)
        return t.upper if t is not None else ""

    def is_op(self, text: str, k: int = 0) -> bool:
        t = self.peek(k)
        return t is not None and t.kind == "op" and t.text == text

    def accept(self, *words: str) -> bool:
        for k, w in enumerate(words):
            if self.word(k) != w:
                return False
        self.i += len(words)
        return True

    def accept_op(self, text: str) -> bool:
        if self.is_op(text):
            self.i += 1
            return True
        return False

    def offset(self) -> int:
        t = self.peek()
        if t is not None:
            return t.start
        return self.toks[-1].end if self.toks else 0

    def error(self, message: str, offset: int | None = None) -> ParseError:
        return self.src.error(message, self.offset() if offset is None else offset)

    def unexpected(self, expected: str) -> ParseError:
        t = self.peek()
        if t is None:
            return self.error(f"unexpected end of statement, expected {expected}")
        return self.error(f"near {t.text!r}: syntax error, expected {expected}")

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise self.unexpected(" ".join(words))

    def expect_op(self, text: str) -> None:
        if not self.accept_op(text):
            raise self.unexpected(repr(text))

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def expect_end(self) -> None:
        if not self.at_end():
            raise self.unexpected("end of statement")

    def origin(self, offset: int) -> Origin:
        return self.src.origin(offset)

    def name(self, what: str = "a name") -> str:
        raise NotImplementedError  # each dialect: which tokens are names, how they unquote

    def qualified_name(self, what: str = "a name") -> tuple[str | None, str]:
        first = self.name(what)
        if self.accept_op("."):
            return first, self.name(what)
        return None, first

    def balanced(
        self, stop_ops: frozenset[str] = frozenset(), stop_words: frozenset[str] = frozenset()
    ) -> tuple[int, int]:
        """Skip tokens up to a top-level stop token (not consumed); return the span [i, j)."""
        start = self.i
        depth = 0
        while True:
            t = self.peek()
            if t is None:
                if depth:
                    raise self.error("unbalanced parentheses")
                break
            if t.kind == "op":
                if depth == 0 and t.text in stop_ops:
                    break
                if t.text == "(":
                    depth += 1
                elif t.text == ")":
                    if depth == 0:
                        break
                    depth -= 1
            elif depth == 0 and t.kind == "word" and t.upper in stop_words:
                break
            self.i += 1
        return start, self.i

    def text(self, i: int, j: int) -> str:
        """Source text of tokens [i, j)."""
        return self.src.text[self.toks[i].start : self.toks[j - 1].end]


def error_at(message: str, origin: Origin | None) -> ParseError:
    if origin is None:
        return ParseError(message)
    return ParseError(message, file=origin.file, line=origin.line, col=origin.col)


def short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= 60 else one[:57] + "..."


def check_sqlglot(src: Source, text: str, offset: int, kind: str, dialect: str) -> None:
    """Parse an expression (or a query) with sqlglot; a failure is a ParseError at its place."""
    import sqlglot  # a large import: only where an expression is checked
    from sqlglot import exp

    try:
        if kind == "query":
            tree = sqlglot.parse_one(text, read=dialect)
            if not isinstance(tree, exp.Query):
                raise src.error("expected a SELECT statement", offset)
        else:
            sqlglot.parse_one(text, read=dialect, into=exp.Condition)
    except ParseError:
        raise
    except sqlglot.errors.ParseError as e:
        where = offset
        for err in e.errors:
            line, col = err.get("line"), err.get("col")
            if isinstance(line, int) and isinstance(col, int):
                # sqlglot points (1-based line, column) at the last character of the token.
                lines = text.split("\n")
                if 1 <= line <= len(lines):
                    at = sum(len(x) + 1 for x in lines[: line - 1]) + min(col, len(lines[line - 1]))
                    at -= len(str(err.get("highlight") or "x"))
                    where = offset + max(0, min(at, len(text)))
                break
        raise src.error(f"syntax error in expression {short(text)!r}", where) from None
    except Exception:  # TokenError and internal sqlglot failures on odd input
        raise src.error(f"syntax error in expression {short(text)!r}", offset) from None
