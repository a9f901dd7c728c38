"""Whether the best hit answers the query at all ("no good answer"): a small logistic model.

A handful of features of the ranked candidates (how well the top hit's title or questions match,
how much of the query it covers, how far it stands above the next candidates, how many query words
the index does not know, and with the semantic layer the best cosine and its margin over the other
candidates) go into a logistic regression per configuration (``lexical``, ``hybrid``). Its
coefficients and decision threshold live in ``noanswer.json`` next to this module; they are fitted
by ``python bench/quality.py --calibrate`` on the tuning fold of clinc150 (in-scope queries against
out-of-scope ones), the threshold being the lowest that withholds at most 8% of that fold's
in-scope queries. The test-fold figures are in the README ("Knowing when nothing fits").
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

MODEL_FILE = Path(__file__).with_name("noanswer.json")
LEXICAL_FEATURES = ("question_match", "coverage", "question_gap", "lexical_gap", "unknown_share",
                    "log_groups")
HYBRID_FEATURES = LEXICAL_FEATURES + ("dense", "dense_gap", "dense_margin")


class HasParts(Protocol):
    parts: Any


@dataclass(frozen=True)
class Model:
    """Logistic regression: P(no good answer) = sigmoid(bias + sum(weight * feature))."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(w * values[name] for name, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def as_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6), "threshold": round(self.threshold, 6)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Model:
        return cls(tuple(data["features"]), tuple(float(w) for w in data["weights"]),
                   float(data["bias"]), float(data["threshold"]))


@dataclass
class Check:
    """The decision with what it was made from (the bench refits models on ``features``)."""

    no_answer: bool
    config: str = ""
    probability: float | None = None
    features: dict[str, float] = field(default_factory=dict)
    exact: bool = False


@lru_cache(maxsize=4)
def load_models(path: Path = MODEL_FILE) -> dict[str, Model]:
    """The fitted models by configuration (``lexical``, ``hybrid``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {config: Model.from_dict(entry) for config, entry in data["models"].items()}


def _gap(values: list[float]) -> tuple[float, float]:
    """The best value and its lead over the second best (0 when alone)."""
    ordered = sorted(values, reverse=True)
    return ordered[0], ordered[0] - ordered[1] if len(ordered) > 1 else ordered[0]


def features(ranked: Sequence[HasParts], groups: int, unknown: int) -> tuple[str, dict[str, float]]:
    """The configuration (``hybrid`` when dense scores joined) and its feature values.

    ``ranked``: the candidates in final order (not empty); ``groups``: the query's term groups;
    ``unknown``: how many of them no indexed term matches, typo repair included."""
    top = ranked[0].parts
    others = [c.parts for c in ranked[1:]]
    lexical = [top.lexical_score] + [p.lexical_score for p in others]
    values = {
        "question_match": top.question_match,
        "coverage": top.coverage,
        "question_gap": top.question_match - max((p.question_match for p in others), default=0.0),
        "lexical_gap": lexical[0] - max(lexical[1:], default=0.0),
        "unknown_share": unknown / groups if groups else 1.0,
        "log_groups": math.log1p(groups),
    }
    dense = [c.parts.dense for c in ranked if c.parts.dense is not None]
    if not dense:
        return "lexical", values
    best, gap = _gap(dense)
    mean = sum(dense) / len(dense)
    spread = math.sqrt(sum((d - mean) ** 2 for d in dense) / len(dense))
    values.update(dense=best, dense_gap=gap, dense_margin=(best - mean) / max(spread, 0.05))
    return "hybrid", values


def check(ranked: Sequence[HasParts], exact: bool, groups: int, unknown: int,
          models: dict[str, Model] | None = None) -> Check:
    """No good answer when nothing was found, or when the model's probability reaches its
    threshold; an exact title or question match is always an answer."""
    if not ranked:
        return Check(True)
    config, values = features(ranked, groups, unknown)
    if exact:
        return Check(False, config, 0.0, values, exact=True)
    model = (models or load_models())[config]
    probability = model.probability(values)
    return Check(probability >= model.threshold, config, probability, values)
