"""A rule's expression in a dialect's SQL: how each dialect writes it (:func:`dialect_style`),
and the design's columns for an entity's fields (:func:`sql_of`)."""

from __future__ import annotations

from collections.abc import Callable

from dbdesign import dialects
from dbdesign.design.draft import Draft
from dbdesign.dialects.mysql import MYSQL
from dbdesign.dialects.postgres import POSTGRES
from dbdesign.readers import expression as X


def dialect_style(dialect: str, column: Callable[[str], str]) -> X.Style:
    """How ``dialect`` writes a rule's expression, each field written by ``column``: exact
    division (PostgreSQL and SQLite divide integers as integers), MySQL's ``flag <> 0`` for a
    boolean field standing as a condition (as the server stores it)."""
    d = dialects.get(dialect)
    if d is POSTGRES:
        divide = "{a}::numeric / {b}"
    elif d is MYSQL:
        divide = "{a} / {b}"
    else:
        divide = "CAST({a} AS REAL) / {b}"
    return X.Style(
        column=column,
        string=d.quote_string,
        booleans=d.boolean_literals,
        divide=lambda a, b: divide.format(a=a, b=b),
        truth=(lambda c: f"{c} <> 0") if d is MYSQL else (lambda c: c),
    )


def style(b: Draft, ename: str, prefix: str = "") -> X.Style:
    """How this design writes an expression of entity ``ename`` (``prefix``: ``NEW.`` in a
    trigger)."""
    q = dialects.get(b.dialect).quote_ident
    return dialect_style(b.dialect, lambda f: prefix + q(b.column_of(ename, f)))


def live(condition: str | None, soft: bool) -> str | None:
    """``condition`` (spec syntax) among the rows not soft-deleted when ``soft``."""
    if not soft:
        return condition
    return f"({condition}) and deleted_at is null" if condition else "deleted_at is null"


def sql_of(b: Draft, ename: str, text: str, prefix: str = "") -> str:
    return X.render(X.parse(text), style(b, ename, prefix))
