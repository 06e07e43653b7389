"""MySQL and MariaDB: PyMySQL connections (the ``mysql`` extra), scratch databases on the same
server, the catalog reader, user-level locks (``GET_LOCK``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from dbdesign.databases import Database, Target, _rollback_always, _version_number, target
from dbdesign.dialects.mysql import is_mariadb
from dbdesign.errors import ConfigError
from dbdesign.model import Schema

EXACT_BELOW = 1_000_000  # rows: counted exactly under this estimate, else the estimate

# What a schema creates, as information_schema lists it: (kind, name) of the tables, views,
# routines and triggers in the connection's database.
_OBJECTS = (
    "SELECT IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE'), TABLE_NAME FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE() "
    "UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
    "WHERE ROUTINE_SCHEMA = DATABASE() "
    "UNION ALL SELECT 'TRIGGER', TRIGGER_NAME FROM information_schema.TRIGGERS "
    "WHERE TRIGGER_SCHEMA = DATABASE()"
)


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

    @contextmanager
    def creating(self, url: str, ddl: str, names: frozenset[str]) -> Iterator[Any]:
        """DDL commits statement by statement here: on an error, what the DDL created (an
        object in ``names`` that was not there before) is dropped; nothing else is touched."""
        import pymysql

        from dbdesign import dialects

        statements = dialects.get(self.dialect).split_statements(ddl)
        conn = self.connect(url, autocommit=True)
        try:
            before = _objects(conn)
            try:
                with conn.cursor() as cur:
                    for text in statements:
                        cur.execute(text)
            except pymysql.err.MySQLError as e:
                msg = f"cannot create the schema: {error_message(e)}"
                _drop_created(conn, names, before, msg)
                raise ConfigError(msg) from None
            try:
                yield url  # the load opens its own connection
            except BaseException as e:
                _drop_created(conn, names, before, str(e))
                raise
        finally:
            conn.close()

    def proof_url(self, db: str | Target | None) -> Target | None:
        """``db``, which must be a MySQL or MariaDB URL, else ``$DBDESIGN_DATABASE_URL`` when
        it is one, else None: nothing to prove on."""
        import os

        from dbdesign.engine import ENV_DATABASE_URL

        if db:
            given = target(db)
            if given.dialect.name != self.dialect:
                raise ConfigError(
                    f"--db {given}: a MySQL design is proved on MySQL or MariaDB "
                    "(mysql://user@host:3306/database)"
                )
            return given
        env = os.environ.get(ENV_DATABASE_URL)
        named = target(env) if env else None
        return named if named is not None and named.dialect.name == self.dialect else None


def _value(conn: Any, query: str) -> Any:
    """The first column of the first row of a query without parameters ('%' as written)."""
    with conn.cursor() as cur:
        cur.execute(query)
        row = cur.fetchone()
    return row[0] if row else None


def error_message(e: Exception) -> str:
    """PyMySQL's ``(code, message)`` error as its message."""
    return str(e.args[1]) if len(e.args) > 1 else str(e)


def _objects(conn: Any) -> set[tuple[str, str]]:
    with conn.cursor() as cur:
        cur.execute(_OBJECTS)
        return {(kind, name.lower()) for kind, name in cur.fetchall()}


def _drop_created(conn: Any, names: frozenset[str], before: set[tuple[str, str]], why: str) -> None:
    """Drop what a schema's DDL created on this connection's database: an object in ``names``
    that is there now and was not before. Nothing that existed before is touched."""
    import pymysql

    from dbdesign.dialects.mysql import quote_ident

    try:
        conn.ping(reconnect=True)  # a long load may have outlived the idle connection
        with conn.cursor() as cur:
            cur.execute(_OBJECTS)
            made: dict[str, list[str]] = {}
            for kind, name in cur.fetchall():
                if name.lower() in names and (kind, name.lower()) not in before:
                    made.setdefault(kind, []).append(quote_ident(name, always=True))
            for kind in ("TRIGGER", "VIEW", "FUNCTION", "PROCEDURE"):
                for name in made.get(kind, []):
                    cur.execute(f"DROP {kind} IF EXISTS {name}")
            if made.get("TABLE"):
                # the new tables may reference each other in a cycle: drop them all at once
                cur.execute("SET SESSION foreign_key_checks = 0")
                cur.execute("DROP TABLE IF EXISTS " + ", ".join(made["TABLE"]))
                cur.execute("SET SESSION foreign_key_checks = 1")
    except pymysql.err.MySQLError as e:
        raise ConfigError(
            f"{why}; dropping the tables this call created failed: {error_message(e)}"
        ) from None
