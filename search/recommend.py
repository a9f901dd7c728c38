"""Suggestions from a ticket: the customer's problem found in long text, then a few ordinary searches.

1. ``search/ticket.py`` drops what is not the problem (greetings, signature, quoted replies,
   disclaimers, references, the support side of a transcript), splits the rest into sentences and
   marks those that talk about the contact itself ("please call me", "sorry to bother you").
2. Every sentence gets a cheap weight from the served index: the share of its words the index
   knows (for the fields the viewer may match) times the square root of how many it knows, times
   its cue (a question, a failure, a request), times its prior (:func:`prior`): ``META_FACTOR``
   for talk about the contact, ``COURTESY_FACTOR`` for courtesy only ("no that's all, thanks"),
   ``ASIDE_FACTOR`` for a transcript line that is not the customer's (the agent's call notes).
   The subject, when given, is always a candidate.
3. The ``CANDIDATES`` best sentences, and the best one joined with the sentence before and after
   it (a problem told in two sentences), each run one :meth:`Engine.search` (so ranking, visibility,
   filters, synonyms, typo repair, the semantic layer and the usage prior are the search's own).
   A sentence's confidence is how well its best hit matches it: the title/question match plus,
   with the semantic layer on, the dense similarity, times how far that hit stands above the
   second (to the power ``MARGIN_WEIGHT``), times its cue and its prior.
4. The answers are fused: each article scores the sum over sentences of (confidence ^
   ``SHARPNESS``) x its score relative to that sentence's best hit, so the sentence that states the
   problem decides and the others only break ties. Each hit says why: the ticket words it matched
   and the sentences they came from.

Cost: one pass over the words (IDF cached per index version) and at most ``MAX_SEARCHES`` searches,
whatever the length of the ticket (at most ``MAX_TICKET_CHARS`` characters).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from search import visibility
from search.analysis import normalize_phrase, terms
from search.engine import MAX_QUERY_CHARS, Engine
from search.schema import text_field
from search.ticket import Sentence, sentences
from search.types import Hit, QueryError, SearchRequest, SearchResponse
from search.viewer import ANONYMOUS, Viewer

MAX_TICKET_CHARS = 20_000
MAX_SUBJECT_CHARS = 300
MAX_LIMIT = 20
#: Constants here and in search/ticket.py are chosen with bench/recommend.py's tuning family of noise
#: templates on the tuning fold of the FAQ sets (``--family tune --fold tune``); the figures reported
#: use the test family on the test fold. Sentences searched (the subject counts as one), chosen with
#: SHARPNESS and MARGIN_WEIGHT: 5 searched sentences missed the problem sentence in about 8% of tickets.
CANDIDATES = 8
#: Best sentences searched again with each neighbour (see :func:`window`).
WINDOW_SEEDS = 1
#: Searches a ticket costs at most, however long.
MAX_SEARCHES = CANDIDATES + 2 * WINDOW_SEEDS
#: How much a cue (question, failure, request) adds to a sentence's confidence.
CUE_WEIGHT = 0.5
#: Factor on the weight and confidence of a sentence about the contact itself (search/ticket.py META):
#: 0.5 and 0.25 scored alike on the tuning fold (MRR@10 0.947/0.948 x search on clinc150), 0.75 lower.
META_FACTOR = 0.5
#: Factor on the weight and confidence of a transcript line that is not the customer's words.
ASIDE_FACTOR = 0.5
#: Factor on a sentence of courtesy only ("no that's all, thanks"): it decides only when nothing
#: else in the ticket matches.
COURTESY_FACTOR = 0.25
#: Exponent on sentence confidences when fusing: the most confident sentence dominates.
SHARPNESS = 8.0
#: Exponent on how far a sentence's best hit stands above its second (a sentence that points at
#: one article is more likely the problem than one that matches many a little), capped at MAX_MARGIN.
MARGIN_WEIGHT = 0.25
MAX_MARGIN = 3.0
#: Candidates asked of each search (at least the caller's limit).
PER_SENTENCE = 10
#: Sentences reported per hit as the reason it matched.
WHY_SENTENCES = 2


@dataclass
class RecommendRequest:
    text: str
    subject: str = ""
    langs: list[str] = field(default_factory=list)
    limit: int = 5
    viewer: Viewer = ANONYMOUS
    filters: dict[str, list[str]] = field(default_factory=dict)
    usage: dict[str, float] | None = None


@dataclass
class Recommendation:
    """The search run for a ticket and why each hit matched."""

    query: str
    problem: list[str]
    response: SearchResponse
    why: dict[str, dict[str, Any]]
    took_ms: float


def validate(request: RecommendRequest) -> None:
    if not request.text.strip() and not request.subject.strip():
        raise QueryError("missing_parameter", "text: required, the ticket, chat or call notes")
    if len(request.text) > MAX_TICKET_CHARS:
        raise QueryError("text_too_long", f"text: at most {MAX_TICKET_CHARS} characters")
    if len(request.subject) > MAX_SUBJECT_CHARS:
        raise QueryError("text_too_long", f"subject: at most {MAX_SUBJECT_CHARS} characters")
    if not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError("invalid_parameter", f"limit must be between 1 and {MAX_LIMIT}")


class _Known:
    """Whether the index knows a word, in the fields the viewer may match (cached per call)."""

    def __init__(self, engine: Engine, langs: list[str], viewer: Viewer) -> None:
        snapshot = engine.snapshot()
        self.lang = engine.languages(snapshot, langs)[0]
        self.searcher = snapshot.searcher()
        self.fields = [text_field(kind, self.lang) for kind in visibility.text_kinds(viewer)]
        self.seen: dict[str, bool | None] = {}

    def __call__(self, word: str) -> bool | None:
        """True if known, False if not, None for a stop word or a number."""
        if word not in self.seen:
            analyzed = terms(word, self.lang)
            self.seen[word] = None if not analyzed or word.isdigit() else any(
                self.searcher.doc_frequency(f, analyzed[0]) > 0 for f in self.fields)
        return self.seen[word]


def prior(sentence: Sentence) -> float:
    """Factor for a sentence that is not the customer stating the problem: talk about the contact
    or courtesy (META_FACTOR), a transcript line that is not the customer's (ASIDE_FACTOR)."""
    return ((META_FACTOR if sentence.meta else 1.0) * (ASIDE_FACTOR if sentence.aside else 1.0)
            * (COURTESY_FACTOR if sentence.courtesy else 1.0))


def weight(sentence: Sentence, known: _Known) -> float:
    """Cheap weight: share of known words x sqrt(known words) x (1 + cue)."""
    found = [k for k in (known(w) for w in normalize_phrase(sentence.text).split()) if k is not None]
    hits = sum(found)
    if not hits:
        return 0.0
    return hits / len(found) * math.sqrt(hits) * (1 + sentence.cue) * prior(sentence)


def window(first: Sentence, second: Sentence) -> Sentence:
    """Two neighbouring sentences read as one ("I cannot find my PIN. Where is it?")."""
    return Sentence(f"{first.text} {second.text}", first.position, max(first.cue, second.cue),
                    first.meta or second.meta, first.aside or second.aside,
                    first.courtesy and second.courtesy)


def candidates(text: str, subject: str, known: _Known) -> list[Sentence]:
    """The subject, the body sentences most likely to state the problem (at most CANDIDATES in all),
    and the best WINDOW_SEEDS of them each with the sentence before and after it."""
    found = sentences(text)
    body = sorted(found, key=lambda s: -weight(s, known))
    chosen = [s for s in body if weight(s, known) > 0]
    head = [Sentence(" ".join(subject.split()), -1, 1.0)] if subject.strip() else []
    windows = []
    for seed in chosen[:WINDOW_SEEDS]:
        at = seed.position
        windows += ([window(found[at - 1], seed)] if at > 0 else []) + (
            [window(seed, found[at + 1])] if at + 1 < len(found) else [])
    return ((head + chosen)[:CANDIDATES] or body[:1]) + windows


def confidence(sentence: Sentence, response: SearchResponse) -> float:
    """How well a sentence's best hit matches it (question match + dense similarity) x its cue."""
    if not response.results:
        return 0.0
    best = response.results[0]
    parts = (best.explain or {}).get("score", {})
    match = parts.get("question_match", 0.0) + max(parts.get("dense") or 0.0, 0.0)
    second = response.results[1].score if len(response.results) > 1 else 0.0
    margin = MAX_MARGIN if best.exact or second <= 0 else min(best.score / second, MAX_MARGIN)
    return match * margin ** MARGIN_WEIGHT * (1 + CUE_WEIGHT * sentence.cue) * prior(sentence)


def fuse(runs: list[tuple[Sentence, float, SearchResponse]], limit: int
         ) -> tuple[list[Hit], dict[str, dict[str, Any]]]:
    """Hits ranked by the confidence-weighted sum of their relative scores, with why each matched."""
    total: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    why: dict[str, dict[str, Any]] = {}
    for sentence, conf, response in runs:
        if not response.results:
            continue
        top = max(response.results[0].score, 1e-9)
        for hit in response.results:
            total[hit.slug] = total.get(hit.slug, 0.0) + conf ** SHARPNESS * max(hit.score, 0.0) / top
            hits.setdefault(hit.slug, hit)
            explain = hit.explain or {}
            entry = why.setdefault(hit.slug, {"terms": [], "sentences": [], "semantic": False})
            groups = explain.get("matched_groups", [])
            entry["terms"] += [g for g in groups if g not in entry["terms"]]
            if groups and len(entry["sentences"]) < WHY_SENTENCES:
                entry["sentences"].append(sentence.text)
            entry["semantic"] |= explain.get("score", {}).get("dense") is not None
    ranked = sorted(total, key=lambda slug: (-total[slug], slug))[:limit]
    best = max(total.values(), default=0.0) or 1.0
    out = []
    for slug in ranked:
        hit = hits[slug]
        hit.score = round(total[slug] / best, 4)
        hit.explain = None
        out.append(hit)
    return out, {slug: why[slug] for slug in ranked}


def _search(engine: Engine, request: RecommendRequest, text: str) -> SearchResponse:
    return engine.search(SearchRequest(
        text[:MAX_QUERY_CHARS], filters=request.filters, limit=max(request.limit, PER_SENTENCE),
        viewer=request.viewer, langs=request.langs, explain=True, facets=False, snippets=False,
        usage=request.usage))


def recommend(engine: Engine, request: RecommendRequest) -> Recommendation:
    """The best articles for a ticket, with the words and sentences each matched."""
    started = time.perf_counter()
    validate(request)
    with engine.request():
        known = _Known(engine, request.filters.get("lang") or request.langs, request.viewer)
        runs = []
        for sentence in candidates(request.text, request.subject, known):
            response = _search(engine, request, sentence.text)
            runs.append((sentence, confidence(sentence, response), response))
    runs.sort(key=lambda run: -run[1])
    hits, why = fuse(runs, request.limit)
    lead = runs[0][2] if runs else None
    response = SearchResponse(
        query=lead.query if lead else "", total=len(hits), results=hits, facets={},
        did_you_mean=lead.did_you_mean if lead else None, corrections=lead.corrections if lead else {},
        synonyms=lead.synonyms if lead else {}, took_ms=(time.perf_counter() - started) * 1000,
        no_good_answer=lead.no_good_answer if lead else True, version=lead.version if lead else "")
    return Recommendation(response.query, [s.text for s, _, _ in runs], response, why, response.took_ms)
