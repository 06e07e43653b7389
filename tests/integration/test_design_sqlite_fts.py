"""SQLite designs search with FTS5: an external-content FTS5 table over the searchable columns,
kept by three triggers, read by the search pattern (and named in its plan), with the proof's
search words drawn from the data. The index stays in step with the table through inserts,
updates and deletes (FTS5's own integrity check compares it with the table's text)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api
from dbdesign.design import Design, PatternPlan, design
from dbdesign.design.output import render, schema_sql
from dbdesign.design.prove import load_rows, proof_rows, prove
from dbdesign.migrate.compare import schema_differences
from dbdesign.readers import spec as S
from dbdesign.readers.catalog.sqlite import read_catalog
from dbdesign.readers.ddl.sqlite import read_ddl
from tests.paths import ROOT

# example -> (searched table, its searchable columns)
SEARCHED = {
    "ecommerce": ("products", ("name", "description")),
    "issue_tracker": ("issues", ("title", "body")),
    "library": ("books", ("title", "author")),
}


def _design(example: str) -> Design:
    return design(S.load(ROOT / "examples" / f"{example}.yaml"), "sqlite")


def _search(d: Design) -> PatternPlan:
    return next(p for p in d.patterns if p.pattern.text_search)


@pytest.mark.parametrize("example", sorted(SEARCHED))
def test_searchable_attributes_get_an_fts5_table(example: str, tmp_path: Path) -> None:
    table, columns = SEARCHED[example]
    d = _design(example)
    fts = d.schema.virtual_tables[f"main.{table}_fts"]
    assert fts.module == "fts5" and fts.columns == columns
    assert fts.option("content") == table and fts.option("content_rowid") == "id"
    assert list(d.schema.virtual_tables) == [fts.key]
    triggers = {t.name: t for t in d.schema.triggers_on(f"main.{table}")}
    for event in ("insert", "delete", "update"):
        trig = triggers[f"trg_{table}_fts_{event}"]
        assert trig.timing == "AFTER" and trig.events == (event.upper(),)
        assert trig.body is not None and f"INSERT INTO {fts.name}(" in trig.body.text
    # an UPDATE of other columns (updated_at's own trigger, say) leaves the index alone
    assert triggers[f"trg_{table}_fts_update"].columns == ("id", *columns)
    assert "VALUES ('delete', OLD.id" in str(triggers[f"trg_{table}_fts_delete"].body)
    decision = next(x for x in d.decisions if x.subject == fts.name)
    assert "external content" in decision.choice and "triggers" in decision.reason
    assert not any(x.choice == "no full-text index" for x in d.decisions)
    pp = _search(d)
    assert pp.index == fts.name
    assert f"FROM (SELECT rowid AS fts_rowid FROM {fts.name} WHERE {fts.name} MATCH ?" in pp.sql
    assert [p.kind for p in pp.params].count("search") == 1
    # the DDL loads, and both readers read back the designed schema, virtual table and all
    sql = schema_sql(d.schema)
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(sql)
    conn.close()
    assert read_catalog(db) == d.schema
    assert read_ddl(sql) == d.schema
    assert f"CREATE VIRTUAL TABLE {fts.name} USING fts5(" in render(d)["DESIGN.md"]


def test_a_table_without_an_integer_key_gets_no_fts5_table() -> None:
    """FTS5 finds rows by rowid: a uuid-keyed table's rowid is not its key, and VACUUM may
    renumber it, so the design says why there is no index rather than build a wrong one."""
    spec = S.load(ROOT / "examples" / "library.yaml")
    conv = spec.project.conventions.model_copy(update={"keys": "uuid"})
    spec = spec.model_copy(
        update={"project": spec.project.model_copy(update={"conventions": conv})}
    )
    d = design(spec, "sqlite")
    assert not d.schema.virtual_tables
    why = next(x for x in d.decisions if x.subject == "books.search")
    assert why.choice == "no full-text index" and "INTEGER PRIMARY KEY" in why.reason
    assert _search(d).index != "books_fts" and "MATCH" not in _search(d).sql


# ------------------------------------------------------------------------------------------------
# the triggers keep the index in step


def _check_index(conn: sqlite3.Connection, fts: str) -> None:
    """FTS5's integrity check with rank 1: the index holds exactly the text of the content
    table (it raises 'database disk image is malformed' otherwise)."""
    conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


def _found(conn: sqlite3.Connection, pp: PatternPlan, row: dict[str, Any], words: str) -> set[int]:
    params = tuple(words if p.kind == "search" else row[p.column] for p in pp.params)
    ids = conn.execute(f"SELECT id FROM ({pp.sql})", params).fetchall()
    return {i for (i,) in ids}


@pytest.mark.parametrize("example", sorted(SEARCHED))
def test_the_index_follows_inserts_updates_and_deletes(example: str, tmp_path: Path) -> None:
    table, columns = SEARCHED[example]
    d = _design(example)
    pp = _search(d)
    fts = f"{table}_fts"
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(schema_sql(d.schema))
    conn.close()
    # the searched table and the tables it references (none referencing it: rows can go)
    keys, todo = set(), [f"main.{table}"]
    while todo:
        k = todo.pop()
        keys.add(k)
        todo += [fk.ref_table for fk in d.schema.tables[k].foreign_keys.values()]
    rows = {k: min(n, 300) for k, n in proof_rows(d).items() if k in keys}
    load_rows(str(db), d, rows)  # rows inserted one by one: the INSERT trigger filled the index
    conn = sqlite3.connect(db, isolation_level=None)
    conn.row_factory = sqlite3.Row
    try:
        _check_index(conn, fts)
        live = " AND deleted_at IS NULL" if "deleted_at IS NULL" in pp.sql else ""
        row = dict(conn.execute(f"SELECT * FROM {table} WHERE 1 = 1{live} ORDER BY id").fetchone())
        first = columns[0]
        conn.execute(f"UPDATE {table} SET {first} = 'alphaword' WHERE id = ?", (row["id"],))
        assert _found(conn, pp, row, '"alphaword"') == {row["id"]}
        conn.execute(f"UPDATE {table} SET {first} = 'betaword' WHERE id = ?", (row["id"],))
        assert _found(conn, pp, row, '"alphaword"') == set()
        assert _found(conn, pp, row, '"betaword"') == {row["id"]}
        # an UPDATE of another column fires updated_at's trigger, not the index's
        conn.execute(f"UPDATE {table} SET created_at = created_at WHERE id = ?", (row["id"],))
        _check_index(conn, fts)
        assert _found(conn, pp, row, '"betaword"') == {row["id"]}
        kept = dict(conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row["id"],)).fetchone())
        conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))
        assert _found(conn, pp, row, '"betaword"') == set()
        kept[first] = "gammaword"
        names = ", ".join(kept)
        marks = ", ".join("?" for _ in kept)
        conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(kept.values()))
        assert _found(conn, pp, row, '"gammaword"') == {row["id"]}
        assert _found(conn, pp, row, '"betaword"') == set()
        _check_index(conn, fts)
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------------
# the proof


@pytest.mark.parametrize("example", sorted(SEARCHED))
def test_the_proof_searches_through_the_fts5_table(example: str) -> None:
    table, _ = SEARCHED[example]
    d = _design(example)
    proof = prove(d, schema_sql(d.schema))
    assert proof.problems == (), "\n".join(proof.problems)
    assert f"main.{table}_fts" not in proof.rows  # the triggers fill it, not the generator
    r = next(r for r in proof.results if r.pattern == _search(d).pattern.name)
    assert r.index == f"{table}_fts" and r.uses_index
    assert r.indexes_used[0] == f"{table}_fts", r.plan_text
    assert f"SCAN {table}_fts VIRTUAL TABLE INDEX 0:M" in r.plan_text
    # the two least common words of one row, quoted; the typical set finds that row at least
    (words,) = [v for v, p in zip(r.params, _search(d).params, strict=True) if p.kind == "search"]
    assert len(words.split()) == 2 and all(w.startswith('"') for w in words.split()), words
    assert r.sets[0].matched >= 1


def test_cli_design_of_a_search_example_on_sqlite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _d, proof = api.design(ROOT / "examples" / "library.yaml", dialect="sqlite", out=out)
    assert proof is not None and proof.problems == ()
    md = (out / "DESIGN.md").read_text()
    assert "books_fts" in md
    assert "CREATE VIRTUAL TABLE books_fts USING fts5(" in (out / "schema.sql").read_text()
    down = (out / "migrations" / "0001_initial.down.sql").read_text()
    assert down.startswith('DROP TABLE "books_fts";')


# ------------------------------------------------------------------------------------------------
# the data generator builds the index once, after the rows


def _triggers(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        out = dict(rows.fetchall())
    conn.close()
    return out


def test_a_load_sets_the_fts5_triggers_aside_and_rebuilds_the_index(tmp_path: Path) -> None:
    from dbdesign.datagen import fts_sqlite

    d = _design("ecommerce")
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(schema_sql(d.schema))
    conn.close()
    before = _triggers(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    held = fts_sqlite.set_aside(conn, d.schema, ["main.products", "main.orders"])
    during = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    fts_sqlite.rebuild(conn, held)
    conn.execute("COMMIT")
    conn.close()
    # only the triggers that write into products_fts; updated_at's own stays in place
    assert set(before) - during == {
        "trg_products_fts_insert",
        "trg_products_fts_delete",
        "trg_products_fts_update",
    }
    assert "trg_products_set_updated_at" in during
    assert _triggers(db) == before  # created again exactly as they were
    # a load from empty: the index is complete and the triggers are the designed ones
    rows = {k: min(n, 500) for k, n in proof_rows(d).items()}
    load_rows(str(db), d, rows)
    assert _triggers(db) == before
    assert read_catalog(db) == d.schema
    conn = sqlite3.connect(db, isolation_level=None)
    _check_index(conn, "products_fts")
    (n,) = conn.execute("SELECT count(*) FROM products_fts_docsize").fetchone()
    assert n == rows["main.products"] > 0
    conn.close()
    # more rows into a table that has some: written through the triggers, the index still whole
    load_rows(str(db), d, {"main.products": 200})
    conn = sqlite3.connect(db, isolation_level=None)
    _check_index(conn, "products_fts")
    (n,) = conn.execute("SELECT count(*) FROM products_fts_docsize").fetchone()
    assert n == rows["main.products"] + 200
    conn.close()


def test_a_missing_fts5_table_is_named_by_the_schema_comparison(tmp_path: Path) -> None:
    """migrate verify / test and design-against-a-previous-design compare schemas by kind: a
    database that lost its FTS5 table differs from the design, and the difference says which."""
    d = _design("library")
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(schema_sql(d.schema))
        conn.execute("DROP TABLE books_fts")
    conn.close()
    got = read_catalog(db)
    diffs = [str(x) for x in schema_differences(d.schema, got)]
    assert any("virtual table" in x and "books_fts" in x for x in diffs), diffs
