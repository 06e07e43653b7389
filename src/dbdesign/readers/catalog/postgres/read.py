"""Read a live PostgreSQL catalog: :func:`read_catalog`.

The catalog queries are the ``.sql`` files of this package, one per object kind; they run in
the order of :data:`QUERIES`, all in one transaction that is rolled back, and
:class:`~dbdesign.readers.catalog.postgres.builder.CatalogBuilder` turns their rows into the
model.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row

from dbdesign.engine import connect
from dbdesign.errors import ConnectionError
from dbdesign.model import Schema
from dbdesign.readers.catalog.postgres.builder import CatalogBuilder, Row, Warn
from dbdesign.redact import redact_url

__all__ = ["QUERIES", "read_catalog"]

_PACKAGE = __name__.rpartition(".")[0]

# The order the queries run in; each name is a .sql file in this package.
QUERIES = (
    "database",
    "namespaces",
    "extensions",
    "collations",
    "tables",
    "columns",
    "constraints",
    "indexes",
    "index_elements",
    "views",
    "sequences",
    "types",
    "functions",
    "triggers",
    "rules",
    "policies",
)


@cache
def _sql(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(f"{name}.sql").read_text(encoding="utf-8")


@cache
def _query(name: str, server_version: int) -> bytes:
    """The query text for this server version (PostgreSQL < 15 has no NULLS NOT DISTINCT nor
    ON DELETE SET NULL (columns))."""
    text = _sql(name)
    if server_version < 150000:
        text = text.replace("i.indnullsnotdistinct", "false")
        text = text.replace("con.confdelsetcols", "'{}'::int2[]")
    return text.encode()


def read_catalog(
    url_or_conn: str | psycopg.Connection[Any],
    *,
    schemas: Sequence[str] | None = None,
    warn: Warn | None = None,
) -> Schema:
    """Read the schema of a live PostgreSQL database.

    ``url_or_conn`` is a libpq URL (connected and closed here) or an open psycopg connection
    (left as it was found: the reading happens in a transaction, or a savepoint when the
    connection is already inside one, that is rolled back). ``schemas`` limits the namespaces
    read; ``None`` reads every non-system schema. ``warn`` is told about objects the model does
    not hold (range types), as the DDL reader's ``warn`` is.
    """
    if isinstance(url_or_conn, str):
        source = redact_url(url_or_conn)
        with connect(url_or_conn) as conn:
            return _read(conn, schemas, source, warn)
    conn = url_or_conn
    return _read(conn, schemas, redact_url(conn.info.dsn), warn)


def _read(
    conn: psycopg.Connection[Any],
    schemas: Sequence[str] | None,
    source: str,
    warn: Warn | None = None,
) -> Schema:
    params = {"schemas": list(schemas) if schemas is not None else None}
    rows: dict[str, list[Row]] = {}
    try:
        idle = conn.info.transaction_status == TransactionStatus.IDLE
        with conn.transaction(force_rollback=True), conn.cursor(row_factory=dict_row) as cur:
            if idle:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # UTF8 whatever the connection's encoding: psycopg would return bytes, not text,
            # from a SQL_ASCII database; the server converts from any other encoding.
            cur.execute(
                "SET LOCAL search_path = ''; SET LOCAL TimeZone = 'UTC'; "
                "SET LOCAL client_encoding = 'UTF8'"
            )
            for name in QUERIES:
                cur.execute(_query(name, conn.info.server_version), params)
                rows[name] = cur.fetchall()
            # The server's own text of the few indexes whose opclass or collation may not be
            # the default: it prints them only when they are not.
            oids = sorted({e["oid"] for e in rows["index_elements"] if e["maybe_printed"]})
            rows["index_definitions"] = []
            if oids:
                cur.execute(_query("index_definitions", conn.info.server_version), {"oids": oids})
                rows["index_definitions"] = cur.fetchall()
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConnectionError(f"cannot read the catalog of {source}: {first}") from exc
    return CatalogBuilder(rows, source, warn).build()
