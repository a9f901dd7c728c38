"""The customer help centre's search (web/customer/) through Flask's test client: results,
facets, no results, hostile input, instant search and click tracking."""
from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EventRecorder as Recorder
from tests.site_support import INTERNAL_TEXT, assert_public, shown, text


def test_search_results_with_highlights_and_facets(client: Any, recorder: Recorder) -> None:
    body = text(client.get("/search?q=refund"))
    assert "How do I get a refund?" in body
    assert "<mark>Refunds</mark>" in body or "<mark>refund</mark>" in body
    assert 'href="/articles/billing/refund-policy?q=refund&amp;pos=1"' in body
    assert 'href="/search?q=refund&amp;type=billing"' in body  # facet link
    assert 'href="/search?q=refund&amp;product=account"' in body
    assert '<meta name="robots" content="noindex, follow">' in body
    assert '<a href="/search?q=refund&amp;language=en" aria-current="true">' in body  # default
    assert '<a href="/search?q=refund&amp;language=all">' in body
    assert recorder.of("search")[0]["source"] == "site"
    assert recorder.of("search")[0]["filters"] == {"lang": ["en"]}


def test_search_facet_filter_and_clear_link(client: Any) -> None:
    body = text(client.get("/search?q=router+wifi+refund&type=technical"))
    assert "My Wi-Fi keeps dropping" in body and "How do I get a refund?" not in body
    assert 'href="/search?q=router+wifi+refund" aria-current="true"' not in body
    assert '<a href="/search?q=router+wifi+refund&amp;type=technical" aria-current="true">' in body


def test_did_you_mean(client: Any) -> None:
    body = text(client.get("/search?q=refnd"))
    assert 'Did you mean <a href="/search?q=refund">refund</a>?' in body


def test_no_results_offers_contact_and_topics(client: Any) -> None:
    body = shown(client.get("/search?q=xylophone+quasar"))
    assert "We couldn't find an article for “xylophone quasar”" in body
    assert "Still need help?" in body and "tel:08000000003" in body  # general front line
    assert 'href="/browse/technical"' in body


def test_no_results_with_type_filter_offers_that_teams_channels(client: Any) -> None:
    body = text(client.get("/search?q=xylophone&type=billing"))
    assert "tel:08000000002" in body and "Contact our Billing team" in body


def test_empty_query_shows_the_search_box(client: Any, recorder: Recorder) -> None:
    for path in ("/search", "/search?q=", "/search?q=+++", "/search?q=%00%01"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Type a question or a few words to search." in text(response)
    assert recorder.of("search") == []


def test_pagination_on_the_demo_kb(demo_app: Any) -> None:
    client = demo_app.test_client()
    first = text(client.get("/search?q=router"))
    assert '<a href="/search?q=router&amp;page=2" rel="next">Next</a>' in first
    second = text(client.get("/search?q=router&page=2"))
    assert '<ol class="results" start="11">' in second
    assert 'href="/search?q=router" rel="prev"' in second
    assert "pos=11" in second


@pytest.mark.parametrize("query", [
    "<script>alert(1)</script>", "\"unbalanced", "ip~1/3", "title:refund", "refund AND OR NOT (",
    "*", "😀 refund", "refund\x00\x1b[31m", "\u202erefund", "%s%n", "a" * 500,
])
def test_hostile_queries_never_fail(client: Any, query: str) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in text(response)
    json_reply = client.get("/search.json", query_string={"q": query})
    assert json_reply.status_code == 200 and isinstance(json_reply.get_json()["results"], list)


@pytest.mark.parametrize("query_string", [
    "q=refund&q=wifi&q=x", "q=refund&type=%3Cscript%3E", "q=refund&product=" + "p" * 200,
    "q=refund&language=xx", "q=refund&lang=%3Cscript%3E", "q=refund&type=billing&type=technical",
    "q[]=1", "q=refund&page=1&page=2", "q=refund&language=all",
])
def test_odd_query_strings_are_handled(client: Any, query_string: str) -> None:
    response = client.get("/search?" + query_string)
    assert response.status_code == 200
    assert "<script>" not in text(response)


def test_too_long_query_and_bad_page_are_400(client: Any) -> None:
    long_query = client.get("/search", query_string={"q": "a" * 501})
    assert long_query.status_code == 400 and "shorter search" in text(long_query)
    for page in ("abc", "0", "-1", "101", "1e3"):
        response = client.get(f"/search?q=refund&page={page}")
        assert response.status_code == 400, page
        assert "page number" in text(response)
    reply = client.get("/search.json", query_string={"q": "a" * 501})
    assert reply.status_code == 400 and reply.get_json()["error"]["code"] == "query_too_long"


def test_internal_content_never_found(client: Any) -> None:
    for word in ("quixotic", "zanzibar", "goodwill credit limits", "approval"):
        for path, args in (("/search", {}), ("/search.json", {}), ("/search", {"language": "all"})):
            body = text(client.get(path, query_string={"q": word, **args}))
            assert not [found for found in INTERNAL_TEXT if found in body], (path, word)
    assert_public(text(client.get("/browse/billing")))
    assert_public(text(client.get("/sitemap.xml")))


def test_instant_search_json(client: Any, recorder: Recorder) -> None:
    reply = client.get("/search.json?q=wif")
    data = reply.get_json()
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert data["results"][0]["title"] == "My Wi-Fi keeps dropping"
    assert data["results"][0]["url"] == "/articles/technical/wifi-dropping?q=wif&pos=1&src=instant"
    assert data["results"][0]["type_label"] == "Technical support"
    assert data["search_url"] == "/search?q=wif"
    assert recorder.of("search")[0]["source"] == "instant"
    assert client.get("/search.json?q=").get_json()["results"] == []


def test_result_clicks_are_tracked(client: Any, recorder: Recorder) -> None:
    client.get("/articles/billing/refund-policy?q=refund&pos=2")
    client.get("/articles/technical/wifi-dropping?q=wif&pos=1&src=instant")
    client.get("/articles/technical/wifi-dropping?q=wif&pos=abc")
    client.get("/articles/technical/wifi-dropping?q=wif&pos=1&src=<script>")
    keys = ("query", "slug", "position", "source")
    clicks = [{k: event[k] for k in keys} for event in recorder.of("click")]
    assert clicks == [
        {"query": "refund", "slug": "billing/refund-policy", "position": 2, "source": "site"},
        {"query": "wif", "slug": "technical/wifi-dropping", "position": 1, "source": "instant"},
        {"query": "wif", "slug": "technical/wifi-dropping", "position": 1, "source": "site"},
    ]
