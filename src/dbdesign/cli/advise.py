"""``dbdesign advise``: indexes for a whole workload, chosen by what-if cost under a budget."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer


class AdviseFormat(StrEnum):
    text = "text"
    json = "json"
    sql = "sql"


_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kmgt]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def parse_size(text: str) -> int:
    """``500MB``, ``1.5GB``, ``2GiB``, ``1048576`` -> bytes (units are powers of 1024, as
    PostgreSQL's pg_size_pretty prints them)."""
    from dbdesign.errors import ConfigError

    m = _SIZE.match(text)
    if not m:
        raise ConfigError(f"--budget: {text!r} is not a size (examples: 500MB, 1.5GB)")
    unit = (m.group(2) or "").lower()[:1]
    return int(float(m.group(1)) * _UNITS[unit])


def register(app: typer.Typer) -> None:
    app.command(name="advise")(advise)


def advise(
    workload: Annotated[
        str,
        typer.Argument(
            help="A .sql file of queries ('-- calls: N' before a query weighs it), a "
            "PostgreSQL log file, 'pg_stat_statements' (read from --db), or '-' (stdin). "
            "On MySQL/MariaDB: a .sql file or '-'."
        ),
    ],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="PostgreSQL or MySQL/MariaDB URL (default: $DBDESIGN_DATABASE_URL, else the "
            "embedded server).",
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option("--budget", help="Storage the new indexes may take (500MB, 1GB ...)."),
    ] = None,
    max_columns: Annotated[
        int,
        typer.Option("--max-columns", help="Columns per index, key and INCLUDE together."),
    ] = 5,
    min_gain: Annotated[
        float,
        typer.Option(
            "--min-gain", help="Advise an index only if it saves this share of the workload."
        ),
    ] = 0.005,
    hypopg_sizes: Annotated[
        bool,
        typer.Option(
            "--hypopg-sizes",
            help="Count the budget in HypoPG's own size estimates (as published comparisons "
            "of index advisors do), not the sizes the indexes will have once built.",
        ),
    ] = False,
    verify: Annotated[
        str | None,
        typer.Option(
            "--verify",
            help="URL of a scratch copy of the database: build the advised indexes there for "
            "real, report real size and cost next to the estimates, drop them again.",
        ),
    ] = None,
    scratch: Annotated[
        str | None,
        typer.Option(
            "--scratch",
            help="MySQL/MariaDB: URL of a copy of the database to build the candidate indexes "
            "on (they are dropped again). Default: a scratch database made on the same "
            "server with the workload's tables and a sample of their rows, dropped at the end.",
        ),
    ] = None,
    sample_rows: Annotated[
        int | None,
        typer.Option(
            "--sample-rows",
            help="MySQL/MariaDB: rows per table copied to the scratch database; a bigger "
            "table is sampled (default 200000).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Cancel any one statement after SECONDS.")
    ] = 60.0,
    fmt: Annotated[
        AdviseFormat, typer.Option("--format", "-f", help="text, json, or sql (a migration).")
    ] = AdviseFormat.text,
) -> None:
    """Recommend the indexes that cut a workload's cost most within a storage budget.

    On PostgreSQL every query is planned with hypothetical indexes (HypoPG, which must be
    created in the database: CREATE EXTENSION hypopg). Nothing is built: the work runs in one
    READ ONLY transaction that is rolled back. Reports each index with the queries it serves
    and their estimated cost change, the whole workload's cost before and after, the storage
    and write overhead, and existing indexes the workload does not need. --format sql writes
    a migration (CREATE INDEX CONCURRENTLY) that passes dbdesign's migration lint.

    MySQL/MariaDB have no hypothetical indexes: each candidate is built for real on a scratch
    copy (--scratch URL, else a database made beside the advised one with the workload's
    tables and a sample of their rows, dropped at the end), never on the advised database,
    which is only read. Costs are MySQL's optimizer estimates there, or on MariaDB measured
    milliseconds; the report says so, and how many rows the copy held.

    Examples:

      dbdesign advise examples/shop_queries.sql --db postgresql://localhost/app --budget 1GB

      dbdesign advise pg_stat_statements --db postgresql://localhost/app -f sql > add.sql

      dbdesign advise examples/shop_queries_mysql.sql --db mysql://root@127.0.0.1:3306/app
    """
    from dbdesign import api
    from dbdesign.advise import report, report_mysql
    from dbdesign.advise.advisor_mysql import MySQLAdvice
    from dbdesign.cli import term
    from dbdesign.errors import ConfigError

    if max_columns < 1:
        raise ConfigError("--max-columns must be >= 1")
    if not 0 <= min_gain < 1:
        raise ConfigError("--min-gain must be a share between 0 and 1")
    if sample_rows is not None and sample_rows < 1:
        raise ConfigError("--sample-rows must be at least 1")
    size = parse_size(budget) if budget is not None else None
    text = sys.stdin.read() if workload == "-" else None
    result = api.advise(
        workload if text is None else text,
        db,
        budget_bytes=size,
        max_columns=max_columns,
        min_gain=min_gain,
        timeout_s=timeout,
        stdin=text is not None,
        hypopg_sizes=hypopg_sizes,
        verify=verify,
        scratch=scratch,
        sample_rows=sample_rows,
        progress=term.detail if term.verbose() else None,
    )
    render: Any = report_mysql if isinstance(result, MySQLAdvice) else report
    if fmt is AdviseFormat.json:
        sys.stdout.write(json.dumps(render.as_json(result), indent=2) + "\n")
    elif fmt is AdviseFormat.sql:
        sys.stdout.write(render.sql(result))
    else:
        sys.stdout.write(render.text(result))
