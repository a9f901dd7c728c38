"""The click prior: articles that searchers opened for a query (or for its words) rise among near ties.

Input is click votes ``(client, query, slug, weight)``, already position-debiased, decayed and
capped per client and query (``analytics.clicks.click_votes``). Three kinds of evidence, each a
share of the weight its key sent to an article, scaled by a confidence that is zero below
``MIN_CLIENTS`` distinct clients and full at ``SATURATION_CLIENTS``:

* the same normalized query (``query``);
* the query's words (stemmed, stop words out): the mean, over the query's words, of the share of
  clicks from past queries containing that word. This is what carries history to a new wording of
  the same intent ("card not arrived yet" after "my new card has not arrived");
* the article alone (opened or voted helpful for any query), worth ``ARTICLE_WEIGHT`` of the lift.

The factor is ``1 + MAX_LIFT * max(query, words, ARTICLE_WEIGHT * article)``, applied to the
relevance score without the exact-match bonus, like the usage prior (search/usage.py): an article
can never pass a result scored more than ``MAX_LIFT`` above it, nor an exact title or question
match, however many clicks it has. One client counts once per word and article (its largest
vote), so a flood from one client never reaches ``MIN_CLIENTS`` and moves nothing.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from search.analysis import normalize_phrase, terms
from search.ranking import ScoreParts

#: Largest relative lift (chosen on the tuning folds by bench/clicks.py; see docs/quality.md).
MAX_LIFT = 0.10
#: Distinct clients an article needs under a key before the key's clicks count at all.
MIN_CLIENTS = 3
#: Distinct clients at which a key's evidence gets full confidence.
SATURATION_CLIENTS = 10
#: Share of the lift popularity alone (any query) may give.
ARTICLE_WEIGHT = 0.2
#: Debiased clicks at which an article's popularity is full.
ARTICLE_SATURATION = 50.0


@dataclass
class Evidence:
    """Per article: summed weight and distinct clients under one key; the key's total weight."""

    weights: dict[str, float]
    clients: dict[str, int]
    total: float


def _confidence(clients: int) -> float:
    return 0.0 if clients < MIN_CLIENTS else min(1.0, clients / SATURATION_CLIENTS)


def _summarize(per_client: dict[str, dict[str, dict[str, float]]]) -> dict[str, Evidence]:
    out = {}
    for key, slugs in per_client.items():
        weights = {slug: sum(by_client.values()) for slug, by_client in slugs.items()}
        out[key] = Evidence(weights, {slug: len(c) for slug, c in slugs.items()}, sum(weights.values()))
    return out


def _add(table: dict[str, dict[str, dict[str, float]]], key: str, slug: str, client: str, weight: float) -> None:
    by_client = table.setdefault(key, {}).setdefault(slug, {})
    by_client[client] = max(by_client.get(client, 0.0), weight)


class ClickPrior:
    """Click evidence indexed by query, by word and by article; ``factors`` scores one search."""

    def __init__(self, votes: Iterable[tuple[str, str, str, float]], lang: str = "en") -> None:
        self.lang = lang
        queries: dict[str, dict[str, dict[str, float]]] = {}
        words: dict[str, dict[str, dict[str, float]]] = {}
        articles: dict[str, dict[str, dict[str, float]]] = {}
        for client, query, slug, weight in votes:
            if not weight or weight <= 0 or not math.isfinite(weight):
                continue
            _add(articles, "", slug, client, weight)
            if not query:
                continue
            _add(queries, normalize_phrase(query), slug, client, weight)
            for word in set(terms(query, lang)):
                _add(words, word, slug, client, weight)
        self.queries = _summarize(queries)
        self.words = _summarize(words)
        self.articles = _summarize(articles).get("", Evidence({}, {}, 0.0))

    def __bool__(self) -> bool:
        return bool(self.articles.weights)

    def _share(self, evidence: Evidence | None, slug: str) -> float:
        if evidence is None or not evidence.total:
            return 0.0
        return evidence.weights.get(slug, 0.0) / evidence.total * _confidence(evidence.clients.get(slug, 0))

    def factors(self, query: str, slugs: Iterable[str]) -> dict[str, float]:
        """The factor (1 to 1 + MAX_LIFT) of each slug for this query; 1 is left out."""
        exact = self.queries.get(normalize_phrase(query))
        query_words = list(dict.fromkeys(terms(query, self.lang)))
        word_evidence = [self.words.get(w) for w in query_words]
        out = {}
        for slug in slugs:
            by_words = (sum(self._share(e, slug) for e in word_evidence) / len(word_evidence)
                        if word_evidence else 0.0)
            weight = self.articles.weights.get(slug, 0.0)
            popular = (_confidence(self.articles.clients.get(slug, 0))
                       * min(1.0, math.log1p(weight) / math.log1p(ARTICLE_SATURATION)))
            best = max(self._share(exact, slug), by_words, ARTICLE_WEIGHT * popular)
            if best > 0:
                out[slug] = 1.0 + MAX_LIFT * min(1.0, best)
        return out


class Scored(Protocol):
    slug: str
    parts: ScoreParts


C = TypeVar("C", bound=Scored)


def lift(candidates: list[C], prior: ClickPrior, query: str) -> list[C]:
    """The candidates with clicked articles' scores lifted, in their new order (stable on ties)."""
    found = prior.factors(query, [c.slug for c in candidates])
    for candidate in candidates:
        factor = found.get(candidate.slug)
        if factor:
            parts = candidate.parts
            bonus = parts.exact_bonus
            candidate.parts = replace(parts, final=(parts.final - bonus) * factor + bonus, click_factor=factor)
    return sorted(candidates, key=lambda c: -c.parts.final)
