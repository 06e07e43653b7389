"""The MySQL statement parser: which statement it is, CREATE VIEW, TRIGGER, PROCEDURE and
FUNCTION, DROP and RENAME (tables and their changes: mysql_parse_column, mysql_parse_table,
mysql_parse_alter).

A view's query is checked with sqlglot; trigger and routine bodies are kept as written."""

from __future__ import annotations

from typing import Literal, NoReturn

from dbdesign.dialects.mysql import canonical_type
from dbdesign.readers.ddl.mysql_defs import (
    DropStmt,
    Ignore,
    MySQLSkip,
    MySQLTriggerDef,
    MySQLViewDef,
    Parsed,
    RenameStmt,
    RoutineDef,
    UseStmt,
)
from dbdesign.readers.ddl.mysql_parse_alter import AlterParser


class MySQLParser(AlterParser):
    """One statement (``statement``): CREATE, ALTER, DROP, RENAME or USE."""

    def skip_definer(self) -> None:
        """``DEFINER = user@host | CURRENT_USER[()] | CURRENT_ROLE``: owners are not modelled."""
        self.equals()
        if self.accept("CURRENT_USER") or self.accept("CURRENT_ROLE"):
            if self.accept_op("("):
                self.expect_op(")")
            return
        t = self.peek()
        if t is None or t.kind not in ("word", "qident", "string"):
            raise self.unexpected("a user name")
        self.i += 1
        t = self.peek()
        if t is not None and t.kind == "var" and t.start == self.toks[self.i - 1].end:
            self.i += 1  # @host, @`host`, @'host' (glued to the user name)
        elif self.accept_op("@"):
            self.name_or_string("a host name")

    # -- statements -------------------------------------------------------------------------

    def statement(self, first: str) -> Parsed:
        start = self.offset()
        self.i += 1
        if first == "CREATE":
            return self.create(start)
        if first == "ALTER":
            return self.alter(start)
        if first == "DROP":
            return self.drop(start)
        if first == "RENAME":
            return self.rename(start)
        if first == "USE":
            db = self.name("a database name")
            self.accept_op(";")
            self.expect_end()
            return UseStmt(db, self.origin(start))
        raise self.error(f"unexpected statement {first}")

    def create(self, start: int) -> Parsed:
        or_replace = self.accept("OR", "REPLACE")
        algorithm, security, temporary = self.create_options()
        kw = self.word()
        if temporary:
            if kw == "TABLE":
                raise MySQLSkip("CREATE TEMPORARY TABLE is not part of the schema; skipped", start)
            raise self.unexpected("TABLE")
        if kw in ("UNIQUE", "FULLTEXT", "SPATIAL", "INDEX"):
            return self.create_index(start, or_replace)
        self.i += 1
        if kw == "TABLE":
            return self.create_table(start, or_replace)
        if kw == "VIEW":
            return self.create_view(start, or_replace, algorithm, security)
        if kw == "TRIGGER":
            return self.create_trigger(start, or_replace)
        if kw in ("PROCEDURE", "FUNCTION"):
            return self.create_routine(start, kw, or_replace)
        self.unmodelled_create(start, kw)

    def create_options(self) -> tuple[str | None, str | None, bool]:
        """DEFINER, ALGORITHM, SQL SECURITY (of a view) and TEMPORARY between CREATE and what
        it creates: (algorithm, security, temporary)."""
        algorithm: str | None = None
        security: str | None = None
        temporary = False
        while True:
            if self.accept("DEFINER"):
                self.skip_definer()
            elif self.accept("ALGORITHM"):
                self.equals()
                algorithm = self.word()
                if algorithm not in ("UNDEFINED", "MERGE", "TEMPTABLE"):
                    raise self.unexpected("UNDEFINED, MERGE or TEMPTABLE")
                self.i += 1
            elif self.accept("SQL", "SECURITY"):
                security = self.word()
                if security not in ("DEFINER", "INVOKER"):
                    raise self.unexpected("DEFINER or INVOKER")
                self.i += 1
            elif self.accept("TEMPORARY"):
                temporary = True
            else:
                return algorithm, security, temporary

    def unmodelled_create(self, start: int, kw: str) -> NoReturn:
        """CREATE of what the model does not have (``kw``, read): ignored, skipped with a
        warning, or a syntax error."""
        if kw in ("DATABASE", "SCHEMA"):
            raise Ignore()
        if kw == "AGGREGATE":
            raise MySQLSkip("CREATE AGGREGATE FUNCTION is not modelled; skipped", start)
        if kw in ("EVENT", "SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE"):
            raise MySQLSkip(f"CREATE {kw} is not modelled; skipped", start)
        self.i -= 1
        raise self.unexpected("TABLE, INDEX, VIEW, TRIGGER, PROCEDURE or FUNCTION")

    # ---- CREATE VIEW ----------------------------------------------------------------------

    def create_view(
        self, start: int, or_replace: bool, algorithm: str | None, security: str | None
    ) -> MySQLViewDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a view name")
        columns: list[str] = []
        if self.accept_op("("):
            columns = self.key_columns()
        self.expect("AS")
        i = self.i
        check_option: Literal["LOCAL", "CASCADED"] | None = None
        j = len(self.toks)
        # WITH [CASCADED | LOCAL] CHECK OPTION at the end
        if j - i >= 3 and self.toks[-1].upper == "OPTION" and self.toks[-2].upper == "CHECK":
            k = j - 3
            if self.toks[k].upper in ("CASCADED", "LOCAL"):
                check_option = "LOCAL" if self.toks[k].upper == "LOCAL" else "CASCADED"
                k -= 1
            else:
                check_option = "CASCADED"
            if self.toks[k].upper != "WITH":
                raise self.error("expected WITH ... CHECK OPTION", self.toks[k].start)
            j = k
        if i >= j:
            raise self.unexpected("a SELECT statement")
        query = self.checked(i, j, "query")
        self.i = len(self.toks)
        return MySQLViewDef(
            name=name,
            schema=schema,
            query=query,
            columns=columns,
            algorithm=algorithm,
            security=security,
            check_option=check_option,
            or_replace=or_replace,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    # ---- CREATE TRIGGER -------------------------------------------------------------------

    def create_trigger(self, start: int, or_replace: bool) -> MySQLTriggerDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a trigger name")
        timing = self.word()
        if timing not in ("BEFORE", "AFTER"):
            raise self.unexpected("BEFORE or AFTER")
        self.i += 1
        event = self.word()
        if event not in ("INSERT", "UPDATE", "DELETE"):
            raise self.unexpected("INSERT, UPDATE or DELETE")
        self.i += 1
        self.expect("ON")
        table = self.qualified_name("a table name")
        self.expect("FOR", "EACH", "ROW")
        if self.word() in ("FOLLOWS", "PRECEDES"):
            self.i += 1
            self.name("a trigger name")
        if self.at_end():
            raise self.unexpected("a trigger body")
        body = self.src.text[self.toks[self.i].start : self.toks[-1].end].strip()
        self.i = len(self.toks)
        return MySQLTriggerDef(
            name=name,
            schema=schema,
            table=table,
            timing="BEFORE" if timing == "BEFORE" else "AFTER",
            event=event,
            body=body,
            or_replace=or_replace,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )

    # ---- CREATE PROCEDURE / FUNCTION ------------------------------------------------------

    def create_routine(self, start: int, kw: str, or_replace: bool) -> RoutineDef:
        if_not_exists = self.accept("IF", "NOT", "EXISTS")
        schema, name = self.qualified_name("a routine name")
        params = self.parameters(kw)
        returns = self.returns(start) if kw == "FUNCTION" else None
        r = RoutineDef(
            kind="function" if kw == "FUNCTION" else "procedure",
            name=name,
            schema=schema,
            params=params,
            returns=returns,
            body="",
            or_replace=or_replace,
            if_not_exists=if_not_exists,
            origin=self.origin(start),
        )
        while self.characteristic(r):
            pass
        if self.at_end():
            raise self.unexpected("a routine body")
        r.body = self.src.text[self.toks[self.i].start : self.toks[-1].end].strip()
        self.i = len(self.toks)
        return r

    def parameters(self, kw: str) -> list[tuple[str, str, str]]:
        """``([IN | OUT | INOUT] name type, ...)`` (modes: of a procedure) as (mode, name,
        canonical type)."""
        self.expect_op("(")
        params: list[tuple[str, str, str]] = []
        if not self.is_op(")"):
            while True:
                mode = "IN"
                if kw == "PROCEDURE" and self.word() in ("IN", "OUT", "INOUT"):
                    mode = self.word()
                    self.i += 1
                pname = self.name("a parameter name")
                ptype = str(canonical_type(self.data_type()))
                params.append((mode, pname, ptype))
                if not self.accept_op(","):
                    break
        self.expect_op(")")
        return params

    def returns(self, start: int) -> str:
        """A function's RETURNS type (canonical); a loadable function is skipped."""
        if self.word() == "RETURNS":
            self.i += 1
            return str(canonical_type(self.data_type()))
        if self.word() == "AGGREGATE" or self.word() == "SONAME":
            raise MySQLSkip("loadable (UDF) functions are not modelled; skipped", start)
        raise self.unexpected("RETURNS")

    def characteristic(self, r: RoutineDef) -> bool:
        """Read one characteristic of a routine into ``r``; False if none is here."""
        if self.accept("COMMENT"):
            r.comment = self.string("a comment")
        elif self.accept("LANGUAGE", "SQL"):
            pass
        elif self.accept("NOT", "DETERMINISTIC"):
            r.deterministic = False
        elif self.accept("DETERMINISTIC"):
            r.deterministic = True
        elif (access := self.data_access()) is not None:
            r.data_access = access
        elif self.accept("SQL", "SECURITY"):
            if self.word() not in ("DEFINER", "INVOKER"):
                raise self.unexpected("DEFINER or INVOKER")
            r.security_definer = self.word() == "DEFINER"
            self.i += 1
        else:
            return False
        return True

    def data_access(self) -> str | None:
        """CONTAINS SQL, NO SQL, READS SQL DATA or MODIFIES SQL DATA, if here."""
        for words in _DATA_ACCESS:
            if self.accept(*words):
                return " ".join(words)
        return None

    # ---- DROP / RENAME --------------------------------------------------------------------

    def drop(self, start: int) -> DropStmt:
        self.accept("TEMPORARY")
        kw = self.word()
        if kw == "SCHEMA":
            kw = "DATABASE"
        if kw not in (
            "TABLE",
            "TABLES",
            "VIEW",
            "INDEX",
            "TRIGGER",
            "PROCEDURE",
            "FUNCTION",
            "DATABASE",
        ):
            if kw in ("EVENT", "SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE"):
                raise MySQLSkip(f"DROP {kw} is not modelled; skipped", start)
            raise self.unexpected("TABLE, VIEW, INDEX, TRIGGER, PROCEDURE or FUNCTION")
        self.i += 1
        if kw == "TABLES":
            kw = "TABLE"
        if_exists = self.accept("IF", "EXISTS")
        if kw == "INDEX":
            name = self.name("an index name")
            self.expect("ON")
            table = self.qualified_name("a table name")
            while self.word() in ("ALGORITHM", "LOCK"):
                self.i += 1
                self.equals()
                self.i += 1
            self.expect_end()
            return DropStmt("INDEX", [(None, name)], if_exists, table, self.origin(start))
        names = [self.qualified_name()]
        while self.accept_op(","):
            names.append(self.qualified_name())
        if not self.accept("RESTRICT"):
            self.accept("CASCADE")
        self.expect_end()
        return DropStmt(kw, names, if_exists, None, self.origin(start))  # type: ignore[arg-type]

    def rename(self, start: int) -> RenameStmt:
        if not self.accept("TABLE"):
            self.expect("TABLES")
        pairs = []
        while True:
            old = self.qualified_name("a table name")
            self.expect("TO")
            pairs.append((old, self.qualified_name("a table name")))
            if not self.accept_op(","):
                break
        self.expect_end()
        return RenameStmt(pairs, self.origin(start))


# What a routine says of the data it reads or changes.
_DATA_ACCESS = (
    ("CONTAINS", "SQL"),
    ("NO", "SQL"),
    ("READS", "SQL", "DATA"),
    ("MODIFIES", "SQL", "DATA"),
)
