"""A cycle of required relationships (specs/required_cycle.yaml: every author has a current
book, every book a publisher, every publisher a lead author: authors -> books -> publishers ->
authors, all required) designed and proved on PostgreSQL (embedded), SQLite and MariaDB.

With every key of the cycle NOT NULL and checked as each row is inserted, no row can ever be
inserted (the first row always points at one that does not exist yet); the proof used to pass
only because datagen dropped and re-added the cyclic keys while loading. The designer now
defers one key of the cycle (PostgreSQL, SQLite: DEFERRABLE INITIALLY DEFERRED) or, where the
database cannot defer a key (MySQL / MariaDB), makes it nullable, and says why in DESIGN.md;
the proof loads the rows as an application must, every key in force."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dbdesign import datagen
from dbdesign.design import Design, design
from dbdesign.design import prove as prove_mod
from dbdesign.design.build import CYCLE_DEFERRED, CYCLE_NULLABLE
from dbdesign.design.output import render, schema_sql
from dbdesign.design.prove import prove
from dbdesign.errors import DbdesignError
from dbdesign.model import FrozenMap
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.proofs import plan_problems

CYCLE = Path(__file__).parent / "specs" / "required_cycle.yaml"
DIALECTS = ["postgres", "sqlite", "mysql"]
CHOSEN_FK = "fk_publishers_lead_author_id"  # the cycle's relationship stated last in the spec
OTHER_FKS = ("fk_authors_current_book_id", "fk_books_publisher_id")
PATH = "authors → books → publishers → authors"


def _design(dialect: str) -> Design:
    return design(S.load(CYCLE), dialect)


def _server(dialect: str) -> str | None:
    """Where a ``dialect`` design is proved: the embedded PostgreSQL, the test MariaDB, or (SQLite)
    a temporary file the proof makes itself."""
    if dialect == "postgres":
        return server_url("embedded")
    if dialect == "mysql":
        from tests.mysqlload import mysql_server_url

        return mysql_server_url()
    return None


@contextmanager
def _scratch(dialect: str, tmp_path: Path) -> Iterator[str]:
    from dbdesign import engine

    if dialect == "postgres":
        with engine.scratch_database(server_url("embedded")) as url:
            yield url
    elif dialect == "mysql":
        from tests.mysqlload import mysql_server_url

        with engine.mysql_scratch_database(mysql_server_url()) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'cycle.db'}"


def _apply(dialect: str, url: str, script: str) -> None:
    if dialect == "postgres":
        from tests.pgload import load_sql

        load_sql(url, script)
    elif dialect == "mysql":
        from tests.mysqlload import load_mysql

        load_mysql(url, script)
    else:
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            con.executescript(script)
        finally:
            con.close()


@contextmanager
def _connect(dialect: str, url: str) -> Iterator[Any]:
    """A connection in manual-commit mode (each test statement inside one transaction)."""
    from dbdesign import engine

    if dialect == "postgres":
        with engine.connect(url) as conn:
            yield conn
    elif dialect == "mysql":
        conn = engine.connect_mysql(url)
        try:
            yield conn
        finally:
            conn.close()
    else:
        con = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
        try:
            yield con
        finally:
            con.close()


def _exec(conn: Any, statement: str) -> None:
    if hasattr(conn, "execute"):  # psycopg, sqlite3
        conn.execute(statement)
    else:
        with conn.cursor() as cur:  # PyMySQL
            cur.execute(statement)


def _rows(conn: Any, query: str) -> list[tuple[Any, ...]]:
    if hasattr(conn, "execute"):  # psycopg, sqlite3
        return list(conn.execute(query).fetchall())
    with conn.cursor() as cur:  # PyMySQL
        cur.execute(query)
        return list(cur.fetchall())


def _rel(d: Design, key: str) -> str:
    return key if d.dialect == "postgres" else key.split(".", 1)[1]


def _orphans(conn: Any, d: Design) -> dict[str, int]:
    """Rows breaking each foreign key of the design, counted by query: 0 for every key when
    the data satisfies them all."""
    out = {}
    for t in d.schema.tables.values():
        for fk in t.foreign_keys.values():
            alive = " AND ".join(f"c.{c} IS NOT NULL" for c in fk.columns)
            match = " AND ".join(
                f"p.{r} = c.{c}" for c, r in zip(fk.columns, fk.ref_columns, strict=True)
            )
            ((n,),) = _rows(
                conn,
                f"SELECT count(*) FROM {_rel(d, t.key)} c WHERE {alive} AND NOT EXISTS "
                f"(SELECT 1 FROM {_rel(d, fk.ref_table)} p WHERE {match})",
            )
            out[fk.name] = int(n)
    return out


def _fk_oids(conn: Any) -> dict[str, int]:
    """PostgreSQL: each foreign key's constraint oid (a key dropped and re-added gets a new one)."""
    return {
        str(name): int(oid)
        for name, oid in _rows(
            conn,
            "SELECT conname, oid FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
        )
    }


def _without_the_fix(d: Design) -> Design:
    """The design as it was before the fix: every key of the cycle NOT NULL and checked at
    once."""
    tables = {}
    for key, t in d.schema.tables.items():
        fks = {
            n: replace(
                fk,
                deferrable=False,
                initially_deferred=False,
                on_delete="RESTRICT" if fk.initially_deferred else fk.on_delete,
            )
            for n, fk in t.foreign_keys.items()
        }
        cols = tuple(replace(c, nullable=False) if c.name.endswith("_id") else c for c in t.columns)
        tables[key] = replace(t, foreign_keys=FrozenMap(fks), columns=cols)
    return replace(d, schema=replace(d.schema, tables=FrozenMap(tables)))


# --------------------------------------------------------------------------- the design


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_designer_defers_or_relaxes_one_key_of_the_cycle(dialect: str) -> None:
    d = _design(dialect)
    tables = {t.name: t for t in d.schema.tables.values()}
    fks = {fk.name: (t, fk) for t in tables.values() for fk in t.foreign_keys.values()}
    assert set(fks) == {CHOSEN_FK, *OTHER_FKS}
    for name in OTHER_FKS:  # the rest of the cycle: required, checked at once, as stated
        t, fk = fks[name]
        assert not fk.deferrable and fk.on_delete == "RESTRICT"
        assert not t.column(fk.columns[0]).nullable  # type: ignore[union-attr]
    t, fk = fks[CHOSEN_FK]
    lead = t.column("lead_author_id")
    assert lead is not None
    sql = schema_sql(d.schema)
    reasons = {x.subject: x for x in d.decisions}
    if dialect == "mysql":  # no deferrable keys: the chosen side is optional instead
        assert not fk.deferrable and lead.nullable
        assert "`lead_author_id` bigint NULL," in sql and "DEFERRABLE" not in sql
        x = reasons["publishers.lead_author_id"]
        assert x.choice == CYCLE_NULLABLE
        assert "cannot defer it to COMMIT" in x.reason and "UPDATE" in x.reason
    else:
        assert fk.deferrable and fk.initially_deferred and not lead.nullable
        # RESTRICT would be checked at once even on a deferred key
        assert fk.on_delete == "NO ACTION"
        assert sql.count("DEFERRABLE INITIALLY DEFERRED") == 1
        line = next(x for x in sql.splitlines() if "DEFERRABLE INITIALLY DEFERRED" in x)
        assert "fk_publishers_lead_author_id" in line and "ON DELETE" not in line
        x = reasons[CHOSEN_FK]
        assert x.choice == CYCLE_DEFERRED
        assert "checked at COMMIT" in x.reason and "RESTRICT" in x.reason
        assert "ON DELETE RESTRICT" not in [y.choice for y in d.decisions if y.subject == CHOSEN_FK]
    assert PATH in x.reason and "stated last in the spec" in x.reason
    doc = render(d)["DESIGN.md"]
    assert x.reason in doc  # the Decisions table
    if dialect == "mysql":
        assert "**publishers.lead_author_id** is nullable although the spec requires it" in doc
    else:
        assert "**publishers.lead_author_id** references authors (ON DELETE NO ACTION, " in doc
        assert "DEFERRABLE INITIALLY DEFERRED: checked at COMMIT" in doc


def test_the_key_chosen_is_the_relationship_stated_last(tmp_path: Path) -> None:
    text = CYCLE.read_text()
    lines = text.splitlines(keepends=True)
    rels = [i for i, x in enumerate(lines) if x.startswith("  - {type: one-to-many")]
    assert len(rels) == 3
    chosen = {}
    for order in itertools.permutations(rels):
        body = [lines[i] for i in order]
        spec = tmp_path / "spec.yaml"
        spec.write_text("".join(lines[: rels[0]] + body + lines[rels[-1] + 1 :]))
        for dialect in ("postgres", "mysql"):
            d = design(S.load(spec), dialect)
            deferred = [
                fk.name
                for t in d.schema.tables.values()
                for fk in t.foreign_keys.values()
                if fk.deferrable
            ]
            nullable = [
                f"{t.name}.{c.name}"
                for t in d.schema.tables.values()
                for c in t.columns
                if c.name.endswith("_id") and c.nullable
            ]
            chosen[(order, dialect)] = deferred or nullable
        last = lines[order[-1]]
        child = {"current_book": "authors", "publisher": "books", "lead_author": "publishers"}
        col = next(k for k in child if f"name: {k}," in last or f"parent: {k}," in last)
        assert chosen[(order, "postgres")] == [f"fk_{child[col]}_{col}_id"]
        assert chosen[(order, "mysql")] == [f"{child[col]}.{col}_id"]


def test_a_cycle_with_an_optional_relationship_is_left_as_stated(tmp_path: Path) -> None:
    # One optional key already lets the rows in (NULL first, then UPDATE): nothing to change.
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        CYCLE.read_text().replace(
            "name: lead_author, required: true", "name: lead_author, required: false"
        )
    )
    for dialect in DIALECTS:
        d = design(S.load(spec), dialect)
        assert not any(
            fk.deferrable for t in d.schema.tables.values() for fk in t.foreign_keys.values()
        )
        assert not [x for x in d.decisions if x.choice in (CYCLE_DEFERRED, CYCLE_NULLABLE)]


# --------------------------------------------------------------------------- the proof


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_cycle_design_is_proved_and_its_data_satisfies_every_key(
    dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = _design(dialect)
    seen: dict[str, Any] = {}
    real = prove_mod.server_for

    class Checking:
        """The proof's server; after the load (statistics come next) it counts the rows that
        break each foreign key, in the scratch database the proof drops afterwards."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def apply(self, conn: Any, up_sql: str) -> None:
            self.inner.apply(conn, up_sql)
            if dialect == "postgres":
                seen["oids"] = _fk_oids(conn)

        def analyze(self, conn: Any, d: Design) -> None:
            seen["orphans"] = _orphans(conn, d)
            seen["rows"] = {
                t.name: _rows(conn, f"SELECT count(*) FROM {_rel(d, t.key)}")[0][0]
                for t in d.schema.tables.values()
            }
            seen["leads"] = _rows(
                conn, f"SELECT count(lead_author_id) FROM {_rel(d, 'public.publishers')}"
            )[0][0]
            if dialect == "postgres":
                seen["oids_after"] = _fk_oids(conn)
                seen["deferred"] = _rows(
                    conn,
                    "SELECT conname FROM pg_constraint WHERE condeferrable AND condeferred "
                    "AND convalidated",
                )
            self.inner.analyze(conn, d)

    monkeypatch.setattr(prove_mod, "server_for", lambda url, dia: Checking(real(url, dia)))
    proof = prove(d, schema_sql(d.schema), _server(dialect))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert proof.rows and all(n > 0 for n in proof.rows.values())
    assert seen["rows"] == {k.split(".", 1)[1]: n for k, n in proof.rows.items()}
    assert seen["orphans"] == dict.fromkeys([*OTHER_FKS, CHOSEN_FK], 0)
    publishers = seen["rows"]["publishers"]
    if dialect == "mysql":  # set by UPDATE after the authors were in (a few left optional)
        assert publishers * 0.9 <= seen["leads"] < publishers
    else:
        assert seen["leads"] == publishers  # NOT NULL, checked at COMMIT
    if dialect == "postgres":  # no key was dropped and re-added: the same constraints
        assert seen["oids_after"] == seen["oids"]
        assert seen["deferred"] == [(CHOSEN_FK,)]
    doc = render(d, proof)["DESIGN.md"]
    assert "**Result: PASS**" in doc


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_proof_fails_without_the_fix_instead_of_dropping_keys(dialect: str) -> None:
    # The same schema with every key of the cycle NOT NULL and checked at once (what the
    # designer made before): the proof refuses to load it rather than passing.
    d = _without_the_fix(_design(dialect))
    with pytest.raises(DbdesignError, match="no row of the cycle can be inserted"):
        prove(d, schema_sql(d.schema), _server(dialect))


# --------------------------------------------------------------------------- why


_INSERTS = {
    "publishers": ("id, lead_author_id, name", "1, 1, 'Inkwell'"),
    "books": ("id, publisher_id, title", "1, 1, 'A Book'"),
    "authors": ("id, current_book_id, name", "1, 1, 'Ann Author'"),
}


def _insert(dialect: str, table: str, values: str | None = None) -> str:
    cols, vals = _INSERTS[table]
    rel = f"public.{table}" if dialect == "postgres" else table
    # PostgreSQL's GENERATED ALWAYS identity takes an explicit id only when told so
    over = " OVERRIDING SYSTEM VALUE" if dialect == "postgres" else ""
    return f"INSERT INTO {rel} ({cols}){over} VALUES ({values or vals})"


def _run_in_one_transaction(dialect: str, conn: Any, statements: list[str]) -> str | None:
    """Run ``statements`` in one transaction and commit; the error that stopped it, if any
    (the transaction is then rolled back)."""
    try:
        if dialect == "sqlite":
            conn.execute("BEGIN")
        for st in statements:
            _exec(conn, st)
        if dialect == "sqlite":
            conn.execute("COMMIT")
        else:
            conn.commit()
    except Exception as e:  # the server's foreign-key error
        if dialect == "sqlite":
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        else:
            conn.rollback()
        return str(e)
    return None


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_cycle_of_not_null_keys_checked_at_once_cannot_hold_a_row(
    dialect: str, tmp_path: Path
) -> None:
    """Why the designer defers (or relaxes) a key: on a real server, with every key of the cycle
    NOT NULL and not deferred, no order of INSERTs gets one row into the cycle, even inside
    one transaction; with the designed schema the application's order works."""
    fixed = _design(dialect)
    unfixed = _without_the_fix(fixed)
    (tmp_path / "unfixed").mkdir()
    (tmp_path / "fixed").mkdir()
    with _scratch(dialect, tmp_path / "unfixed") as url:
        _apply(dialect, url, schema_sql(unfixed.schema))
        with _connect(dialect, url) as conn:
            for order in itertools.permutations(_INSERTS):
                err = _run_in_one_transaction(dialect, conn, [_insert(dialect, t) for t in order])
                assert err is not None, order
                assert "foreign key" in err.lower(), err
            for t in _INSERTS:
                assert _rows(conn, f"SELECT count(*) FROM {_rel(fixed, 'public.' + t)}") == [(0,)]
            if dialect == "postgres":
                # The one way round it: PostgreSQL checks a key that is not deferred at the end
                # of each statement, so a single statement that writes all three rows through
                # data-modifying CTEs, with ids chosen in advance, gets in. No INSERT-per-row
                # application does that, and MariaDB and SQLite have no such statement.
                p, b, a = (_insert(dialect, t) for t in ("publishers", "books", "authors"))
                cte = f"WITH p AS ({p}), b AS ({b}) {a}"
                assert _run_in_one_transaction(dialect, conn, [cte]) is None
    with _scratch(dialect, tmp_path / "fixed") as url:
        _apply(dialect, url, schema_sql(fixed.schema))
        with _connect(dialect, url) as conn:
            if dialect == "mysql":  # the optional key: NULL first, then UPDATE
                steps = [
                    _insert(dialect, "publishers", "1, NULL, 'Inkwell'"),
                    _insert(dialect, "books"),
                    _insert(dialect, "authors"),
                    "UPDATE publishers SET lead_author_id = 1 WHERE id = 1",
                ]
            else:  # the deferred key is checked at COMMIT
                steps = [_insert(dialect, t) for t in ("publishers", "books", "authors")]
            assert _run_in_one_transaction(dialect, conn, steps) is None
            assert _orphans(conn, fixed) == dict.fromkeys([*OTHER_FKS, CHOSEN_FK], 0)
            assert _rows(
                conn, f"SELECT lead_author_id FROM {_rel(fixed, 'public.publishers')}"
            ) == [(1,)]
            if dialect != "mysql":  # and a publisher whose lead author never comes is refused
                err = _run_in_one_transaction(
                    dialect, conn, [_insert(dialect, "publishers", "2, 99, 'Nobody'")]
                )
                assert err is not None and "foreign key" in err.lower(), err


# --------------------------------------------------------------------------- datagen


@pytest.mark.parametrize("dialect", DIALECTS)
def test_datagen_says_when_it_had_to_bypass_a_cycle(dialect: str, tmp_path: Path) -> None:
    """``dbdesign datagen`` still fills a schema whose cycle no application could fill (its
    user asked for rows), but its report says how and that an application could not."""
    d = _without_the_fix(_design(dialect))
    how = {
        "postgres": "dropped for the load and re-added after it",
        "mysql": "loaded with foreign_key_checks off",
        "sqlite": "PRAGMA defer_foreign_keys",
    }[dialect]
    with _scratch(dialect, tmp_path) as url:
        _apply(dialect, url, schema_sql(d.schema))
        with pytest.raises(DbdesignError, match="no row of the cycle can be inserted"):
            datagen.load(url, d.schema, {"*": 100}, keep_cyclic_keys=True)
        report = datagen.load(url, d.schema, {"*": 100})
        assert report.total_rows == 300
        notes = [n for n in report.notes if "closes a cycle" in n]
        assert len(notes) == 1, report.notes
        assert "an application could not insert these rows" in notes[0] and how in notes[0]
        with _connect(dialect, url) as conn:
            assert _orphans(conn, d) == dict.fromkeys([*OTHER_FKS, CHOSEN_FK], 0)


def test_datagen_cli_prints_the_note(tmp_path: Path) -> None:
    d = _without_the_fix(_design("postgres"))
    with _scratch("postgres", tmp_path) as url:
        _apply("postgres", url, schema_sql(d.schema))
        r = subprocess.run(
            [sys.executable, "-m", "dbdesign", "datagen", url, "--rows", "*=50"],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "loaded 150 rows" in r.stdout
    assert "note: public." in r.stderr and "closes a cycle" in r.stderr
    assert "an application could not insert these rows" in r.stderr
