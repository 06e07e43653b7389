"""dbdesign health's security checks (src/dbdesign/health/checks_security.py), each on a
pathology built on the real PostgreSQL 15 server ($DBDESIGN_TEST_PG_URL) in a scratch database,
with the near misses it must not report, the fixes run for real (they clear the findings), a
role with only pg_monitor + CONNECT (what it cannot read is a note), and the secrets' sampling
(values compared on the server, never read back; TABLESAMPLE on a large table).

Roles are the cluster's: only the names in tests.conftest.TEST_ROLES are created, each dropped
in a finally block, and the role checks look only at the roles a database knows, so these roles
never show in another test's review of its own database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from dbdesign import api, databases, engine
from dbdesign.health import CHECKS, HealthConfig, HealthReport
from dbdesign.health.checks_security import HASHED, PLAIN_SCHEME
from dbdesign.health.session import SESSIONS
from tests.conftest import server_url
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

PATHOLOGIES = """
GRANT CREATE ON SCHEMA public TO PUBLIC;                    -- PostgreSQL 14's default
CREATE SCHEMA app;                                          -- near miss: its owner's only
CREATE SCHEMA shared;
GRANT CREATE ON SCHEMA shared TO PUBLIC;
CREATE EXTENSION pgcrypto;                                  -- near miss: up to date
CREATE EXTENSION pg_trgm VERSION '1.5';                     -- 1.6 is the default

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
       CASE WHEN g % 3 = 0 THEN 'hunter' || g ELSE crypt('pw' || g, gen_salt('bf', 4)) END,
       crypt('pw' || g, gen_salt('bf', 4)),
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


@pytest.fixture
def insecure(scratch: str) -> str:
    with engine.connect(scratch, autocommit=True) as conn:
        conn.execute(PATHOLOGIES)
    return scratch


def review(url: str, cfg: HealthConfig | None = None) -> HealthReport:
    return api.health(url, checks=SECURITY, config=cfg)


def findings(report: HealthReport) -> dict[tuple[str, str], object]:
    return {(f.check, f.object): f for f in report.findings}


def run_fixes(url: str, report: HealthReport, *, skip: tuple[str, ...] = ()) -> None:
    """Run each finding's fix (comment lines left out; psql's \\password as ALTER ROLE)."""
    with engine.connect(url, autocommit=True) as conn:
        for f in report.findings:
            if f.check in skip:
                continue
            lines = [x for x in f.fix.splitlines() if not x.startswith("--")]
            text = "\n".join(
                f"ALTER ROLE {x.split()[1]} PASSWORD 'another-password';"
                if x.startswith("\\password ")
                else x
                for x in lines
            )
            conn.execute(text)


def test_each_pathology_is_found_and_the_near_misses_are_not(insecure: str) -> None:
    report = review(insecure)
    found = by_check(report)
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
    assert found["outdated-extension"] == {"pg_trgm"}
    assert found["powerful-role"] == found["md5-password"] == set()

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
    assert "crypt(password, gen_salt('bf', 12))" in password.fix
    token = f["unhashed-secret", "public.users.api_token"]
    assert token.value == "10 of 10 sampled values do not look hashed"
    assert "sha256" in token.fix
    for finding in report.findings:  # no sampled value is shown anywhere
        assert "hunter" not in str(finding) and "tok_" not in str(finding)
    ext = f["outdated-extension", "pg_trgm"]
    assert ext.value == "installed 1.5, available 1.6" and ext.severity.value == "info"
    assert ext.fix == "ALTER EXTENSION pg_trgm UPDATE;"


def test_the_fixes_run_and_clear_the_findings(insecure: str) -> None:
    report = review(insecure)
    assert len(report.findings) == 14
    run_fixes(insecure, report)
    again = review(insecure)
    assert again.findings == () and again.notes == ()
    with engine.connect(insecure) as conn:  # the hashed passwords were left as they were
        assert (
            conn.execute(
                "SELECT count(*) FROM users WHERE password = crypt('pw1', password)"
            ).fetchone()[0]
            == 1
        )


@contextmanager
def roles_dropped(url: str) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """A connection to ``url`` as its superuser; the test roles dropped afterwards (what they
    own or are granted in the scratch database first)."""
    try:
        with engine.connect(url, autocommit=True) as conn:
            yield conn
    finally:
        with engine.connect(url, autocommit=True) as conn:
            for role in (ADMIN, BYPASS, APP, MD5):
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                    conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        with engine.connect(server_url("pg15"), autocommit=True) as conn:
            for role in (ADMIN, BYPASS, APP, MD5):
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_roles_this_database_knows(insecure: str) -> None:
    with roles_dropped(insecure) as conn:
        db = sql.Identifier(conn.execute("SELECT current_database()").fetchone()[0])
        conn.execute(f"CREATE ROLE {ADMIN} LOGIN SUPERUSER")
        # a superuser that only other databases know (like this server's own 'root'): not
        # this database's review's
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
        assert bypass.fix.startswith(f"ALTER ROLE {BYPASS} NOBYPASSRLS;\n-- or ")
        forced = f["rls-not-forced", "public.invoices"]
        assert forced.value == (
            f"row-level security enabled, not forced; owner {APP}, used by {APP}"
        )
        assert forced.fix == "ALTER TABLE public.invoices FORCE ROW LEVEL SECURITY;"
        md5 = f["md5-password", MD5]
        assert md5.fix.startswith(f"SET password_encryption = 'scram-sha-256';\n\\password {MD5}")

        run_fixes(
            insecure,
            report,
            skip=tuple(
                c for c in SECURITY if c not in ("powerful-role", "md5-password", "rls-not-forced")
            ),
        )
        # a NOLOGIN superuser no login can become: near miss
        conn.execute(f"REVOKE {BYPASS} FROM {APP}")
        conn.execute(f"ALTER ROLE {BYPASS} SUPERUSER")
        conn.execute(f"GRANT SELECT ON invoices TO {BYPASS}")
        again = by_check(review(insecure))
        assert again["powerful-role"] == again["md5-password"] == again["rls-not-forced"] == set()


def test_password_encryption_set_to_md5(insecure: str) -> None:
    with engine.connect(insecure, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        db = sql.Identifier(name)
        conn.execute(sql.SQL("ALTER DATABASE {} SET password_encryption = 'md5'").format(db))
    report = api.health(insecure, checks=["md5-password"])
    (f,) = report.findings
    assert (f.object, f.value) == ("password_encryption", "md5 (set in: database)")
    assert f.fix == f"ALTER DATABASE {name} RESET password_encryption;"
    run_fixes(insecure, report)
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
        report = api.health(
            psycopg.conninfo.make_conninfo(insecure, user=APP), checks=["unhashed-secret"]
        )
    assert report.findings == ()
    assert report.notes == (
        "unhashed-secret: not sampled, row-level security filters them for the role: "
        "public.users.password, public.users.password_hash, public.users.api_token, "
        "public.users.api_token_hash, public.users.secret (run as a superuser or a BYPASSRLS "
        "role)",
    )


def test_a_large_table_is_sampled(scratch: str, tmp_path: Path) -> None:
    with engine.connect(scratch, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE accounts (id bigint PRIMARY KEY, api_key text);"
            "INSERT INTO accounts SELECT g, 'key-' || g FROM generate_series(1, 100000) g;"
            "ANALYZE accounts"
        )
    report = api.health(
        scratch, checks=["unhashed-secret"], config=config(tmp_path, "secret_sample_rows = 20")
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


HASHES = """
SELECT crypt('pw', gen_salt('bf', 4)), crypt('pw', gen_salt('md5')), md5('pw'),
       encode(sha256('pw'), 'hex'), encode(sha512('pw'), 'hex'),
       encode(sha256('pw'), 'base64'), encode(sha512('pw'), 'base64'),
       encode(digest('pw', 'sha1'), 'base64'), 'salt:' || encode(sha256('pw'), 'hex')
"""
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


def test_what_looks_hashed(scratch: str) -> None:
    """The patterns, matched by the server as the check does, on real hashes of every kind it
    knows and on plain values."""
    with engine.connect(scratch, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pgcrypto")
        made = list(conn.execute(HASHES).fetchone())
        values = [*made, *LOOK_HASHED, *LOOK_PLAIN]
        looks = dict(
            conn.execute(
                "SELECT v, v ~ %s AND NOT v ~* %s FROM unnest(%s::text[]) v",
                [HASHED, PLAIN_SCHEME, values],
            ).fetchall()
        )
    assert [v for v in [*made, *LOOK_HASHED] if not looks[v]] == []
    assert [v for v in LOOK_PLAIN if looks[v]] == []
