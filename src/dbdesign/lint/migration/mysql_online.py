"""Online DDL on MySQL 8.0 and MariaDB: which algorithm and lock each ALTER TABLE gets.

:data:`OPERATIONS` is the knowledge table: per operation, the verdict on MySQL and on MariaDB
by version (INSTANT: metadata only; INPLACE: no copy, with or without rebuilding the table;
COPY: a new table written row by row while writes wait), with an example the integration test
runs on the machine's MariaDB (tests/integration/test_migration_lint_mysql.py: every example,
linted, then run with the claimed ``ALGORITHM=INSTANT`` or ``ALGORITHM=INPLACE, LOCK=NONE``
appended; the server must accept exactly that and refuse the cheaper one).

Sources: the MySQL 8.0 Reference Manual, "Online DDL Operations" (15.12.1) and "ALTER TABLE"
(INSTANT ADD COLUMN at the end since 8.0.12, at any position and INSTANT DROP COLUMN since
8.0.29, INSTANT RENAME COLUMN since 8.0.28); the MariaDB Knowledge Base, "InnoDB Online DDL
Operations with ALGORITHM=INSTANT / NOCOPY / INPLACE" (INSTANT ADD COLUMN last in 10.3, at any
position, DROP COLUMN and reordering in 10.4). The MariaDB verdicts were checked on MariaDB
10.11; the MySQL verdicts are the manual's and are NOT proven here (no MySQL 8 server to run
them on).

:func:`verdict` classifies one statement (ALTER TABLE, CREATE INDEX, DROP INDEX) against the
table as it is before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from dbdesign.dialects.mysql import base_name, charset_of, max_bytes_per_char
from dbdesign.lint.migration.context import ServerVersion
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

_ALGO_RANK = {"INSTANT": 0, "NOCOPY": 1, "INPLACE": 1, "COPY": 2}
_LOCK_RANK = {"NONE": 0, "SHARED": 1, "EXCLUSIVE": 2}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the server does: ``algorithm`` INSTANT | INPLACE | COPY, the weakest ``lock`` it
    allows (NONE: reads and writes go on; SHARED: writes wait; EXCLUSIVE: everything waits)
    and whether the table is rebuilt (every row rewritten; on a replica, the ALTER only starts
    once the primary has finished it)."""

    algorithm: str
    lock: str = "NONE"
    rebuild: bool = False

    def __str__(self) -> str:
        if self.algorithm == "INSTANT":
            return "ALGORITHM=INSTANT"
        rebuild = " (rebuilds the table)" if self.rebuild and self.algorithm != "COPY" else ""
        return f"ALGORITHM={self.algorithm}, LOCK={self.lock}{rebuild}"

    def combine(self, other: Verdict) -> Verdict:
        algo = max(self.algorithm, other.algorithm, key=_ALGO_RANK.__getitem__)
        lock = max(self.lock, other.lock, key=_LOCK_RANK.__getitem__)
        return Verdict(algo, lock, self.rebuild or other.rebuild)

    @property
    def blocks_writes(self) -> bool:
        return self.algorithm == "COPY" or self.lock != "NONE"

    def clause(self) -> str:
        """The clause that makes the server refuse anything worse than this verdict."""
        if self.algorithm == "INSTANT":
            return "ALGORITHM=INSTANT"
        return f"ALGORITHM={self.algorithm}, LOCK={self.lock}"


INSTANT = Verdict("INSTANT")
INPLACE = Verdict("INPLACE")
REBUILD = Verdict("INPLACE", rebuild=True)
SHARED = Verdict("INPLACE", "SHARED")
SHARED_REBUILD = Verdict("INPLACE", "SHARED", rebuild=True)
COPY = Verdict("COPY", "SHARED", rebuild=True)

Versions = tuple[tuple[tuple[int, ...], Verdict], ...]

# The tables the examples run on (the integration test makes them, with rows).
EXAMPLE_SCHEMAS: dict[str, str] = {
    "base": """
CREATE TABLE parent (id INT NOT NULL PRIMARY KEY);
CREATE TABLE t (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  a INT NULL,
  b VARCHAR(20) NULL,
  c VARCHAR(50) NOT NULL DEFAULT '',
  w VARCHAR(100) NULL,
  e ENUM('x', 'y') NULL,
  n INT NOT NULL DEFAULT 0,
  g POINT NOT NULL,
  txt TEXT NULL,
  p INT NULL,
  parent_id INT NULL,
  KEY ix_a (a),
  KEY ix_b (b),
  CONSTRAINT ck_n CHECK (n >= 0),
  CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id)
) ENGINE=InnoDB;
""",
    "keyless": """
CREATE TABLE t (a INT NOT NULL, b INT NULL, txt TEXT NULL) ENGINE=InnoDB;
""",
    "virtual": """
CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY, a INT NULL, b INT NULL, v INT AS (a + 1) VIRTUAL
) ENGINE=InnoDB;
""",
    "fulltext": """
CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY, a INT NULL, txt TEXT NULL, t2 TEXT NULL, FULLTEXT KEY ft (txt)
) ENGINE=InnoDB;
""",
}
EXAMPLE_ROWS: dict[str, tuple[str, ...]] = {
    "base": (
        "INSERT INTO parent VALUES (1), (2)",
        "INSERT INTO t (a, b, c, w, e, n, g, txt, p, parent_id) VALUES "
        "(1, 'x', 'y', 'w', 'x', 1, POINT(0, 0), 'a b', 1, 1), "
        "(2, 'xx', 'yy', 'ww', 'y', 2, POINT(1, 1), 'c d', 2, 2)",
    ),
    "keyless": ("INSERT INTO t VALUES (1, 1, 'a'), (2, 2, 'b')",),
    "virtual": ("INSERT INTO t (id, a, b) VALUES (1, 1, 1), (2, 2, 2)",),
    "fulltext": ("INSERT INTO t (id, a, txt) VALUES (1, 1, 'a b'), (2, 2, 'c d')",),
}


@dataclass(frozen=True, slots=True)
class Operation:
    """One kind of change: its verdicts by version (``(since, verdict)`` pairs, oldest first;
    the first applies to every earlier version too) and examples: (schema, migration), the
    migration's last statement being the ALTER."""

    title: str
    mysql: Versions
    mariadb: Versions
    examples: tuple[tuple[str, str], ...]
    copy_fix: str = ""  # for what copies: the expand/contract way around it

    def on(self, server: ServerVersion) -> Verdict:
        versions = self.mariadb if server.flavor == "mariadb" else self.mysql
        out = versions[0][1]
        for since, v in versions:
            if server.at_least(*since):
                out = v
        return out


_M0 = (0,)
_EXPAND_TYPE = (
    "expand/contract: ADD COLUMN {col}_new with the new type (INSTANT), write both columns "
    "from the application (or a trigger), backfill {col}_new in batches, switch reads, then "
    "DROP the old column and RENAME {col}_new; or let gh-ost / pt-online-schema-change copy "
    "the table while writes go on"
)

OPERATIONS: dict[str, Operation] = {
    "add_column": Operation(
        "ADD COLUMN (last)",
        ((_M0, REBUILD), ((8, 0, 12), INSTANT)),
        ((_M0, REBUILD), ((10, 3), INSTANT)),
        (
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL"),
            ("base", "ALTER TABLE t ADD COLUMN z INT NOT NULL"),
            ("base", "ALTER TABLE t ADD COLUMN z DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"),
            ("keyless", "ALTER TABLE t ADD COLUMN z INT NULL DEFAULT (1 + 1)"),
            ("virtual", "ALTER TABLE t ADD COLUMN z INT NULL"),
        ),
    ),
    "add_column_middle": Operation(
        "ADD COLUMN ... FIRST / AFTER (not last)",
        ((_M0, REBUILD), ((8, 0, 29), INSTANT)),
        ((_M0, REBUILD), ((10, 4), INSTANT)),
        (
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL FIRST"),
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL AFTER a"),
        ),
    ),
    "add_column_middle_virtual": Operation(
        "ADD COLUMN ... FIRST / AFTER on a table with a VIRTUAL column",
        ((_M0, REBUILD), ((8, 0, 29), INSTANT)),
        ((_M0, COPY),),
        (("virtual", "ALTER TABLE t ADD COLUMN z INT NULL FIRST"),),
        "add the column last (INSTANT) and leave the order alone",
    ),
    "add_column_volatile_default": Operation(
        "ADD COLUMN with a non-deterministic DEFAULT (UUID(), RAND() ...)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD COLUMN z CHAR(36) NULL DEFAULT (UUID())"),),
        "add the column without the default (INSTANT), backfill it in batches, then SET "
        "DEFAULT (INSTANT)",
    ),
    "add_auto_increment_column": Operation(
        "ADD COLUMN ... AUTO_INCREMENT",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (("keyless", "ALTER TABLE t ADD COLUMN id INT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST"),),
    ),
    "add_stored_generated": Operation(
        "ADD COLUMN ... AS (...) STORED",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD COLUMN z INT AS (a * 2) STORED"),),
        "add a VIRTUAL generated column instead (INSTANT), with an index if it is searched",
    ),
    "add_virtual_generated": Operation(
        "ADD COLUMN ... AS (...) VIRTUAL",
        ((_M0, INPLACE), ((8, 0, 12), INSTANT)),
        ((_M0, INPLACE), ((10, 3), INSTANT)),
        (("base", "ALTER TABLE t ADD COLUMN z INT AS (a * 2) VIRTUAL"),),
    ),
    "add_column_with_index": Operation(
        "ADD COLUMN together with a new index (ADD COLUMN ... UNIQUE, ADD INDEX in one ALTER)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL, ADD INDEX ix_z (z)"),
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL UNIQUE"),
        ),
    ),
    "drop_column": Operation(
        "DROP COLUMN",
        ((_M0, REBUILD), ((8, 0, 29), INSTANT)),
        ((_M0, REBUILD), ((10, 4), INSTANT)),
        (
            ("base", "ALTER TABLE t DROP COLUMN p"),
            ("virtual", "ALTER TABLE t DROP COLUMN b"),
            ("virtual", "ALTER TABLE t DROP COLUMN v"),
        ),
    ),
    "drop_indexed_column": Operation(
        "DROP COLUMN of an indexed column (its index goes too)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD), ((10, 4), INPLACE)),
        (("base", "ALTER TABLE t DROP COLUMN a"),),
    ),
    "column_on_fulltext_table": Operation(
        "ADD / DROP COLUMN on a table with a FULLTEXT index (no INSTANT; the rebuild locks)",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (
            ("fulltext", "ALTER TABLE t ADD COLUMN z INT NULL"),
            ("fulltext", "ALTER TABLE t DROP COLUMN a"),
        ),
    ),
    "rename_column": Operation(
        "RENAME COLUMN / CHANGE with the same definition",
        ((_M0, INPLACE), ((8, 0, 28), INSTANT)),
        ((_M0, INPLACE), ((10, 3), INSTANT)),
        (
            ("base", "ALTER TABLE t RENAME COLUMN p TO p2"),
            ("base", "ALTER TABLE t CHANGE COLUMN p p2 INT NULL"),
        ),
    ),
    "reorder_column": Operation(
        "MODIFY ... FIRST / AFTER (column order)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD), ((10, 4), INSTANT)),
        (("base", "ALTER TABLE t MODIFY COLUMN p INT NULL AFTER id"),),
    ),
    "column_metadata": Operation(
        "SET / DROP DEFAULT, a column COMMENT",
        ((_M0, INSTANT),),
        ((_M0, INSTANT),),
        (
            ("base", "ALTER TABLE t ALTER COLUMN p SET DEFAULT 5"),
            ("base", "ALTER TABLE t ALTER COLUMN c DROP DEFAULT"),
            ("base", "ALTER TABLE t MODIFY COLUMN p INT NULL COMMENT 'hello'"),
            ("base", "ALTER TABLE t MODIFY COLUMN p INT(11) NULL"),
        ),
    ),
    "set_not_null": Operation(
        "MODIFY ... NOT NULL on a nullable column (strict sql_mode)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (
            ("base", "ALTER TABLE t MODIFY COLUMN p INT NOT NULL"),
            ("virtual", "ALTER TABLE t MODIFY COLUMN b INT NOT NULL"),
        ),
    ),
    "drop_not_null": Operation(
        "MODIFY ... NULL on a NOT NULL column",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (("base", "ALTER TABLE t MODIFY COLUMN n INT NULL DEFAULT 0"),),
    ),
    "change_type": Operation(
        "column type change (INT -> BIGINT, signedness, TEXT -> MEDIUMTEXT, AUTO_INCREMENT)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (
            ("base", "ALTER TABLE t MODIFY COLUMN p BIGINT NULL"),
            ("base", "ALTER TABLE t MODIFY COLUMN p INT UNSIGNED NULL"),
            ("base", "ALTER TABLE t MODIFY COLUMN txt MEDIUMTEXT NULL"),
            ("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(10) NULL"),
            ("keyless", "ALTER TABLE t MODIFY COLUMN a INT NOT NULL AUTO_INCREMENT, ADD KEY (a)"),
        ),
        _EXPAND_TYPE,
    ),
    "varchar_extend": Operation(
        "VARCHAR made longer, length bytes unchanged (both up to 255 bytes, or both over)",
        ((_M0, INPLACE),),
        ((_M0, INPLACE), ((10, 4), INSTANT)),
        (
            ("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(60) NULL"),
            ("base", "ALTER TABLE t MODIFY COLUMN w VARCHAR(200) NULL"),
        ),
    ),
    "varchar_extend_short": Operation(
        "VARCHAR made longer past 255 bytes from at most 127 bytes",
        ((_M0, COPY),),
        ((_M0, COPY), ((10, 4), INSTANT)),
        (("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(64) NULL"),),
        _EXPAND_TYPE,
    ),
    "varchar_extend_cross": Operation(
        "VARCHAR made longer past 255 bytes from 128-255 bytes (1 to 2 length bytes)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t MODIFY COLUMN c VARCHAR(70) NOT NULL DEFAULT ''"),),
        _EXPAND_TYPE,
    ),
    "enum_append": Operation(
        "ENUM / SET values added at the end",
        ((_M0, INSTANT),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t MODIFY COLUMN e ENUM('x', 'y', 'z') NULL"),),
    ),
    "enum_reorder": Operation(
        "ENUM / SET values inserted, removed or reordered",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t MODIFY COLUMN e ENUM('z', 'x', 'y') NULL"),),
        _EXPAND_TYPE,
    ),
    "change_collation": Operation(
        "column COLLATE changed within its character set (no index on it)",
        ((_M0, COPY),),
        ((_M0, INSTANT),),
        (
            (
                "base",
                "ALTER TABLE t MODIFY COLUMN c VARCHAR(50) COLLATE utf8mb4_bin NOT NULL DEFAULT ''",
            ),
        ),
        _EXPAND_TYPE,
    ),
    "change_collation_indexed": Operation(
        "column COLLATE changed within its character set, on an indexed column",
        ((_M0, COPY),),
        ((_M0, INPLACE),),
        (("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(20) COLLATE utf8mb4_bin NULL"),),
        _EXPAND_TYPE,
    ),
    "change_charset": Operation(
        "column CHARACTER SET changed",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(20) CHARACTER SET latin1 NULL"),),
        _EXPAND_TYPE,
    ),
    "add_index": Operation(
        "ADD INDEX / UNIQUE / CREATE INDEX",
        ((_M0, INPLACE),),
        ((_M0, INPLACE),),
        (
            ("base", "ALTER TABLE t ADD INDEX ix_p (p)"),
            ("base", "ALTER TABLE t ADD UNIQUE KEY ux_p (p, a)"),
            ("base", "ALTER TABLE t ADD INDEX ix_w (w(5))"),
            ("base", "CREATE INDEX ix_p ON t (p)"),
        ),
    ),
    "add_first_fulltext": Operation(
        "ADD FULLTEXT INDEX, the table's first (adds FTS_DOC_ID: rebuild)",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (("base", "ALTER TABLE t ADD FULLTEXT INDEX ft_txt (txt)"),),
    ),
    "add_fulltext": Operation(
        "ADD FULLTEXT INDEX on a table that has one",
        ((_M0, SHARED),),
        ((_M0, SHARED),),
        (("fulltext", "ALTER TABLE t ADD FULLTEXT INDEX ft2 (t2)"),),
    ),
    "add_spatial": Operation(
        "ADD SPATIAL INDEX",
        ((_M0, SHARED),),
        ((_M0, SHARED),),
        (("base", "ALTER TABLE t ADD SPATIAL INDEX sp_g (g)"),),
    ),
    "drop_index": Operation(
        "DROP INDEX",
        ((_M0, INPLACE),),
        ((_M0, INPLACE),),
        # (DROP INDEX ... ON t takes no ALGORITHM= / LOCK= on MariaDB 10.11: a syntax error)
        (("base", "ALTER TABLE t DROP INDEX ix_a"),),
    ),
    "rename_index": Operation(
        "RENAME INDEX",
        ((_M0, INPLACE),),
        ((_M0, INPLACE), ((10, 5, 2), INSTANT)),
        (("base", "ALTER TABLE t RENAME INDEX ix_a TO ix_a2"),),
    ),
    "add_primary_key": Operation(
        "ADD PRIMARY KEY (table without one)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (("keyless", "ALTER TABLE t ADD PRIMARY KEY (a)"),),
    ),
    "replace_primary_key": Operation(
        "DROP PRIMARY KEY, ADD PRIMARY KEY in one ALTER",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (("base", "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, n)"),),
    ),
    "drop_primary_key": Operation(
        "DROP PRIMARY KEY alone",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("virtual", "ALTER TABLE t DROP PRIMARY KEY"),),
        "drop the old primary key and add the new one in the same ALTER TABLE (INPLACE, LOCK=NONE)",
    ),
    "add_foreign_key": Operation(
        "ADD FOREIGN KEY with foreign_key_checks on",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id)"),),
        "check the rows first (a LEFT JOIN finding orphans), then SET foreign_key_checks = 0 "
        "for the ALTER alone: the key is added INPLACE without checking the existing rows",
    ),
    "add_foreign_key_unchecked": Operation(
        "ADD FOREIGN KEY with foreign_key_checks = 0",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (
            (
                "base",
                "SET foreign_key_checks = 0;\n"
                "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id)",
            ),
        ),
    ),
    "drop_foreign_key": Operation(
        "DROP FOREIGN KEY",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t DROP FOREIGN KEY fk_parent"),),
    ),
    "add_check": Operation(
        "ADD CHECK constraint (every row checked)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD CONSTRAINT ck_p CHECK (p > 0)"),),
        "enforce the rule in the application (or a trigger) first; add the CHECK in a "
        "quiet hour, or with gh-ost / pt-online-schema-change",
    ),
    "drop_constraint": Operation(
        "DROP CHECK / DROP CONSTRAINT",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t DROP CONSTRAINT ck_n"),),
    ),
    "convert_charset": Operation(
        "CONVERT TO CHARACTER SET",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (
            ("base", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb3"),
            ("base", "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
        ),
        "convert with gh-ost / pt-online-schema-change (writes go on while the copy is made), "
        "or column by column with expand/contract",
    ),
    "table_default_charset": Operation(
        "DEFAULT CHARACTER SET / COLLATE of the table (new columns only)",
        ((_M0, SHARED_REBUILD),),
        ((_M0, INSTANT),),
        (
            ("base", "ALTER TABLE t DEFAULT CHARACTER SET latin1"),
            ("base", "ALTER TABLE t DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
        ),
    ),
    "rebuild_table": Operation(
        "FORCE, ENGINE=InnoDB (same engine), ROW_FORMAT, KEY_BLOCK_SIZE",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (
            ("base", "ALTER TABLE t FORCE"),
            ("base", "ALTER TABLE t ENGINE=InnoDB"),
            ("base", "ALTER TABLE t ROW_FORMAT=COMPACT"),
            ("base", "ALTER TABLE t KEY_BLOCK_SIZE=8"),
        ),
    ),
    "rebuild_fulltext_table": Operation(
        "a rebuild of a table with a FULLTEXT index",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (("fulltext", "ALTER TABLE t FORCE"),),
    ),
    "table_metadata": Operation(
        "table COMMENT, AUTO_INCREMENT=, STATS_* options",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (
            ("base", "ALTER TABLE t COMMENT = 'hello'"),
            ("base", "ALTER TABLE t AUTO_INCREMENT = 1000"),
            ("base", "ALTER TABLE t STATS_PERSISTENT = 0"),
        ),
    ),
    "rename_table": Operation(
        "RENAME TO",
        ((_M0, INSTANT),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t RENAME TO t2"),),
    ),
    "index_visibility": Operation(
        "ALTER INDEX ... INVISIBLE (MySQL) / IGNORED (MariaDB 10.6)",
        ((_M0, INSTANT),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t ALTER INDEX ix_a IGNORED"),),
    ),
}

# Operations that are metadata only on every server and version: nothing to guard.
METADATA_ONLY = frozenset(
    (
        "column_metadata",
        "rename_table",
        "rename_column",
        "rename_index",
        "index_visibility",
        "enum_append",
        "drop_index",
        "drop_foreign_key",
        "drop_constraint",
        "table_metadata",
    )
)
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
    ops: list[str] = []
    if old.name.lower() != new.name.lower():
        ops.append("rename_column")
    if (old.generated is None) != (new.generated is None) or old.stored != new.stored:
        return [*ops, "change_type"]
    ob, nb = base_name(old.type), base_name(new.type)
    if new.auto_increment and not old.auto_increment:
        ops.append("change_type")
    elif old.type != new.type:
        if ob == nb and ob in ("varchar", "varbinary") and old.collation == new.collation:
            o, n = int(old.type.args[0]), int(new.type.args[0])
            ob_, nb_ = _bytes(old, o), _bytes(new, n)
            if n < o:
                ops.append("change_type")
            elif nb_ <= 255 or ob_ > 255:
                ops.append("varchar_extend")
            elif ob_ <= 127:
                ops.append("varchar_extend_short")
            else:
                ops.append("varchar_extend_cross")
        elif ob == nb and ob in ("enum", "set") and old.collation == new.collation:
            oa, na = old.type.args, new.type.args
            same_size = (
                (len(oa) <= 255) == (len(na) <= 255)
                if ob == "enum"
                else ((len(oa) + 7) // 8 == (len(na) + 7) // 8)
            )
            appended = na[: len(oa)] == oa and len(na) > len(oa)
            ops.append("enum_append" if appended and same_size else "enum_reorder")
        else:
            ops.append("change_type")
    elif old.collation != new.collation:
        if charset_of(old.collation or "") != charset_of(new.collation or ""):
            ops.append("change_charset")
        elif _indexed(t, old.name):
            ops.append("change_collation_indexed")
        else:
            ops.append("change_collation")
    if old.notnull != new.notnull:
        ops.append("set_not_null" if new.notnull else "drop_not_null")
    if a.position is not None and _moves(t, old.name, a.position):
        ops.append("reorder_column")
    if not ops:
        ops.append("column_metadata")
    return ops


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


def _actions(st: AlterStmt, t: MySQLTableDef | None, fk_checks: bool) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    fulltext_added = False
    for a in st.actions:
        keys: list[str] = []
        about = a.old or (a.column.name if a.column else "") or a.new
        if a.kind == "add_column":
            for c in a.children or [a]:
                out.extend((k, c.column.name if c.column else "") for k in _add_column(c, t))
            continue
        if a.kind == "add_key":
            for k in a.keys:
                key = _key(k, t, fulltext_added)
                fulltext_added = fulltext_added or k.kind == "fulltext"
                out.append((key, k.name or ""))
            continue
        if a.kind == "add_fk":
            keys = ["add_foreign_key" if fk_checks else "add_foreign_key_unchecked"]
            about = a.fk.name or "" if a.fk else ""
            if a.fk is not None and not _fk_indexed(t, a.fk.columns):
                keys.append("add_index")  # the server adds an index for it
        elif a.kind == "add_check":
            keys = ["add_check"]
        elif a.kind == "drop_column":
            col = t.column(a.old) if t is not None else None
            indexed = t is not None and col is not None and _indexed(t, col.name)
            keys = ["drop_indexed_column" if indexed else "drop_column"]
        elif a.kind == "drop_key":
            keys = ["drop_index"]
        elif a.kind == "drop_primary":
            keys = ["drop_primary_key"]
        elif a.kind == "drop_fk":
            keys = ["drop_foreign_key"]
        elif a.kind == "drop_constraint":
            keys = ["drop_constraint"]
        elif a.kind == "modify":
            keys = _modify(a, t) if t is not None else ["unknown"]
        elif a.kind == "rename_column":
            keys = ["rename_column"]
        elif a.kind in ("set_default", "drop_default"):
            keys = ["column_metadata"]
        elif a.kind == "rename_key":
            keys = ["rename_index"]
        elif a.kind == "rename_table":
            keys = ["rename_table"]
        elif a.kind == "options":
            keys = _options(a, t)
        elif a.kind == "convert":
            keys = ["convert_charset"]
        out.extend((k, about) for k in keys)
    return out


def classify(node: Any, table: MySQLTableDef | None, server: ServerVersion) -> Classified | None:
    """The operations of an ALTER TABLE / CREATE INDEX / DROP INDEX (``node``: the walker's
    :class:`~dbdesign.lint.migration.walk_mysql.MySQLNode`) on ``table`` as it is before it
    (None: not known), and the verdict on ``server``. None for other statements."""
    p = node.parsed
    ops: list[tuple[str, str]]
    if isinstance(p, AlterStmt):
        ops = _actions(p, table, node.foreign_key_checks)
        for e in node.extra:
            if e == "FORCE":
                ops.append(("rebuild_table", ""))
            elif e == "ALTER INDEX":
                ops.append(("index_visibility", ""))
            else:
                ops.append(("unknown", e))
    elif isinstance(p, IndexStmt):
        ops = [(_key(p.key, table, False), p.key.name or "")]
    elif isinstance(p, DropStmt) and p.kind == "INDEX":
        ops = [("drop_index", p.names[0][1])]
    else:
        return None
    if not ops:
        return Classified((), None)
    keys = {k for k, _ in ops}
    # Combinations the server treats apart (MariaDB 10.11, MySQL manual).
    if "drop_primary_key" in keys and "add_primary_key" in keys:
        ops = [
            ("replace_primary_key", n) if k in ("drop_primary_key", "add_primary_key") else (k, n)
            for k, n in ops
        ]
        keys = {k for k, _ in ops}
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
        keys.add("add_column_with_index")
    if "unknown" in keys:
        return Classified(tuple(ops), None)
    if "change_engine" in keys:  # another storage engine: a new table, copied (both servers)
        return Classified(tuple(ops), COPY)
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
    return Classified(tuple(ops), verdict)


def server_text(server: ServerVersion) -> str:
    name = "MariaDB" if server.flavor == "mariadb" else "MySQL"
    return f"{name} {'.'.join(map(str, server.parts))}"
