"""Golden Markdown, Mermaid and DBML for corpus schemas and a feature fixture.

Each case writes the docs into a temporary folder and compares chosen files with
tests/golden/docs/<case>/. Review a change by reading the diff; regenerate with
``DBDESIGN_UPDATE_GOLDEN=1 python -m pytest tests/unit/docs/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dbdesign import api
from dbdesign.docs import DocsOptions, generate
from tests.paths import CORPUS, ROOT

GOLDEN = ROOT / "tests" / "golden" / "docs"
UPDATE = os.environ.get("DBDESIGN_UPDATE_GOLDEN") == "1"

# case -> (source, dialect, config groups, files compared)
CASES: dict[str, tuple[Path, str | None, dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "pagila": (
        CORPUS / "postgres" / "pagila.sql",
        None,
        {},
        (
            "index.md",
            "tables/public.film.md",
            "tables/public.payment.md",
            "tables/public.payment_p2022_01.md",
            "views/public.film_list.md",
            "diagrams/schema-public.mmd",
            "diagrams/table-public.film.mmd",
            "schema.dbml",
        ),
    ),
    "chinook": (
        CORPUS / "postgres" / "chinook.sql",
        None,
        {},
        (
            "index.md",
            "tables/public.invoice_line.md",
            "diagrams/schema-public.mmd",
            "schema.dbml",
        ),
    ),
    "sqlite-sakila": (
        CORPUS / "sqlite" / "sakila.sql",
        "sqlite",
        {},
        ("index.md", "tables/main.film.md", "diagrams/schema-main.mmd", "schema.dbml"),
    ),
    "features": (
        GOLDEN / "features.sql",
        None,
        {"billing": ("billing.*", "account")},
        (
            "index.md",
            "tables/public.account.md",
            "tables/public.booking.md",
            "tables/billing.invoice.md",
            "views/public.open_accounts.md",
            "diagrams/all.mmd",
            "diagrams/group-billing.mmd",
            "diagrams/table-public.account.mmd",
            "schema.dbml",
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str, tmp_path: Path) -> None:
    source, dialect, groups, files = CASES[case]
    schema = api.read(str(source), dialect=dialect)
    generate(
        schema,
        tmp_path,
        ("markdown", "mermaid", "dbml"),
        options=DocsOptions(title=case, groups=groups),
    )
    mismatched = []
    for rel in files:
        got = (tmp_path / rel).read_text(encoding="utf-8")
        want_path = GOLDEN / case / rel
        if UPDATE:
            want_path.parent.mkdir(parents=True, exist_ok=True)
            want_path.write_text(got, encoding="utf-8")
            continue
        assert want_path.exists(), f"missing golden {want_path}; run with DBDESIGN_UPDATE_GOLDEN=1"
        if want_path.read_text(encoding="utf-8") != got:
            mismatched.append(rel)
    assert not mismatched, f"{case}: output differs from golden for {mismatched}"
