"""The helpdesk sidebar in Chromium: a host page on another origin frames ``/embed/agent``.

The host page is ``docs/examples/host.html`` itself, served by a second local server (another
port, so another origin). Allowed in ``EMBED_ORIGINS`` it receives an inserted answer; a third
origin that is not allowed cannot frame the sidebar (CSP ``frame-ancestors``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask

from tests.browser_support import LiveServer, axe_violations, browser, screenshot  # noqa: F401  (fixture)
from tests.conftest import AGENT_TOKEN, EventRecorder, make_app

pytestmark = pytest.mark.browser
HOST_PAGE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "host.html"
PLACEHOLDER = "https://help.example.com"


class Host:
    """A stand-in helpdesk: serves the example host page pointing at ``kb_url``."""

    def __init__(self) -> None:
        self.kb_url = ""
        self.token = ""
        app = Flask("host")

        @app.get("/ticket")
        def ticket() -> str:
            html = HOST_PAGE.read_text(encoding="utf-8").replace(PLACEHOLDER, self.kb_url)
            if self.token:
                html = html.replace('id="supportkb"', f'id="supportkb" data-token="{self.token}"')
            return html

        self.server = LiveServer(app)
        self.url = self.server.url


@pytest.fixture()
def sites(index_dir: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    allowed, stranger = Host(), Host()
    app = make_app(index_dir, tmp_path / "inst", EMBED_ORIGINS=allowed.url, ANALYTICS_URL="off")
    kb = LiveServer(app)
    allowed.kb_url = stranger.kb_url = kb.url
    try:
        yield {"kb": kb, "allowed": allowed, "stranger": stranger, "app": app}
    finally:
        for server in (kb, allowed.server, stranger.server):
            server.stop()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    yield page
    context.close()


def sidebar(page: Any, kb_url: str) -> Any:
    page.wait_for_function("() => document.getElementById('supportkb') !== null")
    return next(f for f in page.frames if f.url.startswith(kb_url + "/embed/agent"))


def test_allowed_host_receives_an_inserted_answer(page: Any, sites: dict[str, Any]) -> None:
    asked: list[tuple[str, str]] = []
    page.on("request", lambda request: asked.append((request.method, request.url)))
    page.goto(sites["allowed"].url + "/ticket")
    frame = sidebar(page, sites["kb"].url)
    frame.wait_for_selector("#suggestions .suggestion")
    # the whole ticket goes to the ticket recommender, not a query cut from its first lines
    assert ("POST", sites["kb"].url + "/api/v1/recommend") in asked
    titles = frame.locator(".suggestion-title").all_inner_texts()
    assert titles[0] == "How do I get a refund?"
    assert frame.locator("#who").inner_text() == "Public articles only"
    assert frame.locator("#sidebar-q").input_value().startswith("Refund for my cancelled order")

    frame.get_by_role("button", name="Insert answer: How do I get a refund?").click()
    page.wait_for_function("() => window.supportkbInserts.length === 1")
    sent = page.evaluate("window.supportkbInserts[0]")
    assert sent["type"] == "supportkb:insert" and sent["kind"] == "answer"
    assert sent["slug"] == "billing/refund-policy"
    assert sent["text"].startswith("Refunds go back to the card")
    assert page.locator("#reply").input_value() == sent["text"]

    frame.get_by_role("button", name="Insert link: How do I get a refund?").click()
    page.wait_for_function("() => window.supportkbInserts.length === 2")
    link = page.evaluate("window.supportkbInserts[1]")
    assert link["kind"] == "link" and link["url"] == sites["kb"].url + "/articles/billing/refund-policy"
    opener = frame.get_by_role("link", name="Open in a new tab: How do I get a refund?")
    assert opener.get_attribute("target") == "_blank"
    assert opener.get_attribute("href") == link["url"]
    assert frame.get_by_role("button", name="Used for this customer: How do I get a refund?").count() == 0
    assert axe_violations(frame) == []
    assert page.problems == []


def test_an_agent_token_from_the_host_adds_internal_articles(page: Any, sites: dict[str, Any]) -> None:
    sites["allowed"].token = AGENT_TOKEN
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(sites["allowed"].url + "/ticket")
    frame = sidebar(page, sites["kb"].url)
    frame.wait_for_function("() => document.getElementById('who').textContent.startsWith('Agent view')")
    frame.fill("#sidebar-q", "goodwill credit")
    frame.press("#sidebar-q", "Enter")
    frame.wait_for_selector(".suggestion.is-internal")
    internal = frame.locator(".suggestion.is-internal")
    assert internal.get_by_role("button", name="Insert link").count() == 0  # no customer link
    assert not any(AGENT_TOKEN in url for url in requests)  # the token never travels in a URL


def test_used_for_this_customer_is_recorded_from_the_sidebar(page: Any, sites: dict[str, Any]) -> None:
    """With an agent token each suggestion has "Used": one event with source ``sidebar``, the
    recommendation's search id and the host's ticket reference (hashed), sent with the token."""
    recorder = sites["app"].extensions["supportkb.recorder"] = EventRecorder()
    sites["allowed"].token = AGENT_TOKEN
    page.goto(sites["allowed"].url + "/ticket")
    frame = sidebar(page, sites["kb"].url)
    frame.wait_for_function("() => document.getElementById('who').textContent.startsWith('Agent view')")
    frame.wait_for_selector("#suggestions .suggestion")
    used = frame.get_by_role("button", name="Used for this customer: How do I get a refund?")
    used.click()
    frame.wait_for_function("() => document.getElementById('sidebar-status').textContent"
                            ".startsWith('Recorded: How do I get a refund?')")
    assert used.is_disabled()  # one click, one use
    searches = [event for name, event in recorder.events if name == "search"]
    uses = [event for name, event in recorder.events if name == "used"]
    assert len(uses) == 1
    event = uses[0]
    assert event["slug"] == "billing/refund-policy" and event["source"] == "sidebar"
    assert event["search_id"] and event["search_id"] == searches[-1]["search_id"]
    assert event["ticket"] and event["ticket"] != "1042" and event["agent"]
    assert event["query"].startswith("Refund for my cancelled order")
    screenshot(page, "embed-sidebar-used.png")
    assert axe_violations(frame) == []
    assert page.problems == []


def test_a_host_not_allowed_cannot_frame_the_sidebar(page: Any, sites: dict[str, Any]) -> None:
    page.goto(sites["stranger"].url + "/ticket")
    page.wait_for_load_state("load")
    framed = [f for f in page.frames if f.url.startswith(sites["kb"].url)]
    assert framed == [] or all(f.locator("#sidebar").count() == 0 for f in framed)
    assert page.evaluate("window.supportkbInserts.length") == 0

    # the control: the same page from the allowed origin does load it
    page.goto(sites["allowed"].url + "/ticket")
    sidebar(page, sites["kb"].url).wait_for_selector("#sidebar")


def test_chatwoot_context_messages_are_read_as_the_ticket(page: Any, sites: dict[str, Any]) -> None:
    """Chatwoot's dashboard apps post their own context (a JSON string): incoming messages count."""
    page.goto(sites["allowed"].url + "/ticket")
    frame = sidebar(page, sites["kb"].url)
    frame.wait_for_selector("#suggestions .suggestion")
    context = {"event": "appContext", "data": {"conversation": {"messages": [
        {"message_type": 0, "content": "my wifi keeps dropping every evening"},
        {"message_type": 1, "content": "Sorry to hear that, how can I help with a refund?"}]}}}
    page.evaluate("([kb, context]) => document.getElementById('supportkb').contentWindow"
                  ".postMessage(JSON.stringify(context), kb)", [sites["kb"].url, context])
    frame.wait_for_function("() => document.querySelector('.suggestion-title').textContent"
                            " === 'My Wi-Fi keeps dropping'")
    assert frame.locator("#sidebar-q").input_value() == "my wifi keeps dropping every evening"


def test_messages_from_origins_not_listed_are_ignored(page: Any, sites: dict[str, Any]) -> None:
    """Opened on its own, the sidebar is its own parent: its origin is not listed, so a ticket it
    posts to itself is dropped; listed, the same message is read."""
    ticket = {"type": "supportkb:ticket", "subject": "refund", "text": "I want my money back"}
    page.goto(sites["kb"].url + "/embed/agent")
    page.evaluate("(ticket) => window.postMessage(ticket, '*')", ticket)
    page.evaluate("() => new Promise(done => setTimeout(done, 500))")
    assert page.locator("#sidebar-status").inner_text() == "Waiting for the ticket."
    assert page.locator(".suggestion").count() == 0

    sites["app"].config["EMBED_ORIGINS"] = [sites["allowed"].url, sites["kb"].url]
    page.goto(sites["kb"].url + "/embed/agent")
    page.evaluate("(ticket) => window.postMessage(ticket, '*')", ticket)
    page.wait_for_selector(".suggestion")


def test_a_refused_token_falls_back_to_public_articles(page: Any, sites: dict[str, Any]) -> None:
    sites["allowed"].token = "not-a-valid-token"
    page.goto(sites["allowed"].url + "/ticket")
    frame = sidebar(page, sites["kb"].url)
    frame.wait_for_selector("#suggestions .suggestion")
    assert frame.locator(".suggestion-title").first.inner_text() == "How do I get a refund?"
    assert frame.locator("#who").inner_text() == "Public articles only"
    assert frame.locator(".suggestion.is-internal").count() == 0
