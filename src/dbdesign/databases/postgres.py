"""PostgreSQL: psycopg connections (the embedded server or a URL), scratch databases on the
same server, the catalog reader, advisory locks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from dbdesign.databases import Database, Target, _rollback_always, target
from dbdesign.errors import ConfigError
from dbdesign.model import Schema


def advisory_key(name: str) -> int:
    """The 64-bit advisory lock key of a lock name (dbdesign's own: ``dbdesign:`` before it)."""
    digest = hashlib.sha256(b"dbdesign:" + name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresDatabase(Database):
    dialect = "postgres"
    advise_plans = True
    named_locks = True  # session-level advisory locks

    def connect(self, url: str, *, autocommit: bool = False, multi_statements: bool = False) -> Any:
        from dbdesign import engine

        return engine.connect(url, autocommit=autocommit)

    def version(self, conn: Any) -> str:
        return f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}"

    def version_number(self, conn: Any) -> int:
        return int(conn.info.server_version)

    def literal(self, conn: Any, value: str | int | None) -> str:
        from psycopg import sql

        return sql.Literal(value).as_string(conn)

    def try_lock(self, conn: Any, name: str) -> bool:
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(name)]).fetchone()
        return bool(got and got[0])

    def unlock(self, conn: Any, name: str) -> None:
        conn.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(name)])

    def lock_holder(self, conn: Any, name: str) -> int | None:
        key = advisory_key(name)
        holder = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND classid::bigint = ((%s::bigint >> 32) & 4294967295) "
            "AND objid::bigint = (%s::bigint & 4294967295) "
            "AND objsubid = 1 LIMIT 1",
            [key, key],
        ).fetchone()
        return int(holder[0]) if holder else None

    def scratch(self, url: str) -> AbstractContextManager[str]:
        from dbdesign import engine

        return engine.scratch_database(url)

    def read_catalog(self, url: str) -> Schema:
        from dbdesign.readers.catalog.postgres import read_catalog

        return read_catalog(url)

    def read_catalog_of(self, conn: Any) -> Schema:
        from dbdesign.readers.catalog.postgres import read_catalog

        return read_catalog(conn)

    def row_counts(self, url: str) -> dict[str, int]:
        from psycopg import sql

        with self.rolled_back(url) as conn:
            conn.execute("SET TRANSACTION READ ONLY")  # counting changes nothing, by construction
            rows = conn.execute(
                "select n.nspname, c.relname, c.reltuples::bigint from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r', 'p', 'm') "
                "and n.nspname not in ('pg_catalog', 'information_schema') "
                "and n.nspname not like 'pg_toast%'"
            ).fetchall()
            out = {}
            for schema, name, estimate in rows:
                if estimate < 0:  # never analyzed: count
                    query = sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))
                    estimate = conn.execute(query).fetchone()[0]
                out[f"{schema}.{name}"] = int(estimate)
            return out

    @contextmanager
    def rolled_back(self, url: str) -> Iterator[Any]:
        yield from _rollback_always(self.connect(url))

    @contextmanager
    def creating(self, url: str, ddl: str, names: frozenset[str]) -> Iterator[Any]:
        import psycopg

        with self.connect(url) as conn, conn.transaction():
            try:
                conn.execute(ddl.encode())
            except psycopg.Error as e:
                msg = (e.diag.message_primary or str(e)).strip()
                raise ConfigError(f"cannot create the schema: {msg}") from None
            yield conn  # the load runs in this transaction (a savepoint of it)

    def proof_url(self, db: str | Target | None) -> Target | None:
        """``db``, else ``$DBDESIGN_DATABASE_URL``, else the embedded server (also when the
        environment names a server of another kind); a ``db`` of another kind is refused."""
        import os

        from dbdesign.engine import ENV_DATABASE_URL, embedded_url

        if db:
            given = target(db)
            if given.dialect.name != self.dialect:
                raise ConfigError(
                    f"--db {given}: a PostgreSQL design is proved on PostgreSQL "
                    f"(postgresql://...); design for {given.dialect.title} with "
                    f"--dialect {given.dialect.name}"
                )
            return given
        env = os.environ.get(ENV_DATABASE_URL)
        named = target(env) if env else None
        if named is not None and named.dialect.name == self.dialect:
            return named
        return target(embedded_url())
