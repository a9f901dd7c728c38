"""Triage: the likely support type and level from the top hits, and where to forward the customer."""
from __future__ import annotations

from typing import Iterator

import pytest

from kb.routing import Routing
from search import Engine, SearchRequest
from search.triage import triage
from search.types import Hit, SearchResponse
from tests.kb_support import built_engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = built_engine(tmp_path_factory)
    yield engine
    engine.close()


def hit(slug: str, support_type: str, level: int, score: float) -> Hit:
    return Hit(slug, slug, "", "", "", "", support_type, level, "", "en", [], "public", score, "", False)


def response(*hits: Hit, no_answer: bool = False) -> SearchResponse:
    return SearchResponse("q", len(hits), list(hits), {}, None, {}, {}, 1.0, no_answer, "v")


def test_triage_from_real_search(engine: Engine) -> None:
    routing = engine.snapshot().routing
    result = triage(engine.search(SearchRequest("wifi keeps dropping")), routing)
    assert (result["type"], result["level"], result["no_good_answer"]) == ("technical", 0, False)
    assert result["route"]["queue"] == "Front line technical"
    assert 0.5 <= result["confidence"] <= 1.0
    billing = triage(engine.search(SearchRequest("why did my monthly price go up")), routing)
    assert (billing["type"], billing["level"]) == ("billing", 1)
    assert billing["route"]["summary"] == ("Billing, Level 1: Billing resolutions, ext. 4102, "
                                           "billing@example.test, 8:00-20:00")


def test_score_weighted_vote() -> None:
    routing = Routing()
    result = triage(response(hit("a", "billing", 1, 2.0), hit("b", "technical", 0, 1.0),
                             hit("c", "technical", 0, 1.0)), routing)
    # billing 2.0 against technical 1.0/2 + 1.0/3
    assert (result["type"], result["level"], result["route"]) == ("billing", 1, None)
    assert result["confidence"] == round(2.0 / (2.0 + 0.5 + 1 / 3), 3)
    assert result["type_confidence"] == result["confidence"]


def test_no_answer() -> None:
    empty = {"type": None, "level": None, "confidence": 0.0, "route": None, "no_good_answer": True}
    assert triage(response(), Routing()) == empty
    assert triage(response(hit("a", "billing", 1, 2.0), no_answer=True), Routing()) == empty
