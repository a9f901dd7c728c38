"""The click prior: articles that searchers opened for this query, or a similar one, rise among near ties.

Input is click votes ``(client, query, slug, weight)``, already position-debiased, decayed and
capped per client and query (``analytics.clicks.click_votes``). Queries are compared as sets of
stemmed words without stop words, so word order, plurals and "how do I" do not matter. For a
search, every past query at least ``SIMILAR`` alike (Jaccard) lends its clicks, weighted by the
similarity; an article's evidence is its share of that click weight, times a confidence that is
zero below ``MIN_CLIENTS`` distinct clients and full at ``SATURATION_CLIENTS``. This is what
carries history to a new wording of the same intent. Popularity alone (an article opened or
voted helpful for any query) is worth at most ``ARTICLE_WEIGHT`` of the lift.

The factor is ``1 + MAX_LIFT * max(share, ARTICLE_WEIGHT * popularity)``, applied to the relevance
score without the exact-match bonus, like the usage prior (search/usage.py): an article can never
pass a result scored more than ``MAX_LIFT`` above it, nor an exact title or question match, however
many clicks it has. Each client counts once per article (its largest vote), and articles below
``MIN_CLIENTS`` clients take no part in the shares, so a flood from one client toward an article
nobody else opened changes nothing (analytics also drops clients that click for too many queries).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol, TypeVar

from search.analysis import terms
from search.ranking import ScoreParts

#: Largest relative lift. With SIMILAR, the best setting of bench/clicks.py's grid that cost the
#: queries without history nothing on both tuning folds (docs/quality.md, "Click prior").
MAX_LIFT = 0.20
#: Distinct clients an article needs under a key before the key's clicks count at all.
MIN_CLIENTS = 3
#: Distinct clients at which a key's evidence gets full confidence.
SATURATION_CLIENTS = 5
#: Past queries at least this similar (Jaccard of their stemmed words) lend their clicks.
SIMILAR = 0.5
#: Share of the lift popularity alone (any query) may give: 0, because on the tuning folds any
#: popularity lift cost the queries without history (docs/quality.md, "Click prior").
ARTICLE_WEIGHT = 0.0
#: Debiased clicks at which an article's popularity is full.
ARTICLE_SATURATION = 50.0


def _confidence(clients: int) -> float:
    return 0.0 if clients < MIN_CLIENTS else min(1.0, clients / SATURATION_CLIENTS)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two queries' word sets (stemmed, stop words out)."""
    return len(a & b) / len(a | b) if a and b else 0.0


class ClickPrior:
    """Click evidence per past query (as its set of stemmed words) and per article."""

    def __init__(self, votes: Iterable[tuple[str, str, str, float]], lang: str = "en") -> None:
        self.lang = lang
        #: past query words -> slug -> client -> weight (a client's largest vote)
        self.queries: dict[frozenset[str], dict[str, dict[str, float]]] = {}
        self.index: dict[str, list[frozenset[str]]] = {}
        articles: dict[str, dict[str, float]] = {}
        for client, query, slug, weight in votes:
            if not weight or weight <= 0 or not math.isfinite(weight):
                continue
            by_client = articles.setdefault(slug, {})
            by_client[client] = max(by_client.get(client, 0.0), weight)
            key = self.key(query) if query else frozenset()
            if not key:
                continue
            if key not in self.queries:
                self.queries[key] = {}
                for word in key:
                    self.index.setdefault(word, []).append(key)
            by_client = self.queries[key].setdefault(slug, {})
            by_client[client] = max(by_client.get(client, 0.0), weight)
        self.popularity = {slug: (_confidence(len(c)) * min(1.0, math.log1p(sum(c.values()))
                                                             / math.log1p(ARTICLE_SATURATION)))
                           for slug, c in articles.items()}

    def key(self, query: str) -> frozenset[str]:
        return frozenset(terms(query, self.lang))

    def __bool__(self) -> bool:
        return bool(self.popularity)

    def shares(self, query: str) -> dict[str, float]:
        """Per article: its share of the click weight of past queries similar to this one (each
        weighted by its similarity; each client once per article), times the confidence in its
        number of clients."""
        mine = self.key(query)
        overlap: dict[frozenset[str], int] = {}
        for word in mine:
            for key in self.index.get(word, ()):
                overlap[key] = overlap.get(key, 0) + 1
        per_slug: dict[str, dict[str, tuple[float, float]]] = {}
        for key, common in overlap.items():
            sim = common / (len(mine) + len(key) - common)
            if sim < SIMILAR:
                continue
            for slug, by_client in self.queries[key].items():
                mine_slug = per_slug.setdefault(slug, {})
                for client, weight in by_client.items():
                    if sim * weight > mine_slug.get(client, (0.0, 0.0))[0]:
                        mine_slug[client] = (sim * weight, weight)
        # only articles with MIN_CLIENTS clients take part, in the share and in the total: a client
        # alone can neither create evidence nor dilute others' evidence with a wrong article
        weights = {slug: sum(w for w, _ in c.values()) for slug, c in per_slug.items()
                   if len(c) >= MIN_CLIENTS}
        total = sum(weights.values())
        return {slug: weight / total * _confidence(len(per_slug[slug])) for slug, weight in weights.items()}

    def factors(self, query: str, slugs: Iterable[str]) -> dict[str, float]:
        """The factor (1 to 1 + MAX_LIFT) of each slug for this query; 1 is left out."""
        shares = self.shares(query)
        out = {}
        for slug in slugs:
            best = max(shares.get(slug, 0.0), ARTICLE_WEIGHT * self.popularity.get(slug, 0.0))
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
