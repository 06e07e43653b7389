"""Renderers of COMMENT ON, GRANT and REVOKE, which name objects of every kind."""

from __future__ import annotations

from dbdesign.dialects.postgres import quote_ident
from dbdesign.diff.postgres_sql.base import RenderContext, Rendered, op, renders
from dbdesign.emit.pg_routines import function_signature
from dbdesign.emit.pg_text import comment_literal, grantee_sql, qualified_key


def object_name(ref: op.ObjectRef, ctx: RenderContext) -> str:
    """The object as COMMENT ON / GRANT name it (without the kind word)."""
    kind = ref.kind
    if kind == "SCHEMA":
        return quote_ident(ref.key)
    if kind in ("FUNCTION", "PROCEDURE", "AGGREGATE"):
        fn = ctx.function(ref.key)
        if fn is not None:
            return function_signature(fn)
        return ref.key
    if kind == "COLUMN":
        return f"{qualified_key(ref.key)}.{quote_ident(ref.member or '')}"
    if kind in ("TRIGGER", "POLICY", "RULE", "CONSTRAINT"):
        return f"{quote_ident(ref.member or '')} ON {qualified_key(ref.key)}"
    if kind == "DOMAIN CONSTRAINT":
        return f"{quote_ident(ref.member or '')} ON DOMAIN {qualified_key(ref.key)}"
    return qualified_key(ref.key)


@renders(op.SetComment)
def _set_comment(o: op.SetComment, ctx: RenderContext) -> list[Rendered]:
    kind = "CONSTRAINT" if o.target.kind == "DOMAIN CONSTRAINT" else o.target.kind
    return [Rendered(f"COMMENT ON {kind} {object_name(o.target, ctx)} IS {comment_literal(o.new)}")]


def _grant_kind(ref: op.ObjectRef) -> str:
    if ref.kind in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
        return "TABLE"
    if ref.kind == "AGGREGATE":
        return "FUNCTION"
    return ref.kind


@renders(op.GrantPrivilege)
def _grant(o: op.GrantPrivilege, ctx: RenderContext) -> list[Rendered]:
    g = o.grant
    sql = (
        f"GRANT {g.privilege.upper()} ON {_grant_kind(o.target)} {object_name(o.target, ctx)} "
        f"TO {grantee_sql(g.grantee)}"
    )
    if g.grantable:
        sql += " WITH GRANT OPTION"
    return [Rendered(sql)]


@renders(op.RevokePrivilege)
def _revoke(o: op.RevokePrivilege, ctx: RenderContext) -> list[Rendered]:
    g = o.grant
    opt = "GRANT OPTION FOR " if o.option_only else ""
    return [
        Rendered(
            f"REVOKE {opt}{g.privilege.upper()} ON {_grant_kind(o.target)} "
            f"{object_name(o.target, ctx)} FROM {grantee_sql(g.grantee)}"
        )
    ]
