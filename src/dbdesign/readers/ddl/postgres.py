"""PostgreSQL DDL text -> Schema, with pglast (PostgreSQL's own parser).

Reads plain DDL, pg_dump output and Rails ``structure.sql``. Statements that are not schema
(INSERT, COPY data, SELECT set_config ...) and psql meta-commands are skipped; an unknown
statement kind is a warning, never an error. The reader applies each statement to a mutable
builder the way the server would (serial expansion, default constraint names, ALTER TABLE,
ATTACH PARTITION, COMMENT ON, GRANT ...) and freezes the result into the model.

Speed: the file is split into statements with pglast's scanner, non-schema statements are blanked
out (offsets kept), and the rest is parsed once into libpg_query's JSON — plain dicts are about
five times cheaper to build than pglast Nodes.

Layout: this module reads files and dispatches each statement to the ``_on_<node kind>`` method
of :class:`PostgresDdlReader`, which joins one mixin per concern over the shared
:class:`~dbdesign.readers.ddl.pgstate.ReaderState`: tables and indexes (pgtables), ALTER /
RENAME / DROP (pgalter), types and sequences (pgtypes), views and rules (pgviews), functions,
aggregates, collations and triggers (pgroutines), owners, grants and policies (pgaccess),
comments (pgcomments). Session statements (SET, CREATE DATABASE / SCHEMA / EXTENSION) are here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path

from pglast import parser
from pglast.parser import ParseError as PglastParseError

from dbdesign.dialects.postgres import BUILTIN_EXTENSIONS, DEFAULT_OWNER, canonical_encoding
from dbdesign.errors import ParseError
from dbdesign.model import DatabaseInfo, Extension, FrozenMap, Namespace, Schema
from dbdesign.readers.ddl.pgaccess import AccessStatements
from dbdesign.readers.ddl.pgalter import AlterStatements
from dbdesign.readers.ddl.pgbuild import Tree, Warn, int_value, node_kind
from dbdesign.readers.ddl.pgcomments import CommentStatements
from dbdesign.readers.ddl.pgroutines import RoutineStatements
from dbdesign.readers.ddl.pgsource import Lines, blank_non_schema, chunks
from dbdesign.readers.ddl.pgtypes import TypeStatements
from dbdesign.readers.ddl.pgviews import ViewStatements

_SILENT_STMTS = frozenset(
    {
        "AlterOwnerStmt",
        "DropdbStmt",
        "AlterDatabaseStmt",
        "AlterDatabaseSetStmt",
        "AlterDefaultPrivilegesStmt",
        "CreateRoleStmt",
        "AlterRoleStmt",
        "AlterRoleSetStmt",
        "DropRoleStmt",
        "GrantRoleStmt",
        "TransactionStmt",
        "SelectStmt",
        "InsertStmt",
        "CopyStmt",
        "UpdateStmt",
        "DeleteStmt",
        "VacuumStmt",
        "ExplainStmt",
        "CheckPointStmt",
        "LockStmt",
        "NotifyStmt",
        "ListenStmt",
        "UnlistenStmt",
        "DiscardStmt",
        "VariableShowStmt",
        "DeallocateStmt",
        "PrepareStmt",
        "ExecuteStmt",
        "ReindexStmt",
        "ClusterStmt",
        "TruncateStmt",
        "AlterSystemStmt",
        "CreateTableSpaceStmt",
        "SecLabelStmt",
        "AlterCollationStmt",
        "CreatePublicationStmt",
        "CreateSubscriptionStmt",
        "AlterPublicationStmt",
        "AlterSubscriptionStmt",
    }
)


class PostgresDdlReader(
    AlterStatements,
    TypeStatements,
    ViewStatements,
    RoutineStatements,
    AccessStatements,
    CommentStatements,
):
    """Apply PostgreSQL DDL statements to a schema under construction."""

    def feed(
        self, text: str, file: str | None = None, progress: Callable[[int], None] | None = None
    ) -> None:
        """Read one file's text (statements apply in order, on top of what was read before).

        A large text is parsed a chunk of statements at a time, so the parse tree of a 50 MB
        dump is never held whole; ``progress`` is called with the characters read so far."""
        self.file = file
        cleaned = blank_non_schema(text)
        self.lines = Lines(text)
        base_bytes = 0
        for start, chunk in chunks(cleaned):
            self.base = base_bytes
            try:
                stmts = json.loads(parser.parse_sql_json(chunk)).get("stmts", [])
            except PglastParseError as e:
                raise self._parse_error(e, cleaned, start) from None
            self._apply(stmts)
            del stmts
            base_bytes += len(chunk.encode()) if not chunk.isascii() else len(chunk)
            if progress is not None:
                progress(start + len(chunk))

    def begin(self, text: str, file: str | None = None) -> None:
        """Read ``text`` one statement at a time with :meth:`apply` (for a caller that looks
        at the state between statements: the migration linter)."""
        self.file = file
        self.lines = Lines(text)
        self.base = 0

    def apply(self, raw: Tree) -> None:
        """Apply one ``RawStmt`` of pglast's JSON tree of the text given to :meth:`begin`."""
        self._apply([raw])

    def _apply(self, stmts: list[Tree]) -> None:
        for raw in stmts:
            self.stmt_offset = raw.get("stmt_location", 0) + self.base
            stmt = raw.get("stmt")
            if not stmt:
                continue
            kind = node_kind(stmt)
            handler = getattr(self, f"_on_{kind}", None)
            if handler is not None:
                try:
                    handler(stmt[kind])
                except (KeyError, ValueError, IndexError, TypeError) as e:
                    self._warn(f"could not apply {kind}: {type(e).__name__}: {e}")
            elif kind not in _SILENT_STMTS:
                self._warn(f"statement {kind} is not part of the schema model; skipped")

    def result(self, source: str | None = None) -> Schema:
        self._drop_owner_grants()
        defined = {(f.schema, f.name) for f in self.functions.values()}
        for key, trig in list(self.triggers.items()):
            fschema, _, fname = trig.function.partition(".")
            if (fschema, fname) in self.unqualified_calls and (fschema, fname) not in defined:
                self.triggers[key] = dataclasses.replace(trig, function=f"pg_catalog.{fname}")
        for t in self.tables.values():
            for name, ref in t.pending_fk_refs.items():
                target = self.tables.get(ref)
                fk = t.foreign_keys.get(name)
                if fk is not None and target is not None and target.primary_key is not None:
                    t.foreign_keys[name] = dataclasses.replace(
                        fk, ref_columns=target.primary_key.columns
                    )
        return Schema(
            dialect="postgres",
            namespaces=FrozenMap(self.namespaces),
            extensions=FrozenMap(self.extensions),
            collations=FrozenMap(self.collations),
            tables=FrozenMap((k, t.freeze()) for k, t in self.tables.items()),
            views=FrozenMap(self.views),
            indexes=FrozenMap(self.indexes),
            sequences=FrozenMap(self.sequences),
            enums=FrozenMap(self.enums),
            domains=FrozenMap(self.domains),
            composite_types=FrozenMap(self.composites),
            functions=FrozenMap(self.functions),
            triggers=FrozenMap(self.triggers),
            rules=FrozenMap(self.rules),
            policies=FrozenMap(self.policies),
            database=self.database,
            source=source,
        )

    def _parse_error(self, e: PglastParseError, text: str, start: int = 0) -> ParseError:
        # pglast reports the 0-based character offset of the offending token in args[1].
        pos = int(e.args[1]) if len(e.args) > 1 and isinstance(e.args[1], int) else 0
        pos += start
        line = text.count("\n", 0, pos) + 1
        col = pos - (text.rfind("\n", 0, pos) + 1) + 1
        msg = str(e.args[0]) if e.args else str(e)
        return ParseError(msg, file=self.file or "<input>", line=line, col=col)

    def _on_VariableSetStmt(self, s: Tree) -> None:
        if s.get("name") in ("role", "session_authorization"):
            args = [str(int_value(a)) for a in s.get("args") or ()]
            role = args[0] if s.get("kind") == "VAR_SET_VALUE" and args else None
            self.session_owner = None if role in (None, "none") else role
            return
        if s.get("name") == "search_path" and s.get("kind") == "VAR_SET_VALUE":
            vals = [str(int_value(a)) for a in s.get("args", [])]
            first = next((v for v in vals if v and v != "$user"), None)
            self.search_path = first or "public"
            self.catalog_first = (
                "pg_catalog" not in vals
                or first is None
                or vals.index("pg_catalog") < vals.index(first)
            )
        elif s.get("name") == "search_path" and s.get("kind") in ("VAR_SET_DEFAULT", "VAR_RESET"):
            self.search_path = "public"
            self.catalog_first = True

    def _on_CreatedbStmt(self, s: Tree) -> None:
        """CREATE DATABASE (pg_dump --create writes one): the database's name and encoding.

        ``SET client_encoding`` is not the database's encoding (it is the session's, and
        pg_dump -E chooses it), so only ``ENCODING`` here sets it; without one the encoding
        comes from the template and is unknown. A file that creates several databases is
        described by the first (a warning names the others).
        """
        encoding: str | None = None
        for opt in s.get("options") or ():
            d = opt.get("DefElem", {})
            if d.get("defname") == "encoding" and d.get("arg") is not None:
                value = int_value(d["arg"])
                if value is not None:
                    encoding = canonical_encoding(value)
        name = s["dbname"]
        if self.database is None:
            self.database = DatabaseInfo(name=name, encoding=encoding, origin=self._origin())
        elif name != self.database.name:
            self._warn(
                f"the file creates several databases; the model describes the first, "
                f"{self.database.name}, not {name}"
            )

    def _on_CreateSchemaStmt(self, s: Tree) -> None:
        name = s.get("schemaname") or (s.get("authrole") or {}).get("rolename")
        if name and name not in self.namespaces:
            self.namespaces[name] = Namespace(name=name, origin=self._origin())
            self._created(f"ns:{name}")
            if s.get("authrole"):
                owner = self._role_name(s["authrole"])
                if owner is not None:
                    self.owners[f"ns:{name}"] = owner
        for elt in s.get("schemaElts") or ():
            k = node_kind(elt)
            saved = self.search_path
            self.search_path = name or saved
            getattr(self, f"_on_{k}", lambda _s: None)(elt[k])
            self.search_path = saved

    def _on_CreateExtensionStmt(self, s: Tree) -> None:
        if s["extname"] in BUILTIN_EXTENSIONS:
            return
        schema = None
        version = None
        for o in s.get("options") or ():
            d = o["DefElem"]
            if d["defname"] == "schema":
                schema = str(int_value(d["arg"]))
            elif d["defname"] == "new_version":
                version = str(int_value(d["arg"]))
        self.extensions[s["extname"]] = Extension(
            name=s["extname"],
            schema=schema or self.search_path,
            version=version,
            origin=self._origin(),
        )

    def _on_DoStmt(self, s: Tree) -> None:
        self._warn("DO blocks are not interpreted; anything they create is not in the model")


def read_ddl(
    text: str,
    *,
    file: str | None = None,
    warn: Warn | None = None,
    owner: str | None = DEFAULT_OWNER,
) -> Schema:
    """Read PostgreSQL DDL text into a Schema. Raises ParseError on a syntax error.

    ``owner``: the role the text would be loaded as (it owns what the text creates without
    saying who owns it; grants to an object's owner are left out, as the catalog shows them)."""
    r = PostgresDdlReader(warn, owner)
    r.feed(text, file)
    return r.result(source=file)


def read_path(
    path: str | Path,
    *,
    warn: Warn | None = None,
    progress: Callable[[int, int], None] | None = None,
    owner: str | None = DEFAULT_OWNER,
) -> Schema:
    """Read a .sql file, or every .sql file of a folder in name order, as one schema.
    ``progress(done, total)`` is told the bytes read so far, as the reading goes on; ``owner``
    as for :func:`read_ddl`."""
    p = Path(path)
    files = sorted(p.glob("*.sql")) if p.is_dir() else [p]
    r = PostgresDdlReader(warn, owner)
    dumps: list[str] = []
    total = sum(f.stat().st_size for f in files) if progress is not None else 0
    done = 0
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except OSError as e:
            raise ParseError(f"cannot read: {e.strerror}", file=str(f)) from None
        except UnicodeDecodeError as e:
            raise ParseError(
                f"not UTF-8 text ({e.reason} at byte {e.start})", file=str(f)
            ) from None
        if _PG_DUMP.search(text, 0, 8192):
            dumps.append(f.name)
            if len(dumps) > 1:
                raise ParseError(
                    f"the folder holds more than one database dump ({', '.join(dumps)}): a "
                    "folder is read as one schema built file after file (migrations); read "
                    "each dump on its own",
                    file=str(p),
                )
        if progress is None:
            r.feed(text, str(f))
        else:
            size = f.stat().st_size
            step = size / max(1, len(text))  # characters -> bytes, near enough for a bar
            r.feed(text, str(f), functools.partial(_report, progress, done, step, total))
            done += size
            progress(done, total)
    return r.result(source=str(p))


def _report(
    progress: Callable[[int, int], None], before: int, step: float, total: int, n: int
) -> None:
    progress(before + int(n * step), total)


# pg_dump's first lines (Rails' structure.sql keeps only the second): a file that has them is one
# whole database, not a migration step.
_PG_DUMP = re.compile(
    r"^-- PostgreSQL database dump$|^SELECT pg_catalog\.set_config\('search_path', '', false\);",
    re.M,
)
