"""Online DDL on MySQL 8.0 and MariaDB: which algorithm and lock each kind of ALTER TABLE gets
(:mod:`dbdesign.lint.migration.mysql_online` classifies a statement with it).

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
"""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.lint.migration.context import ServerVersion

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
class OnlineOperation:
    """One kind of change: its verdicts by version (``(since, verdict)`` pairs, oldest first;
    the first applies to every earlier version too) and examples: (schema, migration), the
    migration's last statement being the ALTER."""

    title: str
    mysql: Versions
    mariadb: Versions
    examples: tuple[tuple[str, str], ...]
    copy_fix: str = ""  # for what copies: the expand/contract way around it

    def on(self, server: ServerVersion) -> Verdict:
        versions = self.mariadb if server.mariadb else self.mysql
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

OPERATIONS: dict[str, OnlineOperation] = {
    "add_column": OnlineOperation(
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
    "add_column_middle": OnlineOperation(
        "ADD COLUMN ... FIRST / AFTER (not last)",
        ((_M0, REBUILD), ((8, 0, 29), INSTANT)),
        ((_M0, REBUILD), ((10, 4), INSTANT)),
        (
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL FIRST"),
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL AFTER a"),
        ),
    ),
    "add_column_middle_virtual": OnlineOperation(
        "ADD COLUMN ... FIRST / AFTER on a table with a VIRTUAL column",
        ((_M0, REBUILD), ((8, 0, 29), INSTANT)),
        ((_M0, COPY),),
        (("virtual", "ALTER TABLE t ADD COLUMN z INT NULL FIRST"),),
        "add the column last (INSTANT) and leave the order alone",
    ),
    "add_column_volatile_default": OnlineOperation(
        "ADD COLUMN with a non-deterministic DEFAULT (UUID(), RAND() ...)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD COLUMN z CHAR(36) NULL DEFAULT (UUID())"),),
        "add the column without the default (INSTANT), backfill it in batches, then SET "
        "DEFAULT (INSTANT)",
    ),
    "add_auto_increment_column": OnlineOperation(
        "ADD COLUMN ... AUTO_INCREMENT",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (("keyless", "ALTER TABLE t ADD COLUMN id INT NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST"),),
    ),
    "add_stored_generated": OnlineOperation(
        "ADD COLUMN ... AS (...) STORED",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD COLUMN z INT AS (a * 2) STORED"),),
        "add a VIRTUAL generated column instead (INSTANT), with an index if it is searched",
    ),
    "add_virtual_generated": OnlineOperation(
        "ADD COLUMN ... AS (...) VIRTUAL",
        ((_M0, INPLACE), ((8, 0, 12), INSTANT)),
        ((_M0, INPLACE), ((10, 3), INSTANT)),
        (("base", "ALTER TABLE t ADD COLUMN z INT AS (a * 2) VIRTUAL"),),
    ),
    "add_column_with_index": OnlineOperation(
        "ADD COLUMN together with a new index (ADD COLUMN ... UNIQUE, ADD INDEX in one ALTER)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL, ADD INDEX ix_z (z)"),
            ("base", "ALTER TABLE t ADD COLUMN z INT NULL UNIQUE"),
        ),
    ),
    "drop_column": OnlineOperation(
        "DROP COLUMN",
        ((_M0, REBUILD), ((8, 0, 29), INSTANT)),
        ((_M0, REBUILD), ((10, 4), INSTANT)),
        (
            ("base", "ALTER TABLE t DROP COLUMN p"),
            ("virtual", "ALTER TABLE t DROP COLUMN b"),
            ("virtual", "ALTER TABLE t DROP COLUMN v"),
        ),
    ),
    "drop_indexed_column": OnlineOperation(
        "DROP COLUMN of an indexed column (its index goes too)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD), ((10, 4), INPLACE)),
        (("base", "ALTER TABLE t DROP COLUMN a"),),
    ),
    "column_on_fulltext_table": OnlineOperation(
        "ADD / DROP COLUMN on a table with a FULLTEXT index (no INSTANT; the rebuild locks)",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (
            ("fulltext", "ALTER TABLE t ADD COLUMN z INT NULL"),
            ("fulltext", "ALTER TABLE t DROP COLUMN a"),
        ),
    ),
    "rename_column": OnlineOperation(
        "RENAME COLUMN / CHANGE with the same definition",
        ((_M0, INPLACE), ((8, 0, 28), INSTANT)),
        ((_M0, INPLACE), ((10, 3), INSTANT)),
        (
            ("base", "ALTER TABLE t RENAME COLUMN p TO p2"),
            ("base", "ALTER TABLE t CHANGE COLUMN p p2 INT NULL"),
        ),
    ),
    "reorder_column": OnlineOperation(
        "MODIFY ... FIRST / AFTER (column order)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD), ((10, 4), INSTANT)),
        (("base", "ALTER TABLE t MODIFY COLUMN p INT NULL AFTER id"),),
    ),
    "column_metadata": OnlineOperation(
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
    "set_not_null": OnlineOperation(
        "MODIFY ... NOT NULL on a nullable column (strict sql_mode)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (
            ("base", "ALTER TABLE t MODIFY COLUMN p INT NOT NULL"),
            ("virtual", "ALTER TABLE t MODIFY COLUMN b INT NOT NULL"),
        ),
    ),
    "drop_not_null": OnlineOperation(
        "MODIFY ... NULL on a NOT NULL column",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (("base", "ALTER TABLE t MODIFY COLUMN n INT NULL DEFAULT 0"),),
    ),
    "change_type": OnlineOperation(
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
    "varchar_extend": OnlineOperation(
        "VARCHAR made longer, length bytes unchanged (both up to 255 bytes, or both over)",
        ((_M0, INPLACE),),
        ((_M0, INPLACE), ((10, 4), INSTANT)),
        (
            ("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(60) NULL"),
            ("base", "ALTER TABLE t MODIFY COLUMN w VARCHAR(200) NULL"),
        ),
    ),
    "varchar_extend_short": OnlineOperation(
        "VARCHAR made longer past 255 bytes from at most 127 bytes",
        ((_M0, COPY),),
        ((_M0, COPY), ((10, 4), INSTANT)),
        (("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(64) NULL"),),
        _EXPAND_TYPE,
    ),
    "varchar_extend_cross": OnlineOperation(
        "VARCHAR made longer past 255 bytes from 128-255 bytes (1 to 2 length bytes)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t MODIFY COLUMN c VARCHAR(70) NOT NULL DEFAULT ''"),),
        _EXPAND_TYPE,
    ),
    "enum_append": OnlineOperation(
        "ENUM / SET values added at the end",
        ((_M0, INSTANT),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t MODIFY COLUMN e ENUM('x', 'y', 'z') NULL"),),
    ),
    "enum_reorder": OnlineOperation(
        "ENUM / SET values inserted, removed or reordered",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t MODIFY COLUMN e ENUM('z', 'x', 'y') NULL"),),
        _EXPAND_TYPE,
    ),
    "change_collation": OnlineOperation(
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
    "change_collation_indexed": OnlineOperation(
        "column COLLATE changed within its character set, on an indexed column",
        ((_M0, COPY),),
        ((_M0, INPLACE),),
        (("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(20) COLLATE utf8mb4_bin NULL"),),
        _EXPAND_TYPE,
    ),
    "change_charset": OnlineOperation(
        "column CHARACTER SET changed",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t MODIFY COLUMN b VARCHAR(20) CHARACTER SET latin1 NULL"),),
        _EXPAND_TYPE,
    ),
    "add_index": OnlineOperation(
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
    "add_first_fulltext": OnlineOperation(
        "ADD FULLTEXT INDEX, the table's first (adds FTS_DOC_ID: rebuild)",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (("base", "ALTER TABLE t ADD FULLTEXT INDEX ft_txt (txt)"),),
    ),
    "add_fulltext": OnlineOperation(
        "ADD FULLTEXT INDEX on a table that has one",
        ((_M0, SHARED),),
        ((_M0, SHARED),),
        (("fulltext", "ALTER TABLE t ADD FULLTEXT INDEX ft2 (t2)"),),
    ),
    "add_spatial": OnlineOperation(
        "ADD SPATIAL INDEX",
        ((_M0, SHARED),),
        ((_M0, SHARED),),
        (("base", "ALTER TABLE t ADD SPATIAL INDEX sp_g (g)"),),
    ),
    "drop_index": OnlineOperation(
        "DROP INDEX",
        ((_M0, INPLACE),),
        ((_M0, INPLACE),),
        # (DROP INDEX ... ON t takes no ALGORITHM= / LOCK= on MariaDB 10.11: a syntax error)
        (("base", "ALTER TABLE t DROP INDEX ix_a"),),
    ),
    "rename_index": OnlineOperation(
        "RENAME INDEX",
        ((_M0, INPLACE),),
        ((_M0, INPLACE), ((10, 5, 2), INSTANT)),
        (("base", "ALTER TABLE t RENAME INDEX ix_a TO ix_a2"),),
    ),
    "add_primary_key": OnlineOperation(
        "ADD PRIMARY KEY (table without one)",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (("keyless", "ALTER TABLE t ADD PRIMARY KEY (a)"),),
    ),
    "replace_primary_key": OnlineOperation(
        "DROP PRIMARY KEY, ADD PRIMARY KEY in one ALTER",
        ((_M0, REBUILD),),
        ((_M0, REBUILD),),
        (("base", "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, n)"),),
    ),
    "drop_primary_key": OnlineOperation(
        "DROP PRIMARY KEY alone",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("virtual", "ALTER TABLE t DROP PRIMARY KEY"),),
        "drop the old primary key and add the new one in the same ALTER TABLE (INPLACE, LOCK=NONE)",
    ),
    "add_foreign_key": OnlineOperation(
        "ADD FOREIGN KEY with foreign_key_checks on",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id)"),),
        "check the rows first (a LEFT JOIN finding orphans), then SET foreign_key_checks = 0 "
        "for the ALTER alone: the key is added INPLACE without checking the existing rows",
    ),
    "add_foreign_key_unchecked": OnlineOperation(
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
    "drop_foreign_key": OnlineOperation(
        "DROP FOREIGN KEY",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t DROP FOREIGN KEY fk_parent"),),
    ),
    "add_check": OnlineOperation(
        "ADD CHECK constraint (every row checked)",
        ((_M0, COPY),),
        ((_M0, COPY),),
        (("base", "ALTER TABLE t ADD CONSTRAINT ck_p CHECK (p > 0)"),),
        "enforce the rule in the application (or a trigger) first; add the CHECK in a "
        "quiet hour, or with gh-ost / pt-online-schema-change",
    ),
    "drop_constraint": OnlineOperation(
        "DROP CHECK / DROP CONSTRAINT",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t DROP CONSTRAINT ck_n"),),
    ),
    "convert_charset": OnlineOperation(
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
    "table_default_charset": OnlineOperation(
        "DEFAULT CHARACTER SET / COLLATE of the table (new columns only)",
        ((_M0, SHARED_REBUILD),),
        ((_M0, INSTANT),),
        (
            ("base", "ALTER TABLE t DEFAULT CHARACTER SET latin1"),
            ("base", "ALTER TABLE t DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"),
        ),
    ),
    "rebuild_table": OnlineOperation(
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
    "rebuild_fulltext_table": OnlineOperation(
        "a rebuild of a table with a FULLTEXT index",
        ((_M0, SHARED_REBUILD),),
        ((_M0, SHARED_REBUILD),),
        (("fulltext", "ALTER TABLE t FORCE"),),
    ),
    "table_metadata": OnlineOperation(
        "table COMMENT, AUTO_INCREMENT=, STATS_* options",
        ((_M0, INPLACE),),
        ((_M0, INSTANT),),
        (
            ("base", "ALTER TABLE t COMMENT = 'hello'"),
            ("base", "ALTER TABLE t AUTO_INCREMENT = 1000"),
            ("base", "ALTER TABLE t STATS_PERSISTENT = 0"),
        ),
    ),
    "rename_table": OnlineOperation(
        "RENAME TO",
        ((_M0, INSTANT),),
        ((_M0, INSTANT),),
        (("base", "ALTER TABLE t RENAME TO t2"),),
    ),
    "index_visibility": OnlineOperation(
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


def server_text(server: ServerVersion) -> str:
    """``MariaDB 10.11``, ``MySQL 8.0.36``."""
    return str(server)
