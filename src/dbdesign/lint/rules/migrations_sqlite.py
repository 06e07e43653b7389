"""Migration safety on SQLite: what ALTER TABLE cannot do or refuses, and the 12-step rebuild.

SQLite's ALTER TABLE renames a table (3.25+ rewrites the references in triggers and views,
3.26+ those in other tables' foreign keys too), renames a column (3.25+), adds a column with
restrictions, and drops a column (3.35+) that nothing else uses; 3.53 adds ADD CONSTRAINT
CHECK, DROP CONSTRAINT and ALTER COLUMN SET / DROP NOT NULL. Everything else is the documented
12-step rebuild, which each finding prints for its table (:mod:`~dbdesign.lint.migration.
sqlite_rebuild`). Sources: the SQLite documentation, "ALTER TABLE" and its syntax diagram,
and ``sqlite3AlterFinishAddColumn`` in alter.c. Every refusal claimed is run on the machine's
SQLite (Python's sqlite3) by tests/integration/test_migration_lint_sqlite.py, with the version
recorded; the claims about versions other than that one come from the documentation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from dbdesign.dialects.sqlite import parse_type, quote_ident, type_affinity
from dbdesign.dialects.sqlite_lexer import tokenize
from dbdesign.dialects.tokens import Source
from dbdesign.errors import DbdesignError
from dbdesign.lint.findings import Hit
from dbdesign.lint.migration.context import StatementContext
from dbdesign.lint.migration.sqlite_rebuild import Change, Edit, names_in, rebuild_sql
from dbdesign.lint.migration.walk_sqlite import SQLiteAlter, SQLiteNode
from dbdesign.lint.registry import migration_rule
from dbdesign.model import Expr, FrozenMap, Table
from dbdesign.readers.ddl.sqlite import build_table, resolve_table
from dbdesign.readers.ddl.sqlite_parser import SQLiteParser
from dbdesign.readers.ddl.sqlite_statements import AlterDef, SQLiteColumnDef, SQLiteTableDef

SQLITE = ("sqlite",)
_ROWS = "a table with rows (one made earlier in this file and not written to yet is empty)"


def _node(ctx: StatementContext) -> SQLiteNode:
    node: SQLiteNode = ctx.stmt.node
    return node


def _v(ctx: StatementContext) -> str:
    return f"SQLite {'.'.join(map(str, ctx.server.parts))}"


def _q(name: str) -> str:
    return quote_ident(name)


def _rebuild(ctx: StatementContext, table: str, change: Change) -> str | None:
    return rebuild_sql(ctx.state, table, change, runner=ctx.stmt.file.runner)


def _tdef(ctx: StatementContext, table: str) -> SQLiteTableDef | None:
    tdef: SQLiteTableDef | None = ctx.state.tables.get(table.lower())
    return tdef


def _def_edit(ctx: StatementContext, table: str, change: object) -> Edit | None:
    """An edit that rebuilds the table's model from a changed copy of its definition;
    ``change(copy)`` changes the copy."""
    tdef = _tdef(ctx, table)
    if tdef is None:
        return None

    def edit(_t: Table) -> Table:
        new = copy.deepcopy(tdef)
        change(new)  # type: ignore[operator]

        def fail(message: str, _origin: object) -> Exception:
            return DbdesignError(message)

        return build_table(resolve_table(new, fail))

    return edit


# -- ALTER TABLE forms SQLite has no syntax for ------------------------------------------------


def _supported_from_353(a: SQLiteAlter) -> bool:
    """ADD CONSTRAINT ... CHECK, DROP CONSTRAINT and ALTER COLUMN SET / DROP NOT NULL: SQLite
    3.53's additions (the ALTER TABLE syntax diagram)."""
    if a.kind == "add_constraint":
        return a.constraint == "check"
    if a.kind == "drop_constraint":
        return True
    return a.kind == "alter_column" and a.change in ("set_not_null", "drop_not_null")


def _column_edit(t: Table, a: SQLiteAlter) -> Table:
    from dataclasses import replace

    def change(c: object) -> object:
        if a.change == "type":
            return replace(c, type=parse_type(a.value))  # type: ignore[type-var]
        if a.change in ("set_not_null", "drop_not_null"):
            return replace(c, nullable=a.change == "drop_not_null")  # type: ignore[type-var]
        if a.change == "set_default":
            return replace(c, default=Expr(a.value, "sqlite"))  # type: ignore[type-var]
        if a.change == "drop_default":
            return replace(c, default=None)  # type: ignore[type-var]
        return c

    cols = tuple(change(c) if c.name.lower() == a.column.lower() else c for c in t.columns)
    return replace(t, columns=cols)  # type: ignore[arg-type]


def _drop_constraint(t: Table, name: str) -> Table:
    from dataclasses import replace

    low = name.lower()

    def keep(m: FrozenMap[str, object]) -> FrozenMap[str, object]:
        return FrozenMap((n, x) for n, x in m.items() if n.lower() != low)

    pk = t.primary_key if t.primary_key is None or t.primary_key.name.lower() != low else None
    return replace(
        t,
        primary_key=pk,
        uniques=keep(t.uniques),  # type: ignore[arg-type]
        checks=keep(t.checks),  # type: ignore[arg-type]
        foreign_keys=keep(t.foreign_keys),  # type: ignore[arg-type]
    )


def _add_constraint(ctx: StatementContext, table: str, a: SQLiteAlter) -> Edit | None:
    text = a.text.split(None, 1)[1] if len(a.text.split(None, 1)) > 1 else ""
    src = Source(text, None)
    try:
        cons = SQLiteParser(src, tokenize(src)).table_constraint()
    except DbdesignError:
        return None
    return _def_edit(ctx, table, lambda d: d.constraints.append(cons))


def _alter_fix(ctx: StatementContext, table: str, a: SQLiteAlter) -> str | None:
    if a.kind == "multiple":
        return None
    edit: Edit | None = None
    if a.kind == "alter_column":
        edit = (lambda t: _column_edit(t, a)) if a.change != "other" else None
    elif a.kind == "drop_constraint":
        edit = lambda t: _drop_constraint(t, a.constraint)  # noqa: E731
    elif a.kind == "add_constraint":
        edit = _add_constraint(ctx, table, a)
    what = " ".join(a.text.split())
    if edit is None:
        what += " (write the new definition into CREATE TABLE new_X below)"
    return _rebuild(ctx, table, Change(edit=edit, what=what))


@migration_rule("MIG150", "sqlite-alter-unsupported", "error", dialects=SQLITE)
def alter_unsupported(ctx: StatementContext) -> Iterator[Hit]:
    """An ALTER TABLE that SQLite has no syntax for: it fails.

    Rationale: SQLite's ALTER TABLE renames a table or a column, adds a column and drops a
    column, one action per statement (the SQLite documentation, "ALTER TABLE" and its
    syntax diagram). ALTER COLUMN ... TYPE, SET / DROP DEFAULT, ADD UNIQUE / PRIMARY KEY /
    FOREIGN KEY, MODIFY, and several comma-separated actions are syntax errors; ADD
    CONSTRAINT ... CHECK, DROP CONSTRAINT and ALTER COLUMN SET / DROP NOT NULL are syntax
    errors before SQLite 3.53. The migration stops there. What SQLite cannot alter is
    changed by the documented 12-step rebuild: a new table with the new definition, the rows
    copied, the old table dropped, the new one renamed, indexes, triggers and views made
    again, with foreign keys off outside the transaction and checked before COMMIT.

    Bad:
        ALTER TABLE orders ALTER COLUMN total TYPE NUMERIC;

    Good:
        -- dbdesign: foreign-keys-off
        CREATE TABLE new_orders (id INTEGER PRIMARY KEY, total NUMERIC);
        INSERT INTO new_orders (id, total) SELECT id, total FROM orders;
        DROP TABLE orders;
        ALTER TABLE new_orders RENAME TO orders;

    Fix: the 12-step rebuild printed with the finding, built from the table's current
    definition (its indexes, triggers and the views that use it are made again); several
    actions: one ALTER TABLE each. For dbdesign's runner the file's header ``-- dbdesign:
    foreign-keys-off`` turns foreign keys off around its transaction and runs ``PRAGMA
    foreign_key_check`` before COMMIT; for other runners the fix frames the same statements
    with PRAGMA foreign_keys = OFF; BEGIN; ... PRAGMA foreign_key_check; COMMIT; PRAGMA
    foreign_keys = ON, in a file run outside the runner's transaction.
    """
    node = _node(ctx)
    a = node.alter
    if a is None or node.table is None or a.kind in _SQLITE_FORMS:
        return
    if ctx.server.at_least(3, 53) and _supported_from_353(a):
        return
    if a.kind == "multiple":
        each = [f"ALTER TABLE {_q(node.table)} {x.strip()};" for x in a.actions]
        yield Hit(
            node.table,
            f"{_v(ctx)}: ALTER TABLE takes one action per statement: this one fails "
            '(syntax error near ",")',
            fix="\n".join(each),
        )
        return
    when = " before SQLite 3.53" if _supported_from_353(a) else ""
    yield Hit(
        node.table,
        f"{_v(ctx)}: SQLite has no ALTER TABLE {_describe(a)}{when}: the statement fails "
        "(syntax error); the table must be rebuilt (12 steps)",
        fix=_alter_fix(ctx, node.table, a),
    )


_SQLITE_FORMS = frozenset(("rename", "rename_column", "add_column", "drop_column"))


def _describe(a: SQLiteAlter) -> str:
    if a.kind == "alter_column":
        what = {
            "type": "... TYPE (a column type change)",
            "set_not_null": "... SET NOT NULL",
            "drop_not_null": "... DROP NOT NULL",
            "set_default": "... SET DEFAULT",
            "drop_default": "... DROP DEFAULT",
        }.get(a.change, "")
        return f"ALTER COLUMN {what}".strip()
    if a.kind == "add_constraint":
        return {"check": "ADD CHECK", "unique": "ADD UNIQUE", "pk": "ADD PRIMARY KEY"}.get(
            a.constraint, "ADD FOREIGN KEY" if a.constraint == "fk" else "ADD CONSTRAINT"
        )
    if a.kind == "drop_constraint":
        return "DROP CONSTRAINT"
    return " ".join(a.text.split()[:2]).upper()


# -- DROP COLUMN and RENAME COLUMN ---------------------------------------------------------------


def _drop_def(ctx: StatementContext) -> AlterDef | None:
    p = _node(ctx).parsed
    return p if isinstance(p, AlterDef) and p.action == "drop_column" else None


@migration_rule("MIG151", "sqlite-drop-column-before-3-35", "error", dialects=SQLITE)
def drop_column_old_server(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... DROP COLUMN for an SQLite before 3.35: it fails.

    Rationale: DROP COLUMN came with SQLite 3.35.0 (2021-03-12); before, it is a syntax
    error (the SQLite documentation, "ALTER TABLE"; release log 3.35.0). Android before 14,
    older Debian and Ubuntu releases and many embedded builds ship an older SQLite.

    Bad:
        -- target: SQLite 3.31
        ALTER TABLE users DROP COLUMN nickname;

    Good:
        -- the 12-step rebuild without the column (printed with the finding)

    Fix: the 12-step rebuild printed with the finding, or raise the minimum SQLite version.
    """
    d = _drop_def(ctx)
    if d is None or ctx.server.at_least(3, 35):
        return
    yield Hit(
        d.table,
        f"{_v(ctx)}: DROP COLUMN needs SQLite 3.35 or later: the statement fails (syntax error)",
        fix=_rebuild(ctx, d.table, Change(drop_column=d.old, what=f"drop column {d.old}")),
    )


def drop_refusals(ctx: StatementContext, table: str, column: str) -> list[str]:
    """Why SQLite 3.35+ refuses to drop ``column`` of ``table`` (empty: it does not)."""
    tdef = _tdef(ctx, table)
    if tdef is None or tdef.column(column) is None:
        return []
    low = column.lower()
    why: list[str] = []
    for c in tdef.constraints:
        cols = [n.lower() for n in c.columns]
        own = c.column is not None and c.column.lower() == low
        if c.kind in ("pk", "unique") and low in cols:
            why.append("it is in the PRIMARY KEY" if c.kind == "pk" else "it is UNIQUE")
        elif c.kind == "fk" and low in cols and not own:
            why.append("a FOREIGN KEY of the table uses it")
        elif c.kind == "check" and not own and low in names_in(c.expr):
            why.append("a CHECK constraint uses it")
    for col in tdef.columns:
        if col.generated is not None and low in names_in(col.generated):
            why.append(f"generated column {col.name} uses it")
    why += _dependents(ctx, tdef.name, low)
    return list(dict.fromkeys(why))


def _dependents(ctx: StatementContext, table: str, low: str) -> list[str]:
    """Indexes, views and triggers that name the column."""
    from dbdesign.emit.order import query_relations

    why: list[str] = []
    state = ctx.state
    for i in state.indexes.values():
        if i.table.lower() != table.lower():
            continue
        texts = [e.column or e.expr or "" for e in i.elements] + [i.where or ""]
        if any(low in names_in(x) for x in texts):
            why.append(f"index {i.name} uses it")
    for v in state.views.values():
        rels = {r.lower() for r in _safe(lambda v=v: query_relations(v.query, "sqlite"))}
        if table.lower() in rels and low in names_in(v.query):
            why.append(f"view {v.name} uses it")
    for tr in state.triggers.values():
        text = f"{tr.when or ''} {tr.body}"
        mine = tr.table.lower() == table.lower()
        if low in names_in(text) and (mine or table.lower() in names_in(text)):
            why.append(f"trigger {tr.name} uses it")
    return why


def _safe(fn: object) -> set[str]:
    try:
        return set(fn())  # type: ignore[operator]
    except (DbdesignError, ValueError):
        return set()


@migration_rule("MIG152", "sqlite-drop-column-refused", "error", dialects=SQLITE)
def drop_column_refused(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... DROP COLUMN of a column something else uses: SQLite refuses it.

    Rationale: SQLite 3.35+ drops a column only when nothing else in the schema names it: not
    a PRIMARY KEY or UNIQUE column, not indexed (a key, an index expression or a partial
    index's WHERE), not in a FOREIGN KEY of the table, a CHECK of another column or of the
    table, a generated column, a view or a trigger (the SQLite documentation, "ALTER TABLE",
    "ALTER TABLE DROP COLUMN"). Otherwise the statement fails ("cannot drop PRIMARY KEY
    column", "error in index ix after drop column: no such column"). The column's own CHECK
    and REFERENCES clauses go with it and do not stop it.

    Bad:
        CREATE INDEX ix_users_email ON users (email);
        ALTER TABLE users DROP COLUMN email;

    Good:
        DROP INDEX ix_users_email;
        ALTER TABLE users DROP COLUMN email;

    Fix: drop what uses the column first (an index, a view or trigger made again without
    it), or the 12-step rebuild without the column printed with the finding (a key or a
    CHECK that uses it cannot be dropped any other way).
    """
    d = _drop_def(ctx)
    if d is None or not ctx.server.at_least(3, 35):
        return
    why = drop_refusals(ctx, d.table, d.old)
    if not why:
        return
    yield Hit(
        d.table,
        f"{_v(ctx)}: DROP COLUMN {d.old} is refused: {'; '.join(why)}",
        fix=_rebuild(ctx, d.table, Change(drop_column=d.old, what=f"drop column {d.old}")),
    )


@migration_rule("MIG153", "sqlite-rename-column-before-3-25", "error", dialects=SQLITE)
def rename_column_old_server(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... RENAME COLUMN for an SQLite before 3.25: it fails.

    Rationale: RENAME COLUMN came with SQLite 3.25.0 (2018-09-15); before, it is a syntax
    error (the SQLite documentation, "ALTER TABLE"; release log 3.25.0).

    Bad:
        -- target: SQLite 3.22
        ALTER TABLE users RENAME COLUMN name TO full_name;

    Good:
        -- the 12-step rebuild with the column renamed (printed with the finding)

    Fix: the 12-step rebuild printed with the finding (views and triggers that name the
    column must be written again with the new name), or raise the minimum SQLite version.
    """
    p = _node(ctx).parsed
    if not isinstance(p, AlterDef) or p.action != "rename_column" or ctx.server.at_least(3, 25):
        return
    change = Change(rename_column=(p.old, p.new), what=f"rename column {p.old} to {p.new}")
    yield Hit(
        p.table,
        f"{_v(ctx)}: RENAME COLUMN needs SQLite 3.25 or later: the statement fails (syntax error)",
        fix=_rebuild(ctx, p.table, change),
    )


# -- ADD COLUMN ----------------------------------------------------------------------------------


def _add_def(ctx: StatementContext) -> AlterDef | None:
    p = _node(ctx).parsed
    if not isinstance(p, AlterDef) or p.action != "add_column" or p.column is None:
        return None
    return p


def _add_rebuild(ctx: StatementContext, d: AlterDef) -> str | None:
    col = d.column
    assert col is not None

    def change(t: SQLiteTableDef) -> None:
        t.columns.append(copy.deepcopy(col))
        t.constraints.extend(copy.deepcopy(d.constraints))

    edit = _def_edit(ctx, d.table, change)
    if edit is None:
        return None
    return _rebuild(ctx, d.table, Change(edit=edit, what=f"add column {col.name}"))


def _null_default(col: SQLiteColumnDef) -> bool:
    return col.default is None or col.default.strip().strip("()").strip().upper() == "NULL"


def _empty(ctx: StatementContext) -> bool:
    """Whether SQLite's empty-table relaxation (3.37+) applies: the table is known empty."""
    return _node(ctx).empty and ctx.server.at_least(3, 37)


def _fails_on(ctx: StatementContext) -> str:
    if ctx.server.at_least(3, 37):
        return "fails on " + _ROWS
    return "fails (before SQLite 3.37 even on an empty table)"


@migration_rule("MIG154", "sqlite-add-column-not-null-without-default", "error", dialects=SQLITE)
def add_not_null_without_default(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... ADD COLUMN ... NOT NULL without a non-NULL default: it fails.

    Rationale: the rows already there would hold NULL in a NOT NULL column, so SQLite refuses
    ("Cannot add a NOT NULL column with default value NULL"; the SQLite documentation,
    "ALTER TABLE"). Since 3.37 only a table with rows refuses it (alter.c:
    sqlite3ErrorIfNotEmpty), so a table made earlier in the same file and not written to
    since is not reported there.

    Bad:
        ALTER TABLE users ADD COLUMN status TEXT NOT NULL;

    Good:
        ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';

    Fix: give the column a constant non-NULL default (the value the rows already there get);
    if later rows must have none, make it NOT NULL without a default by a 12-step rebuild
    after the backfill.
    """
    d = _add_def(ctx)
    if d is None or d.column is None or not d.column.notnull or d.column.generated is not None:
        return
    if not _null_default(d.column) or _empty(ctx):
        return
    col = d.column
    zero = {"TEXT": "''", "BLOB": "x''"}.get(type_affinity(col.type_text), "0")
    rest = " ".join(
        x
        for x in (
            col.type_text,
            "NOT NULL",
            f"DEFAULT {zero}",
            col.collation and f"COLLATE {col.collation}",
        )
        if x
    )
    yield Hit(
        d.table,
        f"{_v(ctx)}: ADD COLUMN {col.name} NOT NULL without a non-NULL default {_fails_on(ctx)}",
        fix=f"ALTER TABLE {_q(d.table)} ADD COLUMN {_q(col.name)} {rest};  -- the value the "
        "rows already there get",
    )


@migration_rule("MIG155", "sqlite-add-column-unique-or-primary-key", "error", dialects=SQLITE)
def add_unique_or_pk(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... ADD COLUMN with PRIMARY KEY or UNIQUE: it fails.

    Rationale: SQLite cannot add a column with an index of its own ("Cannot add a PRIMARY
    KEY column", "Cannot add a UNIQUE column"; the SQLite documentation, "ALTER TABLE"),
    empty table or not.

    Bad:
        ALTER TABLE users ADD COLUMN email TEXT UNIQUE;

    Good:
        ALTER TABLE users ADD COLUMN email TEXT;
        CREATE UNIQUE INDEX ux_users_email ON users (email);

    Fix: UNIQUE: add the column plain and a UNIQUE index on it (the same constraint for
    SQLite); PRIMARY KEY: the 12-step rebuild printed with the finding.
    """
    d = _add_def(ctx)
    if d is None or d.column is None:
        return
    kinds = {c.kind for c in d.constraints}
    if not kinds & {"pk", "unique"}:
        return
    col = d.column
    if "pk" in kinds:
        fix = _add_rebuild(ctx, d)
        what = "PRIMARY KEY"
    else:
        plain = " ".join(x for x in (col.type_text, "NOT NULL" if col.notnull else "") if x)
        default = f" DEFAULT {col.default}" if col.default is not None else ""
        fix = (
            f"ALTER TABLE {_q(d.table)} ADD COLUMN {_q(col.name)} {plain}{default};\n"
            f"CREATE UNIQUE INDEX {_q(f'ux_{d.table}_{col.name}')} ON {_q(d.table)} "
            f"({_q(col.name)});"
        )
        what = "UNIQUE"
    yield Hit(
        d.table,
        f"{_v(ctx)}: ADD COLUMN {col.name} {what} fails (SQLite cannot add a {what} column)",
        fix=fix,
    )


def constant_default(text: str) -> bool:
    """Whether SQLite can take a default as a constant for ADD COLUMN (sqlite3ValueFromExpr:
    a literal, signed number, TRUE/FALSE, NULL, CAST of one, in parentheses or not)."""
    try:
        toks = tokenize(Source(text, None))
    except DbdesignError:
        return False
    inner = [t for t in toks if not (t.kind == "op" and t.text in "()")]
    words = [t.text.upper() for t in inner]
    if words[:1] == ["CAST"] and "AS" in words:
        inner = inner[1 : words.index("AS")]
    if inner and inner[0].kind == "op" and inner[0].text in "+-":
        inner = inner[1:]
    if len(inner) != 1:
        return False
    t = inner[0]
    if t.kind in ("string", "number", "blob"):
        return True
    return t.kind == "word" and t.text.upper() in ("NULL", "TRUE", "FALSE")


@migration_rule("MIG156", "sqlite-add-column-non-constant-default", "error", dialects=SQLITE)
def add_non_constant_default(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... ADD COLUMN with a default that is not a constant: it fails on a table
    with rows.

    Rationale: SQLite stores the default of an added column once, for the rows already there,
    so it must be a constant it can fold without evaluating: a literal, a signed number,
    TRUE/FALSE, a CAST of one. CURRENT_TIMESTAMP / CURRENT_DATE / CURRENT_TIME and any other
    expression, even (1 + 2), fail ("Cannot add a column with non-constant default"; the
    SQLite documentation, "ALTER TABLE"; alter.c), on an empty table not (3.37+).

    Bad:
        ALTER TABLE events ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;

    Good:
        ALTER TABLE events ADD COLUMN created_at TEXT;
        UPDATE events SET created_at = CURRENT_TIMESTAMP;  -- rows inserted later get NULL

    Fix: the 12-step rebuild printed with the finding (the new table has the default for
    later rows too), or add the column without the default and backfill it.
    """
    d = _add_def(ctx)
    if d is None or d.column is None or d.column.default is None or d.column.generated:
        return
    if constant_default(d.column.default) or _empty(ctx):
        return
    yield Hit(
        d.table,
        f"{_v(ctx)}: ADD COLUMN {d.column.name} DEFAULT {d.column.default}: not a constant, "
        f"the statement {_fails_on(ctx)}",
        fix=_add_rebuild(ctx, d),
    )


@migration_rule("MIG157", "sqlite-add-column-references-with-default", "error", dialects=SQLITE)
def add_references_with_default(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... ADD COLUMN ... REFERENCES with a non-NULL default while foreign keys
    are on: it fails on a table with rows.

    Rationale: with ``PRAGMA foreign_keys`` on, SQLite refuses a new REFERENCES column whose
    default is not NULL ("Cannot add a REFERENCES column with non-NULL default value"; the
    SQLite documentation, "ALTER TABLE"), since the existing rows would point at a parent it
    has not checked. The pragma is assumed on at the start of a file (dbdesign's runner and
    most applications turn it on); a ``PRAGMA foreign_keys = OFF`` before it, outside a
    transaction, lets it through.

    Bad:
        ALTER TABLE orders ADD COLUMN shop_id INTEGER DEFAULT 1 REFERENCES shops (id);

    Good:
        ALTER TABLE orders ADD COLUMN shop_id INTEGER REFERENCES shops (id);
        UPDATE orders SET shop_id = 1;

    Fix: add the column with no default and backfill it, or the 12-step rebuild printed with
    the finding (which keeps the default for later rows).
    """
    d = _add_def(ctx)
    if d is None or d.column is None or not _node(ctx).foreign_keys or _empty(ctx):
        return
    if _null_default(d.column) or not any(c.kind == "fk" for c in d.constraints):
        return
    yield Hit(
        d.table,
        f"{_v(ctx)}: ADD COLUMN {d.column.name} REFERENCES with DEFAULT {d.column.default} while "
        f"foreign keys are on {_fails_on(ctx)}",
        fix=_add_rebuild(ctx, d),
    )


@migration_rule("MIG158", "sqlite-add-column-stored-generated", "error", dialects=SQLITE)
def add_stored_generated(ctx: StatementContext) -> Iterator[Hit]:
    """ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS (...) STORED: it fails.

    Rationale: SQLite adds generated columns only VIRTUAL ("cannot add a STORED column"; the
    SQLite documentation, "Generated Columns", section 2.3), empty table or not.

    Bad:
        ALTER TABLE items ADD COLUMN total REAL GENERATED ALWAYS AS (price * qty) STORED;

    Good:
        ALTER TABLE items ADD COLUMN total REAL GENERATED ALWAYS AS (price * qty) VIRTUAL;

    Fix: a VIRTUAL column (computed when read), or the 12-step rebuild printed with the
    finding to have it STORED.
    """
    d = _add_def(ctx)
    if d is None or d.column is None or d.column.generated is None or not d.column.stored:
        return
    yield Hit(
        d.table,
        f"{_v(ctx)}: ADD COLUMN {d.column.name} ... STORED fails: SQLite adds generated "
        "columns only VIRTUAL",
        fix=_add_rebuild(ctx, d),
    )
