"""MySQL and MariaDB checks: unused and redundant indexes, InnoDB tables without a primary key,
AUTO_INCREMENT columns near their type's end, accounts open to any host or without a password,
slow statements. They share their ids with the PostgreSQL checks that mean the same.

They read the connection's database (every user database when the URL names none) through
information_schema, index sizes from ``mysql.innodb_index_stats``, usage from
performance_schema (ON by default on MySQL, OFF on MariaDB: then the usage checks say how to
turn it on instead of reporting), and accounts from ``mysql.user`` (MySQL 8) or
``mysql.global_priv`` (MariaDB 10.6+). The queries are ``sql/mysql_*.sql``; a MariaDB variant
is ``sql/mysql_<name>_mariadb.sql``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

# the PostgreSQL checks whose ids these share register first: theirs is the documentation
from dbdesign.health import checks_indexes, checks_queries, checks_tables  # noqa: F401
from dbdesign.health.checks_indexes import size_text
from dbdesign.health.registry import Probe, Symptom, check

Row = dict[str, Any]
Key = tuple[str, str, str]  # schema, table, index
MYSQL = ("mysql",)


def _mariadb(probe: Probe) -> bool:
    return bool(getattr(probe.conn, "mariadb", False))


def _rows(probe: Probe, name: str) -> list[Row]:
    """The rows of ``sql/<name>.sql``, or of its MariaDB variant on MariaDB."""
    variant = f"{name}_mariadb"
    sql = resources.files("dbdesign.health").joinpath(f"sql/{variant}.sql")
    if _mariadb(probe) and sql.is_file():
        return probe.rows(variant)
    return probe.rows(name)


def _counting(probe: Probe, check_id: str, what: str, needs: tuple[str, ...]) -> bool:
    """Does performance_schema count ``what`` (its consumers and instruments ``needs`` on)?
    If not, a note says how to make it."""
    if not probe.rows("mysql_server")[0]["performance_schema"]:
        probe.note(
            check_id,
            f"not checked: performance_schema is OFF (MariaDB's default), so the server counts "
            f"no {what}: set performance_schema = ON under [mysqld] in my.cnf and restart the "
            "server",
        )
        return False
    enabled = {r["name"]: bool(r["enabled"]) for r in probe.rows("mysql_instruments")}
    off = [n for n in ("global_instrumentation", *needs) if not enabled.get(n, False)]
    for name in off:
        instrument = "/" in name
        table = "setup_instruments" if instrument else "setup_consumers"
        now = f"UPDATE performance_schema.{table} SET ENABLED = 'YES' WHERE NAME = '{name}'"
        keep = (
            f"performance-schema-instrument = '{name}=ON'"
            if instrument
            else f"performance-schema-consumer-{name.replace('_', '-')} = ON"
        )
        probe.note(
            check_id,
            f"not checked: performance_schema's {name} is disabled, so the server counts no "
            f"{what}: {now}, and {keep} under [mysqld] in my.cnf to keep it after a restart",
        )
    return not off


def _since(probe: Probe) -> str:
    if probe.stats_days is None or probe.stats_reset is None:
        return "since the server started"
    when = f"{probe.stats_reset:%Y-%m-%d}"
    return f"since the server started {probe.stats_days:.0f} days ago ({when})"


# --------------------------------------------------------------------------- indexes


@dataclass(frozen=True, slots=True)
class _Index:
    """One index of a MySQL table as information_schema.STATISTICS describes it."""

    schema: str
    table: str
    name: str
    unique: bool
    method: str  # BTREE, HASH, FULLTEXT, SPATIAL
    keys: tuple[tuple[str, int | None, str | None], ...]  # column or (expression), prefix, A/D
    nullable: bool  # a key column takes NULL
    visible: bool  # the optimizer may use it (not INVISIBLE / IGNORED)

    @property
    def key(self) -> Key:
        return (self.schema, self.table, self.name)

    @property
    def primary(self) -> bool:
        return self.name == "PRIMARY"

    def leads_with(self, columns: tuple[str, ...]) -> bool:
        """Are ``columns`` its first key parts, whole (no prefix), in order?"""
        n = len(columns)
        lead = self.keys[:n]
        return len(lead) == n and all(
            c.lower() == k[0].lower() and k[1] is None for c, k in zip(columns, lead, strict=True)
        )


def _indexes(probe: Probe) -> list[_Index]:
    parts: dict[Key, list[Row]] = defaultdict(list)
    for r in _rows(probe, "mysql_indexes"):
        parts[r["schema_name"], r["table_name"], r["index_name"]].append(r)
    out = []
    for (schema, table, name), rows in parts.items():
        first = rows[0]
        keys = tuple(
            (
                r["column_name"] if r["column_name"] is not None else f"({r['expression']})",
                int(r["sub_part"]) if r["sub_part"] is not None else None,
                r["direction"],
            )
            for r in rows
        )
        out.append(
            _Index(
                schema=schema,
                table=table,
                name=name,
                unique=bool(first["is_unique"]),
                method=str(first["method"]),
                keys=keys,
                nullable=any(r["nullable"] for r in rows),
                visible=bool(first["visible"]),
            )
        )
    return out


def _key_text(probe: Probe, keys: Iterable[tuple[str, int | None, str | None]]) -> str:
    """Key parts as ``ADD INDEX`` writes them: ``a``, ``b(10)``, ``c DESC``, ``(expr)``."""
    out = []
    for column, prefix, direction in keys:
        text = column if column.startswith("(") else probe.dialect.quote_ident(column)
        text += f"({prefix})" if prefix is not None else ""
        out.append(text + (" DESC" if direction == "D" else ""))
    return ", ".join(out)


def _definition(probe: Probe, ix: _Index) -> str:
    kind = {"FULLTEXT": "FULLTEXT INDEX", "SPATIAL": "SPATIAL INDEX"}.get(ix.method, "INDEX")
    if ix.unique:
        kind = "UNIQUE INDEX"
    return f"{kind} {probe.dialect.quote_ident(ix.name)} ({_key_text(probe, ix.keys)})"


def _covers(b: _Index, a: _Index) -> bool:
    """Can index ``b`` do everything index ``a`` does? The same table and type; ``a``'s key
    parts (column or expression, prefix length, order) lead ``b``'s (a left prefix only for
    B-trees); a unique ``a`` only by a unique ``b`` on exactly the same key parts; ``b``
    visible to the optimizer."""
    if (a.schema, a.table) != (b.schema, b.table) or a.method != b.method or not b.visible:
        return False
    na, nb = len(a.keys), len(b.keys)
    if na > nb or (na < nb and a.method != "BTREE"):
        return False
    if [_fold(k) for k in a.keys] != [_fold(k) for k in b.keys[:na]]:
        return False
    return not a.unique or (b.unique and na == nb)


def _fold(part: tuple[str, int | None, str | None]) -> tuple[str, int | None, str | None]:
    """A key part as MySQL compares column names: case-insensitively."""
    return (part[0].lower(), part[1], part[2])


def _redundant(indexes: list[_Index]) -> Iterator[tuple[_Index, _Index]]:
    """``(a, b)``: index ``a`` (never the primary key) is covered by ``b``; of two identical
    indexes the one whose name sorts first is kept (the primary key always)."""
    for a in indexes:
        if a.primary:
            continue
        for b in indexes:
            if a is b or not _covers(b, a):
                continue
            if _covers(a, b) and not b.primary and a.name < b.name:
                continue  # identical: a is kept, b is the one to drop
            yield a, b
            break


def _sizes(probe: Probe) -> dict[Key, int]:
    return {
        (r["schema_name"], r["table_name"], r["index_name"]): int(r["size"])
        for r in probe.rows("mysql_index_sizes")
    }


def _drop(probe: Probe, ix: _Index) -> str:
    table = probe.name(ix.schema, ix.table)
    return (
        f"ALTER TABLE {table} DROP INDEX {probe.dialect.quote_ident(ix.name)}, "
        "ALGORITHM=INPLACE, LOCK=NONE;"
    )


@check("duplicate-index", "warning", dialects=MYSQL)
def duplicate_index(probe: Probe) -> Iterator[Symptom]:
    """MySQL/MariaDB: an index another index of the same table makes redundant: the same key
    parts, or key parts that lead the other's (a B-tree's left prefix), with the same type,
    prefix lengths and order. Computed from information_schema.STATISTICS, so it works where
    sys.schema_redundant_indexes does not (MariaDB).

    Why: every query that can use it can use the other; it only adds work to every write, disk
    and buffer pool. A unique index is covered only by a unique index on exactly the same key
    parts (it enforces something), the primary key is never the one dropped, and an invisible
    (MySQL) or IGNORED (MariaDB) index covers nothing, since no query uses it.
    """
    by_table: dict[tuple[str, str], list[_Index]] = defaultdict(list)
    for ix in _indexes(probe):
        by_table[ix.schema, ix.table].append(ix)
    found = [pair for rows in by_table.values() for pair in _redundant(rows)]
    sizes: dict[Key, int] = {}
    if found:
        with probe.guard("duplicate-index: index sizes", probe.notes):
            sizes = _sizes(probe)
    for a, b in found:
        same = len(a.keys) == len(b.keys)
        size = f"; {size_text(sizes[a.key])}" if a.key in sizes else ""
        other = probe.name(b.schema, b.table, b.name)
        yield Symptom(
            object=probe.name(a.schema, a.table, a.name),
            value=f"({_key_text(probe, a.keys)}) {'the same as' if same else 'a prefix of'} "
            f"{other} ({_key_text(probe, b.keys)}){size}",
            threshold="key parts that are, or lead, another index's",
            why=f"{other} serves every query it serves; it costs writes, disk and buffer pool "
            "for nothing",
            fix=_drop(probe, a),
            caveat="an index hint that names it (FORCE INDEX, USE INDEX) fails once it is "
            "gone: search the application's queries for its name first",
        )


def _fk_needs(probe: Probe, indexes: list[_Index]) -> set[Key]:
    """The indexes a foreign key cannot do without: the only index of the referencing (or
    referenced) table that leads with the key's columns. InnoDB refuses to drop them, and
    its own foreign key lookups are not counted in performance_schema."""
    by_table: dict[tuple[str, str], list[_Index]] = defaultdict(list)
    for ix in indexes:
        by_table[ix.schema, ix.table].append(ix)
    keys: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in probe.rows("mysql_foreign_keys"):
        keys[r["schema_name"], r["table_name"], r["name"]].append(r)
    needed: set[Key] = set()
    for (schema, table, _), cols in keys.items():
        ref = cols[0]
        for where, columns in (
            ((schema, table), tuple(c["column_name"] for c in cols)),
            (
                (ref["referenced_schema"], ref["referenced_table"]),
                tuple(c["referenced_column"] for c in cols),
            ),
        ):
            serving = [ix for ix in by_table[where] if ix.leads_with(columns)]
            if len(serving) == 1:
                needed.add(serving[0].key)
    return needed


@check("unused-index", "warning", dialects=MYSQL)
def unused_index(probe: Probe) -> Iterator[Symptom]:
    """MySQL/MariaDB: a secondary index no statement has read since the server started
    (performance_schema.table_io_waits_summary_by_index_usage, COUNT_READ = 0), of at least
    ``unused_index_min_bytes`` (10 MB, from mysql.innodb_index_stats), neither the primary key
    nor unique, nor the only index a foreign key can use. Needs performance_schema ON (MariaDB's
    default is OFF: then a note says how to turn it on).

    Why: every INSERT, every DELETE and every UPDATE of its columns writes to the index; one no
    statement reads costs those writes, its disk and its share of the buffer pool for nothing.
    The counters start with the server: an index only a month-end job uses may look unused.
    """
    if not _counting(probe, "unused-index", "index reads", ("wait/io/table/sql/handler",)):
        return
    least = probe.config.unused_index_min_bytes
    usage = {
        (r["schema_name"], r["table_name"], r["index_name"]): r
        for r in probe.rows("mysql_index_usage")
    }
    indexes = _indexes(probe)
    sizes = _sizes(probe)
    needed = _fk_needs(probe, indexes)
    for ix in indexes:
        use = usage.get(ix.key)  # none: the table was not opened since the server started
        size = sizes.get(ix.key)
        if ix.primary or ix.unique or use is None or use["read_count"] != 0:
            continue
        if size is None or size < least or ix.key in needed:
            continue
        table = probe.name(ix.schema, ix.table)
        hide = "IGNORED" if _mariadb(probe) else "INVISIBLE"
        yield Symptom(
            object=probe.name(ix.schema, ix.table, ix.name),
            value=f"0 reads, {size_text(size)}",
            threshold=f"0 reads and >= {size_text(least)}",
            why=f"no statement has read it, yet writes to {table} update it and it holds "
            f"{size_text(size)} of disk and buffer pool",
            fix=f"{_drop(probe, ix)}\n"
            f"-- to try first, hide it from the optimizer: ALTER TABLE {table} ALTER INDEX "
            f"{probe.dialect.quote_ident(ix.name)} {hide};\n"
            f"-- to put it back: ALTER TABLE {table} ADD {_definition(probe, ix)}, "
            "ALGORITHM=INPLACE, LOCK=NONE;",
            caveat=f"performance_schema has counted {_since(probe)}: an index used only by "
            "rare jobs (month-end reports), by a replica, or named in an index hint may still "
            "be needed; the counters start again when the server restarts",
        )


# --------------------------------------------------------------------------- tables


def _unique_not_null(indexes: list[_Index]) -> _Index | None:
    """The unique index over NOT NULL whole columns with the fewest key parts that could
    become the primary key (InnoDB already clusters the rows by the first such index)."""
    fit = [
        ix
        for ix in indexes
        if ix.unique
        and not ix.nullable
        and ix.method == "BTREE"
        and all(k[1] is None and not k[0].startswith("(") for k in ix.keys)
    ]
    return min(fit, key=lambda ix: (len(ix.keys), ix.name), default=None)


@check("table-without-primary-key", "warning", dialects=MYSQL)
def table_without_primary_key(probe: Probe) -> Iterator[Symptom]:
    """MySQL/MariaDB: an InnoDB table without a primary key.

    Why: InnoDB then clusters the rows by a hidden 6-byte row id shared by every such table of
    the server (a point of contention), row-based replication finds each changed row on a
    replica by scanning the table, Group Replication (MySQL) and Galera (MariaDB) refuse or
    mishandle the table's writes, and tools that sync or archive rows need a key.
    """
    by_table: dict[tuple[str, str], list[_Index]] = defaultdict(list)
    for ix in _indexes(probe):
        by_table[ix.schema, ix.table].append(ix)
    for t in probe.rows("mysql_tables"):
        if t["has_primary_key"]:
            continue
        table = probe.name(t["schema_name"], t["table_name"])
        candidate = _unique_not_null(by_table[t["schema_name"], t["table_name"]])
        if candidate is not None:
            fix = (
                f"ALTER TABLE {table} DROP INDEX {probe.dialect.quote_ident(candidate.name)}, "
                f"ADD PRIMARY KEY ({_key_text(probe, candidate.keys)}), "
                "ALGORITHM=INPLACE, LOCK=NONE;"
            )
            caveat = (
                f"the unique index {candidate.name} becomes the primary key; the table is "
                "rebuilt in place while reads and writes go on"
            )
            why = (
                f"InnoDB clusters the rows by the unique index {candidate.name}, but nothing "
                "declares it the key that Group Replication, Galera and row-syncing tools ask for"
            )
        else:
            fix, caveat = _new_key_column(probe, table, t["taken_names"])
            why = (
                "InnoDB clusters its rows by a hidden row id, and replicas find each changed "
                "row by scanning the table"
            )
        yield Symptom(
            object=table,
            value=f"no primary key (~{int(t['table_rows'] or 0):,} rows)",
            threshold="a primary key on every InnoDB table",
            why=why,
            fix=fix,
            caveat=caveat,
        )


def _new_key_column(probe: Probe, table: str, taken: str | None) -> tuple[str, str]:
    names = set((taken or "").split(","))
    column = next((n for n in ("id", "row_id") if n not in names), "dbdesign_row_id")
    fix = (
        f"ALTER TABLE {table} ADD COLUMN {column} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT "
        "INVISIBLE PRIMARY KEY FIRST, ALGORITHM=INPLACE, LOCK=SHARED;\n"
        f"-- or, when some NOT NULL columns already identify a row: ALTER TABLE {table} "
        "ADD PRIMARY KEY (...), ALGORITHM=INPLACE, LOCK=NONE;"
    )
    if _mariadb(probe):
        stop = (
            "MariaDB has no generated invisible primary key; innodb_force_primary_key = ON "
            "refuses new tables without one"
        )
    else:
        stop = (
            "on MySQL 8.0.30+, sql_generate_invisible_primary_key = ON gives new tables one "
            "(my_row_id) and sql_require_primary_key = ON (8.0.13+) refuses them"
        )
    caveat = (
        "the INVISIBLE column (MySQL 8.0.23+, MariaDB 10.3+) is left out of SELECT * and of an "
        "INSERT without a column list, so the application does not change; adding it rebuilds "
        f"the table and blocks writes until done (LOCK=SHARED); {stop}"
    )
    return fix, caveat


# AUTO_INCREMENT types: bits of storage
_INT_BITS = {"tinyint": 8, "smallint": 16, "mediumint": 24, "int": 32, "bigint": 64}


def _maximum(data_type: str, unsigned: bool) -> int:
    bits = _INT_BITS[data_type.lower()]
    return (1 << bits) - 1 if unsigned else (1 << (bits - 1)) - 1


@check("sequence-exhaustion", "warning", dialects=MYSQL)
def sequence_exhaustion(probe: Probe) -> Iterator[Symptom]:
    """MySQL/MariaDB: an AUTO_INCREMENT column that has used more than
    ``sequence_max_fraction`` (90 %) of its integer type's maximum (TINYINT to BIGINT, signed
    or UNSIGNED), from the table's next value (information_schema.TABLES.AUTO_INCREMENT).

    Why: when the counter reaches the maximum, every INSERT fails with a duplicate-key error
    (ER_DUP_ENTRY, or 'Failed to read auto-increment value' on BIGINT), and widening the column
    then copies the whole table while it blocks writes: the time to do it is before.
    """
    limit = probe.config.sequence_max_fraction
    for r in probe.rows("mysql_auto_increment"):
        top = _maximum(r["data_type"], bool(r["is_unsigned"]))
        used = min(int(r["next_value"]) - 1, top)
        if used / top <= limit:
            continue
        table = probe.name(r["schema_name"], r["table_name"])
        column = probe.dialect.quote_ident(r["column_name"])
        wider = "BIGINT UNSIGNED" if r["is_unsigned"] or r["data_type"] == "bigint" else "BIGINT"
        caveat = (
            "MODIFY to another type copies the table (ALGORITHM=COPY): writes wait until it is "
            "done, so on a big table use pt-online-schema-change or gh-ost; a foreign key "
            "referencing the column must have its column widened in the same way"
        )
        if not _mariadb(probe):
            caveat += (
                "; MySQL 8 caches TABLES.AUTO_INCREMENT for information_schema_stats_expiry "
                "seconds (86400 by default): SHOW CREATE TABLE gives the current value"
            )
        if r["data_type"] == "bigint" and r["is_unsigned"]:
            fix = (
                "-- BIGINT UNSIGNED is the widest type: move the rows to a new key, or archive "
                f"old rows and restart the counter: ALTER TABLE {table} AUTO_INCREMENT = 1;"
            )
        else:
            fix = f"ALTER TABLE {table} MODIFY {column} {wider}{_attributes(probe, r)}, " + (
                "ALGORITHM=COPY, LOCK=SHARED;"
            )
        yield Symptom(
            object=f"{table}.{column}",
            value=f"{used:,} of {top:,} ({used / top:.0%}); next {int(r['next_value']):,}",
            threshold=f"> {limit:.0%} of the {r['data_type']}"
            f"{' unsigned' if r['is_unsigned'] else ''} maximum",
            why=f"inserts into {table} fail once the counter reaches {top:,}",
            fix=fix,
            caveat=caveat,
        )


def _attributes(probe: Probe, r: Row) -> str:
    """The rest of an AUTO_INCREMENT column's definition, kept by a MODIFY."""
    out = " NULL" if r["nullable"] else " NOT NULL"
    out += " AUTO_INCREMENT"
    if r["invisible"]:
        out += " INVISIBLE"
    if r["comment"]:
        out += f" COMMENT {probe.dialect.quote_string(r['comment'])}"
    return out


# --------------------------------------------------------------------------- accounts


def _account(probe: Probe, r: Row) -> str:
    q = probe.dialect.quote_string
    return f"{q(r['user_name'])}@{q(r['host_name'])}"


def _privileges(probe: Probe) -> dict[str, list[str]]:
    """Each grantee's (``'u'@'h'``) server-wide privileges, GRANT OPTION last when it may
    grant them; every account the reader may see has a row (USAGE when nothing else)."""
    out: dict[str, list[str]] = defaultdict(list)
    grantable: set[str] = set()
    for r in probe.rows("mysql_user_privileges"):
        names = out[r["grantee"]]
        if r["privilege"] != "USAGE":
            names.append(r["privilege"])
        if r["grantable"]:
            grantable.add(r["grantee"])
    for grantee in grantable:
        if out[grantee]:
            out[grantee].append("GRANT OPTION")
    return out


@check("insecure-account", "error", dialects=MYSQL, area="security")
def insecure_account(probe: Probe) -> Iterator[Symptom]:
    """MySQL/MariaDB: an account that can log in without a password (a password plugin with an
    empty authentication string: a bare CREATE USER, an anonymous account), or that may log in
    from any host ('%') and holds server-wide privileges (GRANT ... ON *.*). Locked accounts and
    roles are left out. Reads mysql.user (MySQL 8) or mysql.global_priv (MariaDB): the account
    running the review needs SELECT on it (else a note), and SELECT on the mysql database for
    information_schema.USER_PRIVILEGES to show the other accounts' privileges.

    Why: anyone who reaches the port can log in as an account without a password; an account
    open to every host with privileges on every database turns one leaked password into the
    whole server, from anywhere.
    """
    accounts = _rows(probe, "mysql_accounts")
    privileges = _privileges(probe)
    hidden = 0
    for r in accounts:
        account = _account(probe, r)
        if account not in privileges:
            hidden += 1
        problems, fixes = _account_problems(probe, r, privileges.get(account, []))
        if not problems:
            continue
        yield Symptom(
            object=account,
            value="; ".join(problems),
            threshold="a password on every account; server-wide privileges only for "
            "accounts bound to known hosts",
            why="anyone who can reach the server can log in as it"
            if r["no_password"]
            else "one leaked password gives every database of the server, from any host",
            fix="\n".join(fixes),
            caveat="find who logs in as it first (performance_schema.accounts, the general "
            "log): an application or a replica may depend on it",
        )
    if hidden:
        probe.note(
            "insecure-account",
            f"the server-wide privileges of {hidden} accounts are not visible to this account: "
            "grant it SELECT ON mysql.* (information_schema.USER_PRIVILEGES shows other "
            "accounts' privileges only then)",
        )


def _account_problems(probe: Probe, r: Row, privileges: list[str]) -> tuple[list[str], list[str]]:
    """What is wrong with one account, and the SQL that puts each right."""
    account = _account(probe, r)
    problems: list[str] = []
    fixes: list[str] = []
    if r["no_password"]:
        problems.append(f"no password ({r['plugin']})")
        fixes += [
            f"ALTER USER {account} IDENTIFIED BY 'a-new-strong-password';",
            f"-- or, when nobody logs in as it: DROP USER {account};",
        ]
    if r["host_name"] in ("%", "") and privileges:
        problems.append(f"any host with server-wide {', '.join(privileges)}")
        user = probe.dialect.quote_string(r["user_name"])
        fixes += [
            f"REVOKE {', '.join(privileges)} ON *.* FROM {account};",
            "-- then grant it what it needs on its own database: GRANT SELECT, INSERT, "
            f"UPDATE, DELETE ON app.* TO {account};",
            f"-- or let it log in from the application's network only: RENAME USER "
            f"{account} TO {user}@'10.%';",
        ]
    return problems, fixes


# --------------------------------------------------------------------------- statements


@check("slow-query", "warning", dialects=MYSQL)
def slow_query(probe: Probe) -> Iterator[Symptom]:
    """MySQL/MariaDB: a statement (as performance_schema groups them by digest, its values as
    ?) of the reviewed database whose mean time is at least ``slow_query_mean_ms`` (20 ms)
    over at least ``slow_query_min_calls`` (100) calls since the server started
    (performance_schema.events_statements_summary_by_digest). Needs performance_schema ON
    (MariaDB's default is OFF: then a note says how to turn it on).

    Why: a statement that is slow on average and runs often holds connections, row locks and
    CPU long enough to queue the others behind it; it is usually a missing index or a query
    that reads far more rows than it returns.
    """
    if not _counting(probe, "slow-query", "statement times", ("statements_digest",)):
        return
    lost = probe.rows("mysql_digests_lost")[0]
    if int(lost["calls"]):
        probe.note(
            "slow-query",
            f"performance_schema's digest table is full ({int(lost['size']):,} statements): "
            f"{int(lost['calls']):,} calls since were not told apart and are not reviewed: "
            "TRUNCATE TABLE performance_schema.events_statements_summary_by_digest to count "
            "afresh, or raise performance_schema_digests_size (a restart)",
        )
    mean_limit = probe.config.slow_query_mean_ms
    min_calls = probe.config.slow_query_min_calls
    for r in probe.rows("mysql_digests"):
        calls, mean = int(r["calls"]), float(r["mean_ms"])
        if calls < min_calls or mean < mean_limit:
            continue
        examined, sent = int(r["rows_examined"]), int(r["rows_sent"])
        scans = int(r["no_index_used"])
        text = " ".join(str(r["query"]).split())
        yield Symptom(
            object=f"digest {str(r['digest'])[:16]}",
            value=f"mean {mean:.1f} ms over {calls:,} calls ({float(r['total_ms']) / 1000:,.1f} "
            f"s in all); {examined:,} rows examined for {sent:,} sent"
            + (f"; {scans:,} runs without an index" if scans else ""),
            threshold=f"mean >= {mean_limit:g} ms and >= {min_calls:,} calls",
            why=f"{text[:200]}{'...' if len(text) > 200 else ''} holds a connection "
            f"{mean:.0f} ms each time it runs",
            fix=f"EXPLAIN FORMAT=JSON {text};\n"
            "-- with real values in place of each ?: add the index its plan lacks "
            "(dbdesign advise queries.sql --db URL tries candidates on a copy)",
            caveat=f"performance_schema has counted {_since(probe)}; the text is the "
            "statement's digest (performance_schema_max_digest_length cuts long ones)",
        )
