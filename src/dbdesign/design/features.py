"""The spec's features on a table: full-text search (a generated tsvector and a GIN index on
PostgreSQL, a FULLTEXT index on MySQL, an FTS5 table kept by triggers on SQLite), optimistic
locking, soft delete, audit columns (and the trigger that keeps updated_at current), and
multi-tenancy's row-level security policy."""

from __future__ import annotations

from dataclasses import replace

from dbdesign.conventions import TENANT_SETTING
from dbdesign.design.columns import audit_columns
from dbdesign.design.draft import LIVE, Draft, TableDraft
from dbdesign.design.naming import object_name
from dbdesign.dialects.sqlite import quote_ident as sqlite_ident
from dbdesign.model import (
    Column,
    DataType,
    Expr,
    Function,
    Generated,
    IndexElement,
    Policy,
    Trigger,
)
from dbdesign.model.core import VirtualTable
from dbdesign.readers.spec import Attribute, Entity


def full_text_search(b: Draft, e: Entity, t: TableDraft) -> None:
    """An index over the searchable attributes, in the dialect's own kind of text search."""
    searchable = [n for n, a in e.attributes.items() if isinstance(a, Attribute) and a.searchable]
    if not (searchable and b.spec.project.features.full_text_search):
        return
    if b.pg:
        parts = " || ' ' || ".join(f"coalesce({n}, '')" for n in searchable)
        expr = f"to_tsvector('simple'::regconfig, {parts})"
        t.columns.append(
            Column(
                name="search_vector",
                type=DataType(name="tsvector"),
                generated=Generated(expr=Expr(expr)),
            )
        )
        b.index(
            t,
            object_name("idx", t.name, ("search_vector",)),
            (IndexElement(column="search_vector"),),
            method="gin",
            purpose="full-text search over " + ", ".join(searchable),
        )
        b.decide(
            f"{t.name}.search_vector",
            "generated tsvector + GIN index",
            "full-text search without triggers; the 'simple' configuration works "
            "for any language (change it to the content's language for stemming)",
        )
    elif b.my:
        t.search = tuple(searchable)
        name = object_name("idx", t.name, t.search)
        b.index(
            t,
            name,
            tuple(IndexElement(column=c) for c in t.search),
            method="fulltext",
            purpose="full-text search over " + ", ".join(searchable),
        )
        b.decide(
            name,
            "FULLTEXT index",
            "InnoDB full-text search, queried with MATCH ... AGAINST (... IN BOOLEAN "
            "MODE); words shorter than innodb_ft_min_token_size (3) and stop words are "
            "not indexed, and text without spaces between words (CJK) needs the ngram "
            "parser",
        )
    else:
        fts5_search(b, t, tuple(searchable))


def fts_table(t: TableDraft) -> str:
    """The name of the FTS5 table that indexes ``t`` on SQLite."""
    return f"{t.name}_fts"


def fts5_source(t: TableDraft, mark: str, *, ranked: bool = False) -> str:
    """What a full-text search of ``t`` reads on SQLite, as its FROM clause: the FTS5 table's
    matches for the words in parameter ``mark`` first (their rowids only, so no column name
    the two tables share is ambiguous), then each match's row of ``t`` by its key. SQLite
    flattens the subquery into a join the FTS5 table drives, so LIMIT stops after the first
    matches; ``key IN (SELECT rowid ...)`` collects every match first (bench/bench_sqlite_fts.py:
    p50 3.2 against 13.9 ms for a word in 60 % of 200,000 rows, the same for rare words).
    ``ranked``: each match's bm25 score too (FTS5's rank, as ``relevance``: lower is better)."""
    fts, table = sqlite_ident(fts_table(t)), sqlite_ident(t.name)
    key = sqlite_ident(t.pk.columns[0]) if t.pk else "rowid"
    return (
        f"(SELECT rowid AS fts_rowid{', rank AS relevance' if ranked else ''} FROM {fts} "
        f"WHERE {fts} MATCH {mark}) AS found\n"
        f"JOIN {table} ON {table}.{key} = found.fts_rowid"
    )


def fts5_search(b: Draft, t: TableDraft, searchable: tuple[str, ...]) -> None:
    """SQLite: an external-content FTS5 table over the searchable columns (the text stays in
    ``t``, the FTS5 table holds only the index), kept by three triggers, as the FTS5
    documentation gives them. Its rowid is ``t``'s key, so ``t`` needs an INTEGER PRIMARY KEY:
    VACUUM renumbers the implicit rowid of any other table, which would leave the index pointing
    at the wrong rows."""
    key = t.pk.columns if t.pk else ()
    col = next((c for c in t.columns if key == (c.name,)), None)
    if col is None or col.type.name != "integer":
        b.decide(
            f"{t.name}.search",
            "no full-text index",
            f"an FTS5 index is keyed by rowid, and {t.name} has no INTEGER PRIMARY KEY for "
            "it to be (VACUUM renumbers an implicit rowid): search reads the rows its other "
            "filters select",
        )
        return
    t.search = searchable
    name = fts_table(t)
    q = sqlite_ident
    b.virtual_tables[f"{b.ns}.{name}"] = VirtualTable(
        schema=b.ns,
        name=name,
        module="fts5",
        arguments=(*map(q, searchable), f"content='{t.name}'", f"content_rowid='{col.name}'"),
    )
    for trig in _fts5_triggers(b, t, name, col.name):
        b.triggers[trig.key] = trig
    b.decide(
        name,
        "FTS5 table over " + ", ".join(searchable) + f" (external content: {t.name})",
        f"SQLite's full-text search: the index only, the text stays in {t.name} (rowid = "
        f"{col.name}); three triggers keep it in step with every INSERT, DELETE and UPDATE of "
        f"{t.name}; a search reads the matches of {q(name)} MATCH ? first and each one's row "
        "by its key, so LIMIT stops early (FTS5 query syntax: words all required, "
        '"a phrase", prefix*, OR, NOT); the default unicode61 tokenizer folds case and '
        "diacritics and does not stem, like PostgreSQL's 'simple' (tokenize='porter unicode61' "
        f"stems English); after a bulk load without the triggers, INSERT INTO {q(name)}"
        f"({q(name)}) VALUES ('rebuild') builds it from {t.name}",
    )


def _fts5_triggers(b: Draft, t: TableDraft, name: str, rowid: str) -> list[Trigger]:
    """AFTER INSERT, DELETE and UPDATE OF the key and searchable columns: FTS5's 'delete'
    command takes the old values out of an external-content index, an INSERT puts the new in."""
    q = sqlite_ident
    cols = [q(c) for c in t.search]
    into = f"INSERT INTO {q(name)}(rowid, {', '.join(cols)})"
    new = f"{into} VALUES (NEW.{q(rowid)}, {', '.join('NEW.' + c for c in cols)});"
    old = (
        f"INSERT INTO {q(name)}({q(name)}, rowid, {', '.join(cols)}) VALUES ('delete', "
        f"OLD.{q(rowid)}, {', '.join('OLD.' + c for c in cols)});"
    )
    bodies = {"INSERT": new, "DELETE": old, "UPDATE": f"{old}\n    {new}"}
    return [
        Trigger(
            schema=b.ns,
            table=t.name,
            name=object_name("trg", t.name, ("fts", event.lower())),
            timing="AFTER",
            events=(event,),
            level="ROW",
            columns=(rowid, *t.search) if event == "UPDATE" else (),
            body=Expr(body, "sqlite"),
        )
        for event, body in bodies.items()
    ]


def optimistic_locking(b: Draft, t: TableDraft) -> None:
    t.columns.append(
        Column(
            name="version",
            type=DataType(name="int" if b.my else "integer"),
            nullable=False,
            default=Expr("1", b.dialect),
        )
    )
    b.decide(
        f"{t.name}.version",
        "version column",
        "optimistic locking: UPDATE ... SET version = version + 1 WHERE id = "
        f"{b.ph(1)} AND version = {b.ph(2)} detects lost updates without "
        "holding locks",
    )


def soft_delete(b: Draft, t: TableDraft) -> None:
    """deleted_at, and on MySQL the generated column its unique keys end with."""
    ts, _ = b.timestamp()
    t.columns.append(Column(name="deleted_at", type=ts))
    if not (b.my and t.live_key):
        return
    t.columns.append(
        Column(
            name=LIVE,
            type=DataType(name="tinyint"),
            generated=Generated(expr=Expr("if(deleted_at is null, 1, null)", b.dialect)),
        )
    )
    b.decide(
        f"{t.name}.{LIVE}",
        "generated column: 1 while deleted_at is NULL, else NULL; the last column "
        "of each unique key",
        "soft delete without partial indexes (MySQL has none): a unique key lets "
        "NULLs repeat, so deleted rows never collide while live rows stay unique; "
        "STORED, one byte a row, the same on MySQL 8 and MariaDB",
    )


def entity_audit_columns(b: Draft, e: Entity, t: TableDraft) -> None:
    """created_at, and updated_at unless the entity's rows are never updated."""
    audit_columns(b, t, updated=not e.append_only)
    if e.append_only:
        b.decide(
            f"{t.name}.updated_at",
            "no updated_at",
            "append-only: rows are never updated",
        )


def updated_at_trigger(b: Draft, t: TableDraft, functions: dict[str, Function]) -> Trigger:
    """The trigger that sets updated_at on UPDATE (PostgreSQL: with its function, added to
    ``functions``)."""
    trigger = Trigger(
        schema=b.ns,
        table=t.name,
        name=object_name("trg", t.name, ("set_updated_at",)),
        timing="BEFORE",
        events=("UPDATE",),
        level="ROW",
        function=f"{b.ns}.set_updated_at",
    )
    if b.pg:
        functions[f"{b.ns}.set_updated_at()"] = Function(
            schema=b.ns,
            name="set_updated_at",
            returns="trigger",
            language="plpgsql",
            body="\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n",
            comment="Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).",
        )
        return trigger
    # SQLite triggers have no functions: once the row is written, the trigger's own statement
    # sets updated_at, unless the UPDATE set it.
    return replace(
        trigger,
        timing="AFTER",
        function="",
        when=Expr("NEW.updated_at IS OLD.updated_at", "sqlite"),
        body=Expr(
            f"UPDATE {t.name} SET updated_at = CURRENT_TIMESTAMP WHERE rowid = NEW.rowid;",
            "sqlite",
        ),
    )


def tenant_policy(b: Draft, t: TableDraft) -> Policy:
    """Row-level security: a session sees the rows of the tenant it has set."""
    col = t.tenant_col
    ttype = b.pk_type(b.tenant or "")
    return Policy(
        schema=b.ns,
        table=t.name,
        name="tenant_isolation",
        using=Expr(f"{col} = (current_setting('{TENANT_SETTING}'))::{ttype.name}"),
    )
