"""DESIGN.md and the ASCII ERD of a design (the format of seed 001's design document)."""

from __future__ import annotations

from collections.abc import Sequence

from dbdesign import dialects
from dbdesign.conventions import TENANT_SETTING
from dbdesign.design import Design, PatternPlan, TableInfo
from dbdesign.design.build import CYCLE_NULLABLE, NOT_PARTITIONED
from dbdesign.design.choice import ENGINES
from dbdesign.design.citus_doc import citus_md, replica_md
from dbdesign.design.data_shape import shape_md
from dbdesign.design.doc_columns import description
from dbdesign.design.doc_ops import caching_md, pool_md, recovery_md, storage_md
from dbdesign.design.naming import plural
from dbdesign.design.partitioning import AHEAD_MONTHS, LOCK_TIMEOUT, MAINTAIN
from dbdesign.design.patterns import LINKED_LARGE_ROWS, LINKED_SHARE
from dbdesign.design.prove import Proof
from dbdesign.design.prove_result import SORTED_ROWS_OK
from dbdesign.model import Column, Schema, Table
from dbdesign.readers.spec import Entity


def ascii_erd(schema: Schema, tables: Sequence[str] | None = None, per_row: int = 3) -> str:
    """Boxes of tables (PK/FK marked) in rows, then one line per relationship."""
    keys = list(tables or schema.tables)
    shown = [schema.tables[k] for k in keys if schema.tables[k].partition_of is None]
    boxes = [_box(t) for t in shown]
    lines: list[str] = []
    for i in range(0, len(boxes), per_row):
        row = boxes[i : i + per_row]
        height = max(len(b) for b in row)
        widths = [len(b[0]) for b in row]
        for h in range(height):
            lines.append(
                "   ".join(
                    b[h] if h < len(b) else " " * w for b, w in zip(row, widths, strict=True)
                ).rstrip()
            )
        lines.append("")
    lines.append("Relationships (child ──▶ parent):")
    for t in shown:
        for fk in t.foreign_keys.values():
            parent = fk.ref_table.split(".", 1)[1]
            lines.append(
                f"  {t.name}.{','.join(fk.columns)} ──▶ {parent}.{','.join(fk.ref_columns)}"
                f"  (ON DELETE {fk.delete_action})"
            )
    return "\n".join(lines).rstrip() + "\n"


def _box(t: Table) -> list[str]:
    pk = set(t.primary_key.columns) if t.primary_key else set()
    fk = {c for f in t.foreign_keys.values() for c in f.columns}
    rows = []
    for c in t.columns:
        marks = ", ".join(m for m, on in (("PK", c.name in pk), ("FK", c.name in fk)) if on)
        rows.append(f"{c.name} ({marks})" if marks else c.name)
    width = max(len(t.name), *(len(r) for r in rows)) + 2
    out = ["┌" + "─" * width + "┐", "│ " + t.name.ljust(width - 1) + "│", "├" + "─" * width + "┤"]
    out += ["│ " + r.ljust(width - 1) + "│" for r in rows]
    out.append("└" + "─" * width + "┘")
    return out


def _type(c: Column, dialect: str) -> str:
    text = str(c.type)
    if c.identity:
        auto = dialects.get(dialect).capabilities.auto_increment
        text += " AUTO_INCREMENT" if auto else " IDENTITY"
    if c.generated:
        text += " GENERATED"
    return text


def _constraints(t: Table, c: Column, schema: Schema) -> str:
    out = _key_marks(t, c, schema)
    out.append("NOT NULL" if not c.nullable else "NULL allowed")
    if c.default is not None:
        out.append(f"DEFAULT {c.default.text}")
    on_update = t.dialect_options.get(f"on_update:{c.name}")
    if on_update:
        out.append(f"ON UPDATE {on_update}")
    for ck in t.checks.values():
        if ck.name.endswith("_" + c.name):
            out.append(f"CHECK ({ck.expr.text})")
    return ", ".join(out).replace("|", "\\|")


def _key_marks(t: Table, c: Column, schema: Schema) -> list[str]:
    """The keys a column is part of: primary, foreign, unique (constraints and indexes)."""
    out = []
    if t.primary_key and c.name in t.primary_key.columns:
        out.append("PRIMARY KEY" if len(t.primary_key.columns) == 1 else "PK part")
    for fk in t.foreign_keys.values():
        if c.name in fk.columns:
            out.append(f"FK → {fk.ref_table.split('.', 1)[1]}({', '.join(fk.ref_columns)})")
            if fk.initially_deferred:
                out.append("DEFERRABLE INITIALLY DEFERRED")
    for u in t.uniques.values():
        if c.name in u.columns:
            out.append("UNIQUE" if len(u.columns) == 1 else f"UNIQUE ({', '.join(u.columns)})")
    for ix in schema.indexes_on(t.key):
        if ix.unique and any(e.column == c.name for e in ix.elements):
            where = f" WHERE {ix.where.text}" if ix.where else ""
            out.append(f"UNIQUE{where}")
    return out


def _index_line(ix_name: str, d: Design, table: Table) -> str:
    dialect = dialects.get(d.dialect)
    if dialect.capabilities.index_name_scope == "table":  # the key names the table
        ix = d.schema.indexes.get(f"{table.key}.{ix_name}")
        key = f"{table.name}.{ix_name}" if ix_name == dialect.primary_key_name else ix_name
    else:
        ix = d.schema.indexes.get(f"{next(iter(d.schema.namespaces))}.{ix_name}")
        key = ix_name
    purposes = "; ".join(d.index_purposes.get(key, ()))
    if table.primary_key and ix_name == table.primary_key.name:
        purposes = "; ".join(filter(None, ["primary key: identifies each row", purposes]))
    if ix is None:
        return f"- `{ix_name}` — {purposes}"
    cols = ", ".join(
        (e.column or (e.expr.text if e.expr else "?")) + (" DESC" if e.descending else "")
        for e in ix.elements
    )
    extra = ""
    if ix.include:
        extra += f" INCLUDE ({', '.join(ix.include)})"
    if ix.where is not None:
        extra += f" WHERE {ix.where.text}"
    kind = ("UNIQUE " if ix.unique else "") + (
        f"{ix.method.upper()} " if ix.method != "btree" else ""
    )
    return f"- `{ix_name}` {kind}ON ({cols}){extra} — {purposes}"


def design_md(
    d: Design,
    *,
    mermaid: str,
    erd: str,
    schema_sql: str,
    proof: Proof | None,
    generated_at: str,
) -> str:
    server = dialects.get(d.dialect)
    out = _overview(d, generated_at)
    out += choice_md(d)
    out += [
        "## Schema Design",
        "",
        "### Entity-Relationship Diagram",
        "",
        "```mermaid",
        mermaid.rstrip(),
        "```",
        "",
        "```",
        erd.rstrip(),
        "```",
        "",
    ]
    by_table = {t.key: t for t in d.tables}
    for key, info in by_table.items():
        out += _table_section(d, d.schema.tables[key], info)
    out += _queries(d, proof)
    tables = [d.schema.tables[k] for k in by_table]
    ops = server.operations
    out += ["## Migration Strategy", "", *(ops.migration if ops else ()), ""]
    out += [
        "```sql",
        "-- Example future migration (backwards compatible)",
        f"ALTER TABLE {tables[0].name} ADD COLUMN notes text;",
        "-- Down",
        f"ALTER TABLE {tables[0].name} DROP COLUMN notes;",
        "```",
        "",
        "## Scaling Strategy",
        "",
    ]
    out += _scaling(d, proof)
    out += _business_rules(d, proof)
    out += ["## Data Integrity Rules", ""]
    out += [f"{n}. {rule}" for n, rule in enumerate(_integrity_rules(d, tables), 1)]
    out += ["", "## Decisions", "", "| Subject | Decision | Reason |", "|---|---|---|"]
    out += [f"| {x.subject} | {x.choice} | {x.reason} |" for x in d.decisions]
    out += ["", "## Backup Strategy", "", *recovery_md(d), ""]
    out += [
        "## Monitoring Metrics",
        "",
        *[
            f"- `{pp.pattern.name}`: p95 latency against its {pp.pattern.latency_ms:g} ms target"
            for pp in d.patterns
        ],
        *(ops.monitoring if ops else ()),
        "",
        "## Appendix: schema.sql",
        "",
        "```sql",
        schema_sql.rstrip(),
        "```",
        "",
    ]
    return "\n".join(out)


def _overview(d: Design, generated_at: str) -> list[str]:
    """The title block and the overview: what the spec asks for, in numbers."""
    spec = d.spec
    p = spec.project
    return [
        "# Database Design Document",
        f"**Date:** {generated_at}",
        f"**Database:** {p.name}",
        f"**Type:** {dialects.get(d.dialect).title}"
        + (" + Redis (hybrid: the Redis part closes this document)" if d.redis_part else ""),
        "",
        "## Overview",
        "",
        (p.description or f"The {p.name} database.").strip(),
        "",
        f"{len([t for t in d.tables if t.entity])} entities, "
        f"{len([t for t in d.tables if not t.entity])} link tables, "
        f"{len(spec.access_patterns)} access patterns, workload {p.workload.type} "
        f"({p.workload.read_write_ratio:g} reads per write), {p.consistency} consistency.",
        "",
    ]


def choice_md(d: Design, selected: str | None = None) -> list[str]:
    """The database choice: the selected (default: the design's dialect) and recommended
    engines, the reasons and the scores."""
    ch = d.choice
    out = ["## Database Choice", ""]
    if ch.note:
        out += [f"> **Recommendation first:** {ch.note}", ""]
    return [
        *out,
        f"**Selected:** {selected or dialects.get(d.dialect).title} (a {ch.kind} database)",
        f"**Recommended for these requirements:** {ENGINES[ch.recommended_engine]} ({ch.kind})",
        "",
        "**Rationale:**",
        "",
        *[f"- {r}" for r in ch.reasons],
        "",
        "| Kind | Score | Why |",
        "|---|---|---|",
        *[f"| {s.kind} | {s.points} | {'; '.join(s.reasons) or '—'} |" for s in ch.scores],
        "",
    ]


def _table_section(d: Design, t: Table, info: TableInfo) -> list[str]:
    """One table: its purpose, columns, indexes, relationships and partitioning."""
    out = [f"### Table: {t.name}", "", f"**Purpose:** {info.purpose}", ""]
    out += ["| Column | Type | Constraints | Description |", "|---|---|---|---|"]
    for c in t.columns:
        desc = description(d, t, c, info.entity)
        out.append(
            f"| {c.name} | {_type(c, d.dialect)} | {_constraints(t, c, d.schema)} | {desc} |"
        )
    out.append("")
    names = [t.primary_key.name] if t.primary_key else []
    names += list(t.uniques) + [ix.name for ix in d.schema.indexes_on(t.key)]
    out += ["**Indexes:**", ""]
    out += [_index_line(n, d, t) for n in names]
    out.append("")
    if info.relationships:
        out += ["**Relationships:**", "", *[f"- {r}" for r in info.relationships], ""]
    rules = [r for r in d.rules if r.table == t.key]
    if rules:
        out += ["**Business rules** (see Business Rules):", ""]
        out += [
            f"- `{r.name}`: {_code(r.statement)} — {r.how or 'kept by the application'}"
            for r in rules
        ]
        out.append("")
    if t.partition_by:
        by = ", ".join(e.column or "?" for e in t.partition_by.elements)
        out += [
            f"**Partitioned:** by month of {by}, kept by `{MAINTAIN}` (see Write Scaling).",
            "",
        ]
    return out


def _queries(d: Design, proof: Proof | None) -> list[str]:
    """Each access pattern's query, index and target, with what the proof measured (if run)."""
    server = dialects.get(d.dialect)
    engine = server.title
    out = ["## Query Performance Analysis", ""]
    if proof is None and not server.embedded:  # not proved for want of a server
        servers = engine.replace(" / ", " or ")
        out += [
            "> **Not measured:** the proof (apply, fill with generated rows, EXPLAIN every "
            f"access pattern) needs a {servers} server and was not run for this {engine} "
            f"design: `dbdesign design SPEC --dialect {server.name} --db {server.example_url}` "
            "runs it. The indexes below are designed, not measured.",
            "",
        ]
    results = {r.pattern: r for r in proof.results} if proof else {}
    for i, pp in enumerate(d.patterns, 1):
        pat = pp.pattern
        out += [f"### Query {i}: {pat.name}", ""]
        if pat.description:
            out += [pat.description, ""]
        out += ["```sql", pp.sql + ";", "```", ""]
        out.append(
            f"**Index:** `{pp.index}` — {pp.reason}"
            if pp.index
            else f"**Index:** none — {pp.reason}"
        )
        target = f"p95 < {pat.latency_ms:g} ms"
        rate = f", {pat.rate_per_second:g}/s" if pat.rate_per_second else ""
        out.append(f"**Target:** {target}{rate}")
        shape = _claimed_shape(pp)
        if shape:
            out.append(f"**Plan shape (checked by the proof):** {shape}")
        r = results.get(pat.name)
        if r is not None:
            verdict = "PASS" if r.ok else "FAIL"
            out += [
                f"**Measured ({verdict}):** {r.summary}",
                "",
                *r.set_lines(),
                "",
                "```",
                r.plan_text.rstrip(),
                "```",
            ]
            if r.tuning is not None:
                out += ["", *r.tuning.lines()]
        out.append("")
    if proof:
        out += ["### Proof", "", proof.summary_md(), "", *shape_md(d), ""]
    return out


def _claimed_shape(pp: PatternPlan) -> str:
    """The shape DESIGN.md claims for a pattern's plan, which the proof holds it to."""
    parts = []
    per = pp.pattern.per_group
    if pp.ordered and per:
        parts.append(
            f"each group's rows come out of `{pp.index}` in the pattern's order, so its LIMIT "
            f"{per.limit} stops after {per.limit} rows: no parameter set may sort more than "
            f"{SORTED_ROWS_OK:,} rows (the rows the listed groups hold are counted as matched)"
        )
    elif pp.ordered:
        parts.append(
            f"rows come out of `{pp.index}` in the pattern's order, so LIMIT stops early: no "
            f"parameter set may sort more than {SORTED_ROWS_OK:,} rows (a key with fewer rows "
            "may be read and sorted, which the planner rightly finds cheaper)"
        )
    if pp.covering:
        parts.append(f"index-only: `{pp.index}` holds every column read")
    if pp.link:
        far = pp.table.split(".", 1)[1]
        parts.append(
            f"with typical values the links of one row come through `{pp.index}`; "
            f"`{pp.link}` is never read whole; once `{far}` holds more than "
            f"{LINKED_LARGE_ROWS:,} rows and one row's links reach at most "
            f"{LINKED_SHARE:.0%} of them, the join starts from the links and reads each by "
            "primary key (a nested loop), never the whole table"
        )
    if pp.reads:
        every = ", ".join(f"`{i}`" for i in (pp.index, *pp.reads))
        parts.append(f"with typical values the plan reads each of {every} (one per branch)")
    return "; ".join(parts)


def _business_rules(d: Design, proof: Proof | None) -> list[str]:
    """The spec's rules: each as stated, how this dialect enforces it (or why the
    application must), and what the proof's violating write met."""
    if not d.rules:
        return []
    server = dialects.get(d.dialect)
    results = {r.rule: r for r in proof.rules} if proof else {}
    out = [
        "## Business Rules",
        "",
        f"The rules the spec states, each enforced by {server.title} itself wherever it can "
        "be, else listed as the application's"
        + (
            ". The proof broke each one on purpose with a write (rolled back) and recorded "
            "what the server said."
            if proof
            else "; not proved here (the proof needs a server: see Query Performance Analysis)."
        ),
        "",
        "| Rule | Table | Stated | Enforced by | Proof |",
        "|---|---|---|---|---|",
    ]
    for r in d.rules:
        table = r.table.split(".", 1)[1]
        how = r.how or f"**the application** ({r.reason})"
        res = results.get(r.name)
        said = "not proved" if res is None else res.verdict
        if res is not None and res.error:
            said += f": {res.error}"
        elif res is not None and res.note:
            said += f": {res.note}"
        stated = _code(r.statement) + (f" — {r.description}" if r.description else "")
        out.append(f"| {r.name} | {table} | {_cell(stated)} | {_cell(how)} | {_cell(said)} |")
    notes = [r for r in d.rules if r.reason and r.how]
    if notes:
        out += ["", *[f"- **{r.name}**: {r.reason}." for r in notes]]
    writes = [res for res in (proof.rules if proof else ()) if res.write]
    if writes:
        out += ["", "Violating writes tried:", "", "```sql"]
        out += [f"-- {res.rule}: {res.verdict}\n{res.write};" for res in writes]
        out += ["```"]
    return [*out, ""]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _integrity_rules(d: Design, tables: Sequence[Table]) -> list[str]:
    """The rules the schema keeps (keys, checks, unique sets) and those left to the
    application, unnumbered."""
    server = dialects.get(d.dialect)
    ops = server.operations
    rules: list[str] = []
    for t in tables:
        rules += _table_rules(t)
    for ix in d.schema.indexes.values():
        if ix.unique:
            cols = ", ".join(e.column or "?" for e in ix.elements)
            where = f" where {ix.where.text}" if ix.where else ""
            rules.append(f"**{ix.name}**: ({cols}) is unique{where}.")
    if any(c.name == "updated_at" for t in tables for c in t.columns):
        how = ops.updated_at if ops else "by the application"
        rules.append(f"**updated_at** is set {how} on every table that has it.")
    rules += [
        f"**{x.subject}** is nullable although the spec requires it: it closes a "
        "cycle of required references, and a key that cannot be deferred to COMMIT "
        "must accept NULL for the first row of the cycle (insert NULL, then UPDATE in "
        "the same transaction; see Decisions)."
        for x in d.decisions
        if x.choice == CYCLE_NULLABLE
    ]
    mt = d.spec.project.features.multi_tenancy
    if not server.capabilities.row_level_security and mt and mt.row_level_security:
        rules.append(
            f"**Tenant isolation** is enforced by the application: {server.title} has no "
            f"row-level security, so every query must filter by `{mt.tenant}_id` (each access "
            "pattern's index leads with it); a query that forgets it sees every tenant's rows."
        )
    if d.schema.policies:
        rules.append(
            "**Tenant isolation**: row-level security policies `tenant_isolation` "
            f"restrict each session to `current_setting('{TENANT_SETTING}')`, and the "
            "tables FORCE it, so the tables' owner (the role an application often connects "
            "as) is held too; a session that has not set it gets an error, not every "
            "tenant's rows. Superusers and BYPASSRLS roles (migrations, the proof's load) are "
            "not held: the application's role must be neither."
        )
    return rules


def _table_rules(t: Table) -> list[str]:
    """A table's foreign keys, checks and unique constraints as integrity rules."""
    rules: list[str] = []
    for fk in t.foreign_keys.values():
        deferred = (
            ", DEFERRABLE INITIALLY DEFERRED: checked at COMMIT, so the rows of a cycle of "
            "required references go in together in one transaction (see Decisions)"
            if fk.initially_deferred
            else ""
        )
        rules.append(
            f"**{t.name}.{', '.join(fk.columns)}** references "
            f"{fk.ref_table.split('.', 1)[1]} (ON DELETE {fk.delete_action}{deferred})."
        )
    rules += [f"**{ck.name}**: {_code(ck.expr.text)}." for ck in t.checks.values()]
    for ex in t.exclusions.values():
        parts = ", ".join(
            f"{e.element.column or e.element.expr} WITH {e.operator}" for e in ex.elements
        )
        where = f" WHERE ({ex.where.text})" if ex.where is not None else ""
        rules.append(f"**{ex.name}**: {_code(f'EXCLUDE USING {ex.method} ({parts}){where}')}.")
    rules += [f"**{u.name}**: ({', '.join(u.columns)}) is unique." for u in t.uniques.values()]
    return rules


def _partition_upkeep(d: Design, name: str, e: Entity | None) -> list[str]:
    """How a partitioned table's months are kept: what the migration creates, the maintenance
    function and how to schedule it."""
    ns = next(iter(d.schema.namespaces))
    t = d.schema.tables[f"{ns}.{name}"]
    by = ", ".join(x.column or "?" for x in t.partition_by.elements) if t.partition_by else "time"
    parts = sorted(p.name for p in d.schema.tables.values() if p.partition_of == t.key)
    days = e.retention_days if e else None
    keep = f"interval '{days} days'" if days else "NULL"
    kept = f"the oldest month its {days}-day retention keeps" if days else "this month"
    return [
        f"- `{name}` is partitioned by month of {by}: the migration creates {len(parts)} "
        f"partitions, `{parts[0]}` ({kept}) to `{parts[-1]}` ({AHEAD_MONTHS} months ahead), and "
        "no DEFAULT partition (with one, creating a month's partition scans it and fails once it "
        f"holds a row of that month). A row whose {by} falls in no partition is refused, so run "
        f"`{MAINTAIN}` after the migration and then daily: it creates the months ahead"
        + (" and detaches and drops the months wholly past retention" if days else "")
        + f" (a detach waits at most {LOCK_TIMEOUT} for the table's lock, else the run fails "
        "and the next one retries). Alert when a run fails or the newest partition is less than "
        "a month ahead.",
        "",
        "```sql",
        f"-- daily, e.g. pg_cron: SELECT cron.schedule('{name}-partitions', '15 3 * * *', ...);",
        f"SELECT * FROM {ns}.{MAINTAIN}('{ns}.{name}', {keep});",
        "```",
        "",
    ]


def _code(text: str) -> str:
    """Inline code; text holding a backtick (a quoted MySQL name) gets a double-backtick fence."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _scaling(d: Design, proof: Proof | None) -> list[str]:
    spec = d.spec
    ops = dialects.get(d.dialect).operations
    out: list[str] = storage_md(d)
    reads = sum(p.rate_per_second or 0 for p in spec.access_patterns)
    writes = sum(w.rate_per_second or 0 for w in spec.writes)
    out += ["### Read Scaling", ""]
    replica = ops.replica if ops else "replica"
    if spec.project.workload.read_write_ratio >= 5 or reads > 1000:
        out.append(
            f"- Read-heavy ({reads:g} reads/s vs {writes:g} writes/s stated): add a {replica} "
            "for reports and send read-only traffic there once the primary's CPU "
            "passes 60 %."
        )
        out += replica_md(d)
    else:
        out.append(
            f"- {reads:g} reads/s stated: the primary serves reads; a replica is for failover."
        )
    out += [*pool_md(d, proof), "", *caching_md(d), "### Write Scaling", ""]
    whole = [x for x in d.decisions if x.choice == NOT_PARTITIONED]
    entities = {e.table or plural(n): e for n, e in spec.entities.items()}
    if whole:
        for x in whole:
            out += [f"- `{x.subject}` is not partitioned: {x.reason}.", ""]
            days = entities[x.subject].retention_days
            ix = next(
                (
                    ix
                    for ix in d.schema.indexes.values()
                    if ix.table == x.subject
                    and any("retention" in p for p in d.index_purposes.get(ix.name, ()))
                ),
                None,
            )
            if ix is not None and days:
                col = ix.elements[0].column
                out += [
                    "```sql",
                    "-- Retention job: repeat until it deletes no rows",
                    f"DELETE FROM {x.subject} WHERE {col} < UTC_TIMESTAMP(6) - INTERVAL "
                    f"{days} DAY ORDER BY {col} LIMIT 10000;",
                    "```",
                    "",
                ]
    elif d.partitioned:
        for name in d.partitioned:
            out += _partition_upkeep(d, name, entities.get(name))
    else:
        out.append(
            "- No table crosses the partitioning threshold (append-only and 50M rows in 3 "
            "years, or a retention period)."
        )
    mt = spec.project.features.multi_tenancy
    if mt and ops:
        out.append(ops.sharding.format(tenant=mt.tenant))
    out += citus_md(d)
    out.append("")
    return out
