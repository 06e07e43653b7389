"""Security checks: roles that may do too much, CREATE on schemas and privileges granted to
PUBLIC, row-level security on tenant tables, SECURITY DEFINER functions without a search_path
of their own, secrets stored unhashed, MD5 passwords and outdated extensions.

Roles are the cluster's, not one database's: the role checks look only at the roles this
database knows (``sql/security_roles.sql``: its owner, the roles its ACL, settings, objects and
policies name, their members, and the roles those logins can SET ROLE to), so that the review
of one database does not report the administrators of another. What a column name says about a
secret is lint's knowledge (SEC001), shared here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from dbdesign.conventions import TENANT_SETTING
from dbdesign.health.registry import Probe, Symptom, check, sql_text
from dbdesign.lint.context import words
from dbdesign.lint.rules.security import _NOT_THE_SECRET, _has_phrase

Row = dict[str, Any]

# The setting a tenant's session carries its key in, as the designs dbdesign writes use it.


def _query(probe: Probe, name: str, **params: Any) -> list[Row]:
    """The rows of ``health/sql/<name>.sql`` run with ``params`` (not cached: it depends on
    the configuration)."""
    cur = probe.conn.execute(sql_text(name), params)
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _role(probe: Probe, name: str) -> str:
    return probe.dialect.quote_ident(name)


# --- roles ------------------------------------------------------------------------------------

# pg_roles column -> (the role attribute, the ALTER ROLE option that takes it away)
_POWERS = {
    "superuser": ("SUPERUSER", "NOSUPERUSER"),
    "bypassrls": ("BYPASSRLS", "NOBYPASSRLS"),
}


@check("powerful-role", "error")
def powerful_role(probe: Probe) -> Iterator[Symptom]:
    """A role with SUPERUSER or BYPASSRLS that a login of this database can use: it logs in
    itself, or a login role can SET ROLE to it: through its memberships (on PostgreSQL 16 those
    granted WITH SET TRUE, the default), or after granting it to itself (the ADMIN OPTION on a
    role that is not a superuser, which PostgreSQL 16 gives a CREATEROLE role on the roles it
    creates; up to PostgreSQL 15, CREATEROLE itself). A role this database knows is its owner,
    a role its ACL, its settings (ALTER ROLE ... IN DATABASE), its objects or its policies
    name, or a member of one of those; roles only other databases know are left to their
    reviews. The bootstrap superuser (the one initdb created, usually postgres, which cannot
    lose SUPERUSER) is not reported; the database's owner is, like any other role. A NOLOGIN
    role that no login can become is not reported.

    Why: a superuser passes every privilege check and row-level security policy, reads and
    writes the server's files and runs programs on it (COPY ... PROGRAM): whoever logs in with
    it, or takes over the application that does, owns the whole server. A BYPASSRLS role sees
    and changes every tenant's rows: row-level security does not apply to it.
    """
    for r in probe.rows("security_roles"):
        powers = [key for key in _POWERS if r[key]]
        logs_in = r["login"] and r["known"]
        members = list(r["login_members"])
        if not powers or r["bootstrap"] or not (logs_in or members):
            continue
        name = _role(probe, r["name"])
        attributes = [_POWERS[p][0] for p in powers] + ["LOGIN" if r["login"] else "NOLOGIN"]
        value = ", ".join(attributes)
        fix = f"ALTER ROLE {name} {' '.join(_POWERS[p][1] for p in powers)};"
        if members:
            value += f"; logins that can SET ROLE to it: {_reaching(r)}"
            fix += f"\n-- or take it from those logins: REVOKE {name} FROM <the member>;"
        if r["createrole_members"]:
            fix += (
                "\n-- and CREATEROLE, with which PostgreSQL 15 and older let a role grant "
                "itself any role but a superuser: "
                + " ".join(
                    f"ALTER ROLE {_role(probe, m)} NOCREATEROLE;" for m in r["createrole_members"]
                )
            )
        yield Symptom(
            object=name,
            value=value,
            threshold="no SUPERUSER or BYPASSRLS role within a login's reach but the "
            "bootstrap superuser",
            why=(
                "it passes every privilege check and row-level security policy and can read "
                "and write the server's files: whoever holds it owns the whole server"
                if r["superuser"]
                else "row-level security does not apply to it: it sees and changes every "
                "tenant's rows"
            ),
            fix=fix,
            caveat="an administrator's own login may be deliberate: keep such roles few, "
            "NOLOGIN where possible (granted while needed), and limited in pg_hba.conf",
        )


def _reaching(r: Row) -> str:
    """The logins that can become role ``r``, those that must grant it to themselves first
    (ADMIN OPTION, or CREATEROLE up to PostgreSQL 15) marked so."""
    granting = set(r["granting_members"])
    return ", ".join(
        m + (" (by granting it to itself)" if m in granting else "") for m in r["login_members"]
    )


@check("md5-password", "warning")
def md5_password(probe: Probe) -> Iterator[Symptom]:
    """A login role this database knows (see powerful-role) whose password is stored as an
    MD5 hash while SCRAM is available, or ``password_encryption`` set to md5 (new passwords are
    stored so). The stored hashes are readable by superusers only: run as another role, the
    check says it could not read them.

    Why: an MD5 password hash is as good as the password for logging in with md5
    authentication, and it is salted only with the role's name, so a leaked hash (a backup, a
    replica, pg_authid) is cheap to crack; SCRAM-SHA-256 (the default since PostgreSQL 14)
    never sends the password and stores a slow salted hash.
    """
    (setting,) = probe.rows("security_passwords")
    if setting["setting"] in ("md5", "on"):
        yield Symptom(
            object="password_encryption",
            value=f"{setting['setting']} (set in: {setting['source']})",
            threshold="scram-sha-256",
            why="every password set from now on is stored as an MD5 hash",
            fix=_encryption_fix(probe, setting["source"]),
            caveat="clients need SCRAM support (libpq 10 or newer; most current drivers)",
        )
    if not setting["authid_readable"]:
        probe.note(
            "md5-password",
            "the roles' password hashes were not read: pg_authid is readable by superusers "
            "only (run the review as a superuser to check them)",
        )
        return
    logins = {r["oid"] for r in probe.rows("security_roles") if r["login"] and r["known"]}
    for r in probe.rows("security_md5_passwords"):
        if r["oid"] not in logins:
            continue
        name = _role(probe, r["name"])
        yield Symptom(
            object=name,
            value="password stored as an MD5 hash",
            threshold="SCRAM-SHA-256 password hashes",
            why="an MD5 hash logs in as well as the password does under md5 authentication "
            "and is cheap to crack",
            fix=f"SET password_encryption = 'scram-sha-256';\n\\password {name}\n"
            "-- psql asks for the password and sends only its SCRAM hash; "
            f"ALTER ROLE {name} PASSWORD '...' does the same but may leave it in the log",
            caveat="its clients need SCRAM support (libpq 10 or newer); pg_hba.conf's md5 "
            "method accepts a SCRAM password too, scram-sha-256 there then refuses MD5",
        )


def _encryption_fix(probe: Probe, source: str) -> str:
    """The statement that puts password_encryption back to SCRAM where it was set."""
    db = probe.conn.execute("SELECT current_database(), current_user").fetchone()
    database, user = probe.dialect.quote_ident(db[0]), _role(probe, db[1])
    if source == "database":
        return f"ALTER DATABASE {database} RESET password_encryption;"
    if source == "user":
        return f"ALTER ROLE {user} RESET password_encryption;"
    if source == "database user":
        return f"ALTER ROLE {user} IN DATABASE {database} RESET password_encryption;"
    return "ALTER SYSTEM SET password_encryption = 'scram-sha-256';\nSELECT pg_reload_conf();"


# --- grants ---------------------------------------------------------------------------------


@check("public-schema-create", "warning")
def public_schema_create(probe: Probe) -> Iterator[Symptom]:
    """A role other than its owner may create objects in schema ``public`` (PUBLIC could, by
    default, up to PostgreSQL 14; from 15 only the database's owner can), or PUBLIC may
    create objects in another schema.

    Why: schema public is on every role's search_path: a role that can create a function,
    operator or table there can shadow the ones other roles' queries name without a schema and
    have its code run with their rights (CVE-2018-1058).
    """
    for r in probe.rows("security_schema_create"):
        grantees = (["PUBLIC"] if r["to_public"] else []) + [_role(probe, g) for g in r["roles"]]
        schema = probe.dialect.quote_ident(r["schema"])
        yield Symptom(
            object=schema,
            value=f"CREATE granted to {', '.join(grantees)}",
            threshold="CREATE on public for its owner only; on no schema for PUBLIC",
            why="a role that can create objects there can shadow the functions and tables "
            "other roles' queries name without a schema and run its code with their rights",
            fix=f"REVOKE CREATE ON SCHEMA {schema} FROM {', '.join(grantees)};",
            caveat="a role that deploys the schema needs CREATE: make it the schema's owner "
            "or give it a schema of its own",
        )


@check("public-grant", "warning")
def public_grant(probe: Probe) -> Iterator[Symptom]:
    """A table, view, materialized view, sequence or foreign table of a user schema grants a
    privilege to PUBLIC, or a SECURITY DEFINER routine may be executed by PUBLIC. Other
    routines are not reported: PostgreSQL grants every routine's EXECUTE to PUBLIC by default,
    and one that runs with its caller's rights gives nothing away.

    Why: PUBLIC is every role, including the ones created later for other applications,
    reporting or a contractor; a grant to it cannot be reasoned about from the roles one knows.
    A SECURITY DEFINER routine runs with its owner's rights for whoever may call it.
    """
    for r in probe.rows("security_public_grants"):
        name = probe.name(r["schema"], r["name"])
        if r["arguments"] is not None:
            name += f"({r['arguments']})"
        privileges = ", ".join(r["privileges"])
        fix = f"REVOKE {privileges} ON {r['kind']} {name} FROM PUBLIC;"
        if r["kind"] in ("FUNCTION", "PROCEDURE"):
            fix += f"\n-- then: GRANT EXECUTE ON {r['kind']} {name} TO <the roles that call it>;"
        yield Symptom(
            object=name,
            value=f"{privileges} granted to PUBLIC",
            threshold="no privilege granted to PUBLIC (EXECUTE: on SECURITY DEFINER routines)",
            why="every role, present and future, has it"
            + (", and the routine runs with its owner's rights" if "EXECUTE" in privileges else ""),
            fix=fix,
            caveat="grant the privileges to the roles that need them before revoking them "
            "from PUBLIC",
        )


@check("definer-without-search-path", "warning")
def definer_without_search_path(probe: Probe) -> Iterator[Symptom]:
    """A SECURITY DEFINER function or procedure of a user schema that does not set its own
    search_path (``pg_proc.proconfig``).

    Why: it runs with its owner's rights but looks up the names its body does not qualify
    through the caller's search_path, so a caller who can create objects in any schema on that
    path can make it run their function or read their table with the owner's rights (the
    PostgreSQL manual, "Writing SECURITY DEFINER Functions Safely").
    """
    for r in probe.rows("security_definer_functions"):
        name = f"{probe.name(r['schema'], r['name'])}({r['arguments']})"
        yield Symptom(
            object=name,
            value=f"SECURITY DEFINER (owner {r['owner']}), no SET search_path",
            threshold="a SECURITY DEFINER routine sets search_path",
            why=f"it runs with {r['owner']}'s rights but resolves unqualified names through "
            "its caller's search_path",
            fix=f"ALTER {r['kind']} {name} SET search_path = pg_catalog, pg_temp;",
            caveat="names the body does not qualify with a schema are then looked up in "
            "pg_catalog only: qualify them (public.users), or put their schema before pg_temp",
        )


# --- row-level security ---------------------------------------------------------------------


def _rls_tables(probe: Probe) -> list[Row]:
    names = [c.lower() for c in probe.config.tenant_columns]
    return _query(probe, "security_tables", tenant_columns=names)


def _tenant_condition(probe: Probe, column: str, type_: str) -> str:
    """The expression that keeps a tenant table's rows to the session's tenant."""
    return (
        f"{probe.dialect.quote_ident(column)} = "
        f"(current_setting({probe.dialect.quote_string(TENANT_SETTING)}))::{type_}"
    )


@check("tenant-table-without-rls", "warning")
def tenant_table_without_rls(probe: Probe) -> Iterator[Symptom]:
    """A table with a tenant key column (``tenant_columns``: tenant_id, org_id, account_id
    ...) without row-level security. A key's name counts as a tenant key only where at least
    two tables carry it: one table's customer_id (a shop's orders) is an ordinary foreign key,
    not a partitioning of the data by tenant.

    Why: without row-level security each query must remember its tenant filter; one that
    forgets it (a new report, a hand-written fix, an injection) reads or changes every
    tenant's rows. A policy keyed on the session's tenant makes the server enforce it.
    """
    tables = _rls_tables(probe)
    carried = Counter(t["tenant_column"] for t in tables if t["tenant_column"])
    for t in tables:
        column = t["tenant_column"]
        if t["rls"] or column is None or carried[column] < 2:
            continue
        table = probe.name(t["schema"], t["name"])
        fix = (
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
            f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"
        )
        if t["policies"]:
            fix += f"-- its policies ({', '.join(t['policies'])}) apply from now on"
        else:
            condition = _tenant_condition(probe, column, t["tenant_type"])
            fix += f"CREATE POLICY tenant_isolation ON {table} USING ({condition});"
        yield Symptom(
            object=table,
            value=f"{column} ({t['tenant_type']}), row-level security off",
            threshold=f"row-level security on a table carrying a tenant key ({column} is on "
            f"{carried[column]} tables)",
            why="a query that forgets its tenant filter reads and changes every tenant's rows",
            fix=fix,
            caveat=f"each session must then set its tenant (SET {TENANT_SETTING} = '...', or "
            f"set_config('{TENANT_SETTING}', ..., true) per transaction) or its queries fail; "
            "work across tenants (migrations, jobs) needs a BYPASSRLS role",
        )


@check("rls-not-forced", "warning")
def rls_not_forced(probe: Probe) -> Iterator[Symptom]:
    """A table with row-level security enabled but not forced, owned by a role that a login
    other than a superuser or BYPASSRLS role acts as: the owner itself, a member that has its
    privileges or may SET ROLE to it (on PostgreSQL 16, a membership WITH INHERIT TRUE or SET
    TRUE; up to 15 any), or one that may grant it to itself (the ADMIN OPTION, or CREATEROLE up
    to PostgreSQL 15) when the owner is no superuser.

    Why: the owner of a table, and every role that is a member of the owner, bypasses its
    policies unless FORCE ROW LEVEL SECURITY is set: an application that connects as the
    owner, as applications that run their own migrations do, sees every tenant's rows.
    """
    for t in _rls_tables(probe):
        if not t["rls"] or t["forced"] or not t["owner_logins"]:
            continue
        table = probe.name(t["schema"], t["name"])
        yield Symptom(
            object=table,
            value=f"row-level security enabled, not forced; owner {t['owner']}, used by "
            f"{', '.join(t['owner_logins'])}",
            threshold="FORCE ROW LEVEL SECURITY where a login acts as the owner",
            why=f"{', '.join(t['owner_logins'])} act as the owner and skip every policy",
            fix=f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;",
            caveat="the owner's jobs (migrations, backfills, pg_dump) are then filtered too: "
            "run those that need every row as a BYPASSRLS role",
        )


_COMMANDS = {"*": "ALL", "r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}


@check("policy-without-tenant-setting", "warning")
def policy_without_tenant_setting(probe: Probe) -> Iterator[Symptom]:
    """A permissive row-level security policy on a table with a tenant key column whose USING
    or WITH CHECK expression reads no ``current_setting(...)`` (``USING (true)``, a test on
    another column). Restrictive policies are not reported: they only narrow what the
    permissive ones let through.

    Why: permissive policies are combined with OR: one that does not compare the row's tenant
    with the session's opens the rows of every tenant to the roles it applies to, whatever the
    other policies say.
    """
    tenant = {t["oid"]: t for t in _rls_tables(probe) if t["tenant_column"]}
    for p in probe.rows("security_policies"):
        t = tenant.get(p["relid"])
        if t is None or not p["permissive"]:
            continue
        shown = {"USING": p["using_expr"], "WITH CHECK": p["check_expr"]}
        blind = [k for k, e in shown.items() if e is not None and "current_setting(" not in e]
        if not blind:
            continue
        table = probe.name(t["schema"], t["name"])
        condition = _tenant_condition(probe, t["tenant_column"], t["tenant_type"])
        command = _COMMANDS.get(p["command"], "ALL")
        clauses = []
        if command != "INSERT":
            clauses.append(f"USING ({condition})")
        if command in ("ALL", "UPDATE", "INSERT"):
            clauses.append(f"WITH CHECK ({condition})")
        policy = probe.dialect.quote_ident(p["name"])
        yield Symptom(
            object=probe.name(t["schema"], t["name"], p["name"]),
            value=f"FOR {command}: "
            + " ".join(f"{k} ({e})" for k, e in shown.items() if e is not None),
            threshold=f"every permissive policy's USING and WITH CHECK read the tenant "
            f"setting (current_setting('{TENANT_SETTING}'))",
            why=f"its {' and '.join(blind)} does not compare {t['tenant_column']} with the "
            "session's tenant: it opens every tenant's rows",
            fix=f"ALTER POLICY {policy} ON {table} {' '.join(clauses)};",
            caveat="a policy that reads the tenant through a function of its own is reported "
            "too; one meant for an administrative role is better replaced by BYPASSRLS on it",
        )


# --- secrets ----------------------------------------------------------------------------------

# What a stored password hash or digest looks like (a POSIX regular expression the server
# matches, so that no value leaves it): modular crypt and PHC strings ($2b$ bcrypt, $argon2id$,
# $scrypt$, $7$, $y$ yescrypt, $5$ and $6$ sha-crypt, $1$ md5-crypt, $pbkdf2-sha256$);
# Django's (pbkdf2_sha256$, argon2$, bcrypt_sha256$) and Werkzeug's (pbkdf2:sha256:600000$,
# scrypt:32768:8:1$) formats; LDAP and Spring prefixes ({SSHA}, {bcrypt}); hex digests of
# 128 bits or more, alone or with a salt; padded base64 digests of 16, 20, 32 and 64 bytes
# (the last as PostgreSQL's encode() writes it too, with a line break after 76 characters).
HASHED = (
    r"^("
    r"\$[a-z0-9-]{1,32}\$[A-Za-z0-9./+=,$-]{20,}"
    r"|[a-z][a-z0-9_]{1,31}\$[A-Za-z0-9./+=,$_-]{20,}"
    r"|[a-z][a-z0-9]*(:[a-z0-9]+)+\$[A-Za-z0-9./+=$-]{20,}"
    r"|\{[A-Za-z0-9._-]{2,20}\}[A-Za-z0-9./+=$-]{20,}"
    r"|(0x)?[0-9A-Fa-f]{32,}"
    r"|[A-Za-z0-9./+=_-]{1,64}[:$][0-9A-Fa-f]{32,}"
    r"|[0-9A-Fa-f]{32,}[:$][A-Za-z0-9./+=_-]{1,64}"
    r"|[A-Za-z0-9+/]{22}==|[A-Za-z0-9+/]{27}=|[A-Za-z0-9+/]{43}="
    r"|[A-Za-z0-9+/]{76}\n?[A-Za-z0-9+/]{10}=="
    r")$"
)
# Prefixes that say the value is stored as it is (Spring's {noop}, Dovecot's {PLAIN}).
PLAIN_SCHEME = r"^\{(noop|plain|clear|cleartext)\}"
# Words of a column name that say it holds a password (hashed slowly), not a token or key
# (a digest of a random value is enough).
_PASSWORD_WORDS = {"password", "passwd", "pwd", "pass", "passphrase"}
# Values that are no secret: empty, or a locked-account marker (!, *).
_SAMPLE = """
SELECT count(*) AS sampled,
       count(*) FILTER (WHERE NOT v ~ {hashed} OR v ~* {plain}) AS unhashed
  FROM (SELECT {column}::text AS v FROM {table}{how}
         WHERE {column} IS NOT NULL AND {column}::text !~ '^[!*]*$'
         LIMIT {n}) s
"""


def _secret_columns(probe: Probe) -> list[Row]:
    """The string columns named like a secret (``secret_columns``, matched as whole words of
    the name as lint's SEC001 does; not a column that describes one: token_type,
    password_changed_at)."""
    secrets = [s.lower() for s in probe.config.secret_columns]
    firsts = sorted({words(s)[0] if words(s) else s for s in secrets})
    rows = _query(probe, "security_secret_columns", likes=[f"%{f}%" for f in firsts])
    out = []
    for r in rows:
        ws = words(r["column_name"])
        last = next((w for w in reversed(ws) if not w.isdigit()), "")
        if last in _NOT_THE_SECRET:
            continue
        if any(_has_phrase(ws, "_".join(words(s))) for s in secrets):
            out.append(r)
    return out


def _sample(probe: Probe, r: Row, n: int) -> tuple[int, int]:
    """(values sampled, of which not hashed): at most ``n`` non-empty values, read from a few
    pages (TABLESAMPLE SYSTEM) of a table larger than a few times what ``n`` rows fill, and
    compared with HASHED on the server: no value leaves it."""
    from psycopg import sql

    need = max(8, math.ceil(4 * n / (r["rows_per_page"] or 10)))
    how: sql.Composable = sql.SQL("")
    if r["pages"] > 2 * need:
        percent = 100.0 * need / r["pages"]
        how = sql.SQL(" TABLESAMPLE SYSTEM ({}) REPEATABLE (0)").format(sql.Literal(percent))
    query = sql.SQL(_SAMPLE).format(
        hashed=sql.Literal(HASHED),
        plain=sql.Literal(PLAIN_SCHEME),
        column=sql.Identifier(r["column_name"]),
        table=sql.Identifier(r["schema"], r["table_name"]),
        how=how,
        n=sql.Literal(n),
    )
    sampled, unhashed = probe.conn.execute(query).fetchone()
    return int(sampled), int(unhashed)


@check("unhashed-secret", "error")
def unhashed_secret(probe: Probe) -> Iterator[Symptom]:
    """A text column named like a secret (``secret_columns``: password, token, api_key ...;
    not one that describes a secret: token_type, password_changed_at) with sampled values that
    do not look like a hash: at most ``secret_sample_rows`` (100) non-empty values, read from a
    few pages of a large table (TABLESAMPLE SYSTEM) and matched on the server, so no value is
    shown or kept. Hashes recognised: bcrypt, argon2, scrypt, yescrypt, sha-crypt, PBKDF2
    (Django, Werkzeug, passlib), LDAP-style prefixes, hex and base64 digests. A column the
    role may not SELECT, or whose rows row-level security filters for it, is named in a note.

    Why: a password, API key or token stored as it is exposed by every backup, replica, log of
    a slow query and SQL injection, and works at once for whoever reads it; a slow salted
    hash (passwords) or a digest (random tokens and keys) is useless to them.
    """
    n = probe.config.secret_sample_rows
    columns = _secret_columns(probe) if n else []
    refused = [r for r in columns if not r["readable"]]
    filtered = [r for r in columns if r["readable"] and r["rls_active"]]
    if refused:
        probe.note(
            "unhashed-secret",
            f"not sampled, the role may not SELECT them: {_column_list(probe, refused)} "
            "(grant it SELECT on those columns, or pg_read_all_data)",
        )
    if filtered:
        probe.note(
            "unhashed-secret",
            f"not sampled, row-level security filters them for the role: "
            f"{_column_list(probe, filtered)} (run as a superuser or a BYPASSRLS role)",
        )
    for r in columns:
        if not r["readable"] or r["rls_active"]:
            continue
        sampled, unhashed = _sample(probe, r, n)
        if unhashed:
            yield _unhashed(probe, r, sampled, unhashed)


def _column_list(probe: Probe, rows: list[Row]) -> str:
    return ", ".join(probe.name(r["schema"], r["table_name"], r["column_name"]) for r in rows)


# The fix's line where the server has no pgcrypto to install (a build without the contrib
# modules, such as the embedded server): the statements after it fail until it is installed.
_PGCRYPTO_MISSING = (
    "-- pgcrypto is not available on this server: install PostgreSQL's contrib modules "
    "(e.g. the postgresql-contrib package) for these statements, or hash the values from "
    "the application\n"
)


def _unhashed(probe: Probe, r: Row, sampled: int, unhashed: int) -> Symptom:
    table = probe.name(r["schema"], r["table_name"])
    column = probe.dialect.quote_ident(r["column_name"])
    if _PASSWORD_WORDS & set(words(r["column_name"])):
        missing = "" if probe.rows("security_pgcrypto")[0]["available"] else _PGCRYPTO_MISSING
        fix = (
            "-- store a slow salted hash (bcrypt, scrypt or argon2id) from the application and "
            "verify with the same library; to hash the values stored now (bcrypt):\n"
            f"{missing}CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
            f"UPDATE {table} SET {column} = crypt({column}, gen_salt('bf', 12)) "
            f"WHERE {column} !~ '^\\$2[abxy]\\$';"
        )
        hashed = "a slow salted hash (bcrypt, scrypt, argon2)"
    else:
        fix = (
            "-- store a digest of the token or key and compare digests; the values stored "
            "now:\n"
            f"UPDATE {table} SET {column} = encode(sha256(convert_to({column}, 'UTF8')), "
            f"'hex') WHERE {column} !~ '^[0-9a-f]{{64}}$';"
        )
        hashed = "a hash or digest"
    return Symptom(
        object=probe.name(r["schema"], r["table_name"], r["column_name"]),
        value=f"{unhashed} of {sampled} sampled values do not look hashed",
        threshold=f"every sampled value {hashed}",
        why="a secret stored as it is works at once for whoever reads a backup, a replica, a "
        "log or an injected query",
        fix=fix,
        caveat="the application must then hash what it compares (and write hashes); a random "
        "token stored as plain hex or base64 looks like a digest and is not reported; only "
        "the sampled rows were read",
    )


# --- extensions -------------------------------------------------------------------------------


@check("outdated-extension", "info")
def outdated_extension(probe: Probe) -> Iterator[Symptom]:
    """An installed extension older than the default version of the package on the server,
    that ``ALTER EXTENSION ... UPDATE`` can bring to it (often left behind by a server
    upgrade: pg_upgrade keeps each extension's installed version).

    Why: the package's newer SQL objects (fixed functions, new operators, security fixes in
    their definitions) are not used until the extension is updated, while its library may
    already expect them.
    """
    for r in probe.rows("security_extensions"):
        name = probe.dialect.quote_ident(r["name"])
        yield Symptom(
            object=name,
            value=f"installed {r['installed']}, available {r['available']}",
            threshold="the default version of the installed package",
            why="the package's newer definitions are not in use",
            fix=f"ALTER EXTENSION {name} UPDATE;",
            caveat="read the extension's release notes: an update can rebuild objects and "
            "take locks",
        )
