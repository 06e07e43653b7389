"""Fuzz the PostgreSQL DDL reader: no input may make it raise anything but our ParseError."""

from __future__ import annotations

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.paths import PG_CORPUS

from dbdesign.errors import ParseError
from dbdesign.readers.ddl.postgres import read_ddl

_STATEMENTS = [
    s.strip() + ";"
    for p in PG_CORPUS
    for s in p.read_text().split(";\n")
    if s.strip() and len(s) < 3000
][:3000]


def _read(text: str) -> None:
    with contextlib.suppress(ParseError):
        read_ddl(text, file="fuzz.sql", warn=lambda d: None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    _read(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(_STATEMENTS), min_size=1, max_size=6),
    st.integers(min_value=0, max_value=2**32),
    st.integers(0, 8),
)
def test_mutated_corpus_statements(stmts: list[str], seed: int, cuts: int) -> None:
    """Corpus statements shuffled, truncated and spliced: schema statements out of order
    (ALTER before CREATE), half statements, tokens swapped."""
    rnd = random.Random(seed)
    text = "\n".join(stmts)
    tokens = text.split(" ")
    for _ in range(cuts):
        if not tokens:
            break
        op = rnd.randrange(3)
        i = rnd.randrange(len(tokens))
        if op == 0:
            del tokens[i]
        elif op == 1:
            tokens.insert(i, rnd.choice(tokens))
        else:
            j = rnd.randrange(len(tokens))
            tokens[i], tokens[j] = tokens[j], tokens[i]
    _read(" ".join(tokens))
