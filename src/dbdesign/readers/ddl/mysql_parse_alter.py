"""Parsing the statements that change a MySQL table: CREATE INDEX and ALTER TABLE."""

from __future__ import annotations

from typing import Literal

from dbdesign.dialects.mysql import canonical_charset, canonical_collation
from dbdesign.readers.ddl.mysql_defs import (
    AlterAction,
    AlterStmt,
    CheckDef,
    FkDef,
    IndexStmt,
    KeyDef,
    MySQLColumnDef,
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
        at = self.offset()
        if self.accept("ADD"):
            if self.at_constraint():
                c = self.table_constraint("")
                if isinstance(c, KeyDef):
                    return AlterAction("add_key", keys=[c])
                if isinstance(c, FkDef):
                    return AlterAction("add_fk", fk=c)
                return AlterAction("add_check", check=c)
            if self.word() == "PARTITION":
                raise MySQLSkip("partition changes are not modelled; skipped", at)
            self.accept("COLUMN")
            if_not_exists = self.accept("IF", "NOT", "EXISTS")
            if self.accept_op("("):
                cols: list[AlterAction] = []
                while True:
                    col, keys, fk, check = self.column_def()
                    cols.append(self._column_action(col, keys, fk, check))
                    if not self.accept_op(","):
                        break
                self.expect_op(")")
                return AlterAction("add_column", children=cols)
            col, keys, fk, check = self.column_def()
            action = self._column_action(col, keys, fk, check)
            action.position = self.position()
            action.if_exists = if_not_exists
            return action
        if self.accept("DROP"):
            if self.accept("PRIMARY", "KEY"):
                return AlterAction("drop_primary")
            if self.accept("FOREIGN", "KEY"):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction(
                    "drop_fk", old=self.name("a constraint name"), if_exists=if_exists
                )
            if self.accept("INDEX") or self.accept("KEY"):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction("drop_key", old=self.name("an index name"), if_exists=if_exists)
            if self.accept("CONSTRAINT") or self.accept("CHECK"):
                if_exists = self.accept("IF", "EXISTS")
                return AlterAction(
                    "drop_constraint", old=self.name("a constraint name"), if_exists=if_exists
                )
            if self.word() == "PARTITION":
                raise MySQLSkip("partition changes are not modelled; skipped", at)
            self.accept("COLUMN")
            if_exists = self.accept("IF", "EXISTS")
            name = self.name("a column name")
            if not self.accept("RESTRICT"):
                self.accept("CASCADE")
            return AlterAction("drop_column", old=name, if_exists=if_exists)
        if self.accept("MODIFY"):
            self.accept("COLUMN")
            self.accept("IF", "EXISTS")
            col, keys, fk, check = self.column_def()
            action = self._column_action(col, keys, fk, check)
            action.kind = "modify"
            action.old = col.name
            action.position = self.position()
            return action
        if self.accept("CHANGE"):
            self.accept("COLUMN")
            self.accept("IF", "EXISTS")
            old = self.name("a column name")
            col, keys, fk, check = self.column_def()
            action = self._column_action(col, keys, fk, check)
            action.kind = "modify"
            action.old = old
            action.position = self.position()
            return action
        if self.accept("ALTER"):
            if self.accept("INDEX") or self.accept("KEY"):
                self.name("an index name")
                if self.word() not in ("VISIBLE", "INVISIBLE", "IGNORED") and not self.accept(
                    "NOT", "IGNORED"
                ):
                    raise self.unexpected("VISIBLE, INVISIBLE or IGNORED")
                if self.word() in ("VISIBLE", "INVISIBLE", "IGNORED"):
                    self.i += 1
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
        if self.accept("RENAME"):
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
        if self.accept("CONVERT", "TO"):
            if not (self.accept("CHARACTER", "SET") or self.accept("CHARSET")):
                raise self.unexpected("CHARACTER SET")
            opts = TableOptions()
            opts.charset = canonical_charset(self.name_or_string("a character set"))
            if self.accept("COLLATE"):
                opts.collation = canonical_collation(self.name_or_string("a collation"))
            return AlterAction("convert", options=opts)
        if self.word() in ("ALGORITHM", "LOCK"):
            self.i += 1
            self.equals()
            self.i += 1
            return None
        if self.word() in ("FORCE", "VALIDATION", "WITHOUT", "WITH"):
            if self.accept("WITH", "VALIDATION") or self.accept("WITHOUT", "VALIDATION"):
                return None
            if self.accept("FORCE"):
                return None
        if self.accept("DISABLE", "KEYS") or self.accept("ENABLE", "KEYS"):
            return None
        if self.accept("ORDER", "BY"):
            self.balanced(stop_ops=frozenset((",",)))
            return None
        if self.word() in ("DISCARD", "IMPORT") and self.word(1) == "TABLESPACE":
            self.i += 2
            return None
        opts = TableOptions()
        before = self.i
        self._alter_options(opts)
        if self.i == before:
            raise self.unexpected("an ALTER TABLE action")
        return AlterAction("options", options=opts)

    def _alter_options(self, opts: TableOptions) -> None:
        """Table options inside ALTER TABLE (up to the next ``,``)."""
        while not self.at_end() and not self.is_op(",") and self.table_option(opts):
            pass

    def _column_action(
        self, col: MySQLColumnDef, keys: list[KeyDef], fk: FkDef | None, check: CheckDef | None
    ) -> AlterAction:
        return AlterAction("add_column", column=col, keys=keys, fk=fk, check=check)
