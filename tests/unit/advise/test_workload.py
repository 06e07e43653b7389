"""The workload of ``dbdesign advise`` from text: ``.sql`` scripts (weights, grouping of literal
variants, skipped statements, syntax errors) and server logs in the three formats.

The log texts here are **format fixtures**: lines built by the test in the formats PostgreSQL
documents for ``log_destination = stderr`` (with several ``log_line_prefix`` settings),
``csvlog`` (23, 24 and 26 columns: PostgreSQL 12, 13, 14+) and ``jsonlog`` (15+). The test
server's log destination cannot be switched without a restart, so the csvlog and jsonlog
readers are proved on these; the stderr reader is also proved on a log the server really wrote
(tests/integration/test_advise_workload_pg.py).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest

from dbdesign.advise.logs import CSVLOG, JSONLOG, STDERR, log_format, prefix_fields
from dbdesign.advise.workload import parse_sql_workload, read_workload
from dbdesign.advise.workload_logs import epoch_ms, read_log
from dbdesign.advise.workload_text import fingerprint, parameterise
from dbdesign.errors import ConfigError, ParseError

# ------------------------------------------------------------------------------ .sql scripts


def test_weight_and_calls_comments_weigh_the_query_after_them() -> None:
    w = parse_sql_workload(
        "-- weight: 5\nSELECT * FROM a WHERE id = 1;\n"
        "/* other */ -- calls: 2.5e3\nSELECT * FROM b;\n"
        "SELECT * FROM c;\n"
        "-- weight: 7\n-- a note between\nDELETE FROM d WHERE id = 3;\n",
        file="w.sql",
    )
    calls = {q.sql.split("FROM ")[1].split()[0]: (q.kind, q.calls) for q in w.queries}
    assert calls == {
        "a": ("select", 5.0),
        "b": ("select", 2500.0),
        "c": ("select", 1.0),
        "d": ("delete", 7.0),
    }
    assert [q.calls for q in w.queries] == sorted((q.calls for q in w.queries), reverse=True)


@pytest.mark.parametrize("bad", ["lots", "0", "-3", "inf"])
def test_a_weight_that_is_not_a_positive_number_is_an_error_at_its_place(bad: str) -> None:
    with pytest.raises(ParseError) as e:
        parse_sql_workload(f"SELECT 1;\n-- weight: {bad}\nSELECT * FROM t;", file="q.sql")
    assert (e.value.file, e.value.line, e.value.col) == ("q.sql", 2, 12)
    assert "positive number" in e.value.message


def test_literal_variants_are_one_query_with_the_varying_literals_as_parameters() -> None:
    w = parse_sql_workload(
        "SELECT * FROM orders WHERE customer_id = 42 AND status = 'open';\n"
        "select *  from orders\n where customer_id = 7 and status = 'open';\n"
        "-- weight: 3\nSELECT * FROM orders WHERE customer_id = 42 AND status = 'open';\n",
        file="w.sql",
    )
    (q,) = w.queries
    assert q.calls == 5.0 and q.kind == "select"
    # the customer varies, the status never does: a partial index stays visible
    assert q.sql == "SELECT * FROM orders WHERE customer_id = $1 AND status = 'open'"
    assert q.parameters == 1
    assert len(q.samples) == 2 and "customer_id = 7" in q.samples[1]
    assert q.fingerprint == fingerprint(q.sql)
    assert (q.origin.file, q.origin.line, q.origin.col) == ("w.sql", 1, 1)


def test_a_query_written_once_is_kept_as_written() -> None:
    text = "SELECT o.id FROM orders o WHERE o.created_at > now() - interval '1 day' LIMIT 20"
    (q,) = parse_sql_workload(text + ";").queries
    assert q.sql == text and q.parameters == 0 and q.samples == (text,)


def test_typed_negative_and_listed_literals_become_placeholders_that_parse() -> None:
    w = parse_sql_workload(
        "SELECT * FROM t WHERE d = date '2024-01-01' AND n = -5 AND i > interval '1' day"
        " AND k IN (1, 2, 3) LIMIT 10;\n"
        "SELECT * FROM t WHERE d = date '2024-02-01' AND n = -6 AND i > interval '2' day"
        " AND k IN (4, 5) LIMIT 10;\n"
    )
    (q,) = w.queries
    assert q.calls == 2.0
    # IN lists of other lengths: every literal counts as varying, LIMIT included
    assert q.sql.startswith(
        "SELECT * FROM t WHERE d = $1::date AND n = $2 AND i > $3::interval day"
    )
    assert q.sql.endswith("LIMIT $7")
    assert q.parameters == 7 and fingerprint(q.sql) == q.fingerprint


def test_tables_the_fingerprint_does_not_see_make_other_queries() -> None:
    """pglast's fingerprint ignores schemas and aliased table names: those texts stay apart,
    each with a fingerprint of its own."""
    w = parse_sql_workload(
        "SELECT * FROM orders_2023 o WHERE o.id = 1;\n"
        "SELECT * FROM orders_2024 o WHERE o.id = 2;\n"
        "SELECT * FROM archive.orders_2024 o WHERE o.id = 3;\n"
        "SELECT * FROM orders_2023 o WHERE o.id = 4;\n"
        "UPDATE items SET qty = 1 WHERE id = 5;\n"
        "UPDATE items14 SET qty = 1 WHERE id = 5;\n"
    )
    updates = [q.sql for q in w.queries if q.kind == "update"]
    assert sorted(updates) == [
        "UPDATE items SET qty = 1 WHERE id = 5",
        "UPDATE items14 SET qty = 1 WHERE id = 5",
    ]
    assert fingerprint(w.queries[1].sql) == fingerprint(w.queries[2].sql)  # pglast's blind spot
    assert sorted((q.sql.split()[3], q.calls) for q in w.queries if q.kind == "select") == [
        ("archive.orders_2024", 1.0),
        ("orders_2023", 2.0),
        ("orders_2024", 1.0),
    ]
    assert len({q.fingerprint for q in w.queries}) == 5
    first = next(q for q in w.queries if "orders_2023" in q.sql)
    assert first.fingerprint == fingerprint(first.sql)  # the first one keeps pglast's


def test_column_numbers_of_order_by_and_group_by_stay() -> None:
    text = "SELECT a, count(*) FROM t WHERE b = 5 GROUP BY 1 ORDER BY 2 DESC, a LIMIT 3"
    assert parameterise(text, frozenset(range(4))) == (
        "SELECT a, count(*) FROM t WHERE b = $1 GROUP BY 1 ORDER BY 2 DESC, a LIMIT $2"
    )


def test_placeholders_are_numbered_after_the_existing_ones() -> None:
    text = "SELECT * FROM t WHERE a = $1 AND b = 5 AND c = 'x'"
    assert (
        parameterise(text, frozenset({0, 1}))
        == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3"
    )
    # a literal the grammar does not hold as a constant is left alone
    assert parameterise("SELECT 'a' || 'b'", frozenset({0})) == "SELECT $1 || 'b'"


def test_ddl_set_and_transaction_control_are_skipped_with_a_note_naming_the_place() -> None:
    w = parse_sql_workload(
        "CREATE TABLE t (a int);\nSET search_path = app;\nBEGIN;\n"
        "  UPDATE t SET a = 2 WHERE a = 1;\nCOMMIT;\nSELECT * FROM pg_catalog.pg_class;\n"
        "SELECT 1 INTO t2;\n",
        file="mix.sql",
    )
    assert [q.kind for q in w.queries] == ["update"]
    assert w.queries[0].origin is not None and w.queries[0].origin.line == 4
    assert w.queries[0].origin.col == 3
    assert "mix.sql:1:1: skipped: CREATE TABLE is not a query" in w.notes
    assert "mix.sql:2:1: skipped: SET is not a query" in w.notes
    assert "mix.sql:3:1: skipped: transaction control is not a query" in w.notes
    assert any(
        n.startswith("mix.sql:6:1: skipped: a query of the system catalogs") for n in w.notes
    )
    assert "mix.sql:7:1: skipped: SELECT ... INTO creates a table" in w.notes


def test_psql_meta_commands_and_copy_data_are_passed_over() -> None:
    w = parse_sql_workload(
        "\\timing on\nCOPY t FROM stdin;\n1\tx\n\\.\n\\set id 5\n  SELECT * FROM t WHERE a = 1;\n",
        file="psql.sql",
    )
    (q,) = w.queries
    assert q.origin is not None and (q.origin.line, q.origin.col) == (6, 3)
    assert "psql.sql:2:1: skipped: COPY is not a query" in w.notes


def test_a_syntax_error_names_file_line_and_column() -> None:
    with pytest.raises(ParseError) as e:
        parse_sql_workload("SELECT 'ééé';\n\n  SELECT * FORM t;\n", file="bad.sql")
    assert (e.value.file, e.value.line, e.value.col) == ("bad.sql", 3, 12)
    assert "FORM" in str(e.value) and str(e.value).startswith("bad.sql:3:12: ")


def test_explain_and_declare_cursor_give_the_query_inside() -> None:
    w = parse_sql_workload(
        "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM t WHERE a = 1;\n"
        "EXPLAIN ANALYZE VERBOSE SELECT * FROM t WHERE a = 2;\n"
        "DECLARE c CURSOR WITH HOLD FOR SELECT * FROM u WHERE b = 3;\n"
    )
    assert sorted((q.sql, q.calls) for q in w.queries) == [
        ("SELECT * FROM t WHERE a = $1", 2.0),
        ("SELECT * FROM u WHERE b = 3", 1.0),
    ]


def test_a_script_without_queries_says_so() -> None:
    w = parse_sql_workload("CREATE TABLE t (a int);", file="ddl.sql")
    assert w.queries == () and any("no queries" in n for n in w.notes)


def test_read_workload_reads_sql_files_and_refuses_missing_ones(tmp_path: Path) -> None:
    path = tmp_path / "queries.txt"  # not a .sql name, not a log: SQL
    path.write_text("-- weight: 2\nSELECT * FROM t WHERE a = 1;\n")
    (q,) = read_workload(str(path)).queries
    assert q.calls == 2.0 and q.origin is not None and q.origin.file == str(path)
    with pytest.raises(ConfigError, match="no such file"):
        read_workload(str(tmp_path / "nope.sql"))


# ------------------------------------------------------------------------------ logs


def _stderr(prefix: str, lines: list[tuple[str, str]]) -> str:
    """A stderr log: each message under ``prefix``, continuation lines tab-indented."""
    out = []
    for severity, message in lines:
        first, *rest = message.split("\n")
        out.append(f"{prefix}{severity}:  {first}")
        out += ["\t" + r for r in rest]
    return "\n".join(out) + "\n"


STATEMENTS = [
    ("LOG", "duration: 2.000 ms  statement: SELECT * FROM orders WHERE id = 1"),
    ("LOG", "duration: 4.000 ms  statement: SELECT * FROM orders\n  WHERE id = 2"),
    ("LOG", "duration: 0.500 ms  parse <unnamed>: SELECT * FROM items WHERE order_id = $1"),
    ("LOG", "duration: 0.250 ms  bind <unnamed>: SELECT * FROM items WHERE order_id = $1"),
    ("DETAIL", "parameters: $1 = '10'"),
    ("LOG", "duration: 1.000 ms  execute <unnamed>: SELECT * FROM items WHERE order_id = $1"),
    ("DETAIL", "parameters: $1 = '10'"),
    ("LOG", "duration: 1.000 ms  execute S_1: SELECT * FROM items WHERE order_id = $1"),
    ("DETAIL", "parameters: $1 = 'it''s'"),
    ("LOG", "duration: 0.100 ms  statement: BEGIN"),
    ("ERROR", 'relation "nope" does not exist at character 15'),
    ("STATEMENT", "SELECT * FROM nope"),
    ("LOG", "checkpoint starting: time"),
]


@pytest.mark.parametrize(
    "prefix",
    [
        "2024-05-01 10:00:00.123 UTC [4242] ",  # '%m [%p] ' (the default)
        "2024-05-01 10:00:00.123 UTC [4242] app@shop ",  # '%m [%p] %q%u@%d ' (Debian)
        "2024-05-01 10:00:00 UTC [4242]: [3-1] user=app,db=shop,app=psql,client=[local] ",
        "1714557600.123 [4242] ",  # '%n [%p] '
        "",  # log_line_prefix = ''
    ],
)
def test_stderr_logs_with_common_prefixes(tmp_path: Path, prefix: str) -> None:
    path = tmp_path / "postgresql.log"
    path.write_text(_stderr(prefix, STATEMENTS))
    w = read_workload(str(path))
    by_table = {q.sql.split()[3]: q for q in w.queries}
    orders, items = by_table["orders"], by_table["items"]
    assert (orders.calls, orders.total_ms) == (2.0, 6.0)
    assert orders.sql == "SELECT * FROM orders WHERE id = $1"
    assert orders.samples[1] == "SELECT * FROM orders\n  WHERE id = 2"  # continuation lines
    # parse and bind time belong to the execute that follows them
    assert (items.calls, items.total_ms) == (2.0, 2.75)
    assert items.samples == (
        "SELECT * FROM items WHERE order_id = '10'",
        "SELECT * FROM items WHERE order_id = 'it''s'",
    )
    assert [q.sql.split()[3] for q in w.queries] == ["orders", "items"]  # heaviest first
    assert len(w.runs) == 4 and {r.fingerprint for r in w.runs} == {
        orders.fingerprint,
        items.fingerprint,
    }
    assert any("transaction control" in n for n in w.notes)
    assert w.source.endswith("(stderr)")


def test_stderr_prefix_fields() -> None:
    at, session, transaction, database = prefix_fields(
        "2024-05-01 10:00:00.123 +02 [77-3] 6632a1f0.4d2 3/1042 xid=0 app@shop "
    )
    assert (at, session, transaction, database) == (
        "2024-05-01 10:00:00.123 +02",
        "6632a1f0.4d2",
        "3/1042",
        "shop",
    )
    assert prefix_fields("2024-05-01 10:00:00 UTC [77] db=shop,user=app tx=99 ")[1:] == (
        "77",
        "99",
        "shop",
    )


def test_statement_then_duration_lines_of_log_statement_all(tmp_path: Path) -> None:
    prefix = "2024-05-01 10:00:00.000 UTC [9] "
    path = tmp_path / "pg.log"
    path.write_text(
        _stderr(
            prefix,
            [
                ("LOG", "statement: SELECT * FROM t WHERE a = 1"),
                ("LOG", "duration: 3.000 ms"),
                ("LOG", "duration: 0.100 ms  parse <unnamed>: SELECT * FROM t WHERE a = $1"),
                ("LOG", "execute <unnamed>: SELECT * FROM t WHERE a = $1"),
                ("DETAIL", "parameters: $1 = '5'"),
                ("LOG", "duration: 1.000 ms"),
                ("LOG", "statement: SELECT * FROM t WHERE a = 2"),
            ],
        )
    )
    (q,) = read_workload(str(path)).queries
    assert q.calls == 3.0 and q.total_ms == pytest.approx(4.1)
    w = read_workload(str(path))
    assert any("1 of 3 runs have no duration" in n for n in w.notes)


def test_notes_on_durations_speak_of_the_database_kept(tmp_path: Path) -> None:
    """Another database's timed runs in the same log do not hide that the kept one's have no
    duration (two sessions with other settings, as on a shared server)."""
    path = tmp_path / "pg.log"
    path.write_text(
        _stderr("2024-05-01 10:00:00.000 UTC [9] app@shop ", [("LOG", "statement: SELECT 1")])
        + _stderr(
            "2024-05-01 10:00:00.000 UTC [8] app@other ",
            [("LOG", "duration: 1.000 ms  statement: SELECT 2")],
        )
    )
    w = read_log(path, database="shop")
    assert [(q.calls, q.total_ms) for q in w.queries] == [(1.0, None)]
    assert any("the log has no durations" in n for n in w.notes), w.notes
    assert any(n.startswith("1 run of queries read") for n in w.notes), w.notes


def test_sql_level_execute_counts_the_prepared_query(tmp_path: Path) -> None:
    path = tmp_path / "pg.log"
    path.write_text(
        _stderr(
            "2024-05-01 10:00:00.000 UTC [9] ",
            [
                ("LOG", "duration: 0.300 ms  statement: EXECUTE q(5)"),
                ("DETAIL", "prepare: PREPARE q (int) AS SELECT * FROM t WHERE a = $1"),
                ("LOG", "duration: 0.300 ms  statement: EXECUTE unknown(5)"),
                (
                    "LOG",
                    "duration: 1.000 ms  statement: SELECT 1 FROM t; DELETE FROM t WHERE a = 1",
                ),
            ],
        )
    )
    w = read_workload(str(path))
    assert sorted((q.kind, q.calls, q.total_ms) for q in w.queries) == [
        ("delete", 1.0, 0.5),
        ("select", 1.0, 0.3),
        ("select", 1.0, 0.5),
    ]
    assert any("EXECUTE of a prepared statement the log does not show" in n for n in w.notes)


CSV_HEAD = [
    "2024-05-01 10:00:00.123 UTC", "app", "shop", "4242", "[local]", "6632a1f0.1092", "7",
    "SELECT", "2024-05-01 09:59:00 UTC", "3/17", "0", "LOG", "00000",
]  # fmt: skip


def _csv_row(message: str, detail: str = "", *, columns: int, db: str = "shop") -> list[str]:
    """A csvlog row of ``columns`` columns: 23 up to application_name, then backend_type,
    leader_pid and query_id as the version has them."""
    row = [*CSV_HEAD, message, detail, "", "", "", "", "", "", "", "psql"]
    row[2] = db
    return row + ["client backend", "", "0"][: columns - 23]


@pytest.mark.parametrize("columns", [23, 24, 26])
def test_csvlog_of_postgresql_12_to_17(tmp_path: Path, columns: int) -> None:
    """csvlog rows of 23 (PostgreSQL 12), 24 (13: backend_type) and 26 columns (14+:
    leader_pid, query_id), a message spanning lines inside its quoted field."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(
        _csv_row("duration: 2.000 ms  statement: SELECT *\nFROM t WHERE a = 1", columns=columns)
    )
    out.writerow(
        _csv_row(
            "duration: 1.000 ms  execute <unnamed>: SELECT * FROM t WHERE a = $1",
            "parameters: $1 = '9'",
            columns=columns,
        )
    )
    out.writerow(
        _csv_row(
            "duration: 5.000 ms  statement: SELECT * FROM t WHERE a = 3",
            columns=columns,
            db="other",
        )
    )
    path = tmp_path / "postgresql.csv"
    path.write_text(buf.getvalue())
    assert log_format(buf.getvalue().splitlines()) == CSVLOG
    w = read_workload(str(path), db="postgresql://app@localhost/shop")
    (q,) = w.queries
    assert (q.calls, q.total_ms) == (2.0, 3.0)
    assert q.samples == ("SELECT *\nFROM t WHERE a = 1", "SELECT * FROM t WHERE a = '9'")
    assert [(r.session, r.transaction, r.origin.line if r.origin else 0) for r in w.runs] == [
        ("6632a1f0.1092", "3/17", 1),
        ("6632a1f0.1092", "3/17", 3),
    ]
    assert any("left out 1 runs of other databases (other)" in n for n in w.notes)


def test_jsonlog_of_postgresql_15(tmp_path: Path) -> None:
    """jsonlog lines with the keys PostgreSQL 15 writes (absent keys left out, as it does)."""
    base = {
        "timestamp": "2024-05-01 10:00:00.123 UTC", "user": "app", "dbname": "shop",
        "pid": 4242, "session_id": "6632a1f0.1092", "line_num": 3, "vxid": "3/18",
        "txid": 0, "error_severity": "LOG", "backend_type": "client backend", "query_id": 0,
    }  # fmt: skip
    lines = [
        {**base, "message": "duration: 2.500 ms  statement: UPDATE t SET b = 1 WHERE a = 4"},
        {**base, "message": "duration: 0.500 ms  execute <unnamed>: "
         "UPDATE t SET b = $1 WHERE a = $2", "detail": "parameters: $1 = '2', $2 = NULL"},
        {**base, "error_severity": "ERROR", "message": "boom", "statement": "UPDATE t SET b = 3"},
    ]  # fmt: skip
    text = "\n".join(json.dumps(x) for x in lines) + "\n"
    path = tmp_path / "postgresql.json.gz"
    with gzip.open(path, "wt") as f:
        f.write(text)
    assert log_format(text.splitlines()) == JSONLOG
    w = read_workload(str(path))
    (q,) = w.queries
    assert q.kind == "update" and (q.calls, q.total_ms) == (2.0, 3.0)
    assert q.samples[1] == "UPDATE t SET b = '2' WHERE a = NULL"
    assert [r.transaction for r in w.runs] == ["3/18", "3/18"]
    assert w.runs[1].at_ms == epoch_ms("2024-05-01 10:00:00.123 UTC")


def test_a_database_the_log_does_not_name_keeps_everything_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "pg.log"
    path.write_text(
        _stderr(
            "2024-05-01 10:00:00.000 UTC [9] app@shop ",
            [("LOG", "duration: 1.000 ms  statement: SELECT * FROM t")],
        )
    )
    w = read_log(path, database="elsewhere")
    assert len(w.queries) == 1 and any("no statement of database elsewhere" in n for n in w.notes)


def test_format_detection_tells_sql_from_logs() -> None:
    assert log_format(["", "2024-05-01 10:00:00.000 UTC [9] LOG:  statement: SELECT 1"]) == STDERR
    assert log_format(['2024-05-01 10:00:00.000 UTC,"app","shop",9,"[local]",x']) == CSVLOG
    assert log_format(['{"timestamp": "2024-05-01", "message": "x"}']) == JSONLOG
    assert log_format(["-- ERROR:  a comment", "SELECT 1;"]) is None
    assert log_format(["SELECT 1, 2;"]) is None


def test_epoch_ms_reads_the_zones_it_can() -> None:
    utc = epoch_ms("2024-05-01 10:00:00.123 UTC")
    assert utc == epoch_ms("1714557600.123")
    assert epoch_ms("2024-05-01 12:00:00.123 +02") == utc
    assert epoch_ms("2024-05-01 04:30:00.123 -05:30") == utc
    assert epoch_ms(None) == 0.0
