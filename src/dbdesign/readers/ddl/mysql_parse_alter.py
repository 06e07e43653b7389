"""Parsing the statements that change a MySQL table: CREATE INDEX and ALTER TABLE."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from dbdesign.dialects.mysql import canonical_charset, canonical_collation
from dbdesign.readers.ddl.mysql_defs import (
    AlterAction,
    AlterKind,
    AlterStmt,
    FkDef,
    IndexStmt,
    KeyDef,
    MySQLSkip,
    TableOptions,
)
from dbdesign.readers.ddl.mysql_parse_table import TableParser


class AlterParser(TableParser):
    """CREATE INDEX and ALTER TABLE, on the table parts of :class:`TableParser`."""

    # ---- CREATE INDEX ---------------------------------------------------------------------

    def create_index(self, start: int, or_replace: bool) -> IndexStmt:
        kind: Literal["unique", "index", "fulltext", "spatial"] = "index"
        if self.accept("UNIQUE"):
            kind = "unique"
        elif self.accept("FULLTEXT"):
            kind = "fulltext"
        elif self.accept("SPATIAL"):
            kind = "spatial"
        self.expect("INDEX")
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        name = self.name("an index name")
        key = KeyDef(kind, name, [], origin=self.origin(start))
        if self.accept("USING") or self.accept("TYPE"):
            key.using = self.index_type()
        self.expect("ON")
        table = self.qualified_name("a table name")
        key.parts = self.key_parts()
        self.index_options(key)
        while self.word() in ("ALGORITHM", "LOCK", "WAIT", "NOWAIT"):
            w = self.word()
            self.i += 1
            if w == "NOWAIT":
                continue
            self.equals()
            self.i += 1
        self.expect_end()
        return IndexStmt(table, key, if_not_exists or or_replace, self.origin(start))

    # ---- ALTER TABLE ----------------------------------------------------------------------

    def alter(self, start: int) -> AlterStmt:
        self.accept("ONLINE")
        self.accept("IGNORE")
        if self.word() in ("DATABASE", "SCHEMA"):
            raise MySQLSkip("ALTER DATABASE describes the environment; skipped", start)
        if self.word() in (
            "VIEW",
            "EVENT",
            "PROCEDURE",
            "FUNCTION",
            "SEQUENCE",
            "USER",
            "SERVER",
            "TABLESPACE",
            "LOGFILE",
            "INSTANCE",
        ):
            raise MySQLSkip(f"ALTER {self.word()} is not modelled; skipped", start)
        self.expect("TABLE")
        self.accept("IF", "EXISTS")
        table = self.qualified_name("a table name")
        if self.accept("WAIT"):
            self.integer()
        self.accept("NOWAIT")
        actions: list[AlterAction] = []
        while not self.at_end():
            a_at = self.offset()
            action = self.alter_action()
            if action is not None:
                action.origin = self.origin(a_at)
                actions.append(action)
            if not self.accept_op(","):
                break
        if self.word() in ("PARTITION", "REMOVE"):
            self.notes.append(
                ("partitioning is not modelled; PARTITION clause ignored", self.offset())
            )
            self.i = len(self.toks)
        self.expect_end()
        return AlterStmt(table, actions, self.origin(start))

    def position(self) -> tuple[str, str] | None:
        if self.accept("FIRST"):
            return ("FIRST", "")
        if self.accept("AFTER"):
            return ("AFTER", self.name("a column name"))
        return None

    def alter_action(self) -> AlterAction | None:
        """One action of ALTER TABLE (None: one that changes nothing the model has)."""
        at = self.offset()
        clause = _ALTER_ACTIONS.get(self.word())
        if clause is not None:
            self.i += 1
            return clause(self, at)
        if self.accept("CONVERT", "TO"):
            return self.convert_action()
        if self.unmodelled_action():
            return None
        opts = TableOptions()
        before = self.i
        self._alter_options(opts)
        if self.i == before:
            raise self.unexpected("an ALTER TABLE action")
        return AlterAction("options", options=opts)

    def add_action(self, at: int) -> AlterAction:
        """ADD a key, foreign key or check; or ADD [COLUMN] [IF NOT EXISTS] a column (with
        FIRST or AFTER x) or columns in parentheses."""
        if self.at_constraint():
            return self.constraint_action()
        if self.word() == "PARTITION":
            raise MySQLSkip("partition changes are not modelled; skipped", at)
        self.accept("COLUMN")
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        if self.accept_op("("):
            cols = [self.column_action()]
            while self.accept_op(","):
                cols.append(self.column_action())
            self.expect_op(")")
            return AlterAction("add_column", children=cols)
        action = self.column_action()
        action.position = self.position()
        action.if_exists = if_not_exists
        return action

    def constraint_action(self) -> AlterAction:
        c = self.table_constraint("")
        if isinstance(c, KeyDef):
            return AlterAction("add_key", keys=[c])
        if isinstance(c, FkDef):
            return AlterAction("add_fk", fk=c)
        return AlterAction("add_check", check=c)

    def drop_action(self, at: int) -> AlterAction:
        """DROP PRIMARY KEY, a foreign key, key or check ([IF EXISTS] name), or a column."""
        if self.accept("PRIMARY", "KEY"):
            return AlterAction("drop_primary")
        for words, kind, what in _DROPPED_BY_NAME:
            if self.accept(*words):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction(kind, old=self.name(what), if_exists=if_exists)
        if self.word() == "PARTITION":
            raise MySQLSkip("partition changes are not modelled; skipped", at)
        self.accept("COLUMN")
        if_exists = self.accept("IF", "EXISTS")
        name = self.name("a column name")
        if not self.accept("RESTRICT"):
            self.accept("CASCADE")
        return AlterAction("drop_column", old=name, if_exists=if_exists)

    def modify_action(self, at: int) -> AlterAction:
        """MODIFY [COLUMN] [IF EXISTS] a column's new definition."""
        self.accept("COLUMN")
        self.accept("IF", "EXISTS")
        return self.modified_column(None)

    def change_action(self, at: int) -> AlterAction:
        """CHANGE [COLUMN] [IF EXISTS] old, then the column's new name and definition."""
        self.accept("COLUMN")
        self.accept("IF", "EXISTS")
        return self.modified_column(self.name("a column name"))

    def modified_column(self, old: str | None) -> AlterAction:
        """A column definition [FIRST | AFTER x] replacing column ``old`` (None: the column
        of the same name)."""
        col, keys, fk, check = self.column_def()
        old = col.name if old is None else old
        action = AlterAction("modify", column=col, old=old, keys=keys, fk=fk, check=check)
        action.position = self.position()
        return action

    def alter_column_action(self, at: int) -> AlterAction | None:
        """ALTER INDEX x [NOT] IGNORED | [IN]VISIBLE, or ALTER [COLUMN] [IF EXISTS] x SET
        DEFAULT ... | DROP DEFAULT | SET [IN]VISIBLE."""
        if self.accept("INDEX") or self.accept("KEY"):
            self.index_visibility()
            return None
        if self.accept("CHECK") or self.accept("CONSTRAINT"):
            raise self.error("ALTER CHECK ... [NOT] ENFORCED is not supported by MariaDB")
        self.accept("COLUMN")
        self.accept("IF", "EXISTS")
        name = self.name("a column name")
        if self.accept("SET", "DEFAULT"):
            return AlterAction("set_default", old=name, default=self.default_value())
        if self.accept("DROP", "DEFAULT"):
            return AlterAction("drop_default", old=name)
        if self.word() in ("SET",) and self.word(1) in ("VISIBLE", "INVISIBLE"):
            self.i += 2
            return None
        raise self.unexpected("SET DEFAULT or DROP DEFAULT")

    def index_visibility(self) -> None:
        """``name VISIBLE | INVISIBLE | IGNORED | NOT IGNORED`` (not modelled)."""
        self.name("an index name")
        if self.word() not in ("VISIBLE", "INVISIBLE", "IGNORED") and not self.accept(
            "NOT", "IGNORED"
        ):
            raise self.unexpected("VISIBLE, INVISIBLE or IGNORED")
        if self.word() in ("VISIBLE", "INVISIBLE", "IGNORED"):
            self.i += 1

    def rename_action(self, at: int) -> AlterAction:
        """RENAME COLUMN a TO b, RENAME INDEX|KEY a TO b, or RENAME [TO|AS] table."""
        if self.accept("COLUMN"):
            old = self.name("a column name")
            self.expect("TO")
            return AlterAction("rename_column", old=old, new=self.name("a column name"))
        if self.accept("INDEX") or self.accept("KEY"):
            old = self.name("an index name")
            self.expect("TO")
            return AlterAction("rename_key", old=old, new=self.name("an index name"))
        if not self.accept("TO"):
            self.accept("AS")
        schema, name = self.qualified_name("a table name")
        return AlterAction("rename_table", new=name, new_schema=schema)

    def convert_action(self) -> AlterAction:
        """(CONVERT TO) CHARACTER SET x [COLLATE y]."""
        if not (self.accept("CHARACTER", "SET") or self.accept("CHARSET")):
            raise self.unexpected("CHARACTER SET")
        opts = TableOptions()
        opts.charset = canonical_charset(self.name_or_string("a character set"))
        if self.accept("COLLATE"):
            opts.collation = canonical_collation(self.name_or_string("a collation"))
        return AlterAction("convert", options=opts)

    def unmodelled_action(self) -> bool:
        """Read an action that changes nothing the model has, if one is here: ALGORITHM,
        LOCK, FORCE, WITH[OUT] VALIDATION, DISABLE/ENABLE KEYS, ORDER BY, DISCARD/IMPORT
        TABLESPACE."""
        if self.word() in ("ALGORITHM", "LOCK"):
            self.i += 1
            self.equals()
            self.i += 1
            return True
        if (
            self.accept("WITH", "VALIDATION")
            or self.accept("WITHOUT", "VALIDATION")
            or self.accept("FORCE")
            or self.accept("DISABLE", "KEYS")
            or self.accept("ENABLE", "KEYS")
        ):
            return True
        if self.accept("ORDER", "BY"):
            self.balanced(stop_ops=frozenset((",",)))
            return True
        if self.word() in ("DISCARD", "IMPORT") and self.word(1) == "TABLESPACE":
            self.i += 2
            return True
        return False

    def _alter_options(self, opts: TableOptions) -> None:
        """Table options inside ALTER TABLE (up to the next ``,``)."""
        while not self.at_end() and not self.is_op(",") and self.table_option(opts):
            pass

    def column_action(self) -> AlterAction:
        """A column definition (with the keys, foreign key and check written in it)."""
        col, keys, fk, check = self.column_def()
        return AlterAction("add_column", column=col, keys=keys, fk=fk, check=check)


# The actions of ALTER TABLE by their first word (after it): the parser's method for each.
_ALTER_ACTIONS: dict[str, Callable[[AlterParser, int], AlterAction | None]] = {
    "ADD": AlterParser.add_action,
    "DROP": AlterParser.drop_action,
    "MODIFY": AlterParser.modify_action,
    "CHANGE": AlterParser.change_action,
    "ALTER": AlterParser.alter_column_action,
    "RENAME": AlterParser.rename_action,
}

# DROP of an object by name: its words, the action, what the name is.
_DROPPED_BY_NAME: tuple[tuple[tuple[str, ...], AlterKind, str], ...] = (
    (("FOREIGN", "KEY"), "drop_fk", "a constraint name"),
    (("INDEX",), "drop_key", "an index name"),
    (("KEY",), "drop_key", "an index name"),
    (("CONSTRAINT",), "drop_constraint", "a constraint name"),
    (("CHECK",), "drop_constraint", "a constraint name"),
)
