"""A migration plan: ordered operations, their statements with hazards, and their text.

:func:`diff_schemas` is the entry point; see :mod:`dbdesign.diff.compare` for how operations
are found and ordered and :mod:`dbdesign.diff.postgres_sql` for how they become SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from dbdesign.dialects.postgres import quote_ident
from dbdesign.diff import compare
from dbdesign.diff import operations as op
from dbdesign.diff.framing import ENUM_IN_TRANSACTION_SINCE, TransactionUnit, frame
from dbdesign.diff.operations import Hazard, Operation
from dbdesign.diff.postgres_sql import RenderContext, render
from dbdesign.diff.rename import apply_renames, invert_renames
from dbdesign.diff.statement import Statement
from dbdesign.emit.postgres import SchemaSql
from dbdesign.model import Schema

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "Plan",
    "Statement",
    "diff_schemas",
    "op_table",
    "render_statements",
    "render_units",
]

DEFAULT_LOCK_TIMEOUT = "5s"


_ROUTINE_OPS = (op.CreateFunction, op.ReplaceFunction)


def op_table(o: Operation) -> str | None:
    """The table an operation changes, if any (for hazards on tables created in the plan)."""
    for attr in ("table", "parent"):
        value = getattr(o, attr, None)
        if isinstance(value, str):
            return value
    if isinstance(o, op.CreateIndex | op.DropIndex):
        return o.index.table_key
    if isinstance(o, op.CreateTrigger | op.DropTrigger):
        return f"{o.trigger.schema}.{o.trigger.table}"
    if isinstance(o, op.CreatePolicy | op.DropPolicy):
        return f"{o.policy.schema}.{o.policy.table}"
    return None


@dataclass(frozen=True)
class Plan:
    """Operations that turn ``source`` into ``target``, in execution order."""

    operations: tuple[Operation, ...]
    source: Schema
    target: Schema
    renames: tuple[tuple[str, str], ...] = ()
    safe: bool = True
    notes: tuple[str, ...] = ()
    new_tables: frozenset[str] = field(default_factory=frozenset)
    renamed_source: Schema | None = None  # the source after the rename hints
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT
    column_order: bool = False  # tables rebuilt to reach the target's column order
    # the tables whose target column order the plan does not reach (a note names each), with
    # the order ALTER leaves them in: without column_order every such table; with it the
    # partitioned tables, partitions and inheritance parents (never rebuilt)
    order_left: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the renderers of both schemas, built by the planner (kept so they are built once)
    schema_sql: tuple[SchemaSql, SchemaSql] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def fresh_relations(self) -> frozenset[str]:
        """Tables and views the plan creates: empty, unseen by others until it commits (their
        statements carry no hazards)."""
        views = {o.view.key for o in self.operations if isinstance(o, op.CreateView)}
        return self.new_tables | views

    @property
    def is_empty(self) -> bool:
        return not self.operations

    @property
    def destructive(self) -> bool:
        """Whether some operation deletes data (a table, a column, a narrowing type change)."""
        return any(o.destructive for o in self.operations)

    @property
    def destructive_operations(self) -> tuple[Operation, ...]:
        return tuple(o for o in self.operations if o.destructive)

    @cached_property
    def _statements(self) -> tuple[Statement, ...]:
        if self.schema_sql is not None:
            ctx = RenderContext(*self.schema_sql)
        else:
            ctx = RenderContext(
                SchemaSql(self.renamed_source or self.source), SchemaSql(self.target)
            )
        out: list[Statement] = []
        path = "public"
        last: Operation | None = None
        routines = [o for o in self.operations if isinstance(o, _ROUTINE_OPS)]
        fresh = self.fresh_relations
        if routines:
            # a routine's body may name objects the plan creates after it (as emit_schema does)
            out.append(Statement("SET check_function_bodies = false", True, (), routines[0]))
        for o in self.operations:
            quiet = op_table(o) in fresh and not isinstance(o, op.DropTable)
            for r in render(o, ctx):
                want = r.path or "public"
                if want != path:
                    sp = quote_ident(want) if want == "public" else f"{quote_ident(want)}, public"
                    out.append(Statement(f"SET search_path = {sp}", True, (), o))
                    path = want
                hazards = r.hazards
                if quiet:
                    hazards = tuple(h for h in hazards if h.code == "not_transactional")
                out.append(Statement(r.sql, r.transactional, hazards, o, r.not_valid, r.validates))
            last = o
        if path != "public" and last is not None:
            out.append(Statement("SET search_path = public", True, (), last))
        return tuple(out)

    def statements(self) -> tuple[Statement, ...]:
        """Every statement in order (with ``SET search_path`` where expressions need it)."""
        return self._statements

    def transactions(self, server: int = ENUM_IN_TRANSACTION_SINCE) -> tuple[TransactionUnit, ...]:
        """The statements grouped into the fewest safe transactions for a server of major
        version ``server`` (each unit with the reason it starts; :mod:`dbdesign.diff.framing`)."""
        return frame(self.statements(), server=server)

    def hazards(self) -> tuple[Hazard, ...]:
        seen: dict[str, Hazard] = {}
        for st in self.statements():
            for h in st.hazards:
                seen.setdefault(h.code, h)
        return tuple(seen.values())

    def sql(self, *, comments: bool = True, server: int = ENUM_IN_TRANSACTION_SINCE) -> str:
        """The migration as one script (what ``dbdesign diff --format sql`` prints): a
        ``SET lock_timeout`` first in safe mode and ``SET search_path = public`` (expressions are
        written for it), then each operation's statements under a comment naming the operation
        and its hazards, framed into transactions (:func:`render_units`); with ``comments``, the
        plan's notes (what it leaves different, such as a column order) as ``-- note:`` lines
        at the end."""
        if self.is_empty:
            return ""
        settings = f"SET lock_timeout = '{self.lock_timeout}';\n" if self.safe else ""
        settings += "SET search_path = public;\n"
        tail = ""
        if comments and self.notes:
            tail = "".join(f"\n-- note: {n}" for n in self.notes) + "\n"
        units = self.transactions(server)
        return render_units(units, comments=comments, settings=settings) + tail

    def reverse(self) -> Plan:
        """The down migration: the plan from ``target`` back to ``source`` (each change undone;
        computed as the diff in the other direction, with the rename hints inverted)."""
        return diff_schemas(
            self.target,
            self.source,
            renames=invert_renames(dict(self.renames)),
            safe=self.safe,
            column_order=self.column_order,
        )

    def as_json(self) -> dict[str, Any]:
        ops = []
        by_op: dict[int, list[Statement]] = {}
        for st in self.statements():
            by_op.setdefault(id(st.operation), []).append(st)
        for o in self.operations:
            ops.append(
                {
                    "kind": o.kind,
                    "subject": o.subject,
                    "description": o.describe(),
                    "destructive": o.destructive,
                    "statements": [s.as_json() for s in by_op.get(id(o), [])],
                }
            )
        return {
            "empty": self.is_empty,
            "destructive": self.destructive,
            "safe": self.safe,
            "lock_timeout": self.lock_timeout if self.safe and not self.is_empty else None,
            "operations": ops,
            "transactions": [
                {
                    "in_transaction": u.in_transaction,
                    "reason": u.reason,
                    "sql": [s.sql for s in u.statements],
                }
                for u in self.transactions()
            ],
            "notes": list(self.notes),
        }

    def text(self) -> str:
        """Operations with their hazards, for people (``--format text``)."""
        if self.is_empty:
            return "no differences\n"
        by_op: dict[int, list[Statement]] = {}
        for st in self.statements():
            by_op.setdefault(id(st.operation), []).append(st)
        lines = []
        for i, o in enumerate(self.operations, 1):
            mark = " [destructive]" if o.destructive else ""
            lines.append(f"{i:3}. {o.describe()}{mark}")
            seen: set[tuple[str, str]] = set()
            for st in by_op.get(id(o), []):
                for h in st.hazards:
                    if (h.code, h.message) not in seen:
                        seen.add((h.code, h.message))
                        lines.append(f"       {h.code}: {h.message}")
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines) + "\n"


def render_statements(statements: Iterable[Statement], *, comments: bool = True) -> str:
    """Statements as script text, each operation introduced by a comment with its hazards."""
    lines: list[str] = []
    current: Operation | None = None
    for st in statements:
        if comments and st.operation is not current:
            current = st.operation
            lines.append("")
            lines.append(f"-- {current.describe()}")
        if comments:
            codes = sorted({h.code for h in st.hazards if h.code != "not_transactional"})
            if codes:
                lines.append(f"-- hazards: {', '.join(codes)}")
        lines.append(st.sql.rstrip() + ";")
    return "\n".join(lines).lstrip("\n") + "\n"


ONE_TRANSACTION = (
    "-- one transaction: run the whole script in one (psql --single-transaction, or the files "
    "of `dbdesign migrate new --from-diff`)"
)


def render_units(
    units: Sequence[TransactionUnit], *, comments: bool = True, settings: str = ""
) -> str:
    """Framed statements after the session ``settings``: a single transaction as the statements
    alone (the comment saying to run them in one heads the script, above the settings);
    several units each under a comment with the reason it starts, a transaction between
    ``BEGIN;`` and ``COMMIT;``, statements outside one without."""
    if len(units) == 1 and units[0].in_transaction:
        head = ONE_TRANSACTION + "\n" if comments else ""
        return head + settings + render_statements(units[0].statements, comments=comments)
    parts: list[str] = []
    count = sum(u.in_transaction for u in units)
    k = 0
    for u in units:
        body = render_statements(u.statements, comments=comments)
        if u.in_transaction:
            k += 1
            label = f"-- transaction {k} of {count}: {u.reason}\n"
            body = f"BEGIN;\n{body}COMMIT;\n"
        else:
            label = f"-- outside a transaction (each statement commits on its own): {u.reason}\n"
        parts.append((label if comments else "") + body)
    return settings + "\n".join(parts)


def diff_schemas(
    source: Schema,
    target: Schema,
    *,
    renames: Mapping[str, str] | None = None,
    safe: bool = True,
    column_order: bool = False,
) -> Plan:
    """The plan that turns ``source`` into ``target``.

    ``renames`` maps old keys to new names (``{"public.old": "new"}`` for a table, view, index,
    sequence or type; ``{"public.t.old": "new"}`` for a column): those objects are renamed with
    ALTER ... RENAME rather than dropped and created. ``safe`` chooses the forms that keep a live
    database available (CREATE INDEX CONCURRENTLY, NOT VALID + VALIDATE, SET NOT NULL through a
    validated check, a lock_timeout).

    A table whose target column order ALTER cannot reach (ADD COLUMN only appends) keeps the
    order ALTER leaves, and a note in ``plan.notes`` says so; ``column_order=True`` rebuilds it
    instead (renamed aside, created anew, every row copied with INSERT ... SELECT under an
    ACCESS EXCLUSIVE lock, its foreign keys added again).
    """
    hints = dict(renames or {})
    renamed, rename_ops = apply_renames(source, hints) if hints else (source, [])
    planned = compare.plan(renamed, target, safe=safe, column_order=column_order)
    return Plan(
        operations=(*rename_ops, *planned.operations),
        source=source,
        target=target,
        renames=tuple(sorted(hints.items())),
        safe=safe,
        column_order=column_order,
        order_left=planned.order_left,
        notes=planned.notes,
        new_tables=planned.new_tables,
        renamed_source=renamed if hints else None,
        schema_sql=(planned.source_sql, planned.target_sql),
    )
