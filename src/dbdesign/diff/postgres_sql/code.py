"""Renderers of the operations on objects defined by SQL text: views, functions,
procedures and aggregates, triggers, rules, policies."""

from __future__ import annotations

from dbdesign.dialects.postgres import qualified, quote_ident
from dbdesign.diff.postgres_sql.base import (
    BRIEF_LOCK,
    Hazard,
    RenderContext,
    Rendered,
    exclusive_lock,
    from_object,
    op,
    renders,
)
from dbdesign.emit.pg_clauses import view_sql
from dbdesign.emit.pg_routines import (
    function_node_kind,
    function_signature,
    function_sql,
    routine_word,
)
from dbdesign.emit.pg_text import expr_path, grantee_sql, schema_of


@renders(op.CreateView)
def _create_view(o: op.CreateView, ctx: RenderContext) -> list[Rendered]:
    hazards: tuple[Hazard, ...] = ()
    if o.view.materialized:
        hazards = (Hazard("table_scan", "runs the query to fill the materialized view"),)
    return from_object(ctx.target, "view", o.view.key, hazards)


@renders(op.DropView)
def _drop_view(o: op.DropView, ctx: RenderContext) -> list[Rendered]:
    what = "MATERIALIZED VIEW" if o.view.materialized else "VIEW"
    gone = o.view.key not in ctx.target.schema.views
    return [
        Rendered(
            f"DROP {what} {qualified(o.view.schema, o.view.name)}",
            hazards=(_VIEW_GONE,) if gone else (),
        )
    ]


_VIEW_GONE = Hazard(
    "breaking_change",
    "running code that reads the view fails ('relation does not exist') once this commits "
    "(the target has no such view)",
)


@renders(op.ReplaceView)
def _replace_view(o: op.ReplaceView, ctx: RenderContext) -> list[Rendered]:
    return [
        Rendered(view_sql(o.new, or_replace=True), schema_of(o.new.query), hazards=(BRIEF_LOCK,))
    ]


# --------------------------------------------------------------------------- routines


@renders(op.CreateFunction)
def _create_function(o: op.CreateFunction, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, function_node_kind(o.function), o.function.key)


@renders(op.DropFunction)
def _drop_function(o: op.DropFunction, ctx: RenderContext) -> list[Rendered]:
    fn = o.function
    return [Rendered(f"DROP {routine_word(fn)} {function_signature(fn)}")]


@renders(op.ReplaceFunction)
def _replace_function(o: op.ReplaceFunction, ctx: RenderContext) -> list[Rendered]:
    fn = o.new
    return [Rendered(function_sql(fn, or_replace=True), expr_path(a.default for a in fn.arguments))]


# --------------------------------------------------------------------------- triggers, rules,
# policies


TRIGGER_LOCK = Hazard(
    "share_row_exclusive_lock",
    "takes a SHARE ROW EXCLUSIVE lock on the table briefly (catalog change only): writes wait "
    "(reads continue); it waits for running writes and blocks new ones while it waits",
)


@renders(op.CreateTrigger)
def _create_trigger(o: op.CreateTrigger, ctx: RenderContext) -> list[Rendered]:
    return from_object(
        ctx.target,
        "trigger",
        o.trigger.key,
        (TRIGGER_LOCK,),
    )


@renders(op.DropTrigger)
def _drop_trigger(o: op.DropTrigger, ctx: RenderContext) -> list[Rendered]:
    t = o.trigger
    return [
        Rendered(
            f"DROP TRIGGER {quote_ident(t.name)} ON {qualified(t.schema, t.table)}",
            hazards=(BRIEF_LOCK,),
        )
    ]


@renders(op.SetTriggerEnabled)
def _trigger_enabled(o: op.SetTriggerEnabled, ctx: RenderContext) -> list[Rendered]:
    from dbdesign.emit.postgres import trigger_enable_sql

    off = (_TRIGGER_OFF,) if "DISABLE" in trigger_enable_sql(o.new) else ()
    return [Rendered(trigger_enable_sql(o.new), hazards=(TRIGGER_LOCK, *off))]


_TRIGGER_OFF = Hazard(
    "trigger_disabled",
    "the trigger stops firing for ordinary sessions (as the target has it): whatever it "
    "maintains (audit rows, derived columns, checks) is no longer kept up by it",
)


@renders(op.CreateRule)
def _create_rule(o: op.CreateRule, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, "rule", o.rule.key, (exclusive_lock(),))


@renders(op.DropRule)
def _drop_rule(o: op.DropRule, ctx: RenderContext) -> list[Rendered]:
    r = o.rule
    return [
        Rendered(
            f"DROP RULE {quote_ident(r.name)} ON {qualified(r.schema, r.table)}",
            hazards=(exclusive_lock(),),
        )
    ]


@renders(op.CreatePolicy)
def _create_policy(o: op.CreatePolicy, ctx: RenderContext) -> list[Rendered]:
    return from_object(ctx.target, "policy", o.policy.key, (BRIEF_LOCK,))


@renders(op.DropPolicy)
def _drop_policy(o: op.DropPolicy, ctx: RenderContext) -> list[Rendered]:
    p = o.policy
    return [
        Rendered(
            f"DROP POLICY {quote_ident(p.name)} ON {qualified(p.schema, p.table)}",
            hazards=(BRIEF_LOCK,),
        )
    ]


@renders(op.AlterPolicy)
def _alter_policy(o: op.AlterPolicy, ctx: RenderContext) -> list[Rendered]:
    a, b = o.old, o.new
    sql = f"ALTER POLICY {quote_ident(b.name)} ON {qualified(b.schema, b.table)}"
    if a.roles != b.roles:
        roles = b.roles or ("PUBLIC",)
        sql += f" TO {', '.join(grantee_sql(r) for r in roles)}"
    if a.using != b.using and b.using is not None:
        sql += f" USING ({b.using.text})"
    if a.with_check != b.with_check and b.with_check is not None:
        sql += f" WITH CHECK ({b.with_check.text})"
    return [Rendered(sql, expr_path([b.using, b.with_check]), hazards=(BRIEF_LOCK,))]
