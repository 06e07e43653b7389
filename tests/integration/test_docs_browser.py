"""The HTML report in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Opens the report of the corpus's pagila.sql from disk with the network blocked: no console
errors, every table listed, the search filters the list, a table's page shows its columns, a
diagram click opens a table; screenshots go to test-artifacts/docs/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dbdesign import api
from dbdesign.docs import DocFinding, generate
from tests.paths import CORPUS, ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "docs"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("pip install playwright (the browser is Debian's chromium)", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    assert shutil.which("dot"), "apt-get install graphviz"
    schema = api.read(str(CORPUS / "postgres" / "pagila.sql"))
    out = tmp_path_factory.mktemp("pagila-html")
    findings = [
        DocFinding(
            code="demo", severity="warning", message="a lint finding", object="public.film.title"
        )
    ]
    generate(schema, out, ("html",), findings=findings)
    return out / "index.html", sorted(schema.tables)


def test_pagila_report(browser: Any, report: tuple[Path, list[str]]) -> None:
    from playwright.sync_api import expect

    html, tables = report
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
    page.goto(html.as_uri())
    page.screenshot(path=str(ARTIFACTS / "pagila-overview.png"))

    # Every table is listed.
    listed = page.eval_on_selector_all(
        "#sidebar li[data-kind=table]", "els => els.map(e => e.dataset.table)"
    )
    assert sorted(listed) == tables
    assert page.locator("#count").inner_text() == f"{len(tables)} tables"

    # The search filters the list (by name, and by column name).
    page.fill("#search", "film")
    visible = page.eval_on_selector_all(
        "#sidebar li[data-kind=table]:not([hidden])", "els => els.map(e => e.dataset.table)"
    )
    assert visible and all("film" in t or t == "public.inventory" for t in visible), visible
    assert {"public.film", "public.film_actor", "public.film_category"} <= set(visible)
    assert "public.customer" not in visible
    assert page.locator("#count").inner_text() == f"{len(visible)} of {len(tables)} tables"
    page.fill("#search", "postal_code")
    visible = page.eval_on_selector_all(
        "#sidebar li[data-kind=table]:not([hidden])", "els => els.map(e => e.dataset.table)"
    )
    assert visible == ["public.address"]
    page.screenshot(path=str(ARTIFACTS / "pagila-search.png"))
    page.fill("#search", "")

    # A table's page shows its columns.
    page.click("#sidebar a[data-target='t-public.film']")
    section = page.locator("section.page.active")
    # links change location.hash; the page follows on the (asynchronous) hashchange event
    expect(section).to_have_attribute("data-table", "public.film")
    columns = section.locator("table.grid .col-name").all_inner_texts()
    assert columns[:3] == ["film_id", "title", "description"]
    assert len(columns) == 14
    assert section.locator("svg").count() == 1  # the neighbour diagram, inline
    assert "a lint finding" in section.inner_text()
    page.screenshot(path=str(ARTIFACTS / "pagila-film.png"), full_page=True)

    # Clicking a table in the diagram opens it.
    title = page.locator("title", has_text=re.compile(r"^public\.language$"))
    section.locator("svg g.node").filter(has=title).locator("text").first.click()
    expect(page.locator("section.page.active")).to_have_attribute("data-table", "public.language")

    assert not problems, problems
    assert not requests, f"the report fetched from the network: {requests}"
