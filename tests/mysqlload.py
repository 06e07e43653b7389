"""Load a MySQL script into a scratch database the way the ``mysql`` client would.

The script is split by the DDL reader's splitter (DELIMITER lines, quotes, comments, version
comments), and each statement is sent on its own. The script's own database is replaced by the
scratch database: ``CREATE/DROP DATABASE`` and ``USE`` statements are not sent, and names
qualified with the script's database (``sakila.film``) are re-qualified with the scratch one.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from dbdesign.dialects.mysql import unquote_ident
from dbdesign.engine import connect_mysql
from dbdesign.readers.ddl.mysql import split_script, tokenize

TEST_MYSQL_ENV = "DBDESIGN_TEST_MYSQL_URL"


def mysql_server_url() -> str:
    """The URL of the test MariaDB; fails (never skips) when the variable is not set."""
    url = os.environ.get(TEST_MYSQL_ENV)
    if not url:
        pytest.fail(
            f"set {TEST_MYSQL_ENV} to the URL of a MySQL/MariaDB server "
            "(e.g. mysql://root@127.0.0.1:3306/test) to run this test",
            pytrace=False,
        )
    return url


def _database_statement(tokens: list[Any]) -> str | None:
    """``USE db`` -> db; CREATE/DROP DATABASE|SCHEMA -> "" (skipped); else None."""
    words = [t.upper for t in tokens[:3]]
    if words[:1] == ["USE"]:
        return unquote_ident(tokens[1].text)
    if (
        words[:1] in (["CREATE"], ["DROP"])
        and len(words) > 1
        and words[1]
        in (
            "DATABASE",
            "SCHEMA",
        )
    ):
        return ""
    return None


def statements_for(script: str, scratch: str) -> list[str]:
    """The statements of ``script`` to send to a server whose current database is ``scratch``."""
    src, statements = split_script(script)
    home: str | None = None
    out: list[str] = []
    for st in statements:
        toks = tokenize(src, st.start, st.end)
        if not toks:
            continue
        db = _database_statement(toks)
        if db is not None:
            if db and home is None:
                home = db
            continue
        text = src.text[st.start : st.end]
        if home is not None:  # re-qualify `home`.x as `scratch`.x, back to front
            for i in range(len(toks) - 2, -1, -1):
                t = toks[i]
                nxt = toks[i + 1]
                if (
                    t.kind in ("word", "qident")
                    and unquote_ident(t.text) == home
                    and nxt.kind == "op"
                    and nxt.text == "."
                    and nxt.start == t.end
                ):
                    a, b = t.start - st.start, t.end - st.start
                    text = text[:a] + f"`{scratch}`" + text[b:]
        out.append(text.strip())
    return out


def load_mysql(url: str, script: str) -> None:
    """Run ``script`` in the database of ``url`` (autocommit, one statement at a time)."""
    conn: Any = connect_mysql(url, autocommit=True)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT DATABASE()")
            scratch = cur.fetchone()[0]
            for sql in statements_for(script, scratch):
                cur.execute(sql)  # no parameters: "%" stays as written
    finally:
        conn.close()
