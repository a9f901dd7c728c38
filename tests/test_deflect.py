"""Deflection before a ticket: ``/embed/deflect`` suggestions, its events and the deflection reports."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from analytics_support import BACKENDS, Clock, backend_url
from conftest import ADMIN_TOKEN, AGENT_TOKEN, events_of, make_app
from flask import Flask

import commands
from analytics import Recorder, open_store
from analytics import reports as r
from analytics.deflection import sessions
from tests.browser_support import browser  # noqa: F401  (fixture)
from web.shared.tracking import recorder as app_recorder

NOW = time.time()
SESSION = "formvisit01"
EVENT = "/embed/deflect/event"


def test_suggestions_are_public_articles_tracked_with_the_visit(client: Any, recorder: Any) -> None:
    found = client.get("/embed/deflect/suggestions?q=I+want+a+refund&lang=en",
                       headers={"X-Search-Session": SESSION})
    assert found.status_code == 200
    body = found.get_json()
    assert body["results"][0]["slug"] == "billing/refund-policy"
    assert body["results"][0]["url"] == "/articles/billing/refund-policy"
    assert set(body["results"][0]) == {"slug", "title", "summary", "url", "type", "lang"}  # no answer, no route
    assert events_of(recorder, "search", ("query", "source", "session")) == [
        {"query": "I want a refund", "source": "deflect", "session": SESSION}]
    assert client.get("/embed/deflect/suggestions?q=").get_json() == {"query": "", "results": []}
    for bad, code in (("q=refund&limit=99", "invalid_parameter"), ("q=refund&lang=english", "invalid_parameter"),
                      ("q=" + "a" * 600, "query_too_long")):
        answer = client.get("/embed/deflect/suggestions?" + bad)
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == code


def test_opens_and_sent_forms_are_recorded_for_the_visit(client: Any, recorder: Any) -> None:
    opened = client.post(EVENT, json={"kind": "open", "session": SESSION, "slug": "billing/refund-policy",
                                      "query": "refund", "position": 1})
    assert opened.get_json() == {"recorded": "open", "slug": "billing/refund-policy"}
    # navigator.sendBeacon posts a string: text/plain
    sent = client.post(EVENT, data=json.dumps({"kind": "sent", "session": SESSION}), content_type="text/plain")
    assert sent.get_json() == {"recorded": "sent"}
    assert events_of(recorder, "click", ("slug", "source", "session", "position")) == [
        {"slug": "billing/refund-policy", "source": "deflect", "session": SESSION, "position": 1}]
    assert events_of(recorder, "contact", ("session", "source")) == [{"session": SESSION, "source": "deflect"}]

    refusals = [
        ({"kind": "open", "session": SESSION, "slug": "agents/goodwill-credits", "query": "x", "position": 1},
         404, "article_not_found"),
        ({"kind": "open", "session": SESSION, "slug": "billing/refund-policy", "query": "x", "position": 50},
         400, "invalid_parameter"),
        ({"kind": "sent", "session": "short"}, 400, "invalid_parameter"),
        ({"kind": "sent", "session": "has spaces in it"}, 400, "invalid_parameter"),
        ({"kind": "wave", "session": SESSION}, 400, "invalid_parameter"),
    ]
    for body, status, code in refusals:
        answer = client.post(EVENT, json=body)
        assert (answer.status_code, answer.get_json()["error"]["code"]) == (status, code), body
    garbage = client.post(EVENT, data="{not json", content_type="text/plain")
    assert garbage.status_code == 400 and garbage.get_json()["error"]["code"] == "invalid_json"
    assert client.post(EVENT, data="x" * 5000, content_type="text/plain").status_code == 413
    assert len(recorder.events) == 2  # refused events record nothing


def test_with_analytics_off_nothing_is_recorded(index_dir: Path, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    app = make_app(index_dir, instance, ANALYTICS_URL="off")
    client = app.test_client()
    assert client.get("/embed/deflect/suggestions?q=refund", headers={"X-Search-Session": SESSION}).status_code == 200
    assert client.post(EVENT, json={"kind": "open", "session": SESSION, "slug": "billing/refund-policy",
                                    "query": "refund", "position": 1}).status_code == 200
    assert client.post(EVENT, json={"kind": "sent", "session": SESSION}).status_code == 200
    assert app_recorder(app) is None
    assert not (instance / "analytics.sqlite3").exists()


def record_history(url: str) -> None:
    """Form visits two hours ago (settled) and one a few minutes ago (may still send its form)."""
    clock = Clock(NOW - 2 * 3600)
    rec = Recorder(url, retention_days=0, clock=clock)
    for visit, opens, sends in (("visitAAAA", ["billing/refund-policy"], False),
                                ("visitBBBB", ["billing/invoice-explained"], True),
                                ("visitCCCC", [], False),
                                ("visitGGGG", ["billing/refund-policy", "technical/wifi-dropping"], False)):
        rec.search("refund", {}, 2, "deflect", session=visit)
        for position, slug in enumerate(opens, 1):
            rec.click("refund", slug, position, "deflect", session=visit)
        if sends:
            rec.contact(visit)
    rec.search("zzz", {}, 0, "deflect", session="visitEEEE")  # nothing shown: not a visit with suggestions
    rec.search("refund", {}, 2, "site", session="visitFFFF")  # the help centre, not a contact form
    rec.click("refund", "billing/refund-policy", 1, "site", session="visitFFFF")
    clock.now = NOW - 300
    rec.search("refund", {}, 2, "deflect", session="visitDDDD")
    rec.click("refund", "billing/refund-policy", 1, "deflect", session="visitDDDD")
    rec.contact(None)  # without a visit id (the visitor opted out): nothing to link it to
    assert rec.flush()
    rec.close()


DEFLECTION = [[4, 3, 1, 2, 0.5]]
TOP = [["billing/refund-policy", 2, 2, 1.0], ["technical/wifi-dropping", 1, 1, 1.0],
       ["billing/invoice-explained", 0, 1, 0.0]]


@pytest.fixture(params=BACKENDS)
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The known history in SQLite and (when reachable) PostgreSQL: the same answers from both."""
    for url in backend_url(request.param, tmp_path):
        record_history(url)
        yield url


def test_deflection_reports_on_a_known_history(history_url: str) -> None:
    store = open_store(history_url)
    try:
        assert r.deflection_rate(store, NOW - 86400, until=NOW).rows == DEFLECTION
        assert r.top_deflecting(store, NOW - 86400, until=NOW).rows == TOP
        assert r.top_deflecting(store, NOW - 86400, limit=1, until=NOW).rows == TOP[:1]
        # an hour later the recent visit has settled: opened, never sent
        later = sessions(store, NOW - 86400, until=NOW + 3600)
        assert "visitDDDD" in later.deflected and len(later.shown) == 5
        assert r.deflection_rate(store, NOW - 3600, until=NOW).rows == []  # nothing settled in the period
        assert store.fetchall("SELECT COUNT(*) FROM contacts")[0][0] == 1
    finally:
        store.close()


def test_report_command_and_admin_page_show_deflection(index_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_history(url)
    monkeypatch.setenv("KB_ANALYTICS_URL", url)
    monkeypatch.setenv("KB_ARTICLES_DIR", str(tmp_path / "none"))
    assert commands.main(["report", "--since", "1d", "--format", "json"]) == 0
    found = {report["name"]: report for report in json.loads(capsys.readouterr().out)["reports"]}
    assert found["deflection"]["rows"] == [{"form_visits": 4, "opened_article": 3, "sent_form": 1,
                                            "deflected": 2, "deflection_rate": 0.5}]
    assert [row["slug"] for row in found["top_deflecting"]["rows"]] == [row[0] for row in TOP]
    assert commands.main(["report", "--since", "1d"]) == 0
    assert "Deflection on contact forms (1)" in capsys.readouterr().out

    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL=url)
    html = app.test_client().get("/admin/insights?since=7d",
                                 headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_data(as_text=True)
    assert 'id="deflection"' in html and 'id="top_deflecting"' in html
    assert "<td>0.5</td>" in html and '<a href="/articles/billing/refund-policy">' in html


def test_deflect_script_is_served_for_other_sites(client: Any) -> None:
    script = client.get("/embed/deflect.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert script.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "supportkb:contact" in script.get_data(as_text=True)
    assert AGENT_TOKEN not in client.get("/embed/deflect").get_data(as_text=True)
    spanish = client.get("/embed/deflect?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in spanish and "Artículos que pueden responder a su pregunta" in spanish


# --- in a browser: a contact form on another origin --------------------------------------------

CONTACT_PAGE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "contact.html"


@pytest.fixture()
def contact_sites(index_dir: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    from tests.browser_support import LiveServer  # noqa: PLC0415
    shop = Flask("shop")
    kb_url: dict[str, str] = {}

    @shop.get("/contact")
    def contact() -> str:
        return CONTACT_PAGE.read_text(encoding="utf-8").replace("https://help.example.com", kb_url["url"])

    @shop.post("/sent")
    def sent() -> str:
        return "<!doctype html><title>Sent</title><p>Thanks, we will reply soon.</p>"

    host = LiveServer(shop)
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    app = make_app(index_dir, tmp_path / "inst", EMBED_ORIGINS=host.url, ANALYTICS_URL=url)
    kb = LiveServer(app)
    kb_url["url"] = kb.url
    try:
        yield {"kb": kb, "host": host, "app": app, "url": url}
    finally:
        kb.stop()
        host.stop()


def deflect_frame(page: Any, kb_url: str) -> Any:
    page.wait_for_function("() => document.querySelector('iframe') !== null")
    return next(f for f in page.frames if f.url.startswith(kb_url + "/embed/deflect"))


def open_a_suggestion_and_send(page: Any, sites: dict[str, Any]) -> None:
    """On the host's contact form: type "refund", open the suggested refund article in a new tab
    (closed again), then send the form."""
    page.goto(sites["host"].url + "/contact")
    frame = deflect_frame(page, sites["kb"].url)
    page.fill("#subject", "refund")
    link = frame.get_by_role("link", name="How do I get a refund?")
    link.wait_for()
    with page.context.expect_page() as opened:
        link.click()
    opened.value.close()
    page.click("button[type=submit]")
    page.wait_for_url("**/sent")


def visits(sites: dict[str, Any]) -> Any:
    assert app_recorder(sites["app"]).flush(10)
    store = open_store(sites["url"])
    try:
        return sessions(store, 0, until=time.time() + 1, settle=0)
    finally:
        store.close()


@pytest.mark.browser
def test_a_contact_form_shows_suggestions_and_counts_deflection(browser: Any, contact_sites: Any) -> None:  # noqa: F811
    from tests.browser_support import axe_violations  # noqa: PLC0415
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    kb = contact_sites["kb"].url

    # visit 1: types, opens a suggestion in a new tab, leaves without sending
    page.goto(contact_sites["host"].url + "/contact")
    frame = deflect_frame(page, kb)
    page.fill("#subject", "Refund")
    page.type("#description", "I want my money back for a cancelled order")
    link = frame.get_by_role("link", name="How do I get a refund?")
    link.wait_for()
    page.wait_for_function("() => parseInt(document.querySelector('iframe').style.height) > 40")  # resized
    assert axe_violations(frame) == []
    with context.expect_page() as opened:
        link.click()
    assert opened.value.url.startswith(kb + "/articles/billing/refund-policy")
    opened.value.close()

    # visit 2: opens a suggestion too, then sends the form anyway
    open_a_suggestion_and_send(page, contact_sites)

    deadline = time.monotonic() + 10
    found = visits(contact_sites)
    while len(found.sent) < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
        found = visits(contact_sites)
    assert len(found.shown) == 2 and len(found.opened) == 2 and len(found.sent) == 1
    assert len(found.deflected) == 1
    assert list(found.opened.values())[0] == {"billing/refund-policy"}
    context.close()


@pytest.mark.browser
def test_global_privacy_control_sends_no_visit_id(browser: Any, contact_sites: Any) -> None:  # noqa: F811
    """With GPC on, suggestions still appear, but no visit id, open or sent form is recorded."""
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
    page = context.new_page()
    page.set_default_timeout(10_000)
    open_a_suggestion_and_send(page, contact_sites)
    assert app_recorder(contact_sites["app"]).flush(10)
    store = open_store(contact_sites["url"])
    try:
        assert store.fetchall("SELECT COUNT(*) FROM searches WHERE source = 'deflect'")[0][0] >= 1
        assert store.fetchall("SELECT COUNT(*) FROM searches WHERE session IS NOT NULL")[0][0] == 0
        assert store.fetchall("SELECT COUNT(*) FROM clicks")[0][0] == 0
        assert store.fetchall("SELECT COUNT(*) FROM contacts")[0][0] == 0
    finally:
        store.close()
    context.close()
