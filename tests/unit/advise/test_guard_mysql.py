"""Which statements explain sends to MySQL and MariaDB (dbdesign.advise.guard_mysql): one
SELECT, INSERT, UPDATE or DELETE, decided by the splitter and the parser; what the plan needs
to know of it (aliases, the table written, the LIMIT)."""

from __future__ import annotations

import pytest

from dbdesign.advise.guard_mysql import check_mysql_statement
from dbdesign.errors import ParseError, UnsupportedError


@pytest.mark.parametrize(
    ("sql", "kind", "writes"),
    [
        ("SELECT * FROM orders WHERE id = 1;", "SELECT", False),
        ("  select 'a;b' from orders  ", "SELECT", False),
        ("SELECT 1 UNION SELECT 2", "SELECT", False),
        ("(SELECT id FROM orders) ORDER BY id", "SELECT", False),
        ("WITH t AS (SELECT * FROM orders) SELECT * FROM t", "SELECT", False),
        ("SELECT * FROM orders FOR UPDATE", "SELECT", True),
        ("INSERT INTO orders (id) VALUES (1)", "INSERT", True),
        ("INSERT INTO archive SELECT * FROM orders WHERE id < 5", "INSERT", True),
        ("UPDATE orders SET amount = 0 WHERE id = 1", "UPDATE", True),
        ("DELETE o FROM orders o JOIN customers c ON c.id = o.customer_id", "DELETE", True),
        ("SELECT 1 /* ; DROP TABLE orders */", "SELECT", False),
    ],
)
def test_accepted(sql: str, kind: str, writes: bool) -> None:
    stmt = check_mysql_statement(sql)
    assert (stmt.kind, stmt.writes) == (kind, writes)
    assert not stmt.text.endswith(";")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1; SELECT 2", "exactly one statement, got 2"),
        ("SELECT 1; DROP TABLE orders", "exactly one statement, got 2"),
        # a version comment is code to the server: its ';' ends a statement
        ("SELECT 1 /*!50000 ; DROP TABLE orders */", "exactly one statement, got 2"),
        ("", "exactly one statement, got 0"),
        ("CREATE TABLE t (a int)", "refusing CREATE TABLE"),
        ("DROP TABLE orders", "refusing DROP TABLE"),
        ("ALTER TABLE orders ADD COLUMN x int", "refusing ALTER TABLE"),
        ("TRUNCATE orders", "refusing TRUNCATE"),
        ("START TRANSACTION", "refusing START TRANSACTION"),
        ("COMMIT", "refusing COMMIT"),
        ("SET @a = 1", "refusing SET"),
        ("CALL p()", "refusing CALL"),
        ("LOCK TABLES orders WRITE", "refusing LOCK TABLES"),
        ("LOAD DATA INFILE '/tmp/x' INTO TABLE orders", "refusing LOAD DATA"),
        ("REPLACE INTO orders VALUES (1)", "refusing REPLACE"),
        ("EXPLAIN SELECT 1", "refusing EXPLAIN"),
        ("SELECT * INTO OUTFILE '/tmp/x' FROM orders", "INTO OUTFILE"),
        ("SELECT id INTO @x FROM orders LIMIT 1", "SELECT ... INTO"),
        ("SELECT GET_LOCK('x', 1)", "get_lock()"),
        ("SELECT load_file('/etc/passwd')", "load_file()"),
        ("SELECT setval(s, 5)", "setval()"),
    ],
)
def test_refused(sql: str, message: str) -> None:
    with pytest.raises(UnsupportedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_mysql_statement(sql)


def test_a_statement_that_does_not_parse() -> None:
    with pytest.raises(ParseError, match=r"cannot parse the statement as MySQL: .*line 1"):
        check_mysql_statement("SELECT * FROM orders WHERE")
    with pytest.raises(ParseError, match="unterminated string"):
        check_mysql_statement("SELECT 'open")


def test_what_the_plan_needs() -> None:
    stmt = check_mysql_statement(
        "SELECT * FROM orders o JOIN archive.orders a ON a.id = o.id "
        "WHERE o.id IN (SELECT order_id FROM items) LIMIT 20"
    )
    assert stmt.tables == ("orders", "archive.orders", "items")
    assert dict(stmt.planned.tables) == {"o": "orders", "a": "archive.orders", "items": "items"}
    assert stmt.planned.limit == 20 and stmt.planned.operation is None
    # one alias standing for two tables is not resolved to either
    two = check_mysql_statement("SELECT * FROM orders x WHERE EXISTS (SELECT 1 FROM items x)")
    assert two.planned.tables["x"] is None
    # a CTE is not a table
    assert check_mysql_statement("WITH t AS (SELECT 1 a) SELECT * FROM t").tables == ()
    called = check_mysql_statement("SELECT my_total(id), upper(note) FROM orders")
    assert called.functions == ("my_total",)
