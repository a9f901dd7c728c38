"""The agent console in a real browser: an article in review is marked as not yet validated,
every answer shows when it was verified and when it is due, an overdue one is flagged."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base
from search.indexer import build_index
from tests.browser_support import browser, recording_server  # noqa: F401  (fixture)
from tests.conftest import AGENT_TOKEN
from tests.test_article_states import write_kb as write_states_kb
from tests.test_verification import OWNERS, REVIEW, VERIFIED

pytestmark = pytest.mark.browser


@pytest.fixture()
def console(browser: Any, tmp_path: Path) -> Iterator[Any]:  # noqa: F811
    articles = write_states_kb(tmp_path)
    (articles / "_owners").write_text(OWNERS, encoding="utf-8")
    (articles / "_review.yml").write_text(REVIEW, encoding="utf-8")
    for slug in ("billing/refund-policy", "agents/goodwill-credits"):  # public, internal
        path = articles / f"{slug}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{VERIFIED[slug]}\n", 1),
                        encoding="utf-8")
    build_index(load_knowledge_base(articles), tmp_path / "index")
    with recording_server(tmp_path / "index", tmp_path / "inst") as server:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        page.goto(server.url + "/agent")
        page.fill("#token", AGENT_TOKEN)
        page.keyboard.press("Enter")
        page.wait_for_selector("#console")
        page.wait_for_function("() => document.activeElement && document.activeElement.id === 'q'")
        yield page
        page.close()


def search(page: Any, words: str) -> None:
    page.fill("#q", words)
    page.wait_for_function("() => document.getElementById('status').textContent.includes('answer')")


def test_console_marks_review_and_verification(console: Any) -> None:
    page = console
    search(page, "qwvtitle")
    assert "in review, not yet validated" in page.locator("#results .hit-meta").first.inner_text()
    assert page.locator("#review-badge").is_visible()
    assert page.locator("#copy-link").is_disabled()  # customers cannot open it yet
    assert page.locator("#selected-verification").inner_text() == "Never verified - owners: zq-content"
    search(page, "refund")
    assert page.locator("#results .hit-title").first.inner_text() == "How do I get a refund?"
    assert not page.locator("#review-badge").is_visible()
    text = page.locator("#selected-verification").inner_text()
    assert text.startswith("Verified 2025-01-01 by zqsam, due 2025-04-01, ") and "days overdue" in text
    assert page.locator("#selected-overdue").is_visible()
    assert "verification overdue" in page.locator("#results .hit-meta").first.inner_text()
    search(page, "goodwill credit limits")  # an internal answer, overdue (agents/ every 30 days)
    assert page.locator("#results .hit-title").first.inner_text() == "Goodwill credit limits for agents"
    assert page.locator("#selected-verification").inner_text().startswith(
        "Verified 2025-05-01, due 2025-05-31, ")
    assert page.locator("#selected-overdue").is_visible()
    assert "verification overdue" in page.locator("#results .hit-meta").first.inner_text()
