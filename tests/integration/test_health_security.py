"""dbdesign health's security checks (src/dbdesign/health/checks_security.py), each on a
pathology built for real in a scratch database on both test servers (``pg_scratch``: the
embedded PostgreSQL 16 and the machine's PostgreSQL 15), with the near misses it must not report,
the fixes run for real (they clear the findings), a role with only pg_monitor + CONNECT (what it
cannot read is a note), and the secrets' sampling (values compared on the server, never read
back; TABLESAMPLE on a large table).

Where the servers differ, each one's behaviour is asserted (``SERVER`` below):
- the embedded server is built without PostgreSQL's contrib modules: its only extensions are
  plpgsql and pgvector, so the outdated extension is pgvector's and there is no pgcrypto
  (crypt(), gen_salt(), digest()): the stored hashes are literals made by pgcrypto, and the
  password's fix, which needs pgcrypto, says so and fails there;
- PostgreSQL 16 grants role membership with options (WITH INHERIT / SET / ADMIN, columns of
  pg_auth_members): a member may SET ROLE only through grants WITH SET TRUE, has the role's
  privileges only through grants WITH INHERIT TRUE, and a CREATEROLE role holds the ADMIN
  OPTION (no SET, no INHERIT) on the roles it creates and may grant no other; up to 15 every
  member may SET ROLE to its groups and CREATEROLE may grant any role but a superuser;
- both have the bootstrap superuser postgres, which can log in; both still store an MD5 hash
  when password_encryption is md5.

Roles are the cluster's: only the names in tests.conftest.TEST_ROLES are created, each dropped
in a finally block (DROP OWNED BY in each database that holds something of it first: nothing
drops them at the end of a session on the embedded server), and the role checks look only at
the roles a database knows, so these roles never show in another test's review of its own
database."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from dbdesign import api, databases, engine
from dbdesign.health import CHECKS, HealthConfig, HealthReport
from dbdesign.health.checks_security import HASHED, PLAIN_SCHEME
from dbdesign.health.report import HealthFinding
from dbdesign.health.session import SESSIONS
from tests.integration.health_support import by_check, config, monitor_role

SECURITY = (
    "powerful-role",
    "md5-password",
    "public-schema-create",
    "public-grant",
    "definer-without-search-path",
    "tenant-table-without-rls",
    "rls-not-forced",
    "policy-without-tenant-setting",
    "unhashed-secret",
    "outdated-extension",
)
ADMIN = "dbdesign_health_admin"
BYPASS = "dbdesign_health_bypass"
APP = "dbdesign_health_app"
MD5 = "dbdesign_health_md5"
ROLES = (ADMIN, BYPASS, APP, MD5)

# What each server is and has (asserted by the ``insecure`` fixture): its major version, whether
# pgcrypto can be installed, and an extension installed at an older version than its default.
SERVER = {
    "embedded": {"major": 16, "pgcrypto": False, "outdated": ("vector", "0.6.1", "0.6.2")},
    "pg15": {"major": 15, "pgcrypto": True, "outdated": ("pg_trgm", "1.5", "1.6")},
}
EXTENSIONS = {
    # pgvector is the one extension with versions the embedded server has, and it installs
    # only at its default, 0.6.2 (there is no 0.6.1 install script: asserted below). A vector
    # left at 0.6.1 has the very same objects (its 0.6.1--0.6.2 update script is empty), so
    # one is made by recording 0.6.1 as the installed version.
    "embedded": """
CREATE EXTENSION vector;
UPDATE pg_extension SET extversion = '0.6.1' WHERE extname = 'vector';
""",
    "pg15": """
CREATE EXTENSION pgcrypto;                                  -- near miss: up to date
CREATE EXTENSION pg_trgm VERSION '1.5';                     -- 1.6 is the default
""",
}
# bcrypt hashes of 'pw1' ... 'pw10' (cost 4), made by pgcrypto's crypt('pw' || g, gen_salt('bf',
# 4)) on PostgreSQL 15: the embedded server has no pgcrypto to make them.
BCRYPT = (
    "$2a$04$21p3JZ1iL.GITrk2HHQxBO4Wa5Yir7lTwirT9MD/xPrN4nevhm2de",
    "$2a$04$qoH1juurJNuhOQ3Fsoufrud/jbDMsf0gppd1MV0Lf0asw2v4w9s1e",
    "$2a$04$kF4a6Ib/E6pIXfZ9lwT/COOMDxX8Nwu98U8i1vYLI/dcJ8Xgp6Mo6",
    "$2a$04$10d1RStcmsCtIYxyWs0HDO6zFNcygKf2HuyS38oRTMfCW3neocDZy",
    "$2a$04$u1AlQreunD.bVhz9dUG.q.jmZbpSoJpBuZuzAF9SMWr6iAgYsYhL.",
    "$2a$04$xiOtepK3/wPPKoY5y./xVuGu1UYmzdSw94zDYxJG7i7gQCU0sq4SC",
    "$2a$04$AhQxLn4.K3RPBZ0xHhyz4O9NFezCZOs4oZA3iReukl1eVvoDUT2ny",
    "$2a$04$Nfqk58h5ozcnSQsEjB7tlOeLm4bMK/VBVLGMmV.sNlMPVI3FOVrf.",
    "$2a$04$b84Z0kTDc0Ti8sVWQA5eweOyQdikOT9W5imPKn1sQCcW6qvJ2xewC",
    "$2a$04$Yz4kDSmq.C2JCKPiR9JineWluG7jAKE8Dxlx9XWVAnKwHAMD9JKTq",
)
BCRYPT_ARRAY = "ARRAY[" + ", ".join(f"'{h}'" for h in BCRYPT) + "]"

PATHOLOGIES = (
    """
GRANT CREATE ON SCHEMA public TO PUBLIC;                    -- PostgreSQL 14's default
CREATE SCHEMA app;                                          -- near miss: its owner's only
CREATE SCHEMA shared;
GRANT CREATE ON SCHEMA shared TO PUBLIC;

CREATE TABLE tenants (id bigint PRIMARY KEY, name text);
CREATE TABLE projects (id bigint PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants,
                       name text);
GRANT SELECT, UPDATE ON projects TO PUBLIC;
CREATE SEQUENCE ticket_numbers;
GRANT USAGE ON SEQUENCE ticket_numbers TO PUBLIC;
CREATE VIEW project_names AS SELECT name FROM projects;     -- near miss: granted to no one
CREATE TABLE settings (tenant_id bigint PRIMARY KEY, theme text);

-- RLS enabled, not forced, but owned by a superuser (who skips RLS anyway): not rls-not-forced
CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, total int);
ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;
CREATE POLICY invoices_open ON invoices USING (true);
CREATE POLICY invoices_insert ON invoices FOR INSERT             -- near miss
    WITH CHECK (tenant_id = current_setting('app.tenant_id')::bigint);

-- near misses: forced, a good policy and a restrictive one
CREATE TABLE notes (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, body text);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant ON notes USING (tenant_id = current_setting('app.tenant_id')::uuid);
CREATE POLICY notes_live ON notes AS RESTRICTIVE USING (body IS NOT NULL);

-- near miss: a customer_id on one table only is a foreign key, not a tenant key
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);

CREATE TABLE users (
    id bigint PRIMARY KEY, email text, password text, password_hash text,
    api_token varchar(80), api_token_hash text, secret text, token_type text,
    password_changed_at timestamptz
);
INSERT INTO users (id, email, password, password_hash, api_token, api_token_hash, token_type)
SELECT g, 'u' || g || '@example.com',
       CASE WHEN g % 3 = 0 THEN 'hunter' || g ELSE ("""
    + BCRYPT_ARRAY
    + """)[g] END,
       ("""
    + BCRYPT_ARRAY
    + """)[g],
       'tok_' || md5(g::text),
       encode(sha256(convert_to('tok_' || md5(g::text), 'UTF8')), 'hex'),
       'bearer'
  FROM generate_series(1, 10) g;
INSERT INTO users (id, password) VALUES (11, ''), (12, '!');  -- no secret: not sampled

CREATE FUNCTION app.reset_password(uid bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
    AS 'UPDATE public.users SET password = NULL WHERE id = uid';
CREATE PROCEDURE app.purge() LANGUAGE sql SECURITY DEFINER AS 'DELETE FROM public.orders';
CREATE FUNCTION app.safe_reset(uid bigint) RETURNS void LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS 'UPDATE public.users SET password = NULL WHERE id = uid';     -- near miss
REVOKE EXECUTE ON FUNCTION app.safe_reset(bigint) FROM PUBLIC;
CREATE FUNCTION app.add(a int, b int) RETURNS int LANGUAGE sql     -- near miss: invoker
    AS 'SELECT a + b';
"""
)
PGCRYPTO_MISSING = "-- pgcrypto is not available on this server"


@pytest.fixture
def server(request: pytest.FixtureRequest) -> str:
    """Which server the test's ``pg_scratch`` is on: ``embedded`` or ``pg15``."""
    return str(request.node.callspec.params["pg_scratch"])


@pytest.fixture
def insecure(pg_scratch: str, server: str) -> str:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])
        assert version // 10000 == SERVER[server]["major"]
        available = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}
        assert ("pgcrypto" in available) == SERVER[server]["pgcrypto"]
        if server == "embedded":  # no contrib modules: only these two
            assert available == {"plpgsql", "vector"}
            with pytest.raises(psycopg.errors.InvalidParameterValue, match="no installation"):
                conn.execute("CREATE EXTENSION vector VERSION '0.6.1'")
            assert conn.execute(
                "SELECT path FROM pg_extension_update_paths('vector') "
                "WHERE source = '0.6.1' AND target = '0.6.2'"
            ).fetchone() == ("0.6.1--0.6.2",)
        conn.execute(PATHOLOGIES + EXTENSIONS[server])
    return pg_scratch


def review(url: str, cfg: HealthConfig | None = None) -> HealthReport:
    return api.health(url, checks=SECURITY, config=cfg)


def findings(report: HealthReport) -> dict[tuple[str, str], HealthFinding]:
    return {(f.check, f.object): f for f in report.findings}


def run_fixes(url: str, found: Iterable[HealthFinding]) -> None:
    """Run each finding's fix (comment lines left out; psql's \\password as ALTER ROLE)."""
    with engine.connect(url, autocommit=True) as conn:
        for f in found:
            lines = [x for x in f.fix.splitlines() if not x.startswith("--")]
            text = "\n".join(
                f"ALTER ROLE {x.split()[1]} PASSWORD 'another-password';"
                if x.startswith("\\password ")
                else x
                for x in lines
            )
            conn.execute(text)


def test_each_pathology_is_found_and_the_near_misses_are_not(insecure: str, server: str) -> None:
    report = review(insecure)
    found = by_check(report)
    extension, installed, available = SERVER[server]["outdated"]
    assert report.notes == ()
    assert found["public-schema-create"] == {"public", "shared"}
    assert found["public-grant"] == {
        "public.projects",
        "public.ticket_numbers",
        "app.reset_password(uid bigint)",
        "app.purge()",
    }
    assert found["definer-without-search-path"] == {"app.reset_password(uid bigint)", "app.purge()"}
    assert found["tenant-table-without-rls"] == {"public.projects", "public.settings"}
    assert found["rls-not-forced"] == set()  # invoices: its owner is a superuser
    assert found["policy-without-tenant-setting"] == {"public.invoices.invoices_open"}
    assert found["unhashed-secret"] == {"public.users.password", "public.users.api_token"}
    assert found["outdated-extension"] == {extension}
    # the bootstrap superuser (postgres on both servers, able to log in) owns the database
    assert found["powerful-role"] == found["md5-password"] == set()
    with engine.connect(insecure) as conn:
        assert conn.execute(
            "SELECT r.rolname, r.rolcanlogin, r.rolsuper, d.datdba = 10 FROM pg_roles r, "
            "pg_database d WHERE r.oid = 10 AND d.datname = current_database()"
        ).fetchone() == ("postgres", True, True, True)

    f = findings(report)
    schema = f["public-schema-create", "public"]
    assert schema.value == "CREATE granted to PUBLIC"
    assert schema.fix == "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
    grant = f["public-grant", "public.projects"]
    assert grant.value == "SELECT, UPDATE granted to PUBLIC"
    assert grant.fix == "REVOKE SELECT, UPDATE ON TABLE public.projects FROM PUBLIC;"
    assert f["public-grant", "public.ticket_numbers"].fix == (
        "REVOKE USAGE ON SEQUENCE public.ticket_numbers FROM PUBLIC;"
    )
    assert f["public-grant", "app.purge()"].fix.startswith(
        "REVOKE EXECUTE ON PROCEDURE app.purge() FROM PUBLIC;"
    )
    definer = f["definer-without-search-path", "app.reset_password(uid bigint)"]
    assert definer.fix == (
        "ALTER FUNCTION app.reset_password(uid bigint) SET search_path = pg_catalog, pg_temp;"
    )
    tenant = f["tenant-table-without-rls", "public.projects"]
    assert tenant.value == "tenant_id (bigint), row-level security off"
    assert tenant.fix == (
        "ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;\n"
        "ALTER TABLE public.projects FORCE ROW LEVEL SECURITY;\n"
        "CREATE POLICY tenant_isolation ON public.projects "
        "USING (tenant_id = (current_setting('app.tenant_id'))::bigint);"
    )
    policy = f["policy-without-tenant-setting", "public.invoices.invoices_open"]
    assert policy.value == "FOR ALL: USING (true)"
    assert policy.fix == (
        "ALTER POLICY invoices_open ON public.invoices "
        "USING (tenant_id = (current_setting('app.tenant_id'))::bigint) "
        "WITH CHECK (tenant_id = (current_setting('app.tenant_id'))::bigint);"
    )
    password = f["unhashed-secret", "public.users.password"]
    assert password.severity.value == "error"
    assert password.value == "3 of 10 sampled values do not look hashed"
    assert "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n" in password.fix
    assert "crypt(password, gen_salt('bf', 12))" in password.fix
    # the fix says where the server cannot install pgcrypto (the embedded one)
    assert (PGCRYPTO_MISSING in password.fix) == (not SERVER[server]["pgcrypto"])
    token = f["unhashed-secret", "public.users.api_token"]
    assert token.value == "10 of 10 sampled values do not look hashed"
    assert "sha256" in token.fix and PGCRYPTO_MISSING not in token.fix
    for finding in report.findings:  # no sampled value is shown anywhere
        assert "hunter" not in str(finding) and "tok_" not in str(finding)
    ext = f["outdated-extension", extension]
    assert ext.value == f"installed {installed}, available {available}"
    assert ext.severity.value == "info"
    assert ext.fix == f"ALTER EXTENSION {extension} UPDATE;"


def test_the_fixes_run_and_clear_the_findings(insecure: str, server: str) -> None:
    report = review(insecure)
    assert len(report.findings) == 14
    password = findings(report)["unhashed-secret", "public.users.password"]
    if SERVER[server]["pgcrypto"]:
        run_fixes(insecure, report.findings)
        again = review(insecure)
        assert again.findings == () and again.notes == ()
    else:
        # the embedded server has no pgcrypto: the password's fix fails at its CREATE EXTENSION,
        # as its comment warns, and changes nothing; every other fix runs and clears its finding
        with pytest.raises(
            psycopg.errors.FeatureNotSupported, match='extension "pgcrypto" is not available'
        ):
            run_fixes(insecure, [password])
        run_fixes(insecure, [f for f in report.findings if f is not password])
        again = review(insecure)
        assert again.findings == (password,) and again.notes == ()
    with engine.connect(insecure) as conn:  # the hashed passwords were left as they were
        kept = conn.execute(
            "SELECT array_agg(password ORDER BY id) FROM users WHERE id % 3 <> 0 AND id <= 10"
        ).fetchone()[0]
        assert kept == [h for i, h in enumerate(BCRYPT, 1) if i % 3]
        if SERVER[server]["pgcrypto"]:  # and the plain ones now verify as bcrypt
            assert (
                conn.execute(
                    "SELECT count(*) FROM users WHERE password = crypt('hunter' || id, password) "
                    "AND password ~ '^\\$2[abxy]\\$12\\$'"
                ).fetchone()[0]
                == 3
            )


def drop_roles(url: str) -> None:
    """Drop ROLES from the server of ``url``: first, in each database where one owns or is
    granted something (and, in ``url``'s, the privileges on shared objects and the memberships
    it granted), DROP OWNED BY."""
    with engine.connect(url, autocommit=True) as conn:
        present = [
            r[0]
            for r in conn.execute(
                "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s) ORDER BY 1", [list(ROLES)]
            )
        ]
        if not present:
            return
        databases = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid "
                "WHERE s.refclassid = 'pg_authid'::regclass AND d.datallowconn "
                "AND s.refobjid IN (SELECT oid FROM pg_roles WHERE rolname = ANY(%s))",
                [present],
            )
        }
        owned = sql.SQL("DROP OWNED BY {}").format(sql.SQL(", ").join(map(sql.Identifier, present)))
        for database in sorted(databases):
            with engine.connect(make_conninfo(url, dbname=database), autocommit=True) as db:
                db.execute(owned)
        conn.execute(owned)
        conn.execute(
            sql.SQL("DROP ROLE {}").format(sql.SQL(", ").join(map(sql.Identifier, present)))
        )


@contextmanager
def roles_dropped(url: str) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """A connection to ``url`` as its superuser; the test roles dropped afterwards."""
    try:
        with engine.connect(url, autocommit=True) as conn:
            yield conn
    finally:
        drop_roles(url)


def test_roles_this_database_knows(insecure: str) -> None:
    with roles_dropped(insecure) as conn:
        db = sql.Identifier(conn.execute("SELECT current_database()").fetchone()[0])
        conn.execute(f"CREATE ROLE {ADMIN} LOGIN SUPERUSER")
        # a superuser that only other databases know (like the PostgreSQL 15 server's own
        # 'root'): not this database's review's
        assert "powerful-role" not in {f.check for f in review(insecure).findings}

        conn.execute(
            sql.SQL(f"ALTER ROLE {ADMIN} IN DATABASE {{}} SET work_mem = '8MB'").format(db)
        )
        conn.execute(f"CREATE ROLE {BYPASS} NOLOGIN BYPASSRLS")
        conn.execute(f"CREATE ROLE {APP} LOGIN PASSWORD 'a-scram-password'")  # near miss
        conn.execute(f"GRANT {BYPASS} TO {APP}")
        conn.execute(f"ALTER TABLE invoices OWNER TO {APP}")
        conn.execute("SET password_encryption = 'md5'")
        conn.execute(f"CREATE ROLE {MD5} LOGIN PASSWORD 'an-md5-password'")
        conn.execute("RESET password_encryption")
        conn.execute(sql.SQL(f"GRANT CONNECT ON DATABASE {{}} TO {MD5}").format(db))
        # both servers store an MD5 hash when asked to (PostgreSQL 16 too; 18 deprecates it)
        stored = dict(
            conn.execute(
                "SELECT rolname, left(rolpassword, 14) FROM pg_authid WHERE rolname = ANY(%s)",
                [[APP, MD5]],
            ).fetchall()
        )
        assert stored[APP] == "SCRAM-SHA-256$" and stored[MD5].startswith("md5")

        report = review(insecure)
        found = by_check(report)
        assert found["powerful-role"] == {ADMIN, BYPASS}
        assert found["md5-password"] == {MD5}
        assert found["rls-not-forced"] == {"public.invoices"}
        f = findings(report)
        admin = f["powerful-role", ADMIN]
        assert admin.severity.value == "error"
        assert admin.value == "SUPERUSER, LOGIN" and admin.fix == f"ALTER ROLE {ADMIN} NOSUPERUSER;"
        bypass = f["powerful-role", BYPASS]
        assert bypass.value == f"BYPASSRLS, NOLOGIN; logins that can SET ROLE to it: {APP}"
        assert bypass.fix == (
            f"ALTER ROLE {BYPASS} NOBYPASSRLS;\n"
            f"-- or take it from those logins: REVOKE {BYPASS} FROM <the member>;"
        )
        forced = f["rls-not-forced", "public.invoices"]
        assert forced.value == (
            f"row-level security enabled, not forced; owner {APP}, used by {APP}"
        )
        assert forced.fix == "ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;"
        md5 = f["md5-password", MD5]
        assert md5.fix.startswith(f"SET password_encryption = 'scram-sha-256';\n\\password {MD5}")

        run_fixes(
            insecure,
            [
                f
                for f in report.findings
                if f.check in ("powerful-role", "md5-password", "rls-not-forced")
            ],
        )
        # a NOLOGIN superuser no login can become: near miss
        conn.execute(f"REVOKE {BYPASS} FROM {APP}")
        conn.execute(f"ALTER ROLE {BYPASS} SUPERUSER")
        conn.execute(f"GRANT SELECT ON invoices TO {BYPASS}")
        again = by_check(review(insecure))
        assert again["powerful-role"] == again["md5-password"] == again["rls-not-forced"] == set()


def standing(url: str, login: str, role: str, holds: str) -> str | None:
    """How ``login`` comes to stand where ``holds`` (a query as the session's current role) is
    true, tried for real: ``"itself"``; ``"set"``: after SET ROLE ``role``; ``"grant"``: after
    granting ``role`` to itself first; None: it cannot. Every try is rolled back."""
    with psycopg.connect(make_conninfo(url, user=login), autocommit=True) as conn:
        if conn.execute(holds).fetchone()[0]:
            return "itself"
        for how, first in (("set", None), ("grant", f"GRANT {role} TO {login}")):
            try:
                with conn.transaction(force_rollback=True):
                    if first:
                        conn.execute(first)
                    conn.execute(f"SET ROLE {role}")
                    if conn.execute(holds).fetchone()[0]:
                        return how
            except psycopg.errors.InsufficientPrivilege:
                pass
    return None


# A session that skips row-level security: on notes (forced, owned by the superuser) only a
# BYPASSRLS role does; on invoices (not forced) also its owner and the roles that have the
# owner's privileges. IS_SUPERUSER: the session's current role is a superuser.
SKIPS_RLS = "SELECT NOT row_security_active('public.notes')"
OWNS_INVOICES = "SELECT NOT row_security_active('public.invoices')"
IS_SUPERUSER = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"

# How role membership works on each server: APP's INHERIT attribute, the options both grants
# (BYPASS, a BYPASSRLS role, and ADMIN, invoices' owner, to APP) take, whether ADMIN is a
# superuser, and then how APP comes to skip RLS as BYPASS and to act as invoices' owner.
MEMBERSHIP = {
    "embedded": [
        # PostgreSQL 16, SET FALSE: no SET ROLE to BYPASS (near miss), but APP still has the
        # owner's privileges (INHERIT TRUE) and so acts as invoices' owner
        ("INHERIT", "WITH SET FALSE", False, None, "itself"),
        ("INHERIT", "WITH INHERIT FALSE", False, "set", "set"),
        ("INHERIT", "WITH INHERIT FALSE, SET FALSE", False, None, None),  # near misses
        # NOINHERIT now only sets the default of the grants' INHERIT option
        ("NOINHERIT", "", False, "set", "set"),
        # the ADMIN OPTION alone: APP may grant the roles to itself, then SET ROLE
        ("INHERIT", "WITH ADMIN OPTION, INHERIT FALSE, SET FALSE", False, "grant", "grant"),
        # ... but not a superuser role (only superusers grant those): near miss
        ("INHERIT", "WITH ADMIN OPTION, INHERIT FALSE, SET FALSE", True, "grant", None),
    ],
    "pg15": [
        # PostgreSQL 15: every member may SET ROLE; INHERIT decides the owner's privileges
        ("INHERIT", "", False, "set", "itself"),
        ("NOINHERIT", "", False, "set", "set"),
        ("NOINHERIT", "WITH ADMIN OPTION", True, "set", "set"),
    ],
}


def test_role_membership_options(insecure: str, server: str) -> None:
    """powerful-role reports a role a login can SET ROLE to, and rls-not-forced a login that
    acts as a table's owner, as each server decides it: each case is tried for real."""
    with roles_dropped(insecure) as conn:
        conn.execute(f"CREATE ROLE {BYPASS} NOLOGIN BYPASSRLS")
        conn.execute(f"CREATE ROLE {ADMIN} NOLOGIN")
        conn.execute(f"CREATE ROLE {APP} LOGIN")
        conn.execute(f"ALTER TABLE invoices OWNER TO {ADMIN}")
        conn.execute(f"GRANT SELECT ON invoices, notes TO {APP}")  # APP: a login it knows
        if SERVER[server]["major"] < 16:  # the grant options are PostgreSQL 16's
            with pytest.raises(psycopg.errors.SyntaxError):
                conn.execute(f"GRANT {BYPASS} TO {APP} WITH SET FALSE")
        for attribute, options, superuser, bypass_how, owner_how in MEMBERSHIP[server]:
            case = (attribute, options, superuser)
            conn.execute(f"ALTER ROLE {APP} {attribute}")
            conn.execute(f"ALTER ROLE {ADMIN} {'SUPERUSER' if superuser else 'NOSUPERUSER'}")
            conn.execute(f"GRANT {BYPASS}, {ADMIN} TO {APP} {options}")
            assert standing(insecure, APP, BYPASS, SKIPS_RLS) == bypass_how, case
            assert standing(insecure, APP, ADMIN, OWNS_INVOICES) == owner_how, case
            if superuser:
                assert standing(insecure, APP, ADMIN, IS_SUPERUSER) == owner_how, case

            report = review(insecure)
            f = findings(report)
            powerful = {
                BYPASS: ("BYPASSRLS, NOLOGIN", bypass_how),
                **({ADMIN: ("SUPERUSER, NOLOGIN", owner_how)} if superuser else {}),
            }
            expected = {
                role: f"{attributes}; logins that can SET ROLE to it: {APP}"
                + (" (by granting it to itself)" if how == "grant" else "")
                for role, (attributes, how) in powerful.items()
                if how is not None
            }
            assert {o: f[c, o].value for c, o in f if c == "powerful-role"} == expected, case
            assert by_check(report)["rls-not-forced"] == (
                {"public.invoices"} if owner_how else set()
            ), case
            if owner_how:
                assert f["rls-not-forced", "public.invoices"].value == (
                    f"row-level security enabled, not forced; owner {ADMIN}, used by {APP}"
                )
            # the fix the findings offer besides taking the attribute away clears them
            conn.execute(f"REVOKE {BYPASS}, {ADMIN} FROM {APP}")
            again = by_check(review(insecure))
            assert again["powerful-role"] == again["rls-not-forced"] == set(), case


def test_createrole(insecure: str, server: str) -> None:
    """A CREATEROLE login: up to PostgreSQL 15 it may grant itself any role but a superuser;
    on 16 only the roles it holds the ADMIN OPTION on, which it is given on those it creates."""
    pg16 = SERVER[server]["major"] >= 16
    with roles_dropped(insecure) as conn:
        conn.execute(f"CREATE ROLE {BYPASS} NOLOGIN BYPASSRLS")
        conn.execute(f"CREATE ROLE {APP} LOGIN CREATEROLE")
        conn.execute(f"GRANT SELECT ON invoices, notes TO {APP}")  # APP: a login it knows
        with psycopg.connect(make_conninfo(insecure, user=APP), autocommit=True) as app:
            app.execute(f"CREATE ROLE {ADMIN} NOLOGIN")
        grants = conn.execute(
            "SELECT m.grantor::regrole::text, "
            "       to_jsonb(m) - 'oid' - 'roleid' - 'member' - 'grantor' - 'admin_option', "
            "       m.admin_option "
            "  FROM pg_auth_members m WHERE m.member = %s::regrole",
            [APP],
        ).fetchall()
        if pg16:  # its creator holds the ADMIN OPTION on it, granted by the bootstrap superuser
            assert grants == [("postgres", {"inherit_option": False, "set_option": False}, True)]
        else:
            assert grants == []
        conn.execute(f"ALTER ROLE {ADMIN} BYPASSRLS")
        conn.execute(f"ALTER TABLE invoices OWNER TO {ADMIN}")

        reached = {BYPASS: None if pg16 else "grant", ADMIN: "grant"}
        for role, how in reached.items():
            assert standing(insecure, APP, role, SKIPS_RLS) == how, role
        assert standing(insecure, APP, ADMIN, OWNS_INVOICES) == "grant"

        report = review(insecure)
        f = findings(report)
        assert by_check(report)["powerful-role"] == {r for r, how in reached.items() if how}
        for role in by_check(report)["powerful-role"]:
            finding = f["powerful-role", role]
            assert finding.value == (
                f"BYPASSRLS, NOLOGIN; logins that can SET ROLE to it: {APP} "
                "(by granting it to itself)"
            )
            lines = finding.fix.splitlines()
            assert lines[:2] == [
                f"ALTER ROLE {role} NOBYPASSRLS;",
                f"-- or take it from those logins: REVOKE {role} FROM <the member>;",
            ]
            # up to 15 CREATEROLE is the way; on 16 the ADMIN OPTION, which REVOKE takes
            assert lines[2:] == (
                []
                if pg16
                else [
                    "-- and CREATEROLE, with which PostgreSQL 15 and older let a role grant "
                    f"itself any role but a superuser: ALTER ROLE {APP} NOCREATEROLE;"
                ]
            )
        assert f["rls-not-forced", "public.invoices"].value == (
            f"row-level security enabled, not forced; owner {ADMIN}, used by {APP}"
        )

        conn.execute(f"ALTER ROLE {APP} NOCREATEROLE")
        again = by_check(review(insecure))
        if pg16:  # the ADMIN OPTION stays
            assert again["powerful-role"] == {ADMIN}
            assert again["rls-not-forced"] == {"public.invoices"}
            assert standing(insecure, APP, ADMIN, SKIPS_RLS) == "grant"
            conn.execute(f"REVOKE {ADMIN} FROM {APP}")
            again = by_check(review(insecure))
        assert again["powerful-role"] == again["rls-not-forced"] == set()
        assert standing(insecure, APP, ADMIN, SKIPS_RLS) is None


def test_password_encryption_set_to_md5(insecure: str) -> None:
    with engine.connect(insecure, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        db = sql.Identifier(name)
        conn.execute(sql.SQL("ALTER DATABASE {} SET password_encryption = 'md5'").format(db))
    report = api.health(insecure, checks=["md5-password"])
    (f,) = report.findings
    assert (f.object, f.value) == ("password_encryption", "md5 (set in: database)")
    assert f.fix == f"ALTER DATABASE {name} RESET password_encryption;"
    run_fixes(insecure, report.findings)
    assert api.health(insecure, checks=["md5-password"]).findings == ()


def test_a_pg_monitor_role_reads_all_but_the_secrets_and_the_passwords(insecure: str) -> None:
    as_owner = review(insecure)
    with monitor_role(insecure) as url:
        as_monitor = review(url)
    assert as_monitor.notes == (
        "md5-password: the roles' password hashes were not read: pg_authid is readable by "
        "superusers only (run the review as a superuser to check them)",
        "unhashed-secret: not sampled, the role may not SELECT them: public.users.password, "
        "public.users.password_hash, public.users.api_token, public.users.api_token_hash, "
        "public.users.secret (grant it SELECT on those columns, or pg_read_all_data)",
    )
    owner = by_check(as_owner)
    assert owner.pop("unhashed-secret")
    assert {k: v for k, v in by_check(as_monitor).items() if k != "unhashed-secret"} == owner


def test_row_level_security_keeps_secrets_from_the_sample(insecure: str) -> None:
    """A column the role reads through a policy is named in a note, not sampled (a policy
    that needs app.tenant_id would fail without it)."""
    with roles_dropped(insecure) as conn:
        conn.execute(f"CREATE ROLE {APP} LOGIN")
        conn.execute(f"GRANT SELECT ON users TO {APP}")
        conn.execute("ALTER TABLE users ADD tenant_id bigint")
        conn.execute("ALTER TABLE users ENABLE ROW LEVEL SECURITY")
        conn.execute(
            "CREATE POLICY users_tenant ON users "
            "USING (tenant_id = current_setting('app.tenant_id')::bigint)"
        )
        report = api.health(make_conninfo(insecure, user=APP), checks=["unhashed-secret"])
    assert report.findings == ()
    assert report.notes == (
        "unhashed-secret: not sampled, row-level security filters them for the role: "
        "public.users.password, public.users.password_hash, public.users.api_token, "
        "public.users.api_token_hash, public.users.secret (run as a superuser or a BYPASSRLS "
        "role)",
    )


def test_a_large_table_is_sampled(pg_scratch: str, tmp_path: Path) -> None:
    with engine.connect(pg_scratch, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, api_key text);"
            "INSERT INTO accounts SELECT g, 'key-' || g FROM generate_series(1, 100000) g;"
            "ANALYZE accounts"
        )
    report = api.health(
        pg_scratch, checks=["unhashed-secret"], config=config(tmp_path, "secret_sample_rows = 20")
    )
    (f,) = report.findings
    assert (f.object, f.value) == (
        "public.accounts.api_key",
        "20 of 20 sampled values do not look hashed",
    )


def test_the_review_writes_nothing(insecure: str) -> None:
    """The checks, sampling included, run in the read-only session and write nothing."""
    with SESSIONS["postgres"](databases.target(insecure), HealthConfig()) as probe:
        found = {chk: list(CHECKS[chk].fn(probe)) for chk in SECURITY}
        assert found["unhashed-secret"]
        assert probe.conn.execute("SELECT txid_current_if_assigned()").fetchone()[0] is None


# Hashes the server makes without extensions (md5(), sha256(), sha512() are built in) ...
CORE_HASHES = """
SELECT md5('pw'), encode(sha256('pw'), 'hex'), encode(sha512('pw'), 'hex'),
       encode(sha256('pw'), 'base64'), encode(sha512('pw'), 'base64'),
       'salt:' || encode(sha256('pw'), 'hex')
"""
# ... and with pgcrypto (PostgreSQL 15 only: the embedded server has none) ...
PGCRYPTO_HASHES = """
SELECT crypt('pw', gen_salt('bf', 4)), crypt('pw', gen_salt('md5')),
       encode(digest('pw', 'sha1'), 'base64')
"""
# ... the same kinds made once by pgcrypto on PostgreSQL 15, and SHA-1 by Python, for both.
PGCRYPTO_MADE = [
    "$2a$04$PcIG1xXgSj9aca88ukGXoOcO13g8exxQAkm20jXqCTLYj6xlQOhna",
    "$1$Z5LJo9z5$pNCvgYNb.lrO1132G2UxE1",
    base64.b64encode(hashlib.sha1(b"pw").digest()).decode(),
]
LOOK_HASHED = [
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
    "$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E",
    "$6$rounds=5000$usesomesillystri$D4IrlXatmP7rx3P3InaxBeoomnAihCKRVQP22JZ6EY47Wc6BkroIuUUBOov1"
    "i.S5KPgErtP/EN5mcO.ChWQW21",
    "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
    "$pbkdf2-sha256$29000$N2YMIWQsBWBMae09x1jrPQ$1t8iyB2A.WF/Z5JZv.lfCIhXXN33N23OSgQYThBYRfk",
    "pbkdf2_sha256$600000$s0mes4lt$Bd1gjzXUiVp5yGfM1Jrn6Z5Ut6JkBp8p2Lq6E0V+8kk=",
    "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$Yk9nJd4a1n9l7W5cZ1bQ7w",
    "pbkdf2:sha256:600000$dkZ9fK2q$" + "1b3b4e6b5c8d0f" * 4 + "abcdef01",
    "scrypt:32768:8:1$abcdEFGH12345678$" + "0123456789abcdef" * 8,
    "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g5NDMyODAy",
    "{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG",
]
LOOK_PLAIN = [
    "hunter2",
    "correct horse battery staple",
    "P@ssw0rd!",
    "$ecret$password",
    "{noop}a-password-stored-as-it-is",
    "{PLAIN}another-password-stored-as-it-is",
    "sk_live_51HhXyZabcdefghijklmnopqrstuvwxyz012345",
    "550e8400-e29b-41d4-a716-446655440000",
    "Password123",
]


def test_what_looks_hashed(pg_scratch: str, server: str) -> None:
    """The patterns, matched by the server as the check does, on real hashes of every kind it
    knows and on plain values."""
    with engine.connect(pg_scratch, autocommit=True) as conn:
        made = list(conn.execute(CORE_HASHES).fetchone()) + PGCRYPTO_MADE
        if SERVER[server]["pgcrypto"]:
            conn.execute("CREATE EXTENSION pgcrypto")
            made += list(conn.execute(PGCRYPTO_HASHES).fetchone())
        else:
            with pytest.raises(psycopg.errors.FeatureNotSupported):
                conn.execute("CREATE EXTENSION pgcrypto")
        assert len(made) == (12 if SERVER[server]["pgcrypto"] else 9)
        values = [*made, *LOOK_HASHED, *LOOK_PLAIN]
        looks = dict(
            conn.execute(
                "SELECT v, v ~ %s AND NOT v ~* %s FROM unnest(%s::text[]) v",
                [HASHED, PLAIN_SCHEME, values],
            ).fetchall()
        )
    assert [v for v in [*made, *LOOK_HASHED] if not looks[v]] == []
    assert [v for v in LOOK_PLAIN if looks[v]] == []
