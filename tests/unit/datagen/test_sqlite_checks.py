"""SQLite checks the generator translates: GLOB patterns as anchored regexes and
``col = lower(col)``, each compared with what SQLite itself answers."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbdesign.datagen.checks import _sqlite_to_postgres, glob_regex

PATTERNS = ["[A-Z][A-Z]", "+[1-9]*", "[^a-c]?x", "a*b?c", "[]x]*", "file.*", "[A-Z][A-Z][A-Z]"]
TEXT = st.text(alphabet="aAbBcCxXzZ19+.]^[ -*?", max_size=6)


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    return sqlite3.connect(":memory:")


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=300, deadline=None)
@given(value=TEXT)
def test_glob_regex_agrees_with_sqlite(db: sqlite3.Connection, pattern: str, value: str) -> None:
    (want,) = db.execute("SELECT ? GLOB ?", (value, pattern)).fetchone()
    assert bool(re.fullmatch(glob_regex(pattern), value)) == bool(want), (pattern, value)


@settings(max_examples=200, deadline=None)
@given(value=st.text(alphabet="abcXYZ019@.ÄÖé", max_size=8))
def test_lower_regex_agrees_with_sqlite_lower(value: str) -> None:
    # ``c = lower(c)`` becomes a regex on c (SQLite's lower() folds ASCII letters only)
    translated = _sqlite_to_postgres("c = lower(c)")
    m = re.fullmatch(r"c ~ '(.*)'", translated)
    assert m, translated
    db = sqlite3.connect(":memory:")
    (want,) = db.execute("SELECT ? = lower(?)", (value, value)).fetchone()
    assert bool(re.fullmatch(m.group(1), value)) == bool(want), value
