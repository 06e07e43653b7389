"""Strings that match a regular expression: the inverse of a regex match.

Check constraints such as ``code ~ '^[A-Z]{3}-[0-9]{4}$'`` or ``x LIKE 'INV-%'`` say what a value
must look like; :func:`compile_pattern` turns PostgreSQL's regex (advanced regular expressions,
in the subset that Python's ``re`` shares) or a LIKE pattern into a Python pattern, and
:class:`Xeger` draws random strings that match it by walking Python's own parse of the pattern.
Unbounded repeats (``*``, ``+``, ``{n,}``) draw at most a few extra repetitions.

:meth:`Xeger.many` draws many strings at once, column by column: one draw (numpy's, see
draws.py) per character class for all the rows (a repeat of a class is one draw of
``n * count`` characters, cut into rows), which is what makes a pattern column as cheap as
any other. A pattern with a back reference is drawn one string at a time.
"""

from __future__ import annotations

import random
import re
import re._constants as C  # type: ignore[import-not-found]
import re._parser as P  # type: ignore[import-not-found]
import string
from collections.abc import Callable
from itertools import repeat
from typing import Any

import numpy as np

from dbdesign.datagen.draws import FEW, indexes, picks

_WORD = string.ascii_letters + string.digits + "_"
_DIGITS = string.digits
_SPACE = " "
_PRINTABLE = string.ascii_letters + string.digits + " .,-_@:/+"
# What '.' and negated classes draw from: letters read better than punctuation.
_ANY = string.ascii_lowercase
_EXTRA_REPEATS = 6
# The repeat opcodes: greedy, lazy and (Python 3.11 on) possessive.
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT))

# POSIX bracket classes PostgreSQL accepts and Python does not.
_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:alnum:]": "a-zA-Z0-9",
    "[:upper:]": "A-Z",
    "[:lower:]": "a-z",
    "[:space:]": r"\s",
    "[:punct:]": r"!-/:-@\[-`{-~",
    "[:xdigit:]": "0-9A-Fa-f",
    "[:word:]": r"\w",
}


def translate_regex(pattern: str) -> str:
    """A PostgreSQL ARE as Python's ``re`` reads it (POSIX classes, word boundaries)."""
    for posix, py in _POSIX_CLASSES.items():
        pattern = pattern.replace(posix, py)
    return pattern.replace(r"\m", r"\b").replace(r"\M", r"\b").replace(r"\y", r"\b")


def like_to_regex(pattern: str, escape: str = "\\") -> str:
    """A LIKE pattern as an anchored regex: ``%`` any run, ``_`` one character."""
    out = ["^"]
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
        i += 1
    out.append("$")
    return "".join(out)


def compile_pattern(regex: str, *, icase: bool = False) -> re.Pattern[str]:
    """Compile a (translated) regex; raises ``re.error`` for what Python cannot read."""
    return re.compile(regex, (re.IGNORECASE if icase else 0) | re.DOTALL)


class Xeger:
    """Random strings matching one compiled pattern."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self._tree = P.parse(pattern.pattern, pattern.flags)
        self._groups: dict[int, str] = {}
        self._many = _columns(self._tree)

    def __call__(self, rng: random.Random) -> str:
        self._groups = {}
        return self._seq(self._tree, rng)

    def many(self, rng: random.Random, n: int) -> list[str]:
        """``n`` strings, drawn column by column where the pattern allows."""
        if self._many is None or n <= 0:
            return [self(rng) for _ in range(n)]
        out = self._many(rng, n)
        return [out] * n if isinstance(out, str) else out

    def _seq(self, items: Any, rng: random.Random) -> str:
        return "".join(self._one(op, av, rng) for op, av in items)

    def _one(self, op: Any, av: Any, rng: random.Random) -> str:
        """The text of one node of the parse: a character, or a construct around others."""
        if op is C.LITERAL:
            return chr(av)
        if op is C.NOT_LITERAL:
            return rng.choice([c for c in _ANY if ord(c) != av] or ["x"])
        if op is C.ANY:
            return rng.choice(_ANY)
        if op is C.IN:
            return self._class(av, rng)
        if op is C.CATEGORY:
            return self._category(av, rng)
        return self._construct(op, av, rng)

    def _construct(self, op: Any, av: Any, rng: random.Random) -> str:
        """A repeat, group, alternation, back reference or anchor."""
        if op in _REPEATS:
            lo, hi, sub = av
            if hi is C.MAXREPEAT:
                hi = lo + _EXTRA_REPEATS
            return "".join(self._seq(sub, rng) for _ in range(rng.randint(lo, hi)))
        if op is C.SUBPATTERN:
            group, _add, _del, sub = av
            text = self._seq(sub, rng)
            if group is not None:
                self._groups[group] = text
            return text
        if op is C.BRANCH:
            _, branches = av
            return self._seq(rng.choice(branches), rng)
        if op is C.GROUPREF:
            return self._groups.get(av, "")
        if op is C.AT:
            return ""
        if op is C.ATOMIC_GROUP:
            return self._seq(av, rng)
        raise ValueError(f"cannot generate strings for regex construct {op}")

    def _category(self, cat: Any, rng: random.Random) -> str:
        if cat is C.CATEGORY_DIGIT:
            return rng.choice(_DIGITS)
        if cat is C.CATEGORY_WORD:
            return rng.choice(_WORD)
        if cat is C.CATEGORY_SPACE:
            return _SPACE
        if cat is C.CATEGORY_NOT_DIGIT:
            return rng.choice(_ANY)
        if cat is C.CATEGORY_NOT_WORD:
            return rng.choice(" .-")
        if cat is C.CATEGORY_NOT_SPACE:
            return rng.choice(_ANY)
        raise ValueError(f"cannot generate strings for regex category {cat}")

    def _class(self, items: Any, rng: random.Random) -> str:
        negate = bool(items) and items[0][0] is C.NEGATE
        if negate:
            members = {c for c in _PRINTABLE if _in_class(c, items[1:])}
            pool = [c for c in _PRINTABLE if c not in members] or ["x"]
            return rng.choice(pool)
        op, av = rng.choice(items)
        if op is C.LITERAL:
            return chr(av)
        if op is C.RANGE:
            return chr(rng.randint(av[0], av[1]))
        if op is C.CATEGORY:
            return self._category(av, rng)
        raise ValueError(f"cannot generate strings for regex class member {op}")


def _in_class(ch: str, items: Any) -> bool:
    code = ord(ch)
    for op, av in items:
        if op is C.LITERAL and av == code:
            return True
        if op is C.RANGE and av[0] <= code <= av[1]:
            return True
        if op is C.CATEGORY:
            probe = {
                C.CATEGORY_DIGIT: ch.isdigit(),
                C.CATEGORY_WORD: ch.isalnum() or ch == "_",
                C.CATEGORY_SPACE: ch.isspace(),
            }.get(av, False)
            if probe:
                return True
    return False


# --------------------------------------------------------------------------- many at once

# the strings of n rows: one string when all rows get the same, else one per row
_Rows = str | list[str]
_Draw = Callable[[random.Random, int], _Rows]
_POOL_LIMIT = 5_000  # a class of more characters is drawn one string at a time
_CATEGORY_POOLS = {
    C.CATEGORY_DIGIT: _DIGITS,
    C.CATEGORY_WORD: _WORD,
    C.CATEGORY_SPACE: _SPACE,
    C.CATEGORY_NOT_DIGIT: _ANY,
    C.CATEGORY_NOT_WORD: " .-",
    C.CATEGORY_NOT_SPACE: _ANY,
}


def _columns(tree: Any) -> _Draw | None:
    """A function drawing the strings of many rows at once, or None (a back reference, or a
    construct or class too large to draw that way)."""
    try:
        return _seq_draw(list(tree))
    except _OneByOne:
        return None


class _OneByOne(Exception):
    """The pattern is drawn one string at a time."""


def _seq_draw(items: list[tuple[Any, Any]]) -> _Draw:
    draws = [_node_draw(op, av) for op, av in items]
    if len(draws) == 1:
        return draws[0]
    return lambda rng, n: _concat([d(rng, n) for d in draws], n)


def _concat(parts: list[_Rows], n: int) -> _Rows:
    if all(isinstance(p, str) for p in parts):
        return "".join(parts)  # type: ignore[arg-type]
    cols = [repeat(p, n) if isinstance(p, str) else p for p in parts]
    return list(map("".join, zip(*cols, strict=False)))


def _node_draw(op: Any, av: Any) -> _Draw:
    if op is C.LITERAL:
        ch = chr(av)
        return lambda rng, n: ch
    if op in (C.AT,):
        return lambda rng, n: ""
    pool = _pool(op, av)
    if pool is not None:
        return _class_draw(pool)
    if op in _REPEATS:
        return _repeat_draw(*av)
    if op is C.SUBPATTERN:
        return _seq_draw(list(av[3]))
    if op is C.ATOMIC_GROUP:
        return _seq_draw(list(av))
    if op is C.BRANCH:
        return _branch_draw([_seq_draw(list(b)) for b in av[1]])
    raise _OneByOne  # a back reference, or what Xeger itself refuses


def _pool(op: Any, av: Any) -> list[str] | None:
    """The characters one node draws from, when it is a single character."""
    if op is C.ANY:
        return list(_ANY)
    if op is C.NOT_LITERAL:
        return [c for c in _ANY if ord(c) != av] or ["x"]
    if op is C.CATEGORY:
        if av not in _CATEGORY_POOLS:
            raise _OneByOne
        return list(_CATEGORY_POOLS[av])
    if op is not C.IN:
        return None
    if av and av[0][0] is C.NEGATE:
        return [c for c in _PRINTABLE if not _in_class(c, av[1:])] or ["x"]
    chars: list[str] = []
    for member, value in av:
        if member is C.LITERAL:
            chars.append(chr(value))
        elif member is C.RANGE and value[1] - value[0] < _POOL_LIMIT:
            chars.extend(map(chr, range(value[0], value[1] + 1)))
        elif member is C.CATEGORY and value in _CATEGORY_POOLS:
            chars.extend(_CATEGORY_POOLS[value])
        else:
            raise _OneByOne
    return sorted(set(chars))


def _class_draw(pool: list[str]) -> _Draw:
    if len(pool) == 1:
        return lambda rng, n: pool[0]
    return lambda rng, n: picks(rng, pool, n)


def _repeat_draw(lo: int, hi: Any, sub: Any) -> _Draw:
    hi = lo + _EXTRA_REPEATS if hi is C.MAXREPEAT else hi
    items = list(sub)
    pool = _pool(*items[0]) if len(items) == 1 else None
    if pool is not None:  # a class repeated: all the rows' characters in one draw
        return lambda rng, n: _repeat_class(rng, n, pool, lo, hi)
    one = _seq_draw(items)

    def draw(rng: random.Random, n: int) -> _Rows:
        cols = [one(rng, n) for _ in range(hi)]
        if lo == hi:
            return _concat(cols, n)
        counts = [rng.randint(lo, hi) for _ in range(n)]
        return [
            "".join(c if isinstance(c, str) else c[i] for c in cols[:k])
            for i, k in enumerate(counts)
        ]

    return draw


def _repeat_class(rng: random.Random, n: int, pool: list[str], lo: int, hi: int) -> _Rows:
    if hi == 0:
        return ""
    text = _chars(rng, pool, n * hi)
    if lo == hi:
        return [text[i : i + hi] for i in range(0, n * hi, hi)]
    counts = picks(rng, range(lo, hi + 1), n)
    return [text[i : i + k] for i, k in zip(range(0, n * hi, hi), counts, strict=True)]


def _chars(rng: random.Random, pool: list[str], k: int) -> str:
    """``k`` characters of ``pool``, uniformly, as one string (numpy's draws)."""
    if k < FEW:
        return "".join(rng.choices(pool, k=k))
    codes = np.array([ord(c) for c in pool], np.uint32)
    text: str = codes[indexes(rng, len(pool), k)].tobytes().decode("utf-32-le")
    return text


def _branch_draw(branches: list[_Draw]) -> _Draw:
    def draw(rng: random.Random, n: int) -> _Rows:
        which = picks(rng, range(len(branches)), n)
        made = [b(rng, n) for b in branches]
        return [m if isinstance(m := made[b], str) else m[i] for i, b in enumerate(which)]

    return draw
