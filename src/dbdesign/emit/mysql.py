"""Schema -> MySQL / MariaDB DDL.

Tables come in dependency order (referenced tables first, by :mod:`dbdesign.graph`); a foreign
key that points at a table not created yet (a cycle) is added afterwards with ALTER TABLE. Then
routines, views (in the order their queries need them) and triggers; statements whose body
holds ``;`` are wrapped in ``DELIMITER ;;`` as mysqldump does, so the ``mysql`` client (and
:func:`dbdesign.dialects.mysql_lexer.split_script`) runs the output as it is.

Every key and constraint is written with its name, so loading the output and reading the
catalog gives the same model. Whatever MySQL cannot express (sequences, partial indexes,
deferrable constraints ...) raises :class:`UnsupportedError` rather than producing different
SQL. :func:`emit_schema` is the public entry; the schema's types are the canonical MySQL names
of :mod:`dbdesign.dialects.mysql` (``int unsigned``, ``varchar`` (255,), ``boolean`` ...).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlglot
from sqlglot import exp

from dbdesign.dialects.mysql import (
    CHARSETS,
    MAX_IDENTIFIER,
    NAMESPACE,
    TypeSyntaxError,
    charset_of,
    parse_type,
    quote_string,
    type_problem,
    type_sql,
)
from dbdesign.dialects.mysql_lexer import tokenize
from dbdesign.dialects.mysql_options import CREATE_OPTIONS
from dbdesign.dialects.tokens import Source
from dbdesign.emit.order import dependency_order, query_relations
from dbdesign.errors import ParseError, UnsupportedError
from dbdesign.model import (
    Column,
    Expr,
    ForeignKey,
    Function,
    Index,
    Schema,
    Table,
    Trigger,
    Unique,
    View,
)

_INDENT = "  "


def q(name: str) -> str:
    """Every name in backticks, as SHOW CREATE TABLE writes them."""
    return "`" + name.replace("`", "``") + "`"


def _names(cols: Iterable[str]) -> str:
    return ", ".join(q(c) for c in cols)


def _table_ref(key: str) -> str:
    """``main.t`` -> ```t```; ``other.t`` -> ```other`.`t```."""
    schema, _, name = key.partition(".")
    return q(name) if schema == NAMESPACE else f"{q(schema)}.{q(name)}"


_NOW = ("current_timestamp", "now", "localtime", "localtimestamp")


def _is_bare_default(text: str) -> bool:
    """Whether a DEFAULT can be written without parentheses: a literal, NULL, TRUE/FALSE,
    a signed number or CURRENT_TIMESTAMP[(n)]."""
    try:
        toks = tokenize(Source(text, None))
    except ParseError:
        return False
    if len(toks) == 1:
        t = toks[0]
        return t.kind in ("string", "number", "hex", "bits") or t.upper in (
            "NULL",
            "TRUE",
            "FALSE",
            "CURRENT_TIMESTAMP",
            "LOCALTIMESTAMP",
            "LOCALTIME",
        )
    if len(toks) == 2 and toks[0].kind == "op" and toks[0].text in "+-":
        return toks[1].kind == "number"
    if toks and toks[0].kind == "word" and toks[0].text.lower() in _NOW:
        rest = [t.text for t in toks[1:]]
        return rest in (["(", ")"],) or (
            len(rest) == 3 and rest[0] == "(" and rest[2] == ")" and toks[2].kind == "number"
        )
    return False


def column_sql(t: Table, c: Column) -> str:
    parts = [q(c.name), type_sql(c.type)]
    if c.collation:
        parts.append(f"CHARACTER SET {charset_of(c.collation)} COLLATE {c.collation}")
    if c.generated is not None:
        kind = "STORED" if c.generated.stored else "VIRTUAL"
        parts.append(f"GENERATED ALWAYS AS ({c.generated.expr.text.strip()}) {kind}")
        if not c.nullable:
            parts.append("NOT NULL")
    else:
        parts.append("NULL" if c.nullable else "NOT NULL")
        if c.default is not None:
            text = c.default.text.strip()
            parts.append(f"DEFAULT {text}" if _is_bare_default(text) else f"DEFAULT ({text})")
        on_update = t.dialect_options.get(f"on_update:{c.name}")
        if on_update:
            parts.append(f"ON UPDATE {on_update}")
        if c.identity is not None:
            parts.append("AUTO_INCREMENT")
    if c.comment:
        parts.append(f"COMMENT {quote_string(c.comment)}")
    return " ".join(parts)


def _key_parts(i: Index) -> str:
    out = []
    for e in i.elements:
        s = q(e.column or "")
        if e.length is not None:
            s += f"({e.length})"
        if e.descending:
            s += " DESC"
        out.append(s)
    return ", ".join(out)


def index_sql(i: Index, engine: str) -> str:
    """A key definition inside CREATE TABLE."""
    return f"{_kind(i)}KEY {q(i.name)} ({_key_parts(i)}){_index_options(i, engine)}"


def create_index_sql(schema: Schema, i: Index) -> str:
    """One ``CREATE INDEX`` statement for ``i`` (a fix hint's), with the options its table's
    engine needs as :func:`index_sql` writes them."""
    t = schema.tables.get(i.table_key)
    engine = t.dialect_options.get("engine", "InnoDB") if t is not None else "InnoDB"
    options = _index_options(i, engine)
    return f"CREATE {_kind(i)}INDEX {q(i.name)} ON {q(i.table)} ({_key_parts(i)}){options};"


def _kind(i: Index) -> str:
    """``FULLTEXT ``, ``SPATIAL ``, ``UNIQUE `` or nothing: what precedes KEY / INDEX."""
    if i.method in ("fulltext", "spatial"):
        return i.method.upper() + " "
    return "UNIQUE " if i.unique else ""


def _index_options(i: Index, engine: str) -> str:
    s = ""
    if i.method == "hash" and engine != "MEMORY":
        s += " USING HASH"
    elif i.method == "btree" and engine == "MEMORY":
        s += " USING BTREE"
    if i.comment:
        s += f" COMMENT {quote_string(i.comment)}"
    return s


def unique_sql(u: Unique, engine: str) -> str:
    s = f"UNIQUE KEY {q(u.name)} ({_names(u.columns)})"
    if engine == "MEMORY":
        s += " USING BTREE"
    if u.comment:
        s += f" COMMENT {quote_string(u.comment)}"
    return s


def fk_sql(fk: ForeignKey) -> str:
    s = (
        f"CONSTRAINT {q(fk.name)} FOREIGN KEY ({_names(fk.columns)}) "
        f"REFERENCES {_table_ref(fk.ref_table)} ({_names(fk.ref_columns)})"
    )
    # RESTRICT is what the server records when no action is written.
    if fk.on_delete != "RESTRICT":
        s += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "RESTRICT":
        s += f" ON UPDATE {fk.on_update}"
    return s


def table_options_sql(t: Table) -> str:
    opts = t.dialect_options
    parts = []
    if "engine" in opts:
        parts.append(f"ENGINE={opts['engine']}")
    if "collation" in opts:
        parts.append(f"DEFAULT CHARSET={charset_of(opts['collation'])} COLLATE={opts['collation']}")
    elif "charset" in opts:
        parts.append(f"DEFAULT CHARSET={opts['charset']}")
    for key in sorted(CREATE_OPTIONS):
        if key in opts:
            value = opts[key]
            parts.append(f"{key.upper()}={value if value.isalnum() else quote_string(value)}")
    if t.comment:
        parts.append(f"COMMENT={quote_string(t.comment)}")
    return (" " + " ".join(parts)) if parts else ""


def table_sql(t: Table, indexes: list[Index], inline_fks: list[ForeignKey]) -> str:
    """CREATE TABLE with every key, the given foreign keys and every check inline."""
    engine = t.dialect_options.get("engine", "InnoDB")
    lines = [column_sql(t, c) for c in t.columns]
    if t.primary_key is not None:
        lines.append(f"PRIMARY KEY ({_names(t.primary_key.columns)})")
    lines += [unique_sql(u, engine) for u in t.uniques.values()]
    lines += [index_sql(i, engine) for i in sorted(indexes, key=lambda i: i.name)]
    lines += [fk_sql(fk) for fk in inline_fks]
    lines += [f"CONSTRAINT {q(ck.name)} CHECK ({ck.expr.text.strip()})" for ck in t.checks.values()]
    body = (",\n" + _INDENT).join(lines)
    return f"CREATE TABLE {q(t.name)} (\n{_INDENT}{body}\n){table_options_sql(t)};"


def _local_query(query: Expr) -> str:
    """A view query without the qualifier of the database it was read from (the catalog
    writes ``db.t.col`` everywhere; the target database has another name)."""
    text = query.text.strip()
    db = query.schema
    if not db or db.lower() not in text.lower():
        return text
    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except Exception:  # keep what we cannot parse; the server will say what is wrong
        return text
    found = False
    for node in tree.find_all(exp.Table, exp.Column):
        ident = node.args.get("db")
        if isinstance(ident, exp.Identifier) and ident.name.lower() == db.lower():
            node.set("db", None)
            found = True
    return tree.sql(dialect="mysql") if found else text


def view_sql(v: View) -> str:
    head = "CREATE"
    for opt in v.options:
        key, _, value = opt.partition("=")
        if key == "algorithm":
            head += f" ALGORITHM={value}"
        elif key == "sql_security":
            head += f" SQL SECURITY {value}"
    cols = f" ({_names(v.column_names)})" if v.column_names else ""
    check = f"\nWITH {v.check_option} CHECK OPTION" if v.check_option else ""
    return f"{head} VIEW {q(v.name)}{cols} AS\n{_local_query(v.query)}{check};"


def _delimited(statement: str) -> str:
    """A statement whose body holds ``;``: wrapped in DELIMITER ;; ... DELIMITER ;."""
    if ";" not in statement:
        return statement + ";"
    return f"DELIMITER ;;\n{statement};;\nDELIMITER ;"


def trigger_sql(tr: Trigger) -> str:
    body = tr.body.text.strip() if tr.body is not None else ""
    return _delimited(
        f"CREATE TRIGGER {q(tr.name)} {tr.timing} {tr.events[0]} ON {q(tr.table)}\n"
        f"FOR EACH ROW {body}"
    )


def _sql_type(text: str) -> str:
    return type_sql(parse_type(text))


def routine_sql(f: Function) -> str:
    params = []
    for a in f.arguments:
        mode = f"{a.mode} " if f.kind == "procedure" else ""
        params.append(f"{mode}{q(a.name or '')} {_sql_type(a.type)}")
    head = f"CREATE {f.kind.upper()} {q(f.name)}({', '.join(params)})"
    if f.kind == "function" and f.returns:
        head += f" RETURNS {_sql_type(f.returns)}"
    traits = []
    if f.volatility == "IMMUTABLE":
        traits.append("DETERMINISTIC")
    for c in f.config:
        key, _, value = c.partition("=")
        if key == "sql_data_access":
            traits.append(value)
    if not f.security_definer:
        traits.append("SQL SECURITY INVOKER")
    if f.comment:
        traits.append(f"COMMENT {quote_string(f.comment)}")
    lines = [head, *traits, f.body.strip()]
    return _delimited("\n".join(lines))


def _long(kind: str, name: str) -> str | None:
    if len(name) > MAX_IDENTIFIER:
        return f"{kind} name {name[:20]}... is longer than {MAX_IDENTIFIER} characters"
    return None


def _unsupported(schema: Schema) -> list[str]:
    """Every construct of ``schema`` MySQL cannot express, each naming its object.

    The refusals are split by object (``_unsupported_*``); the refusal tests read them all.
    """
    problems: list[str] = []
    for what, coll in (
        ("sequence", schema.sequences),
        ("enum type (MySQL enums are column types: enum('a','b'))", schema.enums),
        ("domain", schema.domains),
        ("composite type", schema.composite_types),
        ("rule", schema.rules),
        ("policy", schema.policies),
        ("extension", schema.extensions),
        ("collation", schema.collations),
    ):
        problems += [f"{what} {k}" for k in coll]
    problems += [f"namespace {n}" for n in schema.namespaces if n != NAMESPACE]
    for t in schema.tables.values():
        problems += _unsupported_table(t)
        for c in t.columns:
            problems += _unsupported_column(t.key, c)
        problems += _unsupported_keys(t)
    for i in schema.indexes.values():
        problems += _unsupported_index(schema, i)
    for v in schema.views.values():
        problems += _unsupported_view(v)
    for tr in schema.triggers.values():
        problems += _unsupported_trigger(tr)
    for f in schema.functions.values():
        problems += _unsupported_function(f)
    return problems


def _unsupported_table(t: Table) -> list[str]:
    """What the table itself (not its columns or keys) has that MySQL cannot express."""
    key = t.key
    problems = [p for p in [_long("table", t.name)] if p]
    if t.schema != NAMESPACE:
        problems.append(f"table {key} outside the database ({NAMESPACE})")
    if t.exclusions:
        problems.append(f"exclusion constraints on {key}")
    if t.partition_by or t.partition_of or t.inherits:
        problems.append(f"partitioning or inheritance of {key}")
    if t.unlogged or t.rls_enabled or t.options or t.grants:
        problems.append(f"storage parameters, row security or grants on {key}")
    autos = [c for c in t.columns if c.identity is not None]
    if len(autos) > 1:
        problems.append(f"more than one AUTO_INCREMENT column in {key}")
    return problems


def _unsupported_column(key: str, c: Column) -> list[str]:
    """What column ``c`` of table ``key`` has that MySQL cannot express."""
    problems = [p for p in [_long("column", c.name)] if p]
    problem = type_problem(c.type)
    if problem:
        problems.append(f"column {key}.{c.name}: {problem}")
    if c.identity is not None and c.identity != type(c.identity)(always=False):
        problems.append(
            f"identity options on {key}.{c.name} (AUTO_INCREMENT has none; "
            "use Identity(always=False))"
        )
    if c.collation and charset_of(c.collation) not in CHARSETS:
        problems.append(f"collation {c.collation!r} of {key}.{c.name}")
    return problems


def _unsupported_keys(t: Table) -> list[str]:
    """What the keys and checks of ``t`` have that MySQL cannot express."""
    problems: list[str] = []
    pk = t.primary_key
    if pk is not None and (pk.include or pk.deferrable):
        problems.append(f"INCLUDE or DEFERRABLE on the primary key of {t.key}")
    for u in t.uniques.values():
        problems += [p for p in [_long("key", u.name)] if p]
        if u.include or u.deferrable or u.nulls_not_distinct:
            problems.append(f"INCLUDE, DEFERRABLE or NULLS NOT DISTINCT on {u.name}")
    for fk in t.foreign_keys.values():
        problems += [p for p in [_long("constraint", fk.name)] if p]
        if fk.match != "SIMPLE" or fk.deferrable or not fk.validated:
            problems.append(f"MATCH, DEFERRABLE or NOT VALID on {fk.name}")
        if "SET DEFAULT" in (fk.on_delete, fk.on_update):
            problems.append(f"SET DEFAULT on {fk.name} (InnoDB refuses it)")
        if fk.on_delete_columns:
            problems.append(f"ON DELETE {fk.on_delete} (columns) on {fk.name}")
        if not fk.ref_columns:
            problems.append(f"foreign key {fk.name} without referenced columns")
    for ck in t.checks.values():
        if not ck.validated or ck.no_inherit:
            problems.append(f"NOT VALID or NO INHERIT on check {ck.name}")
    return problems


def _unsupported_index(schema: Schema, i: Index) -> list[str]:
    """What index ``i`` has that MariaDB cannot build."""
    problems = [p for p in [_long("index", i.name)] if p]
    if i.table_key not in schema.tables:
        problems.append(f"index {i.name} on a missing table {i.table_key}")
    if i.method not in ("btree", "hash", "fulltext", "spatial"):
        problems.append(f"index method {i.method} of {i.name}")
    if i.where is not None or i.include or i.nulls_not_distinct:
        problems.append(f"partial index, INCLUDE or NULLS NOT DISTINCT on {i.name}")
    if any(e.column is None for e in i.elements):
        problems.append(f"expression key part in {i.name} (MariaDB has no functional index)")
    if any(e.opclass or e.collation or e.nulls_first is not None for e in i.elements):
        problems.append(f"operator class, collation or NULLS FIRST/LAST in {i.name}")
    return problems


def _unsupported_view(v: View) -> list[str]:
    """What view ``v`` has that MySQL cannot express."""
    problems: list[str] = []
    if v.materialized or v.grants:
        problems.append(f"materialized view or grants on {v.key}")
    if any(o.partition("=")[0] not in ("algorithm", "sql_security") for o in v.options):
        problems.append(f"view options {', '.join(v.options)} on {v.key}")
    return problems


def _unsupported_trigger(tr: Trigger) -> list[str]:
    """The refusal of a trigger MySQL cannot write: any but one row event with a body."""
    problems: list[str] = []
    if (
        len(tr.events) != 1
        or tr.events[0] not in ("INSERT", "UPDATE", "DELETE")
        or tr.level != "ROW"
        or tr.timing == "INSTEAD OF"
        or tr.body is None
        or tr.when is not None
        or tr.columns
        or tr.constraint
    ):
        problems.append(
            f"trigger {tr.key}: MySQL triggers are BEFORE/AFTER one of INSERT, UPDATE or "
            "DELETE, FOR EACH ROW, with a body and no WHEN or UPDATE OF"
        )
    return problems


def _unsupported_function(f: Function) -> list[str]:
    """What routine ``f`` has that MySQL cannot express: its traits, arguments and types."""
    problems: list[str] = []
    if f.kind == "aggregate" or f.language.lower() != "sql" or f.volatility == "STABLE":
        problems.append(f"{f.kind} {f.key}: language {f.language}, {f.volatility}")
    if f.strict or f.leakproof or f.parallel != "UNSAFE" or f.grants:
        problems.append(f"STRICT, LEAKPROOF, PARALLEL or grants on {f.key}")
    if any(c.partition("=")[0] != "sql_data_access" for c in f.config):
        problems.append(f"settings {', '.join(f.config)} on {f.key}")
    for a in f.arguments:
        if a.default is not None or a.mode in ("VARIADIC", "TABLE") or not a.name:
            problems.append(f"argument {a.name or '?'} of {f.key}: default, mode or no name")
        elif f.kind == "function" and a.mode != "IN":
            problems.append(f"argument {a.name} of {f.key}: functions take IN arguments")
    for text in [a.type for a in f.arguments] + ([f.returns] if f.returns else []):
        try:
            problem = type_problem(parse_type(text))
        except TypeSyntaxError as e:
            problem = str(e)
        if problem:
            problems.append(f"type {text!r} in {f.key}: {problem}")
    if f.kind == "function" and not f.returns:
        problems.append(f"function {f.key} without RETURNS")
    return problems


def emit_schema(schema: Schema) -> str:
    """The whole schema as a MySQL/MariaDB script (the ``mysql`` client runs it as is)."""
    problems = _unsupported(schema)
    if problems:
        raise UnsupportedError("MySQL cannot express: " + "; ".join(problems))
    out: list[str] = []
    deps = {k: {fk.ref_table for fk in t.foreign_keys.values()} for k, t in schema.tables.items()}
    order = dependency_order(deps)
    created: set[str] = set()
    deferred: list[tuple[Table, ForeignKey]] = []
    for key in order:
        t = schema.tables[key]
        created.add(key)
        inline = []
        for fk in t.foreign_keys.values():
            if fk.ref_table in created or fk.ref_table not in schema.tables:
                inline.append(fk)
            else:
                deferred.append((t, fk))
        indexes = [i for i in schema.indexes.values() if i.table_key == key]
        out.append(table_sql(t, indexes, inline))
    for t, fk in deferred:
        out.append(f"ALTER TABLE {q(t.name)} ADD {fk_sql(fk)};")
    for f in sorted(schema.functions.values(), key=lambda f: (f.kind != "function", f.name)):
        out.append(routine_sql(f))
    names = {v.name: k for k, v in schema.views.items()}
    view_deps = {
        k: {names[r] for r in query_relations(v.query.text, "mysql") if r in names}
        for k, v in schema.views.items()
    }
    for key in dependency_order(view_deps):
        out.append(view_sql(schema.views[key]))
    for _k, tr in sorted(schema.triggers.items()):
        out.append(trigger_sql(tr))
    return "\n\n".join(out) + "\n" if out else ""


__all__ = [
    "column_sql",
    "create_index_sql",
    "emit_schema",
    "fk_sql",
    "index_sql",
    "routine_sql",
    "table_sql",
    "trigger_sql",
    "view_sql",
]
