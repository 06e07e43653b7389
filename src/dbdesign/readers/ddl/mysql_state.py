"""The objects a MySQL script makes, kept as the server would after each statement: CREATE
TABLE (LIKE), CREATE INDEX, views, triggers, routines, DROP and RENAME, refused where the
server refuses (a duplicate table, a key on a missing column ...). ALTER TABLE: mysql_alter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dbdesign.dialects.mysql import DEFAULT_ENGINE, check_name, foreign_key_name, is_known_engine
from dbdesign.dialects.tokens import error_at
from dbdesign.errors import Diagnostic
from dbdesign.model import Origin
from dbdesign.readers.ddl.mysql_defs import (
    CheckDef,
    DropStmt,
    FkDef,
    IndexStmt,
    KeyDef,
    MySQLTableDef,
    MySQLTriggerDef,
    MySQLViewDef,
    RenameStmt,
    RoutineDef,
)
from dbdesign.readers.ddl.mysql_server import (
    fit_prefixes,
    keep_foreign_keys,
    rebuilt,
    resolve_column,
    settle_keys,
    table_collation,
)

Warn = Callable[[Diagnostic], None]


class Tables:
    """The tables, views, triggers and routines a script has made so far, and the
    statements that make, drop and rename them."""

    def __init__(self, warn: Warn | None) -> None:
        self.warn = warn
        self.tables: dict[str, MySQLTableDef] = {}
        self.views: dict[str, MySQLViewDef] = {}
        self.triggers: dict[str, MySQLTriggerDef] = {}  # lower-cased name
        self.routines: dict[tuple[str, str], RoutineDef] = {}
        self.home: str | None = None  # the database the script works in
        self.current: str | None = None

    def diagnostic(self, message: str, origin: Origin | None) -> None:
        if self.warn is not None:
            o = origin or Origin()
            self.warn(Diagnostic(message, file=o.file, line=o.line, col=o.col))

    # -- databases ---------------------------------------------------------------------------

    def ours(self, schema: str | None, what: str, origin: Origin | None) -> bool:
        """Whether a (possibly qualified) object is in the database the script works in."""
        db = schema if schema is not None else self.current
        if db is None or self.home is None:
            if db is not None:
                self.home = db
            return True
        if db == self.home:
            return True
        self.diagnostic(f"{what} is in database {db!r}, not {self.home!r}; skipped", origin)
        return False

    def table(self, ref: tuple[str | None, str], origin: Origin | None) -> MySQLTableDef:
        schema, name = ref
        t = self.tables.get(name)
        db = schema or self.current or self.home
        if t is None or (schema is not None and self.home is not None and schema != self.home):
            raise error_at(f"Table '{db + '.' if db else ''}{name}' doesn't exist", origin)
        return t

    # -- CREATE ------------------------------------------------------------------------------

    def _exists(self, name: str) -> str | None:
        if name in self.tables:
            return "table"
        if name in self.views:
            return "view"
        return None

    def create_table(self, t: MySQLTableDef) -> None:
        existing = self._exists(t.name)
        if existing is not None:
            if t.if_not_exists:
                return
            if t.or_replace and existing == "table":
                self._drop_table(t.name)
            else:
                raise error_at(f"Table '{t.name}' already exists", t.origin)
        if t.like is not None:
            src = self.table(t.like, t.origin)
            copy = MySQLTableDef(
                name=t.name,
                columns=[replace(c) for c in src.columns],
                keys=[replace(k, parts=[replace(p) for p in k.parts]) for k in src.keys],
                checks=[replace(c) for c in src.checks],
                options=replace(src.options, create_options=dict(src.options.create_options)),
                engine=src.engine,
                collation=src.collation,
                origin=t.origin,
            )
            rebuilt(copy, src.engine, write_row_format=True)
            copy.keys = settle_keys(copy.keys)  # a hash that became a btree may cover one
            self.tables[t.name] = copy
            return
        if t.options.engine is not None and not self.known_engine(
            t.options.engine, t.origin, f"uses {DEFAULT_ENGINE}"
        ):
            t.options.engine = None  # substituted: the server's default engine
        t.engine = t.options.engine or DEFAULT_ENGINE
        t.collation = table_collation(t.options)
        for c in t.columns:
            resolve_column(c, t.collation)
        self._check_keys(t, t.keys)
        pks = [k for k in t.keys if k.kind == "primary"]
        if len(pks) > 1:
            raise error_at("Multiple primary key defined", pks[1].origin)
        for fk in t.fks:
            self._check_fk(t, fk)
        t.keys = settle_keys(t.keys)
        self._name_constraints(t)
        keep_foreign_keys(t)
        self.tables[t.name] = t

    def known_engine(self, engine: str, origin: Origin | None, instead: str) -> bool:
        """Whether the server may have ``engine``; if not, warn what it does ``instead``
        without sql_mode NO_ENGINE_SUBSTITUTION (with it, the default, it refuses)."""
        if is_known_engine(engine):
            return True
        self.diagnostic(
            f"unknown storage engine {engine!r}: MariaDB refuses it, or without sql_mode "
            f"NO_ENGINE_SUBSTITUTION {instead}; read so",
            origin,
        )
        return False

    def _check_keys(self, t: MySQLTableDef, keys: list[KeyDef]) -> None:
        for k in keys:
            for p in k.parts:
                if p.column is None:
                    continue
                col = t.column(p.column)
                if col is None:
                    raise error_at(f"Key column '{p.column}' doesn't exist in table", k.origin)
                p.column = col.name
            names = [p.column.lower() for p in k.parts if p.column is not None]
            if len(set(names)) != len(names):
                raise error_at(f"Duplicate column name in key {k.name or ''}".rstrip(), k.origin)
        fit_prefixes(t, keys)

    def _check_fk(self, t: MySQLTableDef, fk: FkDef) -> None:
        for n, c in enumerate(fk.columns):
            col = t.column(c)
            if col is None:
                raise error_at(f"Key column '{c}' doesn't exist in table", fk.origin)
            fk.columns[n] = col.name
        parent = self.tables.get(fk.ref_table) if fk.ref_db in (None, self.home) else None
        if fk.ref_db == self.home:
            fk.ref_db = None
        if parent is not None:
            for n, c in enumerate(fk.ref_columns):
                col = parent.column(c)
                if col is not None:
                    fk.ref_columns[n] = col.name

    def _name_constraints(self, t: MySQLTableDef) -> None:
        """What the server settles when it writes a table: primary-key columns NOT NULL, names
        of unnamed foreign keys and checks, JSON checks; an AUTO_INCREMENT column not leading
        a key is refused."""
        for k in t.keys:  # the server makes primary-key columns NOT NULL for good
            if k.kind == "primary":
                for p in k.parts:
                    col = t.column(p.column or "")
                    if col is not None:
                        col.notnull = True
        taken = [f.name for f in t.fks if f.name is not None]
        for f in t.fks:
            if f.name is None:
                f.name = foreign_key_name(t.name, taken)
                taken.append(f.name)
        _add_json_checks(t)
        _name_checks(t)
        for c in t.columns:
            if c.auto_increment and not any(
                k.parts and k.parts[0].column and k.parts[0].column.lower() == c.name.lower()
                for k in t.keys
            ):
                raise error_at(
                    "Incorrect table definition; there can be only one auto column and it must "
                    "be defined as a key",
                    c.origin,
                )

    def create_index(self, st: IndexStmt) -> None:
        t = self.table(st.table, st.origin)
        name = st.key.name or ""
        if t.key(name) is not None:
            if st.if_not_exists:
                return
            raise error_at(f"Duplicate key name '{name}'", st.origin)
        self._check_keys(t, [st.key])
        rebuilt(t, t.engine, write_row_format=True)  # the keys it had: the new one as written
        t.keys = settle_keys([*t.keys, st.key])

    def create_view(self, v: MySQLViewDef) -> None:
        existing = self._exists(v.name)
        if existing is not None:
            if v.if_not_exists:
                return
            if not (v.or_replace and existing == "view"):
                raise error_at(f"Table '{v.name}' already exists", v.origin)
        self.views[v.name] = v

    def create_trigger(self, tr: MySQLTriggerDef) -> None:
        low = tr.name.lower()
        if low in self.triggers:
            if tr.if_not_exists:
                return
            if not tr.or_replace:
                raise error_at("Trigger already exists", tr.origin)
        if tr.table[1] in self.views:
            raise error_at(f"'{tr.table[1]}' is not of type 'BASE TABLE'", tr.origin)
        t = self.table(tr.table, tr.origin)
        tr.table = (None, t.name)
        self.triggers[low] = tr

    def create_routine(self, r: RoutineDef) -> None:
        key = (r.kind, r.name.lower())
        if key in self.routines:
            if r.if_not_exists:
                return
            if not r.or_replace:
                raise error_at(f"{r.kind.upper()} {r.name} already exists", r.origin)
        self.routines[key] = r

    # -- DROP / RENAME -------------------------------------------------------------------------

    def _drop_table(self, name: str) -> None:
        del self.tables[name]
        for k in [k for k, tr in self.triggers.items() if tr.table[1] == name]:
            del self.triggers[k]

    def drop(self, st: DropStmt) -> None:
        if st.kind == "DATABASE":
            return
        if st.kind == "INDEX":
            self._drop_index(st)
            return
        for schema, name in st.names:
            if not self.ours(schema, f"{st.kind.lower()} {name}", st.origin):
                continue
            problem = self._drop_named(st.kind, name)
            if problem is not None and not st.if_exists:
                raise error_at(problem, st.origin)

    def _drop_index(self, st: DropStmt) -> None:
        assert st.table is not None
        if not self.ours(st.table[0], f"index {st.names[0][1]}", st.origin):
            return
        t = self.table(st.table, st.origin)
        key = t.key(st.names[0][1])
        if key is None:
            if st.if_exists:
                return
            raise error_at(f"Can't DROP INDEX `{st.names[0][1]}`; check that it exists", st.origin)
        t.keys.remove(key)
        rebuilt(t, t.engine, write_row_format=True)
        t.keys = settle_keys(t.keys)

    def _drop_named(self, kind: str, name: str) -> str | None:
        """Drop a table, view, trigger, procedure or function; the server's error if there
        is none of that name (then nothing changes)."""
        if kind == "TABLE":
            if name not in self.tables:
                return f"Unknown table '{name}'"
            self._drop_table(name)
        elif kind == "VIEW":
            if self.views.pop(name, None) is None:
                return f"Unknown VIEW: '{name}'"
        elif kind == "TRIGGER":
            if self.triggers.pop(name.lower(), None) is None:
                return "Trigger does not exist"
        elif self.routines.pop((kind.lower(), name.lower()), None) is None:
            return f"{kind} {name} does not exist"
        return None

    def rename(self, st: RenameStmt) -> None:
        for (old_schema, old), (new_schema, new) in st.pairs:
            if not self.ours(old_schema, f"table {old}", st.origin):
                continue
            if new_schema is not None and new_schema != (self.home or new_schema):
                raise error_at(
                    f"RENAME TABLE {old} TO {new_schema}.{new}: moving a table to another "
                    "database is not modelled",
                    st.origin,
                )
            self._rename(old, new, st.origin)

    def _rename(self, old: str, new: str, origin: Origin | None) -> None:
        if self._exists(new) is not None and new != old:
            raise error_at(f"Table '{new}' already exists", origin)
        if old in self.views:
            v = self.views.pop(old)
            v.name = new
            self.views[new] = v
            return
        t = self.tables.pop(old, None)
        if t is None:
            raise error_at(f"Table '{old}' doesn't exist", origin)
        t.name = new
        self.tables[new] = t
        for f in t.fks:  # InnoDB renames the foreign keys it named: old_ibfk_1 -> new_ibfk_1
            if f.name is not None and f.name.lower().startswith(old.lower() + "_ibfk_"):
                f.name = new + f.name[len(old) :]
        for other in self.tables.values():
            for f in other.fks:
                if f.ref_db is None and f.ref_table == old:
                    f.ref_table = new
        for tr in self.triggers.values():
            if tr.table[1] == old:
                tr.table = (None, new)


def _add_json_checks(t: MySQLTableDef) -> None:
    """A JSON column without a CHECK of its own gets json_valid()."""
    for c in t.columns:
        if c.json_check:
            c.json_check = False
            low = c.name.lower()
            if not any((ch.column or "").lower() == low for ch in t.checks):
                t.checks.append(CheckDef(None, f"json_valid(`{c.name}`)", c.name, c.origin))


def _name_checks(t: MySQLTableDef) -> None:
    """An unnamed check is named after its column (a column's own check), else the first
    free ``CONSTRAINT_n``."""
    names = {c.name.lower() for c in t.checks if c.name is not None}
    for ch in t.checks:
        if ch.name is None:
            if ch.column is not None:
                col = t.column(ch.column)
                ch.name = col.name if col is not None else ch.column
            else:
                ch.name = check_name(names)
            names.add(ch.name.lower())
