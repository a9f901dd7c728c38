"""Fit the "no good answer" models (search/noanswer.py) on a tuning fold: logistic regression by hand.

In-scope queries of the tuning fold are label 0 (an answer exists), out-of-scope ones label 1.
The features are those the engine computes for every search (``SearchResponse.answer_check``);
exact title or question matches are always answered, so they are left out of the fit but counted
(as answered) when the threshold is chosen. The threshold is the lowest probability that withholds
at most ``MAX_WITHHELD`` of the fold's in-scope queries: as many out-of-scope queries flagged as
that budget allows.

    python bench/quality.py --calibrate      # fits on clinc150's tuning fold, writes search/noanswer.json
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from search.noanswer import HYBRID_FEATURES, LEXICAL_FEATURES, MODEL_FILE, Check, Model

#: Most in-scope queries the threshold may withhold on the tuning fold (the issue's 8%).
MAX_WITHHELD = 0.08
#: L2 penalty on the standardised coefficients (keeps the fit stable with correlated features).
L2 = 1.0
FEATURES = {"lexical": LEXICAL_FEATURES, "hybrid": HYBRID_FEATURES}


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50
                 ) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-penalised logistic regression (Newton's method), on raw features."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0  # the intercept is not penalised
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -60, 60)))
        gradient = z.T @ (p - y) + penalty * beta
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = beta[1:] / std
    return weights, float(beta[0] - (weights * mean).sum())


def threshold(in_scope: list[float], max_withheld: float = MAX_WITHHELD) -> float:
    """The lowest threshold flagging at most ``max_withheld`` of the in-scope probabilities
    (an exact match counts as probability 0)."""
    ordered = sorted(in_scope, reverse=True)
    allowed = int(max_withheld * len(ordered))  # queries that may be withheld
    if allowed >= len(ordered):
        return 0.0
    # flag p >= t: t just above the first probability that must stay answered
    return float(np.nextafter(ordered[allowed], np.inf))


def _rows(checks: dict[str, Check | None], config: str) -> list[Check]:
    return [c for c in checks.values() if c is not None and c.config == config]


def fit(in_scope: dict[str, Check | None], oos: dict[str, Check | None], config: str) -> Model | None:
    """The model for one configuration from the tuning fold's checks (None without data)."""
    names = FEATURES[config]
    inside, outside = _rows(in_scope, config), _rows(oos, config)
    train_in = [c for c in inside if not c.exact]
    train_out = [c for c in outside if not c.exact]
    if not train_in or not train_out:
        return None
    x = np.array([[c.features[n] for n in names] for c in train_in + train_out])
    y = np.array([0.0] * len(train_in) + [1.0] * len(train_out))
    weights, bias = fit_logistic(x, y)
    model = Model(names, tuple(float(w) for w in weights), bias, 1.0)
    # queries with no hit at all are always withheld: they use up the budget first
    nothing = sum(1 for c in in_scope.values() if c is None or not c.features)
    scores = [0.0 if c.exact else model.probability(c.features) for c in inside] + [1.0] * nothing
    return Model(names, model.weights, bias, threshold(scores))


def flagged(check: Check | None, models: dict[str, Model]) -> bool:
    """The engine's decision (search/noanswer.py ``check``) replayed with other models."""
    if check is None or not check.features:
        return True
    if check.exact:
        return False
    model = models[check.config]
    return model.probability(check.features) >= model.threshold


def write(models: dict[str, Model], source: str, path: Path = MODEL_FILE) -> None:
    data: dict[str, Any] = {
        "fitted_by": "python bench/quality.py --calibrate",
        "fitted_on": source,
        "max_withheld_on_tuning_fold": MAX_WITHHELD,
        "models": {config: model.as_dict() for config, model in models.items()},
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
