"""The "no good answer" model (search/noanswer.py), its shipped coefficients, and the fit that
writes them (bench/calibrate.py, run by ``python bench/quality.py --calibrate``)."""
from __future__ import annotations

import random
from types import SimpleNamespace

import numpy as np
import pytest

from bench import calibrate
from search import Engine, SearchRequest, noanswer
from search.noanswer import HYBRID_FEATURES, LEXICAL_FEATURES, Model


def candidate(question: float, covered: float, lexical: float, dense: float | None = None) -> object:
    return SimpleNamespace(parts=SimpleNamespace(question_match=question, coverage=covered,
                                                 lexical_score=lexical, dense=dense))


def test_shipped_models_match_the_features_the_engine_computes() -> None:
    models = noanswer.load_models()
    assert models["lexical"].features == LEXICAL_FEATURES
    assert models["hybrid"].features == HYBRID_FEATURES
    for model in models.values():
        assert 0.0 < model.threshold < 1.0
        assert len(model.weights) == len(model.features)


def test_features_lexical_and_hybrid() -> None:
    config, values = noanswer.features([candidate(0.8, 1.0, 1.4), candidate(0.3, 0.5, 0.6)], 4, 1)
    assert config == "lexical" and set(values) == set(LEXICAL_FEATURES)
    assert values["question_gap"] == pytest.approx(0.5) and values["lexical_gap"] == pytest.approx(0.8)
    assert values["unknown_share"] == 0.25
    config, values = noanswer.features([candidate(0.8, 1.0, 1.4, 0.7), candidate(0.3, 0.5, 0.6, 0.5),
                                        candidate(0.1, 0.2, 0.2, None)], 2, 0)
    assert config == "hybrid" and set(values) == set(HYBRID_FEATURES)
    assert values["dense"] == 0.7 and values["dense_gap"] == pytest.approx(0.2)


def test_the_decision_follows_the_model() -> None:
    strong, weak = [candidate(0.9, 1.0, 1.5)], [candidate(0.05, 0.3, 0.2)]
    # flags a weak question match, whatever else
    model = Model(LEXICAL_FEATURES, (-10.0, 0, 0, 0, 0, 0), 3.0, 0.5)
    models = {"lexical": model, "hybrid": model}
    assert noanswer.check(weak, False, 3, 0, models).no_answer is True
    assert noanswer.check(strong, False, 3, 0, models).no_answer is False
    assert noanswer.check(weak, True, 3, 0, models).no_answer is False  # exact match: an answer
    assert noanswer.check([], False, 3, 0, models).no_answer is True  # nothing found


def test_fit_separates_and_keeps_the_withheld_budget() -> None:
    rng = random.Random(3)
    x = np.array([[rng.gauss(0.7, 0.15)] for _ in range(400)] + [[rng.gauss(0.3, 0.15)] for _ in range(100)])
    y = np.array([0.0] * 400 + [1.0] * 100)
    weights, bias = calibrate.fit_logistic(x, y)
    assert weights[0] < 0  # a better match means less likely out of scope
    model = Model(("question_match",), (float(weights[0]),), bias, 1.0)
    scores = [model.probability({"question_match": v}) for v in x[:400, 0]]
    cut = calibrate.threshold(scores, 0.08)
    assert sum(p >= cut for p in scores) <= 0.08 * 400
    assert sum(p >= cut for p in scores) >= 0.08 * 400 - 2  # and uses that budget


def test_engine_flags_out_of_scope_questions(engine: Engine) -> None:
    # the fixture KB is about broadband, billing and passwords (tests/fixtures/kb)
    assert engine.search(SearchRequest("refund")).no_good_answer is False
    assert engine.search(SearchRequest("wifi keeps dropping")).no_good_answer is False
    assert engine.search(SearchRequest("what is the capital of peru")).no_good_answer is True
    check = engine.search(SearchRequest("wifi keeps dropping")).answer_check
    assert check.probability < noanswer.load_models()[check.config].threshold
    assert set(check.features) == set(noanswer.load_models()[check.config].features)
