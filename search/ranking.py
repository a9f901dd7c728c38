"""Final ranking of Whoosh's candidates: BM25F times query coverage, staleness, exact matches."""
from __future__ import annotations

from dataclasses import dataclass

COVERAGE_FLOOR = 0.3
STALE_FACTOR = 0.75
EXACT_BONUS = 1000.0
#: Below this share of the query's (IDF-weighted) words, the best hit is not a confident answer.
NO_ANSWER_COVERAGE = 0.5


@dataclass
class ScoreParts:
    """How a hit's score was made, for explain mode."""

    bm25f: float
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


def score(bm25f: float, covered: float, stale: bool, exact: bool) -> ScoreParts:
    """Combine the parts; an exact title or question match always ranks first."""
    coverage_factor = COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * covered
    stale_factor = STALE_FACTOR if stale else 1.0
    bonus = EXACT_BONUS if exact else 0.0
    final = bm25f * coverage_factor * stale_factor + bonus
    return ScoreParts(bm25f, covered, coverage_factor, stale_factor, bonus, final)
