"""The model of what a MySQL script made, as ``information_schema`` shows it after the
server ran the script: column defaults as the server prints them, JSON folded, table options,
unique constraints and indexes, views, routines. The catalog reader shares the parts that
read the server's own text (fold_json, dialect_options, parse_create_options ...)."""

from __future__ import annotations

import re
from dataclasses import replace

import sqlglot
from sqlglot import exp

import dbdesign.normalize.mysql  # noqa: F401  (registers the "mysql" expression normaliser)
from dbdesign.dialects.mysql import (
    DEFAULT_COLLATION,
    DEFAULT_ENGINE,
    FK_ENGINES,
    NAMESPACE,
    base_name,
    charset_of,
    quote_string,
)
from dbdesign.dialects.mysql_options import CREATE_OPTIONS
from dbdesign.model import (
    Argument,
    Check,
    Column,
    DataType,
    Expr,
    ForeignKey,
    FrozenMap,
    Function,
    Generated,
    Identity,
    Index,
    IndexElement,
    Namespace,
    Origin,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)
from dbdesign.readers.ddl.mysql_defs import (
    MySQLColumnDef,
    MySQLTableDef,
    RoutineDef,
    now_text,
)
from dbdesign.readers.ddl.mysql_server import fsp_of, is_unique_constraint, key_method
from dbdesign.readers.ddl.mysql_values import default_literal, temporal_zero


def default_text(col: MySQLColumnDef) -> str | None:
    """A column default as ``information_schema.COLUMNS.COLUMN_DEFAULT`` shows it."""
    d = col.default
    if d is None or d.kind == "null":
        return None
    if d.kind == "now":  # NOW() and NOW(0) mean the column's precision; more is cut to it
        written = int(re.sub(r"\D", "", d.text) or 0)
        fsp = fsp_of(col.type)
        return now_text(min(written, fsp) if written else fsp)
    if d.kind == "expr":
        return d.text
    lit = default_literal(col.type, d.kind, d.text)
    if lit is not None:
        return lit
    if d.kind == "string":
        return quote_string(d.text)
    if d.kind == "bits":
        return f"b'{d.text}'"
    return d.text


def fold_json(table: Table, database_collation: str = DEFAULT_COLLATION) -> Table:
    """MariaDB stores ``json`` as ``longtext`` in utf8mb4_bin with a check named after the
    column, ``json_valid(col)``: the model says ``json`` (both readers fold it the same way)."""
    eff_table = table.dialect_options.get("collation", database_collation)
    checks = dict(table.checks)
    columns = list(table.columns)
    changed = False
    for n, c in enumerate(columns):
        if c.type.name != "longtext" or (c.collation or eff_table) != "utf8mb4_bin":
            continue
        check = next((k for k in checks if k.lower() == c.name.lower()), None)
        if check is None:
            continue
        want = Expr(f"json_valid(`{c.name}`)", "mysql")
        if checks[check].expr.normalized != want.normalized:
            continue
        del checks[check]
        columns[n] = replace(c, type=DataType(name="json", raw=c.type.raw), collation=None)
        changed = True
    if not changed:
        return table
    return replace(table, columns=tuple(columns), checks=FrozenMap(checks))


def dialect_options(
    engine: str,
    collation: str,
    create_options: dict[str, str],
    on_update: dict[str, str],
    database_collation: str = DEFAULT_COLLATION,
) -> FrozenMap[str, str]:
    """Table details with no PostgreSQL equivalent: ``engine`` (not InnoDB), ``charset`` and
    ``collation`` (not the database's), explicit CREATE_OPTIONS, ``on_update:<column>``."""
    opts: dict[str, str] = {}
    if engine != DEFAULT_ENGINE:
        opts["engine"] = engine
    if collation != database_collation:
        opts["charset"] = charset_of(collation)
        opts["collation"] = collation
    for k, v in create_options.items():
        if v != "DEFAULT":
            opts[k] = v
    if engine == "Aria" and "transactional" not in opts:
        # Aria's default, which the server lists as if written: only PAGE rows have a log
        opts["transactional"] = "0" if opts.get("row_format") in ("DYNAMIC", "FIXED") else "1"
    for col, expr in on_update.items():
        opts[f"on_update:{col}"] = expr
    return FrozenMap(opts)


def parse_create_options(text: str) -> dict[str, str]:
    """``information_schema.TABLES.CREATE_OPTIONS`` (``row_format=COMPRESSED
    stats_persistent=0``) as the model keeps them; ``partitioned`` is not one."""
    out: dict[str, str] = {}
    for part in text.split():
        key, eq, value = part.partition("=")
        key = key.lower()
        if eq and key in CREATE_OPTIONS:
            value = value.strip("'\"`")
            out[key] = value.upper() if key in ("row_format", "encrypted") else value
    return out


def table_model(t: MySQLTableDef) -> tuple[Table, list[Index]]:
    """The model of a table as the server would have it (keys already settled)."""
    pk = next((k for k in t.keys if k.kind == "primary"), None)
    pk_cols = {p.column.lower() for p in pk.parts if p.column} if pk else set()
    columns: list[Column] = []
    on_update: dict[str, str] = {}
    for c in t.columns:
        generated = (
            Generated(expr=Expr(c.generated, "mysql"), stored=c.stored)
            if c.generated is not None
            else None
        )
        # ALTER ... SET DEFAULT on an AUTO_INCREMENT column runs but leaves no default
        text = default_text(c) if generated is None and not c.auto_increment else None
        nullable = not (c.notnull or c.name.lower() in pk_cols)
        if c.on_update is not None and text is None and not nullable and not c.no_default:
            # ON UPDATE without a DEFAULT on a NOT NULL column: the zero date is the default
            text = quote_string(temporal_zero(c.type))
        collation = c.collation if c.collation != t.collation else None
        if base_name(c.type) == "json":
            collation = None
        columns.append(
            Column(
                name=c.name,
                type=c.type,
                nullable=nullable,
                default=Expr(text, "mysql") if text is not None else None,
                identity=Identity(always=False) if c.auto_increment else None,
                generated=generated,
                collation=collation,
                comment=c.comment or None,
                origin=c.origin,
            )
        )
        if c.on_update is not None:  # always at the column's precision
            on_update[c.name] = now_text(fsp_of(c.type))
    primary_key = None
    uniques: dict[str, Unique] = {}
    indexes: list[Index] = []
    for k in t.keys:
        assert k.name is not None
        if k.kind == "primary":
            primary_key = PrimaryKey(
                name="PRIMARY", columns=tuple(p.column or "" for p in k.parts), origin=k.origin
            )
            continue
        method = key_method(k, t.engine, t.column)
        if is_unique_constraint(k, method):
            uniques[k.name] = Unique(
                name=k.name,
                columns=tuple(p.column or "" for p in k.parts),
                comment=k.comment or None,
                origin=k.origin,
            )
            continue
        elements = tuple(
            IndexElement(
                column=p.column,
                expr=Expr(p.expr, "mysql") if p.expr is not None else None,
                descending=p.desc and method == "btree" and k.using != "hash",  # hashes: no order
                length=p.length if k.kind != "spatial" else None,
            )
            for p in k.parts
        )
        indexes.append(
            Index(
                name=k.name,
                schema=NAMESPACE,
                table=t.name,
                elements=elements,
                method=method,
                unique=k.kind == "unique",
                comment=k.comment or None,
                origin=k.origin,
            )
        )
    fks: dict[str, ForeignKey] = {}
    if t.engine in FK_ENGINES:
        for f in t.fks:
            assert f.name is not None
            fks[f.name] = ForeignKey(
                name=f.name,
                columns=tuple(f.columns),
                ref_table=f"{f.ref_db or NAMESPACE}.{f.ref_table}",
                ref_columns=tuple(f.ref_columns),
                on_delete=f.on_delete,
                on_update=f.on_update,
                origin=f.origin,
            )
    checks = {
        ch.name: Check(name=ch.name, expr=Expr(ch.expr, "mysql"), origin=ch.origin)
        for ch in t.checks
        if ch.name is not None
    }
    table = Table(
        schema=NAMESPACE,
        name=t.name,
        columns=tuple(columns),
        primary_key=primary_key,
        foreign_keys=FrozenMap(fks),
        uniques=FrozenMap(uniques),
        checks=FrozenMap(checks),
        comment=t.options.comment or None,
        dialect_options=dialect_options(t.engine, t.collation, t.options.create_options, on_update),
        origin=t.origin,
    )
    return fold_json(table), indexes


def index_key(index: Index) -> str:
    """Index names are per table in MySQL: ``Schema.indexes`` is keyed ``main.table.index``."""
    return f"{index.schema}.{index.table}.{index.name}"


def view_query(query: str, columns: list[str]) -> str:
    """A view's query with its column list folded into the select items' aliases, as the
    server stores it."""
    if not columns:
        return query
    tree = sqlglot.parse_one(query, read="mysql")
    select = tree
    while not isinstance(select, exp.Select):
        if isinstance(select, exp.SetOperation | exp.Subquery | exp.Paren):
            select = select.this
        else:
            return query
    items = select.expressions
    for n, (item, name) in enumerate(zip(items, columns, strict=False)):
        inner = item.this if isinstance(item, exp.Alias) else item
        items[n] = exp.alias_(inner, name, quoted=True)
    select.set("expressions", items)
    return tree.sql(dialect="mysql")


def mergeable(query: str) -> bool:
    """Whether ALGORITHM=MERGE can apply; where it cannot (aggregates, DISTINCT, GROUP BY,
    HAVING, LIMIT, UNION, a subquery in the select list, no table) the server records
    UNDEFINED."""
    try:
        tree = sqlglot.parse_one(query, read="mysql")
    except Exception:
        return True
    if not isinstance(tree, exp.Select):
        return False
    if tree.args.get("distinct") or tree.args.get("group") or tree.args.get("having"):
        return False
    if tree.args.get("limit") or not (tree.args.get("from_") or tree.args.get("from")):
        return False
    for item in tree.expressions:
        if item.find(exp.AggFunc) is not None or item.find(exp.Subquery, exp.Select):
            return False
    return True


def view_options(algorithm: str | None, security: str | None) -> tuple[str, ...]:
    out = []
    if algorithm and algorithm != "UNDEFINED":
        out.append(f"algorithm={algorithm}")
    if security == "INVOKER":
        out.append("sql_security=INVOKER")
    return tuple(out)


def routine_config(data_access: str) -> tuple[str, ...]:
    return () if data_access == "CONTAINS SQL" else (f"sql_data_access={data_access}",)


def routine_model(r: RoutineDef, origin: Origin | None = None) -> Function:
    return Function(
        schema=NAMESPACE,
        name=r.name,
        arguments=tuple(Argument(name=n, type=t, mode=m) for m, n, t in r.params),  # type: ignore[arg-type]
        returns=r.returns,
        kind=r.kind,
        language="sql",
        body=r.body.strip(),
        volatility="IMMUTABLE" if r.deterministic else "VOLATILE",
        security_definer=r.security_definer,
        config=routine_config(r.data_access),
        comment=r.comment or None,
        origin=origin if origin is not None else r.origin,
    )


def make_schema(
    tables: dict[str, Table],
    views: dict[str, View],
    indexes: dict[str, Index],
    triggers: dict[str, Trigger],
    functions: dict[str, Function],
    source: str | None,
) -> Schema:
    return Schema(
        dialect="mysql",
        namespaces=FrozenMap({NAMESPACE: Namespace(name=NAMESPACE)}),
        tables=FrozenMap(tables),
        views=FrozenMap(views),
        indexes=FrozenMap(indexes),
        triggers=FrozenMap(triggers),
        functions=FrozenMap(functions),
        source=source,
    )
