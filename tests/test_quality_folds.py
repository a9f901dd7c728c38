"""The quality bench's folds: deterministic, and split by intent (no intent in both folds)."""
from __future__ import annotations

from bench.folds import donors, split, split_plain


def judged_set(intents: int = 30, per_intent: int = 8) -> tuple[list[dict], dict[str, set[str]]]:
    queries, relevant = [], {}
    for i in range(intents):
        for j in range(per_intent):
            qid = f"q{i}-{j}"
            queries.append({"id": qid, "text": f"query {j} about topic {i}"})
            relevant[qid] = {f"intent{i}"}
    return queries, relevant


def test_split_is_deterministic():
    queries, relevant = judged_set()
    first, second = split(queries, relevant), split(list(reversed(queries)), relevant)
    assert first.tune_intents == second.tune_intents
    assert {q["id"] for q in first.test} == {q["id"] for q in second.test}
    assert split(queries, relevant, seed=1).tune_intents != first.tune_intents


def test_no_intent_has_queries_in_both_folds():
    queries, relevant = judged_set()
    folds = split(queries, relevant)
    tune_intents = {next(iter(relevant[q["id"]])) for q in folds.tune}
    test_intents = {next(iter(relevant[q["id"]])) for q in folds.test}
    assert tune_intents and test_intents
    assert not tune_intents & test_intents
    assert tune_intents == folds.tune_intents and test_intents == folds.test_intents
    assert len(folds.tune) + len(folds.test) == len(queries)


def test_unjudged_queries_split_apart_and_deterministically():
    queries = [{"id": f"oos{i}", "text": "?"} for i in range(40)]
    tune, test = split_plain(queries)
    assert len(tune) == len(test) == 20
    assert not {q["id"] for q in tune} & {q["id"] for q in test}
    assert {q["id"] for q in split_plain(list(reversed(queries)))[0]} == {q["id"] for q in tune}


def test_donors_are_the_intents_own_queries():
    queries, relevant = judged_set(intents=5, per_intent=8)
    given = donors(queries, relevant, 3)
    assert sorted(given) == [f"intent{i}" for i in range(5)]
    for intent, group in given.items():
        assert len(group) == 3
        assert all(relevant[q["id"]] == {intent} for q in group)
    assert given == donors(list(reversed(queries)), relevant, 3)
