"""PostgreSQL knowledge for the ALTER TABLE rules: which column type changes rewrite the table,
and which functions are volatile (a volatile default makes ADD COLUMN rewrite the table).

Type changes: ALTER COLUMN ... TYPE rewrites the table (and rebuilds its indexes) unless the
conversion is binary coercible: a relabel, or a length coercion whose planner support function
proves it a no-op (``varchar_support``, ``numeric_support``, ``varbit_support``,
``timestamp_support``) -- tablecmds.c ``ATColumnChangeRequiresRewrite``. Measured on
PostgreSQL 15 and 16 (relfilenode before and after; tests/integration/
test_migration_lint_pg_rewrites.py proves every verdict below on both servers):

=====================================  ==========================================
no rewrite                             rewrite
=====================================  ==========================================
varchar(n) -> varchar(m >= n), text,   varchar(n) -> varchar(m < n) (each value is
varchar; text -> varchar (no limit)    re-checked by a rewrite, not a scan);
                                       text -> varchar(n); char(n) -> anything else
numeric(p,s) -> numeric(p' >= p, s),   numeric scale change, precision decrease
numeric
varbit(n) -> varbit(m >= n), varbit    bit(n) -> bit(m) (fixed length: padded)
timestamp/time/timestamptz/timetz(p)
-> same type (p' >= p or no p)
cidr -> inet                           inet -> cidr
timestamp <-> timestamptz when the     otherwise (and always before PostgreSQL 12)
session TimeZone is UTC (12+)
=====================================  ==========================================
"""

from __future__ import annotations

from dbdesign.model import DataType

# Types whose typmod is a length or precision limit the support functions treat as a no-op
# when it grows (or goes away).
_WIDENING = {
    "character varying",
    "bit varying",
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "time with time zone",
}
# Binary coercible with no typmod check (pg_cast castmethod 'b'), old -> new.
_RELABEL = {
    ("character varying", "text"),
    ("cidr", "inet"),
    ("bit", "bit varying"),  # bit(n) -> varbit; to varbit(m) the length is re-checked
}
_TIMESTAMPS = {"timestamp without time zone", "timestamp with time zone"}

# Session TimeZone values whose offset is always zero (PostgreSQL compares the zone's fixed
# offset with 0: pg_get_timezone_offset).
UTC_ZONES = frozenset(
    z.lower()
    for z in (
        "UTC",
        "Etc/UTC",
        "UCT",
        "Etc/UCT",
        "GMT",
        "Etc/GMT",
        "GMT0",
        "Etc/GMT0",
        "Etc/GMT+0",
        "Etc/GMT-0",
        "Greenwich",
        "Etc/Greenwich",
        "Universal",
        "Etc/Universal",
        "Zulu",
        "Etc/Zulu",
        "Z",
        "0",
        "+00:00",
        "00:00",
    )
)


def _limit(t: DataType) -> int | None:
    arg = t.args[0] if t.args else None
    return arg if isinstance(arg, int) else None


def _widens(old: DataType, new: DataType) -> bool:
    """A typmod that stays or grows (or is dropped) on the same type."""
    if old.name == "numeric":
        if not new.args:
            return True
        old_p, new_p = _limit(old), _limit(new)
        old_s = old.args[1] if len(old.args) > 1 else 0
        new_s = new.args[1] if len(new.args) > 1 else 0
        return old_p is not None and new_p is not None and new_p >= old_p and new_s == old_s
    if old.name not in _WIDENING:
        return False
    if not new.args:
        return True
    o, n = _limit(old), _limit(new)
    return o is not None and n is not None and n >= o


def rewrites(old: DataType, new: DataType, *, utc: bool, server_12: bool) -> bool:
    """Whether ALTER COLUMN ... TYPE ``new`` (without USING, or USING the column itself)
    rewrites a column of type ``old``: ``utc`` the session's TimeZone is known to be UTC,
    ``server_12`` the server is PostgreSQL 12 or later."""
    if old.array_dims != new.array_dims:
        return True
    if old.array_dims:  # element-wise coercion of arrays: only identical types are free
        return old != new
    if old.name == new.name:
        if old.args == new.args:
            return False
        return not _widens(old, new)
    if (old.name, new.name) in _RELABEL and not new.args:
        return False
    if old.name == "text" and new.name == "character varying" and not new.args:
        return False
    if old.name in _TIMESTAMPS and new.name in _TIMESTAMPS:
        if not (utc and server_12):
            return True
        o, n = _limit(old), _limit(new)
        return bool(new.args) and (o is None or n is None or n < o)
    return True


# Functions a column default may call, by name (pg_catalog and the usual extensions), with
# their pg_proc.provolatile: 'v' volatile, 's' stable, 'i' immutable (only names whose every
# overload has the same volatility). The integration test checks every pg_catalog entry against
# the server's pg_proc.
VOLATILITY: dict[str, str] = {
    # volatile: evaluated per row, so ADD COLUMN ... DEFAULT f() rewrites the table
    "random": "v",
    "random_normal": "v",  # 16+
    "setseed": "v",
    "gen_random_uuid": "v",  # pg_catalog since 13 (pgcrypto before)
    "clock_timestamp": "v",
    "timeofday": "v",
    "nextval": "v",
    "currval": "v",
    "lastval": "v",
    "txid_current": "s",
    "pg_current_xact_id": "s",
    "uuid_generate_v1": "v",  # uuid-ossp
    "uuid_generate_v1mc": "v",
    "uuid_generate_v4": "v",
    "gen_random_bytes": "v",  # pgcrypto
    "gen_salt": "v",
    "uuidv4": "v",  # 18
    "uuidv7": "v",
    # stable: evaluated once for ADD COLUMN (the value is stored in the catalog, 11+)
    "now": "s",
    "transaction_timestamp": "s",
    "statement_timestamp": "s",
    "current_setting": "s",
    "to_char": "s",
    "current_database": "s",
    "current_schema": "s",
    "inet_client_addr": "s",
    # immutable
    "lower": "i",
    "upper": "i",
    "md5": "i",
    "jsonb_build_object": "s",
    "json_build_object": "s",
    "array_fill": "i",
    "make_date": "i",
    "make_interval": "i",
    "abs": "i",
    "floor": "i",
    "round": "i",
}
VOLATILE = frozenset(name for name, v in VOLATILITY.items() if v == "v")
