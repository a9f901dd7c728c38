"""Ablation, alternate-questions curve and tuning on the folds (see bench/quality.py).

Features are switched off through module constants of search/ patched for one run in this
process (bench/quality_runs.py ``patched``): the engine has no user-facing switch for them.
"""
from __future__ import annotations

from typing import Any

from bench.folds import donors
from bench.quality_runs import Built

#: Feature -> the constants that switch it off. Synonyms are writer-maintained
#: (articles/_synonyms.yml) and the shared sets ship none, so they cannot be measured here;
#: stemming has no switch outside search/analysis.py (its analyzers are built once and cached).
ABLATIONS: dict[str, dict[str, Any]] = {
    "typo repair": {"search.typos.MIN_LENGTH": 10**9},
    "title/question field boosts": {"search.query.FIELD_BOOSTS": {}},
    "question match (QUESTION_WEIGHT)": {"search.ranking.QUESTION_WEIGHT": 0.0},
    # off by default (COVERAGE_FLOOR 1.0): this row switches it ON, so a negative contribution
    # means the default gains by leaving it off
    "coverage factor ON (COVERAGE_FLOOR=0.5)": {"search.ranking.COVERAGE_FLOOR": 0.5},
}
#: Grids tried by ``--tune`` on the tuning fold (today's value is in each).
LEXICAL_GRID = {"search.ranking.QUESTION_WEIGHT": (0.6, 0.9, 1.2, 1.5)}
HYBRID_GRID = {"search.ranking.DENSE_WEIGHT": (0.6, 0.7, 0.8, 0.9)}
#: Question-match and dense-score thresholds tried for "no good answer" (hybrid rule).
NO_ANSWER_QM = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
NO_ANSWER_DENSE = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
#: Most in-scope queries the no-answer calibration may withhold on the tuning fold (the issue's 8%).
MAX_WITHHELD = 0.08


def ablate(built: Built, queries: list[dict], relevant: dict[str, set[str]], docs: list[dict],
           name: str) -> dict[str, dict[str, float]]:
    """MRR@10 and recall@5 of the lexical engine with each feature off (and all on)."""
    rows = {"all features on": built.run(queries).metrics(relevant)}
    for feature, constants in ABLATIONS.items():
        rows[feature] = built.run(queries, constants=constants).metrics(relevant)
    plain = Built(name, docs, semantic=False, questions=False)
    try:
        rows["alternate questions field (body only)"] = plain.run(queries).metrics(relevant)
    finally:
        plain.close()
    return rows


def questions_curve(name: str, docs: list[dict], queries: list[dict], test: list[dict],
                    relevant: dict[str, set[str]], most: int = 5) -> dict[int, float]:
    """Lexical MRR@10 on the test fold when every article carries k = 0..most more of its own
    (held-out) queries as alternate questions; the donor queries are never evaluated."""
    given = donors(queries, relevant, most)
    used = {q["id"] for group in given.values() for q in group}
    evaluated = [q for q in test if q["id"] not in used]
    curve = {}
    for k in range(most + 1):
        extra = {intent: [q["text"] for q in group[:k]] for intent, group in given.items()}
        built = Built(name, docs, semantic=False, extra=extra)
        try:
            curve[k] = built.run(evaluated).metrics(relevant)["MRR@10"]
        finally:
            built.close()
    return curve


def pick(built: Built, queries: list[dict], relevant: dict[str, set[str]], hybrid: bool
         ) -> dict[str, Any]:
    """The grid value with the best MRR@10 on ``queries`` (the tuning fold)."""
    grid = HYBRID_GRID if hybrid else LEXICAL_GRID
    best: tuple[float, dict[str, Any]] | None = None
    for constant, values in grid.items():
        for value in values:
            score = built.run(queries, hybrid=hybrid, constants={constant: value}
                              ).metrics(relevant)["MRR@10"]
            if best is None or score > best[0]:
                best = (score, {constant: value})
    assert best is not None
    return best[1]


def no_answer(top: dict[str, Any] | None, qm: float, dense: float) -> bool:
    """The engine's rule (search/ranking.py no_good_answer) with other thresholds, replayed on
    explain parts; dense None = lexical rule."""
    if top is None:
        return True
    if top.get("exact_bonus", 0) > 0:
        return False
    if "dense" not in top:
        return top["question_match"] < qm
    return top["question_match"] < qm and top["dense"] < dense


def calibrate(in_scope: dict[str, Any], oos: dict[str, Any]) -> tuple[float, float] | None:
    """Thresholds flagging the most out-of-scope queries while withholding at most
    MAX_WITHHELD of the in-scope ones (both from the tuning fold); None if none qualifies."""
    best: tuple[float, float, float] | None = None
    lexical = not any(t and "dense" in t for t in in_scope.values())
    for qm in NO_ANSWER_QM:
        for dense in NO_ANSWER_DENSE[:1] if lexical else NO_ANSWER_DENSE:
            withheld = sum(no_answer(t, qm, dense) for t in in_scope.values()) / len(in_scope)
            caught = sum(no_answer(t, qm, dense) for t in oos.values()) / len(oos)
            if withheld <= MAX_WITHHELD and (best is None or caught > best[0]):
                best = (caught, qm, dense)
    return (best[1], best[2]) if best else None
