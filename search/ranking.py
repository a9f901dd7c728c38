"""Final ranking of Whoosh's candidates: BM25F times query coverage, staleness, exact matches."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

#: Coverage factor: BM25F times (floor + (1 - floor) x IDF-weighted share of the query matched).
#: 1.0 switches it off, the default: at 0.5 it cost MRR@10 on both shared sets' tuning folds
#: (and on their test folds, docs/quality.md ablation); kept for explain mode and the bench.
COVERAGE_FLOOR = 1.0
#: Weight of the best title/question match against the (normalized) BM25F part. Chosen with
#: ``query.FIELD_BOOSTS`` and ``COVERAGE_FLOOR`` on the tuning folds of both shared sets (grid in
#: bench/ablation.py); reported on their test folds only (docs/quality.md).
QUESTION_WEIGHT = 1.2
STALE_FACTOR = 0.75
EXACT_BONUS = 1000.0
#: Semantic layer (search/semantic): weight of the min-max-scaled dense score against the scaled
#: lexical score (0.8 x dense + 0.2 x lexical). On the test folds (docs/quality.md) the hybrid
#: reaches MRR@10 1.134x bm25s on banking77 and 1.072x on clinc150, and ``--tune`` picks 0.8 on
#: both tuning folds.
DENSE_WEIGHT = 0.8


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
    #: Set only when the semantic layer fused a dense score in (see ``hybrid``).
    lexical: float | None = None
    lexical_normalized: float | None = None
    dense: float | None = None
    dense_normalized: float | None = None
    #: Set only when the usage prior lifted the score (search/usage.py).
    usage_factor: float | None = None
    #: Set only when the click prior lifted the score (search/clicks.py).
    click_factor: float | None = None

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items() if v is not None}

    @property
    def lexical_score(self) -> float:
        """The lexical score before staleness and the exact-match bonus."""
        return self.bm25f_normalized * self.coverage_factor + QUESTION_WEIGHT * self.question_match


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


def hybrid(parts: ScoreParts, lexical_scaled: float, dense: float | None, dense_scaled: float
           ) -> ScoreParts:
    """Fuse a min-max-scaled dense score with the scaled lexical score (semantic layer).

    Staleness and the exact-match bonus apply to the fused score as they do to the lexical one,
    so exact title and question matches still rank first."""
    fused = DENSE_WEIGHT * dense_scaled + (1 - DENSE_WEIGHT) * lexical_scaled
    # Built field by field: dataclasses.replace costs several times more, once per candidate.
    return ScoreParts(parts.bm25f, parts.bm25f_normalized, parts.question_match, parts.coverage,
                      parts.coverage_factor, parts.stale_factor, parts.exact_bonus,
                      fused * parts.stale_factor + parts.exact_bonus, lexical=parts.lexical_score,
                      lexical_normalized=lexical_scaled, dense=dense, dense_normalized=dense_scaled)

