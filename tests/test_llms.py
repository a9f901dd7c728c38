"""/llms.txt and /articles/<slug>.md (web/customer/llms.py): public articles only, no internal
paragraphs, referenced from robots.txt, the sitemap and article pages."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base
from kb.markup import split_internal
from search.indexer import build_index
from tests.conftest import AGENT_TOKEN, make_app

INTERNAL_TEXT = ("Secretword", "quixotic", "Codeword", "zanzibar", "Goodwill credit", "goodwill-credits")
HIDDEN = {"draft": "Half-written draft article", "archived": "Withdrawn archived article"}


@pytest.fixture()
def client(articles_dir: Path, tmp_path: Path) -> Any:
    """The fixture knowledge base plus a draft and an archived article."""
    for status, title in HIDDEN.items():
        (articles_dir / "billing" / f"{status}-one.md").write_text(
            f"---\ntitle: {title}\ntype: billing\nlevel: 0\nstatus: {status}\n---\n\n{title} body.\n")
    build_index(load_knowledge_base(articles_dir), tmp_path / "index")
    return make_app(tmp_path / "index", tmp_path / "instance").test_client()


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def public_articles(articles_dir: Path) -> list[Any]:
    return [a for a in load_knowledge_base(articles_dir).articles
            if a.audience == "public" and a.status == "published"]


def test_llms_txt_lists_every_public_article_grouped_by_type(client: Any, articles_dir: Path) -> None:
    response = client.get("/llms.txt")
    body = text(response)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert body.startswith("# Brightwave Help Centre\n\n> ")
    links = re.findall(r"^- \[([^\]]+)\]\((\S+)\)", body, re.M)
    expected = public_articles(articles_dir)
    assert sorted(url for _, url in links) == sorted(f"http://localhost/articles/{a.slug}.md" for a in expected)
    for article in expected:
        if article.lang == "en":
            section = body.split(f"## {article.type.title()}: ")[1].split("\n## ")[0]
            assert f"[{article.title}](http://localhost/articles/{article.slug}.md)" in section
        if article.summary:
            assert f"{article.slug}.md): {article.summary}" in body
    for hidden in (*INTERNAL_TEXT, *HIDDEN.values()):
        assert hidden not in body


def test_an_article_without_a_summary_is_described_by_its_first_public_sentence(
        articles_dir: Path, tmp_path: Path) -> None:
    """Imported articles rarely have a summary: the first sentence of the public text stands in,
    never a word of an internal block before it."""
    (articles_dir / "technical" / "hard-reset.md").write_text(
        "---\ntitle: Hard reset the router\ntype: technical\nlevel: 1\n---\n\n::: internal\n"
        "Codeword zanzibar unlocks the engineer menu.\n:::\n\n## Steps\n\nHold the reset button for ten "
        "seconds. Then wait for the green light.\n")
    build_index(load_knowledge_base(articles_dir), tmp_path / "index")
    body = text(make_app(tmp_path / "index", tmp_path / "instance").test_client().get("/llms.txt"))
    assert ("[Hard reset the router](http://localhost/articles/technical/hard-reset.md): Hold the "
            "reset button for ten seconds. (technical, level 1)") in body
    for word in INTERNAL_TEXT:
        assert word not in body


def test_markdown_mirror_is_the_public_article(client: Any, articles_dir: Path) -> None:
    source = next(a for a in load_knowledge_base(articles_dir).articles if a.slug == "billing/refund-policy")
    assert "::: internal" in source.body  # the fixture has an internal block to strip
    response = client.get("/articles/billing/refund-policy.md")
    body = text(response)
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    assert body.startswith(f"# {source.title}\n\n> {source.summary}\n\n")
    assert "Refunds are paid to the original payment method." in body
    assert "| Card | 3-5 working days |" in body
    for word in INTERNAL_TEXT + ("::: internal",):
        assert word not in body
    assert split_internal(source.body).public.strip().splitlines()[0] in body
    assert response.headers["Link"] == '<http://localhost/articles/billing/refund-policy>; rel="canonical"'


@pytest.mark.parametrize("slug", ["agents/goodwill-credits", "billing/draft-one", "billing/archived-one",
                                  "billing/no-such-article"])
def test_no_mirror_for_internal_hidden_or_unknown_articles(client: Any, slug: str) -> None:
    response = client.get(f"/articles/{slug}.md")
    assert response.status_code == 404
    for word in INTERNAL_TEXT[:5]:  # the content (the slug asked for is echoed in links)
        assert word not in text(response)


def test_a_signed_in_agent_gets_no_internal_mirror_either(client: Any) -> None:
    headers = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    assert client.get("/articles/agents/goodwill-credits.md", headers=headers).status_code == 404
    assert "Codeword" not in text(client.get("/articles/billing/refund-policy.md", headers=headers))


def test_robots_sitemap_and_article_pages_point_at_them(client: Any) -> None:
    assert "http://localhost/llms.txt" in text(client.get("/robots.txt"))
    sitemap = text(client.get("/sitemap-1.xml"))
    assert ('<loc>http://localhost/articles/billing/refund-policy</loc>' in sitemap and
            'href="http://localhost/articles/billing/refund-policy.md"/>' in sitemap)
    assert "goodwill-credits" not in sitemap
    page = text(client.get("/articles/billing/refund-policy"))
    assert '<link rel="alternate" type="text/markdown" href="/articles/billing/refund-policy.md">' in page
