"""MySQL and MariaDB: PyMySQL connections (the ``mysql`` extra), scratch databases on the same
server, the catalog reader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from dbdesign.databases import Database, _rollback_always
from dbdesign.dialects.mysql import is_mariadb
from dbdesign.errors import ConfigError
from dbdesign.model import Schema
from dbdesign.redact import redact_url

EXACT_BELOW = 1_000_000  # rows: counted exactly under this estimate, else the estimate


class MySQLDatabase(Database):
    dialect = "mysql"

    def connect(self, url: str, *, autocommit: bool = False) -> Any:
        from dbdesign import engine

        return engine.connect_mysql(url, autocommit=autocommit)

    def version(self, conn: Any) -> str:
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            (v,) = cur.fetchone()
        kind = "MariaDB" if is_mariadb(str(v)) else "MySQL"
        return f"{kind} {str(v).split('-', 1)[0]}"

    def scratch(self, url: str) -> AbstractContextManager[str]:
        from dbdesign import engine

        return engine.mysql_scratch_database(url)

    def read_catalog(self, url: str) -> Schema:
        from dbdesign.readers.catalog.mysql import read_catalog

        return read_catalog(url)

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
