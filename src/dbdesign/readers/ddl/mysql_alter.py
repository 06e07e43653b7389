"""ALTER TABLE on a MySQL table, simulated as MariaDB runs it (sql_table.cc,
mysql_alter_table): what each action does, what the ALTER as a whole does to the character
sets, and what writing the table again changes."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from dbdesign.dialects.mysql import TEXT_TYPES, charset_of, is_textual, text_capacity
from dbdesign.dialects.tokens import error_at
from dbdesign.model import Origin
from dbdesign.readers.ddl.mysql_defs import (
    AlterAction,
    AlterStmt,
    KeyDef,
    MySQLColumnDef,
    MySQLTableDef,
    TableOptions,
    fk_key,
)
from dbdesign.readers.ddl.mysql_server import (
    drop_orphan_checks,
    fit_prefixes,
    keep_foreign_keys,
    key_part_chars,
    rebuilt,
    rename_in_expr,
    resolve_column,
    settle_keys,
    table_collation,
)
from dbdesign.readers.ddl.mysql_state import Tables, Warn


class AlterTables(Tables):
    """ALTER TABLE as the server runs it: the actions refer to the columns as they were
    before it (a name another column still has is taken only once the ALTER is done), then
    the table is written again (keys settled, prefixes fitted, constraints named)."""

    def __init__(self, warn: Warn | None) -> None:
        super().__init__(warn)
        # Of the ALTER being applied: new names taken at its end, the columns it adds.
        self._renames: list[tuple[str, str, Origin | None]] = []
        self._added: set[int] = set()

    def alter(self, st: AlterStmt) -> None:
        t = self.table(st.table, st.origin)
        engine = t.engine
        changes = [a for a in st.actions if a.kind != "rename_table"]
        # Only IF [NOT] EXISTS actions: the ALTER may do nothing (then nothing is rebuilt).
        before = deepcopy(t) if changes and all(a.if_exists for a in changes) else None
        new_keys: list[KeyDef] = []
        self._renames = []
        self._added = {
            id(c.column)
            for a in changes
            for c in (a, *a.children)
            if c.kind == "add_column" and c.column is not None
        }
        parts = {  # the columns of the keys before the ALTER, and their key parts' lengths
            id(p): (col.name.lower(), key_part_chars(p, col))
            for k in t.keys
            for p in k.parts
            if p.column is not None and (col := t.column(p.column)) is not None
        }
        self._table_charset(t, changes)
        for a in st.actions:
            if a.kind == "rename_table":
                self._rename(t.name, a.new, a.origin)
                continue
            self._alter_action(t, a, new_keys)
        convert = next((a for a in changes if a.kind == "convert"), None)
        if convert is not None:  # (two that disagree the server refuses)
            self._convert(t, convert, changes)
        for temp, name, origin in self._renames:  # CHANGE a b, CHANGE b a: both old names
            if t.column(name) is not None:
                raise error_at(f"Duplicate column name '{name}'", origin)
            col = t.column(temp)
            assert col is not None
            col.name = name
            self._rename_column(t, temp, name)
        self._keys_follow_names(t, parts)
        if changes and (before is None or before != t):
            given = {k for a in changes if a.options for k in a.options.create_options}
            rebuilt(t, engine, given)
        self._check_keys(t, new_keys)
        fit_prefixes(t, t.keys)  # columns may have changed under the keys
        if any(a.kind == "drop_column" for a in changes):
            drop_orphan_checks(t)
        if sum(1 for k in t.keys + new_keys if k.kind == "primary") > 1:
            raise error_at("Multiple primary key defined", st.origin)
        t.keys = settle_keys(t.keys + new_keys)
        self._name_constraints(t)
        keep_foreign_keys(t)

    def _keys_follow_names(
        self, t: MySQLTableDef, parts: dict[int, tuple[str, int | None]]
    ) -> None:
        """The server finds the columns of the keys a table had in its new column list by
        name (sql_table.cc, mysql_prepare_alter_table): the old name of a column the ALTER
        keeps or changes, the name of a column it adds. So a column added under the old name
        of a column the ALTER renames, and placed before it, takes that column's place in
        the keys, with a prefix of the old key part's length (4 characters for an INT)."""
        order = {id(c): n for n, c in enumerate(t.columns)}
        for k in t.keys:
            for p in k.parts:
                if id(p) not in parts or p.column is None:
                    continue
                old, chars = parts[id(p)]
                now = t.column(p.column)
                new = next(
                    (c for c in t.columns if id(c) in self._added and c.name.lower() == old), None
                )
                if now is not None and new is not None and order[id(new)] < order[id(now)]:
                    p.column, p.length = new.name, chars

    def _later(self, name: str, origin: Origin | None) -> str:
        """A stand-in for a column's new name while another column still has it (the
        actions of one ALTER TABLE refer to the columns as they were before it)."""
        temp = f"dbdesign_renamed_{len(self._renames)}"
        self._renames.append((temp, name, origin))
        return temp

    def _alter_action(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        getattr(self, f"_alter_{a.kind}")(t, a, new_keys)

    def _alter_add_column(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        for child in a.children:
            self._alter_action(t, child, new_keys)
        if a.column is None:
            return
        col = a.column
        if t.column(col.name) is not None:
            if a.if_exists:  # ADD COLUMN IF NOT EXISTS
                return
            col.name = self._later(col.name, a.origin)  # ADD a, DROP a: the old a goes
        resolve_column(col, t.collation)
        self._place(t, col, a.position, a.origin)
        self._column_constraints(t, a, new_keys)

    def _alter_modify(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.column is not None
        old = t.column(a.old)
        if old is None or id(old) in self._added:
            self._modify_added(t, a, new_keys)
            return
        col = a.column
        if col.name.lower() != old.name.lower() and t.column(col.name) is not None:
            col.name = self._later(col.name, a.origin)  # free only once the ALTER is done
        resolve_column(col, t.collation)
        t.columns[t.columns.index(old)] = col
        if a.position is not None:
            t.columns.remove(col)
            self._place(t, col, a.position, a.origin)
        if col.name != old.name:
            self._rename_column(t, old.name, col.name)
        # The new definition replaces the column's own CHECK too (a named one stays).
        low = col.name.lower()
        t.checks = [c for c in t.checks if (c.column or "").lower() != low]
        self._column_constraints(t, a, new_keys)

    def _modify_added(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        """MODIFY or CHANGE of no column the table had: the server looks among the columns the
        ALTER adds for one of the new definition's name, and puts the definition in its
        place as a column added after it (at the end unless FIRST or AFTER is written)."""
        assert a.column is not None
        col = a.column
        added = t.column(col.name)
        if added is None or id(added) not in self._added:
            raise error_at(f"Unknown column '{a.old}' in '{t.name}'", a.origin)
        t.columns.remove(added)
        resolve_column(col, t.collation)
        self._place(t, col, a.position, a.origin)
        self._added.add(id(col))
        low = col.name.lower()  # the added definition's own CHECK goes with it
        t.checks = [c for c in t.checks if (c.column or "").lower() != low]
        self._column_constraints(t, a, new_keys)

    def _alter_add_key(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        new_keys.extend(a.keys)

    def _alter_add_fk(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.fk is not None
        self._check_fk(t, a.fk)
        t.fks.append(a.fk)
        new_keys.append(fk_key(a.fk))

    def _alter_add_check(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.check is not None
        t.checks.append(a.check)

    def _alter_drop_column(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        col = t.column(a.old)
        if col is None:
            if a.if_exists:
                return
            raise error_at(f"Can't DROP COLUMN `{a.old}`; check that it exists", a.origin)
        t.columns.remove(col)
        low = col.name.lower()
        for k in t.keys:  # the server drops the column from keys, and keys left empty
            k.parts = [p for p in k.parts if (p.column or "").lower() != low]
        t.keys = [k for k in t.keys if k.parts]
        t.checks = [c for c in t.checks if (c.column or "").lower() != low]

    def _alter_drop_key(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        key = t.key(a.old)
        if key is None:
            if a.if_exists:
                return
            raise error_at(f"Can't DROP INDEX `{a.old}`; check that it exists", a.origin)
        t.keys.remove(key)

    def _alter_drop_primary(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        a.old = "PRIMARY"
        self._alter_drop_key(t, a, new_keys)

    def _alter_drop_fk(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        fk = next((f for f in t.fks if (f.name or "").lower() == a.old.lower()), None)
        if fk is None:
            if a.if_exists:
                return
            raise error_at(f"Can't DROP FOREIGN KEY `{a.old}`; check that it exists", a.origin)
        t.fks.remove(fk)

    def _alter_drop_constraint(
        self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]
    ) -> None:
        """DROP CONSTRAINT drops a check, a foreign key or a unique key of that name."""
        low = a.old.lower()
        ck = next((c for c in t.checks if (c.name or "").lower() == low), None)
        fk = next((f for f in t.fks if (f.name or "").lower() == low), None)
        key = t.key(a.old)
        if ck is not None:
            t.checks.remove(ck)
        elif fk is not None:
            t.fks.remove(fk)
        elif key is not None and key.kind == "unique":
            t.keys.remove(key)
        elif not a.if_exists:
            raise error_at(f"Can't DROP CONSTRAINT `{a.old}`; check that it exists", a.origin)

    def _alter_rename_column(
        self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]
    ) -> None:
        col = t.column(a.old)
        if col is None:
            raise error_at(f"Unknown column '{a.old}' in '{t.name}'", a.origin)
        new = a.new
        if t.column(new) is not None and new.lower() != a.old.lower():
            new = self._later(new, a.origin)  # free only once the ALTER is done
        old = col.name
        col.name = new
        self._rename_column(t, old, new)

    def _alter_set_default(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        col = t.column(a.old)
        if col is None:
            raise error_at(f"Unknown column '{a.old}' in '{t.name}'", a.origin)
        if col.default is not None and col.default.kind == "now":
            col.on_update = None  # a CURRENT_TIMESTAMP default goes with its ON UPDATE
        col.default = a.default
        col.no_default = a.default is None  # DROP DEFAULT

    _alter_drop_default = _alter_set_default  # a.default is None

    def _alter_rename_key(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        key = t.key(a.old)
        if key is None:
            raise error_at(f"Key '{a.old}' doesn't exist in table '{t.name}'", a.origin)
        if t.key(a.new) is not None and a.new.lower() != a.old.lower():
            raise error_at(f"Duplicate key name '{a.new}'", a.origin)
        key.name = a.new

    def _table_charset(self, t: MySQLTableDef, changes: list[AlterAction]) -> None:
        """The table's default character set and collation after the ALTER, set before its
        columns are: new and changed columns take it wherever the option is written. The
        DEFAULT CHARSET and COLLATE options of the ALTER add up (the server refuses two that
        disagree) and win over CONVERT TO's, which then changes only the columns."""
        given = TableOptions()
        for a in changes:
            if a.kind == "options" and a.options is not None:
                given.charset = a.options.charset or given.charset
                given.collation = a.options.collation or given.collation
        convert = next((a.options for a in changes if a.kind == "convert"), None)
        for o in (convert, given):
            if o is not None and (o.charset or o.collation):
                t.options.charset, t.options.collation = o.charset, o.collation
                t.collation = table_collation(o)

    def _alter_options(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        assert a.options is not None
        o = a.options  # the character set and collation are set already (_table_charset)
        if o.engine and self.known_engine(o.engine, a.origin, "keeps the table's engine"):
            t.engine = o.engine
            t.options.engine = o.engine
        if o.comment is not None:
            t.options.comment = o.comment
        t.options.create_options.update(o.create_options)

    def _alter_convert(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        """CONVERT TO CHARACTER SET acts on the table as the ALTER leaves it (_convert)."""

    def _convert(self, t: MySQLTableDef, a: AlterAction, changes: list[AlterAction]) -> None:
        """CONVERT TO CHARACTER SET: every text column of the table after the ALTER gets the
        character set, those the ALTER adds or changes too, whatever they were given (JSON
        among them: longtext in that character set). Only a TEXT column the ALTER leaves
        alone keeps as many characters as before (a latin1 text becomes a utf8mb4
        mediumtext): a TEXT written in the ALTER is a TEXT."""
        assert a.options is not None
        collation = table_collation(a.options)
        written = {id(c.column) for b in changes for c in (b, *b.children) if c.column}
        for c in t.columns:
            if c.collation is not None and is_textual(c.type):
                # BINARY written in the ALTER without a character set: the new one's _bin
                binary = c.raw.binary and id(c) in written and not c.raw.charset
                binary = binary and not (c.raw.collation or c.explicit_collation)
                c.raw = replace(c.raw, charset=None, collation=None, binary=binary)
                if c.raw.national:  # NCHAR is utf8mb3 only until converted
                    c.raw = replace(c.raw, base=c.raw.base[1:])
                if c.type.name in TEXT_TYPES and id(c) not in written:
                    n = text_capacity(c.type.name, charset_of(c.collation))
                    c.raw = replace(c.raw, base="text", args=(str(n),))
                c.explicit_collation = None
                resolve_column(c, collation)

    def _column_constraints(self, t: MySQLTableDef, a: AlterAction, new_keys: list[KeyDef]) -> None:
        new_keys.extend(a.keys)
        if a.fk is not None:
            self._check_fk(t, a.fk)
            t.fks.append(a.fk)
            new_keys.append(fk_key(a.fk))
        if a.check is not None:  # the column's own checks are gone already (MODIFY)
            t.checks.append(a.check)

    def _place(
        self,
        t: MySQLTableDef,
        col: MySQLColumnDef,
        position: tuple[str, str] | None,
        origin: Origin | None,
    ) -> None:
        if position is None:
            t.columns.append(col)
        elif position[0] == "FIRST":
            t.columns.insert(0, col)
        else:
            after = t.column(position[1])
            if after is None:
                raise error_at(f"Unknown column '{position[1]}' in '{t.name}'", origin)
            t.columns.insert(t.columns.index(after) + 1, col)

    def _rename_column(self, t: MySQLTableDef, old: str, new: str) -> None:
        low = old.lower()
        for k in t.keys:
            for p in k.parts:
                if p.column is not None and p.column.lower() == low:
                    p.column = new
        for f in t.fks:
            f.columns = [new if c.lower() == low else c for c in f.columns]
        for c in t.checks:
            if c.column is not None and c.column.lower() == low:
                c.column = new
            c.expr = rename_in_expr(c.expr, old, new)  # the server rewrites the references
        for col in t.columns:
            if col.generated is not None:
                col.generated = rename_in_expr(col.generated, old, new)
            if col.default is not None and col.default.kind == "expr":
                col.default.text = rename_in_expr(col.default.text, old, new)
        for other in self.tables.values():
            for f in other.fks:
                if f.ref_db is None and f.ref_table == t.name:
                    f.ref_columns = [new if c.lower() == low else c for c in f.ref_columns]
