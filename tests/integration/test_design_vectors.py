"""Similarity search (``similar_to``): a vector field's nearest neighbours, designed as an HNSW
index (pgvector) for the pattern's distance, queried in order of distance with LIMIT k, and
proved on the embedded PostgreSQL 16 (pgvector) over clustered generated embeddings."""

from __future__ import annotations

import pytest

from dbdesign import engine
from dbdesign.design import design
from dbdesign.design.document import design_md
from dbdesign.design.output import schema_sql
from dbdesign.design.prove import prove
from dbdesign.design.prove_vector import EF_SEARCH
from dbdesign.errors import UnsupportedError
from dbdesign.readers import spec as S
from tests.conftest import server_url
from tests.paths import ROOT

SPEC = ROOT / "examples" / "catalogue_vectors.yaml"


def _errors(change: str, old: str) -> str:
    text = SPEC.read_text().replace(old, change)
    assert text != SPEC.read_text()
    with pytest.raises(S.SpecError) as e:
        S.loads(text, "catalogue.yaml")
    return str(e.value)


def test_a_similarity_search_is_checked_where_it_is_written() -> None:
    msg = _errors("similar_to: name", "similar_to: embedding")
    assert "catalogue.yaml:22:17: access_patterns[0].similar_to: 'name' is no vector" in msg
    msg = _errors("select: [id]\n    after: [price]", "select: [id, sku, name, price]")
    assert "filtered by equal: or fixed: alone (yet): not with after" in msg
    msg = _errors("", "    limit: 10\n    recall: 0.95\n")
    assert "a similarity search needs limit:" in msg


def test_the_nearest_rows_come_from_an_hnsw_index_in_order_of_distance() -> None:
    d = design(S.load(SPEC), "postgres")
    pp, filtered = (p for p in d.patterns if p.pattern.similar_to)
    assert pp.sql.endswith("ORDER BY embedding <=> $1\nLIMIT 10"), pp.sql
    assert [p.kind for p in pp.params] == ["vector"]
    assert "WHERE category = $1\nORDER BY embedding <=> $2\nLIMIT 10" in filtered.sql
    assert filtered.index == pp.index  # one graph; the filter is applied to its candidates
    sql = schema_sql(d.schema)
    assert "USING hnsw (embedding public.vector_cosine_ops)" in sql, sql
    assert "embedding public.vector(384) NOT NULL" in sql
    l2_spec = SPEC.read_text().replace("recall: 0.95", "recall: 0.95\n    distance: l2")
    l2 = design(S.loads(l2_spec), "postgres")
    assert "vector_l2_ops" in schema_sql(l2.schema)
    assert next(p for p in l2.patterns if p.index == pp.index).sql.count("<->") == 1


def test_where_the_vectors_live_is_decided_by_size_and_rate() -> None:
    """35,000 vectors of 384 floats in three years stay beside the rows; 100 million of 1,536
    (an index of about 600 GiB) or 5,000 searches/s go to a dedicated vector database."""
    here = {x.subject: x for x in design(S.load(SPEC), "postgres").decisions}
    assert here["similar_products (where)"].choice == "pgvector, beside the rows"
    assert "0.1 GiB" in here["similar_products (where)"].reason
    spec = SPEC.read_text()
    big = spec.replace("dim: 384", "dim: 1536").replace(
        "rows: 20000, growth_per_year: 5000", "rows: 100000000, growth_per_year: 0"
    )
    busy = spec.replace("rate_per_second: 50\n", "rate_per_second: 5000\n")
    for text in (big, busy):
        assert text != spec
        far = {x.subject: x for x in design(S.loads(text), "postgres").decisions}
        assert far["similar_products (where)"].choice.startswith("a dedicated vector database")


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_other_servers_say_where_the_search_belongs(dialect: str) -> None:
    with pytest.raises(UnsupportedError, match="similar_to needs PostgreSQL with pgvector"):
        design(S.load(SPEC), dialect)


def test_the_search_is_proved_through_the_hnsw_index_at_a_measured_breadth() -> None:
    d = design(S.load(SPEC), "postgres")
    proof = prove(d, schema_sql(d.schema), server_url("embedded"))
    assert proof.ok, proof.problems
    r = next(r for r in proof.results if r.pattern == "similar_products")
    assert r.indexes_used == ("idx_products_embedding",), r.plan_text
    assert not r.sets[0].plan.sorts and r.sets[0].matched == 20_000
    # recall measured against exact search at each breadth; the cheapest that meets 0.95
    t = r.tuning
    assert t is not None and t.k == 10 and [b.ef_search for b in t.tried] == list(EF_SEARCH)
    chosen = next(b for b in t.tried if b.ef_search == t.chosen)
    assert chosen.recall >= 0.95 and chosen.p95_ms <= 50
    assert all(b.recall < 0.95 for b in t.tried if b.ef_search < chosen.ef_search)
    assert max(b.recall for b in t.tried) > 0.98  # a wide search finds (almost) all of them
    doc = design_md(d, mermaid="", erd="", schema_sql="", proof=proof, generated_at="now")
    assert f"Set `SET hnsw.ef_search = {t.chosen}`" in doc and "| hnsw.ef_search | recall |" in doc
    data = proof.as_json()["patterns"][0]["recall"]
    assert data["ef_search"] == t.chosen and len(data["tried"]) == len(EF_SEARCH)
    # within one of 8 categories the graph's candidates are filtered after the search: the
    # same recall takes a wider one, which the measurement finds
    f = next(r for r in proof.results if r.pattern == "similar_in_category").tuning
    assert f is not None and f.chosen is not None, f
    assert next(b.recall for b in f.tried if b.ef_search == f.chosen) >= 0.9
    assert f.tried[0].recall < 0.9 and f.chosen > t.chosen, (f.tried, t.tried)
    # the same searches through an IVFFlat index (rows / 1,000 lists), built and dropped in a
    # rolled-back transaction: the HNSW index is back for the patterns measured after it
    ivf = t.ivfflat
    assert ivf is not None and ivf.lists == 20 and ivf.bytes > 0 and ivf.hnsw_bytes > 0
    assert [b.ef_search for b in ivf.tried] == [1, 2, 4, 8, 16]
    assert all(0 < b.recall <= 1 and b.p95_ms > 0 for b in ivf.tried)
    assert ivf.chosen == next(b.ef_search for b in ivf.tried if b.recall >= 0.95)
    assert "| ivfflat.probes | recall | p95 ms |" in doc and "HNSW stays the design's index" in doc
    assert data["ivfflat"]["lists"] == 20 and len(data["ivfflat"]["tried"]) == 5
    later = next(r for r in proof.results if r.pattern == "similar_in_category")
    assert later.indexes_used == ("idx_products_embedding",), later.plan_text


def test_a_recall_no_breadth_reaches_in_time_fails_the_proof() -> None:
    """Every true neighbour (recall 1.0) within 0.01 ms: no breadth meets both, and the proof
    fails saying how close the best came."""
    text = (
        SPEC.read_text()
        .replace("recall: 0.95", "recall: 1.0")
        .replace("latency_ms: 50", "latency_ms: 0.01")
    )
    d = design(S.loads(text), "postgres")
    proof = prove(d, schema_sql(d.schema), server_url("embedded"))
    assert not proof.ok
    r = next(r for r in proof.results if r.pattern == "similar_products")
    assert r.tuning is not None and r.tuning.chosen is None
    why = r.recall_problem()
    assert why is not None and "no hnsw.ef_search finds 1 of the 10 nearest rows" in why
    assert any("similar_products: no hnsw.ef_search" in p for p in proof.problems)


def test_a_halfvec_design_on_a_server_without_halfvec_says_which_pgvector_it_needs() -> None:
    """The embedded server's pgvector (0.6.2) has no halfvec: a 3,072-dimension design (indexed
    as halfvec, tests/unit/design/test_vector_halfvec.py) is refused with the version to use."""
    from dbdesign.errors import DbdesignError

    raw = S.load(SPEC).model_dump(mode="json", by_alias=True)
    raw["entities"]["product"]["attributes"]["embedding"]["dim"] = 3072
    d = design(S.Spec.model_validate(raw))
    url = server_url("embedded")
    with engine.connect(url) as conn:
        version = conn.execute(
            "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'"
        ).fetchone()[0]
    if tuple(int(x) for x in version.split(".")[:2]) >= (0, 7):  # a newer pgserver: it proves
        assert prove(d, schema_sql(d.schema), url).ok
    else:
        with pytest.raises(DbdesignError) as e:
            prove(d, schema_sql(d.schema), url)
        assert str(e.value) == (
            'applying the migration to PostgreSQL failed: type "public.halfvec" does not exist '
            f"(this server's pgvector is {version}; halfvec came in 0.7.0: prove the design on "
            "a server with pgvector 0.7 or later)"
        )
