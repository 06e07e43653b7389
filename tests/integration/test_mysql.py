"""MySQL/MariaDB: the DDL reader, the catalog reader and the emitter against the machine's MariaDB
(``$DBDESIGN_TEST_MYSQL_URL``; a missing variable fails the tests, naming it).

- convergence: for every corpus file and every file of the own set (tests/integration/sql/mysql),
  ``read_ddl(file) == read_catalog(file loaded into a scratch database)``, plus facts about
  each file checked by hand, so that two readers wrong in the same way would still fail;
- round trips: ``read_ddl(emit(s)) == s`` and ``read_catalog(load(emit(s))) == s`` on the same
  files and on random schemas (hypothesis), JSON round trips, deterministic output;
- the wiring: ``api.read``/``api.emit``, ``dbdesign inspect|lint|docs`` on files and URLs,
  connection errors without the password.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from dbdesign import api
from dbdesign.emit.mysql import emit_schema
from dbdesign.engine import mysql_scratch_database, mysql_with_database
from dbdesign.errors import ConnectionError, Diagnostic
from dbdesign.migrate.compare import schema_differences
from dbdesign.model import DataType, Expr, FrozenMap, Identity, Schema, from_dict, to_dict
from dbdesign.readers.catalog.mysql import read_catalog
from dbdesign.readers.ddl.mysql import read_ddl, read_path
from tests.mysqlload import load_mysql, mysql_server_url
from tests.paths import MYSQL_CORPUS
from tests.strategies_mysql import mysql_schemas

OWN_SET = sorted((Path(__file__).parent / "sql" / "mysql").glob("*.sql"))
FILES = MYSQL_CORPUS + OWN_SET
IDS = [f"{p.parent.name}/{p.name}" for p in FILES]

# Files the server cannot load, with the reason. The test checks the claim: loading must really
# fail, and the file must still read. Both corpus files load on MariaDB 10.11.
CANNOT_LOAD: dict[str, str] = {}


def assert_same(expected: Schema, actual: Schema) -> None:
    diffs = schema_differences(expected, actual)
    assert not diffs, "models differ:\n  " + "\n  ".join(str(d) for d in diffs[:40])
    assert expected == actual


def json_round_trip(s: Schema) -> Schema:
    return from_dict(json.loads(json.dumps(to_dict(s))))


@pytest.fixture(scope="module")
def server() -> str:
    return mysql_server_url()


@pytest.fixture()
def scratch(server: str) -> Any:
    with mysql_scratch_database(server) as url:
        yield url


def test_corpus_is_there() -> None:
    assert sorted(p.name for p in MYSQL_CORPUS) == ["chinook.sql", "sakila.sql"]
    assert {p.name for p in OWN_SET} >= {"types.sql", "keys.sql", "alter.sql", "routines.sql"}


# ------------------------------------------------------------------------------------------------
# convergence


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_ddl_equals_catalog(path: Path, scratch: str) -> None:
    warnings: list[Diagnostic] = []
    from_ddl = read_path(path, warn=warnings.append)
    assert from_ddl.tables
    reason = CANNOT_LOAD.get(path.name)
    if reason is not None:  # the claim is checked: the server refuses the file
        import pymysql

        with pytest.raises(pymysql.err.MySQLError):
            load_mysql(scratch, path.read_text())
    else:
        assert warnings == [], [str(w) for w in warnings]
        load_mysql(scratch, path.read_text())
        from_catalog = read_catalog(scratch)
        assert_same(from_ddl, from_catalog)
        # Equality is not vacuous: a changed column is noticed.
        key, table = next(iter(from_ddl.tables.items()))
        col = table.columns[0]
        changed = dataclasses.replace(
            table,
            columns=(dataclasses.replace(col, nullable=not col.nullable), *table.columns[1:]),
        )
        mutated = dataclasses.replace(from_ddl, tables=FrozenMap({**from_ddl.tables, key: changed}))
        assert mutated != from_catalog


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_emit_round_trips(path: Path, scratch: str) -> None:
    """read_ddl(emit(s)) == s and read_catalog(load(emit(s))) == s, with s read from the file."""
    if path.name in CANNOT_LOAD:
        pytest.skip(CANNOT_LOAD[path.name])  # checked by test_ddl_equals_catalog
    s = read_path(path)
    sql = emit_schema(s)
    assert_same(s, read_ddl(sql, file="emitted.sql"))
    assert emit_schema(read_ddl(sql)) == sql  # emitting is deterministic
    assert_same(s, json_round_trip(s))
    load_mysql(scratch, sql)
    assert_same(s, read_catalog(scratch))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
)
@given(s=mysql_schemas())
def test_random_schema_emit_read_ddl(s: Schema) -> None:
    """read_ddl(emit(s)) == s and JSON round trips for random schemas (no server)."""
    sql = emit_schema(s)
    note(sql)
    assert_same(s, read_ddl(sql))
    assert_same(s, json_round_trip(s))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
    ],
)
@given(s=mysql_schemas())
def test_random_schema_load_read_catalog(s: Schema, server: str) -> None:
    """read_catalog(load(emit(s))) == s for random schemas."""
    sql = emit_schema(s)
    note(sql)
    with mysql_scratch_database(server) as url:
        load_mysql(url, sql)
        assert_same(s, read_catalog(url))


# ------------------------------------------------------------------------------------------------
# facts, checked on both readers


def _both(path: Path, scratch: str) -> list[Schema]:
    load_mysql(scratch, path.read_text())
    return [read_path(path), read_catalog(scratch)]


def _file(name: str) -> Path:
    """A file of the own set."""
    return next(p for p in OWN_SET if p.name == name)


def test_sakila_facts(scratch: str) -> None:
    path = next(p for p in MYSQL_CORPUS if p.name == "sakila.sql")
    for s in _both(path, scratch):
        assert s.dialect == "mysql" and list(s.namespaces) == ["main"]
        assert (len(s.tables), len(s.views), len(s.triggers), len(s.functions)) == (16, 7, 3, 6)
        film = s.tables["main.film"]
        assert dict(film.dialect_options) == {
            "charset": "utf8mb3",
            "collation": "utf8mb3_general_ci",
            "on_update:last_update": "current_timestamp()",
        }
        cols = {c.name: c for c in film.columns}
        assert cols["film_id"].type == DataType(name="int unsigned")
        assert cols["film_id"].identity == Identity(always=False) and not cols["film_id"].nullable
        assert cols["rental_rate"].type == DataType(name="decimal", args=(4, 2))
        assert cols["rental_rate"].default == Expr("4.99", "mysql")
        assert cols["rating"].type.args == ("'G'", "'PG'", "'PG-13'", "'R'", "'NC-17'")
        assert cols["rating"].default == Expr("'G'", "mysql")
        assert cols["release_year"].type == DataType(name="year")
        assert cols["last_update"].default == Expr("CURRENT_TIMESTAMP", "mysql")
        assert film.primary_key is not None and film.primary_key.name == "PRIMARY"
        fk = film.foreign_keys["fk_film_language"]
        assert (fk.ref_table, fk.ref_columns, fk.on_delete, fk.on_update) == (
            "main.language",
            ("language_id",),
            "RESTRICT",
            "CASCADE",
        )
        assert s.tables["main.payment"].foreign_keys["fk_payment_rental"].on_delete == "SET NULL"
        # UNIQUE KEY (rental_date, ...) is named after its first column by the server.
        assert s.tables["main.rental"].uniques["rental_date"].columns == (
            "rental_date",
            "inventory_id",
            "customer_id",
        )
        staff = {c.name: c for c in s.tables["main.staff"].columns}
        assert staff["active"].type == DataType(name="boolean")  # BOOLEAN is tinyint(1)
        assert staff["password"].collation == "utf8mb3_bin"  # VARCHAR(40) BINARY
        assert staff["picture"].type == DataType(name="mediumblob")
        ft = s.indexes["main.film_text.idx_title_description"]
        assert ft.method == "fulltext" and [e.column for e in ft.elements] == [
            "title",
            "description",
        ]
        # Two tables have an index idx_fk_film_id: index names are per table.
        assert "main.film_actor.idx_fk_film_id" in s.indexes
        assert "main.inventory.idx_fk_film_id" in s.indexes
        assert s.views["main.actor_info"].options == ("sql_security=INVOKER",)
        tr = s.triggers["main.film.upd_film"]
        assert (tr.timing, tr.events, tr.level) == ("AFTER", ("UPDATE",), "ROW")
        assert tr.body is not None and "UPDATE film_text" in tr.body.text
        f = s.functions["main.get_customer_balance(int, datetime)"]
        assert (f.returns, f.volatility, f.config) == (
            "decimal(5,2)",
            "IMMUTABLE",
            ("sql_data_access=READS SQL DATA",),
        )
        p = s.functions["main.film_in_stock(int, int)"]
        assert p.kind == "procedure" and [a.mode for a in p.arguments] == ["IN", "IN", "OUT"]
        assert s.functions["main.rewards_report(tinyint unsigned, decimal(10,2) unsigned)"]


def test_chinook_facts(scratch: str) -> None:
    path = next(p for p in MYSQL_CORPUS if p.name == "chinook.sql")
    for s in _both(path, scratch):
        assert len(s.tables) == 11 and not s.views
        album = s.tables["main.Album"]
        title = album.columns[1]
        # NVARCHAR is varchar in utf8mb3, unlike the table (the database's utf8mb4).
        assert (title.type, title.collation) == (
            DataType(name="varchar", args=(160,)),
            "utf8mb3_general_ci",
        )
        assert album.foreign_keys["FK_AlbumArtistId"].on_delete == "NO ACTION"
        # The index InnoDB made for FK_AlbumArtistId was dropped when IFK_AlbumArtistId came.
        assert sorted(k for k in s.indexes if k.startswith("main.Album.")) == [
            "main.Album.IFK_AlbumArtistId"
        ]
        assert s.tables["main.Invoice"].columns[-1].type == DataType(name="decimal", args=(10, 2))


def test_keys_facts(scratch: str) -> None:
    for s in _both(_file("keys.sql"), scratch):
        parent = s.tables["main.parent"]
        assert sorted(parent.uniques) == ["a", "code", "uq_b", "uq_named"]
        assert parent.uniques["uq_b"].comment == "unique with a comment"
        names = sorted(k.rsplit(".", 1)[1] for k in s.indexes if k.startswith("main.parent."))
        assert names == [
            "a_2",
            "a_3",
            "a_4",
            "a_5",
            "body",
            "desc_idx",
            "ft_title_body",
            "hashed",
            "long_unique",
            "prefix_idx",
            "unique_desc",
            "unique_prefix",
        ]
        assert s.indexes["main.parent.long_unique"].method == "hash"
        assert s.indexes["main.parent.hashed"].method == "btree"  # InnoDB ignores USING HASH
        assert [e.length for e in s.indexes["main.parent.prefix_idx"].elements] == [20, None]
        assert s.indexes["main.parent.unique_desc"].elements[0].descending
        child = s.tables["main.child"]
        assert sorted(child.foreign_keys) == [
            "child_ibfk_1",
            "child_ibfk_2",
            "fk_parent",
            "fk_y",
            "idx_ab",
        ]
        assert child.foreign_keys["idx_ab"].on_delete == "NO ACTION"
        assert sorted(child.checks) == ["CONSTRAINT_1", "CONSTRAINT_2", "b_format", "positive"]
        # Indexes InnoDB added for the foreign keys (fk_y is covered by covers_y).
        assert sorted(k for k in s.indexes if k.startswith("main.child.")) == [
            "main.child.code",
            "main.child.covers_y",
            "main.child.fk_parent",
            "main.child.idx_ab",
            "main.child.x",
        ]
        assert sorted(s.tables["main.column_checks"].checks) == [
            "CONSTRAINT_1",
            "CONSTRAINT_2",
            "price",
            "qty",
        ]
        assert "main.later.fk_later" not in s.indexes  # dropped once ix_later_parent covered it
        legacy = s.tables["main.legacy"]
        assert not legacy.foreign_keys and "main.legacy.fk_legacy" in s.indexes
        assert dict(legacy.dialect_options)["engine"] == "MyISAM"
        assert dict(s.tables["main.aria_table"].dialect_options) == {
            "engine": "Aria",
            "page_checksum": "1",
            "transactional": "1",
        }
        assert s.indexes["main.mem.k"].method == "hash"
        assert s.indexes["main.mem.bt"].method == "btree"
        assert s.indexes["main.geo.sp_shape"].method == "spatial"
        opts = s.tables["main.options"]
        assert (opts.comment, opts.dialect_options["row_format"]) == (
            "table options",
            "COMPRESSED",
        )
        assert "auto_increment" not in opts.dialect_options  # AUTO_INCREMENT=n is state
        assert s.tables["main.inline_keys"].uniques["s"].columns == ("s",)


def test_types_facts(scratch: str) -> None:
    for s in _both(_file("types.sql"), scratch):
        numbers = {c.name: c for c in s.tables["main.numbers"].columns}
        assert str(numbers["z"].type) == "int(5) unsigned zerofill"
        assert numbers["z"].default == Expr("00042", "mysql")
        assert str(numbers["du"].type) == "decimal(8,2) unsigned"
        assert numbers["d52"].default == Expr("5.00", "mysql")
        assert numbers["f30"].type == DataType(name="double")  # FLOAT(30) is a double
        assert numbers["b3"].default == Expr("b'101'", "mysql")
        assert {numbers[n].type.name for n in ("flag", "flag2", "flag3")} == {"boolean"}
        texts = {c.name: c for c in s.tables["main.texts"].columns}
        assert texts["js"].type == DataType(name="json") and texts["js"].collation is None
        assert not s.tables["main.texts"].checks  # json_valid() is part of json
        assert texts["nv"].collation == "utf8mb3_general_ci"
        assert texts["t90000"].type == DataType(name="mediumtext")
        assert texts["as_binary"].type == DataType(name="varbinary", args=(10,))
        assert texts["same_as_table"].collation is None
        assert texts["e"].type.args[-1] == "'trailing'"  # trailing spaces are dropped
        assert texts["vc"].default == Expr("'3'", "mysql")
        temporal = s.tables["main.temporal"]
        assert temporal.dialect_options["on_update:ts6"] == "current_timestamp(6)"
        tcols = {c.name: c for c in temporal.columns}
        assert tcols["dt"].default == Expr("'2020-01-01 00:00:00'", "mysql")
        assert tcols["id"].type == DataType(name="bigint unsigned")  # SERIAL
        latin = s.tables["main.latin_table"]
        lcols = {c.name: c for c in latin.columns}
        assert (lcols["name"].collation, lcols["bin_name"].collation) == (None, "latin1_bin")
        assert lcols["tx"].type == DataType(name="tinytext")  # TEXT(100) in latin1
        computed = {c.name: c for c in s.tables["main.computed"].columns}
        assert computed["total"].generated is not None and computed["total"].generated.stored
        assert computed["label"].generated is not None and computed["label"].generated.stored
        assert computed["half"].generated is not None and not computed["half"].generated.stored


def test_alter_facts(scratch: str) -> None:
    for s in _both(_file("alter.sql"), scratch):
        assert sorted(t.name for t in s.tables.values()) == [
            "accounts",
            "accounts_copy",
            "conv",
            "fk_child_now",
            "fk_parent_now",
            "purchases",
            "things",
        ]
        accounts = s.tables["main.accounts"]
        assert [c.name for c in accounts.columns] == [
            "sort_key",
            "id",
            "created",
            "email",
            "status",
            "nickname",
            "score",
        ]
        assert accounts.comment == "user accounts"
        status = accounts.columns[4]
        assert (status.comment, status.default) == ("lifecycle", Expr("'active'", "mysql"))
        assert accounts.columns[5].collation == "latin1_swedish_ci"
        assert "main.accounts.ix_status" in s.indexes
        purchases = s.tables["main.purchases"]
        assert sorted(purchases.foreign_keys) == ["fk_orders_account", "purchases_ibfk_1"]
        assert sorted(purchases.checks) == ["CONSTRAINT_2", "total_positive"]
        fk = s.tables["main.fk_child_now"].foreign_keys["fk_child_now_ibfk_1"]
        assert (fk.columns, fk.ref_table) == (("parent_id",), "main.fk_parent_now")
        assert s.tables["main.things"].columns[0].nullable is False  # once a primary key
        conv = {c.name: c.collation for c in s.tables["main.conv"].columns}
        assert conv == {
            "id": None,
            "a": "latin1_swedish_ci",
            "b": "latin1_swedish_ci",
            "c": "latin1_swedish_ci",
            "n": None,
            "d": None,
        }


def test_routines_facts(scratch: str) -> None:
    for s in _both(_file("routines.sql"), scratch):
        assert sorted(v.name for v in s.views.values()) == [
            "active_products",
            "cheap",
            "counts",
            "named_products",
            "priced",
            "sales_per_product",
            "top_product",
        ]
        assert s.views["main.cheap"].check_option == "CASCADED"
        assert s.views["main.named_products"].check_option == "LOCAL"
        assert s.views["main.priced"].options == ("algorithm=MERGE",)
        # MERGE cannot apply to an aggregate view: the server records UNDEFINED.
        assert s.views["main.counts"].options == ("sql_security=INVOKER",)
        assert s.views["main.top_product"].options == ("algorithm=TEMPTABLE",)
        assert sorted(s.triggers) == [
            "main.product.product_touch",
            "main.sale.sale_check",
            "main.sale.sale_log",
            "main.sale.sale_stock",
            "main.sale.sale_when",
        ]
        net = s.functions["main.net_price(decimal(10,2), double)"]
        assert (net.volatility, net.config, net.comment) == (
            "IMMUTABLE",
            ("sql_data_access=NO SQL",),
            "price without tax",
        )
        assert "# a hash comment; with a ; inside" in net.body
        restock = s.functions["main.restock(int unsigned, int)"]
        assert not restock.security_definer
        assert s.functions["main.is_cheap(int)"].returns == "boolean"
        assert s.tables["main.sale"].foreign_keys["fk_sale_product"].ref_table == "main.product"


def test_dump_equals_its_source_file(scratch: str) -> None:
    """dump.sql is mariadb-dump's output for routines.sql plus one table and some rows."""
    dump = read_path(_file("dump.sql"))
    source = read_path(_file("routines.sql"))
    assert set(dump.tables) - set(source.tables) == {"main.typed"}
    assert_same(
        source,
        dataclasses.replace(
            dump,
            tables=FrozenMap({k: t for k, t in dump.tables.items() if k != "main.typed"}),
            indexes=FrozenMap({k: i for k, i in dump.indexes.items() if i.table != "typed"}),
        ),
    )
    typed = {c.name: c for c in dump.tables["main.typed"].columns}
    assert typed["j"].type == DataType(name="json")  # longtext ... CHECK (json_valid(j))


# ------------------------------------------------------------------------------------------------
# the wiring: api, CLI, connections


def test_api_reads_files_and_urls(server: str, scratch: str) -> None:
    path = _file("keys.sql")
    assert api.detect_dialect(str(path)) == "mysql"
    assert api.detect_dialect(server) == "mysql"
    assert api.is_database_url(server) and api.is_database_url("mariadb://u@h/db")
    from_file = api.read(str(path), dialect="mysql")
    assert from_file == read_path(path)
    load_mysql(scratch, path.read_text())
    assert_same(from_file, api.read(scratch))
    assert_same(from_file, api.read(scratch.replace("mysql://", "mariadb://", 1)))
    assert api.emit(from_file) == emit_schema(from_file)
    counts = api.row_counts(scratch)
    assert counts["main.parent"] == 0 and len(counts) == len(from_file.tables)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbdesign", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_inspect_lint_docs(scratch: str, tmp_path: Path) -> None:
    path = next(p for p in MYSQL_CORPUS if p.name == "sakila.sql")
    r = _cli("inspect", str(path), "--dialect", "mysql")
    assert r.returncode == 0, r.stderr
    assert "(mysql)" in r.stdout and "film_actor" in r.stdout
    r = _cli("inspect", str(path), "--format", "json")  # detected
    assert r.returncode == 0, r.stderr
    assert api.from_json(r.stdout) == read_path(path)
    load_mysql(scratch, path.read_text())
    r = _cli("inspect", scratch)
    assert r.returncode == 0, r.stderr
    assert "rows" in r.stdout and "actor" in r.stdout
    r = _cli("lint", str(path), "--dialect", "mysql", "--format", "json")
    assert r.returncode == 1, r.stderr  # an error-level finding: the password column
    from_file = _findings(r.stdout)
    assert ("SEC001", "main.staff.password") in from_file
    r = _cli("lint", scratch, "--format", "json")
    assert r.returncode == 1, r.stderr
    assert _messages(_findings(r.stdout)) == _messages(from_file)  # same model, same findings
    r = _cli("docs", str(path), "--out", str(tmp_path / "docs"), "--format", "markdown")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "docs" / "index.md").exists()


def _findings(report: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Lint's JSON report keyed (code, object)."""
    return {(f["code"], f["object"]): f for f in json.loads(report)["findings"]}


def _messages(findings: dict[tuple[str, str], dict[str, Any]]) -> dict[tuple[str, str], str]:
    """The findings without where they were found (a file's line, a catalog's name)."""
    return {k: f["message"] for k, f in findings.items()}


# A MySQL schema with one thing wrong per rule: a plain-text password, numbered phone columns,
# money in a float, an index that repeats another, a table without a primary key.
_FLAWED = """\
CREATE TABLE customer (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(100) NOT NULL,
  password VARCHAR(100) NOT NULL,
  phone1 VARCHAR(20),
  phone2 VARCHAR(20)
) ENGINE=InnoDB;
CREATE TABLE product (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  price FLOAT NOT NULL,
  KEY ix_name (name),
  KEY ix_name_again (name)
) ENGINE=InnoDB;
CREATE TABLE audit_log (
  at DATETIME NOT NULL,
  message TEXT
) ENGINE=InnoDB;
"""


def test_lint_finds_what_is_wrong_with_a_mysql_schema(scratch: str, tmp_path: Path) -> None:
    """dbdesign lint on a MySQL file and on the same schema loaded into MariaDB: the expected
    findings, at their lines in the file, the same from both, and exit code 1 (errors)."""
    path = tmp_path / "shop.sql"
    path.write_text(_FLAWED)
    r = _cli("lint", str(path), "--dialect", "mysql", "--format", "json")
    assert r.returncode == 1, r.stderr
    from_file = _findings(r.stdout)
    expected = {
        ("SEC001", "main.customer.password"): ("error", 4),
        ("NRM001", "main.customer"): ("warning", 5),
        ("TYP003", "main.product.price"): ("error", 11),
        ("IDX001", "main.ix_name_again"): ("warning", 13),
        ("KEY001", "main.audit_log"): ("error", 15),
    }
    got = {k: (from_file[k]["severity"], from_file[k]["line"]) for k in expected if k in from_file}
    assert got == expected, sorted(from_file)
    assert "ix_name" in from_file[("IDX001", "main.ix_name_again")]["message"]
    load_mysql(scratch, _FLAWED)
    r = _cli("lint", scratch, "--format", "json")
    assert r.returncode == 1, r.stderr
    from_db = _findings(r.stdout)
    assert _messages(from_db) == _messages(from_file)
    r = _cli("lint", str(path), "--dialect", "mysql", "--format", "json", "--ignore", "SEC001")
    assert r.returncode == 1, r.stderr  # TYP003 and KEY001 are errors too
    assert set(_findings(r.stdout)) == set(from_file) - {("SEC001", "main.customer.password")}


def test_connection_errors_hide_the_password(server: str) -> None:
    bad = server.replace("://", "://nobody_here:s3cr3t-pw@", 1)
    if "@" in server.split("://", 1)[1]:  # the URL has a user already
        scheme, rest = server.split("://", 1)
        bad = f"{scheme}://nobody_here:s3cr3t-pw@{rest.split('@', 1)[1]}"
    with pytest.raises(ConnectionError) as info:
        read_catalog(bad)
    assert "s3cr3t-pw" not in str(info.value) and "***" in str(info.value)
    r = _cli("inspect", bad)
    assert r.returncode == 2 and "s3cr3t-pw" not in r.stderr + r.stdout
    assert r.stderr.startswith("dbdesign: error: cannot connect to ")
    with pytest.raises(ConnectionError, match="Unknown database"):
        read_catalog(mysql_with_database(server, "dbdesign_no_such_database_x"))


# ------------------------------------------------------------------------------------------------
# connections (the fuzz against the server is in test_mysql_fuzz.py)


def test_read_catalog_leaves_an_open_connection_as_it_was(scratch: str) -> None:
    from dbdesign.engine import connect_mysql

    load_mysql(scratch, "CREATE TABLE t (id INT PRIMARY KEY);")
    conn = connect_mysql(scratch)
    try:
        conn.begin()
        with conn.cursor() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
        s = read_catalog(conn)  # inside the caller's transaction: no commit, no rollback
        assert list(s.tables) == ["main.t"]
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM t")
            assert cur.fetchone()[0] == 0  # the insert was still uncommitted
        assert read_catalog(conn) == s  # outside a transaction too
    finally:
        conn.close()
