"""The customer help centre in a real browser (Playwright + Debian's Chromium)."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from playwright.sync_api import expect

from tests.browser_support import browser, checked_page, recording_server, screenshot  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One live server on the fixture KB for the module (the tests only read, and vote)."""
    from kb import load_knowledge_base  # noqa: PLC0415
    from search.indexer import build_index  # noqa: PLC0415
    from tests.conftest import FIXTURE_KB  # noqa: PLC0415
    root = tmp_path_factory.mktemp("site-browser")
    build_index(load_knowledge_base(FIXTURE_KB), root / "index")
    with recording_server(root / "index", root / "instance") as running:
        yield running


@pytest.fixture()
def site(browser: Any, server: Any) -> Iterator[Any]:  # noqa: F811
    """A fresh English page that records console errors and CSP violations."""
    with checked_page(browser) as page:
        yield page


def test_search_from_the_home_page(site: Any, server: Any) -> None:
    site.goto(server.url + "/")
    site.get_by_role("combobox", name="Search the help centre").fill("money back")
    site.keyboard.press("Enter")
    site.wait_for_url("**/search?q=money+back")
    assert site.locator(".result__title").first.inner_text() == "How do I get a refund?"
    assert site.locator(".result__snippet mark").count() >= 1
    site.locator(".result__title a").first.click()
    site.wait_for_url("**/articles/billing/refund-policy?q=money+back&pos=1")
    clicks = server.app.extensions["supportkb.recorder"].of("click")
    assert clicks[-1]["slug"] == "billing/refund-policy" and clicks[-1]["position"] == 1


def test_instant_search_with_keyboard(site: Any, server: Any) -> None:
    site.goto(server.url + "/")
    box = site.locator("#home-q")
    box.click()
    site.keyboard.type("wif", delay=30)
    # Results for "wi" may show first (kept while the next request runs): wait for "wif"'s.
    site.wait_for_selector('#home-q-instant [role=option] a[href*="q=wif&"]')
    assert box.get_attribute("aria-expanded") == "true"
    first = site.locator("#home-q-instant [role=option]").first.inner_text()
    assert first.startswith("My Wi-Fi keeps dropping")
    site.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "home-q-instant-0"
    site.keyboard.press("Enter")
    site.wait_for_url("**/articles/technical/wifi-dropping?q=wif&pos=1&src=instant")
    assert site.locator("h1").inner_text() == "My Wi-Fi keeps dropping"


def test_instant_search_escape_closes(site: Any, server: Any) -> None:
    site.goto(server.url + "/search?q=refund")
    site.locator("#search-q").fill("passw")
    site.wait_for_selector("#search-q-instant:not([hidden])")
    site.keyboard.press("Escape")
    assert site.locator("#search-q-instant").is_hidden()


def test_open_article_and_vote_helpful(site: Any, server: Any) -> None:
    site.goto(server.url + "/browse/billing")
    site.get_by_role("link", name="How do I get a refund?").click()
    assert site.locator("h1").inner_text() == "How do I get a refund?"
    assert "zanzibar" not in site.content()
    site.get_by_label("Tell us more (optional)").fill("Clear steps, thanks")
    site.get_by_role("button", name="Yes").click()
    site.wait_for_url("**/articles/billing/refund-policy?feedback=thanks#feedback")
    assert site.locator("#feedback-title").inner_text() == "Thanks for your feedback!"
    votes = server.app.extensions["supportkb.recorder"].of("feedback")
    assert votes[-1]["helpful"] is True and votes[-1]["comment"] == "Clear steps, thanks"


def test_no_results_path_offers_contact(site: Any, server: Any) -> None:
    site.goto(server.url + "/")
    site.locator("#home-q").fill("xylophone quasar")
    site.locator("#home-q").press("Enter")
    site.wait_for_url("**/search?q=xylophone+quasar")
    assert "We couldn't find an article" in site.locator("h1").inner_text()
    assert site.get_by_role("link", name="Call us 0800 000 0003").count() == 1


def test_spanish_ui(site: Any, server: Any) -> None:
    site.goto(server.url + "/")
    site.get_by_role("link", name="Español").click()
    expect(site.locator("html")).to_have_attribute("lang", "es")
    expect(site.locator("h1")).to_have_text("¿En qué podemos ayudarle?")
    site.get_by_role("link", name="Facturación").first.click()
    expect(site.get_by_role("link", name="¿Cómo obtengo un reembolso?")).to_have_count(1)
    site.get_by_role("combobox", name="Buscar en el centro de ayuda").fill("reembolso")
    site.keyboard.press("Enter")
    site.wait_for_url("**/search?q=reembolso*")
    expect(site.locator("h1")).to_have_text("Resultados para «reembolso»")


def test_works_without_javascript(browser: Any, server: Any) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    page.locator("#home-q").fill("wifi")
    page.locator("#home-q").press("Enter")
    page.wait_for_url("**/search?q=wifi")
    assert page.locator(".result__title").first.inner_text() == "My Wi-Fi keeps dropping"
    context.close()


def test_keyboard_skip_link_and_focus(site: Any, server: Any) -> None:
    site.goto(server.url + "/articles/billing/refund-policy")
    site.keyboard.press("Tab")
    assert site.evaluate("document.activeElement.className") == "skip-link"
    assert site.locator(".skip-link").is_visible()
    site.keyboard.press("Enter")
    assert site.evaluate("document.activeElement.id") == "main"


def test_phone_width_screenshots(browser: Any, server: Any) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    for name, path in (("home", "/"), ("article", "/articles/billing/refund-policy"),
                       ("search", "/search?q=refund")):
        page.goto(server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth"
                                 " - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
        saved = screenshot(page, f"site-phone-{name}.png")
        assert saved.stat().st_size > 10_000
    context.close()


def test_desktop_screenshot(site: Any, server: Any) -> None:
    site.goto(server.url + "/search?q=refund")
    assert screenshot(site, "site-desktop-search.png").stat().st_size > 10_000
