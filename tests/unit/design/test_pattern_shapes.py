"""Access patterns that read more than one slice of an index, or more than one index: top-N per
group (``per_group``), an OR of equalities (``any_of``), a traversal through a many-to-many's
link table (``via``), and a ranked full-text search (``text_search: ranked``). Errors at their
YAML path; the query and indexes each dialect gets (examples/recipes.yaml)."""

from __future__ import annotations

import json

import pytest

from dbdesign.design import design
from dbdesign.design.output import design_json
from dbdesign.design.pattern_sql import IN_VALUES, RANK_CANDIDATES, count_sql
from dbdesign.readers import spec as S
from tests.paths import ROOT

RECIPES = (ROOT / "examples" / "recipes.yaml").read_text()


def _error(old: str, new: str) -> str:
    assert old in RECIPES, old
    with pytest.raises(S.SpecError) as e:
        S.loads(RECIPES.replace(old, new, 1))
    return str(e.value)


PER_GROUP = "    per_group: {by: recipe, limit: 3}\n    sort: [-posted_at]\n"


@pytest.mark.parametrize(
    "new,path,phrase",
    [
        (
            "    per_group: {by: recipes, limit: 3}\n    sort: [-posted_at]\n",
            "access_patterns[0].per_group.by",
            "no field 'recipes' on review (did you mean 'recipe'?)",
        ),
        ("    per_group: {by: recipe, limit: 3}\n", "access_patterns[0].per_group", "needs sort:"),
        (PER_GROUP + "    limit: 10\n", "access_patterns[0].limit", "no pattern-wide limit"),
        (
            PER_GROUP + "    equal: [recipe]\n",
            "access_patterns[0].per_group.by",
            "not also in equal:",
        ),
        (
            PER_GROUP + "    group_by: [rating]\n    aggregates: [{fn: count}]\n",
            "access_patterns[0].per_group",
            "not with keyset, group_by or text_search",
        ),
        ("    per_group: {by: recipe, limit: 0}\n    sort: [-posted_at]\n", "per_group.limit", ""),
    ],
)
def test_per_group_errors_at_their_yaml_path(new: str, path: str, phrase: str) -> None:
    e = _error(PER_GROUP, new)
    assert path in e and phrase in e, e


def _plans(dialect: str) -> dict[str, object]:
    d = design(S.loads(RECIPES), dialect)
    return {pp.pattern.name: pp for pp in d.patterns}


def test_per_group_on_postgres_is_a_lateral_join_over_the_listed_values() -> None:
    pp = _plans("postgres")["latest_reviews_per_recipe"]
    assert pp.sql.startswith(  # type: ignore[attr-defined]
        "SELECT r.*\nFROM unnest($1::bigint[]) AS g(value)\nCROSS JOIN LATERAL (\n"
    )
    assert "  WHERE recipe_id = g.value\n  ORDER BY posted_at DESC\n  LIMIT 3\n) AS r" in pp.sql  # type: ignore[attr-defined]
    assert [p.kind for p in pp.params] == ["in"]  # type: ignore[attr-defined]
    assert pp.index == "idx_reviews_recipe_id_posted_at" and pp.ordered  # type: ignore[attr-defined]
    assert "LATERAL join" in pp.reason  # type: ignore[attr-defined]
    # matched: every row of the listed groups (the inner ORDER BY and LIMIT left out)
    counted = count_sql(pp.sql)  # type: ignore[attr-defined]
    assert "LIMIT" not in counted and "ORDER BY" not in counted and "g.value" in counted


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_per_group_elsewhere_is_one_union_branch_per_value(dialect: str) -> None:
    pp = _plans(dialect)["latest_reviews_per_recipe"]
    sql = pp.sql  # type: ignore[attr-defined]
    assert sql.count("UNION ALL") == IN_VALUES - 1
    assert sql.count("ORDER BY posted_at DESC\n  LIMIT 3\n) AS g") == IN_VALUES
    assert [p.kind for p in pp.params] == ["in"] * IN_VALUES  # type: ignore[attr-defined]
    assert pp.index == "idx_reviews_recipe_id_posted_at" and pp.ordered  # type: ignore[attr-defined]
    # the cost of the form is stated: a statement per list length, and why not ROW_NUMBER()
    assert "no LATERAL join" in pp.reason and "ROW_NUMBER()" in pp.reason  # type: ignore[attr-defined]


ANY_OF = "    any_of: [[email], [phone]]\n"


@pytest.mark.parametrize(
    "new,path,phrase",
    [
        ("    any_of: [[email], [fone]]\n", "access_patterns[1].any_of[1][0]", "no field 'fone'"),
        ("    any_of: [[email]]\n", "access_patterns[1].any_of", "two branches or more"),
        ("    any_of: [[email], []]\n", "access_patterns[1].any_of[1]", "at least one field"),
        (
            ANY_OF + "    sort: [id]\n    limit: 5\n    keyset: true\n",
            "access_patterns[1].any_of",
            "not with keyset",
        ),
    ],
)
def test_any_of_errors_at_their_yaml_path(new: str, path: str, phrase: str) -> None:
    e = _error(ANY_OF, new)
    assert path in e and phrase in e, e


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_an_or_gets_an_index_per_branch(dialect: str) -> None:
    d = design(S.loads(RECIPES), dialect)
    pp = next(p for p in d.patterns if p.pattern.name == "find_cook")
    mark = {"postgres": "$", "mysql": "", "sqlite": "?"}[dialect]
    one, two = (f"{mark}{n}" if mark != "" else "?" for n in (1, 2))
    assert f"WHERE (email = {one} OR phone = {two})" in pp.sql
    assert [p.kind for p in pp.params] == ["eq", "eq"]
    # the unique key serves the first branch; the second gets an index of its own
    assert (pp.index, pp.reads) == ("uq_cooks_email", ("idx_cooks_phone",))
    assert not pp.ordered and not pp.covering
    ix = next(ix for ix in d.schema.indexes.values() if ix.name == "idx_cooks_phone")
    assert [e.column for e in ix.elements] == ["phone"]
    assert "branch 2 (phone) by idx_cooks_phone" in pp.reason


def test_each_branch_leads_with_the_patterns_equalities() -> None:
    """A branch of several fields is ANDed; the pattern's own equalities lead every branch's
    index (a unique key among a branch's columns would serve it instead)."""
    spec = RECIPES.replace(
        "  - name: cook_recipes\n",
        "  - {name: either, entity: recipe, equal: [cuisine], any_of: [[cook], [minutes, title]]}\n"
        "  - name: cook_recipes\n",
    )
    d = design(S.loads(spec))
    pp = next(p for p in d.patterns if p.pattern.name == "either")
    assert "WHERE cuisine = $1\n  AND (cook_id = $2 OR (minutes = $3 AND title = $4))" in pp.sql
    keys = {
        ix.name: [e.column for e in ix.elements]
        for ix in d.schema.indexes.values()
        if ix.name in (pp.index, *pp.reads)
    }
    assert keys == {
        "idx_recipes_cuisine_cook_id": ["cuisine", "cook_id"],
        "idx_recipes_cuisine_minutes_title": ["cuisine", "minutes", "title"],
    }


VIA = "    entity: recipe\n    via: ingredient\n"


@pytest.mark.parametrize(
    "new,path,phrase",
    [
        (
            "    entity: recipe\n    via: cook\n",
            "access_patterns[2].via",
            "no many-to-many relationship links recipe and 'cook'",
        ),
        (
            VIA + "    group_by: [cuisine]\n    aggregates: [{fn: count}]\n",
            "access_patterns[2].via",
            "not with group_by",
        ),
    ],
)
def test_via_errors_at_their_yaml_path(new: str, path: str, phrase: str) -> None:
    e = _error(VIA, new)
    assert path in e and phrase in e, e


def test_two_links_between_the_same_entities_are_told_apart_by_name() -> None:
    second = (
        "  - {type: many-to-many, between: [recipe, ingredient], through: garnishes}\n"
        "\naccess_patterns:\n"
    )
    spec = RECIPES.replace("\naccess_patterns:\n", second, 1)
    with pytest.raises(S.SpecError) as e:
        S.loads(spec)
    assert "access_patterns[2].via" in str(e.value)
    assert "2 relationships link recipe and ingredient: name the link by its through:" in str(
        e.value
    )
    spec = spec.replace(VIA, "    entity: recipe\n    via: garnishes\n")
    d = design(S.loads(spec.replace("    via: recipe\n", "    via: garnishes\n")))
    pp = next(p for p in d.patterns if p.pattern.name == "recipes_with_ingredient")
    assert "FROM garnishes WHERE ingredient_id = $1" in pp.sql and pp.link == "garnishes"


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_a_traversal_reads_the_link_both_ways(dialect: str) -> None:
    d = design(S.loads(RECIPES), dialect)
    plans = {pp.pattern.name: pp for pp in d.patterns}
    mark = {"postgres": "$1", "mysql": "?", "sqlite": "?1"}[dialect]
    one = plans["recipes_with_ingredient"]
    assert (
        f"WHERE id IN (SELECT recipe_id FROM recipe_ingredients WHERE ingredient_id = {mark})"
        in one.sql
    )
    assert [(p.kind, p.table) for p in one.params] == [
        ("via", f"{'public' if dialect == 'postgres' else 'main'}.recipe_ingredients")
    ]
    # from an ingredient: an index of its own, (ingredient_id, recipe_id) ...
    assert one.index == "idx_recipe_ingredients_ingredient_id_recipe_id"
    assert one.link == "recipe_ingredients" and not one.ordered  # the links are then sorted
    other = plans["ingredients_of_recipe"]
    # ... from a recipe: the link's primary key (recipe_id, ingredient_id)
    assert other.index == ("PRIMARY" if dialect == "mysql" else "pk_recipe_ingredients")
    keys = [
        [e.column for e in ix.elements]
        for ix in d.schema.indexes.values()
        if ix.table == "recipe_ingredients"
    ]
    # the traversal's index serves the foreign key on ingredient_id: no second index for it
    assert keys == [["ingredient_id", "recipe_id"]]


RANKED = "    text_search: ranked\n    limit: 20\n"


@pytest.mark.parametrize(
    "new,path,phrase",
    [
        ("    text_search: ranked\n", "access_patterns[4].text_search", "needs limit:"),
        (RANKED + "    sort: [-published_at]\n", "access_patterns[4].sort", "no sort:"),
        ("    text_search: rank\n    limit: 20\n", "access_patterns[4].text_search", ""),
    ],
)
def test_ranked_search_errors_at_their_yaml_path(new: str, path: str, phrase: str) -> None:
    e = _error(RANKED, new)
    assert path in e and phrase in e, e


@pytest.mark.parametrize(
    "dialect,ranks,best",
    [
        ("postgres", "ts_rank_cd(search_vector, websearch_to_tsquery('simple', $2))", "DESC"),
        ("mysql", "MATCH (title, summary) AGAINST (? IN BOOLEAN MODE) AS relevance", "DESC"),
        ("sqlite", "rank AS relevance FROM recipes_fts WHERE recipes_fts MATCH ?1", ""),
    ],
)
def test_a_ranked_search_ranks_a_bounded_set_of_candidates(
    dialect: str, ranks: str, best: str
) -> None:
    d = design(S.loads(RECIPES), dialect)
    pp = next(p for p in d.patterns if p.pattern.name == "recipe_search")
    assert ranks in pp.sql
    newest = "found.fts_rowid" if dialect == "sqlite" else "id"
    assert f"  ORDER BY {newest} DESC\n  LIMIT {RANK_CANDIDATES}\n) AS candidates" in pp.sql
    assert pp.sql.endswith(f"ORDER BY relevance{' ' + best if best else ''}\nLIMIT 20")
    assert {p.kind for p in pp.params} == {"search"}
    assert not pp.ordered and not pp.covering
    # the trade-off is stated: the best of the newest candidates, not of every match
    assert f"returns the best of its newest {RANK_CANDIDATES:,}, not of all" in pp.reason
    # matched: every match (the candidates' bound left out), what ranking all would cost
    assert "LIMIT" not in count_sql(pp.sql)


def test_patterns_without_the_newer_keys_write_the_spec_as_before() -> None:
    """design.json carries the spec; a key added later is written only when set, so a spec
    without it reads (and compares) the same in an earlier design.json."""
    spec = design(S.load(ROOT / "examples" / "helpdesk.yaml"))
    patterns = design_json(spec, None)["spec"]["access_patterns"]
    assert all(not {"per_group", "any_of", "via"} & set(p) for p in patterns)
    recipes = design(S.loads(RECIPES))
    written = design_json(recipes, None)["spec"]
    assert written["access_patterns"][0]["per_group"] == {"by": "recipe", "limit": 3}
    assert S.loads(json.dumps(written)) == recipes.spec
    search = next(p for p in written["access_patterns"] if p["name"] == "recipe_search")
    assert search["text_search"] == "ranked"
