"""The query plan: which (field, term) postings a search adds up; plain text never reaches Whoosh's parser."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from whoosh import query as q

from search.analysis import terms
from search.expansion import Alternative, ExpandedQuery
from search.schema import text_field
from search.types import FILTER_FIELDS
from search.viewer import Viewer
from search.visibility import search_filter, text_kinds

PREFIX_FIELDS = ("title", "questions")
#: Extra weight for a word found in the title or an alternate question, on top of the ``all`` field.
#: 2.0 chosen on the shared sets' tuning folds with ``ranking.QUESTION_WEIGHT`` (docs/quality.md).
FIELD_BOOSTS = {"title": 2.0, "questions": 2.0}
#: Most index terms one type-ahead prefix expands to (lexicon order).
MAX_PREFIX_TERMS = 256

Pair = tuple[str, str]


@dataclass
class Clause:
    """One alternative in one field language: every word must match, each through any of its pairs."""

    words: list[list[Pair]]
    weight: float


@dataclass
class QueryPlan:
    """Clauses to add up, extra title/question weights, and every pair that marks a match."""

    clauses: list[Clause] = field(default_factory=list)
    boosts: dict[Pair, float] = field(default_factory=dict)
    pairs: set[Pair] = field(default_factory=set)


def _word_terms(word: str, lang: str) -> list[str]:
    return terms(word, lang) or terms(word, lang, keep_stop_words=True)


def _add_alternative(plan: QueryPlan, alternative: Alternative, lang: str, kinds: tuple[str, ...],
                     expand_prefix: Callable[[str, str], list[str]]) -> None:
    if alternative.prefix:
        pairs = [(text_field(kind, lang), term) for kind in PREFIX_FIELDS
                 for term in expand_prefix(text_field(kind, lang), alternative.words[0])]
        if pairs:
            plan.clauses.append(Clause([pairs], alternative.weight))
            plan.pairs.update(pairs)
        return
    words = []
    for word in alternative.words:
        analyzed = _word_terms(word, lang)
        if not analyzed:
            continue
        words.append([(text_field(kind, lang), term) for term in analyzed for kind in kinds])
        for term in analyzed:
            for kind, boost in FIELD_BOOSTS.items():
                key = (text_field(kind, lang), term)
                plan.boosts[key] = max(plan.boosts.get(key, 0.0), alternative.weight * boost)
    if words:
        plan.clauses.append(Clause(words, alternative.weight))
        plan.pairs.update(pair for pairs in words for pair in pairs)


def build_plan(expanded: ExpandedQuery, langs: list[str], viewer: Viewer,
               expand_prefix: Callable[[str, str], list[str]]) -> QueryPlan:
    """Any group in any field language; title and question matches weigh extra (BM25F).

    ``expand_prefix(field, prefix)`` lists index terms starting with ``prefix`` (type-ahead)."""
    kinds = text_kinds(viewer)
    plan = QueryPlan()
    for lang in langs:
        for group in expanded.groups:
            for alternative in group.alternatives:
                _add_alternative(plan, alternative, lang, kinds, expand_prefix)
    plan.pairs.update(plan.boosts)
    return plan


def group_terms(expanded: ExpandedQuery, lang: str) -> list[set[str]]:
    """The index terms that satisfy each group (to measure how much of the query a hit covers)."""
    result = []
    for group in expanded.groups:
        found: set[str] = set()
        for alternative in group.alternatives:
            for word in alternative.words:
                found.update(_word_terms(word, lang))
        result.append(found)
    return result


def filter_query(filters: dict[str, list[str]], viewer: Viewer,
                 exclude: str | None = None) -> q.Query | None:
    """Filters (any value within a field, all fields together) plus the viewer's visibility."""
    visible = search_filter(viewer)
    clauses: list[q.Query] = [visible] if visible is not None else []
    for name in FILTER_FIELDS:
        values = filters.get(name)
        if not values or name == exclude:
            continue
        clauses.append(q.Or([q.Term(name, value) for value in values]))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else q.And(clauses)
