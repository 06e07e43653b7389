"""Read a live MySQL/MariaDB database into a :class:`dbdesign.model.Schema`.

The ``information_schema`` queries live next to this module as ``.sql`` files, one per object
kind; :func:`read_catalog` runs them in one read-only transaction (``START TRANSACTION READ
ONLY``, rolled back) over PyMySQL, the ``mysql`` extra. One query per object kind, so the number
of round trips does not grow with the number of tables.

The model follows ``docs/model.md`` ("MySQL"), as the DDL reader does: one namespace ``main``
(the database read), canonical types from ``COLUMN_TYPE``, collations kept where they differ
from the table's (and a table's where it differs from the database's), ``json`` where MariaDB
shows ``longtext`` with a ``json_valid`` check, unique keys over whole columns as ``Unique``,
every other index keyed ``main.table.index``. Qualifiers naming the database read are
dropped when expressions are compared (``Expr.schema`` is the database's name).

MariaDB 10.2+ is the tested server. On MySQL 8 the differences in ``information_schema`` that
are known (CHECK_CONSTRAINTS without TABLE_NAME, VIEWS without ALGORITHM, unquoted literal
defaults) are handled, but that server is not part of the test suite.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from importlib import resources
from typing import Any

from dbdesign.dialects.mysql import (
    DEFAULT_COLLATION,
    NAMESPACE,
    NUMERIC_TYPES,
    TypeSyntaxError,
    base_name,
    canonical_collation,
    canonical_engine,
    canonical_type,
    is_mariadb,
    parse_raw_type,
    quote_string,
)
from dbdesign.engine import connect_mysql
from dbdesign.errors import ConnectionError, DbdesignError
from dbdesign.model import (
    Argument,
    Check,
    Column,
    DataType,
    Expr,
    ForeignKey,
    Function,
    Generated,
    Identity,
    Index,
    IndexElement,
    Origin,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.model.core import ReferentialAction
from dbdesign.readers.ddl.mysql import (
    KeyDef,
    KeyPart,
    dialect_options,
    fold_json,
    index_key,
    is_unique_constraint,
    make_schema,
    parse_create_options,
    routine_config,
    view_options,
)
from dbdesign.redact import redact_url

__all__ = ["QUERIES", "read_catalog"]

Row = dict[str, Any]

QUERIES = (
    "database",
    "tables",
    "columns",
    "indexes",
    "foreign_keys",
    "checks",
    "views",
    "triggers",
    "routines",
    "parameters",
)
# Queries that differ on MySQL (not MariaDB).
_MYSQL_VARIANTS = frozenset(("checks", "views"))

# EXTRA's ON UPDATE clause: "on update current_timestamp(3)" (MySQL: "CURRENT_TIMESTAMP(3)"),
# followed by other flags ("..., INVISIBLE") or not.
_ON_UPDATE = re.compile(r"on update ([a-z_]+)(?:\((\d*)\))?")

_ACTIONS: dict[str, ReferentialAction] = {
    "CASCADE": "CASCADE",
    "RESTRICT": "RESTRICT",
    "NO ACTION": "NO ACTION",
    "SET NULL": "SET NULL",
    "SET DEFAULT": "SET DEFAULT",
}


@cache
def _query(name: str) -> str:
    return resources.files(__package__).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def read_catalog(url_or_conn: Any, *, database: str | None = None) -> Schema:
    """Read the schema of one MySQL/MariaDB database.

    ``url_or_conn`` is a URL ``mysql://user:password@host:port/database`` (or ``mariadb://``),
    connected and closed here, or an open PyMySQL connection (left as it was found: the reading
    happens in a transaction that is rolled back). ``database`` overrides the URL's database
    (default: the connection's current database).
    """
    if isinstance(url_or_conn, str):
        source = redact_url(url_or_conn)
        conn = connect_mysql(url_or_conn)
        try:
            return _read(conn, database, source)
        finally:
            conn.close()
    return _read(url_or_conn, database, "mysql:connection")


def _read(conn: Any, database: str | None, source: str) -> Schema:
    import pymysql
    from pymysql.constants import SERVER_STATUS

    rows: dict[str, list[Row]] = {}
    try:
        with conn.cursor(pymysql.cursors.DictCursor) as cur:
            if database is None:
                cur.execute("SELECT DATABASE() AS db")
                database = (cur.fetchone() or {}).get("db")
                if not database:
                    raise DbdesignError(
                        f"{source}: no database selected; name one in the URL "
                        "(mysql://user@host/database)"
                    )
            # information_schema reads no table data; the transaction keeps the reading from
            # writing anything. A transaction the caller has open is left alone.
            own = not (conn.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS)
            if own:
                cur.execute("START TRANSACTION READ ONLY")
            try:
                for name in QUERIES:
                    text = _query(name)
                    if name in _MYSQL_VARIANTS and not rows["database"][0]["is_mariadb"]:
                        text = _query(f"{name}_mysql")
                    cur.execute(text, {"db": database})
                    rows[name] = list(cur.fetchall())
                    if name == "database":
                        if not rows[name]:
                            raise DbdesignError(f"{source}: no database {database!r}")
                        rows[name][0]["is_mariadb"] = is_mariadb(str(rows[name][0]["version"]))
            finally:
                if own:
                    cur.execute("ROLLBACK")
    except pymysql.err.MySQLError as exc:
        args = exc.args
        reason = str(args[1]) if len(args) > 1 else str(exc)
        raise ConnectionError(f"cannot read the catalog of {source}: {reason}") from exc
    return _Builder(rows, database, source).build()


def _text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return "" if v is None else str(v)


class _Builder:
    def __init__(self, rows: dict[str, list[Row]], database: str, source: str) -> None:
        self.rows = rows
        self.db = database
        self.source = source
        info = rows["database"][0]
        self.mariadb: bool = info["is_mariadb"]
        self.database_collation = canonical_collation(_text(info["collation"]) or DEFAULT_COLLATION)

    def origin(self, what: str) -> Origin:
        return Origin(catalog=f"{self.source}:{what}")

    def build(self) -> Schema:
        tables: dict[str, Table] = {}
        indexes: dict[str, Index] = {}
        columns_of: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows["columns"]:
            columns_of[_text(r["table_name"])].append(r)
        keys_of: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for r in self.rows["indexes"]:
            keys_of[_text(r["table_name"])][_text(r["name"])].append(r)
        fks_of: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for r in self.rows["foreign_keys"]:
            fks_of[_text(r["table_name"])][_text(r["name"])].append(r)
        checks_of: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows["checks"]:
            checks_of[_text(r["table_name"])].append(r)
        for t in self.rows["tables"]:
            name = _text(t["name"])
            table, idx = self.table(
                t, columns_of[name], keys_of[name], fks_of[name], checks_of[name]
            )
            tables[table.key] = table
            for i in idx:
                indexes[index_key(i)] = i
        views = {v.key: v for v in (self.view(r) for r in self.rows["views"])}
        triggers = {tr.key: tr for tr in (self.trigger(r) for r in self.rows["triggers"])}
        functions = {f.key: f for f in self.routines()}
        return make_schema(tables, views, indexes, triggers, functions, self.source)

    # -- tables --------------------------------------------------------------------------------

    def table(
        self,
        t: Row,
        columns: list[Row],
        keys: dict[str, list[Row]],
        fks: dict[str, list[Row]],
        checks: list[Row],
    ) -> tuple[Table, list[Index]]:
        name = _text(t["name"])
        engine = canonical_engine(_text(t["engine"]) or "InnoDB")
        collation = canonical_collation(_text(t["collation"]) or self.database_collation)
        origin = self.origin(f"table:{name}")
        cols: list[Column] = []
        on_update: dict[str, str] = {}
        col_types: dict[str, DataType] = {}
        for c in columns:
            col, upd = self.column(name, c, collation)
            cols.append(col)
            col_types[col.name.lower()] = col.type
            if upd is not None:
                on_update[col.name] = upd
        primary_key: PrimaryKey | None = None
        uniques: dict[str, Unique] = {}
        indexes: list[Index] = []
        for kname, parts in keys.items():
            parts.sort(key=lambda r: int(r["seq"]))
            method = _text(parts[0]["index_type"]).lower()
            if kname == "PRIMARY":
                primary_key = PrimaryKey(
                    name="PRIMARY",
                    columns=tuple(_text(p["column_name"]) for p in parts),
                    origin=origin,
                )
                continue
            key = KeyDef(
                "unique" if int(parts[0]["non_unique"]) == 0 else "index",
                kname,
                [
                    KeyPart(
                        _text(p["column_name"]) or None,
                        length=int(p["sub_part"])
                        if p["sub_part"] is not None and method != "spatial"
                        else None,
                        desc=_text(p["collation"]) == "D",
                    )
                    for p in parts
                ],
                comment=_text(parts[0]["comment"]) or None,
            )
            if is_unique_constraint(key, method):
                uniques[kname] = Unique(
                    name=kname,
                    columns=tuple(p.column or "" for p in key.parts),
                    comment=key.comment,
                    origin=origin,
                )
                continue
            indexes.append(
                Index(
                    name=kname,
                    schema=NAMESPACE,
                    table=name,
                    elements=tuple(
                        IndexElement(column=p.column, descending=p.desc, length=p.length)
                        for p in key.parts
                    ),
                    method=method,
                    unique=key.kind == "unique",
                    comment=key.comment,
                    origin=self.origin(f"index:{name}.{kname}"),
                )
            )
        foreign_keys: dict[str, ForeignKey] = {}
        for fname, rows in fks.items():
            rows.sort(key=lambda r: int(r["ordinal"]))
            ref_schema = _text(rows[0]["ref_schema"])
            ref_ns = NAMESPACE if ref_schema in ("", self.db) else ref_schema
            foreign_keys[fname] = ForeignKey(
                name=fname,
                columns=tuple(_text(r["column_name"]) for r in rows),
                ref_table=f"{ref_ns}.{_text(rows[0]['ref_table'])}",
                ref_columns=tuple(_text(r["ref_column"]) for r in rows),
                on_delete=_ACTIONS.get(_text(rows[0]["on_delete"]), "RESTRICT"),
                on_update=_ACTIONS.get(_text(rows[0]["on_update"]), "RESTRICT"),
                origin=origin,
            )
        table = Table(
            schema=NAMESPACE,
            name=name,
            columns=tuple(cols),
            primary_key=primary_key,
            foreign_keys=_frozen(foreign_keys),
            uniques=_frozen(uniques),
            checks=_frozen(
                {
                    _text(c["name"]): Check(
                        name=_text(c["name"]),
                        expr=Expr(_text(c["clause"]), "mysql", self.db),
                        origin=origin,
                    )
                    for c in checks
                }
            ),
            comment=_text(t["comment"]) or None,
            dialect_options=dialect_options(
                engine,
                collation,
                parse_create_options(_text(t["create_options"])),
                on_update,
                self.database_collation,
            ),
            origin=origin,
        )
        return fold_json(table, self.database_collation), indexes

    def column(self, table: str, c: Row, table_coll: str) -> tuple[Column, str | None]:
        name = _text(c["name"])
        try:
            raw = parse_raw_type(_text(c["column_type"]))
        except TypeSyntaxError as e:
            raise DbdesignError(
                f"unexpected catalog content: type {_text(c['column_type'])!r} of "
                f"{table}.{name}: {e}"
            ) from None
        dtype = canonical_type(raw, table_coll)
        extra = _text(c["extra"]).lower()
        collation = canonical_collation(_text(c["collation"])) if c["collation"] else None
        generated = None
        if (
            "generated" in extra
            and c["generation"] is not None
            and "default_generated" not in (extra.replace(" ", "_"))
        ):
            generated = Generated(
                expr=Expr(_text(c["generation"]), "mysql", self.db),
                stored="stored" in extra or "persistent" in extra,
            )
        default = None if generated is not None else self.default(c, dtype, extra)
        on_update = None
        m = _ON_UPDATE.search(extra)  # "on update current_timestamp(), INVISIBLE"
        if m is not None:
            on_update = f"{m.group(1)}({m.group(2) or ''})"
        col = Column(
            name=name,
            type=dtype,
            nullable=_text(c["nullable"]) == "YES",
            default=Expr(default, "mysql", self.db) if default is not None else None,
            identity=Identity(always=False) if "auto_increment" in extra else None,
            generated=generated,
            collation=collation if collation != table_coll else None,
            comment=_text(c["comment"]) or None,
            origin=self.origin(f"column:{table}.{name}"),
        )
        return col, on_update

    def default(self, c: Row, dtype: DataType, extra: str) -> str | None:
        value = c["default_value"]
        if value is None:
            return None
        text = _text(value)
        if self.mariadb:
            return None if text == "NULL" else text
        # MySQL 8: literals unquoted; expressions flagged DEFAULT_GENERATED.
        if "default_generated" in extra:
            low = text.lower()
            if low.startswith("current_timestamp") and not low.endswith(")"):
                return "current_timestamp()"
            return text
        base = base_name(dtype)
        if base in NUMERIC_TYPES or text.startswith("b'"):
            return text
        return quote_string(text)

    # -- views, triggers, routines ---------------------------------------------------------------

    def view(self, r: Row) -> View:
        name = _text(r["name"])
        check = _text(r["check_option"]).upper()
        return View(
            schema=NAMESPACE,
            name=name,
            query=Expr(_text(r["definition"]), "mysql", self.db),
            check_option="LOCAL"
            if check == "LOCAL"
            else "CASCADED"
            if check == "CASCADED"
            else None,
            options=view_options(_text(r["algorithm"]).upper(), _text(r["security"]).upper()),
            origin=self.origin(f"view:{name}"),
        )

    def trigger(self, r: Row) -> Trigger:
        name = _text(r["name"])
        timing = _text(r["timing"]).upper()
        return Trigger(
            schema=NAMESPACE,
            table=_text(r["table_name"]),
            name=name,
            timing="BEFORE" if timing == "BEFORE" else "AFTER",
            events=(_text(r["event"]).upper(),),
            level="ROW",
            body=Expr(_text(r["body"]).strip(), "mysql", self.db),
            origin=self.origin(f"trigger:{name}"),
        )

    def routines(self) -> list[Function]:
        params: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for p in self.rows["parameters"]:
            params[(_text(p["kind"]).upper(), _text(p["routine"]))].append(p)
        out: list[Function] = []
        for r in self.rows["routines"]:
            name = _text(r["name"])
            kind = _text(r["kind"]).upper()
            args = tuple(
                Argument(
                    name=_text(p["name"]),
                    type=_type_text(_text(p["type"])),
                    mode=_text(p["mode"]).upper() or "IN",  # type: ignore[arg-type]
                )
                for p in sorted(params[(kind, name)], key=lambda p: int(p["ordinal"]))
            )
            out.append(
                Function(
                    schema=NAMESPACE,
                    name=name,
                    arguments=args,
                    returns=_type_text(_text(r["return_type"])) if kind == "FUNCTION" else None,
                    kind="function" if kind == "FUNCTION" else "procedure",
                    language="sql",
                    body=_text(r["body"]).strip(),
                    volatility="IMMUTABLE" if _text(r["is_deterministic"]) == "YES" else "VOLATILE",
                    security_definer=_text(r["security"]).upper() == "DEFINER",
                    config=routine_config(_text(r["data_access"]).upper()),
                    comment=_text(r["comment"]) or None,
                    origin=self.origin(f"routine:{name}"),
                )
            )
        return out


def _type_text(dtd: str) -> str:
    try:
        return str(canonical_type(parse_raw_type(dtd)))
    except TypeSyntaxError:
        return dtd


def _frozen(d: dict[str, Any]) -> Any:
    from dbdesign.model import FrozenMap

    return FrozenMap(d)
