"""DESIGN.md's storage estimate against what the servers really store: examples loaded with
generated rows on the embedded PostgreSQL 16, PostgreSQL 15, MariaDB and SQLite, each table's
estimated table + index bytes within the ±50 % DESIGN.md promises of the server's own count
(per table where the server tells it, for the whole file on SQLite). And the operations
sections say what the spec's RPO, RTO and rates ask for."""

from __future__ import annotations

from typing import Any

import pytest

from dbdesign import dialects
from dbdesign.databases import target
from dbdesign.design import design
from dbdesign.design.doc_ops import _bytes, caching_md, pool_md, recovery_md
from dbdesign.design.output import render, schema_sql
from dbdesign.design.prove import load_rows, server_for
from dbdesign.readers import spec as S
from tests.integration.test_design_rules import DIALECT, SERVERS, url_of
from tests.paths import ROOT

ROWS = 20_000  # rows of each example's largest table


def _server_bytes(server: str, conn: Any, srv: Any, name: str) -> int:
    if server in ("embedded", "pg15"):
        sql = f"SELECT pg_total_relation_size('public.{name}')"
    else:
        sql = (
            "SELECT data_length + index_length FROM information_schema.tables "
            f"WHERE table_schema = database() AND table_name = '{name}'"
        )
    return int(srv.fetch(conn, sql)[0][0])


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize("example", ["ecommerce", "library"])
def test_the_estimate_is_within_half_of_what_the_server_stores(example: str, server: str) -> None:
    d = design(S.load(ROOT / "examples" / f"{example}.yaml"), DIALECT[server])
    ops = dialects.get(d.dialect).operations
    assert ops is not None
    biggest = max(t.proof_rows for t in d.tables)
    rows = {t.key: max(1, t.proof_rows * ROWS // biggest) for t in d.tables}
    url = url_of(server)
    srv = server_for(target(url) if url else None, d.dialect)
    with srv.scratch(url or "") as db:
        conn = srv.connect(db, autocommit=True)
        try:
            srv.apply(conn, schema_sql(d.schema))
            load_rows(db, d, rows)
            srv.analyze(conn, d)
            estimated = {
                t.name: sum(_bytes(ops, d, d.schema.tables[k], n))
                for k, n in rows.items()
                for t in [d.schema.tables[k]]
            }
            if server == "sqlite":
                pages = srv.fetch(conn, "PRAGMA page_count")[0][0]
                size = srv.fetch(conn, "PRAGMA page_size")[0][0]
                real = {"(the file)": pages * size}
                estimated = {"(the file)": sum(estimated.values())}
            else:
                real = {name: _server_bytes(server, conn, srv, name) for name in estimated}
        finally:
            conn.close()
    for name, est in estimated.items():
        if real[name] < 256 * 1024:
            continue  # a few pages: rounding, not the model
        assert 0.5 <= est / real[name] <= 1.5, (name, est, real[name])


def test_the_operations_follow_the_stated_objectives_and_rates() -> None:
    spec = S.load(ROOT / "examples" / "ledger.yaml")
    d = design(spec)
    text = "\n".join(recovery_md(d))
    r = spec.project.recovery
    assert r is not None and r.rpo_minutes == 0
    assert "RPO 0:** a synchronous standby" in text and "(stated)" in text
    assert "lose no committed write" in text and "point-in-time recovery undoes it" in text
    shop = design(S.load(ROOT / "examples" / "ecommerce.yaml"))
    text = "\n".join(recovery_md(shop))
    assert "RPO 1 min:** continuous WAL archiving" in text and "'60s'" in text
    pool = "\n".join(pool_md(shop, None))
    assert "a pool of **" in pool and "latency target" in pool
    caching = "\n".join(caching_md(shop))
    # product_by_sku: 300 reads/s and no stated write to products; order_lines: 60 writes/s
    assert "`product_by_sku` (300/s): cache-aside, key `shop:product_by_sku:{sku}`" in caching
    assert "`order_lines` (150/s): not cached" in caching
    doc = render(shop)["DESIGN.md"]
    assert "### Storage Estimate" in doc and "### Caching" in doc and "**Pool size:**" in doc
