"""Usage that teaches: ``POST /articles/<slug>/used``, the usage reports and the bounded ranking prior."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from analytics_support import BACKENDS, Clock, backend_url

from analytics import Recorder, open_store
from analytics import usage as u
from search import ANONYMOUS, Engine, SearchRequest
from search import usage as prior
from search.ranking import score
from tests.browser_support import browser  # noqa: F401  (fixture)
from tests.conftest import AGENT_TOKEN, make_app

USED = "/api/v1/articles/billing/refund-policy/used"
NOW = time.time()


# --- the endpoint ------------------------------------------------------------------------------

def test_used_needs_an_agent(client: Any, recorder: Any, agent_headers: dict[str, str]) -> None:
    anonymous = client.post(USED, json={"ticket": "ZD-1"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "agent_required"
    wrong = client.post(USED, headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "invalid_token"
    assert recorder.of("used") == []
    assert client.post(USED, headers=agent_headers).get_json() == {"recorded": "used", "slug": "billing/refund-policy"}
    assert len(recorder.of("used")) == 1


def test_used_records_hashes_not_the_ticket(client: Any, recorder: Any, agent_headers: dict[str, str]) -> None:
    body = {"ticket": "ZD-48213", "query": "Money back? call 07700 900123", "search_id": "abc_DEF-123"}
    assert client.post(USED, json=body, headers=agent_headers).status_code == 200
    event = recorder.of("used")[0]
    assert event["slug"] == "billing/refund-policy" and event["source"] == "agent"
    assert event["search_id"] == "abc_DEF-123" and event["query"] == body["query"]
    assert event["ticket"] and "48213" not in event["ticket"] and len(event["ticket"]) == 20
    assert event["agent"] and "test" not in event["agent"]
    client.post(USED, json={"ticket": "ZD-48213"}, headers=agent_headers)
    assert recorder.of("used")[1]["ticket"] == event["ticket"]  # the same ticket, the same hash


def test_used_names_where_it_was_used(client: Any, recorder: Any, agent_headers: dict[str, str]) -> None:
    assert client.post(USED, json={"source": "sidebar"}, headers=agent_headers).status_code == 200
    assert recorder.of("used")[0]["source"] == "sidebar"
    wrong = client.post(USED, json={"source": "anything"}, headers=agent_headers)
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "invalid_parameter"
    assert len(recorder.of("used")) == 1


def test_internal_articles_may_be_used_and_unknown_ones_not(client: Any, agent_headers: dict[str, str]) -> None:
    assert client.post("/api/v1/articles/agents/goodwill-credits/used", headers=agent_headers).status_code == 200
    missing = client.post("/api/v1/articles/billing/nope/used", headers=agent_headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "article_not_found"


@pytest.mark.parametrize("data, status, code", [
    (b"{bad", 400, "invalid_json"),
    (b"[1]", 400, "invalid_json"),
    (b'{"ticket": 5}', 400, "invalid_parameter"),
    (b'{"search_id": "no spaces allowed"}', 400, "invalid_parameter"),
    (b'{"ticket": "' + b"x" * 101 + b'"}', 400, "invalid_parameter"),
    (b'{"helpful": true}', 400, "invalid_parameter"),
])
def test_bad_bodies_are_clear_errors(client: Any, agent_headers: dict[str, str], data: bytes, status: int,
                                     code: str) -> None:
    response = client.post(USED, data=data, content_type="application/json", headers=agent_headers)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_used_is_rate_limited_per_client(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst", RATELIMIT_ENABLED=True, RATELIMIT_FEEDBACK="3 per minute")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    statuses = [client.post(USED, headers=headers).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_openapi_and_console_offer_it(client: Any, agent_headers: dict[str, str]) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/articles/{slug}/used"]["post"]
    assert operation["requestBody"]["required"] is False and "401" in operation["responses"]
    client.post("/agent/signin", data={"token": AGENT_TOKEN})
    html = client.get("/agent").get_data(as_text=True)
    assert '<button type="button" id="used">Used for this customer <kbd>Alt+U</kbd></button>' in html


# --- reports on a known event set ----------------------------------------------------------------

ARTICLES = [{"slug": "billing/refund-policy", "title": "Refunds", "type": "billing", "level": 0},
            {"slug": "billing/price-rise", "title": "Price rise", "type": "billing", "level": 0},
            {"slug": "technical/wifi-dropping", "title": "Wi-Fi", "type": "technical", "level": 1},
            {"slug": "billing/draft", "title": "Draft", "type": "billing", "level": 0, "status": "draft"}]


@pytest.fixture(params=BACKENDS)
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A known event set, the same on SQLite and PostgreSQL."""
    for url in backend_url(request.param, tmp_path):
        yield from _history(url)


def _history(url: str) -> Iterator[Any]:
    clock = Clock(NOW - 600)
    rec = Recorder(url, retention_days=0, clock=clock)
    rec.search("refund", {}, 3, "agent")                      # linked by query
    rec.search("wifi", {}, 2, "agent")                        # not linked
    rec.search("price", {}, 2, "agent")                       # linked too late (after the window)
    rec.search("money back", {}, 2, "recommend", search_id="rec1")  # linked by search id
    rec.search("router", {}, 2, "recommend", search_id="rec2")      # not linked
    rec.search("refund", {}, 3, "site")                       # customers' searches do not count
    clock.now = NOW - 500
    rec.used("billing/refund-policy", query="refund", ticket="t1", agent="a1")
    rec.used("billing/refund-policy", query="", search_id="rec1", ticket="t2", agent="a2")
    rec.used("billing/refund-policy", query="refund", ticket="t2", agent="a1")
    clock.now = NOW - 600 + u.LINK_WINDOW + 60
    rec.used("technical/wifi-dropping", query="price", ticket="t3", agent="a1")
    assert rec.flush()
    rec.close()
    store = open_store(url)
    yield store
    store.close()


def test_link_rate(history: Any) -> None:
    report = u.link_rate(history, NOW - 86400)
    assert report.rows == [["agent", 3, 1, 0.333], ["recommend", 2, 1, 0.5], ["all", 5, 2, 0.4]]


def test_reuse_never_used_and_per_type_and_level(history: Any) -> None:
    assert u.reuse(history, NOW - 86400).rows == [["billing/refund-policy", 3, 2, 2],
                                                  ["technical/wifi-dropping", 1, 1, 1]]
    assert u.never_used(history, NOW - 86400, ARTICLES).rows == [["billing/price-rise", "Price rise", "billing", 0]]
    assert u.use_by_type_level(history, NOW - 86400, ARTICLES).rows == [
        ["billing", 0, 2, 1, 0.5, 3], ["technical", 1, 1, 1, 1.0, 1]]


@pytest.fixture()
def sqlite_history(tmp_path: Path) -> Iterator[Any]:
    yield from _history(f"sqlite:///{tmp_path}/a.sqlite3")


def test_reports_reach_the_command_and_the_admin_page(sqlite_history: Any, tmp_path: Path, index_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import commands  # noqa: PLC0415
    monkeypatch.setenv("KB_ANALYTICS_URL", f"sqlite:///{tmp_path}/a.sqlite3")
    monkeypatch.setenv("KB_ARTICLES_DIR", str(tmp_path / "none"))
    assert commands.dispatch(["report", "--since", "1d"]) == 0
    out = capsys.readouterr().out
    assert "Link rate (3)" in out and "Reuse per article (2)" in out
    app = make_app(index_dir, tmp_path / "inst", ANALYTICS_URL=f"sqlite:///{tmp_path}/a.sqlite3")
    html = app.test_client().get("/admin/insights?since=7d",
                                 headers={"Authorization": "Bearer test-admin-token-0123456789"}).get_data(as_text=True)
    for section in ("link_rate", "reuse", "use_by_type_level", "never_used"):
        assert f'id="{section}"' in html
    assert "<td>0.4</td>" in html


def test_one_agent_cannot_flood_the_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/flood.sqlite3"
    rec = Recorder(url, retention_days=0)
    for _ in range(200):
        rec.used("billing/price-rise", agent="flooder")
    rec.used("billing/refund-policy", agent="a1")
    rec.used("billing/refund-policy", agent="a2")
    assert rec.flush()
    rec.close()
    store = open_store(url)
    try:
        counts = u.use_counts(store, NOW - 86400)
    finally:
        store.close()
    assert counts == {"billing/price-rise": u.PER_AGENT_CAP, "billing/refund-policy": 2}


# --- the bounded prior ---------------------------------------------------------------------------

@dataclass
class Scored:
    slug: str
    parts: Any


def candidate(slug: str, relevance: float, exact: bool = False) -> Scored:
    parts = score(relevance, 1.0, 0.0, 1.0, False, exact)
    return Scored(slug, parts)


def test_prior_cannot_outvote_a_clearly_better_match() -> None:
    for uses in (1, 50, 10**6, 10**12, float("inf")):
        # a match 10% better always stays first; one just beyond the bound too
        for ratio in (1.10, (1 + prior.MAX_LIFT) * 1.001):
            ranked = prior.lift([candidate("better", 0.9), candidate("used", 0.9 / ratio)], {"used": uses})
            assert [c.slug for c in ranked] == ["better", "used"]
    assert prior.MAX_LIFT <= 0.05
    exact = prior.lift([candidate("exact", 0.1, exact=True), candidate("used", 1.0)], {"used": 10**9})
    assert [c.slug for c in exact] == ["exact", "used"]


def test_prior_breaks_near_ties_and_is_bounded() -> None:
    ranked = prior.lift([candidate("first", 0.900), candidate("used", 0.895)], {"used": 40})
    assert [c.slug for c in ranked] == ["used", "first"]
    assert 1.0 < ranked[0].parts.usage_factor <= 1 + prior.MAX_LIFT
    assert prior.factor(0) == 1.0 and prior.factor(-5) == 1.0
    assert prior.factor(10**9) == prior.factor(prior.SATURATION) == 1 + prior.MAX_LIFT
    assert prior.factor(1) < prior.factor(10) < prior.factor(prior.SATURATION)


def test_engine_applies_the_prior_within_its_bound(engine: Engine) -> None:
    plain = engine.search(SearchRequest("refund invoice price", viewer=ANONYMOUS, limit=5, explain=True))
    assert len(plain.results) >= 2
    top, second = plain.results[0], plain.results[1]
    lifted = engine.search(SearchRequest("refund invoice price", viewer=ANONYMOUS, limit=5, explain=True,
                                         usage={second.slug: 10**9}))
    slugs = [h.slug for h in lifted.results]
    moved = next(h for h in lifted.results if h.slug == second.slug)
    assert moved.explain["score"]["usage_factor"] == pytest.approx(1 + prior.MAX_LIFT)
    assert moved.score == pytest.approx(second.score * (1 + prior.MAX_LIFT), rel=1e-3)
    if top.score > second.score * (1 + prior.MAX_LIFT):
        assert slugs[0] == top.slug
    else:
        assert slugs[0] == second.slug


def test_search_api_uses_the_prior_only_when_turned_on(index_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    rec = Recorder(url, retention_days=0)
    rec.used("billing/refund-policy", agent="a1")
    assert rec.flush()
    rec.close()
    for setting, expected in ((True, True), (False, False)):
        app = make_app(index_dir, tmp_path / f"inst-{setting}", ANALYTICS_URL=url, USAGE_PRIOR=setting)
        body = app.test_client().get("/api/v1/search?q=refund&explain=true").get_json()
        hit = next(h for h in body["results"] if h["slug"] == "billing/refund-policy")
        assert ("usage_factor" in hit["explain"]["score"]) is expected


@pytest.mark.browser
def test_console_button_by_keyboard(browser: Any, index_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    from tests.browser_support import recording_server, sign_in_to_console  # noqa: PLC0415
    from tests.conftest import events_of  # noqa: PLC0415
    with recording_server(index_dir, tmp_path / "inst") as server:
        page = browser.new_page()
        page.set_default_timeout(10_000)
        sign_in_to_console(page, server.url, AGENT_TOKEN)
        page.keyboard.type("refund")
        page.wait_for_function("() => document.getElementById('status').textContent.includes('answer')")
        page.keyboard.press("Alt+U")
        page.wait_for_function("() => document.getElementById('status').textContent.includes('used for this')")
        page.focus("#resolved")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "used"
        page.keyboard.press("Enter")
        page.wait_for_function("() => (document.getElementById('status').textContent.match(/Recorded/g) || [])"
                               ".length === 1")
        recorder = server.app.extensions["supportkb.recorder"]
        deadline = time.monotonic() + 5
        while len(recorder.of("used")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert events_of(recorder, "used", ("slug", "query", "source")) == [
            {"slug": "billing/refund-policy", "query": "refund", "source": "agent"}] * 2
        page.close()
