"""The agent console in a real browser (Playwright + Debian Chromium), driven by keyboard only."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.browser_support import (  # noqa: F401  (browser: a fixture)
    browser,
    record_problems,
    recording_server,
    screenshot,
    sign_in_to_console,
)
from tests.conftest import AGENT_TOKEN, events_of

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(index_dir: Path, tmp_path: Path) -> Iterator[Any]:
    with recording_server(index_dir, tmp_path / "inst") as running:
        yield running


@pytest.fixture()
def console(browser: Any, server: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    record_problems(page)
    sign_in_to_console(page, server.url, AGENT_TOKEN)
    yield page
    context.close()


def wait_status(page: Any, text: str, start: bool = False) -> None:
    """Wait for the console's status line (functions, not strings: the page's CSP forbids eval)."""
    check = "startsWith" if start else "includes"
    page.wait_for_function(f"(t) => document.getElementById('status').textContent.{check}(t)", arg=text)


def search(page: Any, words: str) -> None:
    page.keyboard.press("Escape")
    page.keyboard.press("Control+A")
    page.keyboard.type(words)
    page.wait_for_function("(q) => document.getElementById('status').textContent.includes('answer')"
                           " && document.getElementById('q').value === q", arg=words)


def test_wrong_token_is_refused(browser: Any, server: Any) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(server.url + "/agent")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'token'")
    page.keyboard.type("not-a-token")
    page.keyboard.press("Enter")
    assert page.locator(".error").inner_text() == "That token is not valid."
    assert page.locator("#console").count() == 0
    page.close()


def test_keyboard_flow(console: Any, server: Any) -> None:
    page = console
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"

    search(page, "refund")
    titles = page.locator("#results .hit-title").all_inner_texts()
    assert titles[0] == "How do I get a refund?"
    assert page.locator("#route-summary").inner_text().startswith("Billing, Level 0: Front line billing")
    assert page.locator("#say-this").inner_text().startswith("Refunds go back to the card")
    assert not page.locator("#internal-badge").is_visible()

    page.keyboard.press("Enter")
    page.wait_for_selector("#article-body .internal-note")
    assert "zanzibar" in page.locator("#article-body .internal-note").inner_text()
    screenshot(page, "agent-console-article.png")

    page.keyboard.press("Alt+C")
    wait_status(page, "Copied the answer", start=True)
    assert page.evaluate("navigator.clipboard.readText()").startswith("Refunds go back to the card")
    page.keyboard.press("Alt+L")
    wait_status(page, "Copied the customer", start=True)
    assert page.evaluate("navigator.clipboard.readText()") == server.url + "/articles/billing/refund-policy"

    page.keyboard.press("Alt+R")
    wait_status(page, "resolved the call")
    recorder = server.app.extensions["supportkb.recorder"]
    assert events_of(recorder, "used_on_call", ("slug", "query", "source")) == [
        {"slug": "billing/refund-policy", "query": "refund", "source": "agent"}]
    clicks = events_of(recorder, "click", ("query", "slug", "position", "source", "session"))
    searches = events_of(recorder, "search", ("query", "source", "session"))
    assert clicks[0]["session"] and searches[-1]["session"] == clicks[0]["session"]
    assert clicks == [{"query": "refund", "slug": "billing/refund-policy", "position": 1, "source": "agent",
                       "session": clicks[0]["session"]}]
    assert page.problems == []


def test_arrows_filters_and_internal(console: Any) -> None:
    page = console
    search(page, "invoice password refund")
    assert page.locator("#results li").count() >= 3
    first = page.locator("#selected-title").inner_text()
    page.keyboard.press("ArrowDown")
    assert page.locator("#hit-1").get_attribute("aria-selected") == "true"
    assert page.locator("#selected-title").inner_text() != first
    page.keyboard.press("ArrowUp")
    assert page.locator("#selected-title").inner_text() == first

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-type"
    page.keyboard.type("technical")
    page.wait_for_function("() => [...document.querySelectorAll('#results .hit-meta')].length > 0 && "
                           "[...document.querySelectorAll('#results .hit-meta')]"
                           ".every(e => e.textContent.startsWith('Technical'))")
    assert page.locator("#route-summary").inner_text().startswith("Technical, Level 0")

    page.keyboard.press("/")
    search(page, "quixotic")
    assert page.locator("#results .hit.is-internal").count() == 0  # type filter still technical
    page.keyboard.press("Tab")
    page.keyboard.type("any")
    page.wait_for_selector("#results .hit.is-internal")
    assert page.locator("#internal-badge").is_visible()
    assert page.locator("#route-summary").inner_text().startswith("Billing, Level 1: Billing resolutions")
    assert page.locator("#copy-link").is_disabled()
    page.keyboard.press("Alt+L")
    wait_status(page, "Internal article", start=True)
    screenshot(page, "agent-console-internal.png")
    assert page.problems == []
