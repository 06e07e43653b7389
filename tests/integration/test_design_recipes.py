"""The recipes example's access patterns that read several slices of an index, proved on the
embedded PostgreSQL 16, PostgreSQL 15, SQLite and MariaDB in the shape DESIGN.md claims: top-N
per group reads each listed group's first rows through (recipe_id, posted_at) without sorting
the groups' rows (PostgreSQL: a LATERAL join; elsewhere one UNION ALL branch per value). With
the index's sort column gone the same plan sorts every row of the groups, and the proof fails.
An OR of equalities reads each branch through its own index and combines the rows (BitmapOr,
index_merge union, MULTI-INDEX OR); with one branch's index gone the proof fails naming it.
A traversal through the recipe-ingredient link reads the links of one row through the link's
primary key (recipe -> ingredients) or its own index (ingredient -> recipes), never the whole
link; with that index's columns swapped under its name the link is read whole and the proof
fails. A ranked search ranks at most RANK_CANDIDATES matches, the newest, and returns the best
first, also for the word most rows hold."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbdesign.design import Design, design
from dbdesign.design.output import schema_sql
from dbdesign.design.pattern_sql import RANK_CANDIDATES
from dbdesign.design.prove import prove
from dbdesign.design.prove_result import SORTED_ROWS_OK
from dbdesign.model import FrozenMap, Index
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, url_of
from tests.paths import ROOT
from tests.proofs import plan_problems


def _design(server: str, *names: str) -> Design:
    d = design(S.load(ROOT / "examples" / "recipes.yaml"), DIALECT[server])
    if names:
        d = replace(d, patterns=tuple(pp for pp in d.patterns if pp.pattern.name in names))
    return d


def _with_index(d: Design, ix: Index) -> str:
    """The migration with the index of ``ix``'s name replaced by ``ix``."""
    indexes = {k: (ix if v.name == ix.name else v) for k, v in d.schema.indexes.items()}
    return schema_sql(replace(d.schema, indexes=FrozenMap(indexes)))


@pytest.mark.parametrize("server", SERVERS)
def test_the_recipes_are_proved(server: str) -> None:
    d = _design(server)
    proof = prove(d, schema_sql(d.schema), url_of(server))
    assert not plan_problems(proof), "\n".join(proof.problems)
    assert proof.ok, "\n".join(proof.problems)
    by = {r.pattern: r for r in proof.results}
    # top-N per group: the listed groups are the commonest recipes, whose reviews number far
    # more than a plan may sort; each group's 3 come from the index in order
    per = by["latest_reviews_per_recipe"]
    for s in per.sets:
        assert s.matched > SORTED_ROWS_OK, (s.label, s.matched)
        assert not s.plan.sorts and s.plan.used == ("idx_reviews_recipe_id_posted_at",), s.plan.text
    # an OR: each branch through its own index, the rows combined
    typical = by["find_cook"].sets[0]
    assert typical.matched >= 1
    assert set(typical.plan.used) == {"uq_cooks_email", "idx_cooks_phone"}, typical.plan.text
    combined = {"embedded": "BitmapOr", "pg15": "BitmapOr", "sqlite": "MULTI-INDEX OR"}
    assert combined.get(server, "index_merge") in typical.plan.text
    # traversals, both ways: the links of one row through an index, never the whole link
    pk = "PRIMARY" if server == "mysql" else "pk_recipe_ingredients"
    for name, index in (
        ("recipes_with_ingredient", "idx_recipe_ingredients_ingredient_id_recipe_id"),
        ("ingredients_of_recipe", pk),
    ):
        for s in by[name].sets:
            assert s.matched >= 1, (name, s.label)
            assert "recipe_ingredients" not in s.plan.scans, s.plan.text
        assert index in by[name].sets[0].plan.used, by[name].plan_text
    # recipes is large: the links of one ingredient drive the join, each recipe by its key;
    # ingredients is small (1,000 rows): hashing the links over it is the planner's right
    typical = by["recipes_with_ingredient"].sets[0].plan
    assert [t for t in typical.order if "recipe" in t][:2] == ["recipe_ingredients", "recipes"]
    assert "recipes" not in typical.scans, typical.text
    # ranked search: the rare words through the full-text index; the common word matches more
    # rows than are ranked
    search = by["recipe_search"]
    assert [s.label for s in search.sets] == ["typical", "common"]
    assert search.sets[0].matched >= 1 and search.sets[1].matched > RANK_CANDIDATES
    assert search.index in search.sets[0].plan.used, search.plan_text


@pytest.mark.parametrize("server", SERVERS)
def test_top_n_per_group_without_the_sort_column_fails_the_proof(server: str) -> None:
    d = _design(server, "latest_reviews_per_recipe")
    (pp,) = d.patterns
    ix = next(v for v in d.schema.indexes.values() if v.name == pp.index)
    proof = prove(d, _with_index(d, replace(ix, elements=ix.elements[:1])), url_of(server))
    assert not proof.ok
    (r,) = proof.results
    assert r.uses_index, r.plan_text  # the name is there: only the shape gives it away
    assert any("sorts" in p for p in r.shape_problems), r


@pytest.mark.parametrize("server", SERVERS)
def test_an_or_without_a_branchs_index_fails_the_proof(server: str) -> None:
    d = _design(server, "find_cook")
    ix = next(v for v in d.schema.indexes.values() if v.name == "idx_cooks_phone")
    other = replace(ix.elements[0], column="display_name")  # same name, no longer on phone
    proof = prove(d, _with_index(d, replace(ix, elements=(other,))), url_of(server))
    assert not proof.ok
    (r,) = proof.results
    unread = [p.split(" although ")[0] for p in r.shape_problems if "does not read" in p]
    assert unread and "idx_cooks_phone" in unread[0], r


@pytest.mark.parametrize("server", SERVERS)
def test_a_traversal_without_its_link_index_fails_the_proof(server: str) -> None:
    d = _design(server, "recipes_with_ingredient")
    (pp,) = d.patterns
    ix = next(v for v in d.schema.indexes.values() if v.name == pp.index)
    swapped = (ix.elements[1], ix.elements[0])  # (recipe_id, ingredient_id): the wrong way
    proof = prove(d, _with_index(d, replace(ix, elements=swapped)), url_of(server))
    assert not proof.ok
    (r,) = proof.results
    if server == "mysql":  # InnoDB made an index for the foreign key: not the designed one
        assert not r.uses_index and "fk_recipe_ingredients_ingredient_id" in r.indexes_used
    else:  # PostgreSQL scans the link; SQLite reads the whole index under the designed name
        assert "recipe_ingredients" in r.sets[0].plan.scans, r.plan_text
        assert any("reads recipe_ingredients whole" in p for p in r.shape_problems), r


@pytest.mark.parametrize("server", ["embedded", "pg15"])
def test_a_traversal_joined_the_other_way_fails_the_proof(server: str) -> None:
    """With nested loops turned off for the session the planner keeps the link index but hashes
    the links over every recipe: the index is the designed one, the join is not."""
    d = _design(server, "recipes_with_ingredient")
    url = url_of(server)
    assert url is not None
    url += ("&" if "?" in url else "?") + "options=-c%20enable_nestloop%3Doff"
    proof = prove(d, schema_sql(d.schema), url)
    assert not proof.ok
    (r,) = proof.results
    assert r.uses_index, r.plan_text  # the link's index is read: only the join gives it away
    assert "recipes" in r.sets[0].plan.scans, r.plan_text
    assert any("reads recipes whole" in p for p in r.shape_problems), r.shape_problems


@pytest.mark.parametrize("server", SERVERS)
def test_a_ranked_search_returns_the_best_matches_first(server: str) -> None:
    """The word most rows hold: LIMIT rows, each holding it, in order of relevance (ts_rank_cd
    and MATCH's relevance: highest first; FTS5's bm25: lowest first)."""
    from dbdesign.databases import target
    from dbdesign.design.prove import load_rows, server_for

    d = _design(server, "recipe_search")
    (pp,) = d.patterns
    url = url_of(server)
    srv = server_for(target(url) if url else None, d.dialect)
    with srv.scratch(url or "") as db:
        conn = srv.connect(db, autocommit=True)
        try:
            srv.version(conn)
            srv.apply(conn, schema_sql(d.schema))
            load_rows(db, d, {pp.table: 3000, next(iter(_parents(d, pp.table))): 1000})
            srv.analyze(conn, d)
            word = srv.common_words(conn, d, pp)
            rows = srv.run(conn, pp, tuple(word for _ in pp.params))
        finally:
            conn.close()
    assert len(rows) == pp.pattern.limit
    bare = word.strip('"+').lower()
    assert all(bare in f"{r[2]} {r[3]}".lower() for r in rows), bare  # title, summary
    scores = [r[-1] for r in rows]
    assert scores == sorted(scores, reverse=server != "sqlite"), scores


def _parents(d: Design, key: str) -> list[str]:
    return [fk.ref_table for fk in d.schema.tables[key].foreign_keys.values()]
