"""Generated data for SQLite keys whose columns differ in type, and the other generator bugs the
random-schema test (test_datagen.py) found, each as a plain regression test on SQLite itself.

SQLite converts a value on the way into a column by the column's affinity (text that looks like
a number becomes one in a NUMERIC, INTEGER or REAL column; other text stays text), and a
foreign key's lookup applies the *parent* column's affinity to the stored child value: the
generator asks an in-memory SQLite what a referencing column stores (datagen/affinity.py), and
these tests check the loads on real files, with ``PRAGMA foreign_key_check`` and the COMMIT.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbdesign import datagen
from dbdesign.datagen import CapacityError, checks
from dbdesign.datagen.affinity import KeySide, referenced
from dbdesign.datagen.column_checks import sqlite_typeof
from dbdesign.datagen.plan import SelfFkUnit
from dbdesign.datagen.types import resolve
from dbdesign.dialects.sqlite import parse_type
from dbdesign.errors import UnsupportedError
from dbdesign.model import ForeignKey, Schema
from dbdesign.readers.catalog.sqlite import read_catalog
from tests.strategies_sqlite import STRICT_TYPES, TYPES


def _db(tmp_path: Path, ddl: str, name: str = "data") -> tuple[Path, Schema]:
    db = tmp_path / f"{name}.db"
    con = sqlite3.connect(db)
    con.executescript(ddl)
    con.close()
    return db, read_catalog(str(db))


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _loads(db: Path, schema: Schema, rows: dict[str, int]) -> None:
    datagen.load(str(db), schema, rows, seed=3)
    for key, n in rows.items():
        name = schema.tables[key].name
        assert _rows(db, f'SELECT count(*) FROM "{name}"') == [(n,)]
    assert _rows(db, "PRAGMA foreign_key_check") == []


def _refuses(db: Path, schema: Schema, match: str) -> UnsupportedError:
    with pytest.raises(UnsupportedError, match=match) as info:
        datagen.load(str(db), schema, {"*": 20}, seed=3)
    assert "\n" not in str(info.value)
    for t in schema.tables.values():
        assert _rows(db, f'SELECT count(*) FROM "{t.name}"') == [(0,)]
    return info.value


# --------------------------------------------------------------------------- affinity


def test_text_values_stay_text_in_a_real_column(tmp_path: Path) -> None:
    # The first falsifying example: words of a column without a type, referenced from a REAL
    # column (ValueError: could not convert string to float). SQLite keeps such text as text
    # there, and the key finds it.
    db, schema = _db(
        tmp_path,
        'CREATE TABLE "0" ("0" NOT NULL, "00" real NOT NULL, CONSTRAINT "00" PRIMARY KEY ("0"),'
        ' CONSTRAINT fk0 FOREIGN KEY ("00") REFERENCES "0");',
    )
    _loads(db, schema, {"main.0": 20})
    assert _rows(db, 'SELECT DISTINCT typeof("00") FROM "0"') == [("text",)]


def test_a_strict_column_that_cannot_hold_the_values_is_refused(tmp_path: Path) -> None:
    db, schema = _db(
        tmp_path,
        "CREATE TABLE p (k text PRIMARY KEY) STRICT;"
        "CREATE TABLE c (r real NOT NULL REFERENCES p) STRICT;",
    )
    e = _refuses(db, schema, r"^main\.c: foreign key ")
    assert "STRICT" in str(e) and "main.p" in str(e)


def test_text_that_looks_like_a_number_is_dropped_when_its_key_no_longer_finds_it() -> None:
    # '1.0' and ' 7' become 1 and 7 in a NUMERIC column, which a TEXT key no longer finds;
    # '5' becomes 5, found again as '5'; 'abc' stays text: what the in-memory SQLite says.
    text, numeric = parse_type("text"), parse_type("numeric")
    got = referenced(
        [("1.0",), ("abc",), ("5",), (" 7",)],
        KeySide(names=("p",), types=(text,), collations=(None,)),
        KeySide(names=("c",), types=(numeric,), collations=(None,)),
    )
    assert got.kept == [1, 2]
    assert got.values == [("abc",), (5,)]
    strict = referenced(
        [("abc",), ("2.5",)],
        KeySide(names=("p",), types=(text,), collations=(None,)),
        KeySide(names=("c",), types=(parse_type("real"),), collations=(None,), strict=True),
    )
    # a STRICT REAL column refuses 'abc' and stores '2.5' as 2.5, which finds '2.5' again
    assert strict.kept == [1] and strict.values == [(2.5,)]
    assert strict.refused is not None
    assert "cannot store TEXT value in REAL column c" in strict.refused


def test_a_self_reference_across_types_commits(tmp_path: Path) -> None:
    # A REAL key referenced from a TEXT column of the same table: only values whose text
    # finds the key again are drawn (the self-reference's draw indexed past its values:
    # IndexError), and no row points at itself (SQLite compares a row's key with its own
    # reference unconverted and fails the COMMIT, though foreign_key_check is empty).
    db, schema = _db(
        tmp_path,
        "CREATE TABLE t (v real NOT NULL, k real NOT NULL COLLATE RTRIM, r text NOT NULL,"
        " PRIMARY KEY (k), FOREIGN KEY (r) REFERENCES t (k)) WITHOUT ROWID, STRICT;",
    )
    _loads(db, schema, {"main.t": 20})
    assert _rows(db, "SELECT count(*) FROM t WHERE CAST(r AS REAL) = k") == [(0,)]
    assert _rows(db, "SELECT DISTINCT typeof(r) FROM t") == [("text",)]


def test_self_reference_draws_only_rows_it_can_point_at() -> None:
    fk = ForeignKey(name="f", columns=("r",), ref_table="main.t", ref_columns=("k",))
    u = SelfFkUnit(fk, ("k",), nullable=False, seed=1)
    own = [None, "a", None, "b", "c", None]
    u.set_own(own, converted=True)
    assert u.pointable()
    out = u.produce(None, 0, len(own), {})  # type: ignore[arg-type]
    assert all(v in ("a", "b", "c") for v in out)
    assert all(v != own[i] for i, v in enumerate(out))  # never itself
    lone = SelfFkUnit(fk, ("k",), nullable=False, seed=1)
    lone.set_own([None, "a"], converted=True)
    assert not lone.pointable()  # the one row could point only at itself


@pytest.mark.parametrize("strict", [False, True])
def test_typeof_of_generated_values_is_what_the_planner_says(tmp_path: Path, strict: bool) -> None:
    """The storage classes the planner predicts for typeof() checks, against SQLite."""
    types = STRICT_TYPES if strict else TYPES
    for i, declared in enumerate(types):
        ddl = f'CREATE TABLE "t{i}" (c {declared}){" STRICT" if strict else ""};'
        db, schema = _db(tmp_path, ddl, name=f"t{i}")
        table = schema.tables[f"main.t{i}"]
        predicted = sqlite_typeof(resolve(table.columns[0].type, schema), table)
        if predicted is None:
            continue
        datagen.load(str(db), schema, {"*": 50}, seed=i)
        seen = {r[0] for r in _rows(db, f'SELECT DISTINCT typeof(c) FROM "t{i}"')} - {"null"}
        assert seen and seen <= predicted, (declared, seen, predicted)


def test_typeof_checks_are_kept(tmp_path: Path) -> None:
    assert checks.atoms("x IS NOT NULL OR 1", "sqlite") == []
    (a,) = checks.atoms("typeof(x) IN ('integer', 'null')", "sqlite")
    assert a.kind == "typeof" and a.value == {"integer", "null"}
    (b,) = checks.atoms("NOT typeof(x) = 'text'", "sqlite")
    assert b.value == {"null", "integer", "real", "blob"}
    db, schema = _db(
        tmp_path,
        "CREATE TABLE t (i integer CHECK (typeof(i) = 'integer'),"
        " s text CHECK (typeof(s) IN ('text', 'null')), n numeric CHECK (n IS NOT NULL OR 1));",
    )
    _loads(db, schema, {"main.t": 30})
    assert _rows(db, "SELECT count(*) FROM t WHERE i IS NULL") == [(0,)]  # 'null' not allowed
    db2, schema2 = _db(
        tmp_path, "CREATE TABLE u (s text NOT NULL CHECK (typeof(s) = 'blob'));", name="u"
    )
    _refuses(db2, schema2, r"^main\.u\.s: .*typeof\(\) allows blob")


# --------------------------------------------------------------------------- keys


def test_a_self_reference_to_a_rowid_column_that_is_no_key_is_refused(tmp_path: Path) -> None:
    # The second falsifying example: SQLite finds no parent key there ("foreign key
    # mismatch"), the implicit rowid included; the generator now says so before loading.
    ddl = 'CREATE TABLE t0 (rowid NOT NULL, "0" integer, FOREIGN KEY ("0") REFERENCES t0 (rowid));'
    db, schema = _db(tmp_path, ddl)
    _refuses(db, schema, r"^main\.t0: foreign key .* not its primary key or a unique key")
    con = sqlite3.connect(":memory:")
    con.execute("PRAGMA foreign_keys = ON")
    con.executescript(ddl + "CREATE TABLE p (x); CREATE TABLE c (a REFERENCES p (rowid));")
    for table, row in (("t0", "('a', 1)"), ("c", "(1)")):
        with pytest.raises(sqlite3.OperationalError, match="foreign key mismatch"):
            con.execute(f"INSERT INTO {table} VALUES {row}")
    con.close()


def test_a_unique_index_in_other_collations_is_no_parent_key(tmp_path: Path) -> None:
    db, schema = _db(
        tmp_path,
        "CREATE TABLE t (k text COLLATE NOCASE, r text REFERENCES t (k));"
        "CREATE UNIQUE INDEX ix ON t (k COLLATE BINARY, k COLLATE RTRIM);",
    )
    _refuses(db, schema, r"^main\.t: foreign key .* not its primary key or a unique key")


def test_two_keys_over_one_column_hold_together(tmp_path: Path) -> None:
    # Two foreign keys on the same column to different tables were taken as one implied by
    # the other: the rows broke the second (the load failed on foreign_key_check).
    db, schema = _db(
        tmp_path,
        "CREATE TABLE a (id integer PRIMARY KEY); CREATE TABLE b (id integer PRIMARY KEY);"
        "CREATE TABLE w (k text PRIMARY KEY);"
        "CREATE TABLE c (x integer NOT NULL REFERENCES a, FOREIGN KEY (x) REFERENCES b);",
    )
    _loads(db, schema, {"main.a": 20, "main.b": 10, "main.c": 50})
    assert _rows(db, "SELECT max(x) <= 10 FROM c") == [(1,)]
    db, schema = _db(
        tmp_path,
        "CREATE TABLE a (id integer PRIMARY KEY); CREATE TABLE w (k text PRIMARY KEY);"
        "CREATE TABLE d (x NOT NULL REFERENCES w, FOREIGN KEY (x) REFERENCES a);",
        name="words",
    )
    _refuses(db, schema, r"^main\.d: foreign keys .* share \(x\), but no row")


def test_one_column_of_a_composite_key_can_be_referenced(tmp_path: Path) -> None:
    # m.x is written with m.y by one composite foreign key: a key to m (x) drew 1-tuples
    # (TypeError: '<' not supported between instances of 'tuple' and 'int').
    db, schema = _db(
        tmp_path,
        "CREATE TABLE p (a integer NOT NULL, b integer NOT NULL, PRIMARY KEY (a, b));"
        "CREATE TABLE m (x integer NOT NULL, y integer NOT NULL, id integer PRIMARY KEY,"
        " UNIQUE (x), FOREIGN KEY (x, y) REFERENCES p (a, b));"
        "CREATE TABLE c (r integer REFERENCES m (x));",
    )
    _loads(db, schema, {"main.p": 20, "main.m": 20, "main.c": 20})


def test_a_unique_key_over_part_of_a_foreign_key_stays_unique(tmp_path: Path) -> None:
    # UNIQUE (x) inside (x, y) -> p (a, b), a of five values: distinct (x, y) pairs repeated
    # x (UNIQUE failed while loading); now one referenced row per x.
    db, schema = _db(
        tmp_path,
        "CREATE TABLE p (a integer NOT NULL CHECK (a BETWEEN 1 AND 5), b integer NOT NULL,"
        " PRIMARY KEY (a, b));"
        "CREATE TABLE c (x integer NOT NULL UNIQUE, y integer NOT NULL,"
        " FOREIGN KEY (x, y) REFERENCES p (a, b));",
    )
    datagen.load(str(db), schema, {"main.p": 60}, seed=3)
    assert _rows(db, "SELECT count(DISTINCT a) FROM p") == [(5,)]
    _loads(db, schema, {"main.c": 5})
    with pytest.raises(UnsupportedError, match="adding rows to a table that has some"):
        datagen.load(str(db), schema, {"main.c": 1}, seed=4)


def test_a_unique_key_over_two_values_says_how_many(tmp_path: Path) -> None:
    # A boolean primary key with a check drew distinct values until it gave up (Unsatisfiable
    # escaped the generator); now the planner knows the two values ('forbidden' is neither:
    # it was read as false and excluded it).
    db, schema = _db(tmp_path, "CREATE TABLE t (b boolean PRIMARY KEY CHECK (b <> 'forbidden'));")
    with pytest.raises(CapacityError) as info:
        datagen.load(str(db), schema, {"main.t": 20}, seed=3)
    assert info.value.limit == 2
    _loads(db, schema, {"main.t": 2})


def test_a_unique_index_reading_bytes_as_text_is_refused(tmp_path: Path) -> None:
    # Distinct blobs need not be distinct text (a NUL ends it, NOCASE folds b'A' and b'a'):
    # 100 rows failed on UNIQUE while loading.
    db, schema = _db(
        tmp_path,
        "CREATE TABLE t (b blob); CREATE UNIQUE INDEX ix ON t ((b || '') COLLATE NOCASE);",
    )
    _refuses(db, schema, r"^main\.t: cannot keep unique index ix .* read as text")
