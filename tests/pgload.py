"""Load a SQL file into a real PostgreSQL database the way psql would, in Python.

psql meta-commands (``\\c``, ``\\restrict`` ...) are dropped, and so are CREATE/DROP DATABASE
statements (they target other databases; the test loads into its own scratch database).
"""

from __future__ import annotations

import re

from pglast import parser

from dbdesign.engine import connect

_META = re.compile(r"^\\[a-zA-Z!?].*$", re.M)
_DATABASE_STMT = re.compile(r"^(\s|--[^\n]*\n|/\*.*?\*/)*(create|drop)\s+database\b", re.I | re.S)


def script_statements(text: str) -> list[str]:
    text = _META.sub("", text)
    try:  # the parser knows where BEGIN ATOMIC bodies end; the scanner does not
        stmts = parser.split(text, with_parser=True)
    except Exception:
        stmts = parser.split(text, with_parser=False)
    return [s for s in stmts if s.strip() and not _DATABASE_STMT.match(s)]


def load_sql(url: str, text: str) -> None:
    """Run every statement of ``text`` in one transaction; raise on the first error."""
    with connect(url) as conn:
        with conn.cursor() as cur:
            for stmt in script_statements(text):
                cur.execute(stmt.encode())  # type: ignore[call-overload]
        conn.commit()
