"""How a server of a dialect is run once the schema is in production, as advice.

An :class:`Operations` holds what the design document (``design/document.py``) says in its
Migration, Scaling, Backup and Monitoring sections: how migrations are applied and changed
without downtime, what a read replica is, how connections are pooled, how tenants are sharded,
how the database is backed up and what to watch. Each dialect names its notes in
``Dialect.operations``; the document asks the dialect instead of knowing the servers itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from dbdesign.dialects import storage
from dbdesign.dialects.storage import StorageModel


@dataclass(frozen=True)
class Operations:
    """Advice on running a server of one dialect (each item a Markdown bullet or phrase)."""

    migration: tuple[str, ...]  # applying migrations and changing a schema without downtime
    replica: str  # what a read replica is, after "add a"
    pooling: str  # the connection-pooling bullet
    sharding: str  # the sharding bullet; {tenant} is the tenant's name (its key is {tenant}_id)
    backup: tuple[str, ...]  # full backups and restore tests
    monitoring: tuple[str, ...]  # what to watch, beyond each access pattern's latency
    updated_at: str  # how a design keeps ``updated_at`` current, after "is set"
    storage: StorageModel  # bytes per row and index entry, for the storage estimate
    # Recovery, by what the spec states: {rpo} is the recovery point objective in words
    zero_loss: str  # how no committed write is lost (RPO 0)
    # continuous archiving of the change log so that at most {rpo} ({rpo_s} seconds) is lost
    archive: str
    standby: str  # a standby promoted in minutes, for an RTO shorter than a restore
    restore_mb_s: int  # restore throughput assumed for the restore-time estimate


POSTGRES = Operations(
    migration=(
        "- `migrations/0001_initial.up.sql` creates the schema; `0001_initial.down.sql` drops it. "
        "Apply with `dbdesign migrate up`; `dbdesign migrate test` proves the down undoes the up.",
        "- Later changes are new numbered migrations, never edits of applied ones (checksums are "
        "verified by `dbdesign migrate validate`).",
        "- Zero-downtime changes: add columns nullable or with a constant default; build indexes "
        "with CREATE INDEX CONCURRENTLY in a `-- dbdesign: no-transaction` migration; add "
        "constraints NOT VALID, then VALIDATE; rename in steps (add, backfill, switch, drop).",
    ),
    replica="streaming replica",
    pooling="- Pool connections (PgBouncer, transaction mode).",
    sharding=(
        "- Sharding key: `{tenant}_id`. Every tenant-owned table carries it and every index "
        "leads with it, so the data can be distributed by tenant (e.g. Citus, co-located "
        "tables) without changing queries."
    ),
    backup=(
        "- **Full backup:** daily (pg_basebackup or a managed snapshot), kept 30 days.",
        "- **Restore test:** monthly, into a scratch server, with `dbdesign migrate validate` "
        "against the restored database.",
    ),
    monitoring=(
        "- Index usage (pg_stat_user_indexes): an index with no scans for 30 days is a candidate "
        "to drop.",
        "- Table and index bloat; autovacuum lag (n_dead_tup) on the busiest tables.",
        "- Cache hit ratio ≥ 99 %; connections and idle-in-transaction sessions.",
        "- Sequence / identity usage against its type's maximum; transaction-id age.",
    ),
    updated_at="by a BEFORE UPDATE trigger",
    storage=storage.POSTGRES,
    zero_loss="a synchronous standby (`synchronous_standby_names`, `synchronous_commit = on`): a "
    "commit returns once the standby has the WAL",
    archive="continuous WAL archiving (`archive_mode = on`, `archive_timeout = '{rpo_s}s'`, or "
    "`pg_receivewal` streaming to the archive host) beside a daily base backup",
    standby="a streaming standby promoted by a failover manager (Patroni, or the managed "
    "service's high availability)",
    restore_mb_s=200,
)

MYSQL = Operations(
    migration=(
        "- `migrations/0001_initial.up.sql` creates the schema; `0001_initial.down.sql` "
        "drops it. Apply with `dbdesign migrate up --db mysql://user@host/db` in a database "
        "created with `CHARACTER SET utf8mb4` (the varchar lengths are characters, and only "
        "utf8mb4 holds all of Unicode).",
        "- MySQL DDL is not transactional: every statement commits on its own, so a "
        "migration that fails half-way stays half-applied. Keep one change per migration, "
        "and later changes are new numbered migrations, never edits of applied ones.",
        "- Zero-downtime changes: add columns with `ALGORITHM=INSTANT` (MySQL 8.0, MariaDB "
        "10.3+); build indexes with `ALGORITHM=INPLACE, LOCK=NONE`; changes that copy a "
        "large table (a column type, a new CHECK) with gh-ost or pt-online-schema-change; "
        "rename in steps (add, backfill, switch, drop).",
    ),
    replica="replica (binary log replication)",
    pooling=(
        "- Pool connections in the application (or ProxySQL / MaxScale in front of the servers)."
    ),
    sharding=(
        "- Sharding key: `{tenant}_id`. Every tenant-owned table carries it and every "
        "access pattern's index leads with it, so the data can be distributed by tenant "
        "(e.g. Vitess, or one database per group of tenants) without changing queries."
    ),
    backup=(
        "- **Full backup:** daily physical backup (mariadb-backup or Percona XtraBackup, or "
        "a managed snapshot), kept 30 days.",
        "- **Restore test:** monthly, into a scratch server; `dbdesign inspect` on the "
        "restored database lists its tables and row counts.",
    ),
    monitoring=(
        "- The slow query log (`long_query_time` below the tightest target) for queries "
        "that miss their index.",
        "- Index usage (`sys.schema_unused_indexes` on MySQL, `INDEX_STATISTICS` with "
        "`userstat=1` on MariaDB): an index unused for 30 days is a candidate to drop.",
        "- InnoDB history list length (purge lag) and buffer pool hit ratio ≥ 99 %; "
        "connections against `max_connections`; long-running transactions.",
        "- AUTO_INCREMENT values against their type's maximum; replica lag.",
    ),
    updated_at="by ON UPDATE CURRENT_TIMESTAMP(6) (the server sets it when an UPDATE changes "
    "the row)",
    storage=storage.MYSQL,
    zero_loss="semi-synchronous replication (`rpl_semi_sync_master_enabled`, wait point "
    "AFTER_SYNC) or a Galera cluster: a commit returns once a replica has the transaction",
    archive="binary logs (`binlog_format=ROW`, `sync_binlog=1`) copied off the server at least "
    "every {rpo} (`mysqlbinlog --read-from-remote-server --raw --stop-never`) beside a daily "
    "physical backup",
    standby="a replica promoted by a failover manager (Orchestrator, MaxScale, or the managed "
    "service's high availability)",
    restore_mb_s=100,
)

SQLITE = Operations(
    migration=(
        "- `migrations/0001_initial.up.sql` creates the schema; `0001_initial.down.sql` drops it. "
        "Apply with `dbdesign migrate up --db sqlite:///app.db`; `dbdesign migrate test` proves "
        "the down undoes the up. DDL is transactional: a migration that fails leaves nothing.",
        "- Later changes are new numbered migrations, never edits of applied ones (checksums are "
        "verified by `dbdesign migrate validate`).",
        "- SQLite's ALTER TABLE adds, renames and drops columns (DROP COLUMN since 3.35) but "
        "cannot change a column's type or constraints: such a change rebuilds the table (create "
        "the new one, copy the rows, drop the old, rename) in one transaction with foreign keys "
        "off and `PRAGMA foreign_key_check` before the commit. Writers wait while it runs: "
        "rebuild large tables at a quiet hour.",
    ),
    replica="read-only copy (LiteFS, or a Litestream replica)",
    pooling=(
        "- One writer at a time: WAL mode (`PRAGMA journal_mode=WAL`) so that readers never "
        "block the writer, a `busy_timeout`, and short write transactions."
    ),
    sharding=(
        "- Sharding key: `{tenant}_id`. Every tenant-owned table carries it and every access "
        "pattern's index leads with it, so tenants can move to a database file each (or to a "
        "server database) without changing queries."
    ),
    backup=(
        "- **Full backup:** daily with `VACUUM INTO` or the online backup API (`.backup`), never "
        "a file copy of a database being written; kept 30 days.",
        "- **Restore test:** monthly, into a scratch file: `PRAGMA integrity_check`, `PRAGMA "
        "foreign_key_check`, then `dbdesign migrate validate` against it.",
    ),
    monitoring=(
        "- SQLITE_BUSY errors and the length of write transactions: the single writer is the "
        "limit.",
        "- The write-ahead log's size (checkpoints keeping up) and free pages "
        "(`PRAGMA freelist_count`) after large deletes.",
        "- Each access pattern's `EXPLAIN QUERY PLAN` after `ANALYZE`: a SCAN of a large table "
        "is a missing index.",
    ),
    updated_at="by an AFTER UPDATE trigger",
    storage=storage.SQLITE,
    zero_loss="nothing built in: a SQLite file lives on one machine, so RPO 0 needs the "
    "application to write each change to a second store, or a server database",
    archive="Litestream replicating the write-ahead log to object storage (`sync-interval` at "
    "most {rpo_s}s) beside a daily `VACUUM INTO` snapshot",
    standby="LiteFS (a replica on another machine that takes over), or restoring the Litestream "
    "replica onto a new machine",
    restore_mb_s=200,
)

__all__ = ["MYSQL", "POSTGRES", "SQLITE", "Operations"]
