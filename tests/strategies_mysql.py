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


# ------------------------------------------------------------------------------------------------
# Random DDL scripts (text), for fuzzing the DDL reader against the server

# Written types: (text, literals that suit it as a default, kind). Kinds decide what a column
# may be used for: keys (text and blob kinds need a prefix), FULLTEXT (char, text), foreign keys.
SCRIPT_TYPES: list[tuple[str, list[str], str]] = [
    ("INT", ["0", "42", "-7", "'5'"], "int"),
    ("INT UNSIGNED", ["7"], "int"),
    ("INT(5) ZEROFILL", ["42"], "int"),
    ("TINYINT(1)", ["1", "TRUE"], "int"),
    ("BOOLEAN", ["FALSE", "1"], "int"),
    ("BIGINT", ["9000000000"], "int"),
    ("SMALLINT", ["-3"], "int"),
    ("MEDIUMINT UNSIGNED", ["8"], "int"),
    ("SERIAL", [], "serial"),
    ("DECIMAL(8,2)", ["1.5", "'2.25'", "-0.1"], "num"),
    ("DECIMAL", ["3"], "num"),
    ("NUMERIC(5)", ["12"], "num"),
    ("FLOAT", ["1.5"], "num"),
    ("FLOAT(30)", ["2"], "num"),
    ("FLOAT(7,3)", ["1.25"], "num"),
    ("DOUBLE", ["2.5e3"], "num"),
    ("REAL", ["1"], "num"),
    ("BIT(3)", ["b'101'", "5"], "other"),
    ("BIT", ["b'1'"], "other"),
    ("YEAR", ["2024", "'1999'"], "other"),
    ("DATE", ["'2020-01-02'", "'2020-1-2'"], "other"),
    ("DATETIME", ["'2020-01-02 03:04:05'", "CURRENT_TIMESTAMP", "NOW()"], "temporal"),
    ("DATETIME(3)", ["CURRENT_TIMESTAMP(3)", "'2020-01-02 03:04:05.1'"], "temporal"),
    ("TIMESTAMP", ["CURRENT_TIMESTAMP", "'2021-06-01 12:00:00'"], "temporal"),
    ("TIMESTAMP(6)", ["CURRENT_TIMESTAMP(6)", "NOW(6)"], "temporal"),
    ("TIME(2)", ["'10:20:30.5'", "'10:20'"], "other"),
    ("CHAR", ["'a'"], "char"),
    ("CHAR(3)", ["'abc'", "''", "'x '"], "char"),
    ("VARCHAR(20)", ["'x'", "'it''s'", "'a;b'", "'back\\\\slash'", "5"], "char"),
    ("VARCHAR(300)", ["'long'"], "char"),
    ("NCHAR(4)", ["'n'"], "char"),
    ("NVARCHAR(10)", ["'nv'"], "char"),
    ("NATIONAL VARCHAR(5)", ["'n'"], "char"),
    ("BINARY(4)", ["'ab'", "0x41"], "binary"),
    ("VARBINARY(8)", ["'bin'", "x'4142'"], "binary"),
    ("TINYTEXT", [], "text"),
    ("TEXT", ["'t'"], "text"),
    ("TEXT(100)", [], "text"),
    ("TEXT(300)", [], "text"),
    ("MEDIUMTEXT", [], "text"),
    ("LONGTEXT", [], "text"),
    ("TINYBLOB", [], "blob"),
    ("BLOB", [], "blob"),
    ("BLOB(300)", [], "blob"),
    ("BLOB(70000)", [], "blob"),
    ("MEDIUMBLOB", [], "blob"),
    ("LONGBLOB", [], "blob"),
    ("LONG VARBINARY", [], "blob"),
    ("ENUM('a','b','it''s')", ["'a'", "'it''s'", "2"], "other"),
    ("SET('x','y','z')", ["'x,y'", "''", "'y,x'"], "other"),
    ("JSON", ["'{}'"], "text"),
    ("UUID", [], "other"),
    ("INET6", ["'::1'"], "other"),
    ("CHAR(5) BINARY", ["'b'"], "char"),
    ("VARCHAR(10) CHARACTER SET latin1", ["'l'"], "char"),
    ("VARCHAR(10) CHARSET utf8 COLLATE utf8_bin", ["'u'"], "char"),
    ("TEXT CHARACTER SET latin1", [], "text"),
    ("TINYTEXT ASCII", [], "text"),
    ("VARCHAR(6) CHARACTER SET binary", [], "binary"),
]
_SCRIPT_COLLATIONS = ["latin1_bin", "utf8mb4_bin", "utf8mb4_unicode_ci", "utf8mb3_general_ci"]
_SCRIPT_ENGINES = ["InnoDB", "InnoDB", "InnoDB", "MyISAM", "Aria", "MEMORY", "heap", "maria"]
_SCRIPT_ACTIONS = ["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"]
_SCRIPT_COLUMNS = ["a", "b", "c", "Name", "key", "x y", "ts"]
_NOW = ["CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP()", "NOW()", "LOCALTIMESTAMP"]
_KEYED = ("char", "text", "blob", "binary")  # kinds whose key parts may have a prefix


def _qn(draw: Any, name: str) -> str:
    """A name as written: quoted, or bare where it may be."""
    bare = name.isidentifier() and name.upper() not in RESERVED_WORDS
    return name if bare and draw(st.booleans()) else _q(name)


class _ScriptTable:
    """What the generator knows of a table it wrote: column kinds, a primary key, an id."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.kinds: dict[str, str] = {}  # column -> kind (SCRIPT_TYPES)
        self.primary = False
        self.auto = False
        self.id_type: str | None = None  # the type of an `id` primary key, for foreign keys


@st.composite
def _column_def(draw: Any, name: str, t: _ScriptTable, parents: list[_ScriptTable]) -> str:
    """``name type attributes ...``: attributes in any order, sometimes repeated; keys,
    AUTO_INCREMENT and references only where the server allows them, mostly."""
    type_text, defaults, kind = draw(st.sampled_from(SCRIPT_TYPES))
    attrs: list[str] = []
    choices = ["NOT NULL", "NULL", "COMMENT 'c'"]
    if t.kinds and draw(st.integers(0, 3)) == 0:  # never all columns invisible
        choices.append("INVISIBLE")
    if draw(st.integers(0, 3)) == 0:
        choices.append("DEFAULT NULL")
    if defaults:
        choices += [f"DEFAULT {d}" for d in defaults] * 3
    if kind == "temporal":
        choices += [f"ON UPDATE {draw(st.sampled_from(_NOW))}"] * 3
    implied = ("SET", "ASCII", "NCHAR", "NVARCHAR", "NATIONAL", "CHARSET")  # a character set
    if kind in ("char", "text", "binary", "blob") and not any(w in type_text for w in implied):
        collation = draw(st.sampled_from([*_SCRIPT_COLLATIONS, "'binary'"]))
        choices += [f"COLLATE {collation}"] * 2
    if kind == "int":
        choices += [f"CHECK ({_q(name)} > 0)", "DEFAULT (1 + 1)"]
    if kind in ("int", "num") and t.kinds and draw(st.integers(0, 4)) == 0:
        src = draw(st.sampled_from(sorted(t.kinds)))
        if t.kinds[src] == "int":
            how = draw(st.sampled_from(["VIRTUAL", "STORED", "PERSISTENT", ""]))
            choices.append(f"GENERATED ALWAYS AS ({_q(src)} + 1) {how}".rstrip())
    for _ in range(draw(st.integers(0, 4))):
        attrs.append(draw(st.sampled_from(choices)))
    key_ok = kind not in ("text", "blob")
    if key_ok and draw(st.integers(0, 3)) == 0:
        keys = ["UNIQUE", "UNIQUE KEY", "UNIQUE UNIQUE"]
        if not t.primary:
            keys += ["PRIMARY KEY", "KEY", "PRIMARY KEY UNIQUE"]
        key = draw(st.sampled_from(keys))
        t.primary = t.primary or "KEY" in key.replace("UNIQUE KEY", "")
        if kind == "int" and not t.auto and draw(st.booleans()):
            key += " AUTO_INCREMENT"
            t.auto = True
        attrs.insert(draw(st.integers(0, len(attrs))), key)
    if kind == "serial":
        t.auto = True
    t.kinds[name] = kind
    return " ".join([_qn(draw, name), type_text, *attrs])


@st.composite
def _key_def(draw: Any, t: _ScriptTable, parents: list[_ScriptTable]) -> str:
    """A table constraint or index over columns of ``t``."""
    columns = sorted(t.kinds)
    if parents and draw(st.integers(0, 3)) == 0:
        ref = draw(st.sampled_from(parents))
        col = f"fk_{ref.name}"
        action = draw(st.sampled_from(_SCRIPT_ACTIONS))
        name = draw(st.sampled_from(["", "CONSTRAINT ", "CONSTRAINT fk1 ", "CONSTRAINT fk1 ix "]))
        if col not in t.kinds:
            return ""
        return f"{name}FOREIGN KEY ({_q(col)}) REFERENCES {_q(ref.name)} (`id`) ON DELETE {action}"
    if draw(st.integers(0, 6)) == 0:
        col = draw(st.sampled_from(columns))
        return f"{draw(st.sampled_from(['', 'CONSTRAINT ck ']))}CHECK ({_q(col)} IS NOT NULL)"
    kinds = ["UNIQUE", "UNIQUE KEY", "KEY", "INDEX", "FULLTEXT"]
    if not t.primary:
        kinds += ["PRIMARY KEY"] * 2
    kind = draw(st.sampled_from(kinds))
    usable = (
        [c for c in columns if t.kinds[c] in ("char", "text")] if kind == "FULLTEXT" else columns
    )
    if not usable:
        return ""
    cols = draw(st.lists(st.sampled_from(usable), min_size=1, max_size=2, unique=True))
    parts = []
    for c in cols:
        part = _q(c)
        if kind != "FULLTEXT":
            if t.kinds[c] in ("text", "blob") or (
                t.kinds[c] in _KEYED and draw(st.integers(0, 3)) == 0
            ):
                part += f"({draw(st.integers(1, 8))})"
            if draw(st.integers(0, 4)) == 0:
                part += draw(st.sampled_from([" DESC", " ASC"]))
        parts.append(part)
    name = draw(st.sampled_from(["", "", "k1 ", "`k 2` ", "uq "]))
    using = (
        "" if kind == "FULLTEXT" else draw(st.sampled_from(["", "", "USING BTREE ", "USING HASH "]))
    )
    constraint = ""
    if kind.startswith(("PRIMARY", "UNIQUE")):
        constraint = draw(st.sampled_from(["", "", "CONSTRAINT ", "CONSTRAINT c1 "]))
    if kind == "PRIMARY KEY":
        t.primary = True
    text = f"{constraint}{kind} {name}{using}({', '.join(parts)})"
    if draw(st.integers(0, 4)) == 0:
        text += " COMMENT 'why'"
    return text


@st.composite
def _table_options(draw: Any, t: _ScriptTable) -> str:
    lobs = any(k in ("text", "blob") for k in t.kinds.values())
    engines = [e for e in _SCRIPT_ENGINES if not (lobs and e in ("MEMORY", "heap"))]
    engine = draw(st.sampled_from(engines))
    formats = ["DYNAMIC", "COMPACT"]
    if engine in ("MyISAM", "Aria", "maria"):
        formats += ["FIXED", "PAGE"] if engine != "MyISAM" else ["FIXED"]
    opts = [f"ENGINE={engine}"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 3))):
        opts.append(
            draw(
                st.sampled_from(
                    [
                        f"DEFAULT CHARSET={draw(st.sampled_from(['latin1', 'utf8', 'utf8mb4']))}",
                        f"COLLATE={draw(st.sampled_from(_SCRIPT_COLLATIONS))}",
                        "COMMENT='table'",
                        f"ROW_FORMAT={draw(st.sampled_from(formats))}",
                        "AUTO_INCREMENT=5",
                        "STATS_PERSISTENT=0",
                        "CHECKSUM=1",
                        "PAGE_CHECKSUM=0",
                    ]
                )
            )
        )
    return " ".join(opts)


@st.composite
def _alter_action(draw: Any, t: _ScriptTable, parents: list[_ScriptTable]) -> str:
    columns = sorted(t.kinds)
    name = draw(st.sampled_from(columns))
    col = _q(name)
    new = draw(st.sampled_from(["n1", "n2", "A", "b"]))
    kind = draw(st.integers(0, 13))
    if kind == 0 and new not in t.kinds:
        where = draw(st.sampled_from(["", "", " FIRST", f" AFTER {col}"]))
        return f"ADD COLUMN {draw(_column_def(new, t, parents))}{where}"
    if kind == 1:
        return f"MODIFY {draw(_column_def(name, t, parents))}"
    if kind == 2 and new not in t.kinds:
        text = f"CHANGE {col} {draw(_column_def(new, t, parents))}"
        t.kinds.pop(name, None)
        return text
    if kind == 3 and len(columns) > 1:
        t.kinds.pop(name)
        return f"DROP COLUMN {col}"
    if kind == 5:
        return str(
            draw(st.sampled_from(["DROP PRIMARY KEY", "DROP INDEX k1", f"DROP INDEX {col}"]))
        )
    if kind == 6 and new not in t.kinds:
        t.kinds[new] = t.kinds.pop(name)
        return f"RENAME COLUMN {col} TO {_q(new)}"
    if kind == 7:
        default = draw(st.sampled_from(["1", "'x'", "NULL"]))
        return str(
            draw(
                st.sampled_from([f"ALTER {col} SET DEFAULT {default}", f"ALTER {col} DROP DEFAULT"])
            )
        )
    if kind == 8:
        charset = draw(st.sampled_from(["latin1", "utf8mb4", "utf8mb3"]))
        return f"CONVERT TO CHARACTER SET {charset}"
    if kind == 9:
        return f"ENGINE={draw(st.sampled_from(_SCRIPT_ENGINES))}"
    if kind == 10:
        return str(
            draw(st.sampled_from(["DEFAULT CHARSET=latin1", "COMMENT 'c2'", "ROW_FORMAT=DYNAMIC"]))
        )
    if kind == 11:
        return "RENAME INDEX k1 TO k3"
    if kind == 12:
        return str(
            draw(st.sampled_from(["DROP FOREIGN KEY fk1", "DROP CONSTRAINT ck", "DROP CHECK ck"]))
        )
    return f"ADD {draw(_key_def(t, parents))}"


@st.composite
def mysql_scripts(draw: Any) -> str:
    """A random script of CREATE TABLE (columns with attributes in any order, keys, foreign
    keys, checks and options), ALTER TABLE, CREATE INDEX and CREATE TABLE ... LIKE, built so
    that the server runs most of it: the fuzz compares the DDL reader with the catalog on what
    MariaDB runs."""
    statements: list[str] = []
    tables: list[_ScriptTable] = []
    for n in range(draw(st.integers(1, 3))):
        t = _ScriptTable(f"t{n + 1}")
        parents = [p for p in tables if p.id_type is not None]
        defs = []
        if draw(st.integers(0, 2)):
            t.id_type = draw(st.sampled_from(["INT", "BIGINT", "INT UNSIGNED"]))
            t.primary = True
            t.kinds["id"] = "int"
            defs.append(f"`id` {t.id_type} PRIMARY KEY")
        for parent in parents:
            if draw(st.booleans()):
                t.kinds[f"fk_{parent.name}"] = "int"
                fk = f"`fk_{parent.name}` {parent.id_type}"
                if draw(st.booleans()):
                    fk += f" REFERENCES {_q(parent.name)} (`id`)"
                defs.append(fk)
        for c in draw(
            st.lists(st.sampled_from(_SCRIPT_COLUMNS), min_size=1, max_size=4, unique=True)
        ):
            defs.append(draw(_column_def(c, t, parents)))
        for _ in range(draw(st.integers(0, 2))):
            key = draw(_key_def(t, parents))
            if key:
                defs.append(key)
        options = draw(_table_options(t))
        statements.append(f"CREATE TABLE {_q(t.name)} ({', '.join(defs)}) {options}".rstrip())
        tables.append(t)
        for _ in range(draw(st.integers(0, 2))):
            if draw(st.integers(0, 4)) == 0:
                name = draw(st.sampled_from(["ix", "k1"]))
                unique = draw(st.sampled_from(["", "UNIQUE "]))
                col = draw(st.sampled_from(sorted(t.kinds)))
                prefix = "(5)" if t.kinds[col] in ("text", "blob") else ""
                statements.append(
                    f"CREATE {unique}INDEX {name} ON {_q(t.name)} ({_q(col)}{prefix})"
                )
            else:
                actions = [draw(_alter_action(t, parents)) for _ in range(draw(st.integers(1, 2)))]
                actions = [a for a in actions if not a.endswith("ADD ")]
                if actions:
                    statements.append(f"ALTER TABLE {_q(t.name)} {', '.join(actions)}")
    if draw(st.integers(0, 5)) == 0:
        statements.append(f"CREATE TABLE `copy` LIKE {_q(draw(st.sampled_from(tables)).name)}")
    return ";\n".join(statements) + ";\n"


__all__ = ["RESERVED_WORDS", "mysql_schemas", "mysql_scripts"]
