"""Strings that match a regular expression: the inverse of a regex match.

Check constraints such as ``code ~ '^[A-Z]{3}-[0-9]{4}$'`` or ``x LIKE 'INV-%'`` say what a value
must look like; :func:`compile_pattern` turns PostgreSQL's regex (advanced regular expressions,
in the subset that Python's ``re`` shares) or a LIKE pattern into a Python pattern, and
:class:`Xeger` draws random strings that match it by walking Python's own parse of the pattern.
Unbounded repeats (``*``, ``+``, ``{n,}``) draw at most a few extra repetitions.
"""

from __future__ import annotations

import random
import re
import re._constants as C  # type: ignore[import-not-found]
import re._parser as P  # type: ignore[import-not-found]
import string
from typing import Any

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

    def __call__(self, rng: random.Random) -> str:
        self._groups = {}
        return self._seq(self._tree, rng)

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
