"""Final ranking of Whoosh's candidates: BM25F times query coverage, staleness, exact matches."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

COVERAGE_FLOOR = 0.5
#: Weight of the best title/question match against the (normalized) BM25F part.
QUESTION_WEIGHT = 0.6
STALE_FACTOR = 0.75
EXACT_BONUS = 1000.0
#: Below this question match the best hit is not a confident answer ("no good answer"). Chosen on
#: clinc150's out-of-scope queries: 11% of them still get an answer while 15% of correct in-scope
#: top answers are withheld (a share-of-words rule at 0.5 gave 19% and 15%).
NO_ANSWER_QUESTION_MATCH = 0.3


@dataclass
class ScoreParts:
    """How a hit's score was made, for explain mode."""

    bm25f: float
    bm25f_normalized: float
    question_match: float
    coverage: float
    coverage_factor: float
    stale_factor: float
    exact_bonus: float
    final: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


def coverage(matched_groups: list[bool], weights: list[float]) -> float:
    """IDF-weighted share of the query's groups a hit matched."""
    total = sum(weights)
    if not total:
        return 0.0
    return sum(w for matched, w in zip(matched_groups, weights) if matched) / total


def question_match(phrases: list[tuple[frozenset[str], float]], group_terms: list[set[str]],
                   weights: list[float], idf: Callable[[str], float]) -> float:
    """How closely the query matches the article's best title or alternate question (0 to 1).

    IDF-weighted overlap: the query groups a phrase contains, over the query groups plus the
    phrase's own extra words; a phrase that says exactly what the customer typed scores 1.
    ``phrases`` are (words, summed IDF of the words) pairs."""
    best = 0.0
    total = sum(weights)
    for words, words_idf in phrases:
        hit = [i for i, terms in enumerate(group_terms) if not terms.isdisjoint(words)]
        if not hit:
            continue
        shared = words & set().union(*(group_terms[i] for i in hit))
        extra = max(0.0, words_idf - sum(idf(term) for term in shared))
        best = max(best, sum(weights[i] for i in hit) / (total + extra))
    return best


def score(bm25f: float, top_bm25f: float, question: float, covered: float, stale: bool,
          exact: bool) -> ScoreParts:
    """Combine the parts; an exact title or question match always ranks first."""
    normalized = bm25f / top_bm25f if top_bm25f > 0 else 0.0
    coverage_factor = COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * covered
    stale_factor = STALE_FACTOR if stale else 1.0
    bonus = EXACT_BONUS if exact else 0.0
    final = (normalized * coverage_factor + QUESTION_WEIGHT * question) * stale_factor + bonus
    return ScoreParts(bm25f, normalized, question, covered, coverage_factor, stale_factor, bonus, final)
