"""Reading articles from the index: one article, lists, related articles and translations."""
from __future__ import annotations

from typing import Iterator

import pytest

from search import Engine
from search.browse import article_view, list_articles, related, translations
from search.viewer import AGENT, ANONYMOUS
from tests.kb_support import built_engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = built_engine(tmp_path_factory)
    yield engine
    engine.close()


def test_article_view(engine: Engine) -> None:
    view = article_view(engine.snapshot(), "billing/refund-policy", ANONYMOUS)
    assert view is not None
    assert (view["title"], view["url"], view["type"], view["level"], view["stale"]) == (
        "How do I get a refund?", "/articles/billing/refund-policy", "billing", 0, False)
    assert view["questions"] == ["can i get my money back", "refund for a cancelled order"]
    assert '<a href="/articles/billing/invoice-explained"' in view["html"] and "<table>" in view["html"]
    assert view["channels"] == ["phone", "email", "portal"]  # from the routing file
    assert view["translations"] == [{"lang": "es", "slug": "es/billing/refund-policy",
                                     "title": "¿Cómo obtengo un reembolso?",
                                     "url": "/articles/es/billing/refund-policy"}]
    assert view["related"][0]["slug"] == "billing/invoice-explained"  # the writer's choice comes first
    assert article_view(engine.snapshot(), "billing/nope", AGENT) is None


def test_agent_view_has_the_route(engine: Engine) -> None:
    view = article_view(engine.snapshot(), "technical/wifi-dropping", AGENT)
    assert view is not None
    assert view["route"]["summary"] == "Technical, Level 0: Front line technical, 0800 000 0001, 24/7"


def test_list_articles_sorted_by_title_with_filters(engine: Engine) -> None:
    snapshot = engine.snapshot()
    titles = [item["title"] for item in list_articles(snapshot, ANONYMOUS)]
    assert titles == sorted(titles, key=str.lower) and len(titles) == 6
    billing = list_articles(snapshot, ANONYMOUS, filters={"type": ["billing"], "lang": ["en"]})
    assert [item["slug"] for item in billing] == ["billing/refund-policy", "billing/invoice-explained",
                                                  "billing/price-rise"]
    stale = {item["slug"]: item["stale"] for item in billing}
    assert stale == {"billing/refund-policy": False, "billing/invoice-explained": False,
                     "billing/price-rise": True}
    assert len(list_articles(snapshot, AGENT)) == 7


def test_related_prefers_writer_choice_then_similar_articles(engine: Engine) -> None:
    snapshot = engine.snapshot()
    items = related(snapshot, "billing/refund-policy", ANONYMOUS)
    slugs = [item["slug"] for item in items]
    assert slugs[0] == "billing/invoice-explained"
    assert "billing/refund-policy" not in slugs and len(slugs) == len(set(slugs)) <= 5
    assert all(item["lang"] == "en" for item in items[1:])
    assert related(snapshot, "billing/nope", ANONYMOUS) == []
    assert len(related(snapshot, "billing/refund-policy", ANONYMOUS, limit=1)) == 1


def test_translations_both_ways(engine: Engine) -> None:
    snapshot = engine.snapshot()
    spanish = snapshot.searcher().document(slug="es/billing/refund-policy")["data"]
    assert translations(snapshot, spanish, ANONYMOUS) == [
        {"lang": "en", "slug": "billing/refund-policy", "title": "How do I get a refund?",
         "url": "/articles/billing/refund-policy"}]
    lonely = snapshot.searcher().document(slug="technical/wifi-dropping")["data"]
    assert translations(snapshot, lonely, ANONYMOUS) == []
