"""Check-digit types on each server (embedded PostgreSQL 16, PostgreSQL 15, SQLite, MariaDB):
real ISBN-13 and EAN-13 numbers are accepted, one digit off is refused by the check-digit CHECK,
a value of the wrong shape by the format CHECK; the generated codes carry right check digits."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from dbdesign.databases import target
from dbdesign.datagen.row_rules import RowRule, complete_check_digits
from dbdesign.design import design
from dbdesign.design.check_digits import ean13_digit, ean13_ok, iban_of, iban_ok
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import server_for
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, Db, url_of

SPEC = """\
version: 1
project: {name: codes}
entities:
  product:
    attributes:
      name: {type: text, required: true}
      isbn: isbn
      barcode: ean
  account:
    attributes:
      iban: iban
"""
ROW = "INSERT INTO products (name, isbn, barcode) VALUES ('p', ?, ?)"
ISBN = "9780306406157"  # a real ISBN-13
EAN = "4006381333931"  # a real EAN-13


@pytest.fixture(params=SERVERS)
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    which = request.param
    d = design(S.loads(SPEC), DIALECT[which])
    url = url_of(which)
    server = server_for(target(url) if url else None, d.dialect)
    with server.scratch(url or "") as scratch:
        conn = server.connect(scratch, autocommit=True)
        try:
            server.apply(conn, schema_sql(d.schema))
            yield Db(server, conn)
        finally:
            conn.close()


def test_check_digits_are_checked(db: Db) -> None:
    assert db.attempt(ROW, ISBN, EAN) is None
    assert db.attempt(ROW, None, None) is None
    off = db.attempt(ROW, ISBN[:12] + "8", EAN)
    assert off is not None and "chk_products_isbn_check_digit" in off, off
    off = db.attempt(ROW, ISBN, EAN[:12] + "2")
    assert off is not None and "chk_products_barcode_check_digit" in off, off
    # an EAN that is not an ISBN (no 978/979), and letters, fail the format
    shape = db.attempt(ROW, EAN, EAN)
    assert shape is not None and "chk_products_isbn" in shape, shape
    letters = db.attempt(ROW, ISBN, "40063813339X1")
    assert letters is not None and "chk_products_barcode" in letters, letters


def test_generated_codes_are_valid_and_unique() -> None:
    assert ean13_ok(ISBN) and ean13_ok(EAN) and not ean13_ok(ISBN[:12] + "8")
    assert ean13_digit(ISBN[:12]) == "7"
    rng = random.Random(1)
    values: list[str | None] = [
        "".join(rng.choice("0123456789") for _ in range(13)) for _ in range(5000)
    ]
    values[3] = None
    done = {"barcode": values}
    complete_check_digits(
        RowRule(table="t", name="r", kind="check_digit", key=("barcode",)), 0, done
    )
    made = [v for v in done["barcode"] if v is not None]
    assert done["barcode"][3] is None and len(made) == 4999
    assert all(ean13_ok(v) for v in made) and len(set(made)) == len(made)


IBANS = ("GB82WEST12345698765432", "DE89370400440532013000", "NL91ABNA0417164300")


def test_iban_check_digits_are_checked(db: Db) -> None:
    row = "INSERT INTO accounts (iban) VALUES (?)"
    for good in (*IBANS, None):
        assert db.attempt(row, good) is None, good
    for bad in ("GB82WEST12345698765433", "DE89370400440532013001", "GB28WEST12345698765432"):
        off = db.attempt(row, bad)
        assert off is not None and "chk_accounts_iban_check_digit" in off, (bad, off)
    for shape in ("gb82west12345698765432", "GB82 WEST 1234 5698 7654 32", "GB82WEST"):
        refused = db.attempt(row, shape)
        assert refused is not None and "chk_accounts_iban" in refused, (shape, refused)


def test_generated_ibans_are_valid_and_unique() -> None:
    assert all(iban_ok(v) for v in IBANS) and not iban_ok("GB82WEST12345698765433")
    assert iban_of("GB", "WEST12345698765432") == IBANS[0]
    done: dict[str, list[str | None]] = {"iban": ["x"] * 3000}
    rule = RowRule(table="t", name="r", kind="check_digit", key=("iban",), scheme="iban")
    complete_check_digits(rule, 10, done)
    made = [v for v in done["iban"] if v is not None]
    assert all(iban_ok(v) for v in made) and len(set(made)) == len(made) == 3000
