"""Online DDL on MySQL 8.0 and MariaDB: which algorithm and lock an ALTER TABLE gets.

:func:`classify` reads one statement (ALTER TABLE, CREATE INDEX, DROP INDEX) against the
table as it is before it: its operations, keys of the knowledge table
:data:`~dbdesign.lint.migration.mysql_online_facts.OPERATIONS` (sources and proofs there), and
the verdict for all of them together on a given server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from dbdesign.dialects.mysql import base_name, charset_of, max_bytes_per_char
from dbdesign.lint.migration.context import ServerVersion
from dbdesign.lint.migration.mysql_online_facts import COPY, OPERATIONS, Verdict
from dbdesign.readers.ddl.mysql_defs import (
    AlterAction,
    AlterStmt,
    DropStmt,
    IndexStmt,
    KeyDef,
    MySQLColumnDef,
    MySQLTableDef,
)
from dbdesign.readers.ddl.mysql_server import resolve_column

# Operations done INSTANT that a combination with an index build turns into a rebuild.
_INSTANT_COLUMN_OPS = frozenset(
    ("add_column", "add_column_middle", "drop_column", "reorder_column")
)
_REBUILD_OPTIONS = frozenset(("ROW_FORMAT", "KEY_BLOCK_SIZE", "PAGE_COMPRESSED", "ENCRYPTED"))
_VOLATILE = re.compile(r"\b(uuid|uuid_short|rand|sys_guid|sysdate|connection_id)\s*\(", re.I)


@dataclass(frozen=True, slots=True)
class Classified:
    """A statement's operations (keys of :data:`OPERATIONS`, with the column or index each
    is about) and what the server does with all of them together; ``verdict`` None when an
    action is not known to the table."""

    operations: tuple[tuple[str, str], ...]
    verdict: Verdict | None

    @property
    def keys(self) -> set[str]:
        return {k for k, _ in self.operations}


def _resolved(col: MySQLColumnDef, t: MySQLTableDef) -> MySQLColumnDef:
    new = replace(col)
    resolve_column(new, t.collation)
    return new


def _bytes(col: MySQLColumnDef, length: int) -> int:
    cs = charset_of(col.collation) if col.collation else "binary"
    return length * (max_bytes_per_char(cs) if cs != "binary" else 1)


def _indexed(t: MySQLTableDef, column: str) -> bool:
    low = column.lower()
    return any((p.column or "").lower() == low for k in t.keys for p in k.parts)


def _has_fulltext(t: MySQLTableDef | None) -> bool:
    return t is not None and any(k.kind == "fulltext" for k in t.keys)


def _has_virtual(t: MySQLTableDef) -> bool:
    return any(c.generated is not None and not c.stored for c in t.columns)


def _fk_indexed(t: MySQLTableDef | None, columns: list[str]) -> bool:
    """Whether an index of ``t`` starts with ``columns`` (else the server adds one)."""
    if t is None:
        return True
    want = [c.lower() for c in columns]
    return any(
        [(p.column or "").lower() for p in k.parts[: len(want)]] == want
        for k in t.keys
        if k.kind in ("primary", "unique", "index")
    )


def _modify(a: AlterAction, t: MySQLTableDef) -> list[str]:
    """MODIFY / CHANGE: what changes between the column before and after."""
    old = t.column(a.old)
    if old is None or a.column is None:
        return []
    new = _resolved(a.column, t)
    ops = ["rename_column"] if old.name.lower() != new.name.lower() else []
    if (old.generated is None) != (new.generated is None) or old.stored != new.stored:
        return [*ops, "change_type"]
    ops.extend(_type_change(old, new, t))
    if old.notnull != new.notnull:
        ops.append("set_not_null" if new.notnull else "drop_not_null")
    if a.position is not None and _moves(t, old.name, a.position):
        ops.append("reorder_column")
    if not ops:
        ops.append("column_metadata")
    return ops


def _type_change(old: MySQLColumnDef, new: MySQLColumnDef, t: MySQLTableDef) -> list[str]:
    """The type, AUTO_INCREMENT or collation change of a MODIFY / CHANGE (none: [])."""
    if new.auto_increment and not old.auto_increment:
        return ["change_type"]
    if old.type != new.type:
        return [_retyped(old, new)]
    if old.collation != new.collation:
        if charset_of(old.collation or "") != charset_of(new.collation or ""):
            return ["change_charset"]
        return ["change_collation_indexed" if _indexed(t, old.name) else "change_collation"]
    return []


def _retyped(old: MySQLColumnDef, new: MySQLColumnDef) -> str:
    ob = base_name(old.type)
    if ob != base_name(new.type) or old.collation != new.collation:
        return "change_type"
    if ob in ("varchar", "varbinary"):
        return _varchar_extend(old, new)
    if ob in ("enum", "set"):
        oa, na = old.type.args, new.type.args
        same_size = (
            (len(oa) <= 255) == (len(na) <= 255)
            if ob == "enum"
            else ((len(oa) + 7) // 8 == (len(na) + 7) // 8)
        )
        appended = na[: len(oa)] == oa and len(na) > len(oa)
        return "enum_append" if appended and same_size else "enum_reorder"
    return "change_type"


def _varchar_extend(old: MySQLColumnDef, new: MySQLColumnDef) -> str:
    o, n = int(old.type.args[0]), int(new.type.args[0])
    ob_, nb_ = _bytes(old, o), _bytes(new, n)
    if n < o:
        return "change_type"
    if nb_ <= 255 or ob_ > 255:
        return "varchar_extend"
    return "varchar_extend_short" if ob_ <= 127 else "varchar_extend_cross"


def _moves(t: MySQLTableDef, name: str, position: tuple[str, str]) -> bool:
    names = [c.name.lower() for c in t.columns]
    at = names.index(name.lower())
    if position[0] == "FIRST":
        return at != 0
    after = position[1].lower()
    return after not in names or names.index(after) != at - 1


def _add_column(a: AlterAction, t: MySQLTableDef | None) -> list[str]:
    col = a.column
    if col is None:
        return []
    ops: list[str] = []
    if col.generated is not None:
        ops.append("add_stored_generated" if col.stored else "add_virtual_generated")
    elif col.auto_increment or col.serial:
        ops.append("add_auto_increment_column")
    elif (
        col.default is not None
        and col.default.kind == "expr"
        and _VOLATILE.search(col.default.text)
    ):
        ops.append("add_column_volatile_default")
    else:
        last = a.position is None or (
            t is not None
            and a.position[0] == "AFTER"
            and bool(t.columns)
            and t.columns[-1].name.lower() == a.position[1].lower()
        )
        if last:
            ops.append("add_column")
        elif t is not None and _has_virtual(t):
            ops.append("add_column_middle_virtual")
        else:
            ops.append("add_column_middle")
    if a.keys or a.fk is not None:
        ops.append("add_column_with_index")
    if a.check is not None:
        ops.append("add_check")
    return ops


def _key(k: KeyDef, t: MySQLTableDef | None, fulltext_added: bool) -> str:
    if k.kind == "primary":
        return "add_primary_key"
    if k.kind == "fulltext":
        return "add_fulltext" if _has_fulltext(t) or fulltext_added else "add_first_fulltext"
    if k.kind == "spatial":
        return "add_spatial"
    return "add_index"


def _options(a: AlterAction, t: MySQLTableDef | None) -> list[str]:
    o = a.options
    if o is None:
        return []
    ops = []
    if o.engine is not None:
        same = t is None or o.engine.lower() == t.engine.lower()
        ops.append("rebuild_table" if same else "change_engine")
    if o.charset is not None or o.collation is not None:
        ops.append("table_default_charset")
    if {k.upper() for k in o.create_options} & _REBUILD_OPTIONS:
        ops.append("rebuild_table")
    if not ops:
        ops.append("table_metadata")
    return ops


# ALTER TABLE actions that are always the same operation.
_FIXED: dict[str, str] = {
    "add_check": "add_check",
    "drop_key": "drop_index",
    "drop_primary": "drop_primary_key",
    "drop_fk": "drop_foreign_key",
    "drop_constraint": "drop_constraint",
    "rename_column": "rename_column",
    "set_default": "column_metadata",
    "drop_default": "column_metadata",
    "rename_key": "rename_index",
    "rename_table": "rename_table",
    "convert": "convert_charset",
}
# What the walker found in an ALTER TABLE besides the actions the reader knows.
_EXTRA: dict[str, tuple[str, str]] = {
    "FORCE": ("rebuild_table", ""),
    "ALTER INDEX": ("index_visibility", ""),
}


def _add_fk(a: AlterAction, t: MySQLTableDef | None, fk_checks: bool) -> list[tuple[str, str]]:
    about = (a.fk.name or "") if a.fk else ""
    keys = ["add_foreign_key" if fk_checks else "add_foreign_key_unchecked"]
    if a.fk is not None and not _fk_indexed(t, a.fk.columns):
        keys.append("add_index")  # the server adds an index for it
    return [(k, about) for k in keys]


def _other_action(a: AlterAction, t: MySQLTableDef | None) -> list[str]:
    fixed = _FIXED.get(a.kind)
    if fixed is not None:
        return [fixed]
    if a.kind == "drop_column":
        col = t.column(a.old) if t is not None else None
        indexed = t is not None and col is not None and _indexed(t, col.name)
        return ["drop_indexed_column" if indexed else "drop_column"]
    if a.kind == "modify":
        return _modify(a, t) if t is not None else ["unknown"]
    if a.kind == "options":
        return _options(a, t)
    return []


def _actions(st: AlterStmt, t: MySQLTableDef | None, fk_checks: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    fulltext_added = False
    for a in st.actions:
        if a.kind == "add_column":
            for c in a.children or [a]:
                out.extend((k, c.column.name if c.column else "") for k in _add_column(c, t))
        elif a.kind == "add_key":
            for k in a.keys:
                out.append((_key(k, t, fulltext_added), k.name or ""))
                fulltext_added = fulltext_added or k.kind == "fulltext"
        elif a.kind == "add_fk":
            out.extend(_add_fk(a, t, fk_checks))
        else:
            about = a.old or (a.column.name if a.column else "") or a.new
            out.extend((k, about) for k in _other_action(a, t))
    return out


def _statement_ops(node: Any, table: MySQLTableDef | None) -> list[tuple[str, str]] | None:
    p = node.parsed
    if isinstance(p, AlterStmt):
        ops = _actions(p, table, node.foreign_key_checks)
        return ops + [_EXTRA.get(e, ("unknown", e)) for e in node.extra]
    if isinstance(p, IndexStmt):
        return [(_key(p.key, table, False), p.key.name or "")]
    if isinstance(p, DropStmt) and p.kind == "INDEX":
        return [("drop_index", p.names[0][1])]
    return None


def _combinations(ops: list[tuple[str, str]], table: MySQLTableDef | None) -> list[tuple[str, str]]:
    """Combinations the server treats apart (MariaDB 10.11, MySQL manual)."""
    keys = {k for k, _ in ops}
    if "drop_primary_key" in keys and "add_primary_key" in keys:
        ops = [
            ("replace_primary_key", n) if k in ("drop_primary_key", "add_primary_key") else (k, n)
            for k, n in ops
        ]
    if _has_fulltext(table):
        ops = [
            ("column_on_fulltext_table", n)
            if k in _INSTANT_COLUMN_OPS - {"reorder_column"}
            else ("rebuild_fulltext_table", n)
            if k == "rebuild_table"
            else (k, n)
            for k, n in ops
        ]
    keys = {k for k, _ in ops}
    if keys & _INSTANT_COLUMN_OPS and keys & {"add_index", "add_primary_key"}:
        # MariaDB 10.11: an instant column change and an index build in one ALTER rebuild
        ops.append(("add_column_with_index", ""))
    return ops


def _verdict(keys: set[str], table: MySQLTableDef | None, server: ServerVersion) -> Verdict:
    if "change_engine" in keys:  # another storage engine: a new table, copied (both servers)
        return COPY
    verdicts = [OPERATIONS[k].on(server) for k in keys]
    verdict = verdicts[0]
    for v in verdicts[1:]:
        verdict = verdict.combine(v)
    if verdict.algorithm != "INSTANT" and any(
        k in _INSTANT_COLUMN_OPS and OPERATIONS[k].on(server).algorithm == "INSTANT" for k in keys
    ):
        # An INSTANT column change in an ALTER that cannot be INSTANT as a whole is done the
        # INPLACE way, which rebuilds the table.
        verdict = replace(verdict, rebuild=True)
    if _has_fulltext(table) and verdict.rebuild and verdict.algorithm != "COPY":
        verdict = replace(verdict, lock="SHARED")
    return verdict


def classify(node: Any, table: MySQLTableDef | None, server: ServerVersion) -> Classified | None:
    """The operations of an ALTER TABLE / CREATE INDEX / DROP INDEX (``node``: the walker's
    :class:`~dbdesign.lint.migration.walk_mysql.MySQLNode`) on ``table`` as it is before it
    (None: not known), and the verdict on ``server``. None for other statements."""
    ops = _statement_ops(node, table)
    if ops is None:
        return None
    if not ops:
        return Classified((), None)
    ops = _combinations(ops, table)
    keys = {k for k, _ in ops}
    if "unknown" in keys:
        return Classified(tuple(ops), None)
    return Classified(tuple(ops), _verdict(keys, table, server))
