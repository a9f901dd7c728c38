"""The JSON API: search, suggest, triage, articles, feedback, click, cache, CORS and rate limits."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base
from search.indexer import build_index
from tests.conftest import EventRecorder as Recorder, events_of, make_app

INTERNAL_SLUG = "agents/goodwill-credits"


def test_search_shape_and_fields(client: Any) -> None:
    body = client.get("/api/v1/search?q=refund").get_json()
    assert set(body) >= {"query", "total", "did_you_mean", "facets", "took_ms", "results", "no_good_answer"}
    assert body["query"] == "refund" and body["total"] >= 1
    hit = body["results"][0]
    assert hit["slug"] == "billing/refund-policy"
    assert set(hit) >= {"slug", "title", "summary", "answer", "snippet", "url", "type", "level",
                        "audience", "score", "updated", "stale"}
    assert hit["url"] == "/articles/billing/refund-policy"


def test_search_filters_limit_offset(client: Any) -> None:
    billing = client.get("/api/v1/search?q=invoice refund password&type=billing").get_json()
    assert billing["results"] and {h["type"] for h in billing["results"]} == {"billing"}
    both = client.get("/api/v1/search?q=invoice refund password&type=billing,technical").get_json()
    assert {h["type"] for h in both["results"]} == {"billing", "technical"}
    repeated = client.get("/api/v1/search?q=invoice refund password&type=billing&type=technical")
    assert repeated.get_json()["total"] == both["total"]
    first = client.get("/api/v1/search?q=invoice refund password&limit=1").get_json()
    second = client.get("/api/v1/search?q=invoice refund password&limit=1&offset=1").get_json()
    assert len(first["results"]) == 1 and first["results"][0]["slug"] != second["results"][0]["slug"]
    level = client.get("/api/v1/search?q=invoice refund password&level=2").get_json()
    assert level["results"] == []
    explained = client.get("/api/v1/search?q=refund&explain=true").get_json()
    assert "explain" in explained["results"][0]


def test_deep_paging_is_capped(client: Any) -> None:
    last = client.get("/api/v1/search?q=refund&offset=900&limit=100")
    assert last.status_code == 200 and last.get_json()["results"] == []
    for query in ("offset=901&limit=100", "offset=1000&limit=1", "offset=999&limit=2"):
        reply = client.get(f"/api/v1/search?q=refund&{query}")
        assert reply.status_code == 400, query
        error = reply.get_json()["error"]
        assert error["code"] == "invalid_parameter" and "at most 1000" in error["message"], query
    spec = client.get("/api/v1/openapi.json").get_json()
    offset = next(p for p in spec["paths"]["/search"]["get"]["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] == 999 and "at most 1000" in offset["description"]


def test_internal_content_needs_a_token(client: Any, agent_headers: dict[str, str]) -> None:
    anonymous = client.get("/api/v1/search?q=quixotic").get_json()
    assert anonymous["total"] == 0
    agent = client.get("/api/v1/search?q=quixotic", headers=agent_headers).get_json()
    assert [h["slug"] for h in agent["results"]] == [INTERNAL_SLUG]
    assert agent["results"][0]["audience"] == "internal"


def test_cache_serves_repeats_and_never_mixes_audiences(client: Any, agent_headers: dict[str, str]) -> None:
    assert client.get("/api/v1/search?q=quixotic").get_json()["cached"] is False
    assert client.get("/api/v1/search?q=quixotic").get_json()["cached"] is True
    agent = client.get("/api/v1/search?q=quixotic", headers=agent_headers).get_json()
    assert agent["cached"] is False and agent["total"] == 1
    assert client.get("/api/v1/search?q=quixotic").get_json()["total"] == 0


def test_cache_is_invalidated_by_a_new_index_version(articles_dir: Path, index_dir: Path,
                                                     tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst")
    client = app.test_client()
    assert client.get("/api/v1/search?q=zebra").get_json()["total"] == 0
    (articles_dir / "billing" / "zebra.md").write_text(
        "---\ntitle: Zebra crossing charges\ntype: billing\nlevel: 0\n---\n\nZebra fees explained.\n")
    build_index(load_knowledge_base(articles_dir), index_dir)
    body = client.get("/api/v1/search?q=zebra").get_json()
    assert body["cached"] is False and body["results"][0]["slug"] == "billing/zebra"


def test_search_tracks_source(client: Any, recorder: Recorder, agent_headers: dict[str, str]) -> None:
    client.get("/api/v1/search?q=refund&type=billing")
    client.get("/api/v1/search?q=refund&type=billing")
    client.get("/api/v1/search?q=refund", headers=agent_headers)
    searches = [kw for name, kw in recorder.events if name == "search"]
    assert [s["source"] for s in searches] == ["api", "api", "agent"]
    assert searches[0]["filters"] == {"type": ["billing"]} and searches[0]["results"] == 1


def test_suggest(client: Any) -> None:
    body = client.get("/api/v1/suggest?q=refu").get_json()
    assert body["suggestions"][0]["slug"] == "billing/refund-policy"
    assert set(body["suggestions"][0]) == {"text", "slug", "url", "type"}


def test_triage_route_for_agents_only(client: Any, agent_headers: dict[str, str]) -> None:
    agent = client.get("/api/v1/triage?q=refund", headers=agent_headers).get_json()
    assert (agent["type"], agent["level"]) == ("billing", 0) and agent["confidence"] > 0.5
    assert agent["route"]["queue"] == "Front line billing"
    assert agent["route_summary"] == "Billing, Level 0: Front line billing, 0800 000 0002, 8:00-20:00"
    assert agent["answers"][0]["slug"] == "billing/refund-policy"
    anonymous = client.get("/api/v1/triage?q=refund").get_json()
    assert anonymous["type"] == "billing" and anonymous["route"] is None
    nothing = client.get("/api/v1/triage?q=xylophone", headers=agent_headers).get_json()
    assert nothing["no_good_answer"] is True and nothing["type"] is None
    assert nothing["route"]["queue"] == "Customer relations"  # forward: see test_no_answer_site.py


def test_article_public_and_agent_views(client: Any, agent_headers: dict[str, str]) -> None:
    public = client.get("/api/v1/articles/billing/refund-policy").get_json()
    assert public["title"] == "How do I get a refund?"
    assert "zanzibar" not in public["html"] + public["markdown"] and public["route"] is None
    assert public["public_url"] == "http://localhost/articles/billing/refund-policy"
    assert public["translations"][0]["slug"] == "es/billing/refund-policy"
    assert public["related"][0]["slug"] == "billing/invoice-explained"
    agent = client.get("/api/v1/articles/billing/refund-policy", headers=agent_headers).get_json()
    assert '<div class="internal-note">' in agent["html"] and "zanzibar" in agent["markdown"]
    assert agent["route"]["summary"].startswith("Billing, Level 0")


def test_internal_article_is_indistinguishable_from_unknown(client: Any,
                                                             agent_headers: dict[str, str]) -> None:
    internal = client.get(f"/api/v1/articles/{INTERNAL_SLUG}")
    unknown = client.get("/api/v1/articles/agents/no-such-article")
    assert internal.status_code == unknown.status_code == 404
    assert internal.get_json()["error"]["code"] == unknown.get_json()["error"]["code"] == "article_not_found"
    assert internal.get_json()["error"]["message"].replace(INTERNAL_SLUG, "X") == \
        unknown.get_json()["error"]["message"].replace("agents/no-such-article", "X")
    assert client.get(f"/api/v1/articles/{INTERNAL_SLUG}/related").status_code == 404
    agent = client.get(f"/api/v1/articles/{INTERNAL_SLUG}", headers=agent_headers).get_json()
    assert agent["audience"] == "internal" and agent["public_url"] is None


def test_related(client: Any) -> None:
    body = client.get("/api/v1/articles/billing/refund-policy/related").get_json()
    assert body["slug"] == "billing/refund-policy"
    assert body["related"][0]["slug"] == "billing/invoice-explained"


def test_feedback_and_used_on_call(client: Any, recorder: Recorder, agent_headers: dict[str, str]) -> None:
    ok = client.post("/api/v1/feedback", json={"slug": "billing/refund-policy", "helpful": False,
                                                "comment": "too short"})
    assert ok.status_code == 200
    assert ok.get_json() == {"recorded": "feedback", "slug": "billing/refund-policy"}
    used = client.post("/api/v1/feedback", headers=agent_headers,
                       json={"slug": INTERNAL_SLUG, "used_on_call": True, "query": "goodwill"})
    assert used.status_code == 200
    assert events_of(recorder, "feedback", ("slug", "helpful", "comment", "source")) == [
        {"slug": "billing/refund-policy", "helpful": False, "comment": "too short", "source": "api"}]
    assert events_of(recorder, "used_on_call", ("slug", "query", "source")) == [
        {"slug": INTERNAL_SLUG, "query": "goodwill", "source": "agent"}]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"slug": "billing/nope", "helpful": True}, 404, "article_not_found"),
    ({"slug": INTERNAL_SLUG, "helpful": True}, 404, "article_not_found"),
    ({"slug": "billing/refund-policy"}, 400, "invalid_parameter"),
    ({"slug": "billing/refund-policy", "helpful": "yes"}, 400, "invalid_parameter"),
    ({"slug": "billing/refund-policy", "helpful": True, "comment": "x" * 1001}, 400, "invalid_parameter"),
    ({"slug": "billing/refund-policy", "helpful": True, "extra": 1}, 400, "invalid_parameter"),
    ({"slug": "billing/refund-policy", "used_on_call": True}, 400, "missing_parameter"),
    ({"slug": "../etc/passwd", "helpful": True}, 400, "invalid_parameter"),
    ([1, 2], 400, "invalid_json"),
])
def test_feedback_rejects(client: Any, body: Any, status: int, code: str) -> None:
    response = client.post("/api/v1/feedback", json=body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code


def test_click(client: Any, recorder: Recorder) -> None:
    response = client.post("/api/v1/click", json={"slug": "billing/refund-policy", "query": "refund",
                                                   "position": 2}, headers={"X-Search-Session": "tab-1"})
    assert response.status_code == 200
    assert events_of(recorder, "click", ("query", "slug", "position", "source", "session")) == [
        {"query": "refund", "slug": "billing/refund-policy", "position": 2, "source": "api",
         "session": "tab-1"}]
    bad = client.post("/api/v1/click", json={"slug": "billing/refund-policy", "query": "r", "position": 0})
    assert bad.status_code == 400


def test_cors(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst", CORS_ORIGINS="https://crm.example.com")
    client = app.test_client()
    allowed = client.get("/api/v1/search?q=refund", headers={"Origin": "https://crm.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    assert "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = client.get("/api/v1/search?q=refund", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/v1/search", headers={
        "Origin": "https://crm.example.com", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    refused = client.options("/api/v1/search", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in refused.headers
    star = make_app(index_dir, tmp_path / "star", CORS_ORIGINS="*").test_client()
    assert star.get("/api/v1/search?q=refund", headers={"Origin": "https://any.example"}).headers[
        "Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in make_app(index_dir, tmp_path / "none").test_client().get(
        "/api/v1/search?q=refund", headers={"Origin": "https://crm.example.com"}).headers
    assert "Access-Control-Allow-Origin" not in client.get("/agent", headers={
        "Origin": "https://crm.example.com"}).headers


def test_rate_limits(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "inst", RATELIMIT_ENABLED=True,
                   RATELIMIT_SEARCH="2 per minute", RATELIMIT_FEEDBACK="1 per minute")
    client = app.test_client()
    statuses = [client.get("/api/v1/search?q=refund").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get("/api/v1/search?q=refund")
    assert limited.get_json()["error"]["code"] == "rate_limited"
    body = {"slug": "billing/refund-policy", "helpful": True}
    assert [client.post("/api/v1/feedback", json=body).status_code for _ in range(2)] == [200, 429]


def test_cache_key_ignores_filter_order_but_not_limit(client: Any) -> None:
    assert client.get("/api/v1/search?q=refund&type=billing,technical").get_json()["cached"] is False
    assert client.get("/api/v1/search?q=refund&type=technical&type=billing").get_json()["cached"] is True
    assert client.get("/api/v1/search?q=refund&type=billing,technical&limit=5").get_json()["cached"] is False


def test_cache_can_be_turned_off(index_dir: Path, tmp_path: Path) -> None:
    client = make_app(index_dir, tmp_path / "inst", SEARCH_CACHE_SIZE=0).test_client()
    assert [client.get("/api/v1/search?q=refund").get_json()["cached"] for _ in range(2)] == [False, False]
