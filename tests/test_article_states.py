"""KCS article states: ``review`` articles reach agents (marked as not yet validated) and never a
customer; ``archived`` ones answer 410 Gone or 301 to ``replaced_by``; ``redirect_from`` keeps old
URLs working; the served site answers from the built version, not from the working tree."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base, validate
from kb.states import redirect_slug
from search.indexer import build_index
from search.states import article_key
from tests.conftest import AGENT_TOKEN, FIXTURE_KB, make_app
from tests.test_access_sweep import without_echo

AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}
REVIEW_SLUG = "technical/qwvrouter-lights"
REVIEW = """---
title: Qwvtitle router lights explained
type: technical
level: 1
status: review
summary: Qwvsummary what each light on the router means.
answer: Qwvanswer a red light means no signal.
questions: [qwvquestion what does the red light mean]
tags: [qwvtag, router]
product: broadband
redirect_from: [/articles/technical/qwvold-lights, /hc/en-us/articles/77-Router-lights]
---

Qwvbody the router has four lights. A red light means no broadband signal; restart the router.
"""
ARCHIVED_REPLACED = """---
title: Old refund rules
type: billing
level: 0
status: archived
replaced_by: billing/refund-policy
---

Refunds took ten days.
"""
ARCHIVED_GONE = """---
title: Paper bills by post
type: billing
level: 0
status: archived
---

We no longer send paper bills.
"""
ARCHIVED_INTERNAL = """---
title: Qwvinternal retired playbook
type: billing
level: 2
audience: internal
status: archived
---

Retired.
"""
#: Probes that only the review article answers (and typos and prefixes of them).
PROBES = ("qwvtitle", "qwvbody", "qwvtag", "qwvquestion what does the red light mean", "qwvtitel",
          "qwvbdy", "qwv", "Qwvtitle router lights explained", "router lights", "red light")


def write_kb(base: Path) -> Path:
    articles = base / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    (articles / f"{REVIEW_SLUG}.md").write_text(REVIEW, encoding="utf-8")
    (articles / "billing" / "old-refunds.md").write_text(ARCHIVED_REPLACED, encoding="utf-8")
    (articles / "billing" / "paper-bills.md").write_text(ARCHIVED_GONE, encoding="utf-8")
    (articles / "agents" / "retired-playbook.md").write_text(ARCHIVED_INTERNAL, encoding="utf-8")
    policy = articles / "billing" / "refund-policy.md"
    text = policy.read_text(encoding="utf-8")
    text = text.replace("related: [billing/invoice-explained]",
                        f"related: [billing/invoice-explained, {REVIEW_SLUG}]\n"
                        "redirect_from:\n  - /articles/billing/refunds-old\n  - billing/money-back\n"
                        "  - /hc/es/articles/360006-Cómo-funcionan-los-reembolsos")
    policy.write_text(text, encoding="utf-8")
    return articles


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    base = tmp_path_factory.mktemp("states")
    articles = write_kb(base)
    kb = load_knowledge_base(articles)
    assert [p.format() for p in validate(kb) if p.severity == "error"] == []
    build_index(kb, base / "index")
    return articles, base / "index", make_app(base / "index", base / "instance")


@pytest.fixture()
def client(built: tuple[Path, Path, Any]) -> Any:
    return built[2].test_client()


def test_agents_find_a_review_article_marked_not_validated(client: Any) -> None:
    body = client.get("/api/v1/search", query_string={"q": "qwvtitle"}, headers=AGENT).get_json()
    assert [(h["slug"], h["status"]) for h in body["results"]] == [(REVIEW_SLUG, "review")]
    view = client.get(f"/api/v1/articles/{REVIEW_SLUG}", headers=AGENT).get_json()
    assert view["status"] == "review" and view["public_url"] is None  # customers cannot open it
    published = client.get("/api/v1/articles/billing/refund-policy", headers=AGENT).get_json()
    assert published["status"] == "published"
    assert REVIEW_SLUG in [item["slug"] for item in published["related"]]


def without_tokens(text: str) -> str:
    """A page without its random CSRF token (random letters may spell a probe)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", text)


def _get_paths(app: Any) -> list[str]:
    """Every GET route with its URL arguments filled in (slugs: the review one, public ones, old)."""
    values = {"slug": [REVIEW_SLUG, "billing/refund-policy", "technical/qwvold-lights"],
              "support_type": ["technical", "billing"], "number": ["1"],
              "filename": [f"{REVIEW_SLUG}.png"]}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/static"):
            continue
        found = [rule.rule]
        for argument in rule.arguments:
            found = [re.sub(rf"<(?:\w+:)?{argument}>", v, p) for p in found for v in values[argument]]
        paths += found
    return paths


def test_review_articles_never_reach_anonymous_viewers(client: Any, built: Any) -> None:
    """Every GET route (pages, search, suggest, triage, browse, related, sitemap, API), anonymous,
    with probing queries: no word of the review article, nor its slug."""
    problems, seen = [], 0
    for path in _get_paths(built[2]):
        for params in [{}, *({"q": probe} for probe in PROBES)]:
            response = client.get(path, query_string=params)
            assert response.status_code < 500, (path, params)
            body = without_echo(without_tokens(response.get_data(as_text=True)), [*params.values(), path])
            seen += 1
            if "qwv" in body.lower():
                problems.append((path, params))
    assert problems == [], problems[:5]
    assert seen > 100
    assert client.get(f"/articles/{REVIEW_SLUG}").status_code == 404
    assert client.get(f"/api/v1/articles/{REVIEW_SLUG}").status_code == 404
    related = client.get("/api/v1/articles/billing/refund-policy/related").get_json()
    assert REVIEW_SLUG not in [item["slug"] for item in related["related"]]


def test_archived_article_answers_410_with_a_helpful_page(client: Any) -> None:
    page = client.get("/articles/billing/paper-bills")
    assert page.status_code == 410
    text = page.get_data(as_text=True)
    assert "Paper bills by post" in text and 'action="/search"' in text
    assert '<meta name="robots" content="noindex">' in text
    spanish = client.get("/articles/billing/paper-bills?lang=es").get_data(as_text=True)
    assert "Este artículo ya no está disponible" in spanish
    api = client.get("/api/v1/articles/billing/paper-bills")
    assert api.status_code == 410 and api.get_json()["error"]["code"] == "article_gone"
    for who in ({}, AGENT):
        body = client.get("/api/v1/search", query_string={"q": "paper bills post"}, headers=who).get_json()
        assert "billing/paper-bills" not in [h["slug"] for h in body["results"]]


def test_archived_article_with_a_replacement_redirects(client: Any) -> None:
    page = client.get("/articles/billing/old-refunds?lang=es")
    assert page.status_code == 301
    assert page.headers["Location"].endswith("/articles/billing/refund-policy?lang=es")
    api = client.get("/api/v1/articles/billing/old-refunds")
    assert api.status_code == 301 and api.get_json()["error"]["code"] == "article_moved"
    assert api.headers["Location"].endswith("/api/v1/articles/billing/refund-policy")


def test_an_archived_internal_article_is_unknown_to_customers(client: Any) -> None:
    assert client.get("/articles/agents/retired-playbook").status_code == 404
    assert client.get("/api/v1/articles/agents/retired-playbook").status_code == 404
    assert client.get("/api/v1/articles/agents/retired-playbook", headers=AGENT).status_code == 410


@pytest.mark.parametrize("old", ["billing/refunds-old", "billing/money-back"])
def test_old_urls_redirect_to_the_article(client: Any, old: str) -> None:
    page = client.get(f"/articles/{old}")
    assert page.status_code == 301
    assert page.headers["Location"].endswith("/articles/billing/refund-policy")
    api = client.get(f"/api/v1/articles/{old}")
    assert api.status_code == 301
    assert api.headers["Location"].endswith("/api/v1/articles/billing/refund-policy")
    followed = client.get(f"/articles/{old}", follow_redirects=True)
    assert followed.status_code == 200 and "How do I get a refund?" in followed.get_data(as_text=True)


def test_old_urls_of_the_replaced_help_centre_redirect(client: Any) -> None:
    """A Zendesk (or Freshdesk, or old HTML) path kept by an import answers 301 to its article."""
    page = client.get("/hc/es/articles/360006-C%C3%B3mo-funcionan-los-reembolsos?x=1")
    assert page.status_code == 301
    assert page.headers["Location"].endswith("/articles/billing/refund-policy")
    renamed = client.get("/hc/es/articles/360006-Reembolsos")  # Zendesk resolves by id: a link
    assert renamed.status_code == 301  # from before a rename has another title part
    assert renamed.headers["Location"].endswith("/articles/billing/refund-policy")
    assert client.get("/hc/es/articles/360006").status_code == 301
    assert client.get("/hc/articles/360006").status_code == 301  # no locale
    assert client.get("/hc/es/articles/360007-Cómo").status_code == 404  # another article
    assert client.get("/hc/fr/articles/360006-x").status_code == 404  # another locale
    assert client.get("/hc/en-us/articles/77-Router-lights").status_code == 404  # a review article


def test_an_old_url_of_a_review_article_redirects_agents_only(client: Any) -> None:
    assert client.get("/articles/technical/qwvold-lights").status_code == 404
    assert client.get("/api/v1/articles/technical/qwvold-lights").status_code == 404
    agent = client.get("/api/v1/articles/technical/qwvold-lights", headers=AGENT)
    assert agent.status_code == 301 and agent.headers["Location"].endswith(REVIEW_SLUG)


def test_the_site_answers_from_the_built_version_not_the_working_tree(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    build_index(load_knowledge_base(articles), tmp_path / "index")
    client = make_app(tmp_path / "index", tmp_path / "instance").test_client()
    (articles / "billing" / "paper-bills.md").unlink()
    policy = articles / "billing" / "refund-policy.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("billing/money-back", "billing/x"),
                      encoding="utf-8")
    assert client.get("/articles/billing/paper-bills").status_code == 410
    assert client.get("/articles/billing/money-back").status_code == 301
    build_index(load_knowledge_base(articles), tmp_path / "index")
    assert client.get("/articles/billing/paper-bills").status_code == 404
    assert client.get("/articles/billing/money-back").status_code == 404
    assert client.get("/articles/billing/x").status_code == 301


def test_publishing_a_review_article_shows_it_to_customers(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    build_index(load_knowledge_base(articles), tmp_path / "index")
    client = make_app(tmp_path / "index", tmp_path / "instance").test_client()
    assert client.get("/api/v1/search", query_string={"q": "qwvtitle"}).get_json()["total"] == 0
    review = articles / f"{REVIEW_SLUG}.md"
    review.write_text(review.read_text(encoding="utf-8").replace("status: review", "status: published"),
                      encoding="utf-8")
    build_index(load_knowledge_base(articles), tmp_path / "index")  # incremental
    body = client.get("/api/v1/search", query_string={"q": "qwvtitle"}).get_json()
    assert [h["slug"] for h in body["results"]] == [REVIEW_SLUG]
    assert client.get(f"/articles/{REVIEW_SLUG}").status_code == 200


def _problems(articles: Path) -> list[str]:
    return [p.format() for p in validate(load_knowledge_base(articles))]


def test_redirect_collisions_are_reported_with_file_line_and_field(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    reset = articles / "technical" / "reset-password.md"
    text = reset.read_text(encoding="utf-8").replace(
        "---\n", "---\nredirect_from: [/articles/billing/invoice-explained, /articles/billing/money-back]\n", 1)
    reset.write_text(text, encoding="utf-8")
    found = [p for p in _problems(articles) if ": redirect_from: " in p]
    shown = f"{articles}/technical/reset-password.md:2: error: redirect_from: "
    assert found == [
        shown + f"'/articles/billing/invoice-explained' collides with the URL of {articles}/billing/"
        "invoice-explained.md (hint: an article answers at that URL: remove the entry, or archive the "
        "other article with 'replaced_by')",
        shown + f"'/articles/billing/money-back' already redirects to {articles}/billing/refund-policy.md "
        "(hint: an old URL can lead to one article only)"]


def test_redirect_from_must_be_an_article_url(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    reset = articles / "technical" / "reset-password.md"
    reset.write_text(reset.read_text(encoding="utf-8").replace(
        "---\n", "---\nredirect_from: [/api/v1/old-page, 'https://example.com/x']\n", 1),
        encoding="utf-8")
    found = _problems(articles)
    for value in ("/api/v1/old-page", "https://example.com/x"):
        assert any(f"reset-password.md:2: error: redirect_from: '{value}' is not an article URL" in p
                   for p in found), found
    assert redirect_slug("/articles/a/b") == redirect_slug("a/b.md") == "a/b"
    assert redirect_slug("https://example.com/articles/a") is None


def test_replaced_by_must_name_a_served_article(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    old = articles / "billing" / "old-refunds.md"
    old.write_text(old.read_text(encoding="utf-8").replace("billing/refund-policy", "billing/refund-polcy"),
                   encoding="utf-8")
    gone = articles / "billing" / "paper-bills.md"
    gone.write_text(gone.read_text(encoding="utf-8").replace("status: archived",
                                                             "status: archived\nreplaced_by: billing/old-refunds"),
                    encoding="utf-8")
    found = [p for p in _problems(articles) if ": replaced_by: " in p]
    assert found == [
        (f"{articles}/billing/old-refunds.md:6: error: replaced_by: no article 'billing/refund-polcy' "
        "(hint: name the slug of the article that replaces this one (its path under articles/ without .md))"),
        (f"{articles}/billing/paper-bills.md:6: error: replaced_by: 'billing/old-refunds' is archived, "
        "not served (hint: point to a published (or review) article)")]


def test_links_to_review_archived_and_draft_articles_are_warned(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    policy = articles / "billing" / "refund-policy.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace(
        "related: [billing/invoice-explained,", "related: [billing/paper-bills,"), encoding="utf-8")
    assert any(p.endswith("warning: related: 'billing/paper-bills' is archived, never shown "
                          "(hint: remove it or name a published article)") for p in _problems(articles))
    price = articles / "billing" / "price-rise.md"
    price.write_text(price.read_text(encoding="utf-8") + f"\n[lights](/articles/{REVIEW_SLUG}) "
                     "[old](old-refunds.md) [bills](/articles/billing/paper-bills)\n", encoding="utf-8")
    found = [p.split(": warning: ", 1)[1] for p in _problems(articles)
             if "price-rise.md" in p and ": link: " in p]
    assert found == [
        ("link: links to archived article 'billing/old-refunds' (hint: link to 'billing/refund-policy' "
        "instead)"),
        ("link: links to archived article 'billing/paper-bills' (hint: remove the link or point it to a "
        "published article)"),
        (f"link: public article links to '{REVIEW_SLUG}', still in review "
        "(hint: customers cannot open it until it is published)")]


@pytest.mark.parametrize("path, key", [
    ("/hc/en-us/articles/360000-Understanding-your-first-invoice", ("hc", "en-us", "360000")),
    ("/hc/articles/7", ("hc", "", "7")),
    ("/support/solutions/articles/80006-how-refunds-work", ("solutions", "", "80006")),
    ("/es/support/solutions/articles/80006", ("solutions", "es", "80006")),
    ("/hc/en-us/sections/1001-Invoices", None), ("/billing/invoices.html", None),
])
def test_zendesk_and_freshdesk_article_urls_are_known_by_id(path: str, key: tuple | None) -> None:
    assert article_key(path) == key
