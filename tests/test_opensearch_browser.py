"""Searching from the address bar: OpenSearch descriptions for the site and the console, and a
console whose URL follows the search (shareable, bookmarkable, kept across sign-in)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator
from xml.etree import ElementTree

import pytest

from tests.browser_support import browser, recording_server  # noqa: F401  (fixture)
from tests.conftest import AGENT_TOKEN

NS = {"os": "http://a9.com/-/spec/opensearch/1.1/"}


def test_descriptions_are_linked_and_point_at_the_search_forms(client: Any) -> None:
    for page, description, form in (("/", "/opensearch.xml", "/search"),
                                    ("/agent", "/agent/opensearch.xml", "/agent/")):
        html = client.get(page).get_data(as_text=True)
        assert 'rel="search" type="application/opensearchdescription+xml"' in html
        assert f'href="{description}"' in html
        response = client.get(description)
        assert response.status_code == 200
        assert response.mimetype == "application/opensearchdescription+xml"
        root = ElementTree.fromstring(response.data)
        url = root.find("os:Url", NS)
        assert url is not None and url.get("template") == f"http://localhost{form}?q={{searchTerms}}"
        assert len(root.find("os:ShortName", NS).text or "") <= 16


def test_sign_in_keeps_the_address_bar_search(client: Any) -> None:
    page = client.get("/agent?q=refund").get_data(as_text=True)
    assert 'name="q" value="refund"' in page
    answer = client.post("/agent/signin", data={"token": AGENT_TOKEN, "q": "refund"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/agent/?q=refund")


@pytest.fixture()
def server(index_dir: Path, tmp_path: Path) -> Iterator[Any]:
    with recording_server(index_dir, tmp_path / "inst") as running:
        yield running


@pytest.mark.browser
def test_console_url_follows_the_search_and_opens_it(browser: Any, server: Any) -> None:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(server.url + "/agent?q=refund")
    page.fill("#token", AGENT_TOKEN)
    page.press("#token", "Enter")
    page.wait_for_selector("#console")
    assert page.input_value("#q") == "refund"  # the search from the address bar survived sign-in
    page.wait_for_function("() => document.getElementById('status').textContent.includes('answer')")
    assert page.locator("#results li").count() > 0
    page.fill("#q", "reset password")
    page.wait_for_function("() => window.location.search === '?q=reset+password'")
    shared = page.url
    other = context.new_page()
    other.goto(shared)
    other.wait_for_function("() => document.getElementById('status').textContent.includes('answer')")
    assert other.input_value("#q") == "reset password"
    context.close()
