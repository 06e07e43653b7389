"""MySQL and MariaDB: PyMySQL connections (the ``mysql`` extra), scratch databases on the same
server, the catalog reader, user-level locks (``GET_LOCK``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from dbdesign.databases import Database, _rollback_always, _version_number
from dbdesign.dialects.mysql import is_mariadb
from dbdesign.errors import ConfigError
from dbdesign.model import Schema
from dbdesign.redact import redact_url

EXACT_BELOW = 1_000_000  # rows: counted exactly under this estimate, else the estimate


class MySQLDatabase(Database):
    dialect = "mysql"
    named_locks = True  # user-level locks: GET_LOCK, server-wide (a name carries its database)
    lock_session = "connection"

    def connect(self, url: str, *, autocommit: bool = False, multi_statements: bool = False) -> Any:
        from dbdesign import engine

        return engine.connect_mysql(url, autocommit=autocommit, multi_statements=multi_statements)

    def version(self, conn: Any) -> str:
        v = _value(conn, "SELECT VERSION()")
        kind = "MariaDB" if is_mariadb(str(v)) else "MySQL"
        return f"{kind} {str(v).split('-', 1)[0]}"

    def version_number(self, conn: Any) -> int:
        return _version_number(str(_value(conn, "SELECT VERSION()")))

    def literal(self, conn: Any, value: str | int | None) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, int):
            return str(value)
        return str(conn.escape(str(value)))

    def try_lock(self, conn: Any, name: str) -> bool:
        return bool(_value(conn, f"SELECT GET_LOCK({self.literal(conn, name)}, 0)") == 1)

    def unlock(self, conn: Any, name: str) -> None:
        _value(conn, f"SELECT RELEASE_LOCK({self.literal(conn, name)})")

    def lock_holder(self, conn: Any, name: str) -> int | None:
        holder = _value(conn, f"SELECT IS_USED_LOCK({self.literal(conn, name)})")
        return int(holder) if holder is not None else None

    def scratch(self, url: str) -> AbstractContextManager[str]:
        from dbdesign import engine

        return engine.mysql_scratch_database(url)

    def read_catalog(self, url: str) -> Schema:
        from dbdesign.readers.catalog.mysql import read_catalog

        return read_catalog(url)

    def read_catalog_of(self, conn: Any) -> Schema:
        from dbdesign.readers.catalog.mysql import read_catalog

        return read_catalog(conn)

    def row_counts(self, url: str) -> dict[str, int]:
        from dbdesign.dialects.mysql import NAMESPACE, quote_ident

        with self.rolled_back(url) as conn, conn.cursor() as cur:
            cur.execute("START TRANSACTION READ ONLY")  # counting changes nothing
            cur.execute(
                "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
            )
            out: dict[str, int] = {}
            for name, estimate in cur.fetchall():
                n = int(estimate or 0)
                if n < EXACT_BELOW:
                    cur.execute(f"SELECT COUNT(*) FROM {quote_ident(name, always=True)}")
                    n = int(cur.fetchone()[0])
                out[f"{NAMESPACE}.{name}"] = n
            return out

    @contextmanager
    def rolled_back(self, url: str) -> Iterator[Any]:
        yield from _rollback_always(self.connect(url))

    def proof_url(self, db: str | None) -> str | None:
        """``db``, which must be a MySQL or MariaDB URL, else ``$DBDESIGN_DATABASE_URL`` when
        it is one, else None: nothing to prove on."""
        import os

        from dbdesign.engine import ENV_DATABASE_URL, is_mysql_url

        if db:
            if not is_mysql_url(db):
                raise ConfigError(
                    f"--db {redact_url(db)}: a MySQL design is proved on MySQL or MariaDB "
                    "(mysql://user@host:3306/database)"
                )
            return db
        env = os.environ.get(ENV_DATABASE_URL)
        return env if env and is_mysql_url(env) else None


def _value(conn: Any, query: str) -> Any:
    """The first column of the first row of a query without parameters ('%' as written)."""
    with conn.cursor() as cur:
        cur.execute(query)
        row = cur.fetchone()
    return row[0] if row else None
