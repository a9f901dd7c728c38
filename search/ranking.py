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
#: Semantic layer (search/semantic): weight of the min-max-scaled dense score against the scaled
#: lexical score (the issue's 0.8 x dense + 0.2 x lexical, measured with our ranking: MRR@10
#: 1.125x bm25s on banking77, 1.084x on clinc150; see docs/semantic.md).
DENSE_WEIGHT = 0.8
#: With dense scores, no good answer = question match below 0.35 and dense score (cosine, see
#: search/semantic/dense.py) below 0.5. Chosen on 1,000 random in-scope and 1,000 out-of-scope
#: clinc150 queries; on the whole set 5.9% of out-of-scope queries still get an answer and 10.8%
#: of correct top answers are withheld (lexical engine and rule: 9.9% and 15.5%).
NO_ANSWER_HYBRID_QUESTION_MATCH = 0.35
NO_ANSWER_DENSE = 0.5


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


def no_good_answer(top: ScoreParts | None, exact: bool) -> bool:
    """Whether the best hit is not a confident answer (the site then offers contact options).

    Lexical only: a weak title/question match. With the semantic layer: a weak title/question
    match and a weak dense score (cosine), tuned on clinc150's out-of-scope queries."""
    if top is None:
        return True
    if exact:
        return False
    if top.dense is None:
        return top.question_match < NO_ANSWER_QUESTION_MATCH
    return top.question_match < NO_ANSWER_HYBRID_QUESTION_MATCH and top.dense < NO_ANSWER_DENSE
