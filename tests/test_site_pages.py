"""The customer help centre's pages (web/customer/) through Flask's test client: home, browse,
article, headers, sitemap and robots, error pages, feedback. Search is in test_site_search.py,
languages in test_site_languages.py."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EventRecorder as Recorder
from tests.conftest import make_app
from tests.site_support import assert_public, text
from web.customer import sitemap as site_sitemap

# Home, browse, article ----------------------------------------------------------------------

def test_home_has_search_topics_popular_and_contacts(client: Any) -> None:
    response = client.get("/")
    body = text(response)
    assert response.status_code == 200
    assert "<title>How can we help? · Brightwave Help Centre</title>" in body
    assert 'role="search"' in body and 'name="q"' in body and '<label for="home-q"' in body
    for support_type in ("technical", "billing", "product", "general"):
        assert f'href="/browse/{support_type}"' in body
    assert 'href="/articles/billing/refund-policy"' in body  # popular: front-line articles
    assert "tel:08000000001" in body and "0800 000 0003" in body
    assert "ext." not in body  # Level 1/2 extensions are internal
    assert '<link rel="canonical" href="http://localhost/">' in body
    assert 'href="#main"' in body and '<main id="main"' in body
    assert_public(body)


def test_site_name_and_popular_articles_are_settings(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", SITE_NAME="Acme Support",
                   SITE_POPULAR="technical/wifi-dropping, agents/goodwill-credits")
    body = text(app.test_client().get("/"))
    assert "Acme Support" in body and "Brightwave Help Centre" not in body
    popular = body.split('id="popular-title"')[1].split("</section>")[0]
    assert re.findall(r'href="(/articles/[^"]+)"', popular) == ["/articles/technical/wifi-dropping"]


def test_browse_lists_public_articles_of_a_type(client: Any) -> None:
    body = text(client.get("/browse/billing"))
    assert "How do I get a refund?" in body and "Understanding your invoice" in body
    assert "Reset your account password" not in body
    assert 'href="/browse/billing?product=broadband"' in body
    assert_public(body)


def test_browse_filters_by_product_and_tag(client: Any) -> None:
    by_product = text(client.get("/browse/billing?product=account"))
    assert "How do I get a refund?" in by_product and "Understanding your invoice" not in by_product
    by_tag = text(client.get("/browse/billing?tag=invoice"))
    assert "Understanding your invoice" in by_tag and "How do I get a refund?" not in by_tag
    assert 'rel="canonical" href="http://localhost/browse/billing?tag=invoice"' in by_tag


def test_browse_page_numbers(client: Any) -> None:
    assert client.get("/browse/billing?page=1").status_code == 200
    assert 'class="pagination"' not in text(client.get("/browse/billing"))  # one page only
    for page in ("2", "99999999999999999999"):
        response = client.get(f"/browse/billing?page={page}")
        assert response.status_code == 404 and "There is no page" in text(response), page
    for page in ("abc", "0", "-1", "1e3", "²", ""):
        response = client.get("/browse/billing", query_string={"page": page})
        assert response.status_code == 400 and "page number must be a whole number" in text(response), page


def test_browse_unknown_type_is_404_with_search(client: Any) -> None:
    response = client.get("/browse/<script>")
    assert response.status_code == 404
    assert 'role="search"' in text(response) and "<script>" not in text(response)


def test_article_page(client: Any) -> None:
    response = client.get("/articles/billing/refund-policy")
    body = text(response)
    assert response.status_code == 200
    assert "<title>How do I get a refund? · Brightwave Help Centre</title>" in body
    assert ('<meta name="description" content="Refunds go back to the original payment method '
            'within 5 working days.">') in body
    assert '<link rel="canonical" href="http://localhost/articles/billing/refund-policy">' in body
    assert "<li>Open <strong>Billing</strong> in your account.</li>" in body  # rendered Markdown
    assert 'aria-label="Breadcrumbs"' in body and 'href="/browse/billing"' in body
    assert "Last updated" in body and re.search(r'<time datetime="\d{4}-\d\d-\d\d">', body)
    assert 'href="/articles/billing/invoice-explained"' in body  # related
    assert 'hreflang="es" href="/articles/es/billing/refund-policy"' in body  # translation
    assert "tel:08000000002" in body  # billing front line
    assert 'action="/articles/billing/refund-policy/feedback"' in body
    assert 'maxlength="1000"' in body and 'name="helpful" value="yes"' in body
    assert_public(body)


def test_unknown_and_internal_articles_are_404(client: Any) -> None:
    for path in ("/articles/nope", "/articles/agents/goodwill-credits", "/articles/../../etc/passwd",
                 "/articles/" + "a" * 3000, "/articles/billing/refund-policy%00"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert 'role="search"' in text(response)
        assert "Goodwill credit limits" not in text(response) and "quixotic" not in text(response)


def test_security_headers_and_vary_on_site_pages(client: Any) -> None:
    for path in ("/", "/search?q=refund", "/articles/billing/refund-policy", "/nope"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Accept-Language" in headers["Vary"]


def test_pages_have_no_inline_script_or_style_and_no_external_assets(client: Any) -> None:
    body = text(client.get("/articles/billing/refund-policy"))
    assert "<style" not in body and " style=" not in body
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/static/site.js" defer>']
    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', body)
    assert external == ["http://localhost/articles/billing/refund-policy"]  # only the canonical link


# Sitemap, robots, errors ------------------------------------------------------------------------

def test_sitemap_lists_public_articles(client: Any) -> None:
    index = client.get("/sitemap.xml")
    assert index.mimetype == "application/xml"
    assert "<sitemapindex" in text(index)
    assert re.findall(r"<loc>(.*?)</loc>", text(index)) == ["http://localhost/sitemap-1.xml"]
    response = client.get("/sitemap-1.xml")
    assert response.mimetype == "application/xml"
    body = text(response)
    assert "<urlset" in body
    assert "<loc>http://localhost/articles/billing/refund-policy</loc>" in body
    assert "<loc>http://localhost/articles/es/billing/refund-policy</loc>" in body
    assert "<loc>http://localhost/browse/general</loc>" in body
    assert body.count("<url>") == 1 + 4 + 6
    assert_public(body)


def test_sitemap_index_splits_into_children(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_sitemap, "SITEMAP_MAX_URLS", 4)
    children = re.findall(r"<loc>(.*?)</loc>", text(client.get("/sitemap.xml")))
    assert children == [f"http://localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    urls = [re.findall(r"<loc>(.*?)</loc>", text(client.get(child))) for child in children]
    assert [len(part) for part in urls] == [4, 4, 3]
    whole = [url for part in urls for url in part]
    unsplit = (monkeypatch.undo(), re.findall(r"<loc>(.*?)</loc>", text(client.get("/sitemap-1.xml"))))
    assert whole == unsplit[1] and len(set(whole)) == 11
    for missing in ("/sitemap-0.xml", "/sitemap-2.xml", "/sitemap-01.xml", "/sitemap-x.xml"):
        assert client.get(missing).status_code == 404, missing


def test_robots_and_site_url(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", SITE_URL="https://help.example.com/")
    client = app.test_client()
    robots = text(client.get("/robots.txt"))
    assert "Sitemap: https://help.example.com/sitemap.xml" in robots and "Disallow: /search" in robots
    assert "<loc>https://help.example.com/sitemap-1.xml</loc>" in text(client.get("/sitemap.xml"))
    sitemap = text(client.get("/sitemap-1.xml"))
    assert "<loc>https://help.example.com/articles/billing/refund-policy</loc>" in sitemap
    assert 'rel="canonical" href="https://help.example.com/"' in text(client.get("/"))


def test_a_child_sitemap_is_rendered_once_per_version_with_site_url(
        index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered: list[int] = []
    real = site_sitemap._child_body

    def counted(snapshot: Any, number: int) -> str:
        rendered.append(number)
        return real(snapshot, number)

    monkeypatch.setattr(site_sitemap, "_child_body", counted)
    client = make_app(index_dir, tmp_path / "instance", SITE_URL="https://help.example.com").test_client()
    first = text(client.get("/sitemap-1.xml"))
    assert text(client.get("/sitemap-1.xml")) == first and rendered == [1]
    per_host = make_app(index_dir, tmp_path / "other").test_client()  # no SITE_URL: URLs follow the host
    per_host.get("/sitemap-1.xml")
    per_host.get("/sitemap-1.xml")
    assert rendered == [1, 1, 1]


def test_error_page_in_spanish(client: Any) -> None:
    response = client.get("/no/such/page?lang=es")
    assert response.status_code == 404 and "No encontramos esa página" in text(response)


# Feedback ---------------------------------------------------------------------------------------

def test_feedback_vote_and_comment(client: Any, recorder: Recorder) -> None:
    response = client.post("/articles/billing/refund-policy/feedback",
                           data={"helpful": "no", "comment": "  Too\x00 long\x1b winded \r\n<b>x</b> "})
    assert response.status_code == 303
    assert response.headers["Location"] == "/articles/billing/refund-policy?feedback=thanks#feedback"
    event = recorder.of("feedback")[0]
    assert {k: event[k] for k in ("slug", "helpful", "comment", "source")} == {
        "slug": "billing/refund-policy", "helpful": False, "comment": "Too long winded\n<b>x</b>",
        "source": "site"}
    thanks = text(client.get("/articles/billing/refund-policy?feedback=thanks"))
    assert "Thanks for your feedback!" in thanks and 'name="helpful"' not in thanks


def test_feedback_rejects_bad_input(client: Any, recorder: Recorder) -> None:
    url = "/articles/billing/refund-policy/feedback"
    assert client.post(url, data={"helpful": "maybe"}).status_code == 400
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"helpful": "yes", "comment": "x" * 1001}).status_code == 400
    assert client.post(url, data={"helpful": "yes", "comment": "x" * 1000}).status_code == 303
    internal = "/articles/agents/goodwill-credits/feedback"
    assert client.post(internal, data={"helpful": "yes"}).status_code == 404
    assert client.post("/articles/nope/feedback", data={"helpful": "yes"}).status_code == 404
    assert client.get(url).status_code in (404, 405)
    assert len(recorder.of("feedback")) == 1


def test_feedback_needs_csrf_token_when_enabled(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    url = "/articles/billing/refund-policy/feedback"
    refused = client.post(url, data={"helpful": "yes"})
    assert refused.status_code == 400 and "CSRF" in text(refused)
    page = text(client.get("/articles/billing/refund-policy"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(url, data={"helpful": "yes", "csrf_token": token}).status_code == 303
    assert client.post(url, data={"helpful": "yes", "csrf_token": "forged"}).status_code == 400


def test_feedback_is_rate_limited(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", RATELIMIT_ENABLED=True,
                   RATELIMIT_FEEDBACK="2 per minute")
    client = app.test_client()
    url = "/articles/billing/refund-policy/feedback"
    codes = [client.post(url, data={"helpful": "yes"}).status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert "Too many requests" in text(client.post(url, data={"helpful": "yes"}))
