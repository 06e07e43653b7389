"""Hypothesis strategies for random, valid MySQL/MariaDB schema models.

``mysql_schemas()`` draws a :class:`~dbdesign.model.Schema` (dialect ``mysql``) in the canonical
form both MySQL readers produce (docs/model.md, "MySQL"), so ``emit -> read_ddl`` and ``emit ->
load into MariaDB -> read_catalog`` must both give it back unchanged:

- tables on InnoDB (sometimes Aria or MyISAM, without foreign keys), with a character set and
  collation of their own or the database's, a comment, a row format;
- columns of every canonical type (unsigned and zerofill integers, boolean, decimals, bits,
  temporal types with fractional seconds, text and binary types, enum/set with quotes, json),
  NOT NULL, literal defaults in the form the server prints, CURRENT_TIMESTAMP with ON UPDATE,
  collations, comments, generated columns, one AUTO_INCREMENT primary key;
- primary keys, unique keys, indexes with prefixes, DESC and FULLTEXT; CHECK constraints;
- foreign keys between InnoDB tables (to themselves and to later tables too, so cycles) on
  columns of the referenced key's exact type, each with an index that covers it;
- views over one table (algorithm, security, check option), single-statement triggers, stored
  functions and procedures.

Names mix case, spaces, quotes and reserved words; they are unique case-insensitively.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from dbdesign.dialects.mysql import (
    NAMESPACE,
    RESERVED_WORDS,
    base_name,
    charset_of,
    parse_type,
    quote_string,
)
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
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)

# (type text, literal defaults as the server prints them)
TYPES: list[tuple[str, list[str]]] = [
    ("int", ["0", "42", "-7"]),
    ("int unsigned", ["7"]),
    ("bigint", ["9000000000"]),
    ("tinyint unsigned", ["255"]),
    ("smallint", ["-3"]),
    ("mediumint unsigned", ["8"]),
    ("int(6) unsigned zerofill", ["000012"]),
    ("boolean", ["1", "0"]),
    ("decimal(10,2)", ["1.50", "-0.25", "100.00"]),
    ("decimal(5,0) unsigned", ["3"]),
    ("float", ["1.5"]),
    ("double", ["2.25", "1000"]),
    ("bit(3)", ["b'101'", "b'0'"]),
    ("year", ["2024"]),
    ("date", ["'2020-01-02'"]),
    ("datetime", ["'2020-01-02 03:04:05'"]),
    ("datetime(3)", ["'2020-01-02 03:04:05.125'"]),
    ("timestamp", ["'2021-06-01 12:00:00'"]),
    ("time(2)", ["'10:20:30.50'"]),
    ("char(3)", ["'abc'", "''"]),
    ("varchar(20)", ["'x'", "'it''s'", "'a;b'", "'back\\\\slash'"]),
    ("varchar(255)", ["'long'"]),
    ("binary(4)", []),
    ("varbinary(8)", ["'bin'"]),
    ("tinytext", []),
    ("text", []),
    ("mediumtext", []),
    ("blob", []),
    ("enum('a','b','it''s')", ["'a'", "'it''s'"]),
    ("set('x','y','z')", ["'x,y'", "''"]),
    ("json", []),
]
INDEXABLE = {
    "int",
    "int unsigned",
    "bigint",
    "tinyint unsigned",
    "smallint",
    "mediumint unsigned",
    "int(6) unsigned zerofill",
    "boolean",
    "decimal(10,2)",
    "decimal(5,0) unsigned",
    "double",
    "date",
    "datetime",
    "datetime(3)",
    "timestamp",
    "char(3)",
    "varchar(20)",
    "binary(4)",
    "varbinary(8)",
    "enum('a','b','it''s')",
}
INTEGERS = {"int", "int unsigned", "bigint", "smallint", "mediumint unsigned"}
TEXTUAL_NEEDS_PREFIX = {"tinytext", "text", "mediumtext", "blob", "varchar(255)"}
COLLATIONS = ["latin1_swedish_ci", "utf8mb4_bin", "utf8mb3_general_ci", "utf8mb4_unicode_ci"]
TABLE_COLLATIONS = [None, None, "latin1_swedish_ci", "utf8mb3_general_ci", "utf8mb4_unicode_ci"]
ACTIONS = ["RESTRICT", "NO ACTION", "CASCADE", "SET NULL"]
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCXYZ_0123456789 $'\"-"


class _Names:
    """Hands out names unique case-insensitively (within one scope)."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.used: set[str] = set()

    def __call__(self, prefix: str, *, always: bool = False) -> str:
        """A fresh name, starting with ``prefix`` sometimes (``always``: every time)."""
        while True:
            raw = self.draw(
                st.one_of(
                    st.text(alphabet=_NAME_CHARS, min_size=1, max_size=8),
                    st.sampled_from(["order", "Select", "group", "key", "Mixed Case", "desc"]),
                )
            )
            name = (f"{prefix}{raw}" if always or self.draw(st.booleans()) else raw).rstrip(" ")
            low = name.lower()
            if name and low not in self.used and low != "primary" and not low[0].isspace():
                self.used.add(low)
                return name


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _textual(type_text: str) -> bool:
    return base_name(parse_type(type_text)) in {
        "char",
        "varchar",
        "tinytext",
        "text",
        "mediumtext",
        "enum",
        "set",
    }


@st.composite
def _columns(draw: Any, names: _Names, table_collation: str | None) -> list[Column]:
    cols: list[Column] = []
    for _ in range(draw(st.integers(1, 6))):
        type_text, defaults = draw(st.sampled_from(TYPES))
        dtype = parse_type(type_text)
        nullable = draw(st.booleans())
        default = None
        if defaults and draw(st.booleans()):
            default = Expr(draw(st.sampled_from(defaults)), "mysql")
        collation = None
        if _textual(type_text) and draw(st.integers(0, 3)) == 0:
            coll = draw(st.sampled_from(COLLATIONS))
            if coll != (table_collation or "utf8mb4_general_ci"):
                collation = coll
        comment = draw(st.sampled_from([None, None, "a comment", "it's; odd"]))
        cols.append(
            Column(
                name=names("c"),
                type=dtype,
                nullable=nullable,
                default=default,
                collation=collation,
                comment=comment,
            )
        )
    return cols


@st.composite
def _table(draw: Any, tname: str) -> tuple[Table, list[Index]]:
    names = _Names(draw)  # column names: unique within the table
    key_names = _Names(draw)  # key and constraint names: unique within the table
    collation = draw(st.sampled_from(TABLE_COLLATIONS))
    engine = draw(st.sampled_from(["InnoDB", "InnoDB", "InnoDB", "Aria", "MyISAM"]))
    cols = draw(_columns(names, collation))
    options: dict[str, str] = {}
    if engine != "InnoDB":
        options["engine"] = engine
    if engine == "Aria":  # the server lists Aria's default as if it were written
        options["transactional"] = draw(st.sampled_from(["1", "0"]))
    if collation is not None:
        options["charset"] = charset_of(collation)
        options["collation"] = collation
    if engine == "InnoDB" and draw(st.integers(0, 4)) == 0:
        options["row_format"] = draw(st.sampled_from(["DYNAMIC", "COMPACT"]))
    # A primary key: an AUTO_INCREMENT integer, or one or two indexable columns.
    pk_kind = draw(st.sampled_from(["auto", "columns", "none"]))
    primary_key = None
    if pk_kind == "auto":
        ident = Column(
            name=names("id"),
            type=parse_type(draw(st.sampled_from(["int unsigned", "bigint", "int"]))),
            nullable=False,
            identity=Identity(always=False),
        )
        cols.insert(0, ident)
        primary_key = PrimaryKey(name="PRIMARY", columns=(ident.name,))
    elif pk_kind == "columns":
        candidates = [c for c in cols if str(c.type) in INDEXABLE]
        if candidates:
            chosen = draw(
                st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True)
            )
            pk_names = {c.name for c in chosen}
            cols = [replace(c, nullable=False) if c.name in pk_names else c for c in cols]
            primary_key = PrimaryKey(name="PRIMARY", columns=tuple(c.name for c in chosen))
    # ON UPDATE and CURRENT_TIMESTAMP defaults on datetime/timestamp columns.
    on_update: dict[str, str] = {}
    for n, c in enumerate(cols):
        if base_name(c.type) in ("datetime", "timestamp") and draw(st.integers(0, 2)) == 0:
            fsp = f"{c.type.args[0]}" if c.type.args else ""
            now = f"current_timestamp({fsp})"
            cols[n] = replace(c, default=Expr(now, "mysql"))
            if draw(st.booleans()):
                on_update[c.name] = now
    for col, expr in on_update.items():
        options[f"on_update:{col}"] = expr
    # A generated column over an integer column.
    ints = [c for c in cols if str(c.type) in INTEGERS and c.identity is None]
    if ints and draw(st.booleans()):
        src = draw(st.sampled_from(ints))
        cols.append(
            Column(
                name=names("g"),
                type=DataType(name="bigint"),
                generated=Generated(
                    expr=Expr(f"{_q(src.name)} * 2 + 1", "mysql"), stored=draw(st.booleans())
                ),
            )
        )
    plain = [c for c in cols if str(c.type) in INDEXABLE and c.generated is None]
    uniques: dict[str, Unique] = {}
    indexes: list[Index] = []
    for _ in range(draw(st.integers(0, 2))):
        if not plain:
            break
        chosen = draw(st.lists(st.sampled_from(plain), min_size=1, max_size=2, unique=True))
        name = key_names("uq")
        uniques[name] = Unique(
            name=name,
            columns=tuple(c.name for c in chosen),
            comment=draw(st.sampled_from([None, "unique"])),
        )
    for _ in range(draw(st.integers(0, 3))):
        indexable = [c for c in cols if c.generated is None and base_name(c.type) != "json"]
        if not indexable:
            break
        kind = draw(st.sampled_from(["plain", "plain", "unique", "fulltext"]))
        if kind == "fulltext":
            texts = [c for c in indexable if base_name(c.type) in ("varchar", "text")]
            if not texts:
                continue
            chosen = draw(st.lists(st.sampled_from(texts), min_size=1, max_size=2, unique=True))
            chosen = [c for c in chosen if c.collation == chosen[0].collation]  # one charset
            elements = tuple(IndexElement(column=c.name) for c in chosen)
            method = "fulltext"
        else:
            chosen = draw(st.lists(st.sampled_from(indexable), min_size=1, max_size=2, unique=True))
            elements = tuple(
                IndexElement(
                    column=c.name,
                    descending=draw(st.booleans()) if str(c.type) in INDEXABLE else False,
                    length=(
                        draw(st.integers(1, 10))
                        if str(c.type) in TEXTUAL_NEEDS_PREFIX
                        or (str(c.type) == "varchar(20)" and draw(st.booleans()))
                        else None
                    ),
                )
                for c in chosen
            )
            method = "btree"
            if kind == "unique" and not any(e.length or e.descending for e in elements):
                elements = (replace(elements[0], descending=True), *elements[1:])
        indexes.append(
            Index(
                name=key_names("ix"),
                schema=NAMESPACE,
                table=tname,
                elements=elements,
                method=method,
                unique=kind == "unique",
                comment=draw(st.sampled_from([None, None, "why"])),
            )
        )
    checks: dict[str, Check] = {}
    check_cols = [c for c in cols if str(c.type) in INTEGERS and c.identity is None]
    for c in check_cols[:2]:
        if draw(st.booleans()):
            name = key_names("ck_", always=True)  # never a foreign key's name
            checks[name] = Check(
                name=name, expr=Expr(f"{_q(c.name)} IS NULL OR {_q(c.name)} > -100", "mysql")
            )
    table = Table(
        schema=NAMESPACE,
        name=tname,
        columns=tuple(cols),
        primary_key=primary_key,
        uniques=FrozenMap(uniques),
        checks=FrozenMap(checks),
        comment=draw(st.sampled_from([None, "table comment", "it's"])),
        dialect_options=FrozenMap(options),
    )
    return table, indexes


def _key_columns(t: Table) -> list[tuple[str, ...]]:
    """Keys of ``t`` a foreign key may point at (primary key and unique keys)."""
    keys = [t.primary_key.columns] if t.primary_key is not None else []
    return keys + [u.columns for u in t.uniques.values()]


@st.composite
def mysql_schemas(draw: Any, max_tables: int = 4) -> Schema:
    names = _Names(draw)
    table_names = [names("t") for _ in range(draw(st.integers(1, max_tables)))]
    tables: dict[str, Table] = {}
    indexes: dict[str, Index] = {}
    for tname in table_names:
        table, idx = draw(_table(tname))
        tables[tname] = table
        for i in idx:
            indexes[f"{NAMESPACE}.{tname}.{i.name}"] = i
    # Foreign keys between InnoDB tables, on new columns of the referenced key's type.
    innodb = [n for n, t in tables.items() if "engine" not in t.dialect_options]
    fk_names = _Names(draw)  # InnoDB wants foreign key names unique in the database
    for tname in innodb:
        targets = [(n, k) for n in innodb for k in _key_columns(tables[n])]
        if not targets or not draw(st.booleans()):
            continue
        t = tables[tname]
        col_names = _Names(draw)
        col_names.used = {c.name.lower() for c in t.columns}
        ref, key = draw(st.sampled_from(targets))
        parent = tables[ref]
        new_cols = []
        for kc in key:
            pc = next(c for c in parent.columns if c.name == kc)
            coll = pc.collation or parent.dialect_options.get("collation", "utf8mb4_general_ci")
            mine = t.dialect_options.get("collation", "utf8mb4_general_ci")
            new_cols.append(
                Column(
                    name=col_names("fk"),
                    type=DataType(name=pc.type.name, args=pc.type.args),
                    nullable=True,
                    collation=(coll if _textual(str(pc.type)) and coll != mine else None),
                )
            )
        fk_name = fk_names("fk_", always=True)
        fk = ForeignKey(
            name=fk_name,
            columns=tuple(c.name for c in new_cols),
            ref_table=f"{NAMESPACE}.{ref}",
            ref_columns=key,
            on_delete=draw(st.sampled_from(ACTIONS)),
            on_update=draw(st.sampled_from(ACTIONS)),
        )
        t = replace(
            t,
            columns=(*t.columns, *new_cols),
            foreign_keys=FrozenMap({**t.foreign_keys, fk_name: fk}),
        )
        tables[tname] = t
        taken = {i.name.lower() for i in indexes.values() if i.table == tname}
        taken |= {u.lower() for u in t.uniques}
        ix_name = f"ix_{fk_name}"[:60]
        while ix_name.lower() in taken:
            ix_name += "_"
        indexes[f"{NAMESPACE}.{tname}.{ix_name}"] = Index(
            name=ix_name,
            schema=NAMESPACE,
            table=tname,
            elements=tuple(IndexElement(column=c.name) for c in new_cols),
        )
    views: dict[str, View] = {}
    triggers: dict[str, Trigger] = {}
    functions: dict[str, Function] = {}
    for tname, t in list(tables.items())[:2]:
        cols = [c for c in t.columns if c.generated is None][:3]
        if draw(st.booleans()):
            vname = names("v")
            where = ""
            nums = [c for c in cols if str(c.type) in INTEGERS]
            if nums:
                where = f" WHERE {_q(nums[0].name)} > 0"
            query = f"SELECT {', '.join(_q(c.name) for c in cols)} FROM {_q(tname)}{where}"
            opts = []
            if draw(st.booleans()):
                opts.append("algorithm=MERGE")
            if draw(st.booleans()):
                opts.append("sql_security=INVOKER")
            views[f"{NAMESPACE}.{vname}"] = View(
                schema=NAMESPACE,
                name=vname,
                query=Expr(query, "mysql"),
                options=tuple(opts),
                check_option=draw(st.sampled_from([None, "CASCADED", "LOCAL"])),
            )
        if draw(st.booleans()):
            trname = names("tr")
            timing = draw(st.sampled_from(["BEFORE", "AFTER"]))
            event = draw(st.sampled_from(["INSERT", "UPDATE", "DELETE"]))
            body = "SET @dbdesign_seen = 1"
            if draw(st.booleans()):
                body = f"BEGIN\n  SET @a = 1;\n  SET @b = {quote_string('x;y')};\nEND"
            triggers[f"{NAMESPACE}.{tname}.{trname}"] = Trigger(
                schema=NAMESPACE,
                table=tname,
                name=trname,
                timing=timing,
                events=(event,),
                level="ROW",
                body=Expr(body, "mysql"),
            )
    if draw(st.booleans()):
        fname = names("f")
        f = Function(
            schema=NAMESPACE,
            name=fname,
            arguments=(Argument(name="p_a", type="int"), Argument(name="p_b", type="varchar(10)")),
            returns=draw(st.sampled_from(["bigint", "decimal(10,2)", "boolean"])),
            kind="function",
            body="RETURN p_a + 1",
            volatility=draw(st.sampled_from(["IMMUTABLE", "VOLATILE"])),
            security_definer=draw(st.booleans()),
            config=draw(st.sampled_from([(), ("sql_data_access=NO SQL",)])),
            comment=draw(st.sampled_from([None, "adds one"])),
        )
        functions[f.key] = f
    if draw(st.booleans()):
        pname = names("p")
        p = Function(
            schema=NAMESPACE,
            name=pname,
            arguments=(
                Argument(name="p_in", type="int unsigned", mode="IN"),
                Argument(name="p_out", type="datetime(3)", mode="OUT"),
            ),
            returns=None,
            kind="procedure",
            body="BEGIN\n  SET p_out = NOW(3);\nEND",
            config=("sql_data_access=READS SQL DATA",),
        )
        functions[p.key] = p
    return Schema(
        dialect="mysql",
        namespaces=FrozenMap({NAMESPACE: Namespace(name=NAMESPACE)}),
        tables=FrozenMap({f"{NAMESPACE}.{n}": t for n, t in tables.items()}),
        views=FrozenMap(views),
        indexes=FrozenMap(indexes),
        triggers=FrozenMap(triggers),
        functions=FrozenMap(functions),
    )


__all__ = ["RESERVED_WORDS", "mysql_schemas"]
