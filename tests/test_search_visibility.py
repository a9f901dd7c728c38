"""Internal articles and ``::: internal`` paragraphs never reach customers; agents do find them.

Fixture words: 'zanzibar' sits in billing/refund-policy's internal block, 'quixotic' in the internal
article agents/goodwill-credits (as does 'goodwill' and the article's title)."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from search import Engine, SearchRequest
from search.browse import article_view, list_articles, related, translations
from search.documents import stored_data
from search.rendering import article_html
from search.viewer import AGENT, ANONYMOUS
from kb import load_knowledge_base
from tests.kb_support import FIXTURE_KB, built_engine

SECRETS = ("zanzibar", "quixotic", "goodwill", "secretword", "codeword")
INTERNAL = "agents/goodwill-credits"
QUERIES = ["zanzibar", "quixotic", "zanzibr", "quixotc", "zanzi", "quix", "goodwill", "goodwil", "credit",
           "goodwill credit limits for agents", "Goodwill credit limits for agents", "codeword", "secretword",
           "25 pounds approval", "refund", "how do i get a refund", "money back",
           "pounds per account per year", "billing", "level 1 agents", "your"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = built_engine(tmp_path_factory)
    yield engine
    engine.close()


def leaks(value: Any) -> list[str]:
    text = json.dumps(value, default=str).lower()
    return [word for word in SECRETS if word in text]


def test_stored_public_renderings_have_no_internal_text() -> None:
    refund = load_knowledge_base(FIXTURE_KB).by_slug()["billing/refund-policy"]
    data = stored_data(refund)
    served = {"html_public": article_html(data, agent=False), "html_agent": article_html(data, agent=True)}
    for key in ("text_public", "source_public"):
        assert leaks(data[key]) == [], key
    assert leaks(served["html_public"]) == []
    for key in ("text_internal", "source"):
        assert "zanzibar" in data[key], key
    assert "zanzibar" in served["html_agent"]
    assert data["has_internal"] is True


@pytest.mark.parametrize("text", QUERIES)
def test_anonymous_search_never_shows_internal_words(engine: Engine, text: str) -> None:
    for options in ({}, {"prefix": True}, {"explain": True}, {"langs": ["en"]}, {"limit": 100}):
        response = engine.search(SearchRequest(text, **options))  # type: ignore[arg-type]
        shown = {k: v for k, v in response.as_dict().items() if k != "query"}  # the query is echoed as typed
        typed = set(text.lower().split())  # "did you mean" repeats the words that needed no correction
        shown["did_you_mean"] = " ".join(w for w in (response.did_you_mean or "").split() if w not in typed)
        assert leaks(shown) == [], (text, options)
        assert INTERNAL not in [hit.slug for hit in response.results]
    assert leaks(engine.suggest(text, ANONYMOUS, langs=[])) == []


def test_internal_words_find_nothing_for_customers(engine: Engine) -> None:
    for word in ("zanzibar", "quixotic", "goodwill"):
        response = engine.search(SearchRequest(word))
        assert (response.total, response.results, response.did_you_mean) == (0, [], None)
        assert all(not counts for counts in response.facets.values())
    for typo in ("zanzibr", "quixotc"):
        assert engine.search(SearchRequest(typo)).did_you_mean is None
    vocabulary = engine.snapshot().public_vocab
    assert [word for word in SECRETS if word in vocabulary] == []


def test_agents_find_internal_words(engine: Engine) -> None:
    def agent_search(text: str) -> Any:
        return engine.search(SearchRequest(text, viewer=AGENT))

    zanzibar = agent_search("zanzibar")
    assert [hit.slug for hit in zanzibar.results] == ["billing/refund-policy"]
    assert "<mark>zanzibar</mark>" in zanzibar.results[0].snippet
    assert [hit.slug for hit in agent_search("quixotic").results] == [INTERNAL]
    assert agent_search("quixotc").did_you_mean == "quixotic"
    assert agent_search("zanzibr").did_you_mean == "zanzibar"
    assert agent_search("quixotic").facets["audience"] == {"internal": 1}
    assert [s["slug"] for s in engine.suggest("goodw", AGENT, langs=[])] == [INTERNAL]
    assert engine.suggest("goodw", ANONYMOUS, langs=[]) == []


def test_browsing_hides_internal_articles_and_paragraphs(engine: Engine) -> None:
    snapshot = engine.snapshot()
    assert article_view(snapshot, INTERNAL, ANONYMOUS) is None
    public = article_view(snapshot, "billing/refund-policy", ANONYMOUS)
    assert public is not None and leaks(public) == []
    assert public["has_internal"] is False and public["route"] is None
    customer_list = list_articles(snapshot, ANONYMOUS)
    assert INTERNAL not in [item["slug"] for item in customer_list] and leaks(customer_list) == []
    for slug in ("billing/refund-policy", "billing/invoice-explained", "billing/price-rise"):
        assert leaks(related(snapshot, slug, ANONYMOUS)) == []
    assert related(snapshot, INTERNAL, ANONYMOUS) == []
    agent = article_view(snapshot, "billing/refund-policy", AGENT)
    assert agent is not None and "zanzibar" in agent["html"] and "zanzibar" in agent["markdown"]
    assert agent["has_internal"] is True and agent["route"]["queue"] == "Front line billing"
    internal = article_view(snapshot, INTERNAL, AGENT)
    assert internal is not None and "quixotic" in internal["html"]
    assert INTERNAL in [item["slug"] for item in list_articles(snapshot, AGENT)]
    data = snapshot.searcher().document(slug="es/billing/refund-policy")["data"]
    assert leaks(translations(snapshot, data, ANONYMOUS)) == []
