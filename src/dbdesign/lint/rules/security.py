"""Security: secrets and PII in plain columns, RLS, SECURITY DEFINER, grants to PUBLIC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dbdesign.lint.context import Context, words
from dbdesign.lint.findings import Hit
from dbdesign.lint.registry import rule
from dbdesign.model import Column, Function, Grant, Namespace, Origin, Sequence, Table, View

_PROTECTED = {
    "hash", "hashed", "digest", "encrypted", "enc", "crypt", "cipher", "ciphertext", "bcrypt",
    "scrypt", "argon2", "hmac", "sha256", "sha512", "salt", "salted", "kms", "vault",
}  # fmt: skip
_NOT_THE_SECRET = {
    "type", "kind", "name", "id", "count", "hint", "policy", "length", "expires", "expiry",
    "at", "on", "scope", "version", "required", "changed", "updated", "created", "set", "reset",
    "prefix", "suffix", "last", "first", "mask", "masked", "preview", "fingerprint",
    "expiration", "ttl", "lifetime", "sent", "used", "revoked", "status", "state",
}  # fmt: skip


def _has_phrase(ws: list[str], phrase: str) -> bool:
    p = phrase.split("_")
    return any(ws[i : i + len(p)] == p for i in range(len(ws) - len(p) + 1))


@rule("SEC001", "plaintext-secret-column", "error")
def plaintext_secret_column(ctx: Context) -> Iterator[Hit]:
    """A text column named like a secret (password, secret, token, api_key) looks unhashed.

    Rationale: A password, API key or token stored as readable text is exposed by every
    backup, replica, log of a slow query and SQL injection. Passwords must be stored as a
    slow salted hash (bcrypt, scrypt, argon2); keys and tokens hashed or encrypted. Not
    flagged: names that say the value is protected (`password_hash`, `token_digest`,
    `encrypted_secret`), columns that describe the secret rather than hold it
    (`token_type`, `password_changed_at`, `token_expires_at`, `api_token_prefix`,
    `token_last4`), non-text columns (`bytea` ciphertext), and columns whose comment
    mentions hashing or encryption.

    Bad:
        CREATE TABLE users (id bigint PRIMARY KEY, password text);

    Good:
        CREATE TABLE users (id bigint PRIMARY KEY, password_hash text);

    Fix: Store a hash (passwords) or ciphertext (keys) and rename the column to say so.
    """
    secrets = ctx.config.secret_words
    firsts = tuple({p.split("_")[0] for p in secrets})
    for t, c in ctx.columns:
        low = c.name.lower()
        if not any(f in low for f in firsts):
            continue
        ws = words(c.name)
        if not any(_has_phrase(ws, s) for s in secrets):
            continue
        last = next((w for w in reversed(ws) if not w.isdigit()), "")
        if _PROTECTED & set(ws) or last in _NOT_THE_SECRET or ctx.kind(c.type) != "text":
            continue
        note = (c.comment or "").lower()
        if any(k in note for k in ("hash", "encrypt", "bcrypt", "argon", "digest")):
            continue
        yield Hit(
            ctx.col_key(t, c),
            f"{ctx.col_key(t, c)} looks like a secret stored as plain text",
            c.origin or t.origin,
            f"store a hash or ciphertext and rename {c.name} (e.g. {c.name}_hash)",
        )


@rule("SEC002", "pii-without-comment", "warning")
def pii_without_comment(ctx: Context) -> Iterator[Hit]:
    """A column named like sensitive personal data (ssn, credit_card, iban ...) has no comment.

    Rationale: Social security, card and bank account numbers carry legal duties (PCI DSS,
    GDPR): who may read them, how they are encrypted, how long they are kept. A column
    comment is where the schema records that (`COMMENT ON COLUMN ... IS 'encrypted with ...;
    retention ...'`), so reviewers and data catalogs see it. Foreign key columns
    (`credit_card_id` pointing at a vault table) and booleans (`has_passport`) are not
    flagged. The words are `pii_words`.

    Bad:
        CREATE TABLE customers (id bigint PRIMARY KEY, ssn text);

    Good:
        CREATE TABLE customers (id bigint PRIMARY KEY, ssn bytea);
        COMMENT ON COLUMN customers.ssn IS 'pgp_sym_encrypt, key in vault; PII';

    Fix: Encrypt the column or tokenise it, and say so in COMMENT ON COLUMN.
    """
    firsts = tuple({p.split("_")[0] for p in ctx.config.pii_words})
    for t in ctx.base_tables:
        fk_cols = {c for fk in t.foreign_keys.values() for c in fk.columns}
        for c in ctx.own_columns(t):
            if c.comment or c.name in fk_cols or not any(f in c.name.lower() for f in firsts):
                continue
            if ctx.kind(c.type) not in ("text", "int", "numeric", "binary", "other"):
                continue
            ws = words(c.name)
            if any(_has_phrase(ws, p) for p in ctx.config.pii_words):
                yield Hit(
                    ctx.col_key(t, c),
                    f"{ctx.col_key(t, c)} looks like sensitive personal data and has no comment",
                    c.origin or t.origin,
                    _comment_sql(ctx, t, c),
                )


# What the suggested comment says: the reader replaces it with the column's real protection.
_PII_NOTE = "PII: <how it is protected, who may read it, how long it is kept>"


def _comment_sql(ctx: Context, t: Table, c: Column, note: str = _PII_NOTE) -> str:
    """The statement that documents a column with ``note``, or prose where the dialect has no
    comments."""
    if not ctx.d.capabilities.comments:
        return (
            f"{ctx.d.short_title} has no column comments: protect {c.name} (encrypt or "
            "tokenise it) and record how in the schema's documentation"
        )
    sql = ctx.d.comment_sql(note, t.schema, t.name, c.name)
    if sql is None and ctx.d.capabilities.modify_column:  # the comment is the column's (MySQL)
        from dbdesign.emit.mysql import column_sql

        col = column_sql(t, replace(c, comment=note))
        sql = f"ALTER TABLE {ctx.table_name(t)} MODIFY {col};"
    return sql or ""


# The privileges row-level security filters, and the policy commands that open them.
_RLS_COMMANDS = {"SELECT": "SELECT", "INSERT": "INSERT", "UPDATE": "UPDATE", "DELETE": "DELETE"}


@rule("SEC003", "rls-enabled-without-policy", "error", dialects=("postgres",))
def rls_without_policy(ctx: Context) -> Iterator[Hit]:
    """A table has row-level security enabled and grants a role a privilege that no policy
    lets it use.

    Rationale: With RLS enabled, a role other than the owner (and superusers, and BYPASSRLS
    roles) sees and changes only the rows a policy for its command lets it: a role granted
    SELECT with no SELECT (or ALL) policy for it, or for PUBLIC, reads no rows at all, and
    an INSERT, UPDATE or DELETE grant without its policy fails or changes nothing. A grant
    nobody can use is almost always a forgotten policy. A table with RLS enabled that grants
    nothing to other roles (only the owner works with it: a deliberate deny-all, or access
    through the owner's SECURITY DEFINER functions) is not flagged; nor are privileges RLS
    does not filter (TRUNCATE, REFERENCES, TRIGGER). Role membership is not modelled: a
    policy for a group role does not count for its members here.

    Bad:
        CREATE TABLE documents (id bigint PRIMARY KEY, owner text);
        ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
        GRANT SELECT ON documents TO app_user;

    Good:
        CREATE TABLE documents (id bigint PRIMARY KEY, owner text);
        ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
        GRANT SELECT ON documents TO app_user;
        CREATE POLICY documents_owner ON documents FOR SELECT TO app_user
          USING (owner = current_user);

    Fix: Write a policy for each role and command the table grants (CREATE POLICY ... FOR
    SELECT TO role USING (...)), or revoke the grants nobody is meant to use.
    """
    for t in ctx.tables:
        if not t.rls_enabled:
            continue
        policies = ctx.schema.policies_on(t.key) if ctx.schema.policies else ()
        open_: dict[str, list[str]] = {}
        for g in sorted(t.grants, key=lambda g: (g.grantee, g.privilege)):
            command = _RLS_COMMANDS.get(g.privilege.upper())
            if command is None:
                continue
            if any(
                p.command in ("ALL", command)
                and any(r.upper() == "PUBLIC" or r == g.grantee for r in p.roles)
                for p in policies
            ):
                continue
            open_.setdefault(g.grantee, []).append(command)
        if not open_:
            continue
        said = "; ".join(f"{', '.join(c)} to {r}" for r, c in sorted(open_.items()))
        yield Hit(
            t.key,
            f"table {t.key} has row-level security enabled and grants {said}, but no policy "
            "opens those rows to them",
            t.origin,
            f"write policies for those roles and commands (CREATE POLICY ... ON {t.name} FOR "
            "<command> TO <role> USING (...)), or revoke the grants nobody is meant to use",
        )


@rule("SEC004", "security-definer-without-search-path", "error", dialects=("postgres",))
def security_definer_search_path(ctx: Context) -> Iterator[Hit]:
    """A SECURITY DEFINER function does not fix its search_path.

    Rationale: The function runs with its owner's privileges but resolves unqualified names
    through the caller's search_path, so a caller who can create objects in any schema on
    that path can make it call their own function or read their own table with the owner's
    rights (pgspot PS003; the PostgreSQL manual, "Writing SECURITY DEFINER Functions Safely").

    Bad:
        CREATE FUNCTION reset_password(uid bigint) RETURNS void
          LANGUAGE sql SECURITY DEFINER AS 'UPDATE users SET password_hash = NULL WHERE id = uid';

    Good:
        CREATE FUNCTION reset_password(uid bigint) RETURNS void
          LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
          AS 'UPDATE public.users SET password_hash = NULL WHERE id = uid';

    Fix: Add SET search_path = pg_catalog, pg_temp (and qualify every name in the body).
    """
    for f in ctx.schema.functions.values():
        if f.security_definer and not any(
            c.replace(" ", "").lower().startswith("search_path=") for c in f.config
        ):
            yield Hit(
                f.key,
                f"SECURITY DEFINER function {f.signature} has no SET search_path",
                f.origin,
                f"ALTER {_routine(f)} {_signature(ctx, f)} SET search_path = pg_catalog, pg_temp;",
            )


def _routine(f: Function) -> str:
    """The key word GRANT, REVOKE and ALTER use for a routine (aggregates: FUNCTION)."""
    return "PROCEDURE" if f.kind == "procedure" else "FUNCTION"


def _signature(ctx: Context, f: Function) -> str:
    """A routine's quoted name and input argument types, as ALTER, GRANT and REVOKE take it."""
    from dbdesign.dialects.postgres import parse_type_string, type_sql

    types = []
    for a in f.arguments:
        if a.mode not in ("IN", "INOUT", "VARIADIC"):
            continue
        try:
            types.append(type_sql(parse_type_string(a.type)))
        except Exception:  # an exotic spelling: as the catalog printed it
            types.append(a.type)
    if f.kind == "aggregate" and not types:
        types = ["*"]
    return f"{ctx.ident(f.schema, f.name)}({', '.join(types)})"


def _public(grants: frozenset[Grant]) -> list[str]:
    return sorted(g.privilege for g in grants if g.grantee.upper() == "PUBLIC")


@rule("SEC005", "grant-to-public", "warning", dialects=("postgres",))
def grant_to_public(ctx: Context) -> Iterator[Hit]:
    """A table, view, sequence, function or schema grants privileges to PUBLIC.

    Rationale: PUBLIC is every role, including ones created later for other applications and
    for reporting; a grant to it cannot be reasoned about from the roles you know. Grant to a
    named role instead. The USAGE that PostgreSQL 15+ itself gives PUBLIC on the `public`
    schema is not flagged, nor the EXECUTE it gives PUBLIC on every routine (written out or
    not, the database holds the same), except on a SECURITY DEFINER routine: that one runs with
    its owner's rights for anyone.

    Bad:
        GRANT SELECT ON customers TO PUBLIC;

    Good:
        GRANT SELECT ON customers TO reporting;

    Fix: Revoke the privileges from PUBLIC (REVOKE ... ON TABLE|SEQUENCE|FUNCTION|SCHEMA ... FROM
    PUBLIC) and grant them to the roles that need them.
    """
    objects: list[tuple[str, str, frozenset[Grant], Origin | None, object]] = []
    objects += [("table", t.key, t.grants, t.origin, t) for t in ctx.tables]
    objects += [("view", v.key, v.grants, v.origin, v) for v in ctx.schema.views.values()]
    objects += [("sequence", q.key, q.grants, q.origin, q) for q in ctx.schema.sequences.values()]
    objects += [
        ("function", f.key, f.privileges if f.security_definer else f.grants, f.origin, f)
        for f in ctx.schema.functions.values()
    ]
    for n in ctx.schema.namespaces.values():
        grants = n.grants
        if n.name == "public":
            grants = frozenset(g for g in grants if g.privilege != "USAGE")
        objects.append(("schema", n.name, grants, n.origin, n))
    for kind, key, grants, origin, obj in objects:
        privs = _public(grants)
        if privs:
            # A routine has one privilege, EXECUTE, whatever spelling the source used.
            revoke = ["EXECUTE"] if kind == "function" else privs
            yield Hit(
                key,
                f"{kind} {key} grants {', '.join(privs)} to PUBLIC",
                origin,
                f"REVOKE {', '.join(revoke)} ON {_target(ctx, obj)} FROM PUBLIC;",
            )


def _target(ctx: Context, obj: object) -> str:
    """What GRANT and REVOKE name an object by: TABLE t (views too), SEQUENCE s, FUNCTION
    f(args), PROCEDURE p(args), SCHEMA s."""
    if isinstance(obj, Function):
        return f"{_routine(obj)} {_signature(ctx, obj)}"
    if isinstance(obj, Namespace):
        return f"SCHEMA {ctx.ident(obj.name)}"
    if isinstance(obj, Sequence):
        return f"SEQUENCE {ctx.ident(obj.schema, obj.name)}"
    assert isinstance(obj, Table | View)
    return f"TABLE {ctx.ident(obj.schema, obj.name)}"
