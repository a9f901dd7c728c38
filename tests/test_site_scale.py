"""The help centre at 12,000 articles: browse pages, a bounded home page, the sitemap index and the
deep-paging cap. The knowledge base is generated and indexed once for the module."""
from __future__ import annotations

import math
import re
from typing import Any

import pytest

import search.browse
from kb import load_knowledge_base
from kb.model import SUPPORT_TYPES
from search.catalog import PAGE_SIZE
from search.indexer import build_index
from search.semantic.dense import Settings
from search.types import MAX_RESULT_WINDOW
from tests.conftest import make_app
from tests.kb_support import generated_is_internal, generated_slug, write_generated_articles
from web.customer import sitemap as site_sitemap

COUNT = 12_000
INTERNAL_EVERY = 7  # 1,714 agent-only articles, spread over the four types
ARTICLE_LINK = re.compile(r'<h3><a href="/articles/([^"]+)">')
LOC = re.compile(r"<loc>(.*?)</loc>")
LEXICAL = Settings(mode="off")  # embedding 12,000 articles takes tens of minutes: not what is tested


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("scale")
    write_generated_articles(root / "articles", COUNT, INTERNAL_EVERY)
    build_index(load_knowledge_base(root / "articles"), root / "index", semantic=LEXICAL)
    return make_app(root / "index", root / "instance")


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


def public_slugs(support_type: str = "") -> set[str]:
    return {generated_slug(n) for n in range(COUNT) if not generated_is_internal(n, INTERNAL_EVERY)
            and (not support_type or generated_slug(n).startswith(support_type + "/"))}


def internal_slugs() -> set[str]:
    return {generated_slug(n) for n in range(COUNT) if generated_is_internal(n, INTERNAL_EVERY)}


def body(response: Any) -> str:
    return response.get_data(as_text=True)


def test_browse_pages_reach_every_public_article_once(client: Any) -> None:
    for support_type in SUPPORT_TYPES:
        expected = public_slugs(support_type)
        pages = math.ceil(len(expected) / PAGE_SIZE)
        seen: list[str] = []
        for number in range(1, pages + 1):
            response = client.get(f"/browse/{support_type}?page={number}")
            assert response.status_code == 200, (support_type, number)
            links = ARTICLE_LINK.findall(body(response))
            assert len(links) == (PAGE_SIZE if number < pages else len(expected) - PAGE_SIZE * (pages - 1))
            seen += links
        assert len(seen) == len(set(seen)) and set(seen) == expected, support_type
        assert client.get(f"/browse/{support_type}?page={pages + 1}").status_code == 404


def test_browse_page_links(client: Any) -> None:
    first = body(client.get("/browse/billing"))
    assert len(ARTICLE_LINK.findall(first)) == PAGE_SIZE
    pages = math.ceil(len(public_slugs("billing")) / PAGE_SIZE)
    assert f"Articles 1–50 of {len(public_slugs('billing'))}" in first
    assert '<link rel="next" href="/browse/billing?page=2">' in first and 'rel="prev"' not in first
    assert '<nav class="pagination" aria-label="Pages">' in first
    assert f'<a href="/browse/billing?page={pages}" aria-label="Page {pages}">{pages}</a>' in first
    second = body(client.get("/browse/billing?page=2"))
    assert '<link rel="prev" href="/browse/billing">' in second
    assert '<link rel="next" href="/browse/billing?page=3">' in second
    assert 'aria-current="page" aria-label="Page 2">2</a>' in second
    assert 'rel="canonical" href="http://localhost/browse/billing?page=2"' in second
    last = body(client.get(f"/browse/billing?page={pages}"))
    assert 'rel="next"' not in last and f'href="/browse/billing?page={pages - 1}" rel="prev"' in last


def test_browse_filters_keep_their_pages(client: Any) -> None:
    expected = {slug for slug in public_slugs("billing")
                if (int(slug[-5:]) // 4) % 4 == 1}  # GENERATED_PRODUCTS[1] is mobile
    first = body(client.get("/browse/billing?product=mobile"))
    assert f"of {len(expected)}" in first
    assert '<link rel="next" href="/browse/billing?product=mobile&amp;page=2">' in first
    seen = []
    for number in range(1, math.ceil(len(expected) / PAGE_SIZE) + 1):
        seen += ARTICLE_LINK.findall(body(client.get(f"/browse/billing?product=mobile&page={number}")))
    assert sorted(seen) == sorted(expected)


def test_bad_and_missing_browse_pages(client: Any) -> None:
    for page in ("abc", "0", "-2", "2.5"):
        response = client.get("/browse/general", query_string={"page": page})
        assert response.status_code == 400 and "page number must be a whole number" in body(response)
    response = client.get("/browse/general?page=1000")
    assert response.status_code == 404 and "There is no page 1000" in body(response)


def test_warm_browse_pages_read_no_stored_article(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client.get("/browse/product?page=3")
    calls = []
    original = search.browse.summary
    monkeypatch.setattr(search.browse, "summary", lambda *a: calls.append(1) or original(*a))
    for url in ("/", "/browse/product?page=40", "/browse/technical?page=2", "/sitemap-1.xml"):
        assert client.get(url).status_code == 200
    assert calls == []


def test_home_page_stays_bounded(client: Any) -> None:
    page = body(client.get("/"))
    assert len(page) < 40_000
    assert len(re.findall(r'href="/articles/', page)) <= 10
    for support_type in SUPPORT_TYPES:
        assert (f'href="/browse/{support_type}"' in page
                and f"{len(public_slugs(support_type))} articles" in page)


def test_sitemap_index_covers_public_articles_once(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    index = body(client.get("/sitemap.xml"))
    assert "<sitemapindex" in index and LOC.findall(index) == ["http://localhost/sitemap-1.xml"]
    monkeypatch.setattr(site_sitemap, "SITEMAP_MAX_URLS", 4_000)
    children = LOC.findall(body(client.get("/sitemap.xml")))
    total = 1 + len(SUPPORT_TYPES) + len(public_slugs())
    assert children == [f"http://localhost/sitemap-{n}.xml" for n in range(1, math.ceil(total / 4_000) + 1)]
    urls = []
    for child in children:
        part = LOC.findall(body(client.get(child)))
        assert 0 < len(part) <= 4_000
        urls += part
    articles = [url.removeprefix("http://localhost/articles/") for url in urls if "/articles/" in url]
    assert len(urls) == total and len(articles) == len(set(articles))
    assert set(articles) == public_slugs() and not set(articles) & internal_slugs()
    assert client.get(f"/sitemap-{len(children) + 1}.xml").status_code == 404


def test_deep_paging_is_refused(client: Any) -> None:
    deepest = client.get("/api/v1/search", query_string={"q": "generated", "offset": MAX_RESULT_WINDOW - 10})
    assert deepest.status_code == 200 and len(deepest.get_json()["results"]) == 10
    assert deepest.get_json()["total"] > MAX_RESULT_WINDOW
    deeper = client.get("/api/v1/search", query_string={"q": "generated", "offset": MAX_RESULT_WINDOW - 9})
    assert deeper.status_code == 400 and "at most 1000" in deeper.get_json()["error"]["message"]
    assert client.get("/search?q=generated&page=100").status_code == 200
    page = client.get("/search?q=generated&page=101")
    assert page.status_code == 400 and "first 1000 results" in body(page)
