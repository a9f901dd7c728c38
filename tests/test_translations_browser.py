"""The agent console's "translation may be out of date" badge, in a real browser, after a commit to
the source of a translation in a real git repository."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

import build
from tests.browser_support import browser, recording_server, sign_in_to_console  # noqa: F401  (fixture)
from tests.conftest import AGENT_TOKEN
from tests.translations_support import (
    INTERNAL_TRANSLATION,
    SOURCE,
    TRANSLATION,
    commit,
    make_repo,
    replace_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The index of a repository whose Spanish refunds translation went stale in the last commit."""
    root = make_repo(tmp_path / "kb", monkeypatch)
    assert build.main(["translations", "--articles", "articles", "--mark-current", TRANSLATION,
                       INTERNAL_TRANSLATION]) == 0
    commit(root, "Translations are current")
    replace_in(root / SOURCE, "within 5 working days", "within 10 working days")
    commit(root, "Refunds now take 10 days")
    assert build.main(["--articles", "articles", "--index", "index", "-q"]) == 0
    with recording_server(root / "index", tmp_path / "instance") as running:
        yield running


def test_console_badge_for_a_stale_translation(browser: Any, server: Any) -> None:  # noqa: F811
    page = browser.new_page()
    page.set_default_timeout(10_000)
    sign_in_to_console(page, server.url, AGENT_TOKEN)

    page.keyboard.type("reembolso")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('answer')")
    assert page.locator("#results .hit-title").first.inner_text() == "¿Cómo obtengo un reembolso?"
    assert page.locator("#results .hit-meta").first.inner_text().endswith(
        "translation may be out of date")
    assert page.locator("#selected-translation-stale").is_visible()
    assert page.locator("#selected-translation-stale").inner_text() == "Translation may be out of date"

    page.keyboard.press("Control+A")
    page.keyboard.type("refund")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('answer')"
                           " && document.getElementById('q').value === 'refund'")
    assert page.locator("#results .hit-title").first.inner_text() == "How do I get a refund?"
    assert not page.locator("#selected-translation-stale").is_visible()  # the original is current
    page.close()


def test_instant_search_marks_suggestions_in_another_language(browser: Any,  # noqa: F811
                                                              server: Any) -> None:
    page = browser.new_page(locale="es-ES")
    page.set_default_timeout(10_000)
    page.goto(server.url + "/?lang=es")
    page.locator("#home-q").click()
    page.keyboard.type("invo", delay=30)
    page.wait_for_selector('#home-q-instant [role=option] a[href*="q=invo&"]')
    suggestion = page.locator("#home-q-instant [role=option] a").first
    assert suggestion.inner_text().replace("\n", "") == "Understanding your invoiceFacturación · English"
    assert suggestion.get_attribute("lang") == "en"
    assert suggestion.locator(".instant__type").get_attribute("lang") == "es"
    page.close()
