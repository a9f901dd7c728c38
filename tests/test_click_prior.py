"""The click prior: debiased, decayed, capped per client, bounded, and off unless CLICK_PRIOR is on."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from analytics_support import Clock

from analytics import Recorder, open_store
from analytics import clicks as evidence
from search import ANONYMOUS, Engine, SearchRequest
from search import clicks as prior
from search.ranking import score
from tests.conftest import make_app

NOW = time.time()


def votes_of(url: str, now: float = NOW) -> list[tuple[str, str, str, float]]:
    store = open_store(url)
    try:
        return evidence.click_votes(store, now - 90 * 86400, now)
    finally:
        store.close()


def record_clicks(url: str, clicks: list[tuple[str, str, int, str]], start: float = NOW - 3600,
                  feedback: list[tuple[str, bool, str]] = ()) -> None:
    clock = Clock(start)
    rec = Recorder(url, retention_days=0, clock=clock)
    for query, slug, position, client in clicks:
        clock.now += 1
        rec.click(query, slug, position, "site", client=client)
    for slug, helpful, client in feedback:
        clock.now += 1
        rec.feedback(slug, helpful, client=client)
    assert rec.flush()
    rec.close()


# --- evidence: debiased, decayed, capped per client ---------------------------------------------

def test_flood_from_one_client_is_capped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_clicks(url, [("refund", "billing/price-rise", 3, "flooder")] * 500)
    votes = votes_of(url)
    assert len(votes) == 1
    _client, query, slug, weight = votes[0]
    assert (query, slug) == ("refund", "billing/price-rise")
    assert weight <= evidence.PER_CLIENT_CAP * 3  # one click at position 3 counts, not 500
    # real clients agree on the refund article; the flood toward a wrong one changes nothing
    record_clicks(url, [("refund", "billing/refund-policy", 1, f"real{n}") for n in range(4)])
    clean = prior.ClickPrior([v for v in votes_of(url) if v[0] != "c:flooder"])
    flooded = prior.ClickPrior(votes_of(url))
    slugs = ["billing/refund-policy", "billing/price-rise"]
    assert flooded.factors("refund", slugs) == clean.factors("refund", slugs) == {
        "billing/refund-policy": pytest.approx(1 + prior.MAX_LIFT * 4 / prior.SATURATION_CLIENTS)}
    # a flood across many wordings marks the client as a robot: none of its clicks count
    many = [(f"refund please {n}", "billing/price-rise", 10, "flooder") for n in range(200)]
    record_clicks(url, many)
    assert [v for v in votes_of(url) if v[0] == "c:flooder"] == []


def test_clicks_are_position_debiased_and_decay(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_clicks(url, [("refund", "a", 1, "c1"), ("refund", "b", 4, "c2"), ("refund", "c", 99, "c3")])
    weights = {slug: w for _c, _q, slug, w in votes_of(url)}
    assert weights["a"] == pytest.approx(1.0, rel=1e-3)
    assert weights["b"] == pytest.approx(4.0, rel=1e-3)
    assert weights["c"] == pytest.approx(evidence.MAX_WEIGHT, rel=1e-3)
    later = {slug: w for _c, _q, slug, w in votes_of(url, NOW + evidence.HALF_LIFE_DAYS * 86400)}
    assert later["a"] == pytest.approx(0.5, rel=1e-2)


def test_unhelpful_votes_cancel_and_helpful_votes_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_clicks(url, [("refund", "a", 1, "c1"), ("refund", "a", 1, "c2")],
                  feedback=[("a", False, "c1"), ("a", True, "c2"), ("z", True, "c3")])
    votes = sorted(votes_of(url))
    assert [(c, q, s) for c, q, s, _w in votes] == [("c:c2", "refund", "a"), ("c:c3", "", "z")]
    assert votes[0][3] == pytest.approx(2.0, rel=1e-3)


# --- the bounded lift ----------------------------------------------------------------------------

@dataclass
class Scored:
    slug: str
    parts: Any


def candidate(slug: str, relevance: float, exact: bool = False) -> Scored:
    return Scored(slug, score(relevance, 1.0, 0.0, 1.0, False, exact))


def strong(slug: str, query: str = "money back", clients: int = 50) -> prior.ClickPrior:
    return prior.ClickPrior([(f"c{n}", query, slug, 5.0) for n in range(clients)])


def test_prior_cannot_outvote_a_clearly_better_match() -> None:
    clicks = strong("clicked")
    assert clicks.factors("money back", ["clicked"]) == {"clicked": pytest.approx(1 + prior.MAX_LIFT)}
    for ratio in (1.25, (1 + prior.MAX_LIFT) * 1.001):
        ranked = prior.lift([candidate("better", 0.9), candidate("clicked", 0.9 / ratio)], clicks, "money back")
        assert [c.slug for c in ranked] == ["better", "clicked"]
    exact = prior.lift([candidate("exact", 0.1, exact=True), candidate("clicked", 1.0)], clicks, "money back")
    assert [c.slug for c in exact] == ["exact", "clicked"]
    assert prior.MAX_LIFT <= 0.2


def test_prior_breaks_near_ties_for_the_query_and_similar_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    clicks = strong("clicked", "i want my money back")
    ranked = prior.lift([candidate("first", 0.90), candidate("clicked", 0.88)], clicks, "i want my money back")
    assert [c.slug for c in ranked] == ["clicked", "first"]
    assert 1.0 < ranked[0].parts.click_factor <= 1 + prior.MAX_LIFT
    # another wording with the same words, in another order, is the same query
    assert clicks.factors("Money back: I want it", ["clicked"]) == {"clicked": pytest.approx(1 + prior.MAX_LIFT)}
    # a similar one lends its clicks when similar enough
    assert prior.similarity(clicks.key("money back please"), clicks.key("i want my money back")) == 0.4
    monkeypatch.setattr(prior, "SIMILAR", 0.4)
    assert clicks.factors("money back please", ["clicked"]) == {"clicked": pytest.approx(1 + prior.MAX_LIFT)}
    monkeypatch.setattr(prior, "SIMILAR", 0.5)
    assert clicks.factors("money back please", ["clicked"]) == {}
    # popularity alone (any query) only with ARTICLE_WEIGHT, 0 by default
    assert clicks.factors("router lights", ["clicked"]) == {}
    monkeypatch.setattr(prior, "ARTICLE_WEIGHT", 0.2)
    assert clicks.factors("router lights", ["clicked"]) == {"clicked": pytest.approx(1 + prior.MAX_LIFT * 0.2)}


def test_too_few_clients_move_nothing() -> None:
    few = strong("clicked", clients=prior.MIN_CLIENTS - 1)
    assert few.factors("money back", ["clicked"]) == {}
    assert strong("clicked", clients=prior.MIN_CLIENTS).factors("money back", ["clicked"])
    # clicks split between two articles: each gets its share of the lift
    split = prior.ClickPrior([(f"c{n}", "money back", "a" if n % 4 else "b", 1.0) for n in range(40)])
    found = split.factors("money back", ["a", "b"])
    assert found["a"] == pytest.approx(1 + prior.MAX_LIFT * 0.75) and found["b"] == pytest.approx(1 + prior.MAX_LIFT * 0.25)


def test_engine_applies_the_prior_within_its_bound(engine: Engine) -> None:
    plain = engine.search(SearchRequest("refund invoice price", viewer=ANONYMOUS, limit=5, explain=True))
    second = plain.results[1]
    lifted = engine.search(SearchRequest("refund invoice price", viewer=ANONYMOUS, limit=5, explain=True,
                                         clicks=strong(second.slug, "refund invoice price")))
    moved = next(h for h in lifted.results if h.slug == second.slug)
    assert moved.explain["score"]["click_factor"] == pytest.approx(1 + prior.MAX_LIFT)
    assert moved.score == pytest.approx(second.score * (1 + prior.MAX_LIFT), rel=1e-3)


def test_search_uses_the_prior_only_when_turned_on(index_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_clicks(url, [("refund", "billing/refund-policy", 2, f"client{n}") for n in range(4)])
    for setting, expected in ((True, True), (False, False)):
        app = make_app(index_dir, tmp_path / f"inst-{setting}", ANALYTICS_URL=url, CLICK_PRIOR=setting)
        body = app.test_client().get("/api/v1/search?q=refund&explain=true").get_json()
        hit = next(h for h in body["results"] if h["slug"] == "billing/refund-policy")
        assert ("click_factor" in hit["explain"]["score"]) is expected


def test_clicks_carry_a_daily_client_hash_not_the_address(index_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    app = make_app(index_dir, tmp_path / "inst", ANALYTICS_URL=url)
    client = app.test_client()
    for address in ("203.0.113.9", "203.0.113.9", "198.51.100.7"):
        client.get("/articles/billing/refund-policy?q=refund&pos=2", environ_base={"REMOTE_ADDR": address})
    from web.shared.tracking import recorder  # noqa: PLC0415
    assert recorder(app).flush()
    store = open_store(url)
    rows = store.fetchall("SELECT client FROM clicks ORDER BY id")
    store.close()
    assert len(rows) == 3 and rows[0] == rows[1] != rows[2]
    assert all(len(c) == 16 and "203.0.113.9" not in c for (c,) in rows)
