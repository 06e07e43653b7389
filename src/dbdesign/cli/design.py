"""``dbdesign design``: a requirements spec -> a proven schema, migration, ERD and DESIGN.md."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from dbdesign.cli import dialect_option


def register(app: typer.Typer) -> None:
    app.command(name="design")(design)


def design(
    spec: Annotated[
        Path | None, typer.Argument(help="The requirements spec (YAML).", show_default=False)
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder for the outputs (default: none).")
    ] = None,
    dialect: Annotated[
        str | None,
        dialect_option("The dialect to design for", "default: the spec's database, or best fit"),
    ] = None,
    prove: Annotated[
        bool,
        typer.Option(
            "--prove/--no-prove",
            help="Apply, lint, fill with generated rows and EXPLAIN every access pattern "
            "(PostgreSQL and SQLite designs; MySQL designs given a MySQL server).",
        ),
    ] = True,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Server for the proof: PostgreSQL (default: $DBDESIGN_DATABASE_URL, else the "
            "embedded one), or mysql://user@host:3306/db for a --dialect mysql design, or "
            "redis://host:6379/0 for a Redis design (a MongoDB design is checked statically, "
            "never on a server). A SQLite design is always proved in a temporary file (a "
            "sqlite:/// --db is not touched). A next migration is checked on a scratch "
            "database of this PostgreSQL server, also with --no-prove.",
        ),
    ] = None,
    redis: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="Redis server for the Redis part of a hybrid design (entities with store: "
            "redis, or placed there): its keys are written under a prefix of the proof's own "
            "and removed afterwards. Without it that part is not proved (said).",
        ),
    ] = None,
    scale: Annotated[
        float | None,
        typer.Option(
            "--scale",
            help="Prove at this many times the spec's stated volumes (1: the stated rows) "
            "instead of the quick proof (at most 60,000 rows a table).",
            min=0.0001,
        ),
    ] = None,
    growth: Annotated[
        float | None,
        typer.Option(
            "--growth",
            help="With --scale: prove again at N times the rows (default 10; 1: not), or at "
            "the largest size a 30-minute budget allows, projected to N.",
            min=1.0,
        ),
    ] = None,
    allow_destructive: Annotated[
        bool,
        typer.Option(
            "--allow-destructive",
            help="When --out holds a previous design: allow a next migration that deletes data "
            "(a removed attribute or entity, a narrowing type); else it exits 3, writing nothing.",
        ),
    ] = False,
    rename: Annotated[
        list[str] | None,
        typer.Option(
            "--rename",
            help="When --out holds a previous design: a rename, not a drop and an add, as "
            "`dbdesign diff --rename` takes it: schema.table.old=new (a column), "
            "schema.old=new (a table). Repeatable.",
        ),
    ] = None,
    migration_name: Annotated[
        str | None,
        typer.Option(
            "--migration-name",
            help="Name of the next migration (default: from its first change).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    json_schema: Annotated[
        bool, typer.Option("--json-schema", help="Print the spec's JSON Schema and exit.")
    ] = False,
) -> None:
    """Design a database from a requirements spec and prove it on a real database.

    Writes schema.sql, migrations/0001_initial.{up,down}.sql, erd.mmd, erd.txt, design.json and
    DESIGN.md into --out (and citus.sql when the design goes beyond one server). When --out
    already holds a design (its design.json), the change is written as the next migration
    instead (migrations/0002_<name>.up.sql and .down.sql ..., the earlier ones untouched; none
    when the schema did not change), checked on a scratch PostgreSQL database and linted
    (docs/design.md, "Changing the spec"). Exit 1 when the proof fails (a pattern not served by
    its index, a latency target missed, or a lint error) or the next migration has a lint
    error; 2 on an invalid spec (nothing is written); 3 when the next migration deletes data
    without --allow-destructive (nothing is written).

    A Redis design (docs/design.md, "Redis designs") writes DESIGN.md, redis.conf and
    design.json and is proved on --db redis://...; a MongoDB design writes DESIGN.md,
    mongosh.js and design.json and is checked statically, never on a server; a hybrid (entities
    placed in Redis beside the relational schema) adds redis.conf, its Redis part proved on
    --redis.

    Examples:

      dbdesign design examples/session_store_redis.yaml --db redis://127.0.0.1:6379/0

      dbdesign design examples/content_mongodb.yaml --out content/

      dbdesign design examples/saas_hybrid.yaml --redis redis://127.0.0.1:6379/0 --out saas/

      dbdesign design examples/fleet_telemetry.yaml --out fleet/

      dbdesign design examples/ecommerce.yaml --no-prove --dialect mysql -f json

      dbdesign design examples/library.yaml --scale 0.02 --growth 2 --out library/

      dbdesign design examples/library.yaml --out library/ --no-prove --migration-name add_phone
    """
    from dbdesign.errors import ConfigError

    if fmt not in ("text", "json"):
        raise ConfigError(f"--format must be text or json, not {fmt!r}")
    if json_schema:
        from dbdesign.readers.spec import json_schema as schema_of_spec

        sys.stdout.write(json.dumps(schema_of_spec(), indent=2) + "\n")
        return
    if spec is None:
        raise ConfigError("dbdesign design needs a SPEC file (or --json-schema)")
    if growth is not None and scale is None:
        raise ConfigError("--growth needs --scale (the quick proof has no stated volume)")
    from dbdesign import api
    from dbdesign.cli import term
    from dbdesign.design.prove_redis import is_redis_url
    from dbdesign.design.prove_scale import DEFAULT_GROWTH

    where: Any = None
    if db is not None and is_redis_url(db):  # a Redis design's proof server
        where = db
    elif db is not None:  # the proof's server, and where a next migration is checked
        from dbdesign.databases import target

        where = target(db)  # read once; what follows is handed the parsed target
        if prove:
            term.detail(f"proof server: {where}")
    progress = _progress() if term.progress_wanted() and fmt == "text" else None
    from dbdesign.cli.diff import _renames

    r = api.design_outputs(
        spec,
        dialect=dialect,
        out=out,
        prove=prove,
        db=where,
        progress=progress,
        scale=scale,
        growth=(growth if growth is not None else DEFAULT_GROWTH) if scale is not None else None,
        allow_destructive=allow_destructive,
        renames=_renames(rename) or None,
        migration_name=migration_name,
        redis=redis,
    )
    d, proof, nxt = r.design, r.proof, r.migration
    if fmt == "json":
        from dbdesign.design.output import design_json

        data = design_json(d, proof, r.redis_proof)
        if nxt is not None:
            data["migration"] = _migration_json(nxt)
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        _print_text(d, proof, out, prove, nxt)
        if d.redis_part is not None:
            _print_part(d.redis_part, r.redis_proof, prove)
    if _failures(proof, nxt) or _failures(r.redis_proof, None) or _mongo_problems(d):
        raise typer.Exit(1)


def _mongo_problems(d: Any) -> bool:
    """Say on stderr what the static check of a MongoDB design found; whether it found any."""
    from dbdesign.design.mongo_check import check

    problems = check(d.mongo) if d.mongo is not None else []
    for p in problems:
        typer.echo(f"dbdesign design: static check failed: {p}", err=True)
    return bool(problems)


def _failures(proof: Any, nxt: Any) -> bool:
    """Say on stderr why the command fails (the proof, the next migration); whether it does."""
    failed = False
    if proof is not None and not proof.ok:
        for p in proof.problems:
            typer.echo(f"dbdesign design: proof failed: {p}", err=True)
        failed = True
    if nxt is not None and not nxt.ok:
        for p in nxt.problems:
            typer.echo(f"dbdesign design: the next migration: {p}", err=True)
        if nxt.errors:
            n = len(nxt.errors)
            typer.echo(
                f"dbdesign design: the next migration has {n} migration-lint "
                f"error{'s' if n != 1 else ''} (`dbdesign migrate up` refuses it as it is): "
                "edit the new files, which are not applied yet",
                err=True,
            )
        failed = True
    return failed


def _migration_json(nxt: Any) -> dict[str, Any]:
    return {
        "earlier": list(nxt.earlier),
        "new": list(nxt.names),
        "files": [name for name, _ in nxt.files],
        "checked_on": nxt.checked_on or None,
        "problems": list(nxt.problems),
        "notes": list(nxt.notes),
        "findings": [f.to_dict() for f in nxt.findings],
        "ok": nxt.ok,
    }


def _print_migration(nxt: Any) -> None:
    """The next migration's part of the text report."""
    from dbdesign.lint.output import text as findings_text

    if not nxt.files:
        last = nxt.earlier[-1] if nxt.earlier else "none"
        print(
            "  migration: none written (no schema change since the previous design; "
            f"latest: {last})"
        )
        return
    print(f"  migration: {', '.join(nxt.names)} (after {', '.join(nxt.earlier) or 'none'})")
    if nxt.checked_on and not nxt.problems:
        print(
            f"    checked on {nxt.checked_on}: the new ups reach this design, the downs "
            "return to the previous one"
        )
    for note in nxt.notes:
        print(f"    note: {note}")
    if nxt.findings:
        print("    migration lint:")
        for line in findings_text(nxt.findings).rstrip().splitlines():
            print(f"    {line}")
    else:
        print("    migration lint: no findings")


def _progress() -> Callable[[str], None]:
    from dbdesign.cli import term

    console = term.console(stderr=True)

    def say(msg: str) -> None:
        console.print(f"[dim]… {msg}[/dim]")

    return say


def _print_text(
    d: object, proof: object, out: Path | None, prove: bool = True, nxt: Any = None
) -> None:
    from dbdesign import dialects
    from dbdesign.design import Design
    from dbdesign.design.prove import Proof

    assert isinstance(d, Design)
    if d.redis is not None:
        _print_redis(d, proof, out, prove)
        return
    if d.mongo is not None:
        _print_mongo(d, out)
        return
    server = dialects.get(d.dialect)
    tables = d.tables
    part = " with a Redis part (hybrid)" if d.redis_part else ""
    print(f"{d.spec.project.name}: {d.choice.kind} database, designed for {d.dialect}{part}")
    if d.choice.note:
        print(f"  note: {d.choice.note}")
    n_ix = len(d.schema.indexes)
    rules = f", {len(d.rules)} business rules" if d.rules else ""
    print(
        f"  {len(tables)} tables, {n_ix} secondary indexes, {len(d.patterns)} access patterns"
        + rules
    )
    if isinstance(proof, Proof):
        print(
            f"  proof on {proof.server}: {sum(proof.rows.values()):,} rows, {proof.seconds:.1f} s"
        )
        for r in proof.results:
            print(f"    {'PASS' if r.ok else 'FAIL'} {r.pattern}: {r.summary}")
        for line in proof.growth_lines():
            print(f"  {line}")
        for rr in proof.rules:
            said = rr.error or rr.note
            print(
                f"    {rr.verdict} rule {rr.rule}: {rr.statement}" + (f" ({said})" if said else "")
            )
        print("  result: " + ("PASS" if proof.ok else "FAIL"))
    elif not prove:
        print("  proof: not run (--no-prove)")
    elif not server.embedded:  # no server given, and dbdesign has none of its own
        print(
            f"  proof: not run (no {server.short_title} server given: prove it on {server.title} "
            f"with --db {server.example_url}, or set DBDESIGN_DATABASE_URL to one)"
        )
    if nxt is not None:
        _print_migration(nxt)
    citus = d.citus if d.citus is not None and d.citus.applies else None
    if citus is not None:
        roles = [x.role for x in citus.placements]
        left = sum(x.blocking for x in citus.problems)
        print(
            f"  beyond one server: Citus, {roles.count('distributed')} distributed and "
            f"{roles.count('reference')} reference tables, {left} problems Citus refuses "
            "(checked statically, not run on a cluster: DESIGN.md, citus.sql)"
        )
    if out is not None:
        print(
            f"  wrote {out}/DESIGN.md, schema.sql, migrations/, erd.mmd, erd.txt, design.json"
            + (", citus.sql" if citus is not None else "")
            + (", redis.conf" if d.redis_part else "")
        )


def _print_part(plan: Any, proof: Any, prove: bool) -> None:
    """The Redis part of a hybrid design."""
    from dbdesign.design.sizes import human_size

    kept = ", ".join(sorted({f.entity for f in plan.families}))
    print(
        f"  Redis part: {kept} in {len(plan.families)} key families; maxmemory-policy "
        f"{plan.eviction}; estimated {human_size(plan.memory(later=True))} in 3 years"
    )
    _print_redis_proof(proof, prove, "--redis redis://127.0.0.1:6379/0")


def _print_redis(d: Any, proof: Any, out: Path | None, prove: bool) -> None:
    from dbdesign.design.sizes import human_size

    plan = d.redis
    print(f"{d.spec.project.name}: {d.choice.kind} database, designed for Redis")
    if d.choice.note:
        print(f"  note: {d.choice.note}")
    reads = sum(not a.write for a in plan.accesses)
    print(
        f"  {len(plan.families)} key families, {reads} access patterns, "
        f"{len(plan.accesses) - reads} writes; maxmemory-policy {plan.eviction}; "
        f"estimated {human_size(plan.memory())} now, {human_size(plan.memory(later=True))} "
        "in 3 years"
    )
    _print_redis_proof(proof, prove, "--db redis://127.0.0.1:6379/0")
    if out is not None:
        print(f"  wrote {out}/DESIGN.md, redis.conf, design.json")


def _print_redis_proof(proof: Any, prove: bool, option: str) -> None:
    from dbdesign.design.prove_redis import memory_lines

    if proof is None:
        print(
            f"  proof: not run, nothing proven on a server (no Redis server given: {option}, "
            "or set DBDESIGN_DATABASE_URL to one)"
            if prove
            else "  proof: not run (--no-prove)"
        )
        return
    print(
        f"  proof on Redis {proof.server}: {sum(proof.rows.values()):,} sample rows, "
        f"{proof.seconds:.1f} s, {proof.keys_left} keys left"
    )
    for t in proof.timings:
        print(
            f"    {'PASS' if t.ok else 'FAIL'} {t.name}{' (write)' if t.write else ''}: "
            f"p95 {t.p95_ms:.2f} ms (target {t.target_ms:g} ms)"
        )
    for claim, ok, seen in proof.checks:
        print(f"    {'PASS' if ok else 'FAIL'} {claim} ({seen})")
    print("  memory (MEMORY USAGE, projected):")
    for line in memory_lines(proof)[2:]:
        print(f"    {line}")
    print("  result: " + ("PASS" if proof.ok else "FAIL"))


def _print_mongo(d: Any, out: Path | None) -> None:
    from dbdesign.design.mongo_check import check

    plan = d.mongo
    print(f"{d.spec.project.name}: {d.choice.kind} database, designed for MongoDB")
    if d.choice.note:
        print(f"  note: {d.choice.note}")
    embedded = sum(len(c.embedded) for c in plan.collections)
    sharded = sum(bool(x.key) for x in plan.shards)
    print(
        f"  {len(plan.collections)} collections ({embedded} embedded children), "
        f"{len(plan.indexes)} indexes, {len(plan.queries)} access patterns, "
        f"{sharded} sharded collections"
    )
    problems = check(plan)
    print(
        "  static check: "
        + (
            f"{len(problems)} problems"
            if problems
            else "validators, indexes and every pattern's index checked, no problem found"
        )
    )
    print("  proof: not proven on a server (no MongoDB server is used: checked statically only)")
    if out is not None:
        print(f"  wrote {out}/DESIGN.md, mongosh.js, design.json")
