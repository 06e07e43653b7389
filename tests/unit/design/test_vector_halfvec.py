"""Embeddings past pgvector's 2,000-dimension index limit: indexed and searched as halfvec up to
4,000 dimensions (pgvector 0.7+), refused past that with what to do. Checked statically here:
the embedded PostgreSQL has pgvector 0.6.2, which has no halfvec (tests/integration/
test_design_vectors.py shows its refusal)."""

from __future__ import annotations

from typing import Any

import pglast
import pytest

from dbdesign.design import design
from dbdesign.design.output import schema_sql
from dbdesign.errors import UnsupportedError
from dbdesign.readers import spec as S
from tests.paths import ROOT


def catalogue(dim: int) -> S.Spec:
    raw: dict[str, Any] = S.load(ROOT / "examples" / "catalogue_vectors.yaml").model_dump(
        mode="json", by_alias=True
    )
    raw["entities"]["product"]["attributes"]["embedding"]["dim"] = dim
    return S.Spec.model_validate(raw)


def test_past_2000_dimensions_the_index_and_the_search_use_halfvec() -> None:
    d = design(catalogue(3072))
    sql = schema_sql(d.schema)
    assert (
        "CREATE INDEX idx_products_embedding ON public.products USING hnsw "
        "((embedding::public.halfvec(3072)) public.halfvec_cosine_ops);"
    ) in sql
    assert "embedding public.vector(3072) NOT NULL" in sql  # the column keeps full precision
    pglast.parse_sql(sql)
    searches = [p.sql for p in d.patterns if p.pattern.similar_to]
    assert len(searches) == 2
    for q in searches:
        assert "ORDER BY embedding::public.halfvec(3072) <=> $" in q
        assert q.rstrip().splitlines()[-2].endswith("::public.halfvec(3072)")
    [why] = [x for x in d.decisions if x.subject == "products.embedding (halfvec)"]
    assert "Needs pgvector 0.7.0 or later" in why.reason


def test_at_2000_dimensions_the_vector_is_indexed_as_it_is() -> None:
    d = design(catalogue(2000))
    sql = schema_sql(d.schema)
    assert "USING hnsw (embedding public.vector_cosine_ops);" in sql and "halfvec" not in sql


def test_past_4000_dimensions_the_design_says_what_to_do() -> None:
    want = r"embedding has 4,001 dimensions; pgvector indexes at most 4,000 \(as halfvec\)"
    with pytest.raises(UnsupportedError, match=want + ": shorten the embeddings"):
        design(catalogue(4001))
